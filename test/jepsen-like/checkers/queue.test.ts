// The queue checker on hand-made histories: one per anomaly class that must be flagged (with its
// count), and valid ones that must pass — info sends seen or not, subscribe-mode skips allowed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkQueue, queueAnomalies, type QueueAnomaly } from '../../../jepsen-like/src/checkers/queue.js';
import { HistoryBuilder } from './histories.js';

const assign = { subscribe: false };
const subscribe = { subscribe: true };

function only(result: ReturnType<typeof checkQueue>, anomaly: QueueAnomaly, count: number): void {
  for (const a of queueAnomalies) assert.equal(result.counts[a], a === anomaly ? count : 0, `${a}: ${JSON.stringify(result.examples[a])}`);
  assert.equal(result.examples[anomaly]!.length, count);
  assert.ok(result.examples[anomaly]![0]!.ops.length > 0);
}

test('a clean history passes: every acknowledged send read once, in order', () => {
  const h = new HistoryBuilder().send(0, 1, 10, 0).send(0, 1, 11, 1).send(1, 2, 20, 0).poll(2, { 1: [[0, 10], [1, 11]], 2: [[0, 20]] });
  const r = checkQueue(h.ops, assign);
  assert.equal(r.valid, true, JSON.stringify(r.counts));
  assert.deepEqual([r.stats.okSends, r.stats.recordsPolled, r.stats.distinctValuesPolled], [3, 3, 3]);
});

test('info sends: one that was read counts as committed, one never read is not an anomaly', () => {
  const h = new HistoryBuilder().send(0, 1, 10, null, 'info').send(1, 1, 11, null, 'info').send(2, 1, 12, 1).poll(3, { 1: [[0, 10], [1, 12]] });
  const r = checkQueue(h.ops, assign);
  assert.equal(r.valid, true, JSON.stringify(r.counts));
  assert.equal(r.stats.infoSends, 2);
});

test('lost-write: an acknowledged value below the highest offset read, never read', () => {
  const h = new HistoryBuilder().send(0, 1, 10, 0).send(0, 1, 11, 1).send(0, 1, 12, 2).poll(1, { 1: [[0, 10], [2, 12]] });
  const r = checkQueue(h.ops, subscribe);
  // Offset 1 is known (the send said so), so the poll also skipped a record inside itself.
  assert.equal(r.counts['lost-write'], 1);
  assert.match(r.examples['lost-write']![0]!.explanation, /value 11, acknowledged at offset 1/);
  assert.equal(r.valid, false);
});

test('unseen: an acknowledged value above every offset read', () => {
  const h = new HistoryBuilder().send(0, 1, 10, 0).send(0, 1, 11, 1).poll(1, { 1: [[0, 10]] });
  only(checkQueue(h.ops, assign), 'unseen', 1);
  assert.equal(checkQueue(h.ops, assign).valid, false);
});

test('duplicate: one value at two offsets', () => {
  const h = new HistoryBuilder().send(0, 1, 10, 0).send(0, 1, 11, 1).poll(1, { 1: [[0, 10], [1, 11], [2, 10]] });
  only(checkQueue(h.ops, assign), 'duplicate', 1);
});

test('inconsistent-offsets: two values at one offset (a send and a poll disagree)', () => {
  const h = new HistoryBuilder().send(0, 1, 10, 0).send(1, 1, 11, 0).poll(2, { 1: [[0, 11]] });
  const r = checkQueue(h.ops, assign);
  assert.equal(r.counts['inconsistent-offsets'], 1);
  assert.equal(r.counts['lost-write'], 1, 'value 10 acknowledged at offset 0 and never read');
  assert.equal(r.valid, false);
});

test('aborted-read: a value whose send failed is read', () => {
  const h = new HistoryBuilder().send(0, 1, 10, 0).send(0, 1, 11, null, 'fail').poll(1, { 1: [[0, 10], [1, 11]] });
  only(checkQueue(h.ops, assign), 'aborted-read', 1);
});

test('nonmonotonic-send: a process\'s later send lands before its earlier one', () => {
  const h = new HistoryBuilder().send(0, 1, 10, 1).send(0, 1, 11, 0).poll(1, { 1: [[0, 11], [1, 10]] });
  only(checkQueue(h.ops, assign), 'nonmonotonic-send', 1);
});

test('nonmonotonic-poll: flagged with assign, allowed with subscribe, forgotten after a new assign', () => {
  const h = new HistoryBuilder().send(0, 1, 10, 0).send(0, 1, 11, 1).poll(1, { 1: [[0, 10], [1, 11]] }).poll(1, { 1: [[1, 11]] });
  only(checkQueue(h.ops, assign), 'nonmonotonic-poll', 1);
  const sub = checkQueue(h.ops, subscribe);
  assert.equal(sub.valid, true);
  assert.deepEqual(sub.allowed, ['nonmonotonic-poll']);
  const reassigned = new HistoryBuilder().send(0, 1, 10, 0).send(0, 1, 11, 1).poll(1, { 1: [[0, 10], [1, 11]] }).assign(1, [1]).poll(1, { 1: [[0, 10]] });
  assert.equal(checkQueue(reassigned.ops, assign).valid, true);
  const rebalanced = new HistoryBuilder().send(0, 1, 10, 0).send(0, 1, 11, 1).poll(1, { 1: [[0, 10], [1, 11]] }).poll(1, { 1: [[0, 10]] }, { rebalanceLog: [{ keys: [1], time: 5 }] });
  assert.equal(checkQueue(rebalanced.ops, assign).counts['nonmonotonic-poll'], 0, 'a rebalance of the key resets the position');
});

test('poll-skip: flagged with assign, allowed with subscribe', () => {
  const h = new HistoryBuilder().send(0, 1, 10, 0).send(0, 1, 11, 1).send(0, 1, 12, 2).poll(1, { 1: [[0, 10]] }).poll(1, { 1: [[2, 12]] }).poll(2, { 1: [[0, 10], [1, 11], [2, 12]] });
  only(checkQueue(h.ops, assign), 'poll-skip', 1);
  assert.equal(checkQueue(h.ops, subscribe).valid, true);
});

test('int-poll-skip and int-nonmonotonic-poll inside one poll', () => {
  const skip = new HistoryBuilder().send(0, 1, 10, 0).send(0, 1, 11, 1).send(0, 1, 12, 2).poll(1, { 1: [[0, 10], [2, 12]] }).poll(2, { 1: [[1, 11]] });
  only(checkQueue(skip.ops, assign), 'int-poll-skip', 1);
  const back = new HistoryBuilder().send(0, 1, 10, 0).send(0, 1, 11, 1).poll(1, { 1: [[1, 11], [0, 10]] });
  only(checkQueue(back.ops, assign), 'int-nonmonotonic-poll', 1);
});

test('examples are bounded and counts are exact on a history with many lost writes', () => {
  const h = new HistoryBuilder();
  for (let i = 0; i < 50; i++) h.send(0, 1, i, i);
  h.poll(1, { 1: [[49, 49]] });
  const r = checkQueue(h.ops, subscribe);
  assert.equal(r.counts['lost-write'], 49);
  assert.equal(r.examples['lost-write']!.length, 8);
});

test('lost-write after a complete final read: a value an earlier poll saw is gone from the final read', () => {
  // Process 0's sends were acknowledged by a leader that later lost them (offsets reused).
  const h = new HistoryBuilder().send(0, 1, 10, 0).send(0, 1, 11, 1).poll(1, { 1: [[0, 10], [1, 11]] }).send(2, 1, 12, 1).poll(9, { 1: [[0, 10], [1, 12]] });
  const without = checkQueue(h.ops, assign);
  assert.equal(without.counts['lost-write'], 0, 'by the poll rule alone value 11 was seen');
  assert.equal(without.counts['inconsistent-offsets'], 1);
  const r = checkQueue(h.ops, { subscribe: false, finalProcess: 9 });
  assert.equal(r.counts['lost-write'], 1);
  assert.match(r.examples['lost-write']![0]!.explanation, /value 11, acknowledged at offset 1 and read by an earlier poll, is missing from the final read/);
  // Everything present in the final read: nothing lost.
  const fine = new HistoryBuilder().send(0, 1, 10, 0).poll(1, { 1: [[0, 10]] }).poll(9, { 1: [[0, 10]] });
  assert.equal(checkQueue(fine.ops, { subscribe: false, finalProcess: 9 }).valid, true);
});
