// The leader side of a follower's fetch (rpc/replica-wire.ts, over TCP on the REPLICATION
// listener), called for each request of a replica connection (server/replica-service.ts). The
// fetch session cache (fetch-session.ts), shared with the Kafka Fetch handler, says which
// partitions the request covers: its own (a full fetch) or every partition of the follower's
// session (an incremental one, which names only what changed).
// Each is served by the ReplicaManager; when none has anything new the call long-polls (up to
// max_wait_ms) until an append, a high-watermark move or an image change. An incremental answer
// names only partitions with records, an error, a divergence or a moved high watermark / log start.
//
// Follower sessions track changes (fetch-session.ts; the ReplicaManager reports each partition
// change to the cache, wired in server/broker-role.ts): an incremental fetch serves only what it
// names, what changed since and what the last answer left unsettled, and with nothing to serve it
// parks on the session, so an idle follower's fetch costs the leader what changed, not the
// session's size. A partition a fetch leaves out is still fetched by it, at the offset last named:
// the session is its follower's witness (partition.ts), which keeps an idle follower in the ISR.
// Session keys are the ReplicaManager's partition keys (`partitionKey`).
import type { FetchedPartition, ReplicaFetchRequest, ReplicaFetchResponse } from '../rpc/replica-wire.js';
import { partitionKey } from '../protocol/topic-partition.js';
import type { ReplicaManager } from './replica-manager.js';
import {
  type FetchContext,
  type FetchRequestMetrics,
  type FetchSession,
  FetchSessionCache,
  type PartitionAnswerState,
  type WantedPartition,
} from './fetch-session.js';
import type { FetchWitness } from './partition.js';

/** Whatever a follower asks, one long-poll waits at most this long. */
const replicaWaitMaxMs = 5_000;
const noRecords = Buffer.alloc(0);

/** A partition's answer, and whether the follower is behind the log end (served again next time). */
type Served = FetchedPartition & { readonly behind: boolean };
/** A broker built without a session cache serves every replica fetch without a session. */
const sessionsOff = new FetchSessionCache({ slotsMax: 0, evictionMs: 0 });

export async function serveReplicaFetch(
  replicas: ReplicaManager,
  w: ReplicaFetchRequest,
  signal: AbortSignal,
  sessions: FetchSessionCache = sessionsOff,
  metrics?: FetchRequestMetrics,
): Promise<ReplicaFetchResponse> {
  const wanted: WantedPartition[] = w.partitions.map((p) => ({
    key: partitionKey(p.topic, p.partition),
    topic: p.topic,
    topicId: '',
    partition: p.partition,
    fetchOffset: p.fetchOffset,
    maxBytes: 0,
    currentLeaderEpoch: p.currentLeaderEpoch,
    lastFetchedEpoch: p.lastFetchedEpoch,
    logStartOffset: -1,
  }));
  const ctx: FetchContext = sessions.newContext(
    {
      sessionId: w.sessionId,
      epoch: w.sessionEpoch,
      usesTopicIds: false,
      privileged: true,
      partitions: wanted,
      forgotten: w.forgotten.map((f) => partitionKey(f.topic, f.partition)),
      trackChanges: true,
    },
    Date.now(),
  );
  metrics?.observe('follower', ctx.kind, wanted.length + w.forgotten.length);
  if (ctx.kind === 'error') return { errorCode: ctx.errorCode, partitions: [], sessionId: 0 };
  const server = new Server(replicas, w);
  if (ctx.kind === 'incremental' && ctx.session.changes)
    return serveChanged(server, sessions, ctx.session, ctx.partitions, signal);
  // A full fetch serves every partition it names; the session it creates (if any) is the witness.
  const created: { session: FetchSession | null } = { session: null };
  const parts = ctx.partitions;
  const keys = parts.map((p) => p.key);
  for (;;) {
    server.newRound();
    const out = parts.map((f) => server.serve(f, witness(sessions, created, f.key)));
    if (server.interesting || server.remaining() <= 0 || signal.aborted) {
      const { sessionId, keep } = sessions.answer(ctx, out.map(answerState), Date.now());
      created.session = sessions.get(sessionId) ?? null;
      return { errorCode: 0, partitions: out.filter((_, i) => keep(i)), sessionId };
    }
    await replicas.waitForData(keys, server.remaining(), signal);
  }
}

/**
 * An incremental fetch of a change-tracking session: serves `first` (named, changed, unsettled),
 * then, until something is worth answering or the wait is over, what changes meanwhile.
 */
async function serveChanged(
  server: Server,
  sessions: FetchSessionCache,
  session: FetchSession,
  first: readonly WantedPartition[],
  signal: AbortSignal,
): Promise<ReplicaFetchResponse> {
  const served = new Map<string, { w: WantedPartition; out: Served }>();
  let batch = first;
  for (;;) {
    for (const f of batch) served.set(f.key, { w: f, out: server.serve(f, witness(sessions, { session }, f.key)) });
    if (server.interesting || server.remaining() <= 0 || signal.aborted) break;
    await parkOnSession(sessions, session, server.remaining(), signal);
    batch = sessions.takeChanged(session, []);
  }
  const all = [...served.values()];
  const ctx: FetchContext = { kind: 'incremental', partitions: all.map((x) => x.w), session };
  const { sessionId, keep } = sessions.answer(
    ctx,
    all.map((x) => answerState(x.out)),
    Date.now(),
  );
  return { errorCode: 0, partitions: all.filter((_, i) => keep(i)).map((x) => x.out), sessionId };
}

/** One replica fetch's reads: the byte budget left, the deadline, and whether anything was worth answering. */
class Server {
  private budget: number;
  private readonly deadline: number;
  interesting = false;

  constructor(
    private readonly replicas: ReplicaManager,
    private readonly w: ReplicaFetchRequest,
  ) {
    this.budget = Math.max(1, w.maxBytes);
    this.deadline = Date.now() + Math.min(replicaWaitMaxMs, Math.max(0, w.maxWaitMs));
  }

  /** Reads everything again (a full fetch after a wait). */
  newRound(): void {
    this.budget = Math.max(1, this.w.maxBytes);
    this.interesting = false;
  }

  remaining(): number {
    return this.deadline - Date.now();
  }

  serve(f: WantedPartition, by: FetchWitness | null): Served {
    const r = this.replicas.serveFollower(
      this.w.replicaId,
      { ...f, topic: f.topic ?? '' },
      this.budget,
      Date.now(),
      by,
    );
    const bytes = r.records?.length ?? 0;
    this.budget = Math.max(1, this.budget - bytes);
    if (bytes > 0 || r.errorCode !== 0 || r.diverging) this.interesting = true;
    return {
      topic: f.topic ?? '',
      partition: f.partition,
      errorCode: r.errorCode,
      highWatermark: r.highWatermark,
      logStartOffset: r.logStartOffset,
      logEndOffset: r.logEndOffset,
      records: r.records ?? noRecords,
      diverged: r.diverging !== null,
      divergingEpoch: r.diverging?.epoch ?? -1,
      divergingEndOffset: r.diverging?.endOffset ?? -1,
      behind: r.errorCode === 0 && f.fetchOffset < r.logEndOffset,
    };
  }
}

function answerState(a: Served): PartitionAnswerState {
  return {
    errorCode: a.errorCode,
    highWatermark: a.highWatermark,
    lastStableOffset: -1,
    logStartOffset: a.logStartOffset,
    recordBytes: a.records.length,
    mustAnswer: a.diverged,
    behind: a.behind,
  };
}

/**
 * The session stands for the follower's fetches of partition `key` while it holds it. (One it drops
 * and takes back is named, so served, again: that serve gives the partition a new witness.)
 */
function witness(
  sessions: FetchSessionCache,
  of: { readonly session: FetchSession | null },
  key: string,
): FetchWitness {
  return {
    coveredAtMs: () => {
      const s = of.session;
      return s && sessions.covers(s, key) ? s.lastUsedMs : -1;
    },
  };
}

/** Resolves at the session's next partition change, after `timeoutMs`, or on `signal`. */
function parkOnSession(
  sessions: FetchSessionCache,
  session: FetchSession,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    let stop = (): void => {};
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      stop();
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    signal.addEventListener('abort', done, { once: true });
    stop = sessions.onChange(session, done);
  });
}
