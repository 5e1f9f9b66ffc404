// CRC32C (Castagnoli), the checksum Kafka's RecordBatch v2 and raftka's metadata log use.
// Table-driven, one byte at a time; checked on write and again on read (STYLE §5).
const table = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  table[n] = c >>> 0;
}

export function crc32c(data: Uint8Array, start = 0, end = data.length, seed = 0): number {
  let crc = ~seed >>> 0;
  for (let i = start; i < end; i++) {
    crc = (table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8)) >>> 0;
  }
  return ~crc >>> 0;
}
