// Writer: a growable buffer that encodes Kafka's primitive types (kafka-protocol.md §2.1).
//
// Invariants:
// - The output is a list of chunks: our own growable buffer, and big byte fields (record batches
//   of a Fetch response, at least `zeroCopyBytesMin`) appended as the caller's Buffer without a
//   copy. `toChunks()` hands them to socket.write/writev; `toBuffer()` joins them (one copy).
// - Values that cannot be encoded (a non-integer, an int64 outside the safe range, a string
//   longer than int16) throw ProtocolEncodeError: they are raftka bugs, reported per response.
// - A Writer is used once: after toBuffer()/toChunks() the returned memory belongs to the caller.
import { asBuffer } from '../../common/bytes.js';
import { ProtocolEncodeError } from '../errors.js';
import { uuidToWireBytes } from './uuid.js';

const twoPow32 = 4294967296;
/** Byte fields at least this long are appended by reference instead of copied. */
export const zeroCopyBytesMin = 16 * 1024;
const initialBytes = 512;

/** Writes int64 `v` at `at` of `buf` (also used to patch record batches in place). */
export function writeInt64At(buf: Buffer, at: number, v: number): void {
  if (!Number.isSafeInteger(v)) throw new ProtocolEncodeError(`int64 value ${v} is not a safe integer`);
  const hi = Math.floor(v / twoPow32);
  buf.writeInt32BE(hi, at);
  buf.writeUInt32BE(v - hi * twoPow32, at + 4);
}

/** Bytes of `u` as an unsigned varint. */
function unsignedVarintSize(u: number): number {
  let n = 1;
  while (u >= 0x80) {
    u = Math.floor(u / 128);
    n++;
  }
  return n;
}

/** Bytes of `v` as a zig-zag varint or varlong. */
export function varintSize(v: number): number {
  return unsignedVarintSize(v >= 0 ? v * 2 : -v * 2 - 1);
}

export class Writer {
  private chunks: Buffer[] = [];
  private sealedBytes = 0;
  private buf: Buffer;
  private pos = 0;

  constructor(initialSize = initialBytes) {
    this.buf = Buffer.allocUnsafe(Math.max(16, initialSize));
  }

  /** Bytes written so far. */
  get length(): number {
    return this.sealedBytes + this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  int8(v: number): this {
    this.ensure(1);
    this.pos = this.buf.writeInt8(v, this.pos);
    return this;
  }

  uint8(v: number): this {
    this.ensure(1);
    this.pos = this.buf.writeUInt8(v, this.pos);
    return this;
  }

  bool(v: boolean): this {
    return this.uint8(v ? 1 : 0);
  }

  int16(v: number): this {
    this.ensure(2);
    this.pos = this.buf.writeInt16BE(v, this.pos);
    return this;
  }

  uint16(v: number): this {
    this.ensure(2);
    this.pos = this.buf.writeUInt16BE(v, this.pos);
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.pos = this.buf.writeInt32BE(v, this.pos);
    return this;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.pos = this.buf.writeUInt32BE(v, this.pos);
    return this;
  }

  int64(v: number): this {
    if (!Number.isSafeInteger(v)) throw new ProtocolEncodeError(`int64 value ${v} is not a safe integer`);
    this.ensure(8);
    writeInt64At(this.buf, this.pos, v);
    this.pos += 8;
    return this;
  }

  float64(v: number): this {
    this.ensure(8);
    this.pos = this.buf.writeDoubleBE(v, this.pos);
    return this;
  }

  unsignedVarint(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v >= twoPow32)
      throw new ProtocolEncodeError(`unsigned varint ${v} out of range`);
    this.ensure(5);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
    return this;
  }

  /** Zig-zag varint (int32). */
  varint(v: number): this {
    if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647)
      throw new ProtocolEncodeError(`varint ${v} out of int32 range`);
    return this.unsignedVarint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  /** Zig-zag varlong from a number (magnitude below 2^52, see Reader's int64 rule). */
  varlong(v: number): this {
    if (!Number.isSafeInteger(v)) throw new ProtocolEncodeError(`varlong ${v} is not a safe integer`);
    let raw = v >= 0 ? v * 2 : -v * 2 - 1;
    if (raw > Number.MAX_SAFE_INTEGER) throw new ProtocolEncodeError(`varlong ${v} is outside the encodable range`);
    this.ensure(10);
    while (raw >= 0x80) {
      this.buf[this.pos++] = (raw % 128) | 0x80;
      raw = Math.floor(raw / 128);
    }
    this.buf[this.pos++] = raw;
    return this;
  }

  uuid(id: string): this {
    return this.raw(uuidToWireBytes(id));
  }

  /** Appends bytes with no length prefix; big ones by reference. */
  raw(b: Uint8Array): this {
    if (b.length >= zeroCopyBytesMin) {
      this.seal();
      const chunk = asBuffer(b);
      this.chunks.push(chunk);
      this.sealedBytes += chunk.length;
      return this;
    }
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  private seal(): void {
    if (this.pos === 0) return;
    this.chunks.push(this.buf.subarray(0, this.pos));
    this.sealedBytes += this.pos;
    this.buf = this.buf.subarray(this.pos);
    if (this.buf.length < 64) this.buf = Buffer.allocUnsafe(initialBytes);
    this.pos = 0;
  }

  private utf8(s: string): this {
    const n = Buffer.byteLength(s, 'utf8');
    this.ensure(n);
    this.pos += this.buf.write(s, this.pos, n, 'utf8');
    return this;
  }

  nullableString(s: string | null): this {
    if (s === null) return this.int16(-1);
    const n = Buffer.byteLength(s, 'utf8');
    if (n > 0x7fff) throw new ProtocolEncodeError(`string of ${n} bytes is longer than int16 allows`);
    this.int16(n);
    return this.utf8(s);
  }

  string(s: string): this {
    return this.nullableString(s);
  }

  compactNullableString(s: string | null): this {
    if (s === null) return this.unsignedVarint(0);
    this.unsignedVarint(Buffer.byteLength(s, 'utf8') + 1);
    return this.utf8(s);
  }

  compactString(s: string): this {
    return this.compactNullableString(s);
  }

  nullableBytes(b: Uint8Array | null): this {
    if (b === null) return this.int32(-1);
    this.int32(b.length);
    return this.raw(b);
  }

  bytes(b: Uint8Array): this {
    return this.nullableBytes(b);
  }

  compactNullableBytes(b: Uint8Array | null): this {
    if (b === null) return this.unsignedVarint(0);
    this.unsignedVarint(b.length + 1);
    return this.raw(b);
  }

  compactBytes(b: Uint8Array): this {
    return this.compactNullableBytes(b);
  }

  /** Array count: int32 (-1 = null) or compact (count + 1, 0 = null). */
  arrayLength(n: number | null, compact: boolean): this {
    if (compact) return this.unsignedVarint(n === null ? 0 : n + 1);
    return this.int32(n === null ? -1 : n);
  }

  /** An empty tagged-fields section. */
  emptyTaggedFields(): this {
    return this.uint8(0);
  }

  /** Overwrites 4 bytes written earlier (e.g. a size prefix reserved with int32(0)). */
  patchInt32(position: number, v: number): void {
    let start = 0;
    for (const c of this.chunks) {
      if (position < start + c.length) {
        if (position + 4 > start + c.length) throw new ProtocolEncodeError('patch straddles two chunks');
        c.writeInt32BE(v, position - start);
        return;
      }
      start += c.length;
    }
    if (position - start + 4 > this.pos) throw new ProtocolEncodeError(`patch at ${position} is past the end`);
    this.buf.writeInt32BE(v, position - start);
  }

  toChunks(): Buffer[] {
    const out = this.chunks.slice();
    if (this.pos > 0 || out.length === 0) out.push(this.buf.subarray(0, this.pos));
    return out;
  }

  toBuffer(): Buffer {
    if (this.chunks.length === 0) return this.buf.subarray(0, this.pos);
    return Buffer.concat(this.toChunks(), this.length);
  }
}
