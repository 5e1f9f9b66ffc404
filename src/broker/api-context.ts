// The broker's Kafka handler contract: what a handler is given (the decoded request, the
// connection it came on, the broker's services) and the typed registry that binds each handler to
// its API object (src/protocol/messages/*.ts), so request and response types come from the API and
// no handler casts. src/server/kafka-server.ts serves a registry over TCP; kafka-apis.ts fills it.
//
// Invariants: one handler per API key; ApiVersions advertises exactly the registered keys (the
// registry answers `has`); a registered API decodes its own requests and encodes its own responses.
//
// Client quotas (quota/client-quotas.ts): with a quota manager, each request gets a RequestQuota in
// its context (Produce and Fetch record bytes through it), its handling time counts against
// request_percentage, and the larger throttle goes into the answer's throttle_time_ms and back to
// the TCP server, which stops reading from the connection for that long (KIP-219).
import type { BrokerTopicMetrics } from './topic-metrics.js';
import type { FetchRequestMetrics, FetchSessionCache } from './fetch-session.js';
import { BrokerAuthorization, type RequestAuthorization } from './authorization.js';
import type { Logger } from 'pino';
import { assert } from '../common/assert.js';
import type { NodeConfig } from '../common/node-config.js';
import type { ControllerClient } from '../client/controller-client.js';
import type { MetadataImage } from '../metadata/image.js';
import type { Api, ApiInfo } from '../protocol/messages/define.js';
import { encodeResponseFrame } from '../protocol/frame.js';
import type { RequestHeader } from '../protocol/header.js';
import type { Reader } from '../protocol/primitives/reader.js';
import type { GroupCoordinator } from './group/group-coordinator.js';
import type { ProducerIdManager } from './producer-ids.js';
import type { ReplicaManager } from './replica-manager.js';
import type { BrokerDynamicConfig } from './dynamic-config.js';
import type { TxnMarkerWriter } from './txn/marker-writer.js';
import type { TransactionCoordinator } from './txn/transaction-coordinator.js';
import type { TxnVerifier } from './txn/txn-verifier.js';
import { type ClientQuotaManager, RequestQuota } from './quota/client-quotas.js';
import { clientThrottles } from './quota/quota-math.js';

/** What a handler learns about the connection a request came on. */
export interface RequestContext {
  readonly header: RequestHeader;
  /** The listener name the connection came in on (Metadata answers with that listener's endpoints). */
  readonly listenerName: string;
  readonly clientHost: string;
  readonly connectionId: number;
  /**
   * Who is asking, as Kafka's authorizer names principals: `User:<name>` after a SASL login, the
   * mapped certificate subject for TLS client authentication, else `User:ANONYMOUS`.
   */
  readonly principal: string;
  /** Aborted when the connection closes: long waits (Fetch) stop early. */
  readonly signal: AbortSignal;
  /** The request's client quotas (set by the registry when the broker has a quota manager). */
  readonly quota?: RequestQuota;
  /**
   * Runs `fn` once the answer has been written to the socket (or failed to be, or will never be
   * sent), never before: buffers the answer refers to by reference (Fetch's pooled record reads)
   * may be reused from then on. Absent (tests calling handlers directly): never called.
   */
  readonly afterSend?: (fn: () => void) => void;
}

/**
 * A handler decodes nothing itself: it gets the decoded body and returns the response value, or
 * null for no response (acks=0). `authz` answers what the request's principal may do (authorization.ts).
 */
type KafkaHandler<Req, ResIn> = (
  request: Req,
  ctx: RequestContext,
  authz: RequestAuthorization,
) => Promise<ResIn | null> | ResIn | null;

/**
 * What the admin handlers that Kafka routes to controllers need (topics, configs, ACLs, SCRAM,
 * quotas, features, elections, reassignments): writes go to the active controller over gRPC, reads
 * come from the node's image. A broker's registry and a controller's Kafka listener (KIP-919,
 * controller-apis.ts) both build them from this, so the two share one code path.
 */
export interface AdminApiContext {
  readonly nodeId: number;
  readonly clusterId: string;
  readonly config: NodeConfig;
  readonly logger: Logger;
  readonly controller: ControllerClient;
  /** The node's applied metadata image (null before the first). */
  readonly image: () => MetadataImage | null;
  /** The node's effective dynamic broker configs (DescribeConfigs, CreateTopics v5+ answers). */
  readonly dynamicConfig: () => BrokerDynamicConfig;
}

/** The admin view of a broker's services. */
export function brokerAdminContext(ctx: BrokerApiContext): AdminApiContext {
  return {
    nodeId: ctx.nodeId,
    clusterId: ctx.clusterId,
    config: ctx.config,
    logger: ctx.logger,
    controller: ctx.controller,
    image: () => ctx.replicas.currentImage(),
    dynamicConfig: () => ctx.replicas.dynamicConfig,
  };
}

/** The broker's services the handlers use. */
export interface BrokerApiContext {
  readonly nodeId: number;
  readonly clusterId: string;
  readonly config: NodeConfig;
  readonly logger: Logger;
  readonly replicas: ReplicaManager;
  readonly controller: ControllerClient;
  /** The group coordinator; the group APIs are served only when there is one. */
  readonly groups?: GroupCoordinator;
  /** ACL enforcement (BrokerAuthorization.none when `authorizer.class.name` is unset). */
  readonly authorization: BrokerAuthorization;
  /** Per-topic traffic counters (bytes and messages in and out, failed requests). */
  readonly topicMetrics: BrokerTopicMetrics;
  /** Incremental fetch sessions (KIP-227); absent: every Fetch is served without a session. */
  readonly fetchSessions?: FetchSessionCache;
  /** Partitions per Fetch request, by kind; absent: not measured. */
  readonly fetchMetrics?: FetchRequestMetrics;
  /** Client quotas (quota/client-quotas.ts); absent: nothing is measured or throttled. */
  readonly quotas?: ClientQuotaManager;
  /** Producer ids for idempotent producers (blocks from the controller). */
  readonly producerIds: ProducerIdManager;
  /** Transactions: the coordinator, KIP-890 verification and the leader's marker writer. */
  readonly txn?: {
    readonly coordinator: TransactionCoordinator;
    readonly verifier: TxnVerifier;
    readonly markers: TxnMarkerWriter;
  };
  /** First offset of the first record with timestamp ≥ `timestamp` in `batch`, or null. */
  readonly offsetInBatchForTimestamp: (
    batch: Buffer,
    timestamp: number,
  ) => { offset: number; timestamp: number } | null;
}

/** A throttled request: how long the connection stops reading, and whether the answer waits too. */
export interface RequestThrottle {
  readonly throttleMs: number;
  /**
   * The client throttles itself (KIP-219): the answer leaves at once, then the connection is
   * muted. Else (older request versions) the answer is held back for the throttle time.
   */
  readonly clientThrottles: boolean;
}

/** What a served request gives the TCP server: its response frame chunks (null: none), any throttle. */
export interface ServedAnswer {
  readonly chunks: Buffer[] | null;
  readonly throttle: RequestThrottle | null;
}

/** A request decoded by its API, ready to run. */
type DecodedRequest = (ctx: RequestContext) => Promise<ServedAnswer>;

/** A registered API with its types erased, as the TCP server sees it. */
interface ServedApi {
  readonly api: ApiInfo;
  /** Decodes a request body at `version` (throws ProtocolDecodeError on bad bytes). */
  decode(version: number, reader: Reader): DecodedRequest;
}

/** What the TCP server needs: the served APIs by key. */
export interface KafkaApis {
  has(apiKey: number): boolean;
  get(apiKey: number): ServedApi | undefined;
  /** The names of the APIs served. */
  apiNames(): string[];
}

export class KafkaApiRegistry implements KafkaApis {
  private readonly served = new Map<number, ServedApi>();

  /**
   * `authorization` gives each request its RequestAuthorization (none configured: all allowed);
   * `quotas` enforces client quotas (none: nothing is measured or throttled).
   */
  constructor(
    private readonly authorization: BrokerAuthorization = BrokerAuthorization.none,
    private readonly quotas: ClientQuotaManager | null = null,
  ) {}

  /** Serves `api` with `handler`; the request and response types are those of the API. */
  register<Req, ResIn>(
    api: Api<Req, never, unknown, ResIn>,
    handler: KafkaHandler<NoInfer<Req>, NoInfer<ResIn>>,
  ): void {
    assert(!this.served.has(api.key), `${api.name} (api key ${api.key}) registered twice`);
    this.served.set(api.key, {
      api,
      decode: (version, reader) => {
        const decodeStart = performance.now();
        const requestBytes = reader.buf.length;
        const request = api.decodeRequest(version, reader);
        const decodeMs = performance.now() - decodeStart;
        return async (ctx) => {
          if (!this.quotas) {
            const response = await handler(request, ctx, this.authorization.forRequest(ctx, api.name));
            return { chunks: response === null ? null : this.encode(api, ctx, response), throttle: null };
          }
          const quota = new RequestQuota(this.quotas, ctx.principal, ctx.header.clientId ?? '', requestBytes);
          const qctx: RequestContext = { ...ctx, quota };
          // Request time as the event loop spends it on this request: decoding, and the handler up to
          // its first wait (what it does after waiting is not counted; see docs/quotas.md).
          const started = performance.now();
          const pending = handler(request, qctx, this.authorization.forRequest(qctx, api.name));
          const requestMs = decodeMs + (performance.now() - started);
          const response = await pending;
          // Kafka exempts acks=0 produces (no answer) and inter-broker calls from the request quota.
          const { throttleMs } = quota.finish(requestMs, response !== null && !requestQuotaExempt.has(api.key));
          const throttle =
            throttleMs > 0 ? { throttleMs, clientThrottles: clientThrottles(api.key, ctx.header.apiVersion) } : null;
          if (response === null) return { chunks: null, throttle };
          const answered = throttleMs > 0 && hasThrottleField(api) ? withThrottleTime(response, throttleMs) : response;
          return { chunks: this.encode(api, ctx, answered), throttle };
        };
      },
    });
  }

  private encode<ResIn>(api: Api<unknown, never, unknown, ResIn>, ctx: RequestContext, response: ResIn): Buffer[] {
    return encodeResponseFrame(api, ctx.header.apiVersion, ctx.header.correlationId, response);
  }

  has(apiKey: number): boolean {
    return this.served.has(apiKey);
  }

  get(apiKey: number): ServedApi | undefined {
    return this.served.get(apiKey);
  }

  apiNames(): string[] {
    return [...this.served.values()].map((s) => s.api.name);
  }
}

/** Inter-broker (cluster action) APIs served on the Kafka listener: WriteTxnMarkers (key 27). */
const requestQuotaExempt: ReadonlySet<number> = new Set([27]);

/** Whether an API's response has a top-level throttle_time_ms. */
function hasThrottleField(
  api: ApiInfo & { readonly response: { readonly struct: { readonly fields: readonly { readonly name: string }[] } } },
): boolean {
  return api.response.struct.fields.some((f) => f.name === 'throttleTimeMs');
}

/** The response with its throttle_time_ms raised to `throttleMs` (a field the handler may have left out). */
function withThrottleTime<ResIn>(response: ResIn, throttleMs: number): ResIn {
  if (typeof response !== 'object' || response === null) return response;
  const current =
    'throttleTimeMs' in response && typeof response.throttleTimeMs === 'number' ? response.throttleTimeMs : 0;
  return { ...response, throttleTimeMs: Math.max(current, throttleMs) };
}

/** The broker id clients should send controller-bound admin requests to: a live broker (KRaft has no broker controller). */
export function clientVisibleControllerId(img: MetadataImage): number {
  const live = [...img.brokers.values()]
    .filter((b) => !b.fenced)
    .map((b) => b.id)
    .sort((a, b) => a - b);
  return live[0] ?? -1;
}
