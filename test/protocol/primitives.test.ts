// Reader/Writer: known encodings (hand-derived), bounds, the int64 rule, zero-copy slices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Reader } from '../../src/protocol/primitives/reader.js';
import { Writer, zeroCopyBytesMin } from '../../src/protocol/primitives/writer.js';
import { ProtocolDecodeError, ProtocolEncodeError } from '../../src/protocol/errors.js';
import { zeroUuid } from '../../src/protocol/primitives/uuid.js';
import { hex } from './helpers.js';

test('varints: unsigned, zig-zag int32, zig-zag int64 (protobuf encodings)', () => {
  const unsigned: [number, string][] = [
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '8001'],
    [300, 'ac02'],
    [16384, '808001'],
    [4294967295, 'ffffffff0f'],
  ];
  for (const [v, h] of unsigned) {
    assert.equal(new Writer().unsignedVarint(v).toBuffer().toString('hex'), h);
    assert.equal(new Reader(hex(h)).unsignedVarint(), v);
  }
  const zigzag: [number, string][] = [
    [0, '00'],
    [-1, '01'],
    [1, '02'],
    [-2, '03'],
    [63, '7e'],
    [-64, '7f'],
    [64, '8001'],
    [2147483647, 'feffffff0f'],
    [-2147483648, 'ffffffff0f'],
  ];
  for (const [v, h] of zigzag) {
    assert.equal(new Writer().varint(v).toBuffer().toString('hex'), h);
    assert.equal(new Reader(hex(h)).varint(), v);
    assert.equal(new Writer().varlong(v).toBuffer().toString('hex'), h);
    assert.equal(new Reader(hex(h)).varlong(), v);
  }
  // 1700000000000 ms (a 2023 timestamp) as varlong: zig-zag 3400000000000
  const ts = new Writer().varlong(1700000000000).toBuffer();
  assert.equal(new Reader(ts).varlong(), 1700000000000);
  assert.throws(() => new Reader(hex('8080808010')).unsignedVarint(), ProtocolDecodeError); // ≥ 2^32
  assert.throws(() => new Reader(hex('808080808001')).unsignedVarint(), ProtocolDecodeError); // 6 bytes
  assert.throws(() => new Reader(hex('80')).unsignedVarint(), ProtocolDecodeError); // truncated
  assert.throws(() => new Reader(hex('ffffffffffffffffff01')).varlong(), ProtocolDecodeError); // 2^64-1: unsafe
});

test('int64 rule: safe integers only', () => {
  for (const v of [0, -1, 1, 2 ** 32, -(2 ** 32) - 7, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER]) {
    const b = new Writer().int64(v).toBuffer();
    assert.equal(b.readBigInt64BE(0), BigInt(v));
    assert.equal(new Reader(b).int64(), v);
  }
  assert.throws(() => new Reader(hex('0020000000000000')).int64(), ProtocolDecodeError); // 2^53
  assert.throws(() => new Reader(hex('7fffffffffffffff')).int64(), ProtocolDecodeError); // Long.MAX_VALUE
  assert.throws(() => new Reader(hex('ffe0000000000000')).int64(), ProtocolDecodeError); // -2^53
  assert.throws(() => new Writer().int64(2 ** 53), ProtocolEncodeError);
  assert.throws(() => new Writer().int64(1.5), ProtocolEncodeError);
});

test('strings and bytes: classic and compact, nullable, slices not copies', () => {
  const w = new Writer();
  w.string('ab')
    .nullableString(null)
    .compactString('é')
    .compactNullableString(null)
    .bytes(hex('0102'))
    .nullableBytes(null)
    .compactBytes(hex('03'))
    .compactNullableBytes(null);
  const b = w.toBuffer();
  // 0002 6162 | ffff | 03 c3a9 | 00 | 00000002 0102 | ffffffff | 02 03 | 00
  assert.equal(b.toString('hex'), '00026162ffff03c3a9000000000201 02ffffffff020300'.replace(/ /g, ''));
  const r = new Reader(b);
  assert.equal(r.string(), 'ab');
  assert.equal(r.nullableString(), null);
  assert.equal(r.compactString(), 'é');
  assert.equal(r.compactNullableString(), null);
  const bytes = r.bytes();
  assert.deepEqual([...bytes], [1, 2]);
  assert.equal(bytes.buffer, b.buffer, 'bytes are a slice of the input');
  bytes[0] = 9;
  assert.equal(b[b.indexOf(9)], 9);
  assert.equal(r.nullableBytes(), null);
  assert.deepEqual([...r.compactBytes()], [3]);
  assert.equal(r.compactNullableBytes(), null);
  assert.ok(r.atEnd());
  assert.throws(() => new Reader(hex('ffff')).string(), ProtocolDecodeError);
  assert.throws(() => new Reader(hex('fffe')).nullableString(), ProtocolDecodeError);
  assert.throws(() => new Reader(hex('0005 6162')).string(), ProtocolDecodeError);
  assert.throws(() => new Reader(hex('fffffffe')).nullableBytes(), ProtocolDecodeError);
  assert.throws(() => new Reader(hex('00')).compactString(), ProtocolDecodeError);
});

test('arrays: counts are checked against the bytes left before allocating', () => {
  assert.throws(() => new Reader(hex('7fffffff')).arrayLength(false), ProtocolDecodeError);
  assert.throws(() => new Reader(hex('fffffffe')).arrayLength(false), ProtocolDecodeError);
  assert.equal(new Reader(hex('ffffffff')).arrayLength(false), -1);
  assert.equal(new Reader(hex('00')).arrayLength(true), -1);
  assert.deepEqual(
    new Reader(hex('03 0001 0002')).array(true, (r) => r.int16()),
    [1, 2],
  );
});

test('uuids are 22-char base64url', () => {
  const b = hex('000102030405060708090a0b0c0d0e0f');
  const id = new Reader(b).uuid();
  assert.equal(id, 'AAECAwQFBgcICQoLDA0ODw');
  assert.ok(new Writer().uuid(id).toBuffer().equals(b));
  assert.ok(new Writer().uuid(zeroUuid).toBuffer().equals(Buffer.alloc(16)));
  assert.throws(() => new Writer().uuid('short'), ProtocolEncodeError);
});

test('tagged fields: known tags seen, unknown skipped, truncation refused', () => {
  // 2 fields: tag 0 size 1 [07]; tag 9 size 3 [aabbcc]; then int8 0x11
  const r = new Reader(hex('02 00 01 07 09 03 aabbcc 11'));
  const seen: [number, string][] = [];
  r.taggedFields((tag, fr) => seen.push([tag, fr.buf.toString('hex', fr.pos, fr.end)]));
  assert.deepEqual(seen, [
    [0, '07'],
    [9, 'aabbcc'],
  ]);
  assert.equal(r.int8(), 0x11);
  assert.throws(() => new Reader(hex('01 00 05 07')).taggedFields(), ProtocolDecodeError);
});

test('writer: growth, zero-copy chunks for big byte fields, size patching', () => {
  const w = new Writer(16);
  w.int32(0);
  for (let i = 0; i < 1000; i++) w.int32(i);
  const big = Buffer.alloc(zeroCopyBytesMin, 7);
  w.bytes(big);
  w.int16(-1);
  w.patchInt32(0, w.length - 4);
  const chunks = w.toChunks();
  assert.ok(chunks.includes(big), 'the big buffer is passed through by reference');
  const all = w.toBuffer();
  assert.equal(all.length, 4 + 4000 + 4 + zeroCopyBytesMin + 2);
  assert.equal(all.readInt32BE(0), all.length - 4);
  assert.equal(all.readInt32BE(4 + 4 * 999), 999);
  assert.equal(all.readInt16BE(all.length - 2), -1);
  assert.throws(() => new Writer().string('x'.repeat(40000)), ProtocolEncodeError);
});
