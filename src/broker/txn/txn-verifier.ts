// KIP-890 part 1 on the partition leader: before it appends a producer's first transactional
// batch to a partition, the leader asks the producer's transaction coordinator whether the
// ongoing transaction includes that partition, so a late or stray write cannot land outside a
// transaction (Jepsen's 2024 Kafka findings). Later batches of the same transaction need no
// question: the partition's producer state shows the transaction open. The coordinator is local
// or reached over gRPC (proto/replica.proto VerifyTxnPartitions). KIP-890 part 2 (Produce v12+):
// the leader asks the coordinator to add the partition instead, as AddPartitionsToTxn would.
//
// Errors a producer could mistake for fatal (coordinator moving or loading, a concurrent end of
// the transaction) become NOT_ENOUGH_REPLICAS, which every client retries, as Kafka does.
import { ErrorCode } from '../../common/errors.js';
import type { BrokerChannels } from './broker-channels.js';
import type { TransactionCoordinator } from './transaction-coordinator.js';
import type { TopicPartition } from './txn-records.js';

/** How long one question to a remote coordinator may take. */
const verifyTimeoutMs = 5_000;

const retriableForProducers: ReadonlySet<number> = new Set([
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.CONCURRENT_TRANSACTIONS,
  ErrorCode.REQUEST_TIMED_OUT,
]);

export interface TxnVerifierOptions {
  readonly brokerId: number;
  readonly coordinator: TransactionCoordinator;
  readonly channels: BrokerChannels;
  /** The leader of a `__transaction_state` partition in the current image (-1 when none). */
  readonly coordinatorLeader: (txnPartition: number) => number;
}

export class TxnVerifier {
  constructor(private readonly o: TxnVerifierOptions) {}

  /**
   * NONE when the producer's ongoing transaction includes `tp`, else the code Produce answers.
   * `add` (Produce v12+, KIP-890 part 2): the coordinator adds `tp` to the transaction first, as
   * AddPartitionsToTxn would, so the producer need not have sent one.
   */
  async verify(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    tp: TopicPartition,
    add = false,
  ): Promise<number> {
    const leader = this.o.coordinatorLeader(this.o.coordinator.partitionFor(transactionalId));
    const code = await this.ask(leader, { transactionalId, producerId, producerEpoch, partitions: [tp] }, add);
    return retriableForProducers.has(code) ? ErrorCode.NOT_ENOUGH_REPLICAS : code;
  }

  private async ask(
    leader: number,
    req: { transactionalId: string; producerId: number; producerEpoch: number; partitions: readonly TopicPartition[] },
    add: boolean,
  ): Promise<number> {
    if (leader < 0) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (leader === this.o.brokerId && add) return this.o.coordinator.addPartitions(req);
    if (leader === this.o.brokerId)
      return this.o.coordinator.verifyPartitions(req).partitions[0]?.errorCode ?? ErrorCode.INVALID_TXN_STATE;
    const channel = this.o.channels.to(leader);
    if (!channel) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    try {
      const tp = req.partitions[0]!;
      const res = await channel.verifyTxnPartitions(
        {
          transactionalId: req.transactionalId,
          producerId: req.producerId,
          producerEpoch: req.producerEpoch,
          topics: [{ topic: tp.topic, partitions: [tp.partition] }],
          addPartitions: add,
        },
        verifyTimeoutMs,
      );
      return res.partitions[0]?.errorCode ?? ErrorCode.INVALID_TXN_STATE;
    } catch {
      return ErrorCode.REQUEST_TIMED_OUT;
    }
  }
}
