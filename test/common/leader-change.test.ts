import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeLeaderChange, encodeLeaderChange, leaderChangeVotersMax } from '../../src/common/leader-change.js';

test('LeaderChange payload: round trip, exact bytes, bad payloads refused', () => {
  const change = { leaderId: 2, voters: [1, 2, 3] };
  const bytes = encodeLeaderChange(change.leaderId, change.voters);
  assert.deepEqual(Buffer.from(bytes), Buffer.from([0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3]));
  assert.deepEqual(decodeLeaderChange(bytes), change);
  assert.deepEqual(decodeLeaderChange(encodeLeaderChange(-1, [])), { leaderId: -1, voters: [] });

  // A view into a larger buffer decodes from its own start.
  const backing = new Uint8Array(bytes.length + 4);
  backing.set(bytes, 4);
  assert.deepEqual(decodeLeaderChange(backing.subarray(4)), change);

  assert.throws(() => decodeLeaderChange(new Uint8Array(7)), RangeError);
  assert.throws(() => decodeLeaderChange(bytes.subarray(0, bytes.length - 1)), RangeError);
  const negative = Buffer.from(bytes);
  negative.writeInt32BE(-1, 4);
  assert.throws(() => decodeLeaderChange(negative), /claims -1 voters/);
  const longer = Buffer.concat([bytes, Buffer.alloc(4)]);
  assert.throws(() => decodeLeaderChange(longer), RangeError);
});

test('LeaderChange payload: more voters than the bound are refused when written', () => {
  assert.throws(
    () =>
      encodeLeaderChange(
        1,
        Array.from({ length: leaderChangeVotersMax + 1 }, (_, i) => i),
      ),
    RangeError,
  );
});
