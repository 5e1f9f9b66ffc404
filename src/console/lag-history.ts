// Consumer-group lag over time for the web console: a bounded ring of samples per group, kept
// only for groups whose page was opened within the watch window (10 minutes by default), so a
// console nobody looks at samples nothing. Pure (time is passed in); the sampler that fills it
// lives in web-console.ts. Unit-tested in test/console/lag-history.test.ts.

export interface LagSample {
  readonly timeMs: number;
  /** Sum over the partitions with a committed offset. */
  readonly total: number;
  /** Lag by "topic-partition". */
  readonly partitions: ReadonlyMap<string, number>;
}

/** A fixed-capacity FIFO: pushing onto a full ring drops the oldest item. */
export class RingBuffer<T> {
  private readonly items: T[] = [];
  private start = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity ${capacity}`);
  }

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    if (this.items.length < this.capacity) this.items.push(item);
    else {
      this.items[this.start] = item;
      this.start = (this.start + 1) % this.capacity;
    }
  }

  /** Oldest first. */
  toArray(): T[] {
    return [...this.items.slice(this.start), ...this.items.slice(0, this.start)];
  }
}

/** Samples kept per group (at 5 s, the last half hour). */
export const lagSamplesPerGroupMax = 360;
/** A group is sampled while its page was opened within this long. */
export const lagWatchWindowMs = 10 * 60_000;
/** Groups watched at once; opening one more forgets the least recently opened. */
export const lagWatchedGroupsMax = 100;

export class LagHistory {
  private readonly lastOpened = new Map<string, number>();
  private readonly rings = new Map<string, RingBuffer<LagSample>>();

  constructor(
    private readonly capacity = lagSamplesPerGroupMax,
    private readonly windowMs = lagWatchWindowMs,
    private readonly groupsMax = lagWatchedGroupsMax,
  ) {}

  /** The group's page was opened at `nowMs`: sample it for the next window. */
  touch(groupId: string, nowMs: number): void {
    this.lastOpened.delete(groupId);
    this.lastOpened.set(groupId, nowMs);
    while (this.lastOpened.size > this.groupsMax) this.forget(this.lastOpened.keys().next().value as string);
  }

  /** Groups opened within the window; the others are forgotten with their samples. */
  watched(nowMs: number): string[] {
    for (const [g, t] of this.lastOpened) if (nowMs - t > this.windowMs) this.forget(g);
    return [...this.lastOpened.keys()];
  }

  record(groupId: string, sample: LagSample): void {
    if (!this.lastOpened.has(groupId)) return;
    let ring = this.rings.get(groupId);
    if (!ring) {
      ring = new RingBuffer<LagSample>(this.capacity);
      this.rings.set(groupId, ring);
    }
    ring.push(sample);
  }

  samples(groupId: string): LagSample[] {
    return this.rings.get(groupId)?.toArray() ?? [];
  }

  private forget(groupId: string): void {
    this.lastOpened.delete(groupId);
    this.rings.delete(groupId);
  }
}
