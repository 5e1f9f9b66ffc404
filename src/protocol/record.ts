// One record inside a RecordBatch v2 (kafka-protocol.md §2.3), decoded and encoded.
//
//   length varint (bytes after it), attributes int8 (0), timestampDelta varlong, offsetDelta varint,
//   keyLength varint (-1 = null) + key, valueLength varint (-1 = null) + value,
//   headersCount varint, headers [keyLength varint + UTF-8 key, valueLength varint (-1 = null) + value]
//
// Invariants: decoding checks every length against the record's own length and the record's end
// against the batch's; key/value/header values are slices (no copies). Errors are
// ProtocolDecodeError with CORRUPT_MESSAGE. Used by record-batch.ts only.
import { ProtocolDecodeError, ProtocolErrorCode } from './errors.js';
import type { Reader } from './primitives/reader.js';
import { varintSize, type Writer } from './primitives/writer.js';

export interface RecordHeader {
  readonly key: string;
  readonly value: Buffer | null;
}

export interface KafkaRecord {
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly RecordHeader[];
}

export interface RecordInput {
  readonly key?: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: readonly RecordHeader[];
  /** Milliseconds since the epoch (CreateTime). */
  readonly timestamp: number;
}

function corrupt(message: string): ProtocolDecodeError {
  return new ProtocolDecodeError(message, ProtocolErrorCode.CORRUPT_MESSAGE);
}

/** Fields of one record, relative to its batch. */
interface RawRecord {
  timestampDelta: number;
  offsetDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

/** Skips a varint-length-prefixed field, returning its slice only when `keep`. */
function lengthPrefixed(r: Reader, nullable: boolean, what: string, keep: boolean): Buffer | null {
  const n = r.varint();
  if (n === -1 && nullable) return null;
  if (n < 0) throw corrupt(`invalid ${what} length ${n}`);
  if (n > r.end - r.pos) throw corrupt(`${what} of ${n} bytes overruns its record`);
  const start = r.pos;
  r.pos += n;
  return keep ? r.buf.subarray(start, start + n) : null;
}

/**
 * Reads one record at r.pos (r.end = end of the batch payload). With `decode` false it only checks
 * the structure and allocates nothing (batch validation); with true it returns the fields.
 */
export function readRecord(r: Reader, decode: true): RawRecord;
export function readRecord(r: Reader, decode: false): number;
export function readRecord(r: Reader, decode: boolean): RawRecord | number {
  const length = r.varint();
  if (length <= 0 || length > r.end - r.pos)
    throw corrupt(`invalid record length ${length} with ${r.end - r.pos} bytes left in the batch`);
  const batchEnd = r.narrow(length);
  r.int8(); // attributes, unused
  const timestampDelta = r.varlong();
  const offsetDelta = r.varint();
  const key = lengthPrefixed(r, true, 'key', decode);
  const value = lengthPrefixed(r, true, 'value', decode);
  const headersCount = r.varint();
  if (headersCount < 0 || headersCount > r.end - r.pos) throw corrupt(`invalid header count ${headersCount}`);
  const headers: RecordHeader[] = [];
  for (let i = 0; i < headersCount; i++) {
    const hk = lengthPrefixed(r, false, 'header key', decode);
    const hv = lengthPrefixed(r, true, 'header value', decode);
    if (decode) headers.push({ key: hk === null ? '' : hk.toString('utf8'), value: hv });
  }
  if (r.pos !== r.end) throw corrupt(`record has ${r.end - r.pos} bytes after its last header`);
  r.widen(batchEnd);
  if (!decode) return offsetDelta;
  return { timestampDelta, offsetDelta, key, value, headers };
}

// ---- encode ----------------------------------------------------------------------------------

function recordBodySize(rec: RecordInput, timestampDelta: number, offsetDelta: number): number {
  let size = 1 + varintSize(timestampDelta) + varintSize(offsetDelta);
  const key = rec.key ?? null;
  size += key === null ? 1 : varintSize(key.length) + key.length;
  size += rec.value === null ? 1 : varintSize(rec.value.length) + rec.value.length;
  const headers = rec.headers ?? [];
  size += varintSize(headers.length);
  for (const h of headers) {
    const kl = Buffer.byteLength(h.key, 'utf8');
    size += varintSize(kl) + kl;
    size += h.value === null ? 1 : varintSize(h.value.length) + h.value.length;
  }
  return size;
}

export function writeRecord(w: Writer, rec: RecordInput, timestampDelta: number, offsetDelta: number): void {
  w.varint(recordBodySize(rec, timestampDelta, offsetDelta));
  w.int8(0);
  w.varlong(timestampDelta);
  w.varint(offsetDelta);
  const key = rec.key ?? null;
  if (key === null) w.varint(-1);
  else w.varint(key.length).raw(key);
  if (rec.value === null) w.varint(-1);
  else w.varint(rec.value.length).raw(rec.value);
  const headers = rec.headers ?? [];
  w.varint(headers.length);
  for (const h of headers) {
    const k = Buffer.from(h.key, 'utf8');
    w.varint(k.length).raw(k);
    if (h.value === null) w.varint(-1);
    else w.varint(h.value.length).raw(h.value);
  }
}
