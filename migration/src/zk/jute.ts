// Jute's BinaryInputArchive over an in-memory buffer (FORMAT.md §2): big-endian ints and longs,
// length-prefixed buffers and UTF-8 strings where length -1 means null. Every read is bounds
// checked; running past the end throws MigrationInputError naming the file and the offset of
// the field that did not fit, so a truncated file is reported where it was cut.
// Longs are bigint: session ids, zxids and digests exceed 2^53.
import { asBuffer } from '../../../src/common/bytes.js';
import { MigrationInputError } from '../errors.js';

/** Largest length prefix we accept for one buffer or string (ZooKeeper's jute.maxbuffer is 1 MiB by default; be generous). */
const juteBufferBytesMax = 64 * 1024 * 1024;
/** Largest element count we accept for one vector (an ACL list, a multi's sub-txns, a session's paths). */
const juteVectorCountMax = 16 * 1024 * 1024;

export class JuteReader {
  offset: number;
  private readonly view: DataView;

  constructor(
    readonly buf: Uint8Array,
    readonly file: string,
    /** Offset of buf[0] in the file, so errors quote file offsets even for a slice. */
    readonly base = 0,
    start = 0,
  ) {
    this.offset = start;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get remaining(): number {
    return this.buf.length - this.offset;
  }

  fail(reason: string, at = this.offset): never {
    throw new MigrationInputError(this.file, this.base + at, reason);
  }

  private need(n: number, what: string): void {
    if (this.offset + n > this.buf.length) this.fail(`truncated: ${what} needs ${n} bytes, ${this.remaining} left`);
  }

  byte(what = 'byte'): number {
    this.need(1, what);
    return this.buf[this.offset++]!;
  }

  bool(what = 'boolean'): boolean {
    return this.byte(what) !== 0;
  }

  int(what = 'int'): number {
    this.need(4, what);
    const v = this.view.getInt32(this.offset);
    this.offset += 4;
    return v;
  }

  long(what = 'long'): bigint {
    this.need(8, what);
    const v = this.view.getBigInt64(this.offset);
    this.offset += 8;
    return v;
  }

  /** A jute buffer; null when the length is -1. */
  buffer(what = 'buffer'): Uint8Array | null {
    const at = this.offset;
    const len = this.int(`${what} length`);
    if (len === -1) return null;
    if (len < -1 || len > juteBufferBytesMax) this.fail(`bad ${what} length ${len}`, at);
    this.need(len, what);
    const out = this.buf.subarray(this.offset, this.offset + len);
    this.offset += len;
    return out;
  }

  ustring(what = 'string'): string | null {
    const b = this.buffer(what);
    return b === null ? null : asBuffer(b).toString('utf8');
  }

  /** A string that must not be null. */
  path(what = 'path'): string {
    const at = this.offset;
    const s = this.ustring(what);
    if (s === null) this.fail(`${what} is null`, at);
    return s;
  }

  vector<T>(what: string, element: () => T): T[] | null {
    const at = this.offset;
    const n = this.int(`${what} count`);
    if (n === -1) return null;
    if (n < -1 || n > juteVectorCountMax) this.fail(`bad ${what} count ${n}`, at);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(element());
    return out;
  }
}

/** Adler-32 (RFC 1950) of buf[start, end): the checksum of ZooKeeper's snapshots and txn logs. */
export function adler32(buf: Uint8Array, start = 0, end = buf.length): number {
  let a = 1;
  let b = 0;
  const chunk = 3800; // largest run that cannot overflow before the modulo (zlib uses 5552 with 32-bit math)
  for (let i = start; i < end; ) {
    const stop = Math.min(end, i + chunk);
    for (; i < stop; i++) {
      a += buf[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}
