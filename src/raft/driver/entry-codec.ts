// The frame of one metadata-log entry, on disk (segment files) and on the wire (Fetch
// responses carry frames back to back):
//
//   length u32   bytes after this field (crc .. payload)
//   crc    u32   CRC32C over everything after this field
//   offset i64
//   epoch  i32
//   kind   u8    0 data, 1 leader-change, 2 noop
//   payload      the rest
//
// The CRC is checked on every read; recovery keeps the valid prefix of a segment.
import { crc32c } from '../../common/crc32c.js';
import type { EntryKind, LogEntry } from '../core/types.js';

export const frameHeaderBytes = 4 + 4 + 8 + 4 + 1;
/** Bound on one frame: a metadata entry is small; anything larger is corruption. */
export const frameBytesMax = 16 * 1024 * 1024;

export class CorruptEntryError extends Error {
  override readonly name = 'CorruptEntryError';
}

const kinds: readonly EntryKind[] = ['data', 'leader-change', 'noop'];

export function frameSize(entry: LogEntry): number {
  return frameHeaderBytes + entry.payload.length;
}

export function encodeEntryInto(entry: LogEntry, buf: Buffer, at: number): number {
  if (!Number.isSafeInteger(entry.offset) || entry.offset < 0) throw new RangeError(`offset ${entry.offset} out of range`);
  const size = frameSize(entry);
  buf.writeUInt32BE(size - 4, at);
  buf.writeBigInt64BE(BigInt(entry.offset), at + 8);
  buf.writeInt32BE(entry.epoch, at + 16);
  buf.writeUInt8(kinds.indexOf(entry.kind), at + 20);
  buf.set(entry.payload, at + frameHeaderBytes);
  buf.writeUInt32BE(crc32c(buf, at + 8, at + size), at + 4);
  return at + size;
}

export function encodeEntries(entries: readonly LogEntry[]): Buffer {
  let total = 0;
  for (const e of entries) total += frameSize(e);
  const buf = Buffer.allocUnsafe(total);
  let at = 0;
  for (const e of entries) at = encodeEntryInto(e, buf, at);
  return buf;
}

type FrameRead = { entry: LogEntry; next: number } | { error: string };

function readFrame(buf: Buffer, at: number): FrameRead {
  if (buf.length - at < frameHeaderBytes) return { error: `short frame header at byte ${at}` };
  const length = buf.readUInt32BE(at);
  if (length < frameHeaderBytes - 4 || length > frameBytesMax) return { error: `bad frame length ${length} at byte ${at}` };
  const end = at + 4 + length;
  if (end > buf.length) return { error: `frame at byte ${at} runs past the end` };
  if (crc32c(buf, at + 8, end) !== buf.readUInt32BE(at + 4)) return { error: `CRC mismatch in frame at byte ${at}` };
  const offset = buf.readBigInt64BE(at + 8);
  if (offset < 0n || offset > BigInt(Number.MAX_SAFE_INTEGER)) return { error: `offset ${offset} out of range at byte ${at}` };
  const kind = kinds[buf.readUInt8(at + 20)];
  if (kind === undefined) return { error: `unknown entry kind at byte ${at}` };
  // Copy the payload: callers keep entries long after the read buffer is gone.
  const payload = new Uint8Array(buf.subarray(at + frameHeaderBytes, end));
  return { entry: { offset: Number(offset), epoch: buf.readInt32BE(at + 16), kind, payload }, next: end };
}

/** Decode frames that must all be valid and contiguous (a Fetch response). */
export function decodeEntries(buf: Buffer): LogEntry[] {
  const scan = scanValidPrefix(buf);
  if (scan.validBytes !== buf.length) throw new CorruptEntryError(scan.stopReason ?? 'corrupt entries');
  return scan.entries;
}

/**
 * The valid prefix of a run of frames: stops at the first short, corrupt or out-of-order frame
 * (a torn tail after a crash). `stopReason` says why it stopped early.
 */
export function scanValidPrefix(buf: Buffer): { entries: LogEntry[]; validBytes: number; stopReason: string | null } {
  const entries: LogEntry[] = [];
  let at = 0;
  while (at < buf.length) {
    const r = readFrame(buf, at);
    if ('error' in r) return { entries, validBytes: at, stopReason: r.error };
    const prev = entries[entries.length - 1];
    if (prev && r.entry.offset !== prev.offset + 1) {
      return { entries, validBytes: at, stopReason: `offset ${r.entry.offset} after ${prev.offset} at byte ${at}` };
    }
    entries.push(r.entry);
    at = r.next;
  }
  return { entries, validBytes: at, stopReason: null };
}
