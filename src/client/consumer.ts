// A small assign-style consumer on KafkaClient (no group: that arrives with the group
// coordinator): it reads the given partitions from start offsets, long-polling their leaders with
// one Fetch per leader in an incremental fetch session (session-fetcher.ts, KIP-227), and
// yields records in offset order per partition. Control batches (transaction markers) are skipped;
// with read_committed it reads up to the last stable offset and skips aborted transactions
// (read-committed.ts).
import type { KafkaRecord } from '../protocol/record-batch.js';
import { IsolationLevel, type IsolationLevelId } from '../protocol/txn-types.js';
import type { KafkaClient } from './kafka-client.js';
import { deliverableRecords } from './read-committed.js';
import { SessionFetcher } from './session-fetcher.js';

export interface ConsumedRecord extends KafkaRecord {
  readonly topic: string;
  readonly partition: number;
}

/** Where to start: an offset, or -1 latest / -2 earliest (ListOffsets' special timestamps). */
type StartOffset = number;

export class Consumer {
  private readonly positions = new Map<number, number>();
  private readonly fetcher: SessionFetcher;

  constructor(
    private readonly client: KafkaClient,
    readonly topic: string,
    readonly isolationLevel: IsolationLevelId = IsolationLevel.READ_UNCOMMITTED,
    /** Incremental fetch sessions (default on; off: every fetch names every partition). */
    sessions = true,
  ) {
    this.fetcher = new SessionFetcher(client, { isolationLevel, sessions });
  }

  /** Assign `partitions` (all of the topic's when null) starting at `start`. */
  async assign(partitions: readonly number[] | null, start: StartOffset): Promise<void> {
    const t = await this.client.topic(this.topic);
    const list = partitions ?? t.partitions.map((p) => p.partition);
    for (const p of list) {
      const offset =
        start >= 0 ? start : (await this.client.listOffset(this.topic, p, start, this.isolationLevel)).offset;
      this.positions.set(p, offset);
    }
  }

  /** Next records from every assigned partition (waits up to maxWaitMs when none is new). */
  async poll(maxWaitMs: number): Promise<ConsumedRecord[]> {
    const out: ConsumedRecord[] = [];
    const startedMs = Date.now();
    const positions = [...this.positions].map(([partition, offset]) => ({ topic: this.topic, partition, offset }));
    for (const r of await this.fetcher.fetch(positions, maxWaitMs)) {
      if (this.positions.get(r.partition) !== r.fetchOffset) continue; // moved meanwhile (not by this fetch)
      const d = deliverableRecords(r.records, r.abortedTransactions, r.fetchOffset, this.isolationLevel);
      for (const rec of d.records) out.push({ ...rec, topic: this.topic, partition: r.partition });
      this.positions.set(r.partition, d.nextOffset);
    }
    // Answered at once with nothing (a leader moving, a session starting over): nap before the next poll.
    const napMs = Math.min(maxWaitMs, 100) - (Date.now() - startedMs);
    if (out.length === 0 && napMs > 0) await new Promise((r) => setTimeout(r, napMs));
    return out;
  }

  /** Whether every assigned partition has been read up to its high watermark (read_committed: its last stable offset). */
  async caughtUp(): Promise<boolean> {
    for (const [partition, position] of this.positions) {
      const end = (await this.client.listOffset(this.topic, partition, -1, this.isolationLevel)).offset;
      if (position < end) return false;
    }
    return true;
  }
}
