// The leader side of follower replication over gRPC (proto/replica.proto): each partition of a
// follower's fetch is served by the ReplicaManager; when none has anything new the call
// long-polls (up to max_wait_ms) until an append, a high-watermark move or an image change.
// Transaction coordinators' markers (WriteTxnMarkers) are written here by the partitions' leader.
import * as grpc from '@grpc/grpc-js';
import type { Endpoint } from '../common/node-config.js';
import { type RpcServer, serviceImplementation, startRpcServer } from '../rpc/grpc-plumbing.js';
import type { RpcServerSecurity } from '../rpc/rpc-security.js';
import {
  replicaService,
  type ReplicaFetchRequest__Output,
  type ReplicaFetchResponse,
  type VerifyTxnRequest__Output,
  type VerifyTxnResponse,
  type WriteTxnMarkersRequest__Output,
  type WriteTxnMarkersResponse,
} from '../rpc/replica-rpc.js';
import type { ReplicaManager } from '../broker/replica-manager.js';
import type { TxnMarkerWriter } from '../broker/txn/marker-writer.js';
import type { TransactionCoordinator } from '../broker/txn/transaction-coordinator.js';
import { partitionKey } from '../protocol/topic-partition.js';

/** Whatever a follower asks, one long-poll waits at most this long. */
const replicaWaitMaxMs = 5_000;
/** Markers are answered once replicated to the ISR, or with REQUEST_TIMED_OUT after this long. */
const markerWaitMaxMs = 25_000;

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

/** Markers from a transaction coordinator: each written (and replicated) by this leader. */
async function handleWriteTxnMarkers(
  markers: TxnMarkerWriter,
  w: WriteTxnMarkersRequest__Output,
  signal: AbortSignal,
): Promise<WriteTxnMarkersResponse> {
  const answers = await Promise.all(
    w.markers.map(async (m) => {
      const results = await markers.write(
        {
          producerId: m.producerId,
          producerEpoch: m.producerEpoch,
          coordinatorEpoch: m.coordinatorEpoch,
          committed: m.committed,
          partitions: m.topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition }))),
        },
        markerWaitMaxMs,
        signal,
      );
      return {
        producerId: m.producerId,
        partitions: results.map((r) => ({ topic: r.tp.topic, partition: r.tp.partition, errorCode: r.errorCode })),
      };
    }),
  );
  return { markers: answers };
}

/** A producer's KIP-890 question, answered by this broker's transaction coordinator. */
function handleVerifyTxn(coordinator: TransactionCoordinator, w: VerifyTxnRequest__Output): VerifyTxnResponse {
  const r = coordinator.verifyPartitions({
    transactionalId: w.transactionalId,
    producerId: w.producerId,
    producerEpoch: w.producerEpoch,
    partitions: w.topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition }))),
  });
  return {
    partitions: r.partitions.map((p) => ({ topic: p.tp.topic, partition: p.tp.partition, errorCode: p.errorCode })),
  };
}

export async function startReplicaServer(
  endpoint: Endpoint,
  replicas: ReplicaManager,
  markers: TxnMarkerWriter,
  coordinator: TransactionCoordinator,
  security: RpcServerSecurity | null,
): Promise<{ server: RpcServer; port: number }> {
  const service = serviceImplementation(
    replicaService(),
    {
      Fetch: (request, call) => {
        const gone = new AbortController();
        call.on('cancelled', () => gone.abort());
        return handleReplicaFetch(replicas, request, gone.signal);
      },
      WriteTxnMarkers: (request, call) => {
        const gone = new AbortController();
        call.on('cancelled', () => gone.abort());
        return handleWriteTxnMarkers(markers, request, gone.signal);
      },
      VerifyTxnPartitions: async (request) => handleVerifyTxn(coordinator, request),
    },
    { status: grpc.status.INTERNAL },
  );
  return startRpcServer(endpoint, [service], security);
}
