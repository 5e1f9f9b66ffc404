// One segment of a partition log: `<baseOffset>.log` holding RecordBatch v2 bytes exactly as
// appended, with its sparse `.index` / `.timeindex`. Appends go to the end; reads return whole
// batches. Recovery scans from the start, checks every batch (size, magic 2, CRC32C, offsets
// increasing) and truncates at the first one that fails: a torn tail after kill -9 is cut, and a
// corrupt batch is never served. File names are the base offset, zero-padded to 20 digits.
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { batchHeaderBytes, computeBatchCrc, readBatchHeader, type RecordBatchHeader as BatchHeader } from '../protocol/record-batch.js';
import { SegmentIndexes } from './offset-index.js';

export const segmentFileName = (baseOffset: number, suffix: string): string => `${String(baseOffset).padStart(20, '0')}${suffix}`;

/** Largest batch recovery accepts (a bigger length field is treated as corruption). */
const batchBytesMax = 64 * 1024 * 1024;

export interface RecoveryResult {
  readonly validBytes: number;
  readonly truncatedBytes: number;
  readonly batches: number;
}

export class LogSegment {
  private fd: number;
  private bytes: number;
  private bytesSinceIndex = 0;
  /** Next offset after the last batch in this segment (= baseOffset when empty). */
  nextOffset: number;
  /** Largest batch max-timestamp seen, -1 when none. */
  maxTimestamp = -1;
  /** When the segment was created or opened, for `segment.ms` rolling. */
  readonly createdAtMs: number;
  private indexes: SegmentIndexes;

  private constructor(
    readonly dir: string,
    readonly baseOffset: number,
    private readonly indexIntervalBytes: number,
    nowMs: number,
  ) {
    const path = join(dir, segmentFileName(baseOffset, '.log'));
    this.fd = openSync(path, existsSync(path) ? 'r+' : 'w+');
    this.bytes = fstatSync(this.fd).size;
    this.nextOffset = baseOffset;
    this.createdAtMs = nowMs;
    this.indexes = SegmentIndexes.open(join(dir, segmentFileName(baseOffset, '.index')), join(dir, segmentFileName(baseOffset, '.timeindex')), baseOffset, this.bytes).indexes;
  }

  static create(dir: string, baseOffset: number, indexIntervalBytes: number, nowMs: number): LogSegment {
    const s = new LogSegment(dir, baseOffset, indexIntervalBytes, nowMs);
    if (s.bytes !== 0) s.truncateBytes(0);
    s.indexes.clear();
    return s;
  }

  /**
   * Open an existing segment. With `recover`, every batch is checked and the segment truncated
   * at the first bad one; without, the segment is trusted (it is below the recovery point) and
   * only its last batch is read to learn the next offset.
   */
  static open(dir: string, baseOffset: number, indexIntervalBytes: number, nowMs: number, recover: boolean): { segment: LogSegment; recovery: RecoveryResult | null } {
    const s = new LogSegment(dir, baseOffset, indexIntervalBytes, nowMs);
    if (recover || s.indexes.entries === 0) return { segment: s, recovery: s.recover() };
    s.scanFrom(s.indexes.positionFor(Number.MAX_SAFE_INTEGER), false);
    return { segment: s, recovery: null };
  }

  get sizeBytes(): number {
    return this.bytes;
  }

  /** Append batches (already offset-assigned); `headers` are their parsed headers in order. */
  append(buf: Buffer, headers: readonly BatchHeader[]): void {
    let pos = this.bytes;
    let at = 0;
    for (const h of headers) {
      if (this.bytesSinceIndex >= this.indexIntervalBytes || this.indexes.entries === 0) {
        this.indexes.addOffset(h.baseOffset, pos);
        this.bytesSinceIndex = 0;
      }
      if (h.maxTimestamp > this.maxTimestamp) {
        this.maxTimestamp = h.maxTimestamp;
        this.indexes.addTime(h.maxTimestamp, h.baseOffset);
      }
      this.bytesSinceIndex += h.sizeInBytes;
      pos += h.sizeInBytes;
      at += h.sizeInBytes;
      this.nextOffset = (h.baseOffset + h.lastOffsetDelta) + 1;
    }
    let written = 0;
    while (written < at) written += writeSync(this.fd, buf, written, at - written, this.bytes + written);
    this.bytes += at;
  }

  /** Read `length` bytes at `position` (clamped to the segment). */
  readAt(position: number, length: number): Buffer {
    const n = Math.max(0, Math.min(length, this.bytes - position));
    const out = Buffer.allocUnsafe(n);
    let done = 0;
    while (done < n) {
      const r = readSync(this.fd, out, done, n - done, position + done);
      if (r === 0) break;
      done += r;
    }
    return done === n ? out : out.subarray(0, done);
  }

  /** Header of the batch at `position`, or null past the end. */
  headerAt(position: number): BatchHeader | null {
    if (position + batchHeaderBytes > this.bytes) return null;
    try {
      return readBatchHeader(this.readAt(position, batchHeaderBytes), 0);
    } catch {
      return null; // not a v2 batch header: recovery cuts here, reads stop here
    }
  }

  /** Position of the first batch whose last offset is ≥ `offset`, with its header; null when none. */
  find(offset: number): { position: number; header: BatchHeader } | null {
    let pos = this.indexes.positionFor(offset);
    for (;;) {
      const h = this.headerAt(pos);
      if (!h) return null;
      if ((h.baseOffset + h.lastOffsetDelta) >= offset) return { position: pos, header: h };
      pos += h.sizeInBytes;
    }
  }

  /**
   * Whole batches from the one holding `offset`, up to `maxBytes` (but at least one batch when
   * `minOneBatch`), stopping before any batch that starts at or after `maxOffsetExclusive`.
   */
  read(offset: number, maxBytes: number, maxOffsetExclusive: number, minOneBatch: boolean): Buffer | null {
    const start = this.find(offset);
    if (!start) return null;
    let end = start.position;
    let h: BatchHeader | null = start.header;
    while (h && h.baseOffset < maxOffsetExclusive) {
      const next = end + h.sizeInBytes;
      if (next - start.position > maxBytes && !(minOneBatch && end === start.position)) break;
      end = next;
      h = this.headerAt(end);
    }
    return end === start.position ? Buffer.alloc(0) : this.readAt(start.position, end - start.position);
  }

  /** First offset whose batch max timestamp is ≥ `timestamp`, at batch granularity; null when none. */
  findByTimestamp(timestamp: number): { position: number; header: BatchHeader } | null {
    let pos = this.find(this.indexes.offsetForTime(timestamp))?.position ?? this.bytes;
    for (;;) {
      const h = this.headerAt(pos);
      if (!h) return null;
      if (h.maxTimestamp >= timestamp) return { position: pos, header: h };
      pos += h.sizeInBytes;
    }
  }

  /** Walks batches from `position`, rebuilding indexes when `reindex`, checking CRCs when `check`. */
  private scanFrom(position: number, check: boolean, reindex = false): RecoveryResult {
    let pos = position;
    let batches = 0;
    let prevNext = this.nextOffset;
    if (reindex) this.bytesSinceIndex = this.indexIntervalBytes;
    for (;;) {
      const h = this.headerAt(pos);
      if (!h) break;
      if (h.sizeInBytes < batchHeaderBytes || h.sizeInBytes > batchBytesMax || pos + h.sizeInBytes > this.bytes) break;
      if (check) {
        if (h.magic !== 2 || h.lastOffsetDelta < 0 || h.baseOffset < prevNext) break;
        if (computeBatchCrc(this.readAt(pos, h.sizeInBytes), 0, h.sizeInBytes) !== h.crc) break;
      }
      if (reindex) {
        if (this.bytesSinceIndex >= this.indexIntervalBytes) {
          this.indexes.addOffset(h.baseOffset, pos);
          this.bytesSinceIndex = 0;
        }
        this.bytesSinceIndex += h.sizeInBytes;
      }
      if (h.maxTimestamp > this.maxTimestamp) {
        this.maxTimestamp = h.maxTimestamp;
        if (reindex) this.indexes.addTime(h.maxTimestamp, h.baseOffset);
      }
      prevNext = (h.baseOffset + h.lastOffsetDelta) + 1;
      this.nextOffset = prevNext;
      pos += h.sizeInBytes;
      batches++;
    }
    return { validBytes: pos, truncatedBytes: this.bytes - pos, batches };
  }

  /** Check every batch, truncate the invalid tail, rebuild the indexes. */
  recover(): RecoveryResult {
    this.indexes.clear();
    this.nextOffset = this.baseOffset;
    this.maxTimestamp = -1;
    const r = this.scanFrom(0, true, true);
    if (r.truncatedBytes > 0) this.truncateBytes(r.validBytes);
    return r;
  }

  /** Remove every batch at or after `offset` (that offset must start a batch or lie past the end). */
  truncateTo(offset: number): void {
    const at = this.find(offset);
    if (!at) return;
    this.truncateBytes(at.position);
    this.indexes.truncateTo(at.header.baseOffset);
    this.nextOffset = Math.max(this.baseOffset, at.header.baseOffset);
    // The max timestamp may have been in the removed part: recompute from what remains.
    this.maxTimestamp = -1;
    this.nextOffset = this.baseOffset;
    this.scanFrom(0, false);
  }

  private truncateBytes(size: number): void {
    ftruncateSync(this.fd, size);
    this.bytes = size;
  }

  flush(): void {
    fsyncSync(this.fd);
    this.indexes.flush();
  }

  close(): void {
    closeSync(this.fd);
    this.indexes.close();
  }

  /** Close and remove the segment's files. */
  delete(): void {
    this.close();
    for (const suffix of ['.log', '.index', '.timeindex']) rmSync(join(this.dir, segmentFileName(this.baseOffset, suffix)), { force: true });
  }
}
