// The txn workload's pure parts: planning a transaction's micro-ops, what a read_committed fetch
// delivers as [offset, value] pairs (aborted batches and markers skipped, the position past them),
// and the completed micro-ops of a committed transaction in the checker's shape (checkers/txn.ts
// reads them back: a history built from them checks valid).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTxn } from '../../../jepsen-like/src/checkers/txn.js';
import type { Op } from '../../../jepsen-like/src/history.js';
import { committedValues, completeMops, planTxn, type TxnMop } from '../../../jepsen-like/src/workloads/txn.js';
import { encodeEndTxnMarker } from '../../../src/protocol/control-records.js';
import { buildRecordBatch } from '../../../src/protocol/record-batch.js';
import { ControlRecordType } from '../../../src/protocol/txn-types.js';
import { SeededRandom } from '../../../src/testing/seeded-random.js';

test('planTxn: 1–4 micro-ops, sends of unique increasing values per key, sends and polls both common', () => {
  const rng = new SeededRandom(3);
  const next = [0, 0, 0];
  const seen = new Map<number, number[]>();
  const sizes = new Set<number>();
  let sends = 0;
  let polls = 0;
  for (let i = 0; i < 500; i++) {
    const mops = planTxn(rng, 3, next);
    sizes.add(mops.length);
    for (const m of mops) {
      if (m[0] === 'poll') polls++;
      else {
        sends++;
        seen.set(m[1], [...(seen.get(m[1]) ?? []), m[2]]);
      }
    }
  }
  assert.deepEqual([...sizes].sort(), [1, 2, 3, 4]);
  assert.ok(sends > 400 && polls > 400, `${sends} sends, ${polls} polls`);
  for (const [key, values] of seen) {
    assert.deepEqual(
      values,
      values.map((_, i) => i),
      `key ${key}`,
    );
    assert.equal(next[key], values.length);
  }
});

const batch = (baseOffset: number, values: number[], producerId: number, transactional: boolean): Buffer =>
  buildRecordBatch(
    values.map((v) => ({ key: null, value: Buffer.from(String(v)), timestamp: 0 })),
    { baseOffset, producerId, producerEpoch: 0, baseSequence: 0, transactional },
  );

const marker = (offset: number, producerId: number, type: number): Buffer => {
  const { key, value } = encodeEndTxnMarker({ type, coordinatorEpoch: 0 });
  return buildRecordBatch([{ key, value, timestamp: 0 }], {
    baseOffset: offset,
    producerId,
    producerEpoch: 0,
    transactional: true,
    control: true,
  });
};

test('committedValues: aborted transactions and markers are skipped, the position moves past them', () => {
  const records = Buffer.concat([
    batch(10, [1, 2], 7, true), // committed txn of producer 7: offsets 10, 11
    batch(12, [50], 8, true), // aborted txn of producer 8: offset 12
    marker(13, 7, ControlRecordType.COMMIT),
    marker(14, 8, ControlRecordType.ABORT),
    batch(15, [3], -1, false), // a plain record
  ]);
  const got = committedValues(records, [{ producerId: 8, firstOffset: 12 }], 11);
  assert.deepEqual(got.read, [
    [11, 2],
    [15, 3],
  ]);
  assert.equal(got.next, 16);
  // Without the aborted list (read_uncommitted would say so) the aborted value is delivered: the check is real.
  assert.deepEqual(
    committedValues(records, [], 10).read.map(([, v]) => v),
    [1, 2, 50, 3],
  );
  assert.deepEqual(committedValues(Buffer.alloc(0), [], 4), { read: [], next: 4 });
});

test('completeMops: results in micro-op order, in the shape the checker reads', () => {
  const mops: TxnMop[] = [['send', 0, 5], ['poll'], ['send', 1, 2], ['poll']];
  const done = completeMops(mops, [40, null], [{ 1: [[3, 1]] }, {}]);
  assert.deepEqual(done, [
    ['send', 0, [40, 5]],
    ['poll', { 1: [[3, 1]] }],
    ['send', 1, [null, 2]],
    ['poll', {}],
  ]);
  assert.throws(() => completeMops(mops, [40], [{}, {}]), /no offset for the send of 2 to key 1/);
  assert.throws(() => completeMops(mops, [40, 41], [{}]), /no result for a poll/);
  // Two committed transactions, the second reading the first's write: valid, one wr dependency.
  const history: Op[] = [
    { index: 0, time: 0, process: 0, type: 'invoke', f: 'txn', value: [['send', 0, 0]] },
    { index: 1, time: 1, process: 0, type: 'ok', f: 'txn', value: completeMops([['send', 0, 0]], [0], []) },
    { index: 2, time: 2, process: 1, type: 'invoke', f: 'txn', value: [['poll']] },
    { index: 3, time: 3, process: 1, type: 'ok', f: 'txn', value: completeMops([['poll']], [], [{ 0: [[0, 0]] }]) },
  ];
  const r = checkTxn(history);
  assert.equal(r.valid, true);
  assert.equal(r.stats.committed, 2);
  assert.equal(r.stats.recordsPolled, 1);
});
