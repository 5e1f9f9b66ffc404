// The broker's fetch session cache (KIP-227): session creation and epochs, the top-level errors,
// forgotten partitions, what an incremental answer leaves out, and Kafka's eviction order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { ErrorCode } from '../../src/common/errors.js';
import {
  FetchSessionCache,
  nextEpoch,
  sessionKey,
  type FetchContext,
  type PartitionAnswerState,
  type WantedPartition,
} from '../../src/broker/fetch-session.js';

const wanted = (topic: string, partition: number, fetchOffset = 0): WantedPartition => ({
  key: sessionKey(topic, partition),
  topic,
  topicId: '',
  partition,
  fetchOffset,
  maxBytes: 1024,
  currentLeaderEpoch: -1,
  lastFetchedEpoch: -1,
  logStartOffset: -1,
});

const quiet = (highWatermark = 10): PartitionAnswerState => ({
  errorCode: 0,
  highWatermark,
  lastStableOffset: highWatermark,
  logStartOffset: 0,
  recordBytes: 0,
});

let nextId = 100;
const cache = (slotsMax = 10, evictionMs = 1000, registry?: Registry) =>
  new FetchSessionCache({ slotsMax, evictionMs, randomInt: () => nextId++, ...(registry ? { registry } : {}) });

const request = (
  sessionId: number,
  epoch: number,
  partitions: WantedPartition[],
  opts: { forgotten?: string[]; privileged?: boolean; usesTopicIds?: boolean } = {},
) => ({
  sessionId,
  epoch,
  partitions,
  forgotten: opts.forgotten ?? [],
  privileged: opts.privileged ?? false,
  usesTopicIds: opts.usesTopicIds ?? false,
});

/** A full fetch (epoch 0) of `partitions` answered quietly: the new session's id (0: none). */
function openSession(c: FetchSessionCache, partitions: WantedPartition[], nowMs = 0, privileged = false): number {
  const ctx = c.newContext(request(0, 0, partitions, { privileged }), nowMs);
  assert.equal(ctx.kind, 'full');
  return c.answer(
    ctx,
    partitions.map(() => quiet()),
    nowMs,
  ).sessionId;
}

const keptIndexes = (c: FetchSessionCache, ctx: FetchContext, answers: PartitionAnswerState[]) => {
  const { keep, sessionId } = c.answer(ctx, answers, 0);
  return { sessionId, kept: answers.flatMap((_, i) => (keep(i) ? [i] : [])) };
};

test('a full fetch creates a session, incremental fetches follow with epochs 1, 2, ...', () => {
  const c = cache();
  const id = openSession(c, [wanted('t', 0), wanted('t', 1)]);
  assert.ok(id > 0);
  assert.equal(c.size, 1);
  assert.equal(c.partitionsCount, 2);
  const first = c.newContext(request(id, 1, []), 1);
  assert.equal(first.kind, 'incremental');
  assert.equal(
    first.kind === 'incremental' && first.partitions.length,
    2,
    'an incremental fetch reads every partition',
  );
  assert.equal(keptIndexes(c, first, [quiet(), quiet()]).sessionId, id);
  assert.equal(c.newContext(request(id, 2, []), 2).kind, 'incremental');
  // The same epoch again (a retried request) is refused, and so is an unknown session.
  assert.deepEqual(c.newContext(request(id, 2, []), 3), {
    kind: 'error',
    errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH,
  });
  assert.deepEqual(c.newContext(request(id + 1, 1, []), 3), {
    kind: 'error',
    errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND,
  });
  assert.equal(nextEpoch(0x7fffffff), 1, 'the epoch wraps to 1');
  assert.equal(nextEpoch(-1), -1);
});

test('epoch -1 closes the session and fetches without one; epoch 0 with an id replaces it', () => {
  const c = cache();
  const id = openSession(c, [wanted('t', 0)]);
  const replaced = c.newContext(request(id, 0, [wanted('t', 0)]), 1);
  assert.equal(replaced.kind, 'full');
  assert.equal(c.get(id), undefined, 'the named session is closed');
  const id2 = c.answer(replaced, [quiet()], 1).sessionId;
  assert.ok(id2 > 0 && id2 !== id);
  const final = c.newContext(request(id2, -1, [wanted('t', 0)]), 2);
  assert.equal(final.kind, 'sessionless');
  assert.equal(c.answer(final, [quiet()], 2).sessionId, 0);
  assert.equal(c.size, 0);
});

test('a session keeps its kind of topic naming: ids (v13+) or names', () => {
  const c = cache();
  const ctx = c.newContext(request(0, 0, [wanted('t', 0)], { usesTopicIds: true }), 0);
  const id = c.answer(ctx, [quiet()], 0).sessionId;
  assert.deepEqual(c.newContext(request(id, 1, [], { usesTopicIds: false }), 1), {
    kind: 'error',
    errorCode: ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR,
  });
});

test('an incremental answer leaves out partitions with nothing new', () => {
  const c = cache();
  const id = openSession(c, [wanted('t', 0), wanted('t', 1), wanted('t', 2), wanted('t', 3), wanted('t', 4)]);
  const ctx = c.newContext(request(id, 1, []), 1);
  const answers: PartitionAnswerState[] = [
    quiet(), // same high watermark, log start, LSO: left out
    { ...quiet(), recordBytes: 100 }, // records
    quiet(11), // the high watermark moved
    { ...quiet(), errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER }, // an error
    { ...quiet(), logStartOffset: 5 }, // the log start moved
  ];
  assert.deepEqual(keptIndexes(c, ctx, answers).kept, [1, 2, 3, 4]);
  // Told once, not again; the errored partition is answered again when the error goes.
  const again = c.newContext(request(id, 2, []), 2);
  const order = again.kind === 'incremental' ? again.partitions.map((p) => p.partition) : [];
  assert.deepEqual(order, [0, 2, 3, 4, 1], 'a partition that returned records moves to the end');
  const quietNow = [quiet(), quiet(11), quiet(), { ...quiet(), logStartOffset: 5 }, quiet()];
  assert.deepEqual(keptIndexes(c, again, quietNow).kept, [2], 'only the partition whose error went away');
});

test('incremental requests update fetch offsets, add partitions and forget partitions', () => {
  const c = cache();
  const id = openSession(c, [wanted('t', 0), wanted('t', 1)]);
  const ctx = c.newContext(request(id, 1, [wanted('t', 0, 7), wanted('u', 0)], { forgotten: [sessionKey('t', 1)] }), 1);
  assert.equal(ctx.kind, 'incremental');
  const parts = ctx.kind === 'incremental' ? ctx.partitions : [];
  assert.deepEqual(
    parts.map((p) => [p.topic, p.partition, p.fetchOffset]),
    [
      ['t', 0, 7],
      ['u', 0, 0],
    ],
  );
  // A partition new to the session is always answered the first time.
  assert.deepEqual(keptIndexes(c, ctx, [quiet(), quiet()]).kept, [1]);
  // Forgetting every partition ends the session: the fetch goes on without one.
  const last = c.newContext(request(id, 2, [], { forgotten: [sessionKey('t', 0), sessionKey('u', 0)] }), 2);
  assert.equal(last.kind, 'sessionless');
  assert.equal(c.get(id), undefined);
});

test('slots 0 switches sessions off: a full fetch answers "no session"', () => {
  const c = cache(0);
  const ctx = c.newContext(request(0, 0, [wanted('t', 0)]), 0);
  assert.equal(ctx.kind, 'sessionless');
  assert.equal(c.answer(ctx, [quiet()], 0).sessionId, 0);
  assert.equal(c.size, 0);
});

test('eviction: a stale session first, then by value (followers over consumers, more partitions over fewer)', () => {
  const registry = new Registry();
  const c = cache(2, 1000, registry);
  const small = openSession(c, [wanted('t', 0)], 0);
  const big = openSession(c, [wanted('t', 0), wanted('t', 1), wanted('t', 2)], 0);
  // Full, nothing stale, nothing old: a consumer's session can evict nothing.
  assert.equal(openSession(c, [wanted('t', 0), wanted('t', 1)], 10), 0);
  // A follower may evict a consumer's session of any age: the least valuable (fewest partitions).
  const follower = openSession(c, [wanted('r', 0)], 20, true);
  assert.ok(follower > 0);
  assert.equal(c.get(small), undefined);
  assert.ok(c.get(big));
  assert.equal(c.evictionsTotal, 1);
  // Once the big session has been idle past the eviction time, any new session takes its place.
  c.newContext(request(follower, 1, []), 1500);
  const late = openSession(c, [wanted('t', 0)], 1500);
  assert.ok(late > 0);
  assert.equal(c.get(big), undefined, 'the least recently used session was stale');
  assert.ok(c.get(follower));
  // A consumer session cannot evict a follower's younger than the eviction time, nor a more valuable one.
  assert.equal(openSession(c, [wanted('t', 9)], 1600), 0);
  assert.equal(c.evictionsTotal, 2);
  const text = registry.getSingleMetric('raftka_fetch_session_evictions_total');
  assert.ok(text, 'the evictions counter is registered');
});

test('an older session of equal value stays; one worth less than the new one goes', () => {
  const c = cache(1, 1000);
  const a = openSession(c, [wanted('t', 0), wanted('t', 1)], 0);
  // Past the eviction time since creation but used recently: not stale, but evictable by value.
  c.newContext(request(a, 1, []), 1900);
  assert.equal(openSession(c, [wanted('t', 5), wanted('t', 6)], 2000), 0, 'equal value: the old one stays');
  const b = openSession(c, [wanted('t', 5), wanted('t', 6), wanted('t', 7)], 2000);
  assert.ok(b > 0, 'more partitions: worth more');
  assert.equal(c.get(a), undefined);
});
