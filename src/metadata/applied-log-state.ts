// The state every node builds by replaying committed `__cluster_metadata` entries. Until the
// metadata image lands (records of proto/metadata.proto), it holds what the quorum itself
// writes: the applied offset, the last LeaderChange (leader, epoch, voters), counts per entry
// kind, and a CRC32C chain over every applied entry, so two nodes that applied the same
// committed entries agree on `digest` at the same offset (tests and tools compare it).
//
// A snapshot is this state encoded in 40 + 4·voters bytes; loading it gives an equal state.
import { crc32c } from '../common/crc32c.js';
import { assert } from '../common/assert.js';
import type { Epoch, LogEntry, NodeId, Offset } from '../raft/core/types.js';

export interface LeaderChangeInfo {
  readonly leaderId: NodeId;
  readonly epoch: Epoch;
  readonly voters: readonly NodeId[];
}

const snapshotMagic = 0x52464b31; // "RFK1"
const entryHeaderBytes = 21; // offset 8 + epoch 4 + kind 1 + frame 8, as framed on disk

export class AppliedLogState {
  appliedOffset: Offset = 0;
  digest = 0;
  dataRecords = 0;
  noOps = 0;
  leaderChanges = 0;
  lastLeaderChange: LeaderChangeInfo | null = null;
  /** Bytes of entries applied since the last snapshot (drives snapshot scheduling). */
  bytesSinceSnapshot = 0;

  apply(entry: LogEntry): void {
    assert(entry.offset === this.appliedOffset, `apply ${entry.offset}, expected ${this.appliedOffset}`);
    const header = Buffer.alloc(13);
    header.writeUIntBE(Math.floor(entry.offset / 2 ** 32), 0, 4);
    header.writeUInt32BE(entry.offset >>> 0, 4);
    header.writeInt32BE(entry.epoch, 8);
    header.writeUInt8(kindCode(entry.kind), 12);
    this.digest = crc32c(entry.payload, 0, entry.payload.length, crc32c(header, 0, 13, this.digest));
    switch (entry.kind) {
      case 'data':
        this.dataRecords++;
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

  toSnapshot(): Buffer {
    const voters = this.lastLeaderChange?.voters ?? [];
    const buf = Buffer.alloc(44 + 4 * voters.length);
    buf.writeUInt32BE(snapshotMagic, 0);
    buf.writeUIntBE(Math.floor(this.appliedOffset / 2 ** 32), 4, 4);
    buf.writeUInt32BE(this.appliedOffset >>> 0, 8);
    buf.writeUInt32BE(this.digest, 12);
    buf.writeUInt32BE(this.dataRecords, 16);
    buf.writeUInt32BE(this.noOps, 20);
    buf.writeUInt32BE(this.leaderChanges, 24);
    buf.writeInt32BE(this.lastLeaderChange?.leaderId ?? -1, 28);
    buf.writeInt32BE(this.lastLeaderChange?.epoch ?? -1, 32);
    buf.writeInt32BE(this.lastLeaderChange ? 1 : 0, 36);
    buf.writeUInt32BE(voters.length, 40);
    voters.forEach((v, i) => buf.writeInt32BE(v, 44 + 4 * i));
    return buf;
  }

  static fromSnapshot(buf: Buffer): AppliedLogState {
    if (buf.length < 44 || buf.readUInt32BE(0) !== snapshotMagic) throw new Error('not an applied-log snapshot');
    const s = new AppliedLogState();
    s.appliedOffset = buf.readUInt32BE(4) * 2 ** 32 + buf.readUInt32BE(8);
    s.digest = buf.readUInt32BE(12);
    s.dataRecords = buf.readUInt32BE(16);
    s.noOps = buf.readUInt32BE(20);
    s.leaderChanges = buf.readUInt32BE(24);
    const count = buf.readUInt32BE(40);
    if (buf.length !== 44 + 4 * count) throw new Error('applied-log snapshot has a bad length');
    if (buf.readInt32BE(36) === 1) {
      const voters = Array.from({ length: count }, (_, i) => buf.readInt32BE(44 + 4 * i));
      s.lastLeaderChange = { leaderId: buf.readInt32BE(28), epoch: buf.readInt32BE(32), voters };
    }
    return s;
  }
}

function kindCode(kind: LogEntry['kind']): number {
  return kind === 'data' ? 0 : kind === 'leader-change' ? 1 : 2;
}

/** The LeaderChange payload written by the core (encodeLeaderChangePayload). */
export function decodeLeaderChange(payload: Uint8Array): { leaderId: NodeId; voters: NodeId[] } {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  if (payload.byteLength < 8) throw new Error('short LeaderChange payload');
  const count = view.getInt32(4);
  if (count < 0 || payload.byteLength !== 8 + 4 * count) throw new Error('bad LeaderChange payload');
  return { leaderId: view.getInt32(0), voters: Array.from({ length: count }, (_, i) => view.getInt32(8 + 4 * i)) };
}
