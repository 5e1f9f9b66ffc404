// The replication quota's rate (Kafka's sampled Rate: eleven one-second windows, at least ten
// seconds of elapsed time) and the throttled-replica lists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isThrottledReplica, ReplicationQuota } from '../../src/broker/replication-throttle.js';

test('the rate allows a ten-second burst, then holds the bound, and forgets old windows', () => {
  const q = new ReplicationQuota();
  assert.equal(q.isExceeded(1000, 0), false);
  assert.equal(q.isExceeded(null, 0), false, 'no bound, never exceeded');
  q.record(9000, 0);
  assert.equal(q.rate(0), 900, '9000 bytes over the minimum ten seconds');
  assert.equal(q.isExceeded(1000, 0), false);
  q.record(2000, 500);
  assert.equal(q.isExceeded(1000, 500), true, '11000 bytes in ten seconds is over 1000/s');
  assert.equal(q.isExceeded(1000, 11_500), false, 'the windows age out');
  for (let s = 0; s < 20; s++) q.record(1000, 20_000 + s * 1000);
  assert.ok(Math.abs(q.rate(39_999) - 1000) < 1, `steady 1000 B/s: ${q.rate(39_999)}`);
});

test('throttled replica lists: * or partition:broker pairs naming this broker', () => {
  assert.equal(isThrottledReplica(undefined, 0, 1), false);
  assert.equal(isThrottledReplica('*', 3, 1), true);
  assert.equal(isThrottledReplica('0:1,1:2', 1, 2), true);
  assert.equal(isThrottledReplica('0:1,1:2', 1, 1), false);
  assert.equal(isThrottledReplica('', 0, 1), false);
});
