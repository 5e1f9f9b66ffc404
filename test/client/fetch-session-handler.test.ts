// The fetcher's half of a fetch session: full then incremental requests, what an incremental
// request names (added, changed, forgotten), and starting over after errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../src/common/errors.js';
import { FetchSessionHandler, type SessionPartitionState } from '../../src/client/fetch-session-handler.js';

interface P extends SessionPartitionState {
  readonly partition: number;
}
const p = (partition: number, fetchOffset = 0): P => ({
  partition,
  fetchOffset,
  currentLeaderEpoch: 0,
  lastFetchedEpoch: -1,
  maxBytes: 100,
  logStartOffset: -1,
});
const key = (x: P) => String(x.partition);

test('a full fetch first, then incremental ones naming only what changed', () => {
  const h = new FetchSessionHandler<P>();
  const full = h.build([p(0), p(1), p(2)], key);
  assert.deepEqual([full.sessionId, full.sessionEpoch, full.full, full.toSend.length], [0, 0, true, 3]);
  h.handleResponse(ErrorCode.NONE, 42);
  assert.equal(h.incremental, true);
  const idle = h.build([p(0), p(1), p(2)], key);
  assert.deepEqual([idle.sessionId, idle.sessionEpoch, idle.toSend.length, idle.forgotten.length], [42, 1, 0, 0]);
  h.handleResponse(ErrorCode.NONE, 42);
  const moved = h.build([p(0), p(1, 5), p(3)], key);
  assert.equal(moved.sessionEpoch, 2);
  assert.deepEqual(
    moved.toSend.map((x) => [x.partition, x.fetchOffset]),
    [
      [1, 5],
      [3, 0],
    ],
  );
  assert.deepEqual(
    moved.forgotten.map((x) => x.partition),
    [2],
  );
});

test('errors start over: not found forgets the id, others close the session with epoch 0', () => {
  const h = new FetchSessionHandler<P>();
  h.build([p(0)], key);
  h.handleResponse(ErrorCode.NONE, 7);
  h.build([p(0)], key);
  h.handleResponse(ErrorCode.INVALID_FETCH_SESSION_EPOCH, 0);
  const reopen = h.build([p(0)], key);
  assert.deepEqual([reopen.sessionId, reopen.sessionEpoch, reopen.full], [7, 0, true]);
  h.handleResponse(ErrorCode.NONE, 8);
  h.build([p(0)], key);
  h.handleResponse(ErrorCode.FETCH_SESSION_ID_NOT_FOUND, 0);
  const fresh = h.build([p(0)], key);
  assert.deepEqual([fresh.sessionId, fresh.sessionEpoch], [0, 0]);
  h.handleResponse(ErrorCode.NONE, 9);
  h.build([p(0)], key);
  h.handleError(); // no answer: the broker may have moved the epoch on
  assert.equal(h.build([p(0)], key).sessionEpoch, 0);
  h.handleResponse(ErrorCode.NONE, 0); // the broker kept no session
  assert.equal(h.build([p(0)], key).full, true);
});

test('sessions off: every request is a full one with epoch -1', () => {
  const h = new FetchSessionHandler<P>(false);
  const r = h.build([p(0)], key);
  assert.deepEqual([r.sessionId, r.sessionEpoch, r.full], [0, -1, true]);
  h.handleResponse(ErrorCode.NONE, 5);
  assert.deepEqual(h.build([p(0)], key).sessionEpoch, -1);
});
