// RecordBatch v2: build → validate → iterate for every codec, CRC checks, in-place patches,
// legacy magic, count/offset checks, recovery's validBytes, and interop with kafkajs' encoder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { crc32c } from '@node-rs/crc32';
import {
  assignOffsets,
  batchHeaderBytes,
  buildRecordBatch,
  computeBatchCrc,
  readBatchHeader,
  readBatchHeaders,
  readRecords,
  setBaseOffset,
  setLogAppendTime,
  setPartitionLeaderEpoch,
  validateBatches,
  TimestampType,
  type RecordInput,
} from '../../src/protocol/record-batch.js';
import { CompressionCodec } from '../../src/protocol/compression.js';
import { ProtocolDecodeError, UnsupportedCompressionError } from '../../src/protocol/errors.js';
import { hex } from './helpers.js';

const t0 = 1_700_000_000_000;
const records: RecordInput[] = [
  { key: Buffer.from('k0'), value: Buffer.from('v0'), timestamp: t0 },
  {
    key: null,
    value: Buffer.from('x'.repeat(3000)),
    timestamp: t0 + 10,
    headers: [
      { key: 'h1', value: Buffer.from('a') },
      { key: 'h2', value: null },
    ],
  },
  { value: null, timestamp: t0 + 3 },
];

function ok(buf: Buffer, opts = {}) {
  const v = validateBatches(buf, opts);
  if (!v.ok) assert.fail(`expected a valid batch: ${v.message}`);
  return v.batches;
}

function refuse(buf: Buffer, code: number, pattern?: RegExp, opts = {}) {
  const v = validateBatches(buf, opts);
  assert.equal(v.ok, false, 'expected the batch to be refused');
  if (v.ok) return v;
  assert.equal(v.errorCode, code, v.message);
  if (pattern) assert.match(v.message, pattern);
  return v;
}

/** Rewrites the CRC after a test edits bytes inside the CRC region. */
function fixCrc(buf: Buffer, position = 0): void {
  const size = buf.readInt32BE(position + 8) + 12;
  buf.writeUInt32BE(computeBatchCrc(buf, position, size), position + 17);
}

test('build → validate → read round-trips for none, gzip, snappy and lz4', () => {
  for (const codec of [CompressionCodec.none, CompressionCodec.gzip, CompressionCodec.snappy, CompressionCodec.lz4]) {
    const b = buildRecordBatch(records, {
      compression: codec,
      baseOffset: 100,
      producerId: 7,
      producerEpoch: 1,
      baseSequence: 0,
    });
    const [h] = ok(b, { decompress: true });
    assert.ok(h);
    assert.equal(h.compression, codec);
    assert.equal(h.recordsCount, 3);
    assert.equal(h.lastOffsetDelta, 2);
    assert.equal(h.baseTimestamp, t0);
    assert.equal(h.maxTimestamp, t0 + 10);
    assert.deepEqual(
      [h.producerId, h.producerEpoch, h.baseSequence, h.magic, h.partitionLeaderEpoch],
      [7, 1, 0, 2, -1],
    );
    assert.equal(h.sizeInBytes, b.length);
    const got = readRecords(b, h);
    assert.deepEqual(
      got.map((r) => r.offset),
      [100, 101, 102],
    );
    assert.deepEqual(
      got.map((r) => r.timestamp),
      [t0, t0 + 10, t0 + 3],
    );
    assert.deepEqual(
      got.map((r) => r.key?.toString() ?? null),
      ['k0', null, null],
    );
    assert.deepEqual(
      got.map((r) => r.value?.length ?? null),
      [2, 3000, null],
    );
    assert.deepEqual(
      got[1]!.headers.map((x) => [x.key, x.value?.toString() ?? null]),
      [
        ['h1', 'a'],
        ['h2', null],
      ],
    );
    if (codec !== CompressionCodec.none) assert.ok(b.length < 1000, 'compressed');
  }
});

test('a hand-derived single-record batch matches the §2.2/§2.3 layout byte for byte', () => {
  const b = buildRecordBatch([{ key: null, value: Buffer.from('hi'), timestamp: 1 }]);
  const body =
    '0000' + // attributes: none, CreateTime
    '00000000' + // lastOffsetDelta 0
    '0000000000000001' + // baseTimestamp 1
    '0000000000000001' + // maxTimestamp 1
    'ffffffffffffffff' + // producerId -1
    'ffff' + // producerEpoch -1
    'ffffffff' + // baseSequence -1
    '00000001' + // recordsCount 1
    // record: length 8 (zigzag 10) = attributes 0, tsDelta 0, offsetDelta 0, key -1 (01),
    // value length 2 (04) "hi", headers 0
    '10' +
    '00' +
    '00' +
    '00' +
    '01' +
    '04' +
    '6869' +
    '00';
  const crc = crc32c(hex(body)).toString(16).padStart(8, '0');
  // batchLength = bytes after the length field = 4 (epoch) + 1 (magic) + 4 (crc) + 40 (rest of the
  // header) + 9 (the record with its length byte) = 58 = 0x3a
  const expected = hex('0000000000000000', '0000003a', 'ffffffff', '02', crc, body);
  assert.equal(b.toString('hex'), expected.toString('hex'));
});

test('zstd: building refuses (76), a zstd batch from elsewhere validates and reads', () => {
  assert.throws(() => buildRecordBatch(records, { compression: CompressionCodec.zstd }), UnsupportedCompressionError);
  // Records payload of two records (k1/"hello zstd" at t0, null/"hello zstd again" + header h=v at t0+5),
  // compressed with the zstd CLI (`zstd -c --no-check`).
  const zstdPayload = hex(
    '28b52ffd202e5d0100440224000000046b311468656c6c6f207a7374640034000a02012020616761696e02026802760100d136c7',
  );
  const plain = buildRecordBatch([
    { key: Buffer.from('k1'), value: Buffer.from('hello zstd'), timestamp: t0 },
    {
      key: null,
      value: Buffer.from('hello zstd again'),
      headers: [{ key: 'h', value: Buffer.from('v') }],
      timestamp: t0 + 5,
    },
  ]);
  const b = Buffer.concat([plain.subarray(0, batchHeaderBytes), zstdPayload]);
  b.writeInt32BE(b.length - 12, 8);
  b.writeInt16BE(CompressionCodec.zstd, 21);
  fixCrc(b);
  const [h] = ok(b, { decompress: true });
  const got = readRecords(b, h!);
  assert.deepEqual(
    got.map((r) => [r.offset, r.timestamp, r.key?.toString() ?? null, r.value?.toString()]),
    [
      [0, t0, 'k1', 'hello zstd'],
      [1, t0 + 5, null, 'hello zstd again'],
    ],
  );
});

test('CRC corruption is detected (CORRUPT_MESSAGE) for plain and compressed batches', () => {
  for (const codec of [CompressionCodec.none, CompressionCodec.gzip]) {
    const b = buildRecordBatch(records, { compression: codec });
    b[b.length - 5]! ^= 0x01;
    refuse(b, 2, /CRC/);
    const c = buildRecordBatch(records, { compression: codec });
    c[22]! ^= 0x04; // attributes are inside the CRC
    refuse(c, 2, /CRC/);
  }
});

test('baseOffset and partitionLeaderEpoch patches keep the CRC valid (they are outside it)', () => {
  const b = buildRecordBatch(records);
  const crc = b.readUInt32BE(17);
  setBaseOffset(b, 0, 2 ** 40 + 5);
  setPartitionLeaderEpoch(b, 0, 12);
  const [h] = ok(b);
  assert.equal(h!.crc, crc);
  assert.equal(h!.baseOffset, 2 ** 40 + 5);
  assert.equal(h!.partitionLeaderEpoch, 12);
  assert.equal(readRecords(b, h!)[2]!.offset, 2 ** 40 + 7);
});

test('LogAppendTime patch sets the timestamp-type bit and maxTimestamp and recomputes the CRC', () => {
  const b = buildRecordBatch(records, { compression: CompressionCodec.lz4 });
  const before = b.readUInt32BE(17);
  setLogAppendTime(b, 0, t0 + 999);
  const [h] = ok(b, { decompress: true });
  assert.notEqual(h!.crc, before);
  assert.equal(h!.timestampType, TimestampType.logAppendTime);
  assert.equal(h!.maxTimestamp, t0 + 999);
  assert.equal(h!.baseTimestamp, t0);
  assert.equal(h!.compression, CompressionCodec.lz4, 'codec bits untouched');
  assert.deepEqual(
    readRecords(b, h!).map((r) => r.timestamp),
    [t0 + 999, t0 + 999, t0 + 999],
  );
});

test('several batches in one buffer: validated in order, offsets assigned consecutively', () => {
  const a = buildRecordBatch(records);
  const b = buildRecordBatch(records.slice(0, 1), { compression: CompressionCodec.snappy });
  const buf = Buffer.concat([a, b]);
  const batches = ok(buf);
  assert.equal(batches.length, 2);
  assert.equal(batches[1]!.position, a.length);
  assert.equal(assignOffsets(buf, batches, 50), 54);
  const again = ok(buf);
  assert.deepEqual(
    again.map((h) => h.baseOffset),
    [50, 53],
  );
  assert.deepEqual(readBatchHeaders(buf.subarray(0, buf.length - 1)).length, 1, 'a truncated last batch is skipped');
});

test('a truncated or corrupt tail reports validBytes for recovery', () => {
  const a = buildRecordBatch(records);
  const b = buildRecordBatch(records);
  const v1 = refuse(Buffer.concat([a, b.subarray(0, 70)]), 2);
  assert.equal(v1.validBytes, a.length);
  assert.equal(v1.batchIndex, 1);
  const v2 = refuse(Buffer.concat([a, b.subarray(0, 10)]), 2);
  assert.equal(v2.validBytes, a.length);
});

test('legacy magic 0/1 is refused with INVALID_RECORD and a message naming the client setting', () => {
  for (const magic of [0, 1]) {
    const b = buildRecordBatch(records);
    b[16] = magic;
    refuse(b, 87, /api\.version\.request=true.*broker\.version\.fallback.*kafkajs/);
  }
  const b = buildRecordBatch(records);
  b[16] = 3;
  refuse(b, 2, /magic 3/);
});

test('record count, offset deltas and record lengths are checked by walking the records', () => {
  const count = buildRecordBatch(records);
  count.writeInt32BE(4, 57);
  count.writeInt32BE(3, 23); // lastOffsetDelta consistent with the wrong count
  fixCrc(count);
  refuse(count, 2, /says 4 records but holds 3/);

  const fewer = buildRecordBatch(records);
  fewer.writeInt32BE(2, 57);
  fewer.writeInt32BE(1, 23);
  fixCrc(fewer);
  refuse(fewer, 2, /bytes after its 2 records/);

  const delta = buildRecordBatch(records);
  delta.writeInt32BE(5, 23); // lastOffsetDelta 5 for 3 records
  fixCrc(delta);
  refuse(delta, 2, /does not match lastOffsetDelta/);
  ok(delta, { allowOffsetGaps: true }); // a compacted batch may keep a larger lastOffsetDelta

  const single = buildRecordBatch([{ key: null, value: Buffer.from('hi'), timestamp: 1 }]);
  single[61 + 3] = 0x02; // offsetDelta 0 → 1
  fixCrc(single);
  refuse(single, 2, /offset delta 1/);

  const length = buildRecordBatch([{ key: null, value: Buffer.from('hi'), timestamp: 1 }]);
  length[61] = 0x12; // record length 8 → 9
  fixCrc(length);
  refuse(length, 2, /record length/);

  const short = buildRecordBatch(records);
  short.writeInt32BE(10, 8); // batchLength smaller than the header
  refuse(short, 2);

  const negative = buildRecordBatch(records);
  negative.writeInt32BE(-1, 57);
  fixCrc(negative);
  refuse(negative, 2, /negative record count/);
});

test('compressed batches are not decompressed unless asked', () => {
  const full = buildRecordBatch(records, { compression: CompressionCodec.gzip });
  // Cut the gzip stream short but keep lengths and CRC right: header-level validation passes,
  // deep validation fails.
  const b = Buffer.from(full.subarray(0, full.length - 20));
  b.writeInt32BE(b.length - 12, 8);
  fixCrc(b);
  ok(b);
  refuse(b, 2, /gzip/, { decompress: true });
});

test('readBatchHeader throws ProtocolDecodeError on short input', () => {
  assert.throws(() => readBatchHeader(Buffer.alloc(10)), ProtocolDecodeError);
  const b = buildRecordBatch(records);
  assert.throws(() => readBatchHeader(b.subarray(0, 40)), ProtocolDecodeError);
  assert.throws(() => readRecords(b.subarray(0, 100), readBatchHeader(b)), ProtocolDecodeError);
});

// ---- interop: kafkajs 2.2.4's own RecordBatch encoder (what it sends in Produce v3+) ---------

interface KafkajsEncoder {
  buffer: Buffer;
}
const require = createRequire(import.meta.url);
const kjsRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as (r: object) => KafkajsEncoder;
const kjsBatch = (
  require('kafkajs/src/protocol/recordBatch/v0') as { RecordBatch: (o: object) => Promise<KafkajsEncoder> }
).RecordBatch;
const kjsDecode = require('kafkajs/src/protocol/recordBatch/v0/decoder') as (d: object) => Promise<{
  records: {
    offset: string;
    key: Buffer | null;
    value: Buffer | null;
    timestamp: string;
    headers: Record<string, Buffer>;
  }[];
}>;
const KjsDecoder = require('kafkajs/src/protocol/decoder') as new (b: Buffer) => object;

test('a batch built by kafkajs validates and reads; ours decodes in kafkajs', async () => {
  const kRecords = [
    kjsRecord({
      offsetDelta: 0,
      timestampDelta: 0,
      key: Buffer.from('a'),
      value: Buffer.from('one'),
      headers: { h: Buffer.from('x') },
    }),
    kjsRecord({ offsetDelta: 1, timestampDelta: 7, key: null, value: Buffer.from('two'), headers: {} }),
  ];
  const enc = await kjsBatch({
    firstTimestamp: t0,
    maxTimestamp: t0 + 7,
    lastOffsetDelta: 1,
    records: kRecords,
    producerId: -1,
  });
  const buf = enc.buffer;
  const [h] = ok(buf);
  assert.deepEqual(
    readRecords(buf, h!).map((r) => [
      r.offset,
      r.timestamp,
      r.key?.toString() ?? null,
      r.value?.toString(),
      r.headers.map((x) => x.key),
    ]),
    [
      [0, t0, 'a', 'one', ['h']],
      [1, t0 + 7, null, 'two', []],
    ],
  );

  const ours = buildRecordBatch(records, { baseOffset: 40 });
  const decoded = await kjsDecode(new KjsDecoder(ours));
  assert.deepEqual(
    decoded.records.map((r) => [r.offset, r.timestamp, r.key?.toString() ?? null, r.value?.length ?? null]),
    [
      ['40', String(t0), 'k0', 2],
      ['41', String(t0 + 10), null, 3000],
      ['42', String(t0 + 3), null, null],
    ],
  );
});
