// A partition's log: an ordered list of segments in `<log.dirs>/<topic>-<partition>/`, the log
// start offset (moved by retention and DeleteRecords), the leader-epoch cache and the flush
// policy. Batches arrive already validated by the protocol layer; the log assigns offsets by
// patching each batch header, never re-encoding records, and serves whole batches.
//
// Invariants: segments are contiguous and increasing; the active (last) segment is the only one
// appended to; logStartOffset ≤ logEndOffset; nothing below logStartOffset is served.
import { writeFileDurably } from '../common/durable-files.js';
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { assert } from '../common/assert.js';
import { maybePauseInside } from '../common/fault-hooks.js';
import { ErrorCode } from '../common/errors.js';
import {
  buildRecordBatch,
  readBatchHeaders,
  setBaseOffset,
  setLogAppendTime,
  setPartitionLeaderEpoch,
  type RecordBatchHeader as BatchHeader,
} from '../protocol/record-batch.js';
import { LeaderEpochCache } from './leader-epoch-cache.js';
import { isStorageError, type LogDirWriteState } from './log-dir-health.js';
import type { LogConfig } from './log-config.js';
import { LogSegment, segmentFileName } from './log-segment.js';
import {
  deleteSnapshotFile,
  listSnapshotOffsets,
  readSnapshotFile,
  snapshotFileName,
  writeSnapshotFile,
} from './producer-snapshot.js';
import {
  incrementSequence,
  ProducerStateManager,
  type CompletedTxn,
  type ProducerStateView,
} from './producer-state.js';
import { batchEndTxnMarker, encodeEndTxnMarker } from '../protocol/control-records.js';

export interface AppendInfo {
  readonly baseOffset: number;
  readonly lastOffset: number;
  /** The broker's time when the topic uses LogAppendTime, else -1. */
  readonly logAppendTimeMs: number;
  readonly batches: number;
  readonly records: number;
  /**
   * The batch was a retry of one already in the log (same producer, epoch and sequences): nothing
   * was written and the offsets are the original batch's.
   */
  readonly duplicate: boolean;
}

/** The leader refused an append (nothing was written): a Kafka error code for the producer. */
export interface AppendRefused {
  readonly errorCode: number;
  readonly message: string;
}

/** An aborted transaction overlapping a read-committed fetch (what Fetch lists to the consumer). */
export interface AbortedTransaction {
  readonly producerId: number;
  readonly firstOffset: number;
}

/** Told how long each flush (fsync) of a log took, in seconds; the broker times them in /metrics. */
export type FlushObserver = (seconds: number) => void;

type ReadResult =
  | { readonly ok: true; readonly records: Buffer; readonly nextOffset: number }
  | { readonly ok: false; readonly reason: 'offset-out-of-range' };

/** Headers of every batch in `buf`, which must hold whole batches only. */
function batchHeaders(buf: Buffer): BatchHeader[] {
  const headers = readBatchHeaders(buf);
  const covered = headers.reduce((n, h) => n + h.sizeInBytes, 0);
  assert(covered === buf.length, 'appended bytes hold whole batches');
  return headers;
}

export class Log {
  private segments: LogSegment[] = [];
  private startOffset = 0;
  /** Called after the log start moved (DeleteRecords, retention): the leader tells its fetch sessions. */
  onLogStartMoved: (() => void) | null = null;
  private unflushedMessages = 0;
  private lastFlushMs: number;
  /** Offsets below this are on disk (fsynced); recovery after a crash starts here. */
  private flushedOffset = 0;
  /**
   * The partition's high watermark as last told (highWatermarkMoved), or as read from Kafka's
   * `replication-offset-checkpoint` at open: written back there, so a restarted broker serves
   * what was committed before without waiting for its followers.
   */
  private hwm = 0;
  /** The cleaner's first dirty offset (Kafka's `cleaner-offset-checkpoint`): below it the log is compacted. */
  firstDirtyOffset = 0;
  readonly epochs: LeaderEpochCache;
  private readonly producers: ProducerStateManager;

  private constructor(
    readonly dir: string,
    private cfg: LogConfig,
    private readonly logger: Logger,
    nowMs: number,
    private readonly onFlush: FlushObserver | undefined,
    private readonly writeState: LogDirWriteState | undefined,
  ) {
    this.lastFlushMs = nowMs;
    this.epochs = new LeaderEpochCache(dir);
    this.producers = new ProducerStateManager(cfg.producerIdExpirationMs);
  }

  /**
   * Open (or create) the log in `dir`. Segments at or after `recoveryPoint` are checked batch by
   * batch and cut at the first invalid one; any later segment is then dropped.
   */
  static open(
    dir: string,
    config: LogConfig,
    opts: {
      recoveryPoint: number;
      logStartOffset: number;
      nowMs: number;
      logger: Logger;
      onFlush?: FlushObserver;
      /** Where failed and recovered appends are reported (the log dir's state); none in unit tests. */
      writeState?: LogDirWriteState;
      /** From `replication-offset-checkpoint`; bounded by the log end found. */
      highWatermark?: number;
      /** From `cleaner-offset-checkpoint`. */
      firstDirtyOffset?: number;
    },
  ): Log {
    // A directory made just now holds nothing to recover (the common case for a new partition).
    const isNew = mkdirSync(dir, { recursive: true }) !== undefined;
    const log = new Log(dir, config, opts.logger, opts.nowMs, opts.onFlush, opts.writeState);
    const names = isNew ? [] : readdirSync(dir);
    const bases = names
      .filter((n) => /^\d{20}\.log$/.test(n))
      .map((n) => Number(n.slice(0, 20)))
      .sort((a, b) => a - b);
    for (const name of names)
      if (name.endsWith('.cleaned') || name.endsWith('.deleted') || name.endsWith('.tmp'))
        rmSync(join(dir, name), { force: true });
    let truncatedBytes = 0;
    let firstRecovered: number | null = null;
    for (let i = 0; i < bases.length; i++) {
      const base = bases[i]!;
      const nextBase = bases[i + 1];
      const recover = nextBase === undefined || nextBase > opts.recoveryPoint;
      const { segment, recovery } = LogSegment.open(dir, base, config.indexIntervalBytes, opts.nowMs, recover);
      log.segments.push(segment);
      if (recovery && firstRecovered === null) firstRecovered = base;
      if (recovery && recovery.truncatedBytes > 0) {
        truncatedBytes += recovery.truncatedBytes;
        // Everything after a cut segment is unreachable: drop it.
        for (const later of bases.slice(i + 1))
          LogSegment.open(dir, later, config.indexIntervalBytes, opts.nowMs, false).segment.delete();
        break;
      }
    }
    if (log.segments.length === 0)
      log.segments.push(
        LogSegment.create(dir, Math.max(0, opts.logStartOffset), config.indexIntervalBytes, opts.nowMs),
      );
    log.startOffset = Math.max(opts.logStartOffset, log.segments[0]!.baseOffset);
    log.epochs.truncateFromEnd(log.logEndOffset);
    log.loadProducerState(firstRecovered ?? log.logEndOffset, opts.nowMs);
    log.flushedOffset = log.logEndOffset;
    log.hwm = Math.max(log.startOffset, Math.min(opts.highWatermark ?? 0, log.logEndOffset));
    log.firstDirtyOffset = Math.max(log.startOffset, Math.min(opts.firstDirtyOffset ?? 0, log.logEndOffset));
    if (truncatedBytes > 0)
      opts.logger.warn(
        { dir, truncatedBytes, logEndOffset: log.logEndOffset },
        'log recovery truncated an invalid tail',
      );
    else opts.logger.debug({ dir, logEndOffset: log.logEndOffset }, 'log opened');
    return log;
  }

  get config(): LogConfig {
    return this.cfg;
  }

  updateConfig(config: LogConfig): void {
    this.cfg = config;
    this.producers.setExpirationMs(config.producerIdExpirationMs);
  }

  get logEndOffset(): number {
    return this.active.nextOffset;
  }

  get logStartOffset(): number {
    return this.startOffset;
  }

  /** Offsets below this survived an fsync. */
  get recoveryPoint(): number {
    return this.flushedOffset;
  }

  get sizeBytes(): number {
    return this.segments.reduce((n, s) => n + s.sizeBytes, 0);
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  private get active(): LogSegment {
    return this.segments[this.segments.length - 1]!;
  }

  /**
   * Append as the partition leader: offsets are assigned from the log end. Batches of idempotent
   * and transactional producers are checked against the producer state first; a refusal writes
   * nothing, and a retried batch is answered with its original offsets (`duplicate`).
   */
  appendAsLeader(buf: Buffer, leaderEpoch: number, nowMs: number): AppendInfo | AppendRefused {
    const headers = batchHeaders(buf);
    const checked = this.checkProducers(headers);
    if (checked !== null) return checked;
    return this.appendAssigned(buf, headers, leaderEpoch, nowMs);
  }

  /** The producer-state verdict on a leader append: null to go ahead. */
  private checkProducers(headers: readonly BatchHeader[]): AppendInfo | AppendRefused | null {
    // Several batches of one producer in one append follow each other, not the stored state.
    const pending = new Map<number, { epoch: number; lastSeq: number }>();
    for (const h of headers) {
      if (h.producerId < 0) continue;
      const prev = pending.get(h.producerId);
      if (prev) {
        if (h.producerEpoch !== prev.epoch || h.baseSequence !== incrementSequence(prev.lastSeq, 1))
          return {
            errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
            message: `producer ${h.producerId}: batch at sequence ${h.baseSequence} does not follow ${prev.lastSeq} in the same request`,
          };
      } else {
        const r = this.producers.check(h);
        if (r.kind === 'error') return { errorCode: r.errorCode, message: r.message };
        if (r.kind === 'duplicate')
          return {
            baseOffset: r.firstOffset,
            lastOffset: r.lastOffset,
            logAppendTimeMs: this.cfg.logAppendTime ? r.timestamp : -1,
            batches: 0,
            records: 0,
            duplicate: true,
          };
      }
      pending.set(h.producerId, {
        epoch: h.producerEpoch,
        lastSeq: incrementSequence(h.baseSequence, h.lastOffsetDelta),
      });
    }
    return null;
  }

  private appendAssigned(
    buf: Buffer,
    headers: readonly BatchHeader[],
    leaderEpoch: number,
    nowMs: number,
  ): AppendInfo | AppendRefused {
    const baseOffset = this.logEndOffset;
    let next = baseOffset;
    let pos = 0;
    let records = 0;
    const patched: BatchHeader[] = [];
    for (const h of headers) {
      setBaseOffset(buf, pos, next);
      setPartitionLeaderEpoch(buf, pos, leaderEpoch);
      if (this.cfg.logAppendTime) setLogAppendTime(buf, pos, nowMs);
      patched.push({
        ...h,
        baseOffset: next,
        partitionLeaderEpoch: leaderEpoch,
        maxTimestamp: this.cfg.logAppendTime ? nowMs : h.maxTimestamp,
      });
      next += h.lastOffsetDelta + 1;
      records += h.recordsCount;
      pos += h.sizeInBytes;
    }
    const refused = this.store(buf, patched, records, nowMs);
    if (refused) return refused;
    return {
      baseOffset,
      lastOffset: next - 1,
      logAppendTimeMs: this.cfg.logAppendTime ? nowMs : -1,
      batches: headers.length,
      records,
      duplicate: false,
    };
  }

  /**
   * Append one COMMIT or ABORT marker (a control batch) for `producerId` as the leader
   * (WriteTxnMarkers). Refused with PRODUCER_FENCED when the marker's producer epoch is older than
   * the partition's, TRANSACTION_COORDINATOR_FENCED when its coordinator epoch is older.
   */
  appendControlMarker(
    producerId: number,
    producerEpoch: number,
    type: number,
    coordinatorEpoch: number,
    leaderEpoch: number,
    nowMs: number,
  ): AppendInfo | AppendRefused {
    const r = this.producers.checkMarker(producerId, producerEpoch, coordinatorEpoch);
    if (r.kind === 'error') return { errorCode: r.errorCode, message: r.message };
    const { key, value } = encodeEndTxnMarker({ type, coordinatorEpoch });
    const buf = buildRecordBatch([{ key, value, timestamp: nowMs }], {
      producerId,
      producerEpoch,
      baseSequence: -1,
      transactional: true,
      control: true,
    });
    return this.appendAssigned(buf, batchHeaders(buf), leaderEpoch, nowMs);
  }

  /**
   * Apply appended batches (in `segment`, already written) to the producer state; an ABORT marker
   * adds its transaction to the segment's aborted-transaction index when `segment` is given.
   */
  private updateProducers(buf: Buffer, headers: readonly BatchHeader[], segment: LogSegment | null): void {
    for (const h of headers) {
      if (h.producerId < 0) continue;
      const marker = h.isControl ? batchEndTxnMarker(buf, h) : null;
      const done = this.producers.update(h, h.baseOffset, h.baseOffset + h.lastOffsetDelta, h.maxTimestamp, marker);
      if (done?.aborted && segment) this.indexAborted(segment, done);
    }
  }

  private indexAborted(segment: LogSegment, txn: CompletedTxn): void {
    segment.txnIndex.append({
      producerId: txn.producerId,
      firstOffset: txn.firstOffset,
      lastOffset: txn.lastOffset,
      lastStableOffset: this.producers.lastStableOffsetAfter(txn),
    });
  }

  /**
   * Append as a follower: batches keep the leader's offsets and epochs. Refused (nothing stored,
   * the log end unmoved, so the next fetch asks for the same offset) when the disk cannot take it.
   */
  appendAsFollower(buf: Buffer, nowMs: number): AppendInfo | AppendRefused | null {
    const headers = batchHeaders(buf);
    if (headers.length === 0) return null;
    assert(headers[0]!.baseOffset >= this.logEndOffset, 'a follower appends at its log end');
    let records = 0;
    for (const h of headers) records += h.recordsCount;
    const refused = this.store(buf, headers, records, nowMs);
    if (refused) return refused;
    return {
      baseOffset: headers[0]!.baseOffset,
      lastOffset: headers.at(-1)!.baseOffset + headers.at(-1)!.lastOffsetDelta,
      logAppendTimeMs: -1,
      batches: headers.length,
      records,
      duplicate: false,
    };
  }

  /**
   * Store offset-assigned batches: leader-epoch checkpoint, segment (rolling first if due),
   * producer state, and the flush policy. All or nothing: when a write fails for lack of space or
   * an I/O error, everything it changed is undone (the segment cut back, the epochs and producer
   * state as before), the log dir is told, and the append is refused with KAFKA_STORAGE_ERROR.
   * Nothing of a refused append is ever served: the log end did not move.
   */
  private store(buf: Buffer, headers: readonly BatchHeader[], records: number, nowMs: number): AppendRefused | null {
    const endBefore = this.logEndOffset;
    try {
      for (const h of headers) this.epochs.assign(h.partitionLeaderEpoch, h.baseOffset);
      this.write(buf, headers, nowMs);
      this.updateProducers(buf, headers, this.active);
      this.unflushedMessages += records;
      if (this.unflushedMessages >= this.cfg.flushMessages) this.flush(nowMs);
    } catch (err) {
      if (!isStorageError(err)) throw err;
      this.undoAppend(endBefore);
      this.writeState?.writeFailed(err, 'append');
      return {
        errorCode: ErrorCode.KAFKA_STORAGE_ERROR,
        message: `${this.dir}: the append could not be stored (${(err as NodeJS.ErrnoException).code}); nothing was written`,
      };
    }
    if (this.writeState?.failing) this.writeState.writeSucceeded();
    return null;
  }

  /** After a failed append: back to a log ending at `endBefore`, as if the append never happened. */
  private undoAppend(endBefore: number): void {
    // The segment cut itself back if its write failed; a later step (the producer state's
    // aborted-txn index, a flush) failing leaves batches to remove, and the state to rebuild.
    if (this.logEndOffset > endBefore) this.truncateTo(endBefore);
    else this.epochs.truncateFromEnd(endBefore);
  }

  private write(buf: Buffer, headers: readonly BatchHeader[], nowMs: number): void {
    const first = headers[0];
    if (!first) return;
    const a = this.active;
    if (
      a.sizeBytes > 0 &&
      (a.sizeBytes + buf.length > this.cfg.segmentBytes || nowMs - a.createdAtMs >= this.cfg.segmentMs)
    )
      this.roll(first.baseOffset, nowMs);
    else if (a.sizeBytes === 0 && a.baseOffset !== first.baseOffset) {
      // An empty active segment must start where the data does (after DeleteRecords past the end).
      this.segments.pop()!.delete();
      this.segments.push(LogSegment.create(this.dir, first.baseOffset, this.cfg.indexIntervalBytes, nowMs));
    }
    this.active.append(buf, headers);
  }

  private roll(baseOffset: number, nowMs: number): void {
    const started = performance.now();
    this.active.flush();
    this.onFlush?.((performance.now() - started) / 1000);
    // The producer state covers every batch below the new segment: snapshot it there. Written
    // before the segment is made, so a snapshot that cannot be written (a full disk) rolls nothing.
    writeSnapshotFile(this.dir, baseOffset, this.producers.snapshotEntries());
    maybePauseInside('segment-roll'); // test-only: jepsen-like kills the node here
    this.segments.push(LogSegment.create(this.dir, baseOffset, this.cfg.indexIntervalBytes, nowMs));
    this.logger.debug({ dir: this.dir, baseOffset }, 'rolled a new segment');
  }

  /** fsync what was appended; the recovery point moves to the log end. */
  flush(nowMs: number): void {
    if (this.flushedOffset === this.logEndOffset) return;
    const started = performance.now();
    for (const s of this.segments) if (s.nextOffset > this.flushedOffset) s.flush();
    this.onFlush?.((performance.now() - started) / 1000);
    this.flushedOffset = this.logEndOffset;
    this.unflushedMessages = 0;
    this.lastFlushMs = nowMs;
  }

  /** The `flush.ms` policy, called periodically. */
  maybeFlush(nowMs: number): void {
    if (nowMs - this.lastFlushMs >= this.cfg.flushMs) this.flush(nowMs);
  }

  private segmentFor(offset: number): LogSegment | null {
    return this.segments[this.segmentIndexFor(offset)] ?? null;
  }

  /** Index of the last segment whose base offset is ≤ `offset` (binary search); -1 when none. */
  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.segments[mid]!.baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /**
   * Whole batches from the one holding `offset`, at most `maxBytes` (but one whole batch at least
   * when `minOneBatch`, as KIP-74 asks), none starting at or past `maxOffsetExclusive`. The bytes
   * are read into a buffer from `alloc` (a pooled one for client fetches: read-buffers.ts); the
   * result's `nextOffset` is the offset after the last batch returned (`offset` when none).
   */
  read(
    offset: number,
    maxBytes: number,
    maxOffsetExclusive: number,
    minOneBatch: boolean,
    alloc?: (bytes: number) => Buffer,
  ): ReadResult {
    if (offset < this.startOffset || offset > this.logEndOffset) return { ok: false, reason: 'offset-out-of-range' };
    if (offset === this.logEndOffset || offset >= maxOffsetExclusive)
      return { ok: true, records: Buffer.alloc(0), nextOffset: offset };
    for (let index = Math.max(0, this.segmentIndexFor(offset)); index < this.segments.length; index++) {
      const seg = this.segments[index]!;
      const r = seg.readBatches(Math.max(offset, seg.baseOffset), maxBytes, maxOffsetExclusive, minOneBatch, alloc);
      // null: offset lies past this segment's last batch, the next one starts it
      if (r !== null) return { ok: true, records: r.records, nextOffset: r.records.length > 0 ? r.nextOffset : offset };
    }
    return { ok: true, records: Buffer.alloc(0), nextOffset: offset };
  }

  /**
   * The first batch (from the log start) whose max timestamp is ≥ `timestamp`: callers look inside
   * it for the first record at or after `timestamp`. Null when no batch reaches it.
   */
  batchAtTimestamp(timestamp: number): Buffer | null {
    for (const seg of this.segments) {
      if (seg.maxTimestamp < timestamp && seg !== this.active) continue;
      const found = seg.findByTimestamp(timestamp);
      if (found) {
        if (found.header.baseOffset + found.header.lastOffsetDelta < this.startOffset) continue;
        return seg.readAt(found.position, found.header.sizeInBytes);
      }
    }
    return null;
  }

  /** The largest timestamp in the log and the batch holding it (ListOffsets MAX_TIMESTAMP). */
  maxTimestamp(): number {
    return this.segments.reduce((m, s) => Math.max(m, s.maxTimestamp), -1);
  }

  /** DeleteRecords / retention: nothing below `offset` is served any more; whole segments below it go. */
  advanceLogStart(offset: number): void {
    if (offset <= this.startOffset) return;
    assert(offset <= this.logEndOffset, 'the log start never passes the log end');
    this.startOffset = offset;
    while (this.segments.length > 1 && this.segments[1]!.baseOffset <= offset) this.segments.shift()!.delete();
    if (this.segments.length === 1 && this.active.sizeBytes > 0 && this.active.nextOffset <= offset) {
      // Everything is below the new start: start an empty segment there.
      this.segments.shift()!.delete();
      this.segments.push(LogSegment.create(this.dir, offset, this.cfg.indexIntervalBytes, Date.now()));
    }
    this.epochs.truncateFromStart(offset);
    this.deleteSnapshotsBefore(this.segments[0]!.baseOffset);
    this.onLogStartMoved?.();
  }

  /**
   * Time and size retention (`retention.ms`, `retention.bytes`) for `cleanup.policy=delete`:
   * whole non-active segments go, oldest first. Returns how many were deleted.
   */
  enforceRetention(nowMs: number): number {
    if (!this.cfg.delete) return 0;
    let deleted = 0;
    let total = this.sizeBytes;
    while (this.segments.length > 1) {
      const oldest = this.segments[0]!;
      const expired =
        this.cfg.retentionMs >= 0 && oldest.maxTimestamp >= 0 && nowMs - oldest.maxTimestamp > this.cfg.retentionMs;
      const tooBig = this.cfg.retentionBytes >= 0 && total - oldest.sizeBytes >= this.cfg.retentionBytes;
      if (!expired && !tooBig) break;
      total -= oldest.sizeBytes;
      this.segments.shift()!.delete();
      this.startOffset = Math.max(this.startOffset, this.segments[0]!.baseOffset);
      deleted++;
    }
    // An expired active segment is rolled so it can go next time (Kafka does the same).
    const a = this.active;
    if (
      this.cfg.retentionMs >= 0 &&
      a.sizeBytes > 0 &&
      a.maxTimestamp >= 0 &&
      nowMs - a.maxTimestamp > this.cfg.retentionMs
    )
      this.roll(a.nextOffset, nowMs);
    if (deleted > 0) {
      this.epochs.truncateFromStart(this.startOffset);
      this.deleteSnapshotsBefore(this.segments[0]!.baseOffset);
      this.onLogStartMoved?.();
    }
    return deleted;
  }

  /** Remove every offset ≥ `offset` (a follower diverged from its leader). */
  truncateTo(offset: number): void {
    if (offset >= this.logEndOffset) return;
    while (this.segments.length > 1 && this.active.baseOffset >= offset) this.segments.pop()!.delete();
    this.active.truncateTo(offset);
    this.epochs.truncateFromEnd(offset);
    this.flushedOffset = Math.min(this.flushedOffset, this.logEndOffset);
    this.hwm = Math.min(this.hwm, this.logEndOffset);
    this.firstDirtyOffset = Math.min(this.firstDirtyOffset, this.logEndOffset);
    if (this.startOffset > this.logEndOffset) {
      this.startOffset = this.logEndOffset;
      this.onLogStartMoved?.();
    }
    // The state may hold removed batches: rebuild it from a snapshot at or below the new end.
    this.loadProducerState(this.logEndOffset, Date.now());
  }

  /**
   * Drop everything and start empty at `offset` (a follower that fell behind its leader's log
   * start: what it had can no longer be continued).
   */
  restartAt(offset: number): void {
    for (const s of this.segments) s.delete();
    this.segments = [LogSegment.create(this.dir, offset, this.cfg.indexIntervalBytes, Date.now())];
    this.startOffset = offset;
    this.flushedOffset = offset;
    this.hwm = offset;
    this.firstDirtyOffset = offset;
    this.unflushedMessages = 0;
    this.epochs.truncateFromEnd(0);
    this.deleteSnapshotsBefore(Number.MAX_SAFE_INTEGER);
    this.producers.clear();
  }

  /** Segments other than the active one, oldest first (for the cleaner). */
  closedSegments(): readonly LogSegment[] {
    return this.segments.slice(0, -1);
  }

  /**
   * Replace a closed segment's batches with `bytes` (the cleaner's output, same base offset).
   * Crash-safe: the new data is written and fsynced as `<base>.log.cleaned`, the old indexes are
   * removed, then the file is renamed over the old one; a crash before the rename leaves the old
   * segment (its missing indexes are rebuilt at open), and `.cleaned` leftovers are deleted then.
   */
  rewriteSegment(segment: LogSegment, bytes: Buffer): void {
    const index = this.segments.indexOf(segment);
    assert(index >= 0 && index < this.segments.length - 1, 'only closed segments of this log are rewritten');
    const path = join(this.dir, segmentFileName(segment.baseOffset, '.log'));
    writeFileDurably(`${path}.cleaned`, bytes);
    segment.close();
    for (const suffix of ['.index', '.timeindex'])
      rmSync(join(this.dir, segmentFileName(segment.baseOffset, suffix)), { force: true });
    renameSync(`${path}.cleaned`, path);
    this.segments[index] = LogSegment.open(
      this.dir,
      segment.baseOffset,
      this.cfg.indexIntervalBytes,
      segment.createdAtMs,
      true,
    ).segment;
  }

  close(nowMs: number): void {
    try {
      this.flush(nowMs);
      // Saves replaying the last segment at the next start; a full disk only costs that replay.
      writeSnapshotFile(this.dir, this.logEndOffset, this.producers.snapshotEntries());
    } finally {
      for (const s of this.segments) s.close();
    }
  }

  // ---- producer state and transactions ---------------------------------------------------------

  /**
   * Rebuild the producer state: the newest readable snapshot at or below `bound` (and the log end),
   * then every batch after it. Snapshots past the log end are stale and deleted. Segments from
   * `bound` on (those recovery scanned) get their aborted-transaction index rebuilt by the replay;
   * earlier ones keep theirs.
   */
  private loadProducerState(bound: number, nowMs: number): void {
    const end = this.logEndOffset;
    let from = this.segments[0]!.baseOffset;
    this.producers.clear();
    const offsets = listSnapshotOffsets(this.dir);
    for (const o of offsets) if (o > end) deleteSnapshotFile(this.dir, o);
    for (const o of offsets.filter((x) => x <= Math.min(bound, end)).reverse()) {
      const r = readSnapshotFile(this.dir, o);
      if (r.ok) {
        this.producers.loadSnapshot(r.entries, nowMs);
        from = Math.max(from, o);
        break;
      }
      this.logger.warn({ dir: this.dir, file: snapshotFileName(o), reason: r.reason }, 'producer snapshot ignored');
      deleteSnapshotFile(this.dir, o);
    }
    for (const seg of this.segments) if (seg.baseOffset >= bound) seg.txnIndex.clear();
    this.replay(from, bound);
  }

  /** Apply every batch at or after `from` to the producer state. */
  private replay(from: number, indexFrom: number): void {
    for (const seg of this.segments) {
      if (seg.nextOffset <= from) continue;
      const start = seg.find(from);
      if (!start) continue;
      for (const { position, header } of seg.headersFrom(start.position)) {
        if (header.producerId < 0 || header.baseOffset + header.lastOffsetDelta < from) continue;
        const buf = header.isControl ? seg.readAt(position, header.sizeInBytes) : null;
        const h = buf ? { ...header, position: 0 } : header;
        this.updateProducers(buf ?? Buffer.alloc(0), [h], seg.baseOffset >= indexFrom ? seg : null);
      }
    }
  }

  private deleteSnapshotsBefore(offset: number): void {
    for (const o of listSnapshotOffsets(this.dir)) if (o < offset) deleteSnapshotFile(this.dir, o);
  }

  /** The first offset of the oldest transaction not yet decided and replicated; null when none. */
  get firstUnstableOffset(): number | null {
    return this.producers.firstUnstableOffset();
  }

  /**
   * The first offset of the oldest open transaction, ignoring the high watermark; null when none.
   * The cleaner stops here: an outcome written locally is the coordinator's decision, so cleaning
   * by it is safe even before the marker is replicated.
   */
  get firstUndecidedOffset(): number | null {
    return this.producers.firstUndecidedOffset();
  }

  /**
   * The last stable offset given the partition's high watermark: min(high watermark, first
   * unstable offset). Transactions whose marker is below `highWatermark` stop holding it back.
   */
  /**
   * The partition's high watermark moved (leader or follower): completed transactions whose
   * marker is now below it stop holding the last stable offset back, and are forgotten.
   */
  highWatermarkMoved(highWatermark: number): void {
    this.hwm = highWatermark;
    this.producers.onHighWatermarkUpdated(highWatermark);
  }

  /** The high watermark last told (or checkpointed), for `replication-offset-checkpoint`. */
  get highWatermark(): number {
    return Math.min(this.hwm, this.logEndOffset);
  }

  lastStableOffset(highWatermark: number): number {
    this.producers.onHighWatermarkUpdated(highWatermark);
    const unstable = this.producers.firstUnstableOffset();
    return unstable === null ? highWatermark : Math.min(unstable, highWatermark);
  }

  /**
   * Aborted transactions overlapping [fetchOffset, upperBoundOffset) (Kafka's
   * collectAbortedTransactions): read from the txn indexes of the segment holding fetchOffset on,
   * until an entry's last stable offset reaches the bound. Not until a segment's base offset
   * passes the bound: a transaction's ABORT marker (and so its index entry) can land segments after
   * its records when the log rolls while it is open.
   */
  abortedTransactions(fetchOffset: number, upperBoundOffset: number): AbortedTransaction[] {
    return this.abortedTransactionRanges(fetchOffset, upperBoundOffset).map((t) => ({
      producerId: t.producerId,
      firstOffset: t.firstOffset,
    }));
  }

  /** As abortedTransactions, with each transaction's marker offset (`lastOffset`). */
  abortedTransactionRanges(
    fetchOffset: number,
    upperBoundOffset: number,
  ): { producerId: number; firstOffset: number; lastOffset: number }[] {
    const out: { producerId: number; firstOffset: number; lastOffset: number }[] = [];
    const first = this.segmentFor(fetchOffset) ?? this.segments[0]!;
    for (let i = this.segments.indexOf(first); i < this.segments.length; i++) {
      const r = this.segments[i]!.txnIndex.collect(fetchOffset, upperBoundOffset);
      for (const t of r.found)
        out.push({ producerId: t.producerId, firstOffset: t.firstOffset, lastOffset: t.lastOffset });
      if (r.complete) break;
    }
    return out;
  }

  /** The producer's open transaction here, if any (KIP-890: its partition is already verified). */
  openTransaction(producerId: number): { readonly epoch: number; readonly firstOffset: number } | null {
    return this.producers.openTransaction(producerId);
  }

  /** Every producer this partition knows (DescribeProducers). */
  producerStates(): ProducerStateView[] {
    return this.producers.views();
  }

  /** Forget producers idle longer than `producer.id.expiration.ms` (called periodically). */
  removeExpiredProducers(nowMs: number): number {
    return this.producers.removeExpiredProducers(nowMs);
  }

  /** Close and remove the partition directory (the topic was deleted or moved away). */
  delete(): void {
    for (const s of this.segments) s.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
