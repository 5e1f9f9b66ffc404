import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CorruptEntryError, decodeEntries, encodeEntries, frameHeaderBytes, scanValidPrefix } from '../../../src/raft/driver/entry-codec.js';
import type { LogEntry } from '../../../src/raft/core/types.js';

const entries: LogEntry[] = [
  { offset: 7, epoch: 1, kind: 'leader-change', payload: Uint8Array.from([0, 0, 0, 1, 0, 0, 0, 0]) },
  { offset: 8, epoch: 1, kind: 'noop', payload: new Uint8Array(0) },
  { offset: 9, epoch: 2, kind: 'data', payload: new TextEncoder().encode('hello') },
];

test('frames round-trip, back to back', () => {
  const buf = encodeEntries(entries);
  assert.equal(buf.length, 3 * frameHeaderBytes + 8 + 0 + 5);
  assert.deepEqual(decodeEntries(buf), entries);
});

test('the frame layout: length, CRC32C, offset, epoch, kind, payload', () => {
  const buf = encodeEntries([entries[2]!]);
  assert.equal(buf.readUInt32BE(0), buf.length - 4);
  assert.equal(buf.readBigInt64BE(8), 9n);
  assert.equal(buf.readInt32BE(16), 2);
  assert.equal(buf.readUInt8(20), 0);
  assert.equal(buf.subarray(21).toString(), 'hello');
});

test('a torn or corrupt tail ends the valid prefix; decodeEntries refuses it', () => {
  const buf = encodeEntries(entries);
  const torn = buf.subarray(0, buf.length - 3);
  const scan = scanValidPrefix(torn);
  assert.equal(scan.entries.length, 2);
  assert.match(scan.stopReason ?? '', /runs past the end/);
  assert.throws(() => decodeEntries(torn), CorruptEntryError);

  const flipped = Buffer.from(buf);
  flipped[frameHeaderBytes + 8 + 10]! ^= 0xff; // inside the second frame
  const scan2 = scanValidPrefix(flipped);
  assert.equal(scan2.entries.length, 1);
  assert.match(scan2.stopReason ?? '', /CRC mismatch/);
});

test('offsets must be contiguous and below 2^53', () => {
  const gap = Buffer.concat([encodeEntries([entries[0]!]), encodeEntries([entries[2]!])]);
  assert.equal(scanValidPrefix(gap).entries.length, 1);
  assert.throws(() => encodeEntries([{ ...entries[0]!, offset: 2 ** 53 }]), RangeError);
});
