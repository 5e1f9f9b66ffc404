// Client telemetry (KIP-714) on a broker without a client-metrics receiver plugin and without
// subscriptions: GetTelemetrySubscriptions assigns an instance id and answers an empty
// RequestedMetrics list (so a client collects and pushes nothing), PushTelemetry validates as
// Kafka's ClientMetricsManager does and drops what it is sent. Answers, in Kafka's order:
// - Get too soon after the last Get/Push (within the push interval): THROTTLING_QUOTA_EXCEEDED;
// - Push with a zero instance id: INVALID_REQUEST; after a terminating push: INVALID_REQUEST; too
//   soon (and not terminating): THROTTLING_QUOTA_EXCEEDED; another subscription id than ours:
//   UNKNOWN_SUBSCRIPTION_ID; an unknown compression type: UNSUPPORTED_COMPRESSION_TYPE; metrics
//   over telemetryMaxBytes: TELEMETRY_TOO_LARGE.
// The subscription id is Kafka's: CRC32C of the metric list and interval ("[]300000"), xor the
// instance id's hash, so a client that moves to another broker keeps a valid id.
// Instances live in a bounded map (clientInstancesMax, oldest first out) and expire after
// max(60 s, 3 push intervals) without a request.
// Who calls: brokerHandlers (kafka-apis.ts); state is per broker process, as in Kafka.
import { crc32c } from '../common/crc32c.js';
import { ErrorCode } from '../common/errors.js';
import { randomUuid, uuidToBytes } from '../common/uuid.js';
import { isKnownCodec } from '../protocol/compression.js';
import {
  getTelemetrySubscriptionsApi,
  pushTelemetryApi,
  type GetTelemetrySubscriptionsRequest,
  type GetTelemetrySubscriptionsResponseInput,
  type PushTelemetryRequest,
  type PushTelemetryResponseInput,
} from '../protocol/messages/telemetry.js';
import { zeroUuid } from '../protocol/primitives/uuid.js';
import type { KafkaApiRegistry } from './api-context.js';

/** Kafka's ClientMetricsConfigs.DEFAULT_INTERVAL_MS: the push interval with no subscription. */
export const telemetryPushIntervalMs = 300_000;
/** Kafka's telemetry.max.bytes default. */
export const telemetryMaxBytes = 1_048_576;
/** Kafka's cache bound (16k client instances per broker). */
const clientInstancesMax = 16_384;
const instanceExpiryMinMs = 60_000;
/** What Kafka accepts for pushes: zstd, lz4, gzip, snappy. */
const acceptedCompressionTypes = [4, 3, 1, 2];

interface ClientInstance {
  readonly subscriptionId: number;
  lastGetMs: number;
  lastPushMs: number;
  lastSeenMs: number;
  terminating: boolean;
}

/** Java's Uuid.hashCode: the xor of the two 64-bit halves, folded to 32 bits. */
function uuidHash(id: string): number {
  const b = uuidToBytes(id);
  return (b.readInt32BE(0) ^ b.readInt32BE(4) ^ b.readInt32BE(8) ^ b.readInt32BE(12)) | 0;
}

const emptySubscriptionCrc = crc32c(Buffer.from(`[]${telemetryPushIntervalMs}`, 'utf8')) | 0;

export class ClientTelemetry {
  private readonly instances = new Map<string, ClientInstance>();

  constructor(private readonly now: () => number = Date.now) {}

  /** How many client instances are remembered (bounded by clientInstancesMax). */
  get size(): number {
    return this.instances.size;
  }

  private instance(id: string, nowMs: number): ClientInstance {
    const expiryMs = Math.max(instanceExpiryMinMs, 3 * telemetryPushIntervalMs);
    let inst = this.instances.get(id);
    if (inst && nowMs - inst.lastSeenMs > expiryMs) inst = undefined;
    if (!inst) {
      inst = {
        subscriptionId: (emptySubscriptionCrc ^ uuidHash(id)) | 0,
        lastGetMs: 0,
        lastPushMs: 0,
        lastSeenMs: nowMs,
        terminating: false,
      };
      this.instances.delete(id);
      if (this.instances.size >= clientInstancesMax) {
        const oldest = this.instances.keys().next();
        if (!oldest.done) this.instances.delete(oldest.value);
      }
    } else this.instances.delete(id); // re-inserted below: the map's order is least recently seen first
    inst.lastSeenMs = nowMs;
    this.instances.set(id, inst);
    return inst;
  }

  getSubscriptions(r: GetTelemetrySubscriptionsRequest): GetTelemetrySubscriptionsResponseInput {
    const nowMs = this.now();
    const id = r.clientInstanceId === zeroUuid ? this.freshId() : r.clientInstanceId;
    const inst = this.instance(id, nowMs);
    if (nowMs - Math.max(inst.lastGetMs, inst.lastPushMs) < telemetryPushIntervalMs)
      return { errorCode: ErrorCode.THROTTLING_QUOTA_EXCEEDED };
    inst.lastGetMs = nowMs;
    return {
      errorCode: ErrorCode.NONE,
      clientInstanceId: id,
      subscriptionId: inst.subscriptionId,
      acceptedCompressionTypes,
      pushIntervalMs: telemetryPushIntervalMs,
      telemetryMaxBytes,
      deltaTemporality: true,
      requestedMetrics: [],
    };
  }

  push(r: PushTelemetryRequest): PushTelemetryResponseInput {
    if (r.clientInstanceId === zeroUuid) return { errorCode: ErrorCode.INVALID_REQUEST };
    const nowMs = this.now();
    const inst = this.instance(r.clientInstanceId, nowMs);
    const errorCode = this.pushError(inst, r, nowMs);
    inst.terminating = r.terminating;
    // No receiver plugin: accepted metrics go nowhere, as on a Kafka broker without one.
    return { errorCode };
  }

  private pushError(inst: ClientInstance, r: PushTelemetryRequest, nowMs: number): number {
    if (inst.terminating) return ErrorCode.INVALID_REQUEST;
    const canAccept = inst.lastGetMs > inst.lastPushMs || nowMs - inst.lastPushMs >= telemetryPushIntervalMs;
    if (canAccept) inst.lastPushMs = nowMs;
    else if (!r.terminating) return ErrorCode.THROTTLING_QUOTA_EXCEEDED;
    if (r.subscriptionId !== inst.subscriptionId) return ErrorCode.UNKNOWN_SUBSCRIPTION_ID;
    if (!isKnownCodec(r.compressionType)) return ErrorCode.UNSUPPORTED_COMPRESSION_TYPE;
    if (r.metrics.length > telemetryMaxBytes) return ErrorCode.TELEMETRY_TOO_LARGE;
    return ErrorCode.NONE;
  }

  private freshId(): string {
    let id = randomUuid();
    while (this.instances.has(id) || id === zeroUuid) id = randomUuid();
    return id;
  }
}

export function registerTelemetryApis(
  apis: KafkaApiRegistry,
  telemetry: ClientTelemetry = new ClientTelemetry(),
): void {
  apis.register(getTelemetrySubscriptionsApi, (r) => telemetry.getSubscriptions(r));
  apis.register(pushTelemetryApi, (r) => telemetry.push(r));
}
