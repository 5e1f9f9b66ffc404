// Compression codecs 0-4: round trips, zstd decompress-only, xerial-framed snappy, bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compress,
  decompress,
  CompressionCodec,
  snappyXerialCompress,
  isXerial,
} from '../../src/protocol/compression.js';
import { ProtocolDecodeError, UnsupportedCompressionError } from '../../src/protocol/errors.js';
import { hex } from './helpers.js';

const text = Buffer.from(`${'raftka '.repeat(5000)}end`);

test('gzip, snappy and lz4 round-trip; none is the identity', () => {
  assert.equal(compress(CompressionCodec.none, text), text);
  for (const codec of [CompressionCodec.gzip, CompressionCodec.snappy, CompressionCodec.lz4]) {
    const c = compress(codec, text);
    assert.ok(c.length < text.length / 10, `codec ${codec} compresses`);
    assert.ok(decompress(codec, c).equals(text), `codec ${codec}`);
  }
  assert.ok(
    decompress(CompressionCodec.gzip, compress(CompressionCodec.gzip, Buffer.alloc(0))).equals(Buffer.alloc(0)),
  );
});

test('lz4 output is the LZ4 frame format (magic 04224d18)', () => {
  assert.equal(compress(CompressionCodec.lz4, text).subarray(0, 4).toString('hex'), '04224d18');
});

test('zstd: decompress only; compress raises UnsupportedCompressionError (76)', () => {
  // `printf 'raftka zstd fixture: hello hello hello' | zstd -c`: no content size in the frame header
  const frame = hex('28b52ffd0458050100d0726166746b61207a73746420666978747572653a2068656c6c6f0100862b6337602a67');
  assert.equal(decompress(CompressionCodec.zstd, frame).toString(), 'raftka zstd fixture: hello hello hello');
  assert.throws(
    () => compress(CompressionCodec.zstd, text),
    (e: unknown) => e instanceof UnsupportedCompressionError && e.errorCode === 76,
  );
});

test('snappy: Java xerial framing decompresses (hand-built frame and multi-block)', () => {
  // magic 82 "SNAPPY" 00 | version 1 | compatible 1 | block length 7 | raw snappy: len 5, literal tag (5-1)<<2, "hello"
  const xerial = hex('82534e41505059 00 00000001 00000001 00000007 05 10 68656c6c6f');
  assert.ok(isXerial(xerial));
  assert.equal(decompress(CompressionCodec.snappy, xerial).toString(), 'hello');
  const big = Buffer.alloc(100_000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7) % 251;
  const framed = snappyXerialCompress(big);
  assert.ok(decompress(CompressionCodec.snappy, framed).equals(big));
  // raw snappy block of the same "hello"
  assert.equal(decompress(CompressionCodec.snappy, hex('05 10 68656c6c6f')).toString(), 'hello');
});

test('garbage and truncated input raise ProtocolDecodeError with CORRUPT_MESSAGE', () => {
  const junk = hex('00112233445566778899aabbccddeeff');
  for (const codec of [
    CompressionCodec.gzip,
    CompressionCodec.snappy,
    CompressionCodec.lz4,
    CompressionCodec.zstd,
    5,
  ]) {
    assert.throws(
      () => decompress(codec, junk),
      (e: unknown) => e instanceof ProtocolDecodeError && e.errorCode === 2,
      `codec ${codec}`,
    );
  }
  const xerialTruncated = hex('82534e41505059 00 00000001 00000001 00000009 05 10 68656c6c6f');
  assert.throws(() => decompress(CompressionCodec.snappy, xerialTruncated), ProtocolDecodeError);
  const lz4 = compress(CompressionCodec.lz4, text);
  assert.throws(() => decompress(CompressionCodec.lz4, lz4.subarray(0, lz4.length - 9)), ProtocolDecodeError);
  assert.throws(
    () => decompress(CompressionCodec.gzip, compress(CompressionCodec.gzip, text), 100),
    ProtocolDecodeError,
  );
});
