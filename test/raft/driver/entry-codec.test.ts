import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { crc32c } from '../../../src/common/crc32c.js';
import type { EntryKind, LogEntry } from '../../../src/raft/core/types.js';
import {
  CorruptEntryError,
  decodeEntries,
  encodeEntries,
  frameBytesMax,
  frameHeaderBytes,
  scanValidPrefix,
} from '../../../src/raft/driver/entry-codec.js';

const entries: LogEntry[] = [
  { offset: 7, epoch: 1, kind: 'leader-change', payload: Uint8Array.from([0, 0, 0, 1, 0, 0, 0, 0]) },
  { offset: 8, epoch: 1, kind: 'noop', payload: new Uint8Array(0) },
  { offset: 9, epoch: 2, kind: 'data', payload: new TextEncoder().encode('hello') },
];

/** Rewrite a frame's offset and fix its CRC, so only the offset check can reject it. */
function withOffset(frame: Buffer, offset: bigint): Buffer {
  const out = Buffer.from(frame);
  out.writeBigInt64BE(offset, 8);
  out.writeUInt32BE(crc32c(out, 8, out.length), 4);
  return out;
}

test('frames round-trip, back to back', () => {
  const buf = encodeEntries(entries);
  assert.equal(buf.length, 3 * frameHeaderBytes + 8 + 0 + 5);
  assert.deepEqual(decodeEntries(buf), entries);
  assert.deepEqual(decodeEntries(Buffer.alloc(0)), []);
  assert.deepEqual(encodeEntries([]), Buffer.alloc(0));
});

test('decodeEntries takes a plain Uint8Array view (as gRPC hands it over)', () => {
  const framed = encodeEntries(entries);
  const backing = new Uint8Array(framed.length + 10);
  backing.set(framed, 3);
  assert.deepEqual(decodeEntries(backing.subarray(3, 3 + framed.length)), entries);
});

test('decoded payloads are copies, not views of the read buffer', () => {
  const buf = encodeEntries([entries[2]!]);
  const [decoded] = decodeEntries(buf);
  buf.fill(0);
  assert.equal(new TextDecoder().decode(decoded!.payload), 'hello');
});

test('the frame layout: length, CRC32C, offset, epoch, kind, payload', () => {
  const buf = encodeEntries([entries[2]!]);
  assert.equal(buf.readUInt32BE(0), buf.length - 4);
  assert.equal(buf.readUInt32BE(4), crc32c(buf, 8, buf.length));
  assert.equal(buf.readBigInt64BE(8), 9n);
  assert.equal(buf.readInt32BE(16), 2);
  assert.equal(buf.readUInt8(20), 0);
  assert.equal(buf.subarray(21).toString(), 'hello');
  assert.equal(encodeEntries([entries[0]!]).readUInt8(20), 1);
  assert.equal(encodeEntries([entries[1]!]).readUInt8(20), 2);
});

test('a torn or corrupt tail ends the valid prefix; decodeEntries refuses it', () => {
  const buf = encodeEntries(entries);
  const torn = buf.subarray(0, buf.length - 3);
  const scan = scanValidPrefix(torn);
  assert.equal(scan.entries.length, 2);
  assert.equal(scan.validBytes, 2 * frameHeaderBytes + 8);
  assert.match(scan.stopReason ?? '', /runs past the end/);
  assert.throws(() => decodeEntries(torn), CorruptEntryError);

  const flipped = Buffer.from(buf);
  flipped[frameHeaderBytes + 8 + 10]! ^= 0xff; // inside the second frame
  const scan2 = scanValidPrefix(flipped);
  assert.equal(scan2.entries.length, 1);
  assert.equal(scan2.validBytes, frameHeaderBytes + 8);
  assert.match(scan2.stopReason ?? '', /CRC mismatch/);
  assert.throws(() => decodeEntries(flipped), /CRC mismatch/);

  const shortHeader = Buffer.concat([buf, Buffer.from([0, 0, 0])]);
  assert.match(scanValidPrefix(shortHeader).stopReason ?? '', /short frame header/);
  assert.equal(scanValidPrefix(shortHeader).validBytes, buf.length);
});

test('a frame length that is too small or over the bound stops the scan', () => {
  const one = encodeEntries([entries[1]!]);
  const tooSmall = Buffer.from(one);
  tooSmall.writeUInt32BE(frameHeaderBytes - 5, 0);
  assert.match(scanValidPrefix(tooSmall).stopReason ?? '', /bad frame length/);
  const huge = Buffer.from(one);
  huge.writeUInt32BE(0xffffffff, 0);
  assert.match(scanValidPrefix(huge).stopReason ?? '', /bad frame length/);
  assert.equal(scanValidPrefix(huge).validBytes, 0);
});

test('offsets must be contiguous, non-negative and below 2^53', () => {
  const gap = Buffer.concat([encodeEntries([entries[0]!]), encodeEntries([entries[2]!])]);
  assert.equal(scanValidPrefix(gap).entries.length, 1);
  assert.match(scanValidPrefix(gap).stopReason ?? '', /offset 9 after 7/);
  assert.throws(() => decodeEntries(gap), CorruptEntryError);

  assert.throws(() => encodeEntries([{ ...entries[0]!, offset: 2 ** 53 }]), RangeError);
  assert.throws(() => encodeEntries([{ ...entries[0]!, offset: -1 }]), RangeError);
  assert.throws(() => encodeEntries([{ ...entries[0]!, offset: 1.5 }]), RangeError);
  const maxSafe = encodeEntries([{ ...entries[1]!, offset: Number.MAX_SAFE_INTEGER }]);
  assert.equal(decodeEntries(maxSafe)[0]!.offset, Number.MAX_SAFE_INTEGER);

  // A frame with a valid CRC but an offset a JS number cannot hold exactly is still refused.
  const big = withOffset(encodeEntries([entries[1]!]), 2n ** 53n);
  assert.match(scanValidPrefix(big).stopReason ?? '', /out of range/);
  const negative = withOffset(encodeEntries([entries[1]!]), -5n);
  assert.throws(() => decodeEntries(negative), /out of range/);
});

test('encode refuses what decode would reject: bad epoch, unknown kind, oversized frame', () => {
  assert.throws(() => encodeEntries([{ ...entries[1]!, epoch: -1 }]), RangeError);
  assert.throws(() => encodeEntries([{ ...entries[1]!, epoch: 2 ** 31 }]), RangeError);
  assert.throws(() => encodeEntries([{ ...entries[1]!, kind: 'bogus' as EntryKind }]), RangeError);
  const payload = new Uint8Array(frameBytesMax - frameHeaderBytes + 1);
  assert.throws(() => encodeEntries([{ ...entries[2]!, payload }]), /over/);
  // The largest frame the bound allows survives a round trip.
  const largest = encodeEntries([{ ...entries[2]!, payload: payload.subarray(1) }]);
  assert.equal(largest.length, frameBytesMax);
  assert.equal(decodeEntries(largest).length, 1);

  const unknownKind = Buffer.from(encodeEntries([entries[1]!]));
  unknownKind.writeUInt8(9, 20);
  unknownKind.writeUInt32BE(crc32c(unknownKind, 8, unknownKind.length), 4);
  assert.match(scanValidPrefix(unknownKind).stopReason ?? '', /unknown entry kind/);
});

const kindArb = fc.constantFrom<EntryKind>('data', 'leader-change', 'noop');
const entriesArb = fc
  .tuple(
    fc.nat({ max: 2 ** 40 }),
    fc.array(
      fc.record({ epoch: fc.nat({ max: 2 ** 31 - 1 }), kind: kindArb, payload: fc.uint8Array({ maxLength: 40 }) }),
      { maxLength: 12 },
    ),
  )
  .map(([start, items]) => items.map((x, i): LogEntry => ({ offset: start + i, ...x })));

test('property: any entries round-trip; any cut of the bytes keeps exactly the whole frames before it', () => {
  fc.assert(
    fc.property(entriesArb, fc.nat(), (list, cutSeed) => {
      const buf = encodeEntries(list);
      assert.deepEqual(decodeEntries(buf), list);
      const cut = buf.length === 0 ? 0 : cutSeed % (buf.length + 1);
      const scan = scanValidPrefix(buf.subarray(0, cut));
      let whole = 0;
      let bytes = 0;
      for (const e of list) {
        if (bytes + frameHeaderBytes + e.payload.length > cut) break;
        bytes += frameHeaderBytes + e.payload.length;
        whole++;
      }
      assert.deepEqual(scan.entries, list.slice(0, whole));
      assert.equal(scan.validBytes, bytes);
    }),
  );
});

test('property: one flipped byte never yields a different entry, only a shorter prefix', () => {
  fc.assert(
    fc.property(
      entriesArb.filter((l) => l.length > 0),
      fc.nat(),
      fc.integer({ min: 1, max: 255 }),
      (list, at, mask) => {
        const buf = Buffer.from(encodeEntries(list));
        buf[at % buf.length]! ^= mask;
        const scan = scanValidPrefix(buf);
        assert.ok(scan.entries.length < list.length);
        assert.deepEqual(scan.entries, list.slice(0, scan.entries.length));
      },
    ),
  );
});
