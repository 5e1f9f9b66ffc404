// The durable `__cluster_metadata-0` directory of one node:
//
//   00000000000000000000.log                 segments of entry frames (entry-codec), named by
//                                            their first offset, rolled at segmentBytes
//   quorum-state                             {"leaderId","leaderEpoch","votedId",...} JSON (Kafka's
//                                            QuorumStateData names, -1 for none), replaced
//                                            atomically: tmp, fsync, rename, fsync dir
//   <endOffset:20>-<epoch:10>.checkpoint     snapshots: magic, CRC32C of the body, body; atomic too
//   <name>.checkpoint.part                   a snapshot being downloaded from the leader
//
// Invariants: the segments hold every offset in [startOffset, endOffset) contiguously (the first
// segment may also hold entries below startOffset, which a snapshot covers); the newest snapshot
// ends at startOffset. Recovery (open) keeps the valid prefix of the segments: a torn or corrupt
// tail is truncated on disk, never served; a gap in what the snapshot does not cover is refused.
//
// Callers: the Raft driver, which awaits each call in turn (one writer). Appends are written at
// once and made durable by flush() (fsync), which the driver calls before any message that
// depends on them goes out. createSnapshot is the exception: the driver runs it beside the input
// loop, so it touches nothing but its own file and `latestSnapshot`.
import { mkdir, open, readdir, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { appendAll } from '../../common/arrays.js';
import { assert } from '../../common/assert.js';
import { crc32c } from '../../common/crc32c.js';
import { maybePauseInside, slowDisk } from '../../common/fault-hooks.js';
import type { LogEntry, Offset, PersistedQuorumState, RecoveredLog, SnapshotChunk, SnapshotId } from '../core/types.js';
import { encodeEntries, frameSize, scanValidPrefix } from './entry-codec.js';

const snapshotMagic = Buffer.from('RKSNAP01');
/** Magic, then the CRC32C of the body. */
export const snapshotHeaderBytes = snapshotMagic.length + 4;
const quorumStateFile = 'quorum-state';
const offsetNameDigits = 20;
const epochNameDigits = 10;
const segmentNamePattern = new RegExp(`^(\\d{${offsetNameDigits}})\\.log$`);
const snapshotNamePattern = new RegExp(`^(\\d{${offsetNameDigits}})-(\\d{${epochNameDigits}})\\.checkpoint$`);

/** The directory holds something the store cannot make sense of: reported, never served. */
class MetadataStoreError extends Error {
  override readonly name = 'MetadataStoreError';
}

interface Segment {
  readonly baseOffset: Offset;
  readonly path: string;
  /** Open while written and until the next flush has synced it (the active segment stays open). */
  handle: FileHandle | null;
  bytes: number;
  /** Byte position of each entry, by offset - baseOffset (truncation without rereading the file). */
  readonly positions: number[];
}

interface MetadataLogStoreOptions {
  readonly segmentBytes: number;
  readonly logger?: Logger;
}

export function segmentName(baseOffset: Offset): string {
  return `${String(baseOffset).padStart(offsetNameDigits, '0')}.log`;
}

export function snapshotName(id: SnapshotId): string {
  return `${String(id.endOffset).padStart(offsetNameDigits, '0')}-${String(id.epoch).padStart(epochNameDigits, '0')}.checkpoint`;
}

function parseSnapshotName(name: string): SnapshotId | null {
  const m = snapshotNamePattern.exec(name);
  return m ? { endOffset: Number(m[1]), epoch: Number(m[2]) } : null;
}

function snapshotHeader(body: Uint8Array): Buffer {
  const head = Buffer.alloc(snapshotHeaderBytes);
  snapshotMagic.copy(head, 0);
  head.writeUInt32BE(crc32c(body), snapshotMagic.length);
  return head;
}

/** The body of a snapshot file, or null when the magic or the CRC is wrong. */
function decodeSnapshotFile(file: Buffer): Buffer | null {
  if (file.length < snapshotHeaderBytes || !file.subarray(0, snapshotMagic.length).equals(snapshotMagic)) return null;
  const body = file.subarray(snapshotHeaderBytes);
  return crc32c(body) === file.readUInt32BE(snapshotMagic.length) ? body : null;
}

async function fsyncDir(dir: string): Promise<void> {
  await slowDisk();
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fh.write may write less than asked (a full disk); loop until done or it throws. */
async function writeFully(fh: FileHandle, data: Uint8Array, position: number): Promise<void> {
  let done = 0;
  await slowDisk();
  while (done < data.length) {
    const { bytesWritten } = await fh.write(data, done, data.length - done, position + done);
    if (bytesWritten <= 0)
      throw new MetadataStoreError(`wrote 0 of ${data.length - done} bytes at position ${position + done}`);
    done += bytesWritten;
  }
}

/** Write a whole file so that readers see the old or the new content, never a mix. */
async function writeFileAtomic(
  dir: string,
  name: string,
  parts: readonly Uint8Array[],
  midway?: () => void,
): Promise<void> {
  const tmp = join(dir, `${name}.tmp`);
  const fh = await open(tmp, 'w');
  try {
    let position = 0;
    for (const [i, part] of parts.entries()) {
      if (i > 0) midway?.();
      await writeFully(fh, part, position);
      position += part.length;
    }
    await slowDisk();
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, join(dir, name));
  await fsyncDir(dir);
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class MetadataLogStore {
  private segments: Segment[] = [];
  private start: Offset = 0;
  private end: Offset = 0;
  private snapshot: SnapshotId | null = null;
  private readonly dirty = new Set<Segment>();
  private dirDirty = false;
  private closed = false;
  private recoveredLog: RecoveredLog = { quorumState: null, snapshotId: null, entries: [] };

  private constructor(
    readonly dir: string,
    private readonly options: MetadataLogStoreOptions,
  ) {}

  /** Open (creating it if missing) and recover `<metadata.log.dir>/__cluster_metadata-0`. */
  static async open(dir: string, options: MetadataLogStoreOptions): Promise<MetadataLogStore> {
    assert(
      Number.isSafeInteger(options.segmentBytes) && options.segmentBytes > 0,
      `segmentBytes ${options.segmentBytes} must be a positive integer`,
    );
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
    for (const name of names.filter((n) => n.endsWith('.part') || n.endsWith('.tmp'))) {
      this.options.logger?.warn({ file: name }, 'removing an unfinished file left by a crash');
      await this.remove(name);
    }
    this.snapshot = await this.recoverSnapshot(names);
    const logStart = this.snapshot?.endOffset ?? 0;
    const entries = await this.recoverSegments(names, logStart);

    // Entries below the snapshot are covered by it; the log proper starts at its end.
    const firstKept = entries.findIndex((e) => e.offset >= logStart);
    const kept = firstKept < 0 ? [] : entries.slice(firstKept);
    if (kept.length > 0 && kept[0]!.offset !== logStart) {
      throw new MetadataStoreError(
        `${this.dir}: the log resumes at offset ${kept[0]!.offset} but the newest snapshot ends at ${logStart}`,
      );
    }
    if (kept.length === 0) {
      // Everything on disk is below the snapshot: start a clean log after it.
      for (const seg of this.segments) await this.remove(segmentName(seg.baseOffset));
      this.segments = [];
    }
    if (this.dirDirty) {
      await fsyncDir(this.dir);
      this.dirDirty = false;
    }
    this.start = logStart;
    this.end = logStart + kept.length;
    this.recoveredLog = { quorumState, snapshotId: this.snapshot, entries: kept };
  }

  /** The newest snapshot whose CRC verifies; newer invalid ones are removed. Older ones are left for deleteSegmentsBefore. */
  private async recoverSnapshot(names: readonly string[]): Promise<SnapshotId | null> {
    const ids = names.map(parseSnapshotName).filter((s): s is SnapshotId => s !== null);
    ids.sort((a, b) => b.endOffset - a.endOffset || b.epoch - a.epoch);
    for (const id of ids) {
      if (decodeSnapshotFile(await readFile(join(this.dir, snapshotName(id)))) !== null) return id;
      this.options.logger?.warn({ file: snapshotName(id) }, 'removing a snapshot that fails its CRC check');
      await this.remove(snapshotName(id));
    }
    return null;
  }

  /**
   * Read the segments that may hold offsets at or above logStart, in order, into this.segments.
   * Segments wholly below logStart are deleted unread. A torn or corrupt frame ends the log:
   * its segment is cut there and later segments deleted. A gap or overlap between segments that
   * the snapshot does not cover is corruption we cannot repair by truncating: refused.
   */
  private async recoverSegments(names: readonly string[], logStart: Offset): Promise<LogEntry[]> {
    const bases = names.flatMap((n) => {
      const m = segmentNamePattern.exec(n);
      return m ? [Number(m[1])] : [];
    });
    bases.sort((a, b) => a - b);
    // The last segment starting at or below logStart holds logStart (or the log is empty there);
    // the ones before it end below logStart.
    let first = 0;
    while (first + 1 < bases.length && bases[first + 1]! <= logStart) first++;
    for (const base of bases.slice(0, first)) await this.remove(segmentName(base));
    const wanted = bases.slice(first);
    if (wanted.length > 0 && wanted[0]! > logStart) {
      throw new MetadataStoreError(
        `${this.dir}: the log starts at offset ${wanted[0]!} (${segmentName(wanted[0]!)}), above the log start ${logStart}; offsets in between are missing`,
      );
    }

    const entries: LogEntry[] = [];
    let expected: Offset | null = null;
    for (let i = 0; i < wanted.length; i++) {
      const base = wanted[i]!;
      const name = segmentName(base);
      const path = join(this.dir, name);
      if (expected !== null && base !== expected) {
        throw new MetadataStoreError(
          `${this.dir}: ${name} starts at offset ${base} but the segment before it ends at ${expected}`,
        );
      }
      const buf = await readFile(path);
      const scan = scanValidPrefix(buf);
      const firstEntry = scan.entries[0];
      if (firstEntry && firstEntry.offset !== base) {
        throw new MetadataStoreError(
          `${path}: the first entry has offset ${firstEntry.offset}, the file name says ${base}`,
        );
      }
      const positions: number[] = [];
      let pos = 0;
      for (const e of scan.entries) {
        positions.push(pos);
        pos += frameSize(e);
      }
      appendAll(entries, scan.entries);
      expected = base + scan.entries.length;
      if (scan.entries.length > 0)
        this.segments.push({ baseOffset: base, path, handle: null, bytes: scan.validBytes, positions });
      if (scan.validBytes < buf.length) {
        this.options.logger?.warn(
          { file: name, validBytes: scan.validBytes, fileBytes: buf.length, reason: scan.stopReason },
          'truncating a torn log tail',
        );
        if (scan.entries.length > 0) await this.truncateFile(path, scan.validBytes);
        else await this.remove(name);
        for (const later of wanted.slice(i + 1)) {
          this.options.logger?.warn({ file: segmentName(later) }, 'removing a segment after a torn one');
          await this.remove(segmentName(later));
        }
        break;
      }
      // An empty file is a crash right after a roll; only the last segment can be one (else a gap).
      if (scan.entries.length === 0) await this.remove(name);
    }
    return entries;
  }

  private async readQuorumState(names: readonly string[]): Promise<PersistedQuorumState | null> {
    if (!names.includes(quorumStateFile)) return null;
    const path = join(this.dir, quorumStateFile);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(path, 'utf8'));
    } catch (err) {
      throw new MetadataStoreError(`${path} is corrupt: ${errorMessage(err)}`);
    }
    const field = (name: string, min: number): number => {
      const v = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)[name] : undefined;
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min)
        throw new MetadataStoreError(`${path} is corrupt: ${name} is ${JSON.stringify(v)}`);
      return v;
    };
    const epoch = field('leaderEpoch', 0);
    const leaderId = field('leaderId', -1);
    const votedId = field('votedId', -1);
    return { epoch, leaderId: leaderId >= 0 ? leaderId : null, votedId: votedId >= 0 ? votedId : null };
  }

  // ------------------------------------------------------------ log

  /** Write entries continuing exactly at endOffset; durable after the next flush(). */
  async append(entries: readonly LogEntry[]): Promise<void> {
    assert(!this.closed, 'append on a closed store');
    for (let k = 0; k < entries.length; k++) {
      assert(entries[k]!.offset === this.end + k, `append at ${entries[k]!.offset}, expected ${this.end + k}`);
    }
    if (entries.length === 0) return;
    const buf = encodeEntries(entries);
    let i = 0;
    let from = 0; // byte in buf where entries[i] starts
    while (i < entries.length) {
      let seg = this.segments[this.segments.length - 1];
      if (!seg || (seg.bytes > 0 && seg.bytes + frameSize(entries[i]!) > this.options.segmentBytes))
        seg = await this.roll();
      // As many entries as fit in this segment; at least one (an entry over segmentBytes gets a segment of its own).
      const positions: number[] = [];
      let bytes = seg.bytes;
      let j = i;
      while (j < entries.length && (j === i || bytes + frameSize(entries[j]!) <= this.options.segmentBytes)) {
        positions.push(bytes);
        bytes += frameSize(entries[j]!);
        j++;
      }
      const to = from + (bytes - seg.bytes);
      await writeFully(await this.handleOf(seg), buf.subarray(from, to), seg.bytes);
      // Only now does the index take the entries: a failed write leaves it describing the file.
      appendAll(seg.positions, positions);
      seg.bytes = bytes;
      this.dirty.add(seg);
      this.end += j - i;
      i = j;
      from = to;
    }
  }

  /** Drop entries at and above offset: whole segments go, one file is cut at that entry's byte. */
  async truncateTo(offset: Offset): Promise<void> {
    assert(!this.closed, 'truncateTo on a closed store');
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
        await (await this.handleOf(seg)).truncate(pos);
        this.dirty.add(seg);
        break;
      }
      await this.dropSegment(seg);
      this.segments.pop();
    }
    this.end = offset;
  }

  /** fsync every segment written since the last flush, and the directory if files came or went. */
  async flush(): Promise<void> {
    const active = this.segments[this.segments.length - 1];
    for (const seg of this.dirty) {
      if (!seg.handle) continue;
      await slowDisk();
      await seg.handle.sync();
      // A finished segment is not written again until a truncation reopens it.
      if (seg !== active) {
        await seg.handle.close();
        seg.handle = null;
      }
    }
    this.dirty.clear();
    if (this.dirDirty) {
      await fsyncDir(this.dir);
      this.dirDirty = false;
    }
  }

  async writeQuorumState(state: PersistedQuorumState): Promise<void> {
    assert(Number.isSafeInteger(state.epoch) && state.epoch >= 0, `quorum epoch ${state.epoch}`);
    const json = JSON.stringify({
      leaderId: state.leaderId ?? -1,
      leaderEpoch: state.epoch,
      votedId: state.votedId ?? -1,
      appliedOffset: 0,
      currentVoters: null,
      data_version: 0,
    });
    await writeFileAtomic(this.dir, quorumStateFile, [Buffer.from(json)]);
  }

  /**
   * A snapshot now covers everything below offset: delete the segments all of whose entries are
   * below it (never the active one) and the snapshots older than the newest.
   */
  async deleteSegmentsBefore(offset: Offset): Promise<void> {
    assert(
      this.snapshot !== null && offset <= this.snapshot.endOffset,
      `deleting below ${offset}, but the newest snapshot ends at ${this.snapshot?.endOffset ?? 'none'}`,
    );
    while (this.segments.length > 1 && this.segments[1]!.baseOffset <= offset) {
      await this.dropSegment(this.segments[0]!);
      this.segments.shift();
    }
    this.start = Math.max(this.start, Math.min(offset, this.end));
    for (const name of await readdir(this.dir)) {
      const id = parseSnapshotName(name);
      if (id && id.endOffset < this.snapshot.endOffset) {
        await this.remove(name);
      }
    }
    await this.flush();
  }

  // ------------------------------------------------------------ snapshots

  /** Write a snapshot of the state up to id.endOffset atomically (runs beside the input loop). */
  async createSnapshot(id: SnapshotId, body: Uint8Array): Promise<void> {
    assert(
      Number.isSafeInteger(id.endOffset) && id.endOffset >= 0 && Number.isSafeInteger(id.epoch) && id.epoch >= 0,
      `snapshot id ${JSON.stringify(id)}`,
    );
    // Test-only hook: jepsen-like may kill the node here, the .tmp file holding the header alone.
    await writeFileAtomic(this.dir, snapshotName(id), [snapshotHeader(body), body], () =>
      maybePauseInside('metadata-snapshot'),
    );
    if (!this.snapshot || id.endOffset > this.snapshot.endOffset) this.snapshot = id;
  }

  /** The state bytes of a snapshot, CRC-checked. */
  async readSnapshot(id: SnapshotId): Promise<Buffer> {
    const path = join(this.dir, snapshotName(id));
    const body = decodeSnapshotFile(await readFile(path));
    if (!body) throw new MetadataStoreError(`${path} is corrupt (bad magic or CRC)`);
    return body;
  }

  /** Size of the snapshot FILE in bytes (header included), as FetchSnapshot reports it. */
  async snapshotSize(id: SnapshotId): Promise<number> {
    return (await stat(join(this.dir, snapshotName(id)))).size;
  }

  /** Raw file bytes of a snapshot (header included) for FetchSnapshot; empty past the end. */
  async readSnapshotFileChunk(
    id: SnapshotId,
    position: number,
    maxBytes: number,
  ): Promise<{ bytes: Buffer; size: number }> {
    const fh = await open(join(this.dir, snapshotName(id)), 'r');
    try {
      const size = (await fh.stat()).size;
      // A negative position would mean "the current position" to fh.read: read nothing instead.
      const length = position < 0 ? 0 : Math.max(0, Math.min(maxBytes, size - position));
      const bytes = Buffer.alloc(length);
      let read = 0;
      while (read < length) {
        const { bytesRead } = await fh.read(bytes, read, length - read, position + read);
        if (bytesRead === 0) break; // the file shrank under us: it is being replaced or removed
        read += bytesRead;
      }
      return { bytes: bytes.subarray(0, read), size };
    } finally {
      await fh.close();
    }
  }

  /**
   * Write a downloaded chunk of snapshot FILE bytes into `<name>.part` (position 0 starts it
   * over). The last chunk completes it: fsync, verify size and CRC, rename, and the log restarts
   * empty at the snapshot's end offset. A download that fails its check throws (the .part is
   * removed): the leader sent bytes that are not this snapshot.
   */
  async writeSnapshotChunk(chunk: SnapshotChunk): Promise<void> {
    assert(!this.closed, 'writeSnapshotChunk on a closed store');
    const name = snapshotName(chunk.snapshotId);
    const part = join(this.dir, `${name}.part`);
    const chunkEnd = chunk.position + chunk.bytes.length;
    if (
      !Number.isSafeInteger(chunk.position) ||
      chunk.position < 0 ||
      chunkEnd > chunk.size ||
      (chunk.complete && chunkEnd !== chunk.size)
    ) {
      throw new MetadataStoreError(
        `snapshot ${name}: chunk [${chunk.position}, ${chunkEnd}) does not fit a file of ${chunk.size} bytes`,
      );
    }
    let fh: FileHandle;
    try {
      fh = await open(part, chunk.position === 0 ? 'w' : 'r+');
    } catch (err) {
      throw new MetadataStoreError(
        `snapshot ${name}: cannot continue the download at position ${chunk.position}: ${errorMessage(err)}`,
      );
    }
    try {
      await writeFully(fh, chunk.bytes, chunk.position);
      if (chunk.complete) await fh.sync();
    } finally {
      await fh.close();
    }
    if (!chunk.complete) return;

    const file = await readFile(part);
    if (file.length !== chunk.size || decodeSnapshotFile(file) === null) {
      await rm(part, { force: true });
      throw new MetadataStoreError(
        `downloaded snapshot ${name} (${file.length} of ${chunk.size} bytes) fails its size or CRC check`,
      );
    }
    await rename(part, join(this.dir, name));
    await fsyncDir(this.dir); // the snapshot is durable before the log it replaces goes
    // Newest segment first: a crash part-way leaves a prefix of the old log, which recovery
    // reads as entries below the snapshot, never as a gap above it.
    while (this.segments.length > 0) {
      await this.dropSegment(this.segments[this.segments.length - 1]!);
      this.segments.pop();
    }
    this.dirty.clear();
    await fsyncDir(this.dir);
    this.dirDirty = false;
    this.snapshot = chunk.snapshotId;
    this.start = chunk.snapshotId.endOffset;
    this.end = chunk.snapshotId.endOffset;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    for (const seg of this.segments) {
      await seg.handle?.close();
      seg.handle = null;
    }
    this.closed = true;
  }

  // ------------------------------------------------------------ files

  private async roll(): Promise<Segment> {
    const path = join(this.dir, segmentName(this.end));
    const seg: Segment = { baseOffset: this.end, path, handle: await open(path, 'w'), bytes: 0, positions: [] };
    this.segments.push(seg);
    this.dirDirty = true;
    return seg;
  }

  private async handleOf(seg: Segment): Promise<FileHandle> {
    if (!seg.handle) seg.handle = await open(seg.path, 'r+');
    return seg.handle;
  }

  /** Close and delete one segment's file (the caller takes it out of this.segments). */
  private async dropSegment(seg: Segment): Promise<void> {
    await seg.handle?.close();
    seg.handle = null;
    this.dirty.delete(seg);
    await this.remove(segmentName(seg.baseOffset));
  }

  private async remove(name: string): Promise<void> {
    await rm(join(this.dir, name), { force: true });
    this.dirDirty = true;
  }

  private async truncateFile(path: string, bytes: number): Promise<void> {
    const fh = await open(path, 'r+');
    try {
      await fh.truncate(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
}
