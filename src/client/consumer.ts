// A small assign-style consumer on KafkaClient (no group: that arrives with the group
// coordinator): it reads the given partitions from start offsets, long-polling their leaders, and
// yields records in offset order per partition. Control batches (transaction markers) are skipped.
import { readBatchHeaders, readRecords, type KafkaRecord } from '../protocol/record-batch.js';
import type { KafkaClient } from './kafka-client.js';

export interface ConsumedRecord extends KafkaRecord {
  readonly topic: string;
  readonly partition: number;
}

/** Where to start: an offset, or -1 latest / -2 earliest (ListOffsets' special timestamps). */
type StartOffset = number;

export class Consumer {
  private readonly positions = new Map<number, number>();

  constructor(
    private readonly client: KafkaClient,
    readonly topic: string,
  ) {}

  /** Assign `partitions` (all of the topic's when null) starting at `start`. */
  async assign(partitions: readonly number[] | null, start: StartOffset): Promise<void> {
    const t = await this.client.topic(this.topic);
    const list = partitions ?? t.partitions.map((p) => p.partition);
    for (const p of list) {
      const offset = start >= 0 ? start : (await this.client.listOffset(this.topic, p, start)).offset;
      this.positions.set(p, offset);
    }
  }

  /** Next records from every assigned partition (waits up to maxWaitMs when none is new). */
  async poll(maxWaitMs: number): Promise<ConsumedRecord[]> {
    const out: ConsumedRecord[] = [];
    const wait = this.positions.size === 1 ? maxWaitMs : 0;
    for (const [partition, position] of this.positions) {
      const r = await this.client.fetch(this.topic, partition, position, { maxWaitMs: wait });
      let next = position;
      for (const h of readBatchHeaders(r.records)) {
        if (h.isControl) {
          next = Math.max(next, h.baseOffset + h.lastOffsetDelta + 1);
          continue;
        }
        for (const rec of readRecords(r.records, h)) {
          if (rec.offset < position) continue;
          out.push({ ...rec, topic: this.topic, partition });
        }
        next = Math.max(next, h.baseOffset + h.lastOffsetDelta + 1);
      }
      this.positions.set(partition, next);
    }
    if (out.length === 0 && wait === 0 && maxWaitMs > 0)
      await new Promise((r) => setTimeout(r, Math.min(maxWaitMs, 100)));
    return out;
  }

  /** Whether every assigned partition has been read up to its high watermark. */
  async caughtUp(): Promise<boolean> {
    for (const [partition, position] of this.positions) {
      const end = (await this.client.listOffset(this.topic, partition, -1)).offset;
      if (position < end) return false;
    }
    return true;
  }
}
