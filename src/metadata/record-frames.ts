// Many encoded metadata records in one buffer: each as [u32 length][MetadataRecord bytes] (the
// framing snapshots use). The migration RPCs carry records this way, so a 100,000-partition
// import is one `bytes` field rather than a protobuf message per record (DESIGN "Wires").
import { encodeRecord, type MetadataRecord } from './records.js';

export class RecordFrameError extends Error {
  override readonly name = 'RecordFrameError';
}

/** Frame already-encoded records. */
export function frameRecords(encoded: readonly Uint8Array[]): Buffer {
  let size = 0;
  for (const r of encoded) size += 4 + r.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const r of encoded) {
    out.writeUInt32BE(r.length, at);
    out.set(r, at + 4);
    at += 4 + r.length;
  }
  return out;
}

/** Split frames back into encoded records (views into `buf`); checks the count and the framing. */
export function splitRecordFrames(buf: Uint8Array, expectedCount: number): Uint8Array[] {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < buf.length) {
    if (at + 4 > buf.length) throw new RecordFrameError(`record frame header truncated at byte ${at}`);
    const len = view.getUint32(at);
    if (at + 4 + len > buf.length)
      throw new RecordFrameError(`record frame at byte ${at} runs past the end (${len} bytes)`);
    out.push(buf.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  if (out.length !== expectedCount)
    throw new RecordFrameError(`expected ${expectedCount} records, found ${out.length}`);
  return out;
}

/** Encode and frame records, yielding to the event loop every `perSlice` records. */
export async function encodeRecordFramesAsync(
  records: Iterable<MetadataRecord>,
  perSlice = 5000,
): Promise<{ frames: Buffer; count: number }> {
  const encoded: Uint8Array[] = [];
  for (const r of records) {
    encoded.push(encodeRecord(r));
    if (encoded.length % perSlice === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return { frames: frameRecords(encoded), count: encoded.length };
}
