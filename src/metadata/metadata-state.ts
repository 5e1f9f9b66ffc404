// MetadataState: what every node (active and standby controllers, brokers) builds by applying
// committed `__cluster_metadata` entries, the one replay path for all of them:
//  - the MetadataImage, from the metadata records in `data` entries (via MetadataLoader, so
//    KIP-868 transactions stay invisible until they end);
//  - the last LeaderChange (leader, epoch, voters) and counts per entry kind;
//  - logDigest, a CRC32C chain over every applied entry, so two nodes that applied the same
//    committed entries agree on it at the same offset (tests and tools compare it).
//
// A snapshot is this state: a small header, then the image written as records. Loading it gives
// an equal state. No snapshot is taken while a metadata transaction is open.
//
// It is the metadata log's state machine: the node creates one and hands it to the Raft driver
// (which sees it only through its StateMachine port, src/raft/driver/state-machine.ts: applyAll,
// takeSnapshot, loadSnapshot; matched structurally, as metadata/ sits below raft/ and imports
// nothing from it), and readers (controller, broker, admin HTTP) keep the node's typed reference.
import { assert } from '../common/assert.js';
import { crc32c } from '../common/crc32c.js';
import { decodeLeaderChange } from '../common/leader-change.js';
import type { Epoch, LogEntry, NodeId, Offset } from '../common/log-types.js';
import type { MetadataImage } from './image.js';
import { imageRecords } from './image-records.js';
import { MetadataLoader } from './loader.js';
import { decodeRecord, encodeRecord, type MetadataRecord } from './records.js';

interface LeaderChangeInfo {
  readonly leaderId: NodeId;
  readonly epoch: Epoch;
  readonly voters: readonly NodeId[];
}

const snapshotMagic = 0x52464b32; // "RFK2"
const headerBytes = 48;
const entryHeaderBytes = 21; // a frame's header in the log (entry-codec)

export class MetadataState {
  appliedOffset: Offset = 0;
  logDigest = 0;
  dataRecords = 0;
  noOps = 0;
  leaderChanges = 0;
  lastLeaderChange: LeaderChangeInfo | null = null;
  /** Bytes of entries applied since the last snapshot (drives snapshot scheduling). */
  bytesSinceSnapshot = 0;
  private loader: MetadataLoader;

  constructor(loader = new MetadataLoader()) {
    this.loader = loader;
  }

  get image(): MetadataImage {
    return this.loader.image;
  }

  /** A metadata transaction is open: its records are not in the image yet. */
  get inTransaction(): boolean {
    return this.loader.inTransaction;
  }

  /** A snapshot can be taken only between metadata transactions. */
  get canSnapshot(): boolean {
    return !this.loader.inTransaction;
  }

  /** Apply committed entries in order; the image is published once, after the batch. */
  applyAll(entries: readonly LogEntry[]): void {
    const records: MetadataRecord[] = [];
    for (const entry of entries) {
      assert(entry.offset === this.appliedOffset, `apply ${entry.offset}, expected ${this.appliedOffset}`);
      const header = Buffer.alloc(13);
      header.writeUInt32BE(Math.floor(entry.offset / 2 ** 32), 0);
      header.writeUInt32BE(entry.offset >>> 0, 4);
      header.writeInt32BE(entry.epoch, 8);
      header.writeUInt8(entry.kind === 'data' ? 0 : entry.kind === 'leader-change' ? 1 : 2, 12);
      this.logDigest = crc32c(entry.payload, 0, entry.payload.length, crc32c(header, 0, 13, this.logDigest));
      switch (entry.kind) {
        case 'data':
          this.dataRecords++;
          records.push(decodeRecord(entry.payload));
          break;
        case 'noop':
          this.noOps++;
          break;
        case 'leader-change':
          this.leaderChanges++;
          this.lastLeaderChange = { ...decodeLeaderChange(entry.payload), epoch: entry.epoch };
          break;
      }
      this.appliedOffset = entry.offset + 1;
      this.bytesSinceSnapshot += entry.payload.length + entryHeaderBytes;
    }
    if (records.length > 0) this.loader.replayAll(records);
  }

  /** StateMachine: capture and encode the state now; the byte count restarts at 0. */
  takeSnapshot(): Promise<Buffer> {
    this.bytesSinceSnapshot = 0;
    return this.toSnapshotAsync();
  }

  /** StateMachine: become the state a snapshot holds (in place, so references stay valid). */
  loadSnapshot(bytes: Uint8Array): void {
    const loaded = MetadataState.fromSnapshot(
      Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    );
    this.loader = loaded.loader;
    this.appliedOffset = loaded.appliedOffset;
    this.logDigest = loaded.logDigest;
    this.dataRecords = loaded.dataRecords;
    this.noOps = loaded.noOps;
    this.leaderChanges = loaded.leaderChanges;
    this.lastLeaderChange = loaded.lastLeaderChange;
    this.bytesSinceSnapshot = 0;
  }

  toSnapshot(): Buffer {
    const parts: Buffer[] = [];
    for (const part of this.snapshotParts()) parts.push(part);
    return Buffer.concat(parts);
  }

  /**
   * The same bytes as toSnapshot(), made without blocking the event loop for long: the state is
   * captured now (images are immutable), then encoded in slices with a yield between them.
   */
  async toSnapshotAsync(recordsPerSlice = 500): Promise<Buffer> {
    const parts: Buffer[] = [];
    let n = 0;
    for (const part of this.snapshotParts()) {
      parts.push(part);
      if (++n % recordsPerSlice === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    return Buffer.concat(parts);
  }

  /** The header, then each record as [u32 length][bytes]; the header's count is set last. */
  private *snapshotParts(): Generator<Buffer> {
    assert(this.canSnapshot, 'no snapshot inside a metadata transaction');
    const voters = this.lastLeaderChange?.voters ?? [];
    const head = Buffer.alloc(headerBytes + 4 * voters.length);
    head.writeUInt32BE(snapshotMagic, 0);
    head.writeUInt32BE(Math.floor(this.appliedOffset / 2 ** 32), 4);
    head.writeUInt32BE(this.appliedOffset >>> 0, 8);
    head.writeUInt32BE(this.logDigest, 12);
    head.writeUInt32BE(this.dataRecords, 16);
    head.writeUInt32BE(this.noOps, 20);
    head.writeUInt32BE(this.leaderChanges, 24);
    head.writeInt32BE(this.lastLeaderChange?.leaderId ?? -1, 28);
    head.writeInt32BE(this.lastLeaderChange?.epoch ?? -1, 32);
    head.writeInt32BE(this.lastLeaderChange ? 1 : 0, 36);
    head.writeUInt32BE(voters.length, 40);
    voters.forEach((v, i) => head.writeInt32BE(v, headerBytes + 4 * i));
    yield head;
    let count = 0;
    for (const r of imageRecords(this.image)) {
      const bytes = encodeRecord(r);
      const frame = Buffer.alloc(4 + bytes.length);
      frame.writeUInt32BE(bytes.length, 0);
      frame.set(bytes, 4);
      count++;
      yield frame;
    }
    head.writeUInt32BE(count, 44); // `head` is still referenced by the caller's list
  }

  static fromSnapshot(buf: Buffer): MetadataState {
    if (buf.length < headerBytes || buf.readUInt32BE(0) !== snapshotMagic)
      throw new Error('not a raftka metadata snapshot');
    const voterCount = buf.readUInt32BE(40);
    let at = headerBytes + 4 * voterCount;
    if (at > buf.length) throw new Error('metadata snapshot header is truncated');
    const records: MetadataRecord[] = [];
    const count = buf.readUInt32BE(44);
    for (let i = 0; i < count; i++) {
      if (at + 4 > buf.length) throw new Error('metadata snapshot is truncated');
      const len = buf.readUInt32BE(at);
      if (at + 4 + len > buf.length) throw new Error('metadata snapshot is truncated');
      records.push(decodeRecord(buf.subarray(at + 4, at + 4 + len)));
      at += 4 + len;
    }
    if (at !== buf.length) throw new Error('metadata snapshot has trailing bytes');
    const loader = new MetadataLoader();
    loader.replayAll(records);
    const s = new MetadataState(loader);
    s.appliedOffset = buf.readUInt32BE(4) * 2 ** 32 + buf.readUInt32BE(8);
    s.logDigest = buf.readUInt32BE(12);
    s.dataRecords = buf.readUInt32BE(16);
    s.noOps = buf.readUInt32BE(20);
    s.leaderChanges = buf.readUInt32BE(24);
    if (buf.readInt32BE(36) === 1) {
      const voters = Array.from({ length: voterCount }, (_, i) => buf.readInt32BE(headerBytes + 4 * i));
      s.lastLeaderChange = { leaderId: buf.readInt32BE(28), epoch: buf.readInt32BE(32), voters };
    }
    return s;
  }
}
