// The leader-epoch checkpoint of a partition (`leader-epoch-checkpoint`, Kafka's text format:
// a version line "0", a count line, then "<epoch> <startOffset>" per line): the first offset each
// leader epoch wrote. It answers OffsetForLeaderEpoch (the end offset of an epoch is the start of
// the next one, or the log end) and lets a follower find where its log diverged from a new leader.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isStorageError } from './log-dir-health.js';

const leaderEpochCheckpointName = 'leader-epoch-checkpoint';

interface EpochEntry {
  readonly epoch: number;
  readonly startOffset: number;
}

export class LeaderEpochCache {
  private entries: EpochEntry[];

  constructor(private readonly dir: string) {
    this.entries = LeaderEpochCache.read(join(dir, leaderEpochCheckpointName));
  }

  private static read(path: string): EpochEntry[] {
    if (!existsSync(path)) return [];
    const lines = readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    if (lines[0] !== '0') return [];
    const out: EpochEntry[] = [];
    for (const line of lines.slice(2)) {
      const [e, o] = line.trim().split(/\s+/).map(Number);
      if (Number.isInteger(e) && Number.isInteger(o)) out.push({ epoch: e!, startOffset: o! });
    }
    return out;
  }

  latestEpoch(): number {
    return this.entries.at(-1)?.epoch ?? -1;
  }

  all(): readonly EpochEntry[] {
    return this.entries;
  }

  /** Record that `epoch` starts writing at `startOffset` (ignored unless it is a newer epoch). */
  assign(epoch: number, startOffset: number): void {
    const last = this.entries.at(-1);
    if (last && (epoch <= last.epoch || startOffset < last.startOffset)) return;
    // Persisted before it is remembered: if the checkpoint cannot be written (a full disk), the
    // append that needed it fails and the cache stays as the file says.
    const next = [...this.entries, { epoch, startOffset }];
    this.persist(next);
    this.entries = next;
  }

  /**
   * Kafka's endOffsetForEpoch: the largest epoch ≤ `epoch` we know, and the offset where it ended
   * (the next epoch's start, or `logEndOffset` for the latest). [-1, -1] when we know no such epoch.
   */
  endOffsetFor(epoch: number, logEndOffset: number): { epoch: number; endOffset: number } {
    let found = -1;
    for (let i = 0; i < this.entries.length; i++) if (this.entries[i]!.epoch <= epoch) found = i;
    if (found < 0) return { epoch: -1, endOffset: -1 };
    const next = this.entries[found + 1];
    return { epoch: this.entries[found]!.epoch, endOffset: next ? next.startOffset : logEndOffset };
  }

  /** After the log is truncated to `offset`: forget epochs that started at or past it. */
  truncateFromEnd(offset: number): void {
    const n = this.entries.length;
    this.entries = this.entries.filter((e) => e.startOffset < offset);
    if (this.entries.length === n) return;
    try {
      this.persist();
    } catch (err) {
      // A full disk: the file keeps epochs past the log end, which the next persist drops and
      // Log.open trims (it truncates the cache to the log end found). Nothing wrong is served.
      if (!isStorageError(err)) throw err;
    }
  }

  /** After the log start moves to `offset`: the first epoch still present starts there. */
  truncateFromStart(offset: number): void {
    let changed = false;
    while (this.entries.length > 1 && this.entries[1]!.startOffset <= offset) {
      this.entries.shift();
      changed = true;
    }
    const first = this.entries[0];
    if (first && first.startOffset < offset) {
      this.entries[0] = { epoch: first.epoch, startOffset: offset };
      changed = true;
    }
    if (changed) this.persist();
  }

  private persist(entries: readonly EpochEntry[] = this.entries): void {
    const path = join(this.dir, leaderEpochCheckpointName);
    const text = `${['0', String(entries.length), ...entries.map((e) => `${e.epoch} ${e.startOffset}`)].join('\n')}\n`;
    writeFileSync(`${path}.tmp`, text);
    renameSync(`${path}.tmp`, path);
  }
}
