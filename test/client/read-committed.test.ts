// read_committed delivery in raftka's consumers: hand-built fetch answers (transactional batches of
// several producers, COMMIT/ABORT markers, the broker's aborted-transactions list) go through
// deliverableRecords, which must skip aborted transactions and never deliver a control batch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deliverableRecords, parseIsolationLevel } from '../../src/client/read-committed.js';
import { encodeEndTxnMarker } from '../../src/protocol/control-records.js';
import { buildRecordBatch } from '../../src/protocol/record-batch.js';
import { ControlRecordType, IsolationLevel } from '../../src/protocol/txn-types.js';

interface Spec {
  readonly baseOffset: number;
  readonly producerId?: number;
  readonly values?: readonly string[];
  readonly marker?: 'COMMIT' | 'ABORT';
}

/** One fetch answer: the batches of `specs` back to back. */
function answer(specs: readonly Spec[]): Buffer {
  return Buffer.concat(
    specs.map((s) => {
      if (s.marker) {
        const type = s.marker === 'COMMIT' ? ControlRecordType.COMMIT : ControlRecordType.ABORT;
        const { key, value } = encodeEndTxnMarker({ type, coordinatorEpoch: 3 });
        return buildRecordBatch([{ key, value, timestamp: 1 }], {
          baseOffset: s.baseOffset,
          producerId: s.producerId ?? -1,
          producerEpoch: 0,
          transactional: true,
          control: true,
        });
      }
      const txn = s.producerId !== undefined;
      return buildRecordBatch(
        (s.values ?? []).map((v) => ({ value: Buffer.from(v), timestamp: 1 })),
        txn
          ? {
              baseOffset: s.baseOffset,
              producerId: s.producerId,
              producerEpoch: 0,
              baseSequence: 0,
              transactional: true,
            }
          : { baseOffset: s.baseOffset },
      );
    }),
  );
}

const values = (d: ReturnType<typeof deliverableRecords>): string[] => d.records.map((r) => r.value?.toString() ?? '');

// Offsets: 0 plain; 1-2 p7 (aborted); 3-4 p8 (committed); 5 plain; 6 ABORT p7; 7 p7 (new, committed);
// 8 COMMIT p8; 9 COMMIT p7.
const interleaved = answer([
  { baseOffset: 0, values: ['plain-0'] },
  { baseOffset: 1, producerId: 7, values: ['a-1', 'a-2'] },
  { baseOffset: 3, producerId: 8, values: ['c-3', 'c-4'] },
  { baseOffset: 5, values: ['plain-5'] },
  { baseOffset: 6, producerId: 7, marker: 'ABORT' },
  { baseOffset: 7, producerId: 7, values: ['c-7'] },
  { baseOffset: 8, producerId: 8, marker: 'COMMIT' },
  { baseOffset: 9, producerId: 7, marker: 'COMMIT' },
]);

test('read_committed skips the aborted transaction, keeps committed ones and never delivers markers', () => {
  const d = deliverableRecords(interleaved, [{ producerId: 7, firstOffset: 1 }], 0, IsolationLevel.READ_COMMITTED);
  assert.deepEqual(values(d), ['plain-0', 'c-3', 'c-4', 'plain-5', 'c-7']);
  assert.equal(d.nextOffset, 10, 'the position moves past the markers too');
});

test('read_uncommitted delivers every data record, aborted or not, and no marker', () => {
  const d = deliverableRecords(interleaved, [{ producerId: 7, firstOffset: 1 }], 0, IsolationLevel.READ_UNCOMMITTED);
  assert.deepEqual(values(d), ['plain-0', 'a-1', 'a-2', 'c-3', 'c-4', 'plain-5', 'c-7']);
});

test("an aborted transaction listed for a later first offset does not hide the producer's earlier batches", () => {
  const buf = answer([
    { baseOffset: 0, producerId: 7, values: ['c-0'] },
    { baseOffset: 1, producerId: 7, marker: 'COMMIT' },
    { baseOffset: 2, producerId: 7, values: ['a-2'] },
    { baseOffset: 3, producerId: 7, marker: 'ABORT' },
  ]);
  const d = deliverableRecords(buf, [{ producerId: 7, firstOffset: 2 }], 0, IsolationLevel.READ_COMMITTED);
  assert.deepEqual(values(d), ['c-0']);
});

test('two aborted transactions of one producer in one answer are both skipped', () => {
  const buf = answer([
    { baseOffset: 0, producerId: 4, values: ['a-0'] },
    { baseOffset: 1, producerId: 4, marker: 'ABORT' },
    { baseOffset: 2, producerId: 5, values: ['c-2'] },
    { baseOffset: 3, producerId: 4, values: ['a-3'] },
    { baseOffset: 4, producerId: 4, marker: 'ABORT' },
    { baseOffset: 5, producerId: 5, marker: 'COMMIT' },
  ]);
  const aborted = [
    { producerId: 4, firstOffset: 3 },
    { producerId: 4, firstOffset: 0 },
  ];
  const d = deliverableRecords(buf, aborted, 0, IsolationLevel.READ_COMMITTED);
  assert.deepEqual(values(d), ['c-2']);
});

test('records before the position are not delivered again; an empty answer keeps the position', () => {
  const d = deliverableRecords(interleaved, [], 4, IsolationLevel.READ_COMMITTED);
  assert.deepEqual(values(d), ['c-4', 'plain-5', 'c-7']);
  const empty = deliverableRecords(Buffer.alloc(0), [], 12, IsolationLevel.READ_COMMITTED);
  assert.deepEqual(empty, { records: [], nextOffset: 12 });
});

test('isolation.level values are parsed strictly', () => {
  assert.equal(parseIsolationLevel('read_committed'), 'read_committed');
  assert.equal(parseIsolationLevel('read_uncommitted'), 'read_uncommitted');
  assert.throws(() => parseIsolationLevel('READ_COMMITTED'), /read_committed or read_uncommitted/);
});
