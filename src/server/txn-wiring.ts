// Exactly-once, wired to the node: producer-id blocks from the controller, the transaction
// coordinator on the replicated `__transaction_state` partitions this broker leads, the marker
// writer (this broker as partition leader), the marker sender and KIP-890 verifier (gRPC to other
// brokers' replication endpoints), and the transaction metrics. Who calls: startBroker.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Endpoint, NodeConfig } from '../common/node-config.js';
import { systemClock } from '../broker/group/clock.js';
import { ProducerIdManager, ProducerIdUnavailableError } from '../broker/producer-ids.js';
import type { ReplicaManager } from '../broker/replica-manager.js';
import { BrokerChannels } from '../broker/txn/broker-channels.js';
import { GrpcMarkerSender } from '../broker/txn/marker-sender.js';
import { TxnMarkerWriter } from '../broker/txn/marker-writer.js';
import { TransactionCoordinator } from '../broker/txn/transaction-coordinator.js';
import { ReplicatedTxnLog } from '../broker/txn/txn-log.js';
import { registerTxnMetrics } from '../broker/txn/txn-metrics.js';
import { transactionStateTopicName } from '../broker/txn/txn-records.js';
import { partitionCountOr } from '../metadata/image.js';
import { offsetsTopicName } from '../broker/group/offsets-records.js';
import { TxnVerifier } from '../broker/txn/txn-verifier.js';
import type { RpcClientSecurity } from '../rpc/rpc-security.js';
import type { ControllerClient } from '../client/controller-client.js';
import type { MetadataState } from '../metadata/metadata-state.js';

/** How long a `__transaction_state` append may wait for the ISR (Kafka uses request.timeout.ms). */
const txnLogAppendTimeoutMs = 30_000;
/** Wait between rounds of markers that failed retriably (Kafka retries at its request backoff). */
const markerRetryBackoffMs = 100;

export interface TxnWiring {
  readonly producerIds: ProducerIdManager;
  readonly coordinator: TransactionCoordinator;
  readonly verifier: TxnVerifier;
  readonly markers: TxnMarkerWriter;
  /** Call when partition roles change: the coordinator follows its `__transaction_state` leadership. */
  refreshLeadership(): void;
  close(): void;
}

export function startTransactions(o: {
  readonly config: NodeConfig;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly replicas: ReplicaManager;
  readonly state: MetadataState;
  readonly controller: ControllerClient;
  readonly brokerEpoch: () => number;
  /** A broker's replication endpoint from the metadata image; null when unknown. */
  readonly replicationEndpointOf: (brokerId: number) => Endpoint | null;
  /** How to reach other brokers' replication listeners (plaintext, or mutual TLS). */
  readonly replicationSecurity: RpcClientSecurity;
}): TxnWiring {
  const { config, state, replicas } = o;
  const logger = o.logger.child({ component: 'transactions' });
  const producerIds = new ProducerIdManager(
    {
      allocate: async () => {
        const r = await o.controller.allocateProducerIds({ brokerId: config.nodeId, brokerEpoch: o.brokerEpoch() });
        return { errorCode: r.errorCode, start: r.producerIdStart, length: r.producerIdLen };
      },
    },
    logger,
  );
  const markers = new TxnMarkerWriter(replicas);
  const channels = new BrokerChannels(o.replicationEndpointOf, o.replicationSecurity);
  const leaderOf = (topic: string, partition: number): number =>
    state.image.topicsByName.get(topic)?.partitions.get(partition)?.leader ?? -1;
  const sender = new GrpcMarkerSender({
    brokerId: config.nodeId,
    local: markers,
    leaderOf: (tp) => leaderOf(tp.topic, tp.partition),
    channels,
  });
  const coordinator = new TransactionCoordinator({
    log: new ReplicatedTxnLog(replicas, txnLogAppendTimeoutMs, config.transactionStateLogLoadBufferSize),
    producerIds: {
      nextProducerId: async () => {
        try {
          return { errorCode: 0, producerId: await producerIds.nextProducerId() };
        } catch (err) {
          if (err instanceof ProducerIdUnavailableError) return { errorCode: err.errorCode, producerId: -1 };
          throw err;
        }
      },
    },
    markers: sender,
    clock: systemClock,
    logger,
    get partitionCount(): number {
      return partitionCountOr(state.image, transactionStateTopicName, config.transactionStateLogNumPartitions);
    },
    get offsetsPartitionCount(): number {
      return partitionCountOr(state.image, offsetsTopicName, config.offsetsTopicNumPartitions);
    },
    maxTimeoutMs: config.transactionMaxTimeoutMs,
    transactionalIdExpirationMs: config.transactionalIdExpirationMs,
    abortTimedOutIntervalMs: config.transactionAbortTimedOutCleanupIntervalMs,
    removeExpiredIntervalMs: config.transactionRemoveExpiredCleanupIntervalMs,
    markerRetryBackoffMs,
    partitionExists: (topic, partition) => state.image.topicsByName.get(topic)?.partitions.has(partition) ?? false,
    unsafeAbortAsCommit: config.transactionUnsafeAbortAsCommit,
  });
  if (config.transactionUnsafeAbortAsCommit)
    logger.warn('transaction.unsafe.abort.as.commit=true: aborted transactions are made visible (UNSAFE, test only)');
  const verifier = new TxnVerifier({
    brokerId: config.nodeId,
    coordinator,
    channels,
    coordinatorLeader: (partition) => leaderOf(transactionStateTopicName, partition),
  });
  registerTxnMetrics(o.registry, coordinator);
  coordinator.startup();
  return {
    producerIds,
    coordinator,
    verifier,
    markers,
    refreshLeadership: () => coordinator.setLeadership(ledTxnPartitions(replicas)),
    close: () => {
      coordinator.close();
      channels.close();
    },
  };
}

/** The `__transaction_state` partitions this broker leads: partition → leader epoch (the coordinator epoch). */
function ledTxnPartitions(replicas: ReplicaManager): Map<number, number> {
  const led = new Map<number, number>();
  const topic = replicas.currentImage()?.topicsByName.get(transactionStateTopicName);
  for (const p of topic?.partitions.keys() ?? []) {
    const hosted = replicas.get(transactionStateTopicName, p);
    if (hosted?.isLeader) led.set(p, hosted.leaderEpoch);
  }
  return led;
}
