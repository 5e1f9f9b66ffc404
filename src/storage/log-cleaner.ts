// Log compaction for `cleanup.policy=compact` (Kafka's LogCleaner, simplified): over the closed
// segments (never the active one), keep only the newest record of each key; offsets are
// preserved (rebuilt batches keep their base offset and last offset delta, so gaps appear where
// records were dropped). Tombstones (null values) are kept until they are older than
// `delete.retention.ms`; records newer than `min.compaction.lag.ms` are left as they are. A
// segment is rewritten only when the dirty part of the log (closed bytes appended since the last
// clean) is at least `min.cleanable.dirty.ratio`.
//
// Transactions (Kafka's rules, one simplification): batches of aborted transactions (found through
// the segments' aborted-transaction indexes) are removed and their keys do not count; committed
// transactional records are compacted like any other; nothing at or past the first unstable offset
// is cleaned (only closed segments wholly below the first undecided offset are). Control batches (COMMIT/ABORT markers) are
// always kept: Kafka drops a marker once its transaction has no data left and it is older than
// delete.retention.ms, which needs a second, delete-horizon pass this cleaner does not make.
//
// Limits: each closed segment is read and rebuilt in memory, so compacted topics should keep
// `segment.bytes` modest (the cleaner skips segments above cleanerSegmentBytesMax and logs it).
import type { Logger } from 'pino';
import { CompressionCodec } from '../protocol/compression.js';
import { readBatchHeaders, readRecords, rebuildBatch, type KafkaRecord } from '../protocol/record-batch.js';
import type { RecordBatchHeader } from '../protocol/record-batch.js';
import type { Log } from './log.js';

const cleanerSegmentBytesMax = 256 * 1024 * 1024;

interface CleanResult {
  readonly segmentsRewritten: number;
  readonly recordsRemoved: number;
}

const keyOf = (r: KafkaRecord): string | null => (r.key === null ? null : r.key.toString('latin1'));

/** Whether a batch belongs to an aborted transaction, from the log's aborted-transaction indexes. */
function abortedBatches(log: Log, from: number, to: number): (h: RecordBatchHeader) => boolean {
  const byProducer = new Map<number, { firstOffset: number; lastOffset: number }[]>();
  for (const t of log.abortedTransactionRanges(from, to)) {
    const list = byProducer.get(t.producerId) ?? [];
    list.push(t);
    byProducer.set(t.producerId, list);
  }
  return (h) =>
    h.isTransactional &&
    !h.isControl &&
    (byProducer.get(h.producerId)?.some((t) => t.firstOffset <= h.baseOffset && h.baseOffset <= t.lastOffset) ?? false);
}

export class LogCleaner {
  constructor(private readonly logger: Logger) {}

  /**
   * Clean `log` if it is compacted and dirty enough: the closed bytes at or after its first dirty
   * offset (Kafka's cleaner-offset-checkpoint, kept on the log) against all closed bytes.
   */
  maybeClean(log: Log, nowMs: number): CleanResult {
    const none = { segmentsRewritten: 0, recordsRemoved: 0 };
    if (!log.config.compact) return none;
    const segments = log.closedSegments();
    if (segments.length === 0) return none;
    const closedBytes = segments.reduce((n, s) => n + s.sizeBytes, 0);
    const dirty = segments.reduce((n, s) => (s.baseOffset >= log.firstDirtyOffset ? n + s.sizeBytes : n), 0);
    if (closedBytes === 0 || dirty / closedBytes < log.config.minCleanableDirtyRatio) return none;
    const result = this.clean(log, nowMs);
    // The whole closed part now counts as cleaned (a segment left out, unstable or too large, is
    // looked at again on the next clean, not on every backoff).
    log.firstDirtyOffset = Math.max(log.firstDirtyOffset, log.closedSegments().at(-1)?.nextOffset ?? 0);
    return result;
  }

  /** Compact every closed segment of `log` now. */
  clean(log: Log, nowMs: number): CleanResult {
    const cfg = log.config;
    const unstable = log.firstUndecidedOffset ?? Number.MAX_SAFE_INTEGER;
    const cleanable = log.closedSegments();
    const stableCount = cleanable.findIndex((s) => s.nextOffset > unstable);
    const segments = (stableCount < 0 ? cleanable : cleanable.slice(0, stableCount)).filter((s) => {
      if (s.sizeBytes <= cleanerSegmentBytesMax) return true;
      this.logger.warn(
        { dir: log.dir, baseOffset: s.baseOffset, bytes: s.sizeBytes },
        'segment too large for the cleaner; left as it is',
      );
      return false;
    });
    if (segments.length === 0) return { segmentsRewritten: 0, recordsRemoved: 0 };
    const isAborted = abortedBatches(log, segments[0]!.baseOffset, segments.at(-1)!.nextOffset);
    // Pass 1: the newest offset of every key in the closed part (aborted records do not count).
    const latest = new Map<string, number>();
    const contents = segments.map((s) => s.readAt(0, s.sizeBytes));
    for (const buf of contents) {
      for (const h of readBatchHeaders(buf)) {
        if (h.isControl || isAborted(h)) continue;
        for (const r of readRecords(buf, h)) {
          const k = keyOf(r);
          if (k !== null) latest.set(k, r.offset);
        }
      }
    }
    // Pass 2: rebuild each segment from the records still wanted.
    let rewritten = 0;
    let removed = 0;
    segments.forEach((seg, i) => {
      const buf = contents[i]!;
      const parts: Buffer[] = [];
      let dropped = 0;
      for (const h of readBatchHeaders(buf)) {
        const raw = buf.subarray(h.position, h.position + h.sizeInBytes);
        if (h.isControl) {
          parts.push(raw);
          continue;
        }
        if (isAborted(h)) {
          dropped += h.recordsCount;
          continue;
        }
        if (h.maxTimestamp > nowMs - cfg.minCompactionLagMs) {
          parts.push(raw);
          continue;
        }
        const records = readRecords(buf, h);
        const keep = records.filter((r) => {
          const k = keyOf(r);
          if (k === null) return true;
          if (latest.get(k) !== r.offset) return false;
          return r.value !== null || nowMs - r.timestamp <= cfg.deleteRetentionMs;
        });
        dropped += records.length - keep.length;
        if (keep.length === records.length) parts.push(raw);
        else if (keep.length > 0) {
          // zstd cannot be written here (no compressor): cleaned zstd batches are stored uncompressed.
          parts.push(
            rebuildBatch(h, keep, h.compression === CompressionCodec.zstd ? CompressionCodec.none : h.compression),
          );
        }
      }
      if (dropped > 0) {
        log.rewriteSegment(seg, Buffer.concat(parts));
        rewritten++;
        removed += dropped;
      }
    });
    if (rewritten > 0)
      this.logger.info({ dir: log.dir, segmentsRewritten: rewritten, recordsRemoved: removed }, 'compacted log');
    return { segmentsRewritten: rewritten, recordsRemoved: removed };
  }
}
