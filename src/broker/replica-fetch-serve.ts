// The leader side of a follower's fetch (rpc/replica-wire.ts, over TCP on the REPLICATION
// listener), called for each request of a replica connection (server/replica-service.ts). The
// fetch session cache (fetch-session.ts), shared with the Kafka Fetch handler, says which
// partitions the request covers: its own (a full fetch) or every partition of the follower's
// session (an incremental one, which names only what changed).
// Each is served by the ReplicaManager; when none has anything new the call long-polls (up to
// max_wait_ms) until an append, a high-watermark move or an image change. An incremental answer
// names only partitions with records, an error, a divergence or a moved high watermark / log start.
import type { FetchedPartition, ReplicaFetchRequest, ReplicaFetchResponse } from '../rpc/replica-wire.js';
import { partitionKey } from '../protocol/topic-partition.js';
import type { ReplicaManager } from './replica-manager.js';
import {
  type FetchContext,
  type FetchRequestMetrics,
  FetchSessionCache,
  sessionKey,
  type WantedPartition,
} from './fetch-session.js';

/** Whatever a follower asks, one long-poll waits at most this long. */
const replicaWaitMaxMs = 5_000;
const noRecords = Buffer.alloc(0);
/** A broker built without a session cache serves every replica fetch without a session. */
const sessionsOff = new FetchSessionCache({ slotsMax: 0, evictionMs: 0 });

export async function serveReplicaFetch(
  replicas: ReplicaManager,
  w: ReplicaFetchRequest,
  signal: AbortSignal,
  sessions: FetchSessionCache = sessionsOff,
  metrics?: FetchRequestMetrics,
): Promise<ReplicaFetchResponse> {
  const replicaId = w.replicaId;
  const maxBytes = Math.max(1, w.maxBytes);
  const waitMs = Math.min(replicaWaitMaxMs, Math.max(0, w.maxWaitMs));
  const wanted: WantedPartition[] = w.partitions.map((p) => ({
    key: sessionKey(p.topic, p.partition),
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
      forgotten: w.forgotten.map((f) => sessionKey(f.topic, f.partition)),
    },
    Date.now(),
  );
  metrics?.observe('follower', ctx.kind, wanted.length + w.forgotten.length);
  if (ctx.kind === 'error') return { errorCode: ctx.errorCode, partitions: [], sessionId: 0 };
  const parts = ctx.partitions;
  const deadline = Date.now() + waitMs;
  for (;;) {
    let budget = maxBytes;
    let interesting = false;
    const out = parts.map((f): FetchedPartition => {
      const r = replicas.serveFollower(replicaId, { ...f, topic: f.topic ?? '' }, budget, Date.now());
      const bytes = r.records?.length ?? 0;
      budget = Math.max(1, budget - bytes);
      if (bytes > 0 || r.errorCode !== 0 || r.diverging) interesting = true;
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
      };
    });
    const remaining = deadline - Date.now();
    if (interesting || remaining <= 0 || signal.aborted) {
      const states = out.map((a) => ({
        errorCode: a.errorCode,
        highWatermark: a.highWatermark,
        lastStableOffset: -1,
        logStartOffset: a.logStartOffset,
        recordBytes: a.records.length,
        mustAnswer: a.diverged,
      }));
      const { sessionId, keep } = sessions.answer(ctx, states, Date.now());
      return { errorCode: 0, partitions: out.filter((_, i) => keep(i)), sessionId };
    }
    await replicas.waitForData(
      parts.map((p) => partitionKey(p.topic ?? '', p.partition)),
      remaining,
      signal,
    );
  }
}
