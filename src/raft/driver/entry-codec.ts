// The frame of one metadata-log entry, on disk (segment files) and on the wire (Fetch
// responses carry frames back to back, exactly as the segment files hold them):
//
//   length u32   bytes after this field (crc .. payload)
//   crc    u32   CRC32C over everything after this field
//   offset i64   0 <= offset < 2^53 (offsets are JS numbers: see core/types.ts)
//   epoch  i32   >= 0
//   kind   u8    0 data, 1 leader-change, 2 noop
//   payload      the rest
//
// Checked where written (encode refuses what decode would reject, so a bad entry fails the
// append instead of being cut off by the next recovery) and where read (every frame's CRC).
// Used by the metadata log store (segments, recovery), raft-wire (Fetch) and dump-log.
import { asBuffer } from '../../common/bytes.js';
import { crc32c } from '../../common/crc32c.js';
import type { EntryKind, LogEntry } from '../core/types.js';

export const frameHeaderBytes = 4 + 4 + 8 + 4 + 1;
/** Bound on one frame: a metadata entry is one record, far smaller; anything larger is corruption. */
export const frameBytesMax = 16 * 1024 * 1024;

const int32Max = 2 ** 31 - 1;
const kinds: readonly EntryKind[] = ['data', 'leader-change', 'noop'];

export class CorruptEntryError extends Error {
  override readonly name = 'CorruptEntryError';
}

export function frameSize(entry: LogEntry): number {
  return frameHeaderBytes + entry.payload.length;
}

/** Write one frame at `at`; returns the position after it. Throws RangeError on an entry decode would reject. */
function encodeEntryInto(entry: LogEntry, buf: Buffer, at: number): number {
  if (!Number.isSafeInteger(entry.offset) || entry.offset < 0)
    throw new RangeError(`offset ${entry.offset} out of range`);
  if (!Number.isInteger(entry.epoch) || entry.epoch < 0 || entry.epoch > int32Max)
    throw new RangeError(`epoch ${entry.epoch} out of range`);
  const kind = kinds.indexOf(entry.kind);
  if (kind < 0) throw new RangeError(`unknown entry kind ${String(entry.kind)}`);
  const size = frameSize(entry);
  if (size > frameBytesMax)
    throw new RangeError(`entry at offset ${entry.offset} is ${size} bytes framed, over ${frameBytesMax}`);
  buf.writeUInt32BE(size - 4, at);
  buf.writeBigInt64BE(BigInt(entry.offset), at + 8);
  buf.writeInt32BE(entry.epoch, at + 16);
  buf.writeUInt8(kind, at + 20);
  buf.set(entry.payload, at + frameHeaderBytes);
  buf.writeUInt32BE(crc32c(buf, at + 8, at + size), at + 4);
  return at + size;
}

/** Frames back to back in one buffer (a segment append, a Fetch response's entries). */
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
  if (length < frameHeaderBytes - 4 || length > frameBytesMax - 4)
    return { error: `bad frame length ${length} at byte ${at}` };
  const end = at + 4 + length;
  if (end > buf.length) return { error: `frame at byte ${at} runs past the end` };
  if (crc32c(buf, at + 8, end) !== buf.readUInt32BE(at + 4)) return { error: `CRC mismatch in frame at byte ${at}` };
  const offset = buf.readBigInt64BE(at + 8);
  if (offset < 0n || offset > BigInt(Number.MAX_SAFE_INTEGER))
    return { error: `offset ${offset} out of range at byte ${at}` };
  const epoch = buf.readInt32BE(at + 16);
  if (epoch < 0) return { error: `negative epoch ${epoch} at byte ${at}` };
  const kind = kinds[buf.readUInt8(at + 20)];
  if (kind === undefined) return { error: `unknown entry kind at byte ${at}` };
  // Copy the payload: callers keep entries long after the read buffer is gone.
  const payload = new Uint8Array(buf.subarray(at + frameHeaderBytes, end));
  return { entry: { offset: Number(offset), epoch, kind, payload }, next: end };
}

/** Decode frames that must all be valid and contiguous (a Fetch response); throws CorruptEntryError. */
export function decodeEntries(buf: Uint8Array): LogEntry[] {
  const scan = scanValidPrefix(buf);
  if (scan.validBytes !== buf.length) throw new CorruptEntryError(scan.stopReason ?? 'corrupt entries');
  return scan.entries;
}

/**
 * The valid prefix of a run of frames: stops at the first short, corrupt or non-contiguous frame
 * (a torn tail after a crash). `validBytes` is where a recovering store cuts the file;
 * `stopReason` says why it stopped early (null when the whole buffer is valid).
 */
export function scanValidPrefix(bytes: Uint8Array): {
  entries: LogEntry[];
  validBytes: number;
  stopReason: string | null;
} {
  const buf = asBuffer(bytes);
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
