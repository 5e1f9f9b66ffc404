// The leader side of follower replication over gRPC (proto/replica.proto): each partition of a
// follower's fetch is served by the ReplicaManager; when none has anything new the call
// long-polls (up to max_wait_ms) until an append, a high-watermark move or an image change.
import * as grpc from '@grpc/grpc-js';
import type { Endpoint } from '../common/node-config.js';
import { serviceImplementation, startRpcServer } from '../rpc/grpc-plumbing.js';
import { replicaService, type ReplicaFetchRequest__Output, type ReplicaFetchResponse } from '../rpc/replica-rpc.js';
import type { ReplicaManager } from '../broker/replica-manager.js';
import { partitionKey } from '../protocol/topic-partition.js';

/** Whatever a follower asks, one long-poll waits at most this long. */
const replicaWaitMaxMs = 5_000;

async function handleReplicaFetch(
  replicas: ReplicaManager,
  w: ReplicaFetchRequest__Output,
  signal: AbortSignal,
): Promise<ReplicaFetchResponse> {
  const replicaId = w.replicaId;
  const maxBytes = Math.max(1, w.maxBytes);
  const waitMs = Math.min(replicaWaitMaxMs, Math.max(0, w.maxWaitMs));
  const parts = w.partitions.map((p) => ({
    topic: p.topic,
    partition: p.partition,
    fetchOffset: p.fetchOffset,
    lastFetchedEpoch: p.lastFetchedEpoch,
    currentLeaderEpoch: p.currentLeaderEpoch,
  }));
  const deadline = Date.now() + waitMs;
  for (;;) {
    let budget = maxBytes;
    let interesting = false;
    const out = parts.map((f) => {
      const r = replicas.serveFollower(replicaId, f, budget, Date.now());
      const bytes = r.records?.length ?? 0;
      budget = Math.max(1, budget - bytes);
      if (bytes > 0 || r.errorCode !== 0 || r.diverging) interesting = true;
      return {
        topic: f.topic,
        partition: f.partition,
        errorCode: r.errorCode,
        highWatermark: r.highWatermark,
        logStartOffset: r.logStartOffset,
        logEndOffset: r.logEndOffset,
        records: r.records ?? Buffer.alloc(0),
        diverged: r.diverging !== null,
        divergingEpoch: r.diverging?.epoch ?? -1,
        divergingEndOffset: r.diverging?.endOffset ?? -1,
      };
    });
    const remaining = deadline - Date.now();
    if (interesting || remaining <= 0 || signal.aborted) return { errorCode: 0, partitions: out };
    await replicas.waitForData(
      parts.map((p) => partitionKey(p.topic, p.partition)),
      remaining,
      signal,
    );
  }
}

export async function startReplicaServer(
  endpoint: Endpoint,
  replicas: ReplicaManager,
): Promise<{ server: grpc.Server; port: number }> {
  const service = serviceImplementation(
    replicaService(),
    {
      Fetch: (request, call) => {
        const gone = new AbortController();
        call.on('cancelled', () => gone.abort());
        return handleReplicaFetch(replicas, request, gone.signal);
      },
    },
    { status: grpc.status.INTERNAL },
  );
  return startRpcServer(endpoint, [service]);
}
