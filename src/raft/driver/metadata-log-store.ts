// The durable `__cluster_metadata-0` directory of one node:
//
//   00000000000000000000.log                 segments of entry frames (entry-codec), named by
//                                            their first offset, rolled at segmentBytes
//   quorum-state                             {"leaderEpoch","leaderId","votedId",...} JSON,
//                                            replaced atomically (tmp, fsync, rename, fsync dir)
//   <endOffset:20>-<epoch:10>.checkpoint     snapshots: magic, CRC32C, state bytes; atomic too
//   <name>.checkpoint.part                   a snapshot being downloaded from the leader
//
// Recovery (open) keeps the valid prefix of the segments: a torn or corrupt tail is truncated
// on disk, never served. The store has one writer: the Raft driver awaits each call in turn.
// Appends are written at once and made durable by flush() (fsync), which the driver calls before
// any message that depends on them goes out.
import { appendAll } from '../../common/arrays.js';
import { mkdir, open, readdir, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { assert } from '../../common/assert.js';
import { crc32c } from '../../common/crc32c.js';
import type { LogEntry, Offset, PersistedQuorumState, RecoveredLog, SnapshotChunk, SnapshotId } from '../core/types.js';
import { encodeEntries, frameSize, scanValidPrefix } from './entry-codec.js';

const snapshotMagic = Buffer.from('RKSNAP01');
const snapshotHeaderBytes = snapshotMagic.length + 4;
const quorumStateFile = 'quorum-state';

export class MetadataStoreError extends Error {
  override readonly name = 'MetadataStoreError';
}

interface Segment {
  readonly baseOffset: Offset;
  readonly path: string;
  handle: FileHandle | null;
  bytes: number;
  /** Byte position of each entry, by offset - baseOffset (for truncation without rereading). */
  positions: number[];
}

export interface MetadataLogStoreOptions {
  readonly segmentBytes: number;
  readonly logger?: Logger;
}

export function segmentName(baseOffset: Offset): string {
  return `${String(baseOffset).padStart(20, '0')}.log`;
}

export function snapshotName(id: SnapshotId): string {
  return `${String(id.endOffset).padStart(20, '0')}-${String(id.epoch).padStart(10, '0')}.checkpoint`;
}

function parseSnapshotName(name: string): SnapshotId | null {
  const m = /^(\d{20})-(\d{10})\.checkpoint$/.exec(name);
  return m ? { endOffset: Number(m[1]), epoch: Number(m[2]) } : null;
}

/** Snapshot file bytes: magic, CRC32C of the body, body. */
export function encodeSnapshotFile(body: Uint8Array): Buffer {
  const buf = Buffer.alloc(snapshotHeaderBytes + body.length);
  snapshotMagic.copy(buf, 0);
  buf.writeUInt32BE(crc32c(body), snapshotMagic.length);
  buf.set(body, snapshotHeaderBytes);
  return buf;
}

function decodeSnapshotFile(file: Buffer): Buffer | null {
  if (file.length < snapshotHeaderBytes || !file.subarray(0, snapshotMagic.length).equals(snapshotMagic)) return null;
  const body = file.subarray(snapshotHeaderBytes);
  return crc32c(body) === file.readUInt32BE(snapshotMagic.length) ? body : null;
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Write a whole file so that readers see the old or the new content, never a mix. */
export async function writeFileAtomic(dir: string, name: string, data: Uint8Array): Promise<void> {
  const tmp = join(dir, `${name}.tmp`);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, join(dir, name));
  await fsyncDir(dir);
}

export class MetadataLogStore {
  private segments: Segment[] = [];
  private start: Offset = 0;
  private end: Offset = 0;
  private snapshot: SnapshotId | null = null;
  private readonly dirty = new Set<Segment>();
  private dirDirty = false;
  private recoveredLog: RecoveredLog = { quorumState: null, snapshotId: null, entries: [] };

  private constructor(
    readonly dir: string,
    private readonly options: MetadataLogStoreOptions,
  ) {}

  static async open(dir: string, options: MetadataLogStoreOptions): Promise<MetadataLogStore> {
    assert(options.segmentBytes > 0, 'segmentBytes must be positive');
    await mkdir(dir, { recursive: true });
    const store = new MetadataLogStore(dir, options);
    await store.recover();
    return store;
  }

  /** What open() found: quorum state, newest valid snapshot, the entries after it. */
  recovered(): RecoveredLog {
    return this.recoveredLog;
  }

  startOffset(): Offset {
    return this.start;
  }

  endOffset(): Offset {
    return this.end;
  }

  latestSnapshot(): SnapshotId | null {
    return this.snapshot;
  }

  // ------------------------------------------------------------ recovery

  private async recover(): Promise<void> {
    const names = (await readdir(this.dir)).sort();
    const quorumState = await this.readQuorumState(names);
    for (const n of names.filter((x) => x.endsWith('.part') || x.endsWith('.tmp'))) await rm(join(this.dir, n), { force: true });

    // The newest snapshot whose CRC verifies; invalid ones are removed.
    const snapshots = names.map(parseSnapshotName).filter((s): s is SnapshotId => s !== null).sort((a, b) => b.endOffset - a.endOffset);
    for (const id of snapshots) {
      if (this.snapshot === null && decodeSnapshotFile(await readFile(join(this.dir, snapshotName(id)))) !== null) {
        this.snapshot = id;
      } else if (this.snapshot === null) {
        this.options.logger?.warn({ file: snapshotName(id) }, 'removing a corrupt snapshot');
        await rm(join(this.dir, snapshotName(id)), { force: true });
      }
    }
    const logStart = this.snapshot?.endOffset ?? 0;

    // Segments in order; stop at the first invalid frame and cut everything after it.
    const bases = names.filter((n) => /^\d{20}\.log$/.test(n)).map((n) => Number(n.slice(0, 20))).sort((a, b) => a - b);
    const entries: LogEntry[] = [];
    let expected: Offset | null = null;
    let torn = false;
    for (const base of bases) {
      const path = join(this.dir, segmentName(base));
      if (torn || (expected !== null && base !== expected)) {
        this.options.logger?.warn({ file: segmentName(base) }, 'removing a segment after a torn or missing one');
        await rm(path, { force: true });
        continue;
      }
      const buf = await readFile(path);
      const scan = scanValidPrefix(buf);
      const first = scan.entries[0];
      if (first && first.offset !== base) throw new MetadataStoreError(`${path}: first entry has offset ${first.offset}, the file name says ${base}`);
      if (scan.validBytes < buf.length) {
        this.options.logger?.warn({ file: segmentName(base), validBytes: scan.validBytes, fileBytes: buf.length, reason: scan.stopReason }, 'truncating a torn log tail');
        const fh = await open(path, 'r+');
        await fh.truncate(scan.validBytes);
        await fh.sync();
        await fh.close();
        torn = true;
      }
      const positions: number[] = [];
      let pos = 0;
      for (const e of scan.entries) {
        positions.push(pos);
        pos += frameSize(e);
      }
      this.segments.push({ baseOffset: base, path, handle: null, bytes: scan.validBytes, positions });
      appendAll(entries, scan.entries);
      expected = base + scan.entries.length;
    }
    // Drop empty segments (a crash right after a roll) so bases stay unique and meaningful.
    for (const seg of this.segments.filter((s) => s.positions.length === 0)) await rm(seg.path, { force: true });
    this.segments = this.segments.filter((s) => s.positions.length > 0);

    const kept = entries.filter((e) => e.offset >= logStart);
    if (kept.length > 0 && kept[0]!.offset !== logStart) {
      throw new MetadataStoreError(`${this.dir}: the log resumes at offset ${kept[0]!.offset} but the newest snapshot ends at ${logStart}`);
    }
    if (kept.length === 0 && this.segments.length > 0) {
      // Everything on disk is covered by the snapshot: start a clean log after it.
      for (const seg of this.segments) await rm(seg.path, { force: true });
      this.segments = [];
    }
    this.start = logStart;
    this.end = logStart + kept.length;
    this.recoveredLog = { quorumState, snapshotId: this.snapshot, entries: kept };
  }

  private async readQuorumState(names: readonly string[]): Promise<PersistedQuorumState | null> {
    if (!names.includes(quorumStateFile)) return null;
    const path = join(this.dir, quorumStateFile);
    try {
      const o = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
      const epoch = Number(o['leaderEpoch']);
      const leaderId = Number(o['leaderId']);
      const votedId = Number(o['votedId']);
      if (![epoch, leaderId, votedId].every(Number.isInteger)) throw new Error('missing fields');
      return { epoch, leaderId: leaderId >= 0 ? leaderId : null, votedId: votedId >= 0 ? votedId : null };
    } catch (err) {
      throw new MetadataStoreError(`${path} is corrupt: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  // ------------------------------------------------------------ log

  async append(entries: readonly LogEntry[]): Promise<void> {
    let i = 0;
    while (i < entries.length) {
      assert(entries[i]!.offset === this.end, `append at ${entries[i]!.offset}, log end is ${this.end}`);
      let seg = this.segments[this.segments.length - 1];
      if (!seg || (seg.bytes > 0 && seg.bytes + frameSize(entries[i]!) > this.options.segmentBytes)) {
        seg = await this.roll();
      }
      // As many entries as fit in this segment (at least one).
      let j = i;
      let bytes = seg.bytes;
      while (j < entries.length && (j === i || bytes + frameSize(entries[j]!) <= this.options.segmentBytes)) {
        seg.positions.push(bytes);
        bytes += frameSize(entries[j]!);
        j++;
      }
      const buf = encodeEntries(entries.slice(i, j));
      const handle = await this.handleOf(seg);
      await handle.write(buf, 0, buf.length, seg.bytes);
      seg.bytes = bytes;
      this.dirty.add(seg);
      this.end += j - i;
      i = j;
    }
  }

  /** Drop entries at and above offset. */
  async truncateTo(offset: Offset): Promise<void> {
    assert(offset >= this.start, `truncate to ${offset} below log start ${this.start}`);
    if (offset >= this.end) return;
    while (this.segments.length > 0) {
      const seg = this.segments[this.segments.length - 1]!;
      if (seg.baseOffset < offset) {
        const keep = offset - seg.baseOffset;
        const pos = seg.positions[keep];
        if (pos === undefined) break; // the cut falls exactly at this segment's end
        seg.positions.length = keep;
        seg.bytes = pos;
        const handle = await this.handleOf(seg);
        await handle.truncate(pos);
        this.dirty.add(seg);
        break;
      }
      await seg.handle?.close();
      this.dirty.delete(seg);
      await rm(seg.path, { force: true });
      this.segments.pop();
      this.dirDirty = true;
    }
    this.end = offset;
  }

  /** fsync every segment written since the last flush, and the directory if files came or went. */
  async flush(): Promise<void> {
    for (const seg of this.dirty) if (seg.handle) await seg.handle.sync();
    this.dirty.clear();
    if (this.dirDirty) {
      await fsyncDir(this.dir);
      this.dirDirty = false;
    }
  }

  async writeQuorumState(state: PersistedQuorumState): Promise<void> {
    const json = JSON.stringify({
      leaderId: state.leaderId ?? -1,
      leaderEpoch: state.epoch,
      votedId: state.votedId ?? -1,
      appliedOffset: 0,
      currentVoters: null,
      data_version: 0,
    });
    await writeFileAtomic(this.dir, quorumStateFile, Buffer.from(json));
  }

  /** Delete whole segments below offset (a snapshot covers them) and snapshots older than the newest. */
  async deleteSegmentsBefore(offset: Offset): Promise<void> {
    while (this.segments.length > 1) {
      const seg = this.segments[0]!;
      const next = this.segments[1]!;
      if (next.baseOffset > offset) break;
      await seg.handle?.close();
      this.dirty.delete(seg);
      await rm(seg.path, { force: true });
      this.segments.shift();
      this.dirDirty = true;
    }
    this.start = Math.max(this.start, Math.min(offset, this.end));
    for (const name of await readdir(this.dir)) {
      const id = parseSnapshotName(name);
      if (id && this.snapshot && id.endOffset < this.snapshot.endOffset) await rm(join(this.dir, name), { force: true });
    }
    await this.flush();
  }

  // ------------------------------------------------------------ snapshots

  async createSnapshot(id: SnapshotId, body: Uint8Array): Promise<void> {
    await writeFileAtomic(this.dir, snapshotName(id), encodeSnapshotFile(body));
    if (!this.snapshot || id.endOffset > this.snapshot.endOffset) this.snapshot = id;
  }

  /** The state bytes of a snapshot, CRC-checked. */
  async readSnapshot(id: SnapshotId): Promise<Buffer> {
    const path = join(this.dir, snapshotName(id));
    const body = decodeSnapshotFile(await readFile(path));
    if (!body) throw new MetadataStoreError(`${path} is corrupt (bad magic or CRC)`);
    return body;
  }

  /** Raw file bytes of a snapshot (header included) for FetchSnapshot. */
  async readSnapshotFileChunk(id: SnapshotId, position: number, maxBytes: number): Promise<{ bytes: Buffer; size: number }> {
    const path = join(this.dir, snapshotName(id));
    const fh = await open(path, 'r');
    try {
      const size = (await fh.stat()).size;
      const length = Math.max(0, Math.min(maxBytes, size - position));
      const bytes = Buffer.alloc(length);
      if (length > 0) await fh.read(bytes, 0, length, position);
      return { bytes, size };
    } finally {
      await fh.close();
    }
  }

  /**
   * Write a downloaded chunk into `<name>.part`. The last chunk completes it: fsync, verify,
   * rename, and the log restarts empty at the snapshot's end offset.
   */
  async writeSnapshotChunk(chunk: SnapshotChunk): Promise<void> {
    const part = join(this.dir, `${snapshotName(chunk.snapshotId)}.part`);
    const fh = await open(part, chunk.position === 0 ? 'w' : 'r+');
    try {
      await fh.write(chunk.bytes, 0, chunk.bytes.length, chunk.position);
      if (chunk.complete) await fh.sync();
    } finally {
      await fh.close();
    }
    if (!chunk.complete) return;
    if ((await stat(part)).size !== chunk.size || decodeSnapshotFile(await readFile(part)) === null) {
      await rm(part, { force: true });
      throw new MetadataStoreError(`downloaded snapshot ${snapshotName(chunk.snapshotId)} failed its CRC check`);
    }
    await rename(part, join(this.dir, snapshotName(chunk.snapshotId)));
    for (const seg of this.segments) {
      await seg.handle?.close();
      await rm(seg.path, { force: true });
    }
    this.segments = [];
    this.dirty.clear();
    await fsyncDir(this.dir);
    this.snapshot = chunk.snapshotId;
    this.start = chunk.snapshotId.endOffset;
    this.end = chunk.snapshotId.endOffset;
  }

  async close(): Promise<void> {
    await this.flush();
    for (const seg of this.segments) {
      await seg.handle?.close();
      seg.handle = null;
    }
  }

  private async roll(): Promise<Segment> {
    const seg: Segment = { baseOffset: this.end, path: join(this.dir, segmentName(this.end)), handle: null, bytes: 0, positions: [] };
    seg.handle = await open(seg.path, 'w');
    this.segments.push(seg);
    this.dirDirty = true;
    // Older segments are complete: their handles are no longer needed once synced.
    return seg;
  }

  private async handleOf(seg: Segment): Promise<FileHandle> {
    if (!seg.handle) seg.handle = await open(seg.path, 'r+');
    return seg.handle;
  }
}
