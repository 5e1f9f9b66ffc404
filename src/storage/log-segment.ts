// One segment of a partition log: `<baseOffset>.log` holding RecordBatch v2 bytes exactly as
// appended, with its sparse `.index` / `.timeindex`. Appends go to the end; reads return whole
// batches. Recovery scans from the start, checks every batch (size, magic 2, CRC32C, offsets
// increasing) and truncates at the first one that fails: a torn tail after kill -9 is cut, and a
// corrupt batch is never served. File names are the base offset, zero-padded to 20 digits.
import { fstatSync, fsyncSync, ftruncateSync, readSync, rmSync, writeSync } from 'node:fs';
import { logFiles } from './file-pool.js';
import { slowDiskSync } from '../common/fault-hooks.js';
import { join } from 'node:path';
import {
  batchHeaderBytes,
  computeBatchCrc,
  readBatchHeader,
  type RecordBatchHeader as BatchHeader,
} from '../protocol/record-batch.js';
import { SegmentIndexes } from './offset-index.js';
import { TransactionIndex } from './transaction-index.js';

/**
 * The write call appends go through: `writeSync`, replaced only by unit tests that inject a
 * failure (ENOSPC after a partial write) to check that a failed append leaves nothing behind.
 */
export const segmentIo: { write: typeof writeSync } = { write: writeSync };

export const segmentFileName = (baseOffset: number, suffix: string): string =>
  `${String(baseOffset).padStart(20, '0')}${suffix}`;

/** How much of a segment one read pulls in while walking batch headers. */
const scanChunkBytes = 256 * 1024;
/** How much one step of an offset lookup reads (index entries are `index.interval.bytes` apart, 4 KiB by default). */
const findChunkBytes = 16 * 1024;
/** The offset lookup's scratch: find() runs to completion without yielding, so one buffer serves every segment. */
const findScratch = Buffer.allocUnsafeSlow(findChunkBytes);

/**
 * The whole batches at the start of `buf[0, length)` that start before `maxOffsetExclusive`: their
 * bytes and the offset after the last one. Reads four fields per batch, allocates nothing; stops at
 * a batch cut off by `length` or at bytes that cannot be a batch (reads stop there, as recovery does).
 */
export function wholeBatchesIn(
  buf: Buffer,
  length: number,
  maxOffsetExclusive: number,
): { bytes: number; nextOffset: number } {
  let at = 0;
  let nextOffset = -1;
  while (at + batchHeaderBytes <= length) {
    const size = buf.readInt32BE(at + 8) + 12;
    const baseOffset = buf.readInt32BE(at) * 4294967296 + buf.readUInt32BE(at + 4);
    if (size < batchHeaderBytes || at + size > length || buf[at + 16] !== 2 || baseOffset >= maxOffsetExclusive) break;
    nextOffset = baseOffset + buf.readInt32BE(at + 23) + 1;
    at += size;
  }
  return { bytes: at, nextOffset };
}
/** Largest batch recovery accepts (a bigger length field is treated as corruption). */
const batchBytesMax = 64 * 1024 * 1024;

interface RecoveryResult {
  readonly validBytes: number;
  readonly truncatedBytes: number;
  readonly batches: number;
}

export class LogSegment {
  /** The `.log` file; its descriptor comes from the shared pool on each use. */
  private readonly path: string;
  private bytes: number;
  private bytesSinceIndex = 0;
  /** Next offset after the last batch in this segment (= baseOffset when empty). */
  nextOffset: number;
  /** Largest batch max-timestamp seen, -1 when none. */
  maxTimestamp = -1;
  /** When the segment was created or opened, for `segment.ms` rolling. */
  readonly createdAtMs: number;
  private indexes: SegmentIndexes;
  /** Aborted transactions whose ABORT marker is in this segment. */
  readonly txnIndex: TransactionIndex;

  private constructor(
    readonly dir: string,
    readonly baseOffset: number,
    private readonly indexIntervalBytes: number,
    nowMs: number,
  ) {
    this.path = join(dir, segmentFileName(baseOffset, '.log'));
    this.bytes = fstatSync(logFiles.fd(this.path)).size; // created empty if missing
    this.nextOffset = baseOffset;
    this.createdAtMs = nowMs;
    this.indexes = SegmentIndexes.open(
      join(dir, segmentFileName(baseOffset, '.index')),
      join(dir, segmentFileName(baseOffset, '.timeindex')),
      baseOffset,
      this.bytes,
    ).indexes;
    this.txnIndex = new TransactionIndex(join(dir, segmentFileName(baseOffset, '.txnindex')));
  }

  static create(dir: string, baseOffset: number, indexIntervalBytes: number, nowMs: number): LogSegment {
    const s = new LogSegment(dir, baseOffset, indexIntervalBytes, nowMs);
    if (s.bytes !== 0) s.truncateBytes(0);
    s.indexes.clear();
    s.txnIndex.clear();
    return s;
  }

  /**
   * Open an existing segment. With `recover`, every batch is checked and the segment truncated
   * at the first bad one; without, the segment is trusted (it is below the recovery point) and
   * only its last batch is read to learn the next offset.
   */
  static open(
    dir: string,
    baseOffset: number,
    indexIntervalBytes: number,
    nowMs: number,
    recover: boolean,
  ): { segment: LogSegment; recovery: RecoveryResult | null } {
    const s = new LogSegment(dir, baseOffset, indexIntervalBytes, nowMs);
    if (recover || s.indexes.entries === 0) return { segment: s, recovery: s.recover() };
    s.scanFrom(s.indexes.positionFor(Number.MAX_SAFE_INTEGER), false);
    return { segment: s, recovery: null };
  }

  get sizeBytes(): number {
    return this.bytes;
  }

  /**
   * Append batches (already offset-assigned); `headers` are their parsed headers in order. The
   * bytes are written first, then the index entries; if any write fails (a full disk: ENOSPC) the
   * file is cut back to where it was, the indexes and offsets are restored and the error is
   * rethrown: a failed append leaves the segment exactly as before, nothing of it readable.
   */
  append(buf: Buffer, headers: readonly BatchHeader[]): void {
    let at = 0;
    for (const h of headers) at += h.sizeInBytes;
    const before = {
      bytes: this.bytes,
      bytesSinceIndex: this.bytesSinceIndex,
      nextOffset: this.nextOffset,
      maxTimestamp: this.maxTimestamp,
    };
    try {
      let written = 0;
      slowDiskSync();
      while (written < at)
        written += segmentIo.write(logFiles.fd(this.path), buf, written, at - written, before.bytes + written);
      let pos = before.bytes;
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
        this.nextOffset = h.baseOffset + h.lastOffsetDelta + 1;
      }
    } catch (err) {
      // The segment's own state first (reads are clamped to `bytes`: the torn bytes are never
      // served), then the files: cutting a file back needs no free space.
      this.bytesSinceIndex = before.bytesSinceIndex;
      this.nextOffset = before.nextOffset;
      this.maxTimestamp = before.maxTimestamp;
      this.truncateBytes(before.bytes);
      if (headers[0]) this.indexes.truncateTo(headers[0].baseOffset);
      throw err;
    }
    this.bytes += at;
  }

  /**
   * Read `length` bytes at `position` (clamped to the segment), in one syscall when the kernel
   * gives them all; into a buffer from `alloc` (which may be longer: the answer is a view of it).
   */
  readAt(position: number, length: number, alloc: (bytes: number) => Buffer = Buffer.allocUnsafe): Buffer {
    const n = Math.max(0, Math.min(length, this.bytes - position));
    const out = alloc(n);
    const done = this.readInto(out, position, n);
    return done === out.length ? out : out.subarray(0, done);
  }

  /**
   * Batch headers from `position` on, read from the file in chunks (one syscall per chunk, not
   * per batch: a partition of tiny batches is walked at memory speed). Stops at the end or at
   * the first bytes that are not a v2 batch header.
   */
  *headersFrom(position: number): Generator<{ readonly position: number; readonly header: BatchHeader }> {
    let chunkStart = position;
    let chunk = this.readAt(position, scanChunkBytes);
    let pos = position;
    while (pos + batchHeaderBytes <= this.bytes) {
      if (pos + batchHeaderBytes > chunkStart + chunk.length) {
        chunkStart = pos;
        chunk = this.readAt(pos, scanChunkBytes);
      }
      let header: BatchHeader;
      try {
        header = readBatchHeader(chunk, pos - chunkStart);
      } catch {
        return; // not a v2 batch header: recovery cuts here, reads stop here
      }
      yield { position: pos, header };
      pos += header.sizeInBytes;
    }
  }

  /**
   * Position of the first batch whose last offset is ≥ `offset`, with its header; null when none.
   * The walk from the sparse index entry reads small chunks into one shared scratch buffer (it
   * never yields, so nothing else uses the scratch meanwhile): a lookup copies a few KiB, not a
   * fresh scan chunk.
   */
  find(offset: number): { position: number; header: BatchHeader } | null {
    let pos = this.indexes.positionFor(offset);
    let chunkStart = pos;
    let chunkEnd = pos;
    while (pos + batchHeaderBytes <= this.bytes) {
      if (pos + batchHeaderBytes > chunkEnd) {
        chunkStart = pos;
        chunkEnd = pos + this.readInto(findScratch, pos, findChunkBytes);
        if (pos + batchHeaderBytes > chunkEnd) return null;
      }
      let header: BatchHeader;
      try {
        header = readBatchHeader(findScratch.subarray(0, chunkEnd - chunkStart), pos - chunkStart);
      } catch {
        return null; // not a v2 batch header: reads stop here
      }
      if (header.baseOffset + header.lastOffsetDelta >= offset) return { position: pos, header };
      pos += header.sizeInBytes;
    }
    return null;
  }

  /** Reads up to `length` bytes at `position` into the start of `buf` (clamped to both ends): the bytes read. */
  private readInto(buf: Buffer, position: number, length: number): number {
    const n = Math.max(0, Math.min(length, buf.length, this.bytes - position));
    let done = 0;
    while (done < n) {
      const r = readSync(logFiles.fd(this.path), buf, done, n - done, position + done);
      if (r === 0) break;
      done += r;
    }
    return done;
  }

  /**
   * Whole batches from the one holding `offset`, up to `maxBytes` (but at least one batch when
   * `minOneBatch`), stopping before any batch that starts at or after `maxOffsetExclusive`. The
   * bytes are read in one call into a buffer from `alloc` and cut at the last whole batch by a
   * walk over the headers in memory (no second read, no copy); `nextOffset` is the offset after
   * the last batch returned (the start offset when none).
   */
  readBatches(
    offset: number,
    maxBytes: number,
    maxOffsetExclusive: number,
    minOneBatch: boolean,
    alloc: (bytes: number) => Buffer = Buffer.allocUnsafe,
  ): { records: Buffer; nextOffset: number } | null {
    const start = this.find(offset);
    if (!start) return null;
    const none = { records: Buffer.alloc(0), nextOffset: offset };
    if (start.header.baseOffset >= maxOffsetExclusive) return none;
    // Where the high watermark cuts: the first batch starting at or past it.
    let cap = this.bytes;
    if (maxOffsetExclusive < this.nextOffset) {
      const at = this.find(maxOffsetExclusive);
      if (at) cap = at.header.baseOffset >= maxOffsetExclusive ? at.position : at.position + at.header.sizeInBytes;
    }
    const first = start.header.sizeInBytes;
    let want = Math.min(cap - start.position, Math.max(0, maxBytes));
    if (want < first) {
      if (!minOneBatch) return none;
      want = first;
    }
    const buf = this.readAt(start.position, want, alloc);
    const cut = wholeBatchesIn(buf, Math.min(want, buf.length), maxOffsetExclusive);
    if (cut.bytes === 0) return none;
    return { records: buf.subarray(0, cut.bytes), nextOffset: cut.nextOffset };
  }

  /** As readBatches, the bytes only (null: `offset` lies past this segment's last batch). */
  read(offset: number, maxBytes: number, maxOffsetExclusive: number, minOneBatch: boolean): Buffer | null {
    return this.readBatches(offset, maxBytes, maxOffsetExclusive, minOneBatch)?.records ?? null;
  }

  /** The first batch whose max timestamp is ≥ `timestamp`; null when none. */
  findByTimestamp(timestamp: number): { position: number; header: BatchHeader } | null {
    const from = this.find(this.indexes.offsetForTime(timestamp))?.position ?? this.bytes;
    for (const b of this.headersFrom(from)) if (b.header.maxTimestamp >= timestamp) return b;
    return null;
  }

  /** Walks batches from `position`, rebuilding indexes when `reindex`, checking CRCs when `check`. */
  private scanFrom(position: number, check: boolean, reindex = false): RecoveryResult {
    let pos = position;
    let batches = 0;
    let prevNext = this.nextOffset;
    let chunkStart = pos;
    let chunk: Buffer = Buffer.alloc(0);
    // The bytes [at, at + length) of the file, from the current chunk or a fresh read.
    const bytesAt = (at: number, length: number): Buffer => {
      if (at < chunkStart || at + length > chunkStart + chunk.length) {
        chunkStart = at;
        chunk = this.readAt(at, Math.max(scanChunkBytes, length));
      }
      return chunk.subarray(at - chunkStart, at - chunkStart + length);
    };
    if (reindex) this.bytesSinceIndex = this.indexIntervalBytes;
    while (pos + batchHeaderBytes <= this.bytes) {
      let h: BatchHeader;
      try {
        h = readBatchHeader(bytesAt(pos, batchHeaderBytes), 0);
      } catch {
        break;
      }
      if (h.sizeInBytes < batchHeaderBytes || h.sizeInBytes > batchBytesMax || pos + h.sizeInBytes > this.bytes) break;
      if (check) {
        if (h.magic !== 2 || h.lastOffsetDelta < 0 || h.baseOffset < prevNext) break;
        if (computeBatchCrc(bytesAt(pos, h.sizeInBytes), 0, h.sizeInBytes) !== h.crc) break;
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
      prevNext = h.baseOffset + h.lastOffsetDelta + 1;
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
    this.txnIndex.truncateTo(at.header.baseOffset);
    this.nextOffset = Math.max(this.baseOffset, at.header.baseOffset);
    // The max timestamp may have been in the removed part: recompute from what remains.
    this.maxTimestamp = -1;
    this.nextOffset = this.baseOffset;
    this.scanFrom(0, false);
  }

  private truncateBytes(size: number): void {
    ftruncateSync(logFiles.fd(this.path), size);
    this.bytes = size;
  }

  flush(): void {
    slowDiskSync();
    fsyncSync(logFiles.fd(this.path));
    this.indexes.flush();
    this.txnIndex.flush();
  }

  close(): void {
    logFiles.close(this.path);
    this.indexes.close();
    this.txnIndex.close();
  }

  /** Close and remove the segment's files. */
  delete(): void {
    this.close();
    for (const suffix of ['.log', '.index', '.timeindex', '.txnindex'])
      rmSync(join(this.dir, segmentFileName(this.baseOffset, suffix)), { force: true });
  }
}
