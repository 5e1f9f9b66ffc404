// A small batching producer on KafkaClient: records are grouped per partition into RecordBatch v2
// batches (keyed records placed by Kafka's murmur2 partitioner, unkeyed ones round-robin per
// batch), compressed with the chosen codec and sent with the chosen acks. Used by
// `raftka console-producer`, tests and jepsen-like.
import { buildRecordBatch, type RecordInput } from '../protocol/record-batch.js';
import type { KafkaClient } from './kafka-client.js';
import { partitionForKey } from './partitioner.js';

interface ProducerOptions {
  readonly acks: -1 | 0 | 1;
  /** Kafka codec id: 0 none, 1 gzip, 2 snappy, 3 lz4 (zstd cannot be written by raftka). */
  readonly compression: number;
  /** Records per batch before it is sent. */
  readonly batchRecordsMax: number;
}

interface SentRecord {
  readonly partition: number;
  readonly offset: number;
}

export class Producer {
  private readonly pending = new Map<number, RecordInput[]>();
  private nextUnkeyed = 0;

  constructor(
    private readonly client: KafkaClient,
    private readonly topic: string,
    private readonly options: ProducerOptions,
  ) {}

  /** Queue one record; sends its partition's batch when full. */
  async send(key: Buffer | null, value: Buffer | null, timestamp = Date.now()): Promise<void> {
    const t = await this.client.topic(this.topic);
    const n = t.partitions.length;
    const partition = key ? partitionForKey(key, n) : this.nextUnkeyed % n;
    const list = this.pending.get(partition) ?? [];
    list.push({ key, value, timestamp });
    this.pending.set(partition, list);
    if (list.length >= this.options.batchRecordsMax) await this.flushPartition(partition);
  }

  private async flushPartition(partition: number): Promise<SentRecord | null> {
    const records = this.pending.get(partition);
    if (!records || records.length === 0) return null;
    this.pending.delete(partition);
    if (!records[0]!.key) this.nextUnkeyed++;
    const batch = buildRecordBatch(records, { compression: this.options.compression });
    const r = await this.client.produce(this.topic, partition, batch, this.options.acks);
    return { partition, offset: r.baseOffset };
  }

  /** Send every queued record. */
  async flush(): Promise<void> {
    for (const partition of [...this.pending.keys()]) await this.flushPartition(partition);
  }
}
