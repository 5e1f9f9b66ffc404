import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MetadataState } from '../../src/metadata/metadata-state.js';
import { encodeRecord } from '../../src/metadata/records.js';
import { encodeLeaderChange } from '../../src/common/leader-change.js';
import type { LogEntry } from '../../src/raft/core/types.js';
import { generateRecords, type Op } from '../../src/testing/random-records.js';

/** A log: the random records as data entries, with NoOps and LeaderChanges mixed in. */
function logOf(ops: readonly Op[], extras: readonly number[]): LogEntry[] {
  const records = generateRecords(ops);
  const log: LogEntry[] = [];
  const push = (kind: LogEntry['kind'], payload: Uint8Array): void => {
    log.push({ offset: log.length, epoch: 1 + Math.floor(log.length / 10), kind, payload });
  };
  records.forEach((r, i) => {
    const x = extras[i % Math.max(1, extras.length)] ?? 0;
    if (x % 5 === 0) push('noop', new Uint8Array(0));
    if (x % 7 === 0) push('leader-change', encodeLeaderChange(x % 3, [0, 1, 2]));
    push('data', encodeRecord(r));
  });
  return log;
}

const opsArb = fc.array(fc.tuple(fc.nat(15), fc.nat(1000), fc.nat(1000)) as fc.Arbitrary<Op>, { maxLength: 120 });

test('snapshot → load → continue equals applying everything, for random logs and cut points', () => {
  fc.assert(
    fc.property(opsArb, fc.array(fc.nat(100), { maxLength: 20 }), fc.nat(), (ops, extras, cut) => {
      const log = logOf(ops, extras);
      const at = cut % (log.length + 1);
      const full = new MetadataState();
      full.applyAll(log);
      const prefix = new MetadataState();
      prefix.applyAll(log.slice(0, at));
      fc.pre(prefix.canSnapshot);
      const snapshot = prefix.toSnapshot();
      const loaded = MetadataState.fromSnapshot(snapshot);
      assert.deepStrictEqual(loaded.image, prefix.image);
      assert.equal(loaded.logDigest, prefix.logDigest);
      assert.equal(loaded.appliedOffset, at);
      loaded.applyAll(log.slice(at));
      assert.deepStrictEqual(loaded.image, full.image);
      assert.equal(loaded.logDigest, full.logDigest);
      assert.deepEqual(loaded.lastLeaderChange, full.lastLeaderChange);
      assert.deepEqual(
        [loaded.dataRecords, loaded.noOps, loaded.leaderChanges],
        [full.dataRecords, full.noOps, full.leaderChanges],
      );
    }),
    { numRuns: 150 },
  );
});

test('the async snapshot writer produces the same bytes as the synchronous one', async () => {
  const state = new MetadataState();
  state.applyAll(
    logOf(
      Array.from({ length: 300 }, (_, i) => [i % 15, i * 7, i * 13] as const),
      [1, 2, 3],
    ),
  );
  if (state.canSnapshot) assert.deepEqual(await state.toSnapshotAsync(7), state.toSnapshot());
  else assert.throws(() => state.toSnapshot(), /inside a metadata transaction/);
});

test('the log digest tells different entries at the same offset apart; gaps are refused', () => {
  const a = new MetadataState();
  const b = new MetadataState();
  a.applyAll([{ offset: 0, epoch: 1, kind: 'noop', payload: new Uint8Array(0) }]);
  b.applyAll([{ offset: 0, epoch: 2, kind: 'noop', payload: new Uint8Array(0) }]);
  assert.notEqual(a.logDigest, b.logDigest);
  assert.throws(
    () => a.applyAll([{ offset: 5, epoch: 1, kind: 'noop', payload: new Uint8Array(0) }]),
    /apply 5, expected 1/,
  );
  assert.throws(() => MetadataState.fromSnapshot(Buffer.from('nope')), /not a raftka metadata snapshot/);
});
