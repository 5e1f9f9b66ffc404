// Change tracking in the fetch session cache (fetch-session.ts, used by the leader side of replica
// fetch): an incremental request of a tracking session is served for what it names, what the
// leader reported changed, and what the last answer left unsettled, not for every partition; a
// parked fetch is woken by a change of its session's partitions; forgotten partitions and dropped
// sessions stop being tracked; and the session covers (stands for fetches of) its partitions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FetchSessionCache,
  type FetchContext,
  type PartitionAnswerState,
  type WantedPartition,
} from '../../src/broker/fetch-session.js';

const wanted = (partition: number, fetchOffset = 10): WantedPartition => ({
  key: `t-${partition}`,
  topic: 't',
  topicId: '',
  partition,
  fetchOffset,
  maxBytes: 0,
  currentLeaderEpoch: 1,
  lastFetchedEpoch: 1,
  logStartOffset: -1,
});

const quiet = (highWatermark = 10): PartitionAnswerState => ({
  errorCode: 0,
  highWatermark,
  lastStableOffset: -1,
  logStartOffset: 0,
  recordBytes: 0,
});

let nextId = 500;
const cache = () => new FetchSessionCache({ slotsMax: 10, evictionMs: 1000, randomInt: () => nextId++ });

const request = (sessionId: number, epoch: number, partitions: WantedPartition[], forgotten: string[] = []) => ({
  sessionId,
  epoch,
  partitions,
  forgotten,
  privileged: true,
  usesTopicIds: false,
  trackChanges: true,
});

const served = (ctx: FetchContext) => (ctx.kind === 'incremental' ? ctx.partitions.map((p) => p.partition) : null);

/** A tracking session over partitions 0..n-1, created by a quiet full fetch. */
function open(c: FetchSessionCache, n: number, answers?: PartitionAnswerState[]): number {
  const parts = Array.from({ length: n }, (_, i) => wanted(i));
  const ctx = c.newContext(request(0, 0, parts), 0);
  assert.equal(ctx.kind, 'full');
  return c.answer(ctx, answers ?? parts.map(() => quiet()), 0).sessionId;
}

test('an idle incremental fetch of a tracking session serves nothing; a change serves that partition only', () => {
  const c = cache();
  const id = open(c, 1000);
  const idle = c.newContext(request(id, 1, []), 1);
  assert.deepEqual(served(idle), [], 'nothing named, changed or unsettled');
  c.answer(idle, [], 1);
  c.partitionChanged('t-7');
  c.partitionChanged('t-7');
  c.partitionChanged('u-7'); // not in the session
  const next = c.newContext(request(id, 2, [wanted(3, 11)]), 2);
  assert.deepEqual(served(next), [3, 7], 'the named partition and the changed one');
  // The changed partition's high watermark moved: answered; the named one had nothing new.
  const { keep } = c.answer(next, [quiet(), quiet(11)], 2);
  assert.deepEqual([keep(0), keep(1)], [false, true]);
  assert.deepEqual(served(c.newContext(request(id, 3, []), 3)), [], 'a change is served once');
});

test('answers with records, an error, a divergence or a fetcher behind are served again on the next fetch', () => {
  const c = cache();
  const id = open(c, 6, [
    quiet(),
    { ...quiet(), recordBytes: 10 },
    { ...quiet(), errorCode: 6 },
    { ...quiet(), mustAnswer: true },
    { ...quiet(), behind: true },
    quiet(),
  ]);
  const ctx = c.newContext(request(id, 1, []), 1);
  assert.deepEqual(served(ctx), [1, 2, 3, 4]);
  // Settled now except the error, which stays.
  c.answer(ctx, [quiet(), { ...quiet(), errorCode: 6 }, quiet(), quiet()], 1);
  assert.deepEqual(served(c.newContext(request(id, 2, []), 2)), [2]);
});

test('onChange wakes a parked fetch at its session partition change, and at once when one is pending', () => {
  const c = cache();
  const id = open(c, 3);
  const session = c.get(id)!;
  let woken = 0;
  const stop = c.onChange(session, () => woken++);
  c.partitionChanged('t-9');
  assert.equal(woken, 0, 'not a partition of the session');
  c.partitionChanged('t-1');
  assert.equal(woken, 1);
  stop();
  c.onChange(session, () => woken++);
  assert.equal(woken, 2, 't-1 is still to be served: no wait');
  c.answer(c.newContext(request(id, 1, []), 1), [quiet()], 1);
  const stop2 = c.onChange(session, () => woken++);
  assert.equal(woken, 2);
  c.remove(id);
  assert.equal(woken, 3, 'a dropped session wakes its waiters');
  stop2();
});

test('forgotten partitions and dropped sessions stop being tracked; covers follows the session', () => {
  const c = cache();
  const id = open(c, 3);
  const session = c.get(id)!;
  assert.equal(c.covers(session, 't-2'), true);
  const ctx = c.newContext(request(id, 1, [wanted(5)], ['t-2']), 1);
  assert.deepEqual(served(ctx), [5], 'an added partition is served');
  c.answer(ctx, [quiet()], 1);
  assert.equal(c.covers(session, 't-2'), false, 'forgotten');
  assert.equal(c.covers(session, 't-5'), true, 'added');
  c.partitionChanged('t-2');
  c.partitionChanged('t-5');
  assert.deepEqual(served(c.newContext(request(id, 2, []), 2)), [5]);
  // A full fetch naming the session closes it: no longer covering, no longer tracked.
  const replaced = c.newContext(request(id, 0, [wanted(0)]), 3);
  assert.equal(replaced.kind, 'full');
  assert.equal(c.covers(session, 't-0'), false);
  c.partitionChanged('t-0');
  assert.equal(session.changes!.dirty.size, 0);
});
