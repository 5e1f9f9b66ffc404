// Sends a leader's ISR changes to the controller in batches: every change asked for while one
// AlterPartition is on its way joins the next request, so a broker that must grow or shrink the
// ISR of a thousand partitions (a follower came back) sends a few requests, not a thousand —
// each of which the controller would commit separately.
import type { Partition } from './partition.js';
import type { IsrChanger } from './replica-manager.js';

interface IsrItem {
  readonly topicId: string;
  readonly partitionIndex: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  readonly newIsr: readonly number[];
}

/** Sends one AlterPartition with `items`; resolves with an error code per item (same order). */
type AlterPartitionSender = (items: readonly IsrItem[]) => Promise<readonly number[]>;

/** Bound on partitions in one AlterPartition request. */
const itemsPerRequestMax = 2000;

interface Pending {
  readonly item: IsrItem;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

export class IsrBatcher implements IsrChanger {
  private queue: Pending[] = [];
  private sending = false;

  constructor(
    private readonly send: AlterPartitionSender,
    private readonly describeError: (code: number) => string,
  ) {}

  alterIsr(p: Partition, newIsr: readonly number[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({
        item: {
          topicId: p.topicId,
          partitionIndex: p.partition,
          leaderEpoch: p.leaderEpoch,
          partitionEpoch: p.partitionEpoch,
          newIsr,
        },
        resolve,
        reject,
      });
      if (!this.sending) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.sending = true;
    // Let the changes of this turn of the event loop join the first request.
    await new Promise((r) => setImmediate(r));
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, itemsPerRequestMax);
      try {
        const codes = await this.send(batch.map((b) => b.item));
        batch.forEach((b, i) => {
          const code = codes[i] ?? -1;
          if (code === 0) b.resolve();
          else b.reject(new Error(`AlterPartition: ${this.describeError(code)}`));
        });
      } catch (err) {
        for (const b of batch) b.reject(err instanceof Error ? err : new Error(String(err)));
      }
    }
    this.sending = false;
  }
}
