// The pure core of client quotas (Kafka's ClientQuotaManager, KIP-13/KIP-55/KIP-124/KIP-219):
// the windowed rate Kafka measures quotas with (Rate over a WindowedSum of `quota.window.num`
// samples of `quota.window.size.seconds`), the precedence of the eight user / client-id entity
// combinations, the throttle time that brings an observed rate back to its quota, and the first
// version of each API whose clients throttle themselves (KIP-219). No clock, no I/O: time comes in
// as milliseconds. Used by client-quotas.ts (the broker's quota manager) and its unit tests.

/** Kafka's MetricConfig for quotas: `samples` windows of `windowMs` each. */
export interface RateWindowConfig {
  readonly samples: number;
  readonly windowMs: number;
}

interface Sample {
  value: number;
  startMs: number;
  lastEventMs: number;
}

/**
 * Kafka's Rate(WindowedSum): values recorded into rolling samples; the rate is the sum of live
 * samples divided by the elapsed window, which counts at least `samples - 1` full windows so a
 * fresh sensor does not report a huge rate from its first second.
 */
export class RateWindow {
  /** One more slot than `samples`: the sample overlapping the start of the window is kept. */
  private readonly slots: Sample[] = [];
  private current = 0;

  constructor(private readonly config: RateWindowConfig) {}

  record(value: number, nowMs: number): void {
    let sample = this.currentSample(nowMs);
    if (nowMs - sample.startMs >= this.config.windowMs) sample = this.advance(nowMs);
    sample.value += value;
    sample.lastEventMs = nowMs;
  }

  /** The rate per second at `nowMs`. */
  measure(nowMs: number): number {
    const windowMs = this.windowSizeMs(nowMs);
    return (this.total() / windowMs) * 1000;
  }

  /** The elapsed time the rate divides by (Kafka's Rate.windowSize), after purging old samples. */
  windowSizeMs(nowMs: number): number {
    this.purge(nowMs);
    let elapsed = nowMs - this.oldest(nowMs).startMs;
    const fullWindows = Math.floor(elapsed / this.config.windowMs);
    const minFull = this.config.samples - 1;
    if (fullWindows < minFull) elapsed += (minFull - fullWindows) * this.config.windowMs;
    return Math.max(elapsed, 1);
  }

  /** The last time anything was recorded (ms), for expiring idle windows. */
  lastRecordMs(): number {
    return this.slots.reduce((m, s) => Math.max(m, s.lastEventMs), Number.NEGATIVE_INFINITY);
  }

  private total(): number {
    let sum = 0;
    for (const s of this.slots) sum += s.value;
    return sum;
  }

  private currentSample(nowMs: number): Sample {
    if (this.slots.length === 0) this.slots.push({ value: 0, startMs: nowMs, lastEventMs: nowMs });
    return this.slots[this.current]!;
  }

  private advance(nowMs: number): Sample {
    this.current = (this.current + 1) % (this.config.samples + 1);
    if (this.current >= this.slots.length) {
      const s = { value: 0, startMs: nowMs, lastEventMs: nowMs };
      this.slots.push(s);
      return s;
    }
    const s = this.slots[this.current]!;
    reset(s, nowMs);
    return s;
  }

  private oldest(nowMs: number): Sample {
    if (this.slots.length === 0) this.slots.push({ value: 0, startMs: nowMs, lastEventMs: nowMs });
    let oldest = this.slots[0]!;
    for (const s of this.slots) if (s.startMs < oldest.startMs) oldest = s;
    return oldest;
  }

  /** Samples with no event within the whole window are reset (they no longer count). */
  private purge(nowMs: number): void {
    const expireAgeMs = this.config.samples * this.config.windowMs;
    for (const s of this.slots) if (nowMs - s.lastEventMs >= expireAgeMs) reset(s, nowMs);
  }
}

function reset(s: Sample, nowMs: number): void {
  s.value = 0;
  s.startMs = nowMs;
  s.lastEventMs = nowMs;
}

/**
 * Kafka's QuotaUtils.throttleTime: the delay X that brings an observed rate O back to the quota T
 * over a window W, from O·W / (W + X) = T, so X = (O − T) / T · W. Rounded to whole milliseconds.
 */
export function throttleTimeMs(observed: number, bound: number, windowMs: number): number {
  if (observed <= bound) return 0;
  return Math.round(((observed - bound) / bound) * windowMs);
}

/**
 * A quota entity of the user / client-id family: each part absent (undefined), the default entity
 * (null) or named.
 */
export interface UserClientEntity {
  readonly user?: string | null;
  readonly clientId?: string | null;
}

/** Where a request's quota comes from, and which requests share its rate (Kafka's metric tags). */
export interface ResolvedQuota {
  /** The quota's value (bytes per second, or percent of one thread for request_percentage). */
  readonly bound: number;
  /** Requests with the same tags are measured together ('' = not part of the key). */
  readonly userTag: string;
  readonly clientTag: string;
  /** The entity the value came from, in Kafka's /config/... words (for logs and tests). */
  readonly source: string;
}

/**
 * Kafka's precedence of quota entities for one quota key, most specific first:
 * /users/<u>/clients/<c> > /users/<u>/clients/<default> > /users/<u> > /users/<default>/clients/<c> >
 * /users/<default>/clients/<default> > /users/<default> > /clients/<c> > /clients/<default>.
 * `quotaOf` answers the key's value for an entity, or undefined. Null when no entity has one.
 */
export function resolveQuota(
  quotaOf: (entity: UserClientEntity) => number | undefined,
  user: string,
  clientId: string,
): ResolvedQuota | null {
  const levels: readonly [UserClientEntity, string, string, string][] = [
    [{ user, clientId }, user, clientId, `/config/users/${user}/clients/${clientId}`],
    [{ user, clientId: null }, user, clientId, `/config/users/${user}/clients/<default>`],
    [{ user }, user, '', `/config/users/${user}`],
    [{ user: null, clientId }, user, clientId, `/config/users/<default>/clients/${clientId}`],
    [{ user: null, clientId: null }, user, clientId, '/config/users/<default>/clients/<default>'],
    [{ user: null }, user, '', '/config/users/<default>'],
    [{ clientId }, '', clientId, `/config/clients/${clientId}`],
    [{ clientId: null }, '', clientId, '/config/clients/<default>'],
  ];
  for (const [entity, userTag, clientTag, source] of levels) {
    const bound = quotaOf(entity);
    if (bound !== undefined) return { bound, userTag, clientTag, source };
  }
  return null;
}

/** The key of an entity in an index of quota values (see quotaEntityId). */
export function userClientEntityId(entity: UserClientEntity): string {
  const part = (v: string | null | undefined): string => (v === undefined ? '-' : v === null ? '<default>' : `=${v}`);
  return `u${part(entity.user)}\u0000c${part(entity.clientId)}`;
}

/** The user name quotas are keyed by: the principal without its type (`User:alice` → `alice`). */
export function quotaUserName(principal: string): string {
  const colon = principal.indexOf(':');
  return colon < 0 ? principal : principal.slice(colon + 1);
}

/**
 * KIP-219: from these versions on, a client throttles itself after an answer with a throttle time,
 * so the broker answers at once and then stops reading from the connection; older clients do not,
 * so their answer is held back for the throttle time instead. Versions from Kafka's
 * AbstractResponse.shouldClientThrottle (0 = every version).
 */
const clientThrottleFromVersion: ReadonlyMap<number, number> = new Map([
  [0, 6], // Produce
  [1, 8], // Fetch
  [2, 3], // ListOffsets
  [3, 6], // Metadata
  [8, 4], // OffsetCommit
  [9, 4], // OffsetFetch
  [10, 2], // FindCoordinator
  [11, 3], // JoinGroup
  [12, 2], // Heartbeat
  [13, 2], // LeaveGroup
  [14, 2], // SyncGroup
  [15, 2], // DescribeGroups
  [16, 2], // ListGroups
  [18, 2], // ApiVersions
  [19, 3], // CreateTopics
  [20, 2], // DeleteTopics
  [21, 1], // DeleteRecords
  [22, 1], // InitProducerId
  [24, 1], // AddPartitionsToTxn
  [25, 1], // AddOffsetsToTxn
  [26, 1], // EndTxn
  [28, 1], // TxnOffsetCommit
  [29, 1], // DescribeAcls
  [30, 1], // CreateAcls
  [31, 1], // DeleteAcls
  [32, 2], // DescribeConfigs
  [33, 1], // AlterConfigs
  [35, 1], // DescribeLogDirs
  [37, 1], // CreatePartitions
  [42, 1], // DeleteGroups
  [44, 0], // IncrementalAlterConfigs
  [45, 0], // AlterPartitionReassignments
  [46, 0], // ListPartitionReassignments
  [47, 0], // OffsetDelete
]);

/** Whether a client sending `apiKey` at `apiVersion` throttles itself (KIP-219). */
export function clientThrottles(apiKey: number, apiVersion: number): boolean {
  const from = clientThrottleFromVersion.get(apiKey);
  // APIs Kafka's AbstractResponse leaves at its default (false): the broker still mutes the
  // channel after answering; holding their answers back as well would gain nothing.
  return from === undefined || apiVersion >= from;
}
