// Producer-state snapshot files, `<offset 20 digits>.snapshot` in the partition directory, in
// Kafka's ProducerStateManager format (so Kafka's tools read ours and we read Kafka's):
//
//   version int16 (1) | crc uint32 (CRC-32C of every byte after this field) |
//   entries: int32 count, then per producer: producerId int64 | epoch int16 | lastSequence int32 |
//   lastOffset int64 | offsetDelta int32 | timestamp int64 | coordinatorEpoch int32 |
//   currentTxnFirstOffset int64 (-1: none)
//
// A snapshot at offset N holds the state of every batch below N. Written atomically (tmp, fsync,
// rename, fsync of the directory) so a crash leaves the old file or the new one, never half.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { replaceFileDurably } from '../common/durable-files.js';
import { join } from 'node:path';
import { crc32c } from '../common/crc32c.js';
import type { SnapshotEntry } from './producer-state.js';

const snapshotVersion = 1;
const crcOffset = 2;
const entriesOffset = 6;
const entryBytes = 8 + 2 + 4 + 8 + 4 + 8 + 4 + 8;
const snapshotSuffix = '.snapshot';

export const snapshotFileName = (offset: number): string => `${String(offset).padStart(20, '0')}${snapshotSuffix}`;

export function encodeSnapshot(entries: readonly SnapshotEntry[]): Buffer {
  const buf = Buffer.alloc(entriesOffset + 4 + entries.length * entryBytes);
  buf.writeInt16BE(snapshotVersion, 0);
  buf.writeInt32BE(entries.length, entriesOffset);
  let p = entriesOffset + 4;
  for (const e of entries) {
    buf.writeBigInt64BE(BigInt(e.producerId), p);
    buf.writeInt16BE(e.epoch, p + 8);
    buf.writeInt32BE(e.lastSequence, p + 10);
    buf.writeBigInt64BE(BigInt(e.lastOffset), p + 14);
    buf.writeInt32BE(e.offsetDelta, p + 22);
    buf.writeBigInt64BE(BigInt(e.timestamp), p + 26);
    buf.writeInt32BE(e.coordinatorEpoch, p + 34);
    buf.writeBigInt64BE(BigInt(e.currentTxnFirstOffset), p + 38);
    p += entryBytes;
  }
  buf.writeUInt32BE(crc32c(buf, entriesOffset), crcOffset);
  return buf;
}

type DecodeResult =
  | { readonly ok: true; readonly entries: SnapshotEntry[] }
  | { readonly ok: false; readonly reason: string };

export function decodeSnapshot(buf: Buffer): DecodeResult {
  if (buf.length < entriesOffset + 4) return { ok: false, reason: `${buf.length} bytes is too short` };
  const version = buf.readInt16BE(0);
  if (version !== snapshotVersion) return { ok: false, reason: `unknown snapshot version ${version}` };
  const stored = buf.readUInt32BE(crcOffset);
  const computed = crc32c(buf, entriesOffset);
  if (stored !== computed) return { ok: false, reason: `CRC mismatch (stored ${stored}, computed ${computed})` };
  const count = buf.readInt32BE(entriesOffset);
  if (count < 0 || buf.length !== entriesOffset + 4 + count * entryBytes)
    return { ok: false, reason: `${count} entries do not fill ${buf.length} bytes` };
  const entries: SnapshotEntry[] = [];
  let p = entriesOffset + 4;
  for (let i = 0; i < count; i++) {
    entries.push({
      producerId: Number(buf.readBigInt64BE(p)),
      epoch: buf.readInt16BE(p + 8),
      lastSequence: buf.readInt32BE(p + 10),
      lastOffset: Number(buf.readBigInt64BE(p + 14)),
      offsetDelta: buf.readInt32BE(p + 22),
      timestamp: Number(buf.readBigInt64BE(p + 26)),
      coordinatorEpoch: buf.readInt32BE(p + 34),
      currentTxnFirstOffset: Number(buf.readBigInt64BE(p + 38)),
    });
    p += entryBytes;
  }
  return { ok: true, entries };
}

/** Write `<dir>/<offset>.snapshot` atomically. */
export function writeSnapshotFile(dir: string, offset: number, entries: readonly SnapshotEntry[]): void {
  replaceFileDurably(join(dir, snapshotFileName(offset)), encodeSnapshot(entries));
}

/** Offsets of the snapshot files in `dir`, ascending. */
export function listSnapshotOffsets(dir: string): number[] {
  return readdirSync(dir)
    .filter((n) => /^\d{20}\.snapshot$/.test(n))
    .map((n) => Number(n.slice(0, 20)))
    .sort((a, b) => a - b);
}

export function readSnapshotFile(dir: string, offset: number): DecodeResult {
  return decodeSnapshot(readFileSync(join(dir, snapshotFileName(offset))));
}

export function deleteSnapshotFile(dir: string, offset: number): void {
  rmSync(join(dir, snapshotFileName(offset)), { force: true });
}
