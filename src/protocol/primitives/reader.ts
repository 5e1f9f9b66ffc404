// Reader: a cursor over a Buffer that decodes Kafka's primitive types (kafka-protocol.md §2.1).
//
// Invariants:
// - Every read checks its bounds first; running past `end` or meeting an impossible length
//   throws ProtocolDecodeError and nothing else (never a RangeError or an assertion), so the
//   server can treat any decode failure as "malformed frame".
// - bytes/records come back as Buffer *slices* of the underlying buffer (no copy): they stay valid
//   only as long as the frame buffer is not reused.
// - int64 rule (raftka-wide): int64 values decode to `number`. Offsets, timestamps, producer ids
//   and epochs all fit in 2^53; a value outside ±Number.MAX_SAFE_INTEGER is refused with
//   ProtocolDecodeError rather than silently rounded. varlong follows the same rule on its
//   zig-zag encoded form (magnitude up to 2^52).
import { ProtocolDecodeError } from '../errors.js';
import { uuidBytes, uuidFromBytes } from './uuid.js';

const twoPow32 = 4294967296;
const unsignedVarintBytesMax = 5;
const varlongBytesMax = 10;

export class Reader {
  readonly buf: Buffer;
  /** Next byte to read (absolute index into buf). */
  pos: number;
  /** One past the last readable byte (absolute index into buf); see narrow(). */
  end: number;

  constructor(buf: Buffer, start = 0, end = buf.length) {
    if (start < 0 || end > buf.length || start > end)
      throw new ProtocolDecodeError(`bad reader window [${start}, ${end}) over ${buf.length} bytes`);
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.end) {
      throw new ProtocolDecodeError(`${what} needs ${n} bytes at offset ${this.pos}, only ${this.end - this.pos} left`);
    }
  }

  skip(n: number): void {
    if (n < 0) throw new ProtocolDecodeError(`negative skip ${n}`);
    this.need(n, 'skip');
    this.pos += n;
  }

  /** A reader over the next n bytes; this reader moves past them. */
  sub(n: number): Reader {
    this.need(n, 'sub-reader');
    const r = new Reader(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }

  /**
   * Limits reads to the next n bytes without allocating a sub-reader (hot loops); returns the
   * previous end for widen(). Throws if n bytes are not there.
   */
  narrow(n: number): number {
    if (n < 0) throw new ProtocolDecodeError(`negative length ${n}`);
    this.need(n, 'narrowed window');
    const saved = this.end;
    this.end = this.pos + n;
    return saved;
  }

  widen(savedEnd: number): void {
    this.end = savedEnd;
  }

  int8(): number {
    this.need(1, 'int8');
    return this.buf.readInt8(this.pos++);
  }

  uint8(): number {
    this.need(1, 'uint8');
    return this.buf[this.pos++]!;
  }

  bool(): boolean {
    return this.uint8() !== 0;
  }

  int16(): number {
    this.need(2, 'int16');
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  uint16(): number {
    this.need(2, 'uint16');
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4, 'int32');
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  uint32(): number {
    this.need(4, 'uint32');
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** int64 as a number; see the int64 rule in the module comment. */
  int64(): number {
    this.need(8, 'int64');
    const hi = this.buf.readInt32BE(this.pos);
    const lo = this.buf.readUInt32BE(this.pos + 4);
    const v = hi * twoPow32 + lo;
    if (!Number.isSafeInteger(v))
      throw new ProtocolDecodeError(`int64 at offset ${this.pos} is outside the safe integer range`);
    this.pos += 8;
    return v;
  }

  float64(): number {
    this.need(8, 'float64');
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  /** Unsigned base-128 varint, at most 5 bytes (values up to 2^32 - 1). */
  unsignedVarint(): number {
    const b0 = this.pos < this.end ? this.buf[this.pos]! : -1;
    if (b0 >= 0 && b0 < 0x80) {
      this.pos++;
      return b0;
    }
    let value = 0;
    let mul = 1;
    for (let i = 0; i < unsignedVarintBytesMax; i++) {
      this.need(1, 'varint');
      const b = this.buf[this.pos++]!;
      value += (b & 0x7f) * mul;
      if (b < 0x80) {
        if (value >= twoPow32) throw new ProtocolDecodeError('unsigned varint exceeds 32 bits');
        return value;
      }
      mul *= 128;
    }
    throw new ProtocolDecodeError(`varint longer than ${unsignedVarintBytesMax} bytes`);
  }

  /** Zig-zag varint (int32). */
  varint(): number {
    const u = this.unsignedVarint();
    return (u >>> 1) ^ -(u & 1);
  }

  /** Zig-zag varlong as a number; see the int64 rule in the module comment. */
  varlong(): number {
    let raw = 0;
    let mul = 1;
    for (let i = 0; i < varlongBytesMax; i++) {
      this.need(1, 'varlong');
      const b = this.buf[this.pos++]!;
      raw += (b & 0x7f) * mul;
      if (b < 0x80) {
        if (raw > Number.MAX_SAFE_INTEGER) throw new ProtocolDecodeError('varlong is outside the safe integer range');
        return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
      }
      mul *= 128;
    }
    throw new ProtocolDecodeError(`varlong longer than ${varlongBytesMax} bytes`);
  }

  uuid(): string {
    this.need(uuidBytes, 'uuid');
    const s = uuidFromBytes(this.buf, this.pos);
    this.pos += uuidBytes;
    return s;
  }

  private utf8(n: number): string {
    this.need(n, 'string');
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  private slice(n: number): Buffer {
    this.need(n, 'bytes');
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** int16 length (-1 = null) + UTF-8. */
  nullableString(): string | null {
    const n = this.int16();
    if (n === -1) return null;
    if (n < 0) throw new ProtocolDecodeError(`invalid string length ${n}`);
    return this.utf8(n);
  }

  string(): string {
    const s = this.nullableString();
    if (s === null) throw new ProtocolDecodeError('non-nullable string is null');
    return s;
  }

  /** unsigned varint (length + 1, 0 = null) + UTF-8. */
  compactNullableString(): string | null {
    const n = this.unsignedVarint() - 1;
    if (n === -1) return null;
    return this.utf8(n);
  }

  compactString(): string {
    const s = this.compactNullableString();
    if (s === null) throw new ProtocolDecodeError('non-nullable compact string is null');
    return s;
  }

  /** int32 length (-1 = null) + bytes, as a slice. */
  nullableBytes(): Buffer | null {
    const n = this.int32();
    if (n === -1) return null;
    if (n < 0) throw new ProtocolDecodeError(`invalid bytes length ${n}`);
    return this.slice(n);
  }

  bytes(): Buffer {
    const b = this.nullableBytes();
    if (b === null) throw new ProtocolDecodeError('non-nullable bytes are null');
    return b;
  }

  compactNullableBytes(): Buffer | null {
    const n = this.unsignedVarint() - 1;
    if (n === -1) return null;
    return this.slice(n);
  }

  compactBytes(): Buffer {
    const b = this.compactNullableBytes();
    if (b === null) throw new ProtocolDecodeError('non-nullable compact bytes are null');
    return b;
  }

  /**
   * Array element count: int32 (-1 = null) or compact unsigned varint (count + 1, 0 = null).
   * Returns -1 for null. A count larger than the bytes left is refused before anything is
   * allocated (every element we decode takes at least one byte).
   */
  arrayLength(compact: boolean): number {
    const n = compact ? this.unsignedVarint() - 1 : this.int32();
    if (n < -1) throw new ProtocolDecodeError(`invalid array length ${n}`);
    if (n > this.end - this.pos)
      throw new ProtocolDecodeError(`array of ${n} elements cannot fit in ${this.end - this.pos} bytes`);
    return n;
  }

  array<T>(compact: boolean, element: (r: Reader) => T): T[] {
    const n = this.arrayLength(compact);
    if (n === -1) throw new ProtocolDecodeError('non-nullable array is null');
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = element(this);
    return out;
  }

  /**
   * Tagged fields section (flexible versions): count, then per field tag, size, payload.
   * `onTag` sees every field with a reader over exactly its payload; unknown tags are simply
   * ignored by it. The cursor always moves past the whole section.
   */
  taggedFields(onTag?: (tag: number, field: Reader) => void): void {
    // Like Kafka's generated readers, the order of tags is not checked.
    const count = this.unsignedVarint();
    if (count > this.end - this.pos)
      throw new ProtocolDecodeError(`${count} tagged fields cannot fit in ${this.end - this.pos} bytes`);
    for (let i = 0; i < count; i++) {
      const tag = this.unsignedVarint();
      const size = this.unsignedVarint();
      const field = this.sub(size);
      if (onTag) onTag(tag, field);
    }
  }
}
