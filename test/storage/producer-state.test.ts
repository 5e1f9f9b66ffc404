import { ControlRecordType } from '../../src/protocol/txn-types.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32c } from '../../src/common/crc32c.js';
import { ErrorCode } from '../../src/common/errors.js';
import { buildRecordBatch, readBatchHeader, type RecordBatchHeader } from '../../src/protocol/record-batch.js';
import { incrementSequence, ProducerStateManager, type CheckResult } from '../../src/storage/producer-state.js';
import {
  decodeSnapshot,
  encodeSnapshot,
  listSnapshotOffsets,
  readSnapshotFile,
  writeSnapshotFile,
} from '../../src/storage/producer-snapshot.js';

const int32Max = 2_147_483_647;

function header(
  pid: number,
  epoch: number,
  seq: number,
  count = 1,
  opts: { transactional?: boolean; control?: boolean; ts?: number } = {},
): RecordBatchHeader {
  const records = Array.from({ length: count }, (_, i) => ({
    key: null,
    value: Buffer.from(`v${i}`),
    timestamp: opts.ts ?? 1_000,
  }));
  return readBatchHeader(
    buildRecordBatch(records, {
      producerId: pid,
      producerEpoch: epoch,
      baseSequence: seq,
      transactional: opts.transactional ?? false,
      control: opts.control ?? false,
    }),
  );
}

/** Apply a batch as if appended at `offset`; returns the next offset. */
function apply(s: ProducerStateManager, h: RecordBatchHeader, offset: number, ts = 1_000): number {
  s.update(h, offset, offset + h.lastOffsetDelta, ts);
  return offset + h.lastOffsetDelta + 1;
}

const errorCode = (r: CheckResult): number | null => (r.kind === 'error' ? r.errorCode : null);

test('check: each of the last five batches is a duplicate with its original offsets; older ones are not', () => {
  const s = new ProducerStateManager(86_400_000);
  let offset = 100;
  const firstOffsets: number[] = [];
  for (let i = 0; i < 7; i++) {
    firstOffsets.push(offset);
    offset = apply(s, header(7, 0, i * 2, 2), offset, 1_000 + i);
  }
  // Batches 2..6 (sequences 4..13) are remembered.
  for (let i = 2; i < 7; i++) {
    const r = s.check(header(7, 0, i * 2, 2));
    assert.deepEqual(r, {
      kind: 'duplicate',
      firstOffset: firstOffsets[i],
      lastOffset: firstOffsets[i]! + 1,
      timestamp: 1_000 + i,
    });
  }
  // Batch 1 is forgotten: it is now simply out of order.
  assert.equal(errorCode(s.check(header(7, 0, 2, 2))), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  assert.deepEqual(s.check(header(7, 0, 14, 1)), { kind: 'ok' });
});

test('check: a gap is out of order; an older epoch is fenced; a new epoch must start at 0', () => {
  const s = new ProducerStateManager(86_400_000);
  apply(s, header(1, 3, 0, 5), 0);
  assert.equal(errorCode(s.check(header(1, 3, 6))), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  assert.equal(errorCode(s.check(header(1, 3, 4))), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  assert.deepEqual(s.check(header(1, 3, 5)), { kind: 'ok' });
  assert.equal(errorCode(s.check(header(1, 2, 5))), ErrorCode.INVALID_PRODUCER_EPOCH);
  assert.equal(errorCode(s.check(header(1, 2, 0, 1, { transactional: true }))), ErrorCode.INVALID_PRODUCER_EPOCH);
  assert.deepEqual(s.check(header(1, 4, 0)), { kind: 'ok' });
  assert.equal(errorCode(s.check(header(1, 4, 5))), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  // After a bump the old epoch's batches are no longer duplicates but fenced.
  apply(s, header(1, 4, 0), 5);
  assert.equal(errorCode(s.check(header(1, 3, 0, 5))), ErrorCode.INVALID_PRODUCER_EPOCH);
});

test('check: an unknown producer must start at 0; batches without a producer id are not checked', () => {
  const s = new ProducerStateManager(86_400_000);
  assert.equal(errorCode(s.check(header(9, 0, 3))), ErrorCode.UNKNOWN_PRODUCER_ID);
  assert.deepEqual(s.check(header(9, 0, 0)), { kind: 'ok' });
  assert.deepEqual(s.check(header(-1, -1, -1, 3)), { kind: 'ok' });
  assert.equal(errorCode(s.check(header(9, 0, 0, 1, { control: true }))), ErrorCode.INVALID_RECORD);
});

test('check: sequences wrap at Int32 max', () => {
  assert.equal(incrementSequence(int32Max, 1), 0);
  assert.equal(incrementSequence(int32Max - 1, 3), 1);
  const s = new ProducerStateManager(86_400_000);
  // A batch of 3 from int32Max-1 holds int32Max-1, int32Max, 0: the next is 1.
  s.update(header(5, 0, int32Max - 1, 3), 0, 2, 1_000);
  assert.deepEqual(s.check(header(5, 0, 1)), { kind: 'ok' });
  assert.equal(errorCode(s.check(header(5, 0, 2))), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  assert.equal(s.check(header(5, 0, int32Max - 1, 3)).kind, 'duplicate');
  const t = new ProducerStateManager(86_400_000);
  t.update(header(6, 0, int32Max - 1, 2), 0, 1, 1_000);
  assert.deepEqual(t.check(header(6, 0, 0)), { kind: 'ok' });
  assert.equal(errorCode(t.check(header(6, 0, 1))), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
});

test('transactions: open at the first transactional batch, close at the marker; first unstable offset and LSO rule', () => {
  const s = new ProducerStateManager(86_400_000);
  assert.equal(s.firstUnstableOffset(), null);
  apply(s, header(1, 0, 0, 2, { transactional: true }), 10);
  apply(s, header(2, 0, 0, 1, { transactional: true }), 12);
  apply(s, header(1, 0, 2, 1, { transactional: true }), 13);
  assert.equal(s.firstUnstableOffset(), 10);
  assert.equal(s.entry(1)?.currentTxnFirstOffset, 10);
  // A non-transactional batch while a transaction is open is refused.
  assert.equal(errorCode(s.check(header(1, 0, 3))), ErrorCode.INVALID_TXN_STATE);
  const done = s.update(header(1, 0, -1, 1, { control: true, transactional: true }), 14, 14, 2_000, {
    type: ControlRecordType.ABORT,
    coordinatorEpoch: 4,
  });
  assert.deepEqual(done, { producerId: 1, firstOffset: 10, lastOffset: 14, aborted: true });
  // Producer 2's transaction is still open: the index entry's LSO is its first offset.
  assert.equal(s.lastStableOffsetAfter(done!), 12);
  // Completed but not yet below the high watermark: still unstable.
  assert.equal(s.firstUnstableOffset(), 10);
  s.onHighWatermarkUpdated(15);
  assert.equal(s.firstUnstableOffset(), 12);
  assert.equal(s.firstUndecidedOffset(), 12);
  const commit = s.update(header(2, 0, -1, 1, { control: true, transactional: true }), 15, 15, 2_000, {
    type: ControlRecordType.COMMIT,
    coordinatorEpoch: 4,
  });
  assert.deepEqual(commit, { producerId: 2, firstOffset: 12, lastOffset: 15, aborted: false });
  assert.equal(s.lastStableOffsetAfter(commit!), 16);
  s.onHighWatermarkUpdated(16);
  assert.equal(s.firstUnstableOffset(), null);
  assert.equal(s.entry(1)?.coordinatorEpoch, 4);
  // Markers from an older coordinator or an older producer epoch are refused.
  assert.equal(errorCode(s.checkMarker(1, 0, 3)), ErrorCode.TRANSACTION_COORDINATOR_FENCED);
  s.update(header(1, 1, 0), 16, 16, 2_000);
  assert.equal(errorCode(s.checkMarker(1, 0, 4)), ErrorCode.PRODUCER_FENCED);
  assert.deepEqual(s.checkMarker(1, 1, 4), { kind: 'ok' });
});

test('expiry forgets idle producers without an open transaction', () => {
  const s = new ProducerStateManager(1_000);
  apply(s, header(1, 0, 0), 0, 5_000);
  apply(s, header(2, 0, 0, 1, { transactional: true }), 1, 5_000);
  apply(s, header(3, 0, 0), 2, 5_800);
  assert.equal(s.removeExpiredProducers(6_500), 1);
  assert.equal(s.entry(1), undefined);
  assert.ok(s.entry(2), 'an open transaction keeps its producer');
  assert.ok(s.entry(3));
  assert.equal(errorCode(s.check(header(1, 0, 1))), ErrorCode.UNKNOWN_PRODUCER_ID);
});

test('snapshot: Kafka layout byte for byte, CRC-32C checked, round trip through the state', () => {
  const s = new ProducerStateManager(86_400_000);
  apply(s, header(0x0102030405, 7, 10, 3), 40, 1_700_000_000_000);
  s.update(header(2, 1, 0, 2, { transactional: true }), 43, 44, 1_700_000_000_123);
  s.update(header(3, 0, -1, 1, { control: true, transactional: true }), 45, 45, 1_700_000_000_200, {
    type: ControlRecordType.COMMIT,
    coordinatorEpoch: 9,
  });
  const entries = s.snapshotEntries();
  // Hand-built: version, crc, count, then three 46-byte entries sorted by producer id.
  const body: Buffer[] = [];
  const count = Buffer.alloc(4);
  count.writeInt32BE(3);
  body.push(count);
  const entry = (
    pid: bigint,
    epoch: number,
    lastSeq: number,
    lastOffset: bigint,
    delta: number,
    ts: bigint,
    coord: number,
    txn: bigint,
  ): Buffer => {
    const b = Buffer.alloc(46);
    b.writeBigInt64BE(pid, 0);
    b.writeInt16BE(epoch, 8);
    b.writeInt32BE(lastSeq, 10);
    b.writeBigInt64BE(lastOffset, 14);
    b.writeInt32BE(delta, 22);
    b.writeBigInt64BE(ts, 26);
    b.writeInt32BE(coord, 34);
    b.writeBigInt64BE(txn, 38);
    return b;
  };
  body.push(entry(2n, 1, 1, 44n, 1, 1_700_000_000_123n, -1, 43n));
  body.push(entry(3n, 0, -1, -1n, 0, 1_700_000_000_200n, 9, -1n));
  body.push(entry(0x0102030405n, 7, 12, 42n, 2, 1_700_000_000_000n, -1, -1n));
  const payload = Buffer.concat(body);
  const head = Buffer.alloc(6);
  head.writeInt16BE(1, 0);
  head.writeUInt32BE(crc32c(payload), 2);
  const expected = Buffer.concat([head, payload]);
  assert.deepEqual(encodeSnapshot(entries), expected);

  const dir = mkdtempSync(join(tmpdir(), 'raftka-snap-'));
  writeSnapshotFile(dir, 46, entries);
  assert.deepEqual(listSnapshotOffsets(dir), [46]);
  assert.deepEqual(readFileSync(join(dir, '00000000000000000046.snapshot')), expected);
  const read = readSnapshotFile(dir, 46);
  assert.ok(read.ok);
  const t = new ProducerStateManager(86_400_000);
  t.loadSnapshot(read.entries, 1_700_000_001_000);
  assert.deepEqual(t.snapshotEntries(), entries);
  assert.deepEqual(t.views(), s.views());
  // The restored last batch is still a duplicate; the open transaction still holds the LSO.
  assert.deepEqual(t.check(header(0x0102030405, 7, 10, 3)), {
    kind: 'duplicate',
    firstOffset: 40,
    lastOffset: 42,
    timestamp: 1_700_000_000_000,
  });
  assert.equal(t.firstUnstableOffset(), 43);
  // A flipped byte fails the CRC.
  const bad = Buffer.from(expected);
  bad[20] = bad[20]! ^ 1;
  const decoded = decodeSnapshot(bad);
  assert.ok(!decoded.ok && /CRC/.test(decoded.reason));
  rmSync(dir, { recursive: true });
});

test('check: unsequenced batches of a producer (coordinator-written offsets) pass on the epoch alone', () => {
  const s = new ProducerStateManager(86_400_000);
  let offset = apply(s, header(9, 2, 0, 1, { transactional: true }), 0);
  // Two coordinator writes in one epoch: neither is out of order nor a duplicate of the other.
  for (let i = 0; i < 2; i++) {
    const h = header(9, 2, -1, 1, { transactional: true });
    assert.deepEqual(s.check(h), { kind: 'ok' });
    offset = apply(s, h, offset);
  }
  // The producer's own sequence goes on where it was.
  assert.deepEqual(s.check(header(9, 2, 1, 1, { transactional: true })), { kind: 'ok' });
  assert.equal(errorCode(s.check(header(9, 1, -1, 1, { transactional: true }))), ErrorCode.PRODUCER_FENCED);
});

test('a completed transaction stops holding the LSO once the high watermark passes its marker, and is forgotten', () => {
  const s = new ProducerStateManager(86_400_000);
  let offset = apply(s, header(5, 0, 0, 2, { transactional: true }), 10);
  assert.equal(s.firstUnstableOffset(), 10);
  const marker = header(5, 0, -1, 1, { transactional: true, control: true });
  s.update(marker, offset, offset, 1_000, { type: ControlRecordType.COMMIT, coordinatorEpoch: 0 });
  offset++;
  // The marker is not replicated yet: a read_committed reader must still stop at 10.
  assert.equal(s.firstUnstableOffset(), 10);
  s.onHighWatermarkUpdated(offset - 1);
  assert.equal(s.firstUnstableOffset(), 10);
  s.onHighWatermarkUpdated(offset);
  assert.equal(s.firstUnstableOffset(), null);
});
