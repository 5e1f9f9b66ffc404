// The partition leader's side of WriteTxnMarkers: append a COMMIT or ABORT control batch to each
// partition it leads and answer once the marker is replicated to the ISR (the high watermark
// passed it), as Kafka's WriteTxnMarkers does with acks=all. A marker on a `__consumer_offsets`
// partition also tells the group coordinator to make the producer's pending offsets visible (or
// drop them). Callers: the gRPC replica service (markers from other brokers' coordinators), the
// local marker sender, and the Kafka API WriteTxnMarkers (admin tools).
import { ErrorCode } from '../../common/errors.js';
import type { ReplicaManager } from '../replica-manager.js';
import type { TopicPartition } from './txn-records.js';

/** One transaction's markers, for the partitions this broker is asked to write them to. */
export interface MarkerWrite {
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly coordinatorEpoch: number;
  readonly committed: boolean;
  readonly partitions: readonly TopicPartition[];
}

/** Told when a marker is replicated on a partition (the group coordinator for its offsets partitions). */
export type MarkerListener = (tp: TopicPartition, producerId: number, committed: boolean) => void;

export class TxnMarkerWriter {
  private listener: MarkerListener | null = null;

  constructor(private readonly replicas: ReplicaManager) {}

  setListener(listener: MarkerListener): void {
    this.listener = listener;
  }

  /** One error code per partition: NONE once the marker is written and replicated. */
  async write(
    m: MarkerWrite,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<{ readonly tp: TopicPartition; readonly errorCode: number }[]> {
    return Promise.all(
      m.partitions.map(async (tp) => ({ tp, errorCode: await this.writeOne(tp, m, timeoutMs, signal) })),
    );
  }

  private async writeOne(tp: TopicPartition, m: MarkerWrite, timeoutMs: number, signal: AbortSignal): Promise<number> {
    const hosted = this.replicas.get(tp.topic, tp.partition);
    const leaderEpoch = hosted?.leaderEpoch ?? -1;
    const r = this.replicas.appendMarker(tp.topic, tp.partition, m);
    if (r.errorCode !== ErrorCode.NONE || !('lastOffset' in r)) return r.errorCode;
    const committed = await this.replicas.waitForCommit(
      tp.topic,
      tp.partition,
      r.lastOffset,
      leaderEpoch,
      timeoutMs,
      signal,
    );
    if (committed === ErrorCode.NONE) this.listener?.(tp, m.producerId, m.committed);
    return committed;
  }
}
