// What a consumer delivers from one fetched partition: the records of its data batches, never a
// control batch (transaction markers), and with read_committed never a batch of an aborted
// transaction. Used by Consumer and GroupConsumer; pure (buffers in, records out).
//
// read_committed (Kafka's CompletedFetch): the broker stops the answer at the last stable offset
// and lists the aborted transactions it overlaps as (producer id, first offset). Walking the
// batches in offset order, a producer id becomes "aborted" once the batch reached ends at or after
// its transaction's first offset; its transactional batches are skipped until its ABORT marker,
// which ends the aborted transaction. Kafka compares the first offset with the batch's last offset;
// a batch of the same producer cannot straddle its own transaction's start, so this equals the
// base-offset rule and is what Kafka does. The list is per answer: a transaction whose marker lies
// beyond this answer is listed again by the next fetch, which starts after this one.
import { IsolationLevel, type IsolationLevelId, ControlRecordType } from '../protocol/txn-types.js';
import { readBatchHeaders, readRecords, type KafkaRecord } from '../protocol/record-batch.js';
import { batchEndTxnMarker } from '../protocol/control-records.js';

export interface AbortedTransaction {
  readonly producerId: number;
  readonly firstOffset: number;
}

/** Kafka's isolation.level values, as consumers and console-consumer spell them. */
export type IsolationLevelName = 'read_uncommitted' | 'read_committed';

export const isolationLevelNames: readonly IsolationLevelName[] = ['read_uncommitted', 'read_committed'];

export function isolationLevelId(name: IsolationLevelName): IsolationLevelId {
  return name === 'read_committed' ? IsolationLevel.READ_COMMITTED : IsolationLevel.READ_UNCOMMITTED;
}

/** Parses an isolation.level value; throws with the accepted values on anything else. */
export function parseIsolationLevel(value: string): IsolationLevelName {
  const found = isolationLevelNames.find((n) => n === value);
  if (!found) throw new Error(`isolation level must be read_committed or read_uncommitted, got "${value}"`);
  return found;
}

export interface Deliverable {
  /** Records at or after the position, in offset order. */
  readonly records: KafkaRecord[];
  /** The offset after the last batch of the answer (or the position when it held none). */
  readonly nextOffset: number;
}

/**
 * The records a consumer at `position` delivers from a fetched partition's `records`, and where it
 * reads next. `abortedTransactions` is the answer's list (used with read_committed only).
 */
export function deliverableRecords(
  records: Buffer,
  abortedTransactions: readonly AbortedTransaction[],
  position: number,
  isolationLevel: IsolationLevelId,
): Deliverable {
  const readCommitted = isolationLevel === IsolationLevel.READ_COMMITTED;
  const pending = readCommitted ? [...abortedTransactions].sort((a, b) => a.firstOffset - b.firstOffset) : [];
  let nextPending = 0;
  const abortedProducers = new Set<number>();
  const out: KafkaRecord[] = [];
  let next = position;
  for (const h of readBatchHeaders(records)) {
    const lastOffset = h.baseOffset + h.lastOffsetDelta;
    next = Math.max(next, lastOffset + 1);
    if (readCommitted && h.producerId >= 0) {
      while (nextPending < pending.length && pending[nextPending]!.firstOffset <= lastOffset)
        abortedProducers.add(pending[nextPending++]!.producerId);
      if (h.isControl) {
        if (batchEndTxnMarker(records, h)?.type === ControlRecordType.ABORT) abortedProducers.delete(h.producerId);
        continue;
      }
      if (h.isTransactional && abortedProducers.has(h.producerId)) continue;
    }
    if (h.isControl) continue;
    for (const rec of readRecords(records, h)) if (rec.offset >= position) out.push(rec);
  }
  return { records: out, nextOffset: next };
}
