// The transactional (Elle-style) checker on hand-made histories: one per anomaly class, each
// found with its witness, and generated valid histories found valid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTxn, txnAnomalies, type TxnAnomaly, type TxnResult } from '../../../jepsen-like/src/checkers/txn.js';
import { generateTxnHistory, HistoryBuilder } from './histories.js';

/** The classes found, in the checker's order. */
const foundIn = (r: TxnResult): TxnAnomaly[] => txnAnomalies.filter((a) => r.counts[a] > 0);

test('generated valid transactional histories are valid', () => {
  for (const seed of [1, 2, 3]) {
    const r = checkTxn(generateTxnHistory(seed, 2_000, 5, 4));
    assert.deepEqual(foundIn(r), [], JSON.stringify(r.examples).slice(0, 500));
    assert.equal(r.valid, true);
    assert.ok(r.stats.committed > 1_500 && r.stats.aborted > 0 && r.stats.recordsPolled > 0);
  }
});

test('G1a: a poll saw a write of an aborted transaction', () => {
  const h = new HistoryBuilder().txn(0, [[0, 1, null]], null, 'fail').txn(1, [], { 0: [[0, 1]] });
  const r = checkTxn(h.ops);
  assert.deepEqual(foundIn(r), ['G1a']);
  assert.equal(r.valid, false);
  assert.deepEqual(r.examples.G1a![0]!.ops, [2, 3, 0, 1]);
});

test('G1b: a poll returned one write of a transaction and read across another without returning it', () => {
  const h = new HistoryBuilder()
    .txn(0, [
      [0, 1, 0],
      [0, 2, 1],
    ])
    .txn(1, [[0, 3, 2]])
    .txn(2, [], {
      0: [
        [0, 1],
        [2, 3],
      ],
    });
  const r = checkTxn(h.ops);
  assert.ok(r.counts.G1b === 1, JSON.stringify(r.counts));
  assert.match(r.examples.G1b![0]!.explanation, /not that txn's write 2 at offset 1/);
  // The same write, read past and never seen, also tears the transaction.
  assert.deepEqual(foundIn(r), ['G1b', 'torn-transaction']);
});

test('a poll that stops between two records of a transaction is not an intermediate read', () => {
  const h = new HistoryBuilder()
    .txn(0, [
      [0, 1, 0],
      [0, 2, 1],
    ])
    .txn(1, [], { 0: [[0, 1]] })
    .txn(1, [], { 0: [[1, 2]] });
  assert.equal(checkTxn(h.ops).valid, true);
});

test('lost commit: no write of a committed transaction seen though polls read past them', () => {
  const h = new HistoryBuilder()
    .txn(0, [[0, 1, 0]])
    .txn(1, [[0, 2, 1]])
    .txn(2, [], { 0: [[1, 2]] });
  const r = checkTxn(h.ops);
  assert.deepEqual(foundIn(r), ['lost-commit']);
  assert.deepEqual(r.examples['lost-commit']![0]!.ops, [0, 1]);
});

test('torn transaction: one write of a committed transaction seen, another read past and never', () => {
  const h = new HistoryBuilder()
    .txn(0, [
      [0, 1, 0],
      [1, 2, 0],
    ])
    .txn(1, [[1, 3, 1]])
    .txn(2, [], { 0: [[0, 1]], 1: [[1, 3]] });
  const r = checkTxn(h.ops);
  assert.deepEqual(foundIn(r), ['torn-transaction']);
});

test('duplicate and inconsistent offsets', () => {
  const dup = new HistoryBuilder().txn(0, [[0, 1, 0]]).txn(1, [], {
    0: [
      [0, 1],
      [1, 1],
    ],
  });
  assert.deepEqual(foundIn(checkTxn(dup.ops)), ['duplicate']);
  const clash = new HistoryBuilder().txn(0, [[0, 1, 0]]).txn(1, [[0, 2, 0]]);
  assert.deepEqual(foundIn(checkTxn(clash.ops)), ['inconsistent-offsets']);
});

test('G0: two transactions wrote two keys in opposite orders; the witness is the 2-cycle', () => {
  const h = new HistoryBuilder()
    .txn(0, [
      [0, 1, 0],
      [1, 2, 1],
    ])
    .txn(1, [
      [0, 3, 1],
      [1, 4, 0],
    ]);
  const r = checkTxn(h.ops);
  assert.deepEqual(foundIn(r), ['G0']);
  const cycle = r.examples.G0![0]!.cycle!;
  assert.deepEqual(
    cycle.map((s) => [s.txn, s.edge]),
    [
      [0, 'ww'],
      [2, 'ww'],
    ],
  );
  // A model that permits write cycles passes the run and says what it allowed.
  const lenient = checkTxn(h.ops, { allowed: ['G0'] });
  assert.equal(lenient.valid, true);
  assert.deepEqual(lenient.allowed, ['G0']);
});

test('G1c: a ww edge one way and a wr edge back; the witness names both', () => {
  const h = new HistoryBuilder().txn(0, [[0, 1, 0]], { 1: [[0, 4]] }).txn(1, [
    [0, 3, 1],
    [1, 4, 0],
  ]);
  const r = checkTxn(h.ops);
  assert.deepEqual(foundIn(r), ['G1c']);
  const cycle = r.examples.G1c![0]!.cycle!;
  assert.deepEqual(cycle.map((s) => s.edge).sort(), ['wr', 'ww']);
  assert.match(
    r.examples.G1c![0]!.explanation,
    /txn 0 -ww\(0:3\)-> txn 2 -wr\(1:4\)-> txn 0|txn 2 -wr\(1:4\)-> txn 0 -ww\(0:3\)-> txn 2/,
  );
});

test('a longer cycle is reported by its smallest witness', () => {
  // T0 → T1 → T2 → T0 by ww on keys 0, 1, 2 (each pair wrote one key in order), plus a chord.
  const h = new HistoryBuilder()
    .txn(0, [
      [0, 1, 0],
      [2, 6, 1],
    ])
    .txn(1, [
      [0, 2, 1],
      [1, 3, 0],
    ])
    .txn(2, [
      [1, 4, 1],
      [2, 5, 0],
    ]);
  const r = checkTxn(h.ops);
  assert.deepEqual(foundIn(r), ['G0']);
  assert.equal(r.examples.G0![0]!.cycle!.length, 3);
});
