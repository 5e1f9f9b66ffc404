// The leader side of follower replication over gRPC (proto/replica.proto): each partition of a
// follower's fetch is served by the ReplicaManager; when none has anything new the call
// long-polls (up to max_wait_ms) until an append, a high-watermark move or an image change.
import * as grpc from '@grpc/grpc-js';
import type { Endpoint } from '../common/node-config.js';
import { channelOptions } from '../raft/driver/grpc-transport.js';
import { replicaService } from '../broker/replica-wire.js';
import type { WireMessage } from '../raft/driver/raft-wire.js';
import type { ReplicaManager } from '../broker/replica-manager.js';
import { partitionKey } from '../protocol/topic-partition.js';

/** Whatever a follower asks, one long-poll waits at most this long. */
const replicaWaitMaxMs = 5_000;

const list = (v: unknown): WireMessage[] => (Array.isArray(v) ? (v as WireMessage[]) : []);

export async function handleReplicaFetch(replicas: ReplicaManager, w: WireMessage, signal: AbortSignal): Promise<WireMessage> {
  const replicaId = Number(w['replicaId'] ?? -1);
  const maxBytes = Math.max(1, Number(w['maxBytes'] ?? 1 << 20));
  const waitMs = Math.min(replicaWaitMaxMs, Math.max(0, Number(w['maxWaitMs'] ?? 0)));
  const parts = list(w['partitions']).map((p) => ({
    topic: String(p['topic'] ?? ''),
    partition: Number(p['partition'] ?? 0),
    fetchOffset: Number(p['fetchOffset'] ?? 0),
    lastFetchedEpoch: Number(p['lastFetchedEpoch'] ?? -1),
    currentLeaderEpoch: Number(p['currentLeaderEpoch'] ?? -1),
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
    await replicas.waitForData(parts.map((p) => partitionKey(p.topic, p.partition)), remaining, signal);
  }
}

export async function startReplicaServer(endpoint: Endpoint, replicas: ReplicaManager): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server(channelOptions);
  server.addService(replicaService().service, {
    Fetch: ((call: grpc.ServerUnaryCall<WireMessage, WireMessage>, callback: grpc.sendUnaryData<WireMessage>) => {
      const gone = new AbortController();
      call.on('cancelled', () => gone.abort());
      handleReplicaFetch(replicas, call.request, gone.signal).then(
        (res) => callback(null, res),
        (err: unknown) => callback({ code: grpc.status.INTERNAL, details: err instanceof Error ? err.message : String(err) }),
      );
    }) as grpc.handleUnaryCall<WireMessage, WireMessage>,
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${endpoint.host}:${endpoint.port}`, grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound)));
  });
  return { server, port };
}
