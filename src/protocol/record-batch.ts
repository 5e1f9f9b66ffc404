// RecordBatch v2 (magic 2), kafka-protocol.md §2.2: header parsing, validation, in-place patching,
// record iteration and building.
//
//   0 baseOffset int64 | 8 batchLength int32 | 12 partitionLeaderEpoch int32 | 16 magic int8 |
//   17 crc uint32 (CRC-32C of bytes 21..end) | 21 attributes int16 | 23 lastOffsetDelta int32 |
//   27 baseTimestamp int64 | 35 maxTimestamp int64 | 43 producerId int64 | 51 producerEpoch int16 |
//   53 baseSequence int32 | 57 recordsCount int32 | 61 records (compressed as one stream if codec≠0)
//
// Invariants:
// - baseOffset, batchLength and partitionLeaderEpoch are outside the CRC: the broker patches them
//   in place without touching the CRC. Anything from attributes on (LogAppendTime's timestamp-type
//   bit and maxTimestamp) is inside it, so that patch recomputes the CRC.
// - Validation never throws for bad input: it returns a typed result with a Kafka error code
//   (STYLE §5). Uncompressed batches are walked record by record (count, offset deltas, lengths)
//   without allocating; compressed ones are checked up to their CRC and only decompressed on request.
// - int64 header fields follow the Reader rule (must be safe integers, else the batch is corrupt).
// Callers: the produce path (validate → assign offsets → append), log recovery (validBytes),
// fetch parsing in our client, tests.
import { crc32c } from '@node-rs/crc32';
import { compress, decompress, isKnownCodec, CompressionCodec } from './compression.js';
import { ProtocolDecodeError, ProtocolEncodeError, ProtocolErrorCode } from './errors.js';
import { Reader } from './primitives/reader.js';
import { Writer, writeInt64At } from './primitives/writer.js';
import { readRecord, writeRecord, type KafkaRecord, type RecordInput } from './record.js';

export type { KafkaRecord, RecordHeader, RecordInput } from './record.js';

export const batchHeaderBytes = 61;
/** baseOffset + batchLength: the bytes batchLength does not count. */
const batchLogOverheadBytes = 12;
const currentMagic = 2;
const magicOffset = 16;
const crcOffset = 17;
const attributesOffset = 21;
const maxTimestampOffset = 35;

const BatchAttribute = {
  codecMask: 0x07,
  logAppendTime: 0x08,
  transactional: 0x10,
  control: 0x20,
  deleteHorizon: 0x40,
} as const;

export const TimestampType = { createTime: 0, logAppendTime: 1 } as const;
type TimestampTypeId = (typeof TimestampType)[keyof typeof TimestampType];

export interface RecordBatchHeader {
  /** Where the batch starts in the buffer it was read from. */
  readonly position: number;
  /** Whole batch size: batchLength + 12. */
  readonly sizeInBytes: number;
  readonly baseOffset: number;
  readonly batchLength: number;
  readonly partitionLeaderEpoch: number;
  readonly magic: number;
  readonly crc: number;
  readonly attributes: number;
  readonly compression: number;
  readonly timestampType: TimestampTypeId;
  readonly isTransactional: boolean;
  readonly isControl: boolean;
  readonly lastOffsetDelta: number;
  readonly baseTimestamp: number;
  readonly maxTimestamp: number;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly recordsCount: number;
}

function corrupt(message: string): ProtocolDecodeError {
  return new ProtocolDecodeError(message, ProtocolErrorCode.CORRUPT_MESSAGE);
}

function legacyMagicMessage(magic: number): string {
  return (
    `record batch magic ${magic} (a pre-0.11 message set) is not supported: raftka only accepts RecordBatch v2 (magic 2). ` +
    'Let the client discover the broker: librdkafka/kcat api.version.request=true (the default) and no ' +
    'broker.version.fallback below 0.11.0 (or api.version.request=false); kafkajs ≥ 1.x and Java clients ≥ 0.11 send v2'
  );
}

/**
 * Parses the 61-byte header of the batch at `position`. Throws ProtocolDecodeError: CORRUPT_MESSAGE
 * when truncated or malformed, INVALID_RECORD for magic 0/1. Does not check the CRC.
 */
export function readBatchHeader(buf: Buffer, position = 0): RecordBatchHeader {
  const available = buf.length - position;
  if (available < magicOffset + 1) throw corrupt(`${available} bytes cannot hold a record batch header`);
  const magic = buf.readInt8(position + magicOffset);
  if (magic === 0 || magic === 1)
    throw new ProtocolDecodeError(legacyMagicMessage(magic), ProtocolErrorCode.INVALID_RECORD);
  if (magic !== currentMagic) throw corrupt(`unknown record batch magic ${magic}`);
  if (available < batchHeaderBytes) throw corrupt(`${available} bytes cannot hold a record batch header`);
  const r = new Reader(buf, position, position + batchHeaderBytes);
  const baseOffset = r.int64();
  const batchLength = r.int32();
  const partitionLeaderEpoch = r.int32();
  r.int8();
  const crc = r.uint32();
  const attributes = r.int16();
  const lastOffsetDelta = r.int32();
  const baseTimestamp = r.int64();
  const maxTimestamp = r.int64();
  const producerId = r.int64();
  const producerEpoch = r.int16();
  const baseSequence = r.int32();
  const recordsCount = r.int32();
  if (batchLength < batchHeaderBytes - batchLogOverheadBytes)
    throw corrupt(`batch length ${batchLength} is smaller than the header`);
  return {
    position,
    sizeInBytes: batchLength + batchLogOverheadBytes,
    baseOffset,
    batchLength,
    partitionLeaderEpoch,
    magic,
    crc,
    attributes,
    compression: attributes & BatchAttribute.codecMask,
    timestampType: attributes & BatchAttribute.logAppendTime ? TimestampType.logAppendTime : TimestampType.createTime,
    isTransactional: (attributes & BatchAttribute.transactional) !== 0,
    isControl: (attributes & BatchAttribute.control) !== 0,
    lastOffsetDelta,
    baseTimestamp,
    maxTimestamp,
    producerId,
    producerEpoch,
    baseSequence,
    recordsCount,
  };
}

/** CRC-32C over attributes..end of the batch at `position` (the value the crc field must hold). */
export function computeBatchCrc(buf: Buffer, position: number, sizeInBytes: number): number {
  return crc32c(buf.subarray(position + attributesOffset, position + sizeInBytes)) >>> 0;
}

// ---- validation ------------------------------------------------------------------------------

interface ValidateOptions {
  /** Decompress compressed batches and walk their records too (default false). */
  readonly decompress?: boolean;
  /**
   * Allow gaps in offset deltas (batches rewritten by compaction). Default false: as Kafka requires
   * of client batches, recordsCount = lastOffsetDelta + 1 ≥ 1 and the deltas are 0, 1, 2, ...
   */
  readonly allowOffsetGaps?: boolean;
}

type BatchValidation =
  | { readonly ok: true; readonly batches: readonly RecordBatchHeader[] }
  | {
      readonly ok: false;
      readonly errorCode: number;
      readonly message: string;
      /** Index of the first bad batch; `batches` holds the valid ones before it. */
      readonly batchIndex: number;
      readonly batches: readonly RecordBatchHeader[];
      /** Bytes of whole valid batches before the bad one (where recovery truncates). */
      readonly validBytes: number;
    };

/** Validates every batch in `buf` (one or more, back to back, nothing after the last). */
export function validateBatches(buf: Buffer, options: ValidateOptions = {}): BatchValidation {
  const batches: RecordBatchHeader[] = [];
  let pos = 0;
  while (pos < buf.length) {
    try {
      const h = readBatchHeader(buf, pos);
      checkBatch(buf, h, options);
      batches.push(h);
      pos += h.sizeInBytes;
    } catch (e) {
      if (!(e instanceof ProtocolDecodeError)) throw e;
      return {
        ok: false,
        errorCode: e.errorCode,
        message: e.message,
        batchIndex: batches.length,
        batches,
        validBytes: pos,
      };
    }
  }
  return { ok: true, batches };
}

/** Throws ProtocolDecodeError describing the first problem of one batch. */
function checkBatch(buf: Buffer, h: RecordBatchHeader, options: ValidateOptions): void {
  const end = h.position + h.sizeInBytes;
  if (end > buf.length)
    throw corrupt(`batch of ${h.sizeInBytes} bytes at ${h.position} overruns the ${buf.length}-byte buffer`);
  const crc = computeBatchCrc(buf, h.position, h.sizeInBytes);
  if (crc !== h.crc) throw corrupt(`batch at ${h.position} fails its CRC-32C (stored ${h.crc}, computed ${crc})`);
  if (!isKnownCodec(h.compression)) throw corrupt(`unknown compression codec ${h.compression}`);
  if (h.recordsCount < 0) throw corrupt(`negative record count ${h.recordsCount}`);
  if (options.allowOffsetGaps === true) {
    if (h.recordsCount > 0 && h.lastOffsetDelta < h.recordsCount - 1) {
      throw corrupt(`lastOffsetDelta ${h.lastOffsetDelta} is too small for ${h.recordsCount} records`);
    }
  } else if (h.recordsCount < 1 || h.lastOffsetDelta + 1 !== h.recordsCount) {
    throw corrupt(`record count ${h.recordsCount} does not match lastOffsetDelta ${h.lastOffsetDelta}`);
  }
  if (h.compression === CompressionCodec.none) {
    walkRecords(buf, h.position + batchHeaderBytes, end, h, options);
  } else if (options.decompress === true) {
    const payload = decompress(h.compression, buf.subarray(h.position + batchHeaderBytes, end));
    walkRecords(payload, 0, payload.length, h, options);
  }
}

function walkRecords(buf: Buffer, start: number, end: number, h: RecordBatchHeader, options: ValidateOptions): void {
  const r = new Reader(buf, start, end);
  let previous = -1;
  for (let i = 0; i < h.recordsCount; i++) {
    if (r.pos >= r.end) throw corrupt(`batch says ${h.recordsCount} records but holds ${i}`);
    const delta = readRecord(r, false);
    if (options.allowOffsetGaps === true ? delta <= previous || delta > h.lastOffsetDelta : delta !== i) {
      throw corrupt(`record ${i} has offset delta ${delta}`);
    }
    previous = delta;
  }
  if (r.pos !== r.end) throw corrupt(`batch has ${r.end - r.pos} bytes after its ${h.recordsCount} records`);
}

// ---- whole-buffer helpers --------------------------------------------------------------------

/**
 * Headers of the whole batches in `buf`, stopping quietly at a truncated last batch (a Fetch
 * response may end with one). Throws ProtocolDecodeError for a malformed header.
 */
export function readBatchHeaders(buf: Buffer): RecordBatchHeader[] {
  const out: RecordBatchHeader[] = [];
  let pos = 0;
  while (buf.length - pos >= batchHeaderBytes) {
    const h = readBatchHeader(buf, pos);
    if (pos + h.sizeInBytes > buf.length) break;
    out.push(h);
    pos += h.sizeInBytes;
  }
  return out;
}

// ---- in-place patching (broker append path) --------------------------------------------------

/** Sets baseOffset (outside the CRC: the CRC stays valid). */
export function setBaseOffset(buf: Buffer, position: number, baseOffset: number): void {
  writeInt64At(buf, position, baseOffset);
}

/** Sets partitionLeaderEpoch (outside the CRC). */
export function setPartitionLeaderEpoch(buf: Buffer, position: number, epoch: number): void {
  buf.writeInt32BE(epoch, position + 12);
}

/**
 * Marks the batch LogAppendTime with the given time: sets attribute bit 3 and maxTimestamp (what
 * Kafka does for message.timestamp.type=LogAppendTime), then recomputes the CRC they are part of.
 */
export function setLogAppendTime(buf: Buffer, position: number, timestampMs: number): void {
  const h = readBatchHeader(buf, position);
  buf.writeInt16BE(h.attributes | BatchAttribute.logAppendTime, position + attributesOffset);
  writeInt64At(buf, position + maxTimestampOffset, timestampMs);
  buf.writeUInt32BE(computeBatchCrc(buf, position, h.sizeInBytes), position + crcOffset);
}

/**
 * Gives the batches consecutive offsets starting at `firstOffset` (patching baseOffset of each)
 * and returns the next offset after the last one.
 */
export function assignOffsets(buf: Buffer, batches: readonly RecordBatchHeader[], firstOffset: number): number {
  let next = firstOffset;
  for (const h of batches) {
    setBaseOffset(buf, h.position, next);
    next += h.lastOffsetDelta + 1;
  }
  return next;
}

// ---- reading records -------------------------------------------------------------------------

/**
 * The records of one batch (decompressed when needed), with absolute offsets and timestamps.
 * LogAppendTime batches give every record the batch's maxTimestamp, like Kafka. Throws
 * ProtocolDecodeError (CORRUPT_MESSAGE) on malformed content; does not check the CRC.
 */
export function readRecords(buf: Buffer, h: RecordBatchHeader): KafkaRecord[] {
  const end = h.position + h.sizeInBytes;
  if (end > buf.length) throw corrupt(`batch at ${h.position} overruns the buffer`);
  const body = buf.subarray(h.position + batchHeaderBytes, end);
  const payload = h.compression === CompressionCodec.none ? body : decompress(h.compression, body);
  const r = new Reader(payload);
  const out: KafkaRecord[] = [];
  for (let i = 0; i < h.recordsCount; i++) {
    if (r.atEnd()) throw corrupt(`batch says ${h.recordsCount} records but holds ${i}`);
    const rec = readRecord(r, true);
    out.push({
      offset: h.baseOffset + rec.offsetDelta,
      timestamp:
        h.timestampType === TimestampType.logAppendTime ? h.maxTimestamp : h.baseTimestamp + rec.timestampDelta,
      key: rec.key,
      value: rec.value,
      headers: rec.headers,
    });
  }
  return out;
}

// ---- building --------------------------------------------------------------------------------

interface BuildBatchOptions {
  readonly baseOffset?: number;
  readonly partitionLeaderEpoch?: number;
  readonly compression?: number;
  readonly producerId?: number;
  readonly producerEpoch?: number;
  readonly baseSequence?: number;
  readonly transactional?: boolean;
  readonly control?: boolean;
  /**
   * Offset delta of each record (default 0, 1, 2, ...). The log cleaner rebuilds a batch from the
   * records it keeps, which leaves gaps; Kafka keeps such batches' original lastOffsetDelta.
   */
  readonly offsetDeltas?: readonly number[];
  readonly lastOffsetDelta?: number;
  /** Keep a LogAppendTime batch's type and max timestamp (the cleaner rewriting one). */
  readonly logAppendTimeMs?: number;
}

/** Builds one batch from records (our producer client, control markers, tests). */
export function buildRecordBatch(records: readonly RecordInput[], options: BuildBatchOptions = {}): Buffer {
  const first = records[0];
  if (first === undefined) throw new ProtocolEncodeError('a record batch needs at least one record');
  const codec = options.compression ?? CompressionCodec.none;
  const baseTimestamp = first.timestamp;
  let maxTimestamp = baseTimestamp;
  const body = new Writer(64 * records.length);
  records.forEach((rec, i) => {
    if (rec.timestamp > maxTimestamp) maxTimestamp = rec.timestamp;
    writeRecord(body, rec, rec.timestamp - baseTimestamp, options.offsetDeltas?.[i] ?? i);
  });
  const payload = compress(codec, body.toBuffer());
  let attributes = codec;
  if (options.transactional === true) attributes |= BatchAttribute.transactional;
  if (options.control === true) attributes |= BatchAttribute.control;
  if (options.logAppendTimeMs !== undefined) {
    attributes |= BatchAttribute.logAppendTime;
    maxTimestamp = options.logAppendTimeMs;
  }
  const w = new Writer(batchHeaderBytes + payload.length);
  w.int64(options.baseOffset ?? 0);
  w.int32(batchHeaderBytes - batchLogOverheadBytes + payload.length);
  w.int32(options.partitionLeaderEpoch ?? -1);
  w.int8(currentMagic);
  w.uint32(0); // crc, patched below
  w.int16(attributes);
  w.int32(options.lastOffsetDelta ?? records.length - 1);
  w.int64(baseTimestamp);
  w.int64(maxTimestamp);
  w.int64(options.producerId ?? -1);
  w.int16(options.producerEpoch ?? -1);
  w.int32(options.baseSequence ?? -1);
  w.int32(records.length);
  w.raw(payload);
  const out = w.toBuffer(); // contiguous and owned (a fresh join, or our own buffer)
  out.writeUInt32BE(computeBatchCrc(out, 0, out.length), crcOffset);
  return out;
}

/**
 * Rebuild a batch from some of its records (the log cleaner) or in another codec (a topic's
 * compression.type), keeping what identifies it: base offset and last offset delta (so offsets do
 * not move), leader epoch, producer id/epoch/sequence, transactional flag and a LogAppendTime.
 */
export function rebuildBatch(h: RecordBatchHeader, records: readonly KafkaRecord[], compression: number): Buffer {
  return buildRecordBatch(
    records.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp })),
    {
      baseOffset: h.baseOffset,
      partitionLeaderEpoch: h.partitionLeaderEpoch,
      compression,
      producerId: h.producerId,
      producerEpoch: h.producerEpoch,
      baseSequence: h.baseSequence,
      transactional: h.isTransactional,
      offsetDeltas: records.map((r) => r.offset - h.baseOffset),
      lastOffsetDelta: h.lastOffsetDelta,
      ...(h.timestampType === TimestampType.logAppendTime ? { logAppendTimeMs: h.maxTimestamp } : {}),
    },
  );
}
