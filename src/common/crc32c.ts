// CRC32C (Castagnoli), the checksum Kafka's RecordBatch v2 and raftka's metadata log use.
// Computed natively (@node-rs/crc32, SIMD; ~6 GB/s against ~1 GB/s for a JS table). `seed` chains
// a CRC across pieces: crc32c(b) === crc32c(b2, 0, b2.length, crc32c(b1)) for b = b1 + b2.
import { crc32c as nativeCrc32c } from '@node-rs/crc32';

export function crc32c(data: Uint8Array, start = 0, end = data.length, seed = 0): number {
  const view = Buffer.from(data.buffer, data.byteOffset + start, end - start);
  return nativeCrc32c(view, seed) >>> 0;
}
