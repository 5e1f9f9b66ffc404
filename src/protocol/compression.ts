// Record-batch compression codecs (RecordBatch attributes bits 0-2): 0 none, 1 gzip (fflate),
// 2 snappy (raw blocks; on decompress also Java's "xerial" framing), 3 lz4 (the LZ4 *frame*
// format, which is what Kafka magic v2 uses), 4 zstd (decompress only, via fzstd).
//
// Invariants: decompress() throws only ProtocolDecodeError (CORRUPT_MESSAGE) for bad input and
// refuses outputs above `decompressedBytesMax`; compress() to zstd throws
// UnsupportedCompressionError (the broker maps it to UNSUPPORTED_COMPRESSION_TYPE = 76). The
// broker itself never recompresses: batches are stored as sent; these are for validation when
// asked, for our own client, and for tests.
import { gunzipSync, gzipSync } from 'fflate';
import * as snappy from 'snappy';
import * as lz4 from 'lz4-napi';
import { decompress as zstdDecompress } from 'fzstd';
import { asBuffer } from '../common/bytes.js';
import { ProtocolDecodeError, ProtocolErrorCode, UnsupportedCompressionError } from './errors.js';

export const CompressionCodec = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
type CompressionCodecId = (typeof CompressionCodec)[keyof typeof CompressionCodec];

const names = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
function codecName(id: number): string {
  return names[id] ?? `codec-${id}`;
}

export function isKnownCodec(id: number): id is CompressionCodecId {
  return Number.isInteger(id) && id >= 0 && id <= 4;
}

/** Upper bound on one decompressed batch payload (a guard against decompression bombs). */
const decompressedBytesMax = 256 * 1024 * 1024;

/** Java's xerial snappy stream header: magic "\x82SNAPPY\0", then int32 version and int32 compatible version. */
const xerialMagic = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const xerialHeaderBytes = 16;
/** Java's SnappyOutputStream block size. */
const xerialBlockBytes = 32 * 1024;

function corrupt(codec: number, e: unknown): ProtocolDecodeError {
  const reason = e instanceof Error ? e.message : String(e);
  return new ProtocolDecodeError(
    `${codecName(codec)} decompression failed: ${reason}`,
    ProtocolErrorCode.CORRUPT_MESSAGE,
  );
}

export function compress(codec: number, data: Buffer): Buffer {
  switch (codec) {
    case CompressionCodec.none:
      return data;
    case CompressionCodec.gzip:
      return asBuffer(gzipSync(data));
    case CompressionCodec.snappy:
      return snappy.compressSync(data); // raw, like librdkafka (Java and librdkafka read both)
    case CompressionCodec.lz4:
      return lz4.compressFrameSync(data);
    case CompressionCodec.zstd:
      throw new UnsupportedCompressionError('zstd compression is not available (no zstd compressor installed)');
    default:
      throw new UnsupportedCompressionError(`unknown compression codec ${codec}`);
  }
}

export function decompress(codec: number, data: Buffer, bytesMax: number = decompressedBytesMax): Buffer {
  let out: Buffer;
  try {
    switch (codec) {
      case CompressionCodec.none:
        out = data;
        break;
      case CompressionCodec.gzip:
        out = asBuffer(gunzipSync(data));
        break;
      case CompressionCodec.snappy:
        out = isXerial(data) ? unxerial(data, bytesMax) : snappyRaw(data);
        break;
      case CompressionCodec.lz4:
        out = lz4.decompressFrameSync(data);
        break;
      case CompressionCodec.zstd:
        out = asBuffer(zstdDecompress(data));
        break;
      default:
        throw new ProtocolDecodeError(`unknown compression codec ${codec}`, ProtocolErrorCode.CORRUPT_MESSAGE);
    }
  } catch (e) {
    if (e instanceof ProtocolDecodeError) throw e;
    throw corrupt(codec, e);
  }
  if (out.length > bytesMax) {
    throw new ProtocolDecodeError(
      `${codecName(codec)} payload decompresses to ${out.length} bytes, above ${bytesMax}`,
      ProtocolErrorCode.CORRUPT_MESSAGE,
    );
  }
  return out;
}

function snappyRaw(data: Uint8Array): Buffer {
  const out = snappy.uncompressSync(data, { asBuffer: true });
  if (typeof out === 'string') return Buffer.from(out);
  return out;
}

export function isXerial(data: Buffer): boolean {
  return data.length >= xerialHeaderBytes && data.subarray(0, xerialMagic.length).equals(xerialMagic);
}

function unxerial(data: Buffer, bytesMax: number): Buffer {
  const parts: Buffer[] = [];
  let total = 0;
  let pos = xerialHeaderBytes;
  while (pos < data.length) {
    if (pos + 4 > data.length)
      throw new ProtocolDecodeError('xerial snappy block length is truncated', ProtocolErrorCode.CORRUPT_MESSAGE);
    const n = data.readInt32BE(pos);
    pos += 4;
    if (n < 0 || pos + n > data.length)
      throw new ProtocolDecodeError(
        `xerial snappy block of ${n} bytes overruns the input`,
        ProtocolErrorCode.CORRUPT_MESSAGE,
      );
    const block = snappyRaw(data.subarray(pos, pos + n));
    total += block.length;
    if (total > bytesMax)
      throw new ProtocolDecodeError(`snappy payload exceeds ${bytesMax} bytes`, ProtocolErrorCode.CORRUPT_MESSAGE);
    parts.push(block);
    pos += n;
  }
  return Buffer.concat(parts, total);
}

/** Frames data the way Java's SnappyOutputStream does (for tests and interoperability checks). */
export function snappyXerialCompress(data: Buffer): Buffer {
  const header = Buffer.alloc(xerialHeaderBytes);
  xerialMagic.copy(header, 0);
  header.writeInt32BE(1, 8);
  header.writeInt32BE(1, 12);
  const parts: Buffer[] = [header];
  for (let pos = 0; pos < data.length; pos += xerialBlockBytes) {
    const block = snappy.compressSync(data.subarray(pos, pos + xerialBlockBytes));
    const len = Buffer.alloc(4);
    len.writeInt32BE(block.length, 0);
    parts.push(len, block);
  }
  return Buffer.concat(parts);
}
