// The Raft core's view of the `__cluster_metadata` log: every entry from the log start (the
// latest snapshot's end offset, or 0) to the log end, held in memory. The driver mirrors every
// change on disk (see Ready). Snapshots keep this bounded.
//
// Invariants: entries are contiguous from startOffset; epochs never decrease along the log;
// the epoch "before" the first entry is the snapshot's epoch (0 without a snapshot).
import { assert } from '../../common/assert.js';
import type { Epoch, LogEntry, Offset, SnapshotId } from './types.js';

interface EpochEnd {
  readonly epoch: Epoch;
  readonly endOffset: Offset;
}

export class MemoryLog {
  private entries: LogEntry[] = [];
  private start: Offset;
  private snapshot: SnapshotId | null;
  /** Start offset of each epoch present in the entries, ascending. */
  private epochStarts: { epoch: Epoch; startOffset: Offset }[] = [];

  constructor(snapshotId: SnapshotId | null, entries: readonly LogEntry[]) {
    this.snapshot = snapshotId;
    this.start = snapshotId?.endOffset ?? 0;
    this.append(entries);
  }

  get startOffset(): Offset {
    return this.start;
  }

  get endOffset(): Offset {
    return this.start + this.entries.length;
  }

  get snapshotId(): SnapshotId | null {
    return this.snapshot;
  }

  /** Epoch of the last entry, or of the snapshot when the log is empty. */
  get lastEpoch(): Epoch {
    const last = this.entries[this.entries.length - 1];
    return last ? last.epoch : (this.snapshot?.epoch ?? 0);
  }

  entryAt(offset: Offset): LogEntry | undefined {
    return this.entries[offset - this.start];
  }

  append(entries: readonly LogEntry[]): void {
    for (const entry of entries) {
      assert(entry.offset === this.endOffset, `append at ${entry.offset}, log end is ${this.endOffset}`);
      assert(entry.epoch >= this.lastEpoch, `epoch ${entry.epoch} after ${this.lastEpoch} at ${entry.offset}`);
      if (entry.epoch !== this.lastEpoch || this.epochStarts.length === 0) {
        this.epochStarts.push({ epoch: entry.epoch, startOffset: entry.offset });
      }
      this.entries.push(entry);
    }
  }

  /** Drops every entry at or above offset. */
  truncateTo(offset: Offset): void {
    assert(offset >= this.start, `truncate to ${offset} below log start ${this.start}`);
    if (offset >= this.endOffset) return;
    this.entries.length = offset - this.start;
    while (this.epochStarts.length > 0 && this.epochStarts[this.epochStarts.length - 1]!.startOffset >= offset) {
      this.epochStarts.pop();
    }
  }

  /** Forget entries below the snapshot's end: it now covers them. */
  compactTo(snapshotId: SnapshotId): void {
    assert(snapshotId.endOffset <= this.endOffset, 'snapshot beyond the log end');
    if (snapshotId.endOffset <= this.start) return;
    this.entries = this.entries.slice(snapshotId.endOffset - this.start);
    this.start = snapshotId.endOffset;
    this.snapshot = snapshotId;
    this.rebuildEpochStarts();
  }

  /** Replace the whole log with a snapshot (a follower installed one from the leader). */
  resetTo(snapshotId: SnapshotId): void {
    this.entries = [];
    this.epochStarts = [];
    this.start = snapshotId.endOffset;
    this.snapshot = snapshotId;
  }

  /**
   * The largest epoch ≤ `epoch` this log knows and the offset where it ends (the start of the
   * next epoch, or the log end). Null when no such epoch is known (all entries are newer and
   * there is no older snapshot): the asker's log diverges from the very start.
   */
  endOffsetForEpoch(epoch: Epoch): EpochEnd | null {
    for (let i = this.epochStarts.length - 1; i >= 0; i--) {
      const e = this.epochStarts[i]!;
      if (e.epoch <= epoch) {
        const next = this.epochStarts[i + 1];
        return { epoch: e.epoch, endOffset: next ? next.startOffset : this.endOffset };
      }
    }
    if (this.snapshot && this.snapshot.epoch <= epoch) {
      return { epoch: this.snapshot.epoch, endOffset: this.start };
    }
    if (!this.snapshot && this.start === 0) return { epoch: 0, endOffset: 0 };
    return null;
  }

  /** Entries from `from`, at least one if any, until their payloads exceed maxBytes. */
  read(from: Offset, maxBytes: number): LogEntry[] {
    const out: LogEntry[] = [];
    let bytes = 0;
    for (let o = Math.max(from, this.start); o < this.endOffset; o++) {
      const entry = this.entries[o - this.start]!;
      bytes += entry.payload.length + 32;
      if (out.length > 0 && bytes > maxBytes) break;
      out.push(entry);
    }
    return out;
  }

  /** Entries in [from, to). */
  slice(from: Offset, to: Offset): LogEntry[] {
    assert(from >= this.start, `slice from ${from} below log start ${this.start}`);
    return this.entries.slice(from - this.start, to - this.start);
  }

  private rebuildEpochStarts(): void {
    this.epochStarts = [];
    let last: Epoch | null = null;
    for (const entry of this.entries) {
      if (entry.epoch !== last) this.epochStarts.push({ epoch: entry.epoch, startOffset: entry.offset });
      last = entry.epoch;
    }
  }
}
