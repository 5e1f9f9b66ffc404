// The broker's client quotas (Kafka's ClientQuotaManager and ClientRequestQuotaManager): one
// windowed rate per quota type and per (user, client-id) key that Kafka's precedence picks, checked
// against the quota value in the current metadata image, so a committed quota change applies to
// the next request. Produce bytes, fetch bytes and request time (percent of one thread) are
// recorded after a request is handled; a rate over its quota gives a throttle time. Kafka's
// metrics: the throttle time per quota type, and each key's rate while it is measured.
// Who calls: api-context.ts (KafkaApiRegistry: request time, throttle into answers), the Produce
// and Fetch handlers (kafka-apis.ts, through RequestQuota); built by src/server/broker-role.ts.
//
// Invariants: quotas absent from the image cost one map lookup per request and record nothing;
// at most `quotaSensorsMax` rates are kept, idle ones expire after `quotaSensorIdleMs`.
import { Gauge, Histogram, type Registry } from 'prom-client';
import { quotaEntityKey, type MetadataImage } from '../../metadata/image.js';
import type { QuotaEntity } from '../../metadata/records.js';
import {
  quotaUserName,
  RateWindow,
  resolveQuota,
  throttleTimeMs,
  type RateWindowConfig,
  type ResolvedQuota,
  type UserClientEntity,
} from './quota-math.js';

export type QuotaType = 'produce' | 'fetch' | 'request';

/** The quota key (ClientQuotaRecord key) each quota type reads. */
const quotaKeyOf: Readonly<Record<QuotaType, string>> = {
  produce: 'producer_byte_rate',
  fetch: 'consumer_byte_rate',
  request: 'request_percentage',
};

/** Kafka's InactiveSensorExpirationTimeSeconds: a key's rate is dropped after an hour unused. */
const quotaSensorIdleMs = 3_600_000;
/** Bound on rates kept at once (one per quota type and key); beyond it the least recently made goes. */
const quotaSensorsMax = 50_000;
/** How often idle rates are swept. */
const sweepIntervalMs = 60_000;

interface Sensor {
  readonly type: QuotaType;
  readonly userTag: string;
  readonly clientTag: string;
  readonly rate: RateWindow;
}

export interface ClientQuotaOptions {
  /** quota.window.num (11) and quota.window.size.seconds (1), as one window config. */
  readonly window: RateWindowConfig;
  readonly image: () => MetadataImage | null;
  readonly registry?: Registry;
  /** Milliseconds (Date.now by default; tests pass their own). */
  readonly now?: () => number;
}

export class ClientQuotaManager {
  private readonly sensors = new Map<string, Sensor>();
  private readonly now: () => number;
  private lastSweepMs = 0;
  private readonly throttleTime: Histogram<'quota_type'> | null = null;

  constructor(private readonly options: ClientQuotaOptions) {
    this.now = options.now ?? Date.now;
    const registry = options.registry;
    if (!registry) return;
    this.throttleTime = new Histogram({
      name: 'raftka_quota_throttle_time_seconds',
      help: 'Throttle time given to throttled requests, by the quota that throttled them (Kafka: throttle-time per quota type)',
      labelNames: ['quota_type'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    const gauge = (type: QuotaType, name: string, help: string): void => {
      new Gauge({
        name,
        help,
        labelNames: ['user', 'client_id'],
        registers: [registry],
        collect: () => {
          const g = registry.getSingleMetric(name) as Gauge<'user' | 'client_id'> | undefined;
          if (!g) return;
          g.reset();
          const nowMs = this.now();
          for (const s of this.sensors.values())
            if (s.type === type) g.set({ user: s.userTag, client_id: s.clientTag }, s.rate.measure(nowMs));
        },
      });
    };
    gauge(
      'produce',
      'raftka_quota_produce_byte_rate',
      'Produce bytes per second of each quota key (Kafka: kafka.server:type=Produce,user=,client-id= byte-rate)',
    );
    gauge(
      'fetch',
      'raftka_quota_fetch_byte_rate',
      'Fetch bytes per second of each quota key (Kafka: kafka.server:type=Fetch,user=,client-id= byte-rate)',
    );
    gauge(
      'request',
      'raftka_quota_request_time_percentage',
      'Request handling time, percent of one thread, of each quota key (Kafka: kafka.server:type=Request request-time)',
    );
  }

  /** The quota for `type` that applies to a principal and client id, or null when none does. */
  quotaFor(type: QuotaType, principal: string, clientId: string): ResolvedQuota | null {
    const image = this.options.image();
    if (!image || image.quotas.size === 0) return null;
    const key = quotaKeyOf[type];
    const quotaOf = (e: UserClientEntity): number | undefined => {
      const entity: QuotaEntity[] = [];
      if (e.user !== undefined) entity.push({ entityType: 'user', entityName: e.user });
      if (e.clientId !== undefined) entity.push({ entityType: 'client-id', entityName: e.clientId });
      return image.quotas.get(quotaEntityKey(entity))?.values.get(key);
    };
    return resolveQuota(quotaOf, quotaUserName(principal), clientId);
  }

  /**
   * Records `value` (bytes, or percent of one thread) for the request's key and answers the
   * throttle time in ms (0 when within quota or when no quota applies). The request quota's
   * throttle is bounded by one window, as Kafka bounds it.
   */
  record(type: QuotaType, principal: string, clientId: string, value: number): number {
    const q = this.quotaFor(type, principal, clientId);
    if (!q) return 0;
    const nowMs = this.now();
    const sensor = this.sensor(type, q, nowMs);
    sensor.rate.record(value, nowMs);
    const observed = sensor.rate.measure(nowMs);
    if (observed <= q.bound) return 0;
    const t = throttleTimeMs(observed, q.bound, sensor.rate.windowSizeMs(nowMs));
    return type === 'request' ? Math.min(t, this.options.window.windowMs) : t;
  }

  /** Takes back a recorded value (Kafka unrecords a throttled fetch's bytes: its answer is empty). */
  unrecord(type: QuotaType, principal: string, clientId: string, value: number): void {
    const q = this.quotaFor(type, principal, clientId);
    if (!q) return;
    const nowMs = this.now();
    this.sensor(type, q, nowMs).rate.record(-value, nowMs);
  }

  /**
   * The most a key may take in one quota window without being throttled (Kafka caps a consumer's
   * fetch size to it, so a fetch never needs more than one window's worth): Infinity without quota.
   */
  maxValueInWindow(type: QuotaType, principal: string, clientId: string): number {
    const q = this.quotaFor(type, principal, clientId);
    if (!q) return Number.POSITIVE_INFINITY;
    const w = this.options.window;
    return q.bound * (w.samples - 1) * (w.windowMs / 1000);
  }

  /** A request was throttled `ms` by `type`'s quota (the larger of its throttles). */
  throttled(type: QuotaType, ms: number): void {
    this.throttleTime?.observe({ quota_type: type }, ms / 1000);
  }

  private sensor(type: QuotaType, q: ResolvedQuota, nowMs: number): Sensor {
    const id = `${type}\u0000${q.userTag}\u0000${q.clientTag}`;
    const found = this.sensors.get(id);
    if (found) return found;
    this.maybeSweep(nowMs);
    if (this.sensors.size >= quotaSensorsMax) {
      const oldest = this.sensors.keys().next();
      if (!oldest.done) this.sensors.delete(oldest.value);
    }
    const made: Sensor = {
      type,
      userTag: q.userTag,
      clientTag: q.clientTag,
      rate: new RateWindow(this.options.window),
    };
    this.sensors.set(id, made);
    return made;
  }

  private maybeSweep(nowMs: number): void {
    if (nowMs - this.lastSweepMs < sweepIntervalMs) return;
    this.lastSweepMs = nowMs;
    for (const [id, s] of this.sensors) if (nowMs - s.rate.lastRecordMs() > quotaSensorIdleMs) this.sensors.delete(id);
  }
}

/**
 * One request's view of the quotas, made by the registry (api-context.ts) and handed to its
 * handler: Produce records its request bytes, Fetch asks how much it may read and records what it
 * read. The registry then adds the request-time quota and answers with the larger throttle.
 */
export class RequestQuota {
  /** The bandwidth quota's throttle (produce or fetch), and which quota gave it. */
  bandwidthThrottleMs = 0;
  bandwidthType: QuotaType | null = null;

  constructor(
    private readonly manager: ClientQuotaManager,
    readonly principal: string,
    readonly clientId: string,
    /** The size of the request frame (Kafka records a produce request's whole size). */
    readonly requestBytes: number,
  ) {}

  /** Produce: records the request's bytes against producer_byte_rate. */
  recordProduce(): number {
    const t = this.manager.record('produce', this.principal, this.clientId, this.requestBytes);
    this.noteBandwidth('produce', t);
    return t;
  }

  /** Fetch: the most bytes this consumer may be sent at once (a quota window's worth). */
  fetchBytesMax(): number {
    return this.manager.maxValueInWindow('fetch', this.principal, this.clientId);
  }

  /**
   * Fetch: records `bytes` against consumer_byte_rate. A positive answer means the fetch is over
   * quota: its bytes are taken back and the answer must be sent empty, as Kafka does.
   */
  recordFetch(bytes: number): number {
    const t = this.manager.record('fetch', this.principal, this.clientId, bytes);
    if (t > 0) this.manager.unrecord('fetch', this.principal, this.clientId, bytes);
    this.noteBandwidth('fetch', t);
    return t;
  }

  /** The request-time quota for `ms` of handling; then the larger throttle and its quota type. */
  finish(requestMs: number, recordRequestTime: boolean): { throttleMs: number; type: QuotaType | null } {
    // Kafka: nanos × 100 / 1e9 per second of window, i.e. percent of one thread.
    const requestThrottle = recordRequestTime
      ? this.manager.record('request', this.principal, this.clientId, (requestMs * 100) / 1000)
      : 0;
    const throttleMs = Math.max(this.bandwidthThrottleMs, requestThrottle);
    const type = throttleMs === 0 ? null : this.bandwidthThrottleMs > requestThrottle ? this.bandwidthType : 'request';
    if (type) this.manager.throttled(type, throttleMs);
    return { throttleMs, type };
  }

  private noteBandwidth(type: QuotaType, t: number): void {
    if (t > this.bandwidthThrottleMs) {
      this.bandwidthThrottleMs = t;
      this.bandwidthType = type;
    }
  }
}
