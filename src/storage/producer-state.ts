// A partition's producer state (Kafka's ProducerStateManager and ProducerAppendInfo): per producer
// id its epoch, the sequence ranges and offsets of its last five batches, the first offset of its
// open transaction and the coordinator epoch of its last marker. The leader `check`s a batch
// before assigning offsets (duplicate, out of order, fenced, unknown producer); leader, followers
// and recovery all `update` the state from the batches in the log, so after a failover a retried
// batch is still recognised.
//
// Invariants: a producer has at most one open transaction; `ongoing` holds exactly the open
// transactions by first offset; `unreplicated` holds completed transactions whose marker is not
// yet below the high watermark (they still hold the last stable offset back, as in Kafka).
// Pure: no I/O; snapshots are read and written by producer-snapshot.ts.
import type { EndTxnMarker } from '../protocol/control-records.js';
import { ControlRecordType } from '../protocol/txn-types.js';
import { ErrorCode } from '../common/errors.js';
import type { RecordBatchHeader } from '../protocol/record-batch.js';

/** How many of a producer's most recent batches are remembered for duplicate detection (Kafka's 5). */
const producerBatchesRemembered = 5;
const int32Max = 2_147_483_647;
/** The producer id, epoch and sequence of a batch without an idempotent producer. */
export const noProducerId = -1;
const noSequence = -1;

interface BatchMetadata {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
  readonly timestamp: number;
}

/** One producer's state (mutable inside this module only). */
export interface ProducerEntry {
  readonly producerId: number;
  epoch: number;
  /** Oldest first, at most producerBatchesRemembered. */
  batches: BatchMetadata[];
  coordinatorEpoch: number;
  currentTxnFirstOffset: number | null;
  lastTimestamp: number;
}

/** What DescribeProducers lists for a partition. */
export interface ProducerStateView {
  readonly producerId: number;
  readonly producerEpoch: number;
  /** -1 when the producer has written only markers. */
  readonly lastSequence: number;
  readonly lastTimestamp: number;
  readonly coordinatorEpoch: number;
  /** -1 when no transaction is open. */
  readonly currentTxnStartOffset: number;
}

export type CheckResult =
  | { readonly kind: 'ok' }
  | {
      readonly kind: 'duplicate';
      readonly firstOffset: number;
      readonly lastOffset: number;
      readonly timestamp: number;
    }
  | { readonly kind: 'error'; readonly errorCode: number; readonly message: string };

export interface CompletedTxn {
  readonly producerId: number;
  readonly firstOffset: number;
  /** The marker's offset. */
  readonly lastOffset: number;
  readonly aborted: boolean;
}

/** `seq + delta` with Kafka's wrap at Int32 max (the sequence after int32 max is 0). */
export function incrementSequence(seq: number, delta: number): number {
  return seq > int32Max - delta ? delta - (int32Max - seq) - 1 : seq + delta;
}

function decrementSequence(seq: number, delta: number): number {
  return seq - delta < 0 ? int32Max - (delta - seq) + 1 : seq - delta;
}

const inSequence = (lastSeq: number, nextSeq: number): boolean =>
  nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === int32Max);

const lastSeqOf = (h: RecordBatchHeader): number => incrementSequence(h.baseSequence, h.lastOffsetDelta);

const error = (errorCode: number, message: string): CheckResult => ({ kind: 'error', errorCode, message });

export class ProducerStateManager {
  private readonly producers = new Map<number, ProducerEntry>();
  /** Open transactions: first offset → producer id. */
  private readonly ongoing = new Map<number, number>();
  /** Completed transactions whose marker may be above the high watermark: first offset → marker offset. */
  private readonly unreplicated = new Map<number, number>();

  constructor(private expirationMs: number) {}

  setExpirationMs(ms: number): void {
    this.expirationMs = ms;
  }

  get producerCount(): number {
    return this.producers.size;
  }

  entry(producerId: number): Readonly<ProducerEntry> | undefined {
    return this.producers.get(producerId);
  }

  /** The leader's validation of a batch before it is appended (no state changes). */
  check(h: RecordBatchHeader): CheckResult {
    if (h.producerId === noProducerId) return { kind: 'ok' };
    const e = this.producers.get(h.producerId);
    if (h.isControl) return error(ErrorCode.INVALID_RECORD, 'clients may not write control batches');
    if (h.baseSequence === noSequence) {
      // Unsequenced batches of a producer are the group coordinator's transactional offset
      // commits (Kafka's coordinator appends skip the sequence check): only the epoch is checked.
      if (e && h.producerEpoch < e.epoch)
        return error(
          ErrorCode.PRODUCER_FENCED,
          `producer ${h.producerId} epoch ${h.producerEpoch} is older than the current epoch ${e.epoch}`,
        );
      return { kind: 'ok' };
    }
    if (e && h.producerEpoch === e.epoch) {
      const last = lastSeqOf(h);
      const dup = e.batches.find((b) => b.firstSeq === h.baseSequence && b.lastSeq === last);
      if (dup)
        return {
          kind: 'duplicate',
          firstOffset: dup.firstOffset,
          lastOffset: dup.lastOffset,
          timestamp: dup.timestamp,
        };
    }
    if (e && h.producerEpoch < e.epoch) {
      // INVALID_PRODUCER_EPOCH for transactional batches too, as Kafka since 2.7 (KIP-588): the
      // producer aborts and may go on; PRODUCER_FENCED is for the coordinator's answers, and
      // clients of produce versions before it (kafkajs) do not know the code.
      const message = `producer ${h.producerId} epoch ${h.producerEpoch} is older than the current epoch ${e.epoch}`;
      return error(ErrorCode.INVALID_PRODUCER_EPOCH, message);
    }
    if (!e || h.producerEpoch !== e.epoch) {
      // A new epoch (or a producer this partition does not know) must start at sequence 0 (KIP-360).
      if (h.baseSequence !== 0) {
        if (e && e.epoch !== -1)
          return error(
            ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
            `producer ${h.producerId} starts epoch ${h.producerEpoch} at sequence ${h.baseSequence}, not 0`,
          );
        return error(
          ErrorCode.UNKNOWN_PRODUCER_ID,
          `producer ${h.producerId} is unknown to this partition and its sequence ${h.baseSequence} is not 0`,
        );
      }
    } else {
      const lastSeq = e.batches.at(-1)?.lastSeq ?? noSequence;
      if (lastSeq === noSequence ? h.baseSequence !== 0 : !inSequence(lastSeq, h.baseSequence))
        return error(
          ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          `producer ${h.producerId} epoch ${h.producerEpoch}: sequence ${h.baseSequence} does not follow ${lastSeq}`,
        );
    }
    if (!h.isTransactional && e?.currentTxnFirstOffset != null && h.producerEpoch === e.epoch)
      return error(
        ErrorCode.INVALID_TXN_STATE,
        `producer ${h.producerId} has an open transaction but sent a non-transactional batch`,
      );
    return { kind: 'ok' };
  }

  /**
   * Whether a marker of `producerEpoch`/`coordinatorEpoch` may be written for `producerId`: the
   * coordinator must not be older than the one that wrote the producer's last marker, and the
   * producer's epoch not older than the partition's.
   */
  checkMarker(producerId: number, producerEpoch: number, coordinatorEpoch: number): CheckResult {
    const e = this.producers.get(producerId);
    if (!e) return { kind: 'ok' };
    if (producerEpoch < e.epoch)
      return error(
        ErrorCode.PRODUCER_FENCED,
        `marker for producer ${producerId} has epoch ${producerEpoch}, older than the current epoch ${e.epoch}`,
      );
    if (coordinatorEpoch < e.coordinatorEpoch)
      return error(
        ErrorCode.TRANSACTION_COORDINATOR_FENCED,
        `marker for producer ${producerId} from coordinator epoch ${coordinatorEpoch}, older than ${e.coordinatorEpoch}`,
      );
    return { kind: 'ok' };
  }

  /**
   * Apply a batch now in the log at [firstOffset, lastOffset]. `marker` is the decoded record of
   * a control batch (null for data batches). Returns the transaction a marker completes.
   */
  update(
    h: RecordBatchHeader,
    firstOffset: number,
    lastOffset: number,
    timestamp: number,
    marker: EndTxnMarker | null = null,
  ): CompletedTxn | null {
    if (h.producerId === noProducerId) return null;
    let e = this.producers.get(h.producerId);
    if (!e) {
      e = {
        producerId: h.producerId,
        epoch: -1,
        batches: [],
        coordinatorEpoch: -1,
        currentTxnFirstOffset: null,
        lastTimestamp: -1,
      };
      this.producers.set(h.producerId, e);
    }
    if (h.producerEpoch > e.epoch) {
      e.epoch = h.producerEpoch;
      e.batches = [];
    }
    e.lastTimestamp = timestamp;
    if (h.isControl) {
      if (marker === null) return null;
      const txnFirst = e.currentTxnFirstOffset ?? lastOffset;
      if (e.currentTxnFirstOffset !== null) this.ongoing.delete(e.currentTxnFirstOffset);
      e.currentTxnFirstOffset = null;
      e.coordinatorEpoch = marker.coordinatorEpoch;
      this.unreplicated.set(txnFirst, lastOffset);
      return {
        producerId: h.producerId,
        firstOffset: txnFirst,
        lastOffset,
        aborted: marker.type === ControlRecordType.ABORT,
      };
    }
    if (h.baseSequence !== noSequence) {
      e.batches.push({ firstSeq: h.baseSequence, lastSeq: lastSeqOf(h), firstOffset, lastOffset, timestamp });
      if (e.batches.length > producerBatchesRemembered) e.batches.shift();
    }
    if (h.isTransactional && e.currentTxnFirstOffset === null) {
      e.currentTxnFirstOffset = firstOffset;
      this.ongoing.set(firstOffset, h.producerId);
    }
    return null;
  }

  /**
   * The smallest first offset of a transaction that is open, or completed with its marker not yet
   * known to be below the high watermark; null when none.
   */
  firstUnstableOffset(): number | null {
    let min: number | null = null;
    for (const first of this.ongoing.keys()) if (min === null || first < min) min = first;
    for (const first of this.unreplicated.keys()) if (min === null || first < min) min = first;
    return min;
  }

  /** Whether `producerId` has a transaction open here (with its epoch), without a scan. */
  openTransaction(producerId: number): { readonly epoch: number; readonly firstOffset: number } | null {
    const e = this.producers.get(producerId);
    return e?.currentTxnFirstOffset != null ? { epoch: e.epoch, firstOffset: e.currentTxnFirstOffset } : null;
  }

  /** The smallest first offset of an open transaction; null when none. */
  firstUndecidedOffset(): number | null {
    let min: number | null = null;
    for (const first of this.ongoing.keys()) if (min === null || first < min) min = first;
    return min;
  }

  /**
   * The last stable offset to store with an aborted transaction (Kafka's rule): the first offset of
   * the oldest other open transaction, else just past the marker.
   */
  lastStableOffsetAfter(txn: CompletedTxn): number {
    let min: number | null = null;
    for (const [first, pid] of this.ongoing) if (pid !== txn.producerId && (min === null || first < min)) min = first;
    return min ?? txn.lastOffset + 1;
  }

  /** Completed transactions whose markers are below `highWatermark` no longer hold the LSO back. */
  onHighWatermarkUpdated(highWatermark: number): void {
    for (const [first, markerOffset] of this.unreplicated)
      if (markerOffset < highWatermark) this.unreplicated.delete(first);
  }

  /** Forget producers idle longer than the expiration that have no open transaction. */
  removeExpiredProducers(nowMs: number): number {
    let removed = 0;
    for (const [pid, e] of this.producers)
      if (e.currentTxnFirstOffset === null && nowMs - e.lastTimestamp >= this.expirationMs) {
        this.producers.delete(pid);
        removed++;
      }
    return removed;
  }

  clear(): void {
    this.producers.clear();
    this.ongoing.clear();
    this.unreplicated.clear();
  }

  /** Every producer in the form a snapshot stores (Kafka keeps only the last batch there). */
  snapshotEntries(): SnapshotEntry[] {
    return [...this.producers.values()]
      .sort((a, b) => a.producerId - b.producerId)
      .map((e) => {
        const last = e.batches.at(-1);
        return {
          producerId: e.producerId,
          epoch: e.epoch,
          lastSequence: last?.lastSeq ?? noSequence,
          lastOffset: last?.lastOffset ?? -1,
          offsetDelta: last ? last.lastOffset - last.firstOffset : 0,
          timestamp: e.lastTimestamp,
          coordinatorEpoch: e.coordinatorEpoch,
          currentTxnFirstOffset: e.currentTxnFirstOffset ?? -1,
        };
      });
  }

  /** Replace the state with a snapshot's entries (expired ones skipped, as Kafka does). */
  loadSnapshot(entries: readonly SnapshotEntry[], nowMs: number): void {
    this.clear();
    for (const s of entries) {
      const txn = s.currentTxnFirstOffset >= 0 ? s.currentTxnFirstOffset : null;
      if (txn === null && nowMs - s.timestamp >= this.expirationMs) continue;
      const batches: BatchMetadata[] =
        s.lastOffset >= 0
          ? [
              {
                firstSeq: decrementSequence(s.lastSequence, s.offsetDelta),
                lastSeq: s.lastSequence,
                firstOffset: s.lastOffset - s.offsetDelta,
                lastOffset: s.lastOffset,
                timestamp: s.timestamp,
              },
            ]
          : [];
      this.producers.set(s.producerId, {
        producerId: s.producerId,
        epoch: s.epoch,
        batches,
        coordinatorEpoch: s.coordinatorEpoch,
        currentTxnFirstOffset: txn,
        lastTimestamp: s.timestamp,
      });
      if (txn !== null) this.ongoing.set(txn, s.producerId);
    }
  }

  /** The DescribeProducers view. */
  views(): ProducerStateView[] {
    return [...this.producers.values()]
      .sort((a, b) => a.producerId - b.producerId)
      .map((e) => ({
        producerId: e.producerId,
        producerEpoch: e.epoch,
        lastSequence: e.batches.at(-1)?.lastSeq ?? noSequence,
        lastTimestamp: e.lastTimestamp,
        coordinatorEpoch: e.coordinatorEpoch,
        currentTxnStartOffset: e.currentTxnFirstOffset ?? -1,
      }));
  }
}

/** One producer in a snapshot file (Kafka's ProducerSnapshot entry, version 1). */
export interface SnapshotEntry {
  readonly producerId: number;
  readonly epoch: number;
  readonly lastSequence: number;
  readonly lastOffset: number;
  readonly offsetDelta: number;
  readonly timestamp: number;
  readonly coordinatorEpoch: number;
  readonly currentTxnFirstOffset: number;
}
