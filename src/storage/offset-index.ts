// Sparse indexes of one segment, as Kafka keeps them: `.index` maps a relative offset to the
// byte position of the batch holding it (8-byte entries: int32 relative offset, int32 position);
// `.timeindex` maps a timestamp to the first offset at or after which it was reached (12-byte
// entries: int64 timestamp, int32 relative offset). Both are append-only files mirrored in memory;
// entries are strictly increasing. A file that fails these checks is rebuilt from the log.
import { fsyncSync, readFileSync, writeSync, ftruncateSync, existsSync } from 'node:fs';
import { logFiles } from './file-pool.js';

const offsetIndexEntryBytes = 8;
const timeIndexEntryBytes = 12;

export class SegmentIndexes {
  /** Parallel arrays: relative offset → position. */
  private offsets: number[] = [];
  private positions: number[] = [];
  private times: number[] = [];
  private timeOffsets: number[] = [];

  private constructor(
    readonly offsetPath: string,
    readonly timePath: string,
    private readonly baseOffset: number,
  ) {
    // The files are created on the first entry (the pool opens with O_CREAT): an idle partition's
    // empty segment has none. Descriptors come from the shared pool on each use.
  }

  /** Open the index files; returns null entries (caller rebuilds) when they are not consistent with `segmentBytes`. */
  static open(
    offsetPath: string,
    timePath: string,
    baseOffset: number,
    segmentBytes: number,
  ): { indexes: SegmentIndexes; valid: boolean } {
    const ix = new SegmentIndexes(offsetPath, timePath, baseOffset);
    const valid = ix.load(segmentBytes);
    if (!valid) ix.clear();
    return { indexes: ix, valid };
  }

  private load(segmentBytes: number): boolean {
    const o = readIfExists(this.offsetPath);
    const t = readIfExists(this.timePath);
    if (o.length % offsetIndexEntryBytes !== 0 || t.length % timeIndexEntryBytes !== 0) return false;
    for (let p = 0; p < o.length; p += offsetIndexEntryBytes) {
      const rel = o.readInt32BE(p);
      const pos = o.readInt32BE(p + 4);
      const prev = this.offsets.length - 1;
      if (pos < 0 || pos >= segmentBytes || (prev >= 0 && (rel <= this.offsets[prev]! || pos <= this.positions[prev]!)))
        return false;
      this.offsets.push(rel);
      this.positions.push(pos);
    }
    for (let p = 0; p < t.length; p += timeIndexEntryBytes) {
      const ts = Number(t.readBigInt64BE(p));
      const rel = t.readInt32BE(p + 8);
      const prev = this.times.length - 1;
      if (prev >= 0 && (ts <= this.times[prev]! || rel < this.timeOffsets[prev]!)) return false;
      this.times.push(ts);
      this.timeOffsets.push(rel);
    }
    return true;
  }

  clear(): void {
    this.offsets = [];
    this.positions = [];
    this.times = [];
    this.timeOffsets = [];
    for (const path of [this.offsetPath, this.timePath]) if (existsSync(path)) ftruncateSync(logFiles.fd(path), 0);
  }

  get entries(): number {
    return this.offsets.length;
  }

  addOffset(offset: number, position: number): void {
    const rel = offset - this.baseOffset;
    const last = this.offsets.length - 1;
    if (last >= 0 && (rel <= this.offsets[last]! || position <= this.positions[last]!)) return;
    const b = Buffer.allocUnsafe(offsetIndexEntryBytes);
    b.writeInt32BE(rel, 0);
    b.writeInt32BE(position, 4);
    // Written before it is remembered: an entry whose write failed (a full disk) is not used.
    writeSync(logFiles.fd(this.offsetPath), b, 0, b.length, (last + 1) * offsetIndexEntryBytes);
    this.offsets.push(rel);
    this.positions.push(position);
  }

  addTime(timestamp: number, offset: number): void {
    const last = this.times.length - 1;
    if (last >= 0 && timestamp <= this.times[last]!) return;
    const rel = offset - this.baseOffset;
    const b = Buffer.allocUnsafe(timeIndexEntryBytes);
    b.writeBigInt64BE(BigInt(timestamp), 0);
    b.writeInt32BE(rel, 8);
    writeSync(logFiles.fd(this.timePath), b, 0, b.length, (last + 1) * timeIndexEntryBytes);
    this.times.push(timestamp);
    this.timeOffsets.push(rel);
  }

  /** Position of the last indexed batch starting at or before `offset` (0 when none). */
  positionFor(offset: number): number {
    const n = countBelow(this.offsets, offset - this.baseOffset, true);
    return n === 0 ? 0 : this.positions[n - 1]!;
  }

  /** The position of the last indexed batch starting at or before byte `position` (0 when none). */
  positionAtOrBefore(position: number): number {
    const n = countBelow(this.positions, position, true);
    return n === 0 ? 0 : this.positions[n - 1]!;
  }

  /** An offset from which to scan for the first record with timestamp ≥ `timestamp` (the base when none). */
  offsetForTime(timestamp: number): number {
    // The entry before the first one whose timestamp is ≥ target: records between them may qualify.
    const idx = countBelow(this.times, timestamp, false);
    return this.baseOffset + (idx === 0 ? 0 : this.timeOffsets[idx - 1]!);
  }

  /** Drop entries for offsets ≥ `offset` (truncation). */
  truncateTo(offset: number): void {
    const rel = offset - this.baseOffset;
    let n = this.offsets.length;
    while (n > 0 && this.offsets[n - 1]! >= rel) n--;
    this.offsets.length = n;
    this.positions.length = n;
    ftruncateSync(logFiles.fd(this.offsetPath), n * offsetIndexEntryBytes);
    let m = this.timeOffsets.length;
    while (m > 0 && this.timeOffsets[m - 1]! >= rel) m--;
    this.times.length = m;
    this.timeOffsets.length = m;
    ftruncateSync(logFiles.fd(this.timePath), m * timeIndexEntryBytes);
  }

  flush(): void {
    for (const path of [this.offsetPath, this.timePath]) if (existsSync(path)) fsyncSync(logFiles.fd(path));
  }

  close(): void {
    logFiles.close(this.offsetPath);
    logFiles.close(this.timePath);
  }
}

/** How many leading entries of ascending `sorted` are below `key` (or equal to it, with `orEqual`): binary search. */
function countBelow(sorted: readonly number[], key: number, orEqual: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid]!;
    if (v < key || (orEqual && v === key)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The file's bytes; none when it does not exist (a segment that never had an index entry). */
function readIfExists(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw err;
  }
}
