// The lag ring buffer and the watch window of the console's lag sampler.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LagHistory, RingBuffer, type LagSample } from '../../src/console/lag-history.js';
import { lagRows, lagSample } from '../../src/console/group-lag.js';

const sample = (timeMs: number, total: number): LagSample => ({ timeMs, total, partitions: new Map([['t-0', total]]) });

test('a full ring drops the oldest; toArray is oldest first', () => {
  const r = new RingBuffer<number>(3);
  assert.deepEqual(r.toArray(), []);
  for (let i = 1; i <= 5; i++) r.push(i);
  assert.equal(r.size, 3);
  assert.deepEqual(r.toArray(), [3, 4, 5]);
  r.push(6);
  assert.deepEqual(r.toArray(), [4, 5, 6]);
  assert.throws(() => new RingBuffer(0), RangeError);
});

test('only groups opened within the window are sampled; older ones are forgotten', () => {
  const h = new LagHistory(4, 10_000, 2);
  h.record('never-opened', sample(0, 5));
  assert.deepEqual(h.samples('never-opened'), []);
  h.touch('g', 0);
  for (let t = 0; t < 6; t++) h.record('g', sample(t * 1000, 10 - t));
  assert.deepEqual(
    h.samples('g').map((s) => s.total),
    [8, 7, 6, 5],
  );
  assert.deepEqual(h.watched(10_000), ['g']);
  assert.deepEqual(h.watched(10_001), []);
  assert.deepEqual(h.samples('g'), [], 'forgotten with its samples');
});

test('the watch list is bounded: opening one more forgets the least recently opened', () => {
  const h = new LagHistory(4, 60_000, 2);
  h.touch('a', 0);
  h.touch('b', 1);
  h.touch('a', 2);
  h.touch('c', 3);
  assert.deepEqual(h.watched(3).sort(), ['a', 'c']);
});

test('lag rows: committed and assigned partitions once each; no commit, no lag', () => {
  const rows = lagRows(
    [
      { topic: 't', partition: 1, offset: 40 },
      { topic: 't', partition: 0, offset: 0 },
      { topic: 'u', partition: 0, offset: -1 },
    ],
    [
      {
        memberId: 'm1',
        clientId: 'c',
        clientHost: '/h',
        assignment: [
          { topic: 't', partition: 0 },
          { topic: 't', partition: 2 },
        ],
      },
    ],
    new Map([
      ['t-0', 1000],
      ['t-1', 40],
      ['t-2', 7],
    ]),
  );
  assert.deepEqual(rows, [
    { topic: 't', partition: 0, committed: 0, logEnd: 1000, lag: 1000, memberId: 'm1' },
    { topic: 't', partition: 1, committed: 40, logEnd: 40, lag: 0, memberId: null },
    { topic: 't', partition: 2, committed: null, logEnd: 7, lag: null, memberId: 'm1' },
  ]);
  const s = lagSample(rows, 5);
  assert.equal(s.total, 1000);
  assert.deepEqual(
    [...s.partitions],
    [
      ['t-0', 1000],
      ['t-1', 0],
    ],
  );
});
