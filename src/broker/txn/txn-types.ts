// The transaction coordinator's options, its ports (what the node wires: the state log, producer
// ids, the marker channel to partition leaders, the clock) and the shapes of its requests and
// answers, one per Kafka API it serves (InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn,
// EndTxn, DescribeTransactions, ListTransactions). No protocol logic here.
import type { Logger } from 'pino';
import type { Clock } from '../group/clock.js';
import type { TopicPartition, TxnState } from './txn-records.js';
import type { TxnStateLog } from './txn-log.js';

/** Producer ids for transactional producers (the broker's blocks from the controller). */
export interface ProducerIdSource {
  /** The next unused producer id, or a Kafka error code when none can be had now. */
  nextProducerId(): Promise<{ readonly errorCode: number; readonly producerId: number }>;
}

/** The transaction markers of one transaction, to be written to each partition by its leader. */
export interface TxnMarkers {
  readonly producerId: number;
  readonly producerEpoch: number;
  /** The leader epoch of the coordinator's `__transaction_state` partition (leaders refuse older ones). */
  readonly coordinatorEpoch: number;
  readonly committed: boolean;
  readonly partitions: readonly TopicPartition[];
}

/** Writes markers through the partitions' leaders (WriteTxnMarkers between brokers). */
export interface TxnMarkerSender {
  /**
   * One error code per partition asked for (NONE once the marker is written). A partition whose
   * leader is unknown or unreachable answers a retriable code (NOT_LEADER_OR_FOLLOWER,
   * REQUEST_TIMED_OUT, ...); it is retried after `markerRetryBackoffMs`.
   */
  writeMarkers(markers: TxnMarkers): Promise<readonly { readonly tp: TopicPartition; readonly errorCode: number }[]>;
}

export interface TxnCoordinatorOptions {
  readonly log: TxnStateLog;
  readonly producerIds: ProducerIdSource;
  readonly markers: TxnMarkerSender;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Partitions of `__transaction_state` (read at every lookup: the existing topic's, else transaction.state.log.num.partitions). */
  readonly partitionCount: number;
  /** Partitions of `__consumer_offsets` (the same rule): where AddOffsetsToTxn finds the group's partition. */
  readonly offsetsPartitionCount: number;
  /** transaction.max.timeout.ms (Kafka's default 900000). */
  readonly maxTimeoutMs: number;
  /** transactional.id.expiration.ms (Kafka's default 604800000, 7 days). */
  readonly transactionalIdExpirationMs: number;
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms (Kafka's default 10000). */
  readonly abortTimedOutIntervalMs: number;
  /** transaction.remove.expired.transaction.cleanup.interval.ms (Kafka's default 3600000). */
  readonly removeExpiredIntervalMs: number;
  /** Wait between rounds of markers (and of the Complete write) that failed retriably. */
  readonly markerRetryBackoffMs: number;
  /** Whether a topic partition still exists: markers to a deleted partition are dropped, not retried. */
  readonly partitionExists: (topic: string, partition: number) => boolean;
  /**
   * UNSAFE, test only (transaction.unsafe.abort.as.commit): aborted transactions get COMMIT
   * markers, so read_committed consumers see their records (the jepsen-like txn workload's
   * `--unsafe`, which must find aborted reads). Never set it on a cluster holding real data.
   */
  readonly unsafeAbortAsCommit?: boolean;
}

export interface InitProducerIdRequest {
  readonly transactionalId: string;
  readonly transactionTimeoutMs: number;
  /** KIP-360: the producer id and epoch the producer holds (-1, -1 when it has none). */
  readonly producerId: number;
  readonly producerEpoch: number;
}

export interface InitProducerIdResult {
  readonly errorCode: number;
  readonly producerId: number;
  readonly producerEpoch: number;
}

export interface AddPartitionsRequest {
  readonly transactionalId: string;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly partitions: readonly TopicPartition[];
}

/** AddPartitionsToTxn v4+ verifyOnly (KIP-890 part 1): one code per partition. */
export interface VerifyPartitionsResult {
  readonly partitions: readonly { readonly tp: TopicPartition; readonly errorCode: number }[];
}

export interface AddOffsetsRequest {
  readonly transactionalId: string;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly groupId: string;
}

export interface EndTxnRequest {
  readonly transactionalId: string;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly committed: boolean;
}

/** DescribeTransactions, per transactional id. */
export interface DescribedTransaction {
  readonly errorCode: number;
  readonly transactionalId: string;
  readonly state: TxnState | '';
  readonly transactionTimeoutMs: number;
  readonly transactionStartTimeMs: number;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly topics: readonly { readonly topic: string; readonly partitions: readonly number[] }[];
}

export interface ListTransactionsRequest {
  /** State names to keep (none: all). Unknown names come back in unknownStateFilters. */
  readonly stateFilters: readonly string[];
  /** Producer ids to keep (none: all). */
  readonly producerIdFilters: readonly number[];
  /** ListTransactions v1+: keep transactions running longer than this (-1: no filter). */
  readonly durationFilterMs: number;
}

export interface ListTransactionsResult {
  readonly errorCode: number;
  readonly unknownStateFilters: readonly string[];
  readonly transactionStates: readonly {
    readonly transactionalId: string;
    readonly producerId: number;
    readonly transactionState: TxnState;
  }[];
}

/** Totals since start, for /metrics. */
export interface TxnCoordinatorStats {
  readonly openTransactions: number;
  readonly transactionalIds: number;
  readonly committed: number;
  readonly aborted: number;
  readonly timedOutAborts: number;
  readonly expiredTransactionalIds: number;
}
