// The REPLICATION listener of a broker: replica fetch over TCP (rpc/replica-link.ts connections,
// each fetch served by broker/replica-fetch-serve.ts with the broker's fetch session cache,
// KIP-227) and, on the same port, the gRPC Replica service (proto/replica.proto): transaction
// coordinators' markers (WriteTxnMarkers), written here by the partitions' leader, and KIP-890's
// checks. With mutual TLS both kinds of connection pass the same certificate checks.
import * as grpc from '@grpc/grpc-js';
import type { Endpoint } from '../common/node-config.js';
import { type RpcServer, serviceImplementation, startRpcServer } from '../rpc/grpc-plumbing.js';
import type { RawProtocol, RpcServerSecurity } from '../rpc/rpc-security.js';
import { refuseReplicaConnection, serveReplicaConnection } from '../rpc/replica-link.js';
import { replicaAlpn, replicaPreface } from '../rpc/replica-wire.js';
import {
  replicaService,
  type VerifyTxnRequest__Output,
  type VerifyTxnResponse,
  type WriteTxnMarkersRequest__Output,
  type WriteTxnMarkersResponse,
} from '../rpc/replica-rpc.js';
import type { ReplicaManager } from '../broker/replica-manager.js';
import type { TxnMarkerWriter } from '../broker/txn/marker-writer.js';
import type { TransactionCoordinator } from '../broker/txn/transaction-coordinator.js';
import { serveReplicaFetch } from '../broker/replica-fetch-serve.js';
import type { FetchRequestMetrics, FetchSessionCache } from '../broker/fetch-session.js';

/** Markers are answered once replicated to the ISR, or with REQUEST_TIMED_OUT after this long. */
const markerWaitMaxMs = 25_000;

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

/**
 * A producer's KIP-890 question, answered by this broker's transaction coordinator: part 1 checks
 * the partitions are in the ongoing transaction, part 2 (`addPartitions`, Produce v12+) adds them.
 */
async function handleVerifyTxn(
  coordinator: TransactionCoordinator,
  w: VerifyTxnRequest__Output,
): Promise<VerifyTxnResponse> {
  const req = {
    transactionalId: w.transactionalId,
    producerId: w.producerId,
    producerEpoch: w.producerEpoch,
    partitions: w.topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition }))),
  };
  if (w.addPartitions) {
    const errorCode = await coordinator.addPartitions(req);
    return { partitions: req.partitions.map((tp) => ({ topic: tp.topic, partition: tp.partition, errorCode })) };
  }
  const r = coordinator.verifyPartitions(req);
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
  fetchSessions?: { readonly fetchSessions: FetchSessionCache; readonly fetchMetrics: FetchRequestMetrics },
): Promise<{ server: RpcServer; port: number }> {
  const replicaFetch: RawProtocol = {
    firstByte: replicaPreface[0]!,
    alpn: replicaAlpn,
    accept: (socket) =>
      serveReplicaConnection(socket, (request, signal) =>
        serveReplicaFetch(replicas, request, signal, fetchSessions?.fetchSessions, fetchSessions?.fetchMetrics),
      ),
    refuse: refuseReplicaConnection,
  };
  const service = serviceImplementation(
    replicaService(),
    {
      WriteTxnMarkers: (request, call) => {
        const gone = new AbortController();
        call.on('cancelled', () => gone.abort());
        return handleWriteTxnMarkers(markers, request, gone.signal);
      },
      VerifyTxnPartitions: async (request) => handleVerifyTxn(coordinator, request),
    },
    { status: grpc.status.INTERNAL },
  );
  return startRpcServer(endpoint, [service], security, replicaFetch);
}
