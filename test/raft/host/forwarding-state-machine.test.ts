// The quorum thread's StateMachine forwards committed entries and snapshots to the main thread
// and allows a snapshot only when the main thread has acknowledged everything forwarded and is
// outside a metadata transaction; the main thread's snapshot answer settles takeSnapshot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LogEntry } from '../../../src/common/log-types.js';
import { ForwardingStateMachine } from '../../../src/raft/host/forwarding-state-machine.js';
import type { FromQuorum } from '../../../src/raft/host/quorum-protocol.js';

function entries(from: number, n: number): LogEntry[] {
  return Array.from({ length: n }, (_, i) => ({
    offset: from + i,
    epoch: 1,
    kind: 'data' as const,
    payload: new Uint8Array([1, 2, 3]),
  }));
}

function machine() {
  const posted: FromQuorum[] = [];
  let statusPublished = 0;
  const sm = new ForwardingStateMachine({
    post: (m) => posted.push(m),
    beforeApply: () => statusPublished++,
  });
  return { sm, posted, statusPublished: () => statusPublished };
}

test('entries are forwarded in order after the status, and counted for snapshot scheduling', () => {
  const { sm, posted, statusPublished } = machine();
  sm.applyAll(entries(0, 3));
  sm.applyAll([]);
  assert.equal(sm.appliedOffset, 3);
  assert.equal(sm.bytesSinceSnapshot, 3 * (3 + 21));
  assert.equal(statusPublished(), 1);
  assert.deepEqual(
    posted.map((m) => m.t),
    ['apply'],
  );
  assert.throws(() => sm.applyAll(entries(5, 1)), /expected 3/);
});

test('a snapshot is allowed only once the main thread acknowledged everything, outside a transaction', async () => {
  const { sm, posted } = machine();
  sm.applyAll(entries(0, 2));
  assert.equal(sm.canSnapshot, false, 'nothing acknowledged yet');
  sm.acknowledge(2, false);
  assert.equal(sm.canSnapshot, false, 'inside a metadata transaction');
  sm.acknowledge(2, true);
  assert.equal(sm.canSnapshot, true);
  sm.applyAll(entries(2, 1));
  assert.equal(sm.canSnapshot, false, 'an entry forwarded since the acknowledgement');
  sm.acknowledge(3, true);
  const taken = sm.takeSnapshot();
  assert.equal(sm.bytesSinceSnapshot, 0);
  assert.equal(sm.canSnapshot, false, 'one snapshot at a time');
  const request = posted.at(-1);
  assert.ok(request?.t === 'takeSnapshot');
  sm.snapshotTaken(request.id, new Uint8Array([9]), null);
  assert.deepEqual([...(await taken)], [9]);
  const refused = sm.takeSnapshot();
  const second = posted.at(-1);
  assert.ok(second?.t === 'takeSnapshot');
  sm.snapshotTaken(second.id, null, 'inside a metadata transaction');
  await assert.rejects(refused, /inside a metadata transaction/);
});

test('a loaded snapshot is forwarded as an owned copy and moves the applied offset to its end', () => {
  const { sm, posted } = machine();
  const bytes = Buffer.from([7, 7, 7]);
  sm.loadSnapshot(bytes, { endOffset: 40, epoch: 3 });
  assert.equal(sm.appliedOffset, 40);
  const m = posted.at(-1);
  assert.ok(m?.t === 'loadSnapshot');
  assert.deepEqual([m.endOffset, m.epoch, [...m.bytes]], [40, 3, [7, 7, 7]]);
  assert.notEqual(m.bytes.buffer, bytes.buffer, 'a copy, safe to transfer');
  sm.applyAll(entries(40, 1));
  assert.equal(sm.appliedOffset, 41);
});
