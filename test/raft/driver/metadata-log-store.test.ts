import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogEntry, SnapshotId } from '../../../src/raft/core/types.js';
import { crc32c } from '../../../src/common/crc32c.js';
import { encodeEntries, frameHeaderBytes } from '../../../src/raft/driver/entry-codec.js';
import {
  MetadataLogStore,
  segmentName,
  snapshotHeaderBytes,
  snapshotName,
} from '../../../src/raft/driver/metadata-log-store.js';

function entries(from: number, count: number, epoch = 1): LogEntry[] {
  return Array.from({ length: count }, (_, i) => ({
    offset: from + i,
    epoch,
    kind: 'data' as const,
    payload: new TextEncoder().encode(`record-${from + i}`),
  }));
}

/** A temp dir, removed afterwards; fn gets `<tmp>/__cluster_metadata-0` (not created yet). */
async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'raftka-'));
  try {
    await fn(join(root, '__cluster_metadata-0'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function segmentFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .sort();
}

function segmentBases(dir: string): number[] {
  return segmentFiles(dir).map((f) => Number(f.slice(0, 20)));
}

async function reopen(dir: string, segmentBytes: number, fn: (s: MetadataLogStore) => Promise<void>): Promise<void> {
  const s = await MetadataLogStore.open(dir, { segmentBytes });
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

async function copySnapshot(
  from: MetadataLogStore,
  to: MetadataLogStore,
  id: SnapshotId,
  chunkBytes: number,
): Promise<number> {
  let chunks = 0;
  for (let position = 0; ; ) {
    const { bytes, size } = await from.readSnapshotFileChunk(id, position, chunkBytes);
    await to.writeSnapshotChunk({ snapshotId: id, position, bytes, size, complete: position + bytes.length >= size });
    chunks++;
    position += bytes.length;
    if (position >= size) return chunks;
  }
}

// "record-N" frames are 29-31 bytes: a 100-byte segment holds 3 of them.
const segmentBytes = 100;
const bigSegmentBytes = 1 << 20;

test('a new directory is created and recovers empty', () =>
  withDir(async (dir) => {
    await reopen(dir, segmentBytes, async (s) => {
      assert.deepEqual(s.recovered(), { quorumState: null, snapshotId: null, entries: [] });
      assert.equal(s.startOffset(), 0);
      assert.equal(s.endOffset(), 0);
      assert.equal(s.latestSnapshot(), null);
    });
    assert.ok(statSync(dir).isDirectory());
    assert.deepEqual(readdirSync(dir), []);
  }));

test('appends roll segments at segmentBytes, named by their first offset, and survive a reopen', () =>
  withDir(async (dir) => {
    await reopen(dir, segmentBytes, async (s) => {
      await s.append(entries(0, 5));
      await s.append(entries(5, 15));
      await s.flush();
      assert.equal(s.endOffset(), 20);
    });
    const bases = segmentBases(dir);
    assert.ok(bases.length >= 6, `several segments: ${bases.join(',')}`);
    assert.equal(bases[0], 0);
    for (const f of segmentFiles(dir))
      assert.ok(statSync(join(dir, f)).size <= segmentBytes, `${f} within segmentBytes`);
    await reopen(dir, segmentBytes, async (r) => {
      assert.deepEqual(r.recovered().entries, entries(0, 20));
      assert.equal(r.endOffset(), 20);
      await r.append(entries(20, 1));
    });
    await reopen(dir, segmentBytes, async (r) => assert.deepEqual(r.recovered().entries, entries(0, 21)));
    // Every file's first entry is the offset its name says (recovery checks this).
    for (const f of segmentFiles(dir))
      assert.equal(readFileSync(join(dir, f)).readBigInt64BE(8), BigInt(Number(f.slice(0, 20))));
  }));

test('an entry larger than segmentBytes gets a segment of its own', () =>
  withDir(async (dir) => {
    const big: LogEntry = { offset: 2, epoch: 1, kind: 'data', payload: new Uint8Array(segmentBytes * 2) };
    await reopen(dir, segmentBytes, async (s) => {
      await s.append([...entries(0, 2), big, ...entries(3, 1)]);
    });
    assert.deepEqual(segmentBases(dir), [0, 2, 3]);
    await reopen(dir, segmentBytes, async (r) =>
      assert.deepEqual(r.recovered().entries, [...entries(0, 2), big, ...entries(3, 1)]),
    );
  }));

test('append asserts that entries continue exactly at the end offset', () =>
  withDir(async (dir) => {
    await reopen(dir, segmentBytes, async (s) => {
      await s.append(entries(0, 3));
      await assert.rejects(s.append(entries(4, 1)), /append at 4, expected 3/);
      await assert.rejects(s.append([...entries(3, 1), ...entries(5, 1)]), /expected 4/);
      assert.equal(s.endOffset(), 3, 'a refused batch writes nothing');
      await s.append([]);
      assert.equal(s.endOffset(), 3);
    });
  }));

test('truncateTo across segment boundaries, then appends continue', () =>
  withDir(async (dir) => {
    await reopen(dir, segmentBytes, async (s) => {
      await s.append(entries(0, 20));
      await s.truncateTo(7); // inside a segment, several later segments go
      assert.equal(s.endOffset(), 7);
      assert.ok(segmentBases(dir).every((b) => b < 7));
      await s.append(entries(7, 3, 2));
      await s.flush();
    });
    await reopen(dir, segmentBytes, async (r) =>
      assert.deepEqual(r.recovered().entries, [...entries(0, 7), ...entries(7, 3, 2)]),
    );
  }));

test('truncateTo exactly at a segment start, at the end, to zero', () =>
  withDir(async (dir) => {
    await reopen(dir, segmentBytes, async (s) => {
      await s.append(entries(0, 20));
      const boundary = segmentBases(dir)[2]!;
      await s.truncateTo(boundary);
      assert.equal(segmentBases(dir).at(-1), segmentBases(dir)[1]);
      await s.truncateTo(boundary); // no-op at the end
      await s.truncateTo(boundary + 5); // above the end: nothing to drop
      assert.equal(s.endOffset(), boundary);
      await s.append(entries(boundary, 4, 3));
      await s.flush();
      await s.close();
      await reopen(dir, segmentBytes, async (r) => {
        assert.deepEqual(r.recovered().entries, [...entries(0, boundary), ...entries(boundary, 4, 3)]);
        await r.truncateTo(0);
        assert.equal(r.endOffset(), 0);
        assert.deepEqual(segmentFiles(dir), []);
        await r.append(entries(0, 2, 4));
      });
    });
    await reopen(dir, segmentBytes, async (r) => assert.deepEqual(r.recovered().entries, entries(0, 2, 4)));
  }));

test('reopening without close after flush (a kill -9) recovers the flushed entries', () =>
  withDir(async (dir) => {
    const s = await MetadataLogStore.open(dir, { segmentBytes });
    await s.append(entries(0, 10));
    await s.truncateTo(8);
    await s.append(entries(8, 4, 2));
    await s.flush();
    await s.writeQuorumState({ epoch: 2, leaderId: 1, votedId: 1 });
    // No close(): the "crashed" store is simply abandoned.
    await reopen(dir, segmentBytes, async (r) => {
      assert.deepEqual(r.recovered().entries, [...entries(0, 8), ...entries(8, 4, 2)]);
      assert.deepEqual(r.recovered().quorumState, { epoch: 2, leaderId: 1, votedId: 1 });
    });
    await s.close();
  }));

test('a torn tail (a crash mid-write) is truncated on reopen, never served', () =>
  withDir(async (dir) => {
    await reopen(dir, bigSegmentBytes, async (s) => {
      await s.append(entries(0, 10));
      await s.flush();
    });
    const seg = join(dir, segmentName(0));
    const full = statSync(seg).size;
    truncateSync(seg, full - 5); // the last frame lost its end
    appendFileSync(seg, Buffer.from([1, 2])); // and some garbage landed
    await reopen(dir, bigSegmentBytes, async (r) => {
      assert.deepEqual(r.recovered().entries, entries(0, 9));
      assert.equal(r.endOffset(), 9);
      assert.equal(
        statSync(seg).size,
        full - (frameHeaderBytes + 'record-9'.length),
        'cut back to the last whole frame',
      );
      await r.append(entries(9, 2));
      await r.flush();
    });
    await reopen(dir, bigSegmentBytes, async (r) => assert.deepEqual(r.recovered().entries, entries(0, 11)));
  }));

test('garbage after the last whole frame of a multi-segment log is cut; appends continue', () =>
  withDir(async (dir) => {
    await reopen(dir, segmentBytes, async (s) => {
      await s.append(entries(0, 14));
    });
    const last = join(dir, segmentFiles(dir).at(-1)!);
    const before = statSync(last).size;
    appendFileSync(last, Buffer.from('not a frame at all, just bytes'));
    await reopen(dir, segmentBytes, async (r) => {
      assert.deepEqual(r.recovered().entries, entries(0, 14));
      assert.equal(statSync(last).size, before);
      await r.append(entries(14, 6));
    });
    await reopen(dir, segmentBytes, async (r) => assert.deepEqual(r.recovered().entries, entries(0, 20)));
  }));

test('a crash right after a roll leaves an empty segment: removed, appends continue', () =>
  withDir(async (dir) => {
    await reopen(dir, segmentBytes, async (s) => {
      await s.append(entries(0, 4));
    });
    writeFileSync(join(dir, segmentName(4)), Buffer.alloc(0));
    await reopen(dir, segmentBytes, async (r) => {
      assert.deepEqual(r.recovered().entries, entries(0, 4));
      assert.ok(!existsSync(join(dir, segmentName(4))));
      await r.append(entries(4, 3));
    });
    await reopen(dir, segmentBytes, async (r) => assert.deepEqual(r.recovered().entries, entries(0, 7)));
  }));

test('a corrupt frame in the middle cuts the log there and drops later segments', () =>
  withDir(async (dir) => {
    await reopen(dir, segmentBytes, async (s) => {
      await s.append(entries(0, 20));
    });
    const files = segmentFiles(dir);
    const victim = join(dir, files[1]!);
    const victimBase = Number(files[1]!.slice(0, 20));
    const bytes = readFileSync(victim);
    bytes[bytes.length - 3]! ^= 0xff; // inside the segment's last frame
    writeFileSync(victim, bytes);
    await reopen(dir, segmentBytes, async (r) => {
      const got = r.recovered().entries;
      assert.ok(got.length > victimBase && got.length < 20, `kept ${got.length}`);
      assert.deepEqual(got, entries(0, got.length));
      assert.deepEqual(segmentFiles(dir), files.slice(0, 2));
      await r.append(entries(got.length, 2, 5));
    });
  }));

test('a corrupt first frame in a later segment removes that segment and the ones after it', () =>
  withDir(async (dir) => {
    await reopen(dir, segmentBytes, async (s) => {
      await s.append(entries(0, 20));
    });
    const files = segmentFiles(dir);
    const victim = join(dir, files[2]!);
    const bytes = readFileSync(victim);
    bytes[4]! ^= 0x01; // the first frame's CRC
    writeFileSync(victim, bytes);
    await reopen(dir, segmentBytes, async (r) => {
      const end = Number(files[2]!.slice(0, 20));
      assert.deepEqual(r.recovered().entries, entries(0, end));
      assert.deepEqual(segmentFiles(dir), files.slice(0, 2));
      await r.append(entries(end, 1));
    });
  }));

test('a missing middle segment is refused with an error naming the gap', () =>
  withDir(async (dir) => {
    await reopen(dir, segmentBytes, async (s) => {
      await s.append(entries(0, 20));
    });
    const files = segmentFiles(dir);
    rmSync(join(dir, files[2]!));
    await assert.rejects(
      MetadataLogStore.open(dir, { segmentBytes }),
      new RegExp(`${files[3]!.replace('.', '\\.')} starts at offset`),
    );
  }));

test('a segment whose name disagrees with its first entry is refused', () =>
  withDir(async (dir) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, segmentName(0)), encodeEntries(entries(3, 2)));
    await assert.rejects(
      MetadataLogStore.open(dir, { segmentBytes }),
      /first entry has offset 3, the file name says 0/,
    );
  }));

test('quorum-state is replaced atomically, uses Kafka field names and survives a reopen', () =>
  withDir(async (dir) => {
    await reopen(dir, segmentBytes, async (s) => {
      await s.writeQuorumState({ epoch: 4, leaderId: 2, votedId: 3 });
      await s.writeQuorumState({ epoch: 5, leaderId: null, votedId: 1 });
    });
    const json = JSON.parse(readFileSync(join(dir, 'quorum-state'), 'utf8')) as Record<string, unknown>;
    assert.equal(json['leaderEpoch'], 5);
    assert.equal(json['leaderId'], -1);
    assert.equal(json['votedId'], 1);
    assert.equal(json['data_version'], 0);
    assert.ok(!readdirSync(dir).some((f) => f.endsWith('.tmp')));
    await reopen(dir, segmentBytes, async (r) => {
      assert.deepEqual(r.recovered().quorumState, { epoch: 5, leaderId: null, votedId: 1 });
      await r.writeQuorumState({ epoch: 6, leaderId: 3, votedId: null });
    });
    await reopen(dir, segmentBytes, async (r) =>
      assert.deepEqual(r.recovered().quorumState, { epoch: 6, leaderId: 3, votedId: null }),
    );
  }));

test('a corrupt quorum-state is refused with an error naming the file; a stale .tmp is ignored', () =>
  withDir(async (dir) => {
    await reopen(dir, segmentBytes, async (s) => s.writeQuorumState({ epoch: 1, leaderId: 1, votedId: 1 }));
    writeFileSync(join(dir, 'quorum-state.tmp'), '{"leaderEpoch":'); // a crash mid-replace
    await reopen(dir, segmentBytes, async (r) =>
      assert.deepEqual(r.recovered().quorumState, { epoch: 1, leaderId: 1, votedId: 1 }),
    );
    assert.ok(!existsSync(join(dir, 'quorum-state.tmp')));
    for (const bad of [
      '{"leaderEpoch":',
      '[]',
      '{"leaderId":1,"votedId":-1}',
      '{"leaderEpoch":"3","leaderId":1,"votedId":-1}',
      '{"leaderEpoch":3,"leaderId":null,"votedId":-1}',
    ]) {
      writeFileSync(join(dir, 'quorum-state'), bad);
      await assert.rejects(MetadataLogStore.open(dir, { segmentBytes }), /quorum-state is corrupt/, bad);
    }
  }));

test('snapshots: create, read back, latest, size and raw file chunks', () =>
  withDir(async (dir) => {
    await reopen(dir, segmentBytes, async (s) => {
      await s.append(entries(0, 20));
      const id = { endOffset: 12, epoch: 1 };
      const body = Buffer.from('state@12');
      await s.createSnapshot(id, body);
      assert.deepEqual(s.latestSnapshot(), id);
      assert.deepEqual(await s.readSnapshot(id), body);
      assert.equal(await s.snapshotSize(id), snapshotHeaderBytes + body.length);
      assert.equal(statSync(join(dir, snapshotName(id))).size, snapshotHeaderBytes + body.length);
      const whole = await s.readSnapshotFileChunk(id, 0, 1000);
      assert.deepEqual(
        whole.bytes,
        readFileSync(join(dir, snapshotName(id))),
        'chunks are the file as-is, header included',
      );
      const tail = await s.readSnapshotFileChunk(id, whole.size - 3, 1000);
      assert.deepEqual(tail, { bytes: whole.bytes.subarray(whole.size - 3), size: whole.size });
      assert.deepEqual(await s.readSnapshotFileChunk(id, whole.size + 5, 10), {
        bytes: Buffer.alloc(0),
        size: whole.size,
      });
      await s.createSnapshot({ endOffset: 5, epoch: 1 }, Buffer.from('older, written late'));
      assert.deepEqual(s.latestSnapshot(), id, 'an older snapshot does not become the latest');
      await assert.rejects(s.readSnapshot({ endOffset: 99, epoch: 1 }), /ENOENT/);
    });
    assert.equal(snapshotName({ endOffset: 12, epoch: 1 }), '00000000000000000012-0000000001.checkpoint');
    await reopen(dir, segmentBytes, async (r) => {
      assert.deepEqual(r.recovered().snapshotId, { endOffset: 12, epoch: 1 });
      assert.equal(r.startOffset(), 12);
      assert.deepEqual(r.recovered().entries, entries(12, 8));
    });
  }));

test('deleteSegmentsBefore keeps the segment holding the offset and the active one, and older snapshots go', () =>
  withDir(async (dir) => {
    await reopen(dir, segmentBytes, async (s) => {
      await s.append(entries(0, 20));
      await s.createSnapshot({ endOffset: 4, epoch: 1 }, Buffer.from('state@4'));
      await s.createSnapshot({ endOffset: 12, epoch: 1 }, Buffer.from('state@12'));
      await s.deleteSegmentsBefore(12);
      const bases = segmentBases(dir);
      assert.ok(bases[0]! > 0 && bases[0]! <= 12, `the segment holding 12 is the first kept: ${bases.join(',')}`);
      assert.ok(bases.length >= 2);
      assert.equal(s.startOffset(), 12);
      assert.deepEqual(
        readdirSync(dir).filter((f) => f.endsWith('.checkpoint')),
        [snapshotName({ endOffset: 12, epoch: 1 })],
      );
      await s.truncateTo(12); // down to the log start is allowed
      await assert.rejects(s.truncateTo(11), /below log start/);
      await s.append(entries(12, 3, 2));
    });
    await reopen(dir, segmentBytes, async (r) => {
      assert.deepEqual(r.recovered().snapshotId, { endOffset: 12, epoch: 1 });
      assert.deepEqual(r.recovered().entries, entries(12, 3, 2));
    });
  }));

test('deleteSegmentsBefore never deletes the active segment, even when the snapshot covers it all', () =>
  withDir(async (dir) => {
    await reopen(dir, segmentBytes, async (s) => {
      await s.append(entries(0, 20));
      await s.createSnapshot({ endOffset: 20, epoch: 1 }, Buffer.from('state@20'));
      const active = segmentBases(dir).at(-1)!;
      await s.deleteSegmentsBefore(20);
      assert.deepEqual(segmentBases(dir), [active]);
      await s.append(entries(20, 2));
    });
    await reopen(dir, segmentBytes, async (r) => {
      assert.deepEqual(r.recovered().entries, entries(20, 2));
      assert.equal(r.startOffset(), 20);
    });
  }));

test('deleteSegmentsBefore refuses to run ahead of the newest snapshot', () =>
  withDir(async (dir) => {
    await reopen(dir, segmentBytes, async (s) => {
      await s.append(entries(0, 20));
      await assert.rejects(s.deleteSegmentsBefore(10), /newest snapshot ends at none/);
      await s.createSnapshot({ endOffset: 5, epoch: 1 }, Buffer.from('x'));
      await assert.rejects(s.deleteSegmentsBefore(10), /newest snapshot ends at 5/);
      assert.equal(segmentBases(dir)[0], 0);
    });
  }));

test('a snapshot that covers every segment leaves an empty log at its end; the next segment is named by it', () =>
  withDir(async (dir) => {
    await reopen(dir, segmentBytes, async (s) => {
      await s.append(entries(0, 10));
      await s.createSnapshot({ endOffset: 10, epoch: 1 }, Buffer.from('state@10'));
    });
    // Also a snapshot past the log's end (an install that crashed before its segments went).
    await reopen(dir, segmentBytes, async (s) =>
      s.createSnapshot({ endOffset: 15, epoch: 2 }, Buffer.from('state@15')),
    );
    await reopen(dir, segmentBytes, async (r) => {
      assert.deepEqual(r.recovered().entries, []);
      assert.equal(r.startOffset(), 15);
      assert.equal(r.endOffset(), 15);
      assert.deepEqual(segmentFiles(dir), []);
      await r.append(entries(15, 2, 2));
    });
    assert.deepEqual(segmentFiles(dir), [segmentName(15)]);
    await reopen(dir, segmentBytes, async (r) => assert.deepEqual(r.recovered().entries, entries(15, 2, 2)));
  }));

test('segments starting above the snapshot end (a gap) are refused', () =>
  withDir(async (dir) => {
    await reopen(dir, segmentBytes, async (s) => {
      await s.append(entries(0, 20));
      await s.createSnapshot({ endOffset: 2, epoch: 1 }, Buffer.from('state@2'));
    });
    rmSync(join(dir, segmentName(0))); // held offsets 0..2
    await assert.rejects(MetadataLogStore.open(dir, { segmentBytes }), /above the log start 2/);
  }));

test('segments wholly below the snapshot are deleted at open, even with a gap among them', () =>
  withDir(async (dir) => {
    await reopen(dir, segmentBytes, async (s) => {
      await s.append(entries(0, 20));
      await s.createSnapshot({ endOffset: 13, epoch: 1 }, Buffer.from('state@13'));
    });
    const files = segmentFiles(dir);
    rmSync(join(dir, files[1]!)); // a gap the snapshot covers
    await reopen(dir, segmentBytes, async (r) => {
      assert.deepEqual(r.recovered().entries, entries(13, 7));
      assert.ok(segmentBases(dir)[0]! <= 13 && segmentBases(dir)[0]! > 0);
    });
  }));

test('a corrupt newest snapshot is ignored in favour of an older valid one (and removed)', () =>
  withDir(async (dir) => {
    await reopen(dir, bigSegmentBytes, async (s) => {
      await s.append(entries(0, 10));
      await s.flush();
      await s.createSnapshot({ endOffset: 4, epoch: 1 }, Buffer.from('four'));
      await s.createSnapshot({ endOffset: 8, epoch: 1 }, Buffer.from('eight'));
    });
    const newest = join(dir, snapshotName({ endOffset: 8, epoch: 1 }));
    const bytes = readFileSync(newest);
    bytes[bytes.length - 1]! ^= 1;
    writeFileSync(newest, bytes);
    await reopen(dir, bigSegmentBytes, async (r) => {
      assert.deepEqual(r.recovered().snapshotId, { endOffset: 4, epoch: 1 });
      assert.deepEqual(r.latestSnapshot(), { endOffset: 4, epoch: 1 });
      assert.deepEqual(r.recovered().entries, entries(4, 6));
      assert.deepEqual(await r.readSnapshot({ endOffset: 4, epoch: 1 }), Buffer.from('four'));
    });
    assert.ok(!existsSync(newest));
  }));

test('a torn snapshot (bad magic, short file) is ignored; with none valid the log starts at 0', () =>
  withDir(async (dir) => {
    await reopen(dir, bigSegmentBytes, async (s) => {
      await s.append(entries(0, 5));
    });
    writeFileSync(join(dir, snapshotName({ endOffset: 3, epoch: 1 })), Buffer.from('RKSN'));
    await reopen(dir, bigSegmentBytes, async (r) => {
      assert.equal(r.recovered().snapshotId, null);
      assert.deepEqual(r.recovered().entries, entries(0, 5));
    });
  }));

test('a snapshot downloaded in chunks replaces the log; reopen shows the log from its end', () =>
  withDir(async (leaderDir) => {
    const followerDir = `${leaderDir}-follower`;
    const leader = await MetadataLogStore.open(leaderDir, { segmentBytes });
    const follower = await MetadataLogStore.open(followerDir, { segmentBytes });
    try {
      await leader.append(entries(0, 30));
      const id = { endOffset: 25, epoch: 1 };
      const body = Buffer.from('the state at offset 25, long enough for several chunks');
      await leader.createSnapshot(id, body);
      await follower.append(entries(0, 10));
      await follower.flush();
      const chunks = await copySnapshot(leader, follower, id, 16);
      assert.ok(chunks >= 4, `${chunks} chunks`);
      assert.equal(follower.startOffset(), 25);
      assert.equal(follower.endOffset(), 25);
      assert.deepEqual(follower.latestSnapshot(), id);
      assert.deepEqual(segmentFiles(followerDir), [], 'every old segment is gone');
      assert.ok(!readdirSync(followerDir).some((f) => f.endsWith('.part')));
      assert.deepEqual(
        readFileSync(join(followerDir, snapshotName(id))),
        readFileSync(join(leaderDir, snapshotName(id))),
      );
      await follower.append(entries(25, 2));
      assert.deepEqual(segmentFiles(followerDir), [segmentName(25)]);
      await follower.flush();
    } finally {
      await follower.close();
      await leader.close();
    }
    await reopen(followerDir, segmentBytes, async (r) => {
      assert.deepEqual(r.recovered().snapshotId, { endOffset: 25, epoch: 1 });
      assert.deepEqual(
        await r.readSnapshot({ endOffset: 25, epoch: 1 }),
        Buffer.from('the state at offset 25, long enough for several chunks'),
      );
      assert.deepEqual(r.recovered().entries, entries(25, 2));
    });
    rmSync(followerDir, { recursive: true, force: true });
  }));

test('an interrupted download leaves a .part that open removes; a restart at position 0 overwrites it', () =>
  withDir(async (dir) => {
    const id = { endOffset: 7, epoch: 3 };
    const file = Buffer.concat([Buffer.from('RKSNAP01'), Buffer.alloc(4), Buffer.from('body bytes here')]);
    file.writeUInt32BE(crc32c(file, snapshotHeaderBytes), 8);
    await reopen(dir, segmentBytes, async (s) => {
      await s.append(entries(0, 3));
      await s.writeSnapshotChunk({
        snapshotId: id,
        position: 0,
        bytes: file.subarray(0, 10),
        size: file.length,
        complete: false,
      });
    });
    assert.ok(existsSync(join(dir, `${snapshotName(id)}.part`)));
    await reopen(dir, segmentBytes, async (r) => {
      assert.ok(!existsSync(join(dir, `${snapshotName(id)}.part`)));
      assert.deepEqual(r.recovered().entries, entries(0, 3));
      await assert.rejects(
        r.writeSnapshotChunk({
          snapshotId: id,
          position: 10,
          bytes: file.subarray(10),
          size: file.length,
          complete: true,
        }),
        /cannot continue the download at position 10/,
      );
      // Start over: garbage first, then position 0 overwrites it all.
      await r.writeSnapshotChunk({
        snapshotId: id,
        position: 0,
        bytes: Buffer.alloc(file.length, 0xee),
        size: file.length,
        complete: false,
      });
      await r.writeSnapshotChunk({
        snapshotId: id,
        position: 0,
        bytes: file.subarray(0, 5),
        size: file.length,
        complete: false,
      });
      await r.writeSnapshotChunk({
        snapshotId: id,
        position: 5,
        bytes: file.subarray(5),
        size: file.length,
        complete: true,
      });
      assert.deepEqual(await r.readSnapshot(id), Buffer.from('body bytes here'));
      assert.equal(r.endOffset(), 7);
    });
    await reopen(dir, segmentBytes, async (r) => {
      assert.deepEqual(r.recovered().snapshotId, id);
      assert.deepEqual(r.recovered().entries, []);
      assert.equal(r.endOffset(), 7);
    });
  }));

test('a downloaded snapshot that fails its CRC is refused and the log is left alone', () =>
  withDir(async (dir) => {
    const id = { endOffset: 9, epoch: 1 };
    const file = Buffer.concat([Buffer.from('RKSNAP01'), Buffer.from([0, 0, 0, 0]), Buffer.from('not matching crc')]);
    await reopen(dir, segmentBytes, async (s) => {
      await s.append(entries(0, 5));
      await assert.rejects(
        s.writeSnapshotChunk({ snapshotId: id, position: 0, bytes: file, size: file.length, complete: true }),
        /fails its size or CRC check/,
      );
      await assert.rejects(
        s.writeSnapshotChunk({ snapshotId: id, position: 0, bytes: file, size: file.length - 1, complete: false }),
        /does not fit/,
      );
      assert.ok(!readdirSync(dir).some((f) => f.includes('checkpoint')));
      assert.equal(s.endOffset(), 5);
      assert.equal(s.latestSnapshot(), null);
      await s.append(entries(5, 1));
    });
    await reopen(dir, segmentBytes, async (r) => assert.deepEqual(r.recovered().entries, entries(0, 6)));
  }));

test('a crash part-way through an install leaves a prefix of the old log, which recovery accepts', () =>
  withDir(async (dir) => {
    await reopen(dir, segmentBytes, async (s) => {
      await s.append(entries(0, 20));
      await s.createSnapshot({ endOffset: 30, epoch: 2 }, Buffer.from('state@30'));
    });
    // The install deletes newest-first; simulate a crash after the newest two went.
    for (const f of segmentFiles(dir).slice(-2)) rmSync(join(dir, f));
    await reopen(dir, segmentBytes, async (r) => {
      assert.equal(r.startOffset(), 30);
      assert.deepEqual(r.recovered().entries, []);
      assert.deepEqual(segmentFiles(dir), []);
    });
  }));

/** A small seeded PRNG (mulberry32): one seed reproduces a whole run. */
function random(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
}

test('seeded run: appends, truncations, snapshots, compaction and reopens match an in-memory model', () =>
  withDir(async (dir) => {
    for (const seed of [1, 2, 3]) {
      rmSync(dir, { recursive: true, force: true });
      const rnd = random(seed);
      let model: LogEntry[] = [];
      let start = 0;
      let epoch = 1;
      let store = await MetadataLogStore.open(dir, { segmentBytes: 120 });
      for (let step = 0; step < 300; step++) {
        const end = start + model.length;
        const op = rnd(10);
        const where = `seed ${seed} step ${step} op ${op}`;
        if (op < 5) {
          const count = 1 + rnd(6);
          const batch = Array.from(
            { length: count },
            (_, i): LogEntry => ({
              offset: end + i,
              epoch,
              kind: 'data',
              payload: new Uint8Array(rnd(40)).fill(step & 0xff),
            }),
          );
          await store.append(batch);
          model = model.concat(batch);
        } else if (op === 5 && model.length > 0) {
          const to = start + rnd(model.length + 1);
          await store.truncateTo(to);
          model = model.slice(0, to - start);
          epoch++;
        } else if (op === 6 && model.length > 0) {
          const snapEnd = start + 1 + rnd(model.length);
          const id = { endOffset: snapEnd, epoch: model[snapEnd - start - 1]!.epoch };
          await store.createSnapshot(id, Buffer.from(`state@${snapEnd}`));
          await store.deleteSegmentsBefore(snapEnd);
          model = model.slice(snapEnd - start);
          start = snapEnd;
        } else if (op === 7) {
          await store.flush();
        } else {
          await store.close();
          store = await MetadataLogStore.open(dir, { segmentBytes: 120 });
          assert.deepEqual(store.recovered().entries, model, where);
          assert.equal(store.startOffset(), start, where);
        }
        assert.equal(store.endOffset(), start + model.length, where);
      }
      await store.close();
    }
  }));
