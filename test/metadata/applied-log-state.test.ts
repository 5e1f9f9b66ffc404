import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AppliedLogState } from '../../src/metadata/applied-log-state.js';
import { encodeLeaderChangePayload } from '../../src/raft/core/raft-core.js';
import type { LogEntry } from '../../src/raft/core/types.js';

const entryArb = fc.oneof(
  fc.record({ kind: fc.constant('data' as const), payload: fc.uint8Array({ maxLength: 40 }) }),
  fc.record({ kind: fc.constant('noop' as const), payload: fc.constant(new Uint8Array(0)) }),
  fc.record({
    kind: fc.constant('leader-change' as const),
    payload: fc.tuple(fc.integer({ min: 0, max: 100 }), fc.array(fc.integer({ min: 0, max: 100 }), { maxLength: 5 })).map(([l, v]) => encodeLeaderChangePayload(l, v)),
  }),
);

function build(items: { kind: LogEntry['kind']; payload: Uint8Array }[]): LogEntry[] {
  return items.map((it, i) => ({ offset: i, epoch: 1 + Math.floor(i / 3), ...it }));
}

test('snapshot → load gives an equal state, and continuing from it matches continuing the original', () => {
  fc.assert(
    fc.property(fc.array(entryArb, { maxLength: 60 }), fc.nat(), (items, cut) => {
      const log = build(items);
      const at = log.length === 0 ? 0 : cut % (log.length + 1);
      const full = new AppliedLogState();
      for (const e of log) full.apply(e);
      const prefix = new AppliedLogState();
      for (const e of log.slice(0, at)) prefix.apply(e);
      const loaded = AppliedLogState.fromSnapshot(prefix.toSnapshot());
      assert.deepEqual({ ...loaded, bytesSinceSnapshot: 0 }, { ...prefix, bytesSinceSnapshot: 0 });
      for (const e of log.slice(at)) loaded.apply(e);
      assert.equal(loaded.digest, full.digest);
      assert.equal(loaded.appliedOffset, full.appliedOffset);
      assert.deepEqual(loaded.lastLeaderChange, full.lastLeaderChange);
    }),
  );
});

test('different entries at the same offset give different digests', () => {
  const a = new AppliedLogState();
  const b = new AppliedLogState();
  a.apply({ offset: 0, epoch: 1, kind: 'data', payload: Uint8Array.from([1]) });
  b.apply({ offset: 0, epoch: 2, kind: 'data', payload: Uint8Array.from([1]) });
  assert.notEqual(a.digest, b.digest);
  assert.throws(() => a.apply({ offset: 5, epoch: 1, kind: 'noop', payload: new Uint8Array(0) }), /apply 5, expected 1/);
});
