// Incremental fetch sessions (KIP-227), the broker side: Kafka's FetchSessionCache and FetchManager
// semantics without I/O (time comes in as `nowMs`, ids from an injected random source). The Kafka
// Fetch handler (fetch-api.ts) and the leader side of raftka's replica fetch (replica-fetch-serve.ts)
// both ask `newContext` what to read for a request, read it, then hand the answers to `answer`,
// which creates the session (a full fetch), or leaves out what the fetcher already knows (an
// incremental one) and remembers what it was told.
//
// A session caches, per partition, what the fetcher wants (fetch offset, max bytes, epochs) and
// what it was last told (high watermark, last stable offset, log start offset). An incremental
// request names only partitions that changed (and forgotten ones); the answer names only
// partitions with records, an error, or a changed offset. Epochs: a full fetch (epoch 0) creates
// a session whose next epoch is 1; epoch -1 closes the named session and fetches without one.
//
// Eviction follows Kafka: with every slot taken, a new session may replace the least recently
// used one idle for over `min.incremental.fetch.session.eviction.ms`; failing that, the least
// valuable session of those it may evict (followers, "privileged", outrank consumers; then more
// partitions outrank fewer): a consumer evicts only sessions older than the eviction time, a
// follower also consumers' sessions of any age.
//
// Change tracking (replica fetch sessions, `trackChanges`): so that an idle incremental fetch costs
// what changed, not the session's size, the cache keeps which sessions hold each partition, and the
// leader reports every change of a partition (`partitionChanged`: an append, a high watermark or log
// start move, a role or ISR change). An incremental request of such a session is then served for the
// partitions it names, those changed since, and those left unsettled by the last answer (records,
// an error, a divergence, a fetcher behind the log end) instead of all of them; a fetch with nothing
// to serve parks on the session (`onChange`) rather than on each partition.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { ErrorCode } from '../common/errors.js';

/** Kafka's FetchMetadata constants. */
export const noSessionId = 0;
export const initialEpoch = 0;
export const finalEpoch = -1;

/** Kafka's defaults: max.incremental.fetch.session.cache.slots, min.incremental.fetch.session.eviction.ms. */
export const fetchSessionSlotsDefault = 1000;
export const fetchSessionEvictionMsDefault = 120_000;

/** A session's key for a partition: the topic's id (Fetch v13+ sessions) or name, and the partition. */
export function sessionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/** The epoch after `epoch` (Kafka wraps past int32 max to 1; -1 stays -1). */
export function nextEpoch(epoch: number): number {
  if (epoch < 0) return epoch;
  return epoch === 0x7fffffff ? 1 : epoch + 1;
}

/** What a fetcher asks of one partition (the request's fields a session remembers). */
export interface WantedPartition {
  /** Session key: the topic id (uuid sessions, Fetch v13+) or name, and the partition. */
  readonly key: string;
  /** The topic's name; undefined when a v13+ id names no topic this broker knows. */
  readonly topic: string | undefined;
  readonly topicId: string;
  readonly partition: number;
  readonly fetchOffset: number;
  readonly maxBytes: number;
  readonly currentLeaderEpoch: number;
  readonly lastFetchedEpoch: number;
  /** The fetcher's own log start offset (followers); -1 for consumers. */
  readonly logStartOffset: number;
}

/** A session's partition: what the fetcher wants, and what it was last told. */
export interface CachedPartition extends WantedPartition {
  highWatermark: number;
  lastStableOffset: number;
  leaderLogStartOffset: number;
}

/** The parts of a partition's answer that decide whether an incremental answer names it. */
export interface PartitionAnswerState {
  readonly errorCode: number;
  readonly highWatermark: number;
  /** -1 when the answer carries none (followers). */
  readonly lastStableOffset: number;
  readonly logStartOffset: number;
  readonly recordBytes: number;
  /** A diverging epoch, a new leader, a preferred read replica: always answered. */
  readonly mustAnswer?: boolean;
  /** The fetcher is behind the log end: a change-tracking session serves it again next time. */
  readonly behind?: boolean;
}

/** A change-tracking session's partitions to serve on its next fetch, and who waits for a change. */
export interface SessionChanges {
  /** Partitions the leader reported changed since they were last served. */
  readonly dirty: Set<string>;
  /** Partitions the last answer left unsettled: served again on the next fetch, without waking one. */
  readonly unsettled: Set<string>;
  /** Parked fetches of the session, woken by the next change. */
  readonly waiters: Set<() => void>;
}

export class FetchSession {
  /** Change tracking (replica sessions), or null: every fetch reads every partition. */
  changes: SessionChanges | null = null;
  /** The epoch the next incremental request must carry. */
  epoch = nextEpoch(initialEpoch);
  lastUsedMs: number;
  /** Partitions in fetch order: one that returned records moves to the end (fairness, as Kafka). */
  readonly partitions = new Map<string, CachedPartition>();

  constructor(
    readonly id: number,
    readonly privileged: boolean,
    readonly usesTopicIds: boolean,
    readonly creationMs: number,
  ) {
    this.lastUsedMs = creationMs;
  }

  /** Applies an incremental request: adds or updates what it names, drops what it forgets. */
  update(wanted: readonly WantedPartition[], forgotten: readonly string[]): void {
    for (const w of wanted) {
      const old = this.partitions.get(w.key);
      if (old) Object.assign(old, w);
      else this.partitions.set(w.key, { ...w, highWatermark: -1, lastStableOffset: -1, leaderLogStartOffset: -1 });
    }
    for (const key of forgotten) this.partitions.delete(key);
  }
}

/**
 * What to do with one Fetch request. `error`: answer only the top-level code. `sessionless`: read
 * the request's partitions, answer all of them, keep nothing. `full`: the same, then maybe create a
 * session. `incremental`: read every partition of the session, answer those with something new.
 */
export type FetchContext =
  | { readonly kind: 'error'; readonly errorCode: number }
  | { readonly kind: 'sessionless'; readonly partitions: readonly WantedPartition[] }
  | {
      readonly kind: 'full';
      readonly partitions: readonly WantedPartition[];
      readonly privileged: boolean;
      readonly usesTopicIds: boolean;
      readonly trackChanges: boolean;
    }
  | { readonly kind: 'incremental'; readonly partitions: readonly WantedPartition[]; readonly session: FetchSession };

export interface FetchRequestMetadata {
  readonly sessionId: number;
  readonly epoch: number;
  /** Fetch v13+ (topic ids); a session keeps the kind it was created with. */
  readonly usesTopicIds: boolean;
  /** A follower's fetch: its sessions outrank consumers' in eviction. */
  readonly privileged: boolean;
  readonly partitions: readonly WantedPartition[];
  /** Keys of the request's forgotten partitions (ForgottenTopicsData). */
  readonly forgotten: readonly string[];
  /**
   * The caller reports partition changes (`partitionChanged`, keyed as its wanted keys): a session
   * this request creates tracks them, and its incremental requests are served for what changed.
   */
  readonly trackChanges?: boolean;
}

export interface FetchSessionCacheOptions {
  /** max.incremental.fetch.session.cache.slots; 0 switches sessions off. */
  readonly slotsMax: number;
  /** min.incremental.fetch.session.eviction.ms. */
  readonly evictionMs: number;
  /** A random int32 source for session ids (default Math.random). */
  readonly randomInt?: () => number;
  /** Where the cache's gauges and counters go (absent: not exported). */
  readonly registry?: Registry;
}

/** Kafka's EvictableKey order without the id: consumers before followers, then fewer partitions. */
function worthLess(a: { privileged: boolean; size: number }, b: { privileged: boolean; size: number }): boolean {
  if (a.privileged !== b.privileged) return !a.privileged;
  return a.size < b.size;
}

const evictableKey = (s: FetchSession) => ({ privileged: s.privileged, size: s.partitions.size, id: s.id });

export class FetchSessionCache {
  /** Sessions by id; Map order is least recently used first (a touched session is re-inserted). */
  private readonly sessions = new Map<number, FetchSession>();
  /** Change-tracking sessions by the partition keys they hold. */
  private readonly watchers = new Map<string, Set<FetchSession>>();
  private evictionsCount = 0;
  private readonly evictions: Counter | null;

  constructor(private readonly options: FetchSessionCacheOptions) {
    const registry = options.registry;
    this.evictions = registry
      ? new Counter({
          name: 'raftka_fetch_session_evictions_total',
          help: 'Fetch sessions evicted to make room for new ones (Kafka: IncrementalFetchSessionEvictionsPerSec)',
          registers: [registry],
        })
      : null;
    if (!registry) return;
    // Read at scrape time: the sizes change on every request, keeping gauges current would cost more.
    const cache = this;
    new Gauge({
      name: 'raftka_fetch_session_cache_size',
      help: 'Incremental fetch sessions cached (Kafka: NumIncrementalFetchSessions)',
      registers: [registry],
      collect() {
        this.set(cache.size);
      },
    });
    new Gauge({
      name: 'raftka_fetch_session_cache_partitions',
      help: 'Partitions in all cached fetch sessions (Kafka: NumIncrementalFetchPartitionsCached)',
      registers: [registry],
      collect() {
        this.set(cache.partitionsCount);
      },
    });
  }

  get enabled(): boolean {
    return this.options.slotsMax > 0;
  }

  /** Sessions cached. */
  get size(): number {
    return this.sessions.size;
  }

  /** Partitions in all cached sessions. */
  get partitionsCount(): number {
    let n = 0;
    for (const s of this.sessions.values()) n += s.partitions.size;
    return n;
  }

  /** Sessions evicted so far. */
  get evictionsTotal(): number {
    return this.evictionsCount;
  }

  get(id: number): FetchSession | undefined {
    return this.sessions.get(id);
  }

  remove(id: number): boolean {
    const session = this.sessions.get(id);
    if (session) this.drop(session);
    return session !== undefined;
  }

  /** A partition's state changed (change-tracking sessions holding `key` serve it on their next fetch). */
  partitionChanged(key: string): void {
    const holders = this.watchers.get(key);
    if (!holders) return;
    for (const s of holders) {
      const changes = s.changes!;
      changes.dirty.add(key);
      for (const w of [...changes.waiters]) w();
    }
  }

  /**
   * Calls `wake` at the next change of a partition of `session` (at once if one is waiting to be
   * served); returns how to stop waiting. A session dropped from the cache wakes its waiters too.
   */
  onChange(session: FetchSession, wake: () => void): () => void {
    const changes = session.changes;
    if (!changes || changes.dirty.size > 0 || this.sessions.get(session.id) !== session) {
      wake();
      return () => {};
    }
    changes.waiters.add(wake);
    return () => changes.waiters.delete(wake);
  }

  /**
   * Whether `session` is cached and holds partition `key`: its fetches then stand for fetches of
   * that partition at the offset last named (the leader's idle-follower bookkeeping).
   */
  covers(session: FetchSession, key: string): boolean {
    return this.sessions.get(session.id) === session && session.partitions.has(key);
  }

  /** Kafka's FetchManager.newContext: decides how to serve a request, updating the named session. */
  newContext(req: FetchRequestMetadata, nowMs: number): FetchContext {
    const isFull = req.epoch === initialEpoch || req.epoch === finalEpoch;
    if (isFull) {
      // Any session named by a full fetch is closed.
      if (req.sessionId !== noSessionId) this.remove(req.sessionId);
      if (req.epoch === finalEpoch || !this.enabled) return { kind: 'sessionless', partitions: req.partitions };
      return {
        kind: 'full',
        partitions: req.partitions,
        privileged: req.privileged,
        usesTopicIds: req.usesTopicIds,
        trackChanges: req.trackChanges === true,
      };
    }
    const session = this.sessions.get(req.sessionId);
    if (!session) return { kind: 'error', errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND };
    if (session.epoch !== req.epoch) return { kind: 'error', errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH };
    if (session.usesTopicIds !== req.usesTopicIds)
      return { kind: 'error', errorCode: ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR };
    if (session.changes) {
      for (const w of req.partitions) if (!session.partitions.has(w.key)) this.watch(w.key, session);
      for (const key of req.forgotten) if (session.partitions.has(key)) this.unwatch(key, session);
    }
    session.update(req.partitions, req.forgotten);
    if (session.partitions.size === 0) {
      // Nothing left to fetch: the session ends (the answer says "no session").
      this.drop(session);
      return { kind: 'sessionless', partitions: req.partitions };
    }
    this.touch(session, nowMs);
    session.epoch = nextEpoch(session.epoch);
    if (!session.changes) return { kind: 'incremental', partitions: [...session.partitions.values()], session };
    return { kind: 'incremental', partitions: this.takeChanged(session, req.partitions), session };
  }

  /**
   * The partitions of a change-tracking session to serve now (those named, changed or unsettled);
   * what they leave out has nothing new for the fetcher. Also called while a fetch waits, for
   * what changed meanwhile (`named` empty).
   */
  takeChanged(session: FetchSession, named: readonly WantedPartition[]): CachedPartition[] {
    const changes = session.changes;
    if (!changes) return [...session.partitions.values()];
    const out: CachedPartition[] = [];
    const add = (key: string): void => {
      const cached = session.partitions.get(key);
      if (cached && !seen.has(key)) {
        seen.add(key);
        out.push(cached);
      }
    };
    const seen = new Set<string>();
    for (const w of named) add(w.key);
    for (const key of changes.dirty) add(key);
    for (const key of changes.unsettled) add(key);
    changes.dirty.clear();
    changes.unsettled.clear();
    return out;
  }

  /**
   * After the partitions of `ctx` were read: which answers to send (indexes into `answers`, which
   * follow `ctx.partitions`) and the session id to answer. A full fetch creates a session here when
   * a slot is free or can be freed; an incremental one keeps only what is new for the fetcher.
   */
  answer(
    ctx: FetchContext,
    answers: readonly PartitionAnswerState[],
    nowMs: number,
  ): { sessionId: number; keep: (i: number) => boolean } {
    const all = { keep: () => true };
    if (ctx.kind === 'error' || ctx.kind === 'sessionless') return { sessionId: noSessionId, ...all };
    if (ctx.kind === 'full') {
      const session = this.maybeCreateSession(ctx, nowMs);
      if (!session) return { sessionId: noSessionId, ...all };
      if (ctx.trackChanges) session.changes = { dirty: new Set(), unsettled: new Set(), waiters: new Set() };
      ctx.partitions.forEach((w, i) => {
        const cached = { ...w, highWatermark: -1, lastStableOffset: -1, leaderLogStartOffset: -1 };
        const a = answers[i];
        if (a) remember(cached, a);
        session.partitions.set(w.key, cached);
        if (session.changes) {
          this.watch(w.key, session);
          if (a && unsettled(a)) session.changes.unsettled.add(w.key);
        }
      });
      return { sessionId: session.id, ...all };
    }
    const session = ctx.session;
    const kept = ctx.partitions.map((w, i) => {
      const cached = session.partitions.get(w.key);
      const a = answers[i];
      if (!cached || !a) return false;
      if (session.changes && unsettled(a)) session.changes.unsettled.add(w.key);
      const changed = remember(cached, a);
      if (a.recordBytes > 0) {
        session.partitions.delete(w.key);
        session.partitions.set(w.key, cached);
      }
      return changed;
    });
    return { sessionId: session.id, keep: (i) => kept[i] === true };
  }

  /** A new session for a full fetch, or null when the cache has no room for it. */
  private maybeCreateSession(
    ctx: { privileged: boolean; usesTopicIds: boolean; partitions: readonly WantedPartition[] },
    nowMs: number,
  ): FetchSession | null {
    if (!this.enabled) return null;
    const size = ctx.partitions.length;
    if (this.sessions.size >= this.options.slotsMax && !this.tryEvict(ctx.privileged, size, nowMs)) return null;
    const session = new FetchSession(this.newSessionId(), ctx.privileged, ctx.usesTopicIds, nowMs);
    this.sessions.set(session.id, session);
    return session;
  }

  /** Kafka's FetchSessionCache.tryEvict. */
  private tryEvict(privileged: boolean, size: number, nowMs: number): boolean {
    const oldest = this.sessions.values().next().value;
    if (!oldest) return false;
    if (nowMs - oldest.lastUsedMs > this.options.evictionMs) return this.evict(oldest);
    // No stale session: the least valuable one this request may evict, if it is worth less than
    // the new one (Kafka's key order puts the new session, id 0, first among equals: they stay).
    let victim: { privileged: boolean; size: number; id: number } | null = null;
    for (const s of this.sessions.values()) {
      const old = nowMs - s.creationMs > this.options.evictionMs;
      if (!(privileged ? !s.privileged || old : old)) continue;
      const key = evictableKey(s);
      if (victim === null || worthLess(key, victim) || (!worthLess(victim, key) && key.id < victim.id)) victim = key;
    }
    if (victim === null || !worthLess(victim, { privileged, size })) return false;
    const session = this.sessions.get(victim.id);
    return session ? this.evict(session) : false;
  }

  private evict(session: FetchSession): boolean {
    this.drop(session);
    this.evictionsCount++;
    this.evictions?.inc();
    return true;
  }

  /** Takes a session out of the cache (and out of the change index), waking its parked fetches. */
  private drop(session: FetchSession): void {
    this.sessions.delete(session.id);
    const changes = session.changes;
    if (!changes) return;
    for (const key of session.partitions.keys()) this.unwatch(key, session);
    for (const w of [...changes.waiters]) w();
  }

  private watch(key: string, session: FetchSession): void {
    const holders = this.watchers.get(key);
    if (holders) holders.add(session);
    else this.watchers.set(key, new Set([session]));
  }

  private unwatch(key: string, session: FetchSession): void {
    const holders = this.watchers.get(key);
    holders?.delete(session);
    if (holders?.size === 0) this.watchers.delete(key);
  }

  private touch(session: FetchSession, nowMs: number): void {
    session.lastUsedMs = nowMs;
    this.sessions.delete(session.id);
    this.sessions.set(session.id, session);
  }

  private newSessionId(): number {
    const random = this.options.randomInt ?? (() => Math.floor(Math.random() * 0x7fffffff));
    for (;;) {
      const id = random() & 0x7fffffff;
      if (id !== noSessionId && !this.sessions.has(id)) return id;
    }
  }
}

/**
 * Kafka's CachedPartition.maybeUpdateResponseData: records what the fetcher is told and whether
 * an incremental answer must name the partition (records, an error, a moved offset, a new leader).
 */
function remember(cached: CachedPartition, a: PartitionAnswerState): boolean {
  let mustAnswer = a.recordBytes > 0 || a.mustAnswer === true;
  if (cached.highWatermark !== a.highWatermark) {
    mustAnswer = true;
    cached.highWatermark = a.highWatermark;
  }
  if (cached.leaderLogStartOffset !== a.logStartOffset) {
    mustAnswer = true;
    cached.leaderLogStartOffset = a.logStartOffset;
  }
  if (a.lastStableOffset !== -1 && cached.lastStableOffset !== a.lastStableOffset) {
    mustAnswer = true;
    cached.lastStableOffset = a.lastStableOffset;
  }
  if (a.errorCode !== ErrorCode.NONE) {
    // Answered every time; when the error goes away, the partition is answered again.
    mustAnswer = true;
    cached.highWatermark = -1;
  }
  return mustAnswer;
}

/** An answer a change-tracking session serves again on the next fetch even if nothing changes. */
function unsettled(a: PartitionAnswerState): boolean {
  return a.recordBytes > 0 || a.errorCode !== ErrorCode.NONE || a.mustAnswer === true || a.behind === true;
}

/** Partitions named in each Fetch request, by fetcher and request kind (how much sessions save). */
export class FetchRequestMetrics {
  private readonly partitions: Histogram<'fetcher' | 'kind'>;

  constructor(registry: Registry) {
    this.partitions = new Histogram({
      name: 'raftka_fetch_request_partitions',
      help: 'Partitions named in a Fetch request, by fetcher (consumer, follower) and kind (full, incremental, sessionless, error)',
      labelNames: ['fetcher', 'kind'],
      buckets: [0, 1, 10, 100, 1000, 10000],
      registers: [registry],
    });
  }

  observe(fetcher: 'consumer' | 'follower', kind: FetchContext['kind'], partitions: number): void {
    this.partitions.observe({ fetcher, kind }, partitions);
  }
}
