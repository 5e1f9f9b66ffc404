import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, appendFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetadataLogStore, segmentName, snapshotName } from '../../../src/raft/driver/metadata-log-store.js';
import type { LogEntry } from '../../../src/raft/core/types.js';

function entries(from: number, count: number, epoch = 1): LogEntry[] {
  return Array.from({ length: count }, (_, i) => ({ offset: from + i, epoch, kind: 'data' as const, payload: new TextEncoder().encode(`record-${from + i}`) }));
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'raftka-store-'));
  try {
    await fn(join(dir, '__cluster_metadata-0'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const segmentBytes = 200; // a handful of entries per segment

test('appends roll segments and survive a reopen', () =>
  withDir(async (dir) => {
    const s = await MetadataLogStore.open(dir, { segmentBytes });
    await s.append(entries(0, 20));
    await s.flush();
    await s.close();
    assert.ok(readdirSync(dir).filter((f) => f.endsWith('.log')).length > 3, 'several segments');
    const r = await MetadataLogStore.open(dir, { segmentBytes });
    assert.deepEqual(r.recovered().entries, entries(0, 20));
    assert.equal(r.endOffset(), 20);
    await r.append(entries(20, 1));
    await r.close();
  }));

test('truncateTo across segment boundaries, then appends continue', () =>
  withDir(async (dir) => {
    const s = await MetadataLogStore.open(dir, { segmentBytes });
    await s.append(entries(0, 20));
    await s.truncateTo(6);
    assert.equal(s.endOffset(), 6);
    await s.append(entries(6, 3, 2));
    await s.flush();
    await s.close();
    const r = await MetadataLogStore.open(dir, { segmentBytes });
    assert.deepEqual(r.recovered().entries, [...entries(0, 6), ...entries(6, 3, 2)]);
    await r.close();
  }));

test('a torn tail (a crash mid-write) is truncated on reopen, never served', () =>
  withDir(async (dir) => {
    const s = await MetadataLogStore.open(dir, { segmentBytes: 1 << 20 });
    await s.append(entries(0, 10));
    await s.flush();
    await s.close();
    const seg = join(dir, segmentName(0));
    const full = statSync(seg).size;
    truncateSync(seg, full - 5); // the last frame lost its end
    appendFileSync(seg, Buffer.from([1, 2])); // and some garbage landed
    const r = await MetadataLogStore.open(dir, { segmentBytes: 1 << 20 });
    assert.deepEqual(r.recovered().entries, entries(0, 9));
    assert.ok(statSync(seg).size < full - 5, 'the file itself was cut back');
    await r.append(entries(9, 2));
    await r.flush();
    await r.close();
    const again = await MetadataLogStore.open(dir, { segmentBytes: 1 << 20 });
    assert.deepEqual(again.recovered().entries, entries(0, 11));
    await again.close();
  }));

test('a corrupt frame in the middle cuts the log there and drops later segments', () =>
  withDir(async (dir) => {
    const s = await MetadataLogStore.open(dir, { segmentBytes });
    await s.append(entries(0, 20));
    await s.flush();
    await s.close();
    const first = join(dir, segmentName(0));
    const bytes = readFileSync(first);
    bytes[bytes.length - 3]! ^= 0xff;
    writeFileSync(first, bytes);
    const r = await MetadataLogStore.open(dir, { segmentBytes });
    const got = r.recovered().entries;
    assert.ok(got.length < 20 && got.length > 0);
    assert.deepEqual(got, entries(0, got.length));
    assert.equal(readdirSync(dir).filter((f) => f.endsWith('.log')).length, 1);
    await r.close();
  }));

test('quorum-state is replaced atomically and survives a reopen', () =>
  withDir(async (dir) => {
    const s = await MetadataLogStore.open(dir, { segmentBytes });
    await s.writeQuorumState({ epoch: 4, leaderId: 2, votedId: 3 });
    await s.writeQuorumState({ epoch: 5, leaderId: null, votedId: 1 });
    await s.close();
    const r = await MetadataLogStore.open(dir, { segmentBytes });
    assert.deepEqual(r.recovered().quorumState, { epoch: 5, leaderId: null, votedId: 1 });
    assert.ok(!readdirSync(dir).some((f) => f.endsWith('.tmp')));
    await r.close();
    writeFileSync(join(dir, 'quorum-state'), '{"leaderEpoch":');
    await assert.rejects(MetadataLogStore.open(dir, { segmentBytes }), /quorum-state is corrupt/);
  }));

test('snapshots: write, read back, delete older segments; the log resumes after the snapshot', () =>
  withDir(async (dir) => {
    const s = await MetadataLogStore.open(dir, { segmentBytes });
    await s.append(entries(0, 20));
    await s.flush();
    const id = { endOffset: 12, epoch: 1 };
    await s.createSnapshot(id, Buffer.from('state@12'));
    await s.deleteSegmentsBefore(12);
    assert.deepEqual(await s.readSnapshot(id), Buffer.from('state@12'));
    const bases = readdirSync(dir).filter((f) => f.endsWith('.log')).map((f) => Number(f.slice(0, 20)));
    assert.ok(Math.min(...bases) > 0, 'the oldest segments are gone');
    assert.ok(Math.min(...bases) <= 12, 'the segment holding offset 12 is kept');
    await s.close();
    const r = await MetadataLogStore.open(dir, { segmentBytes });
    assert.deepEqual(r.recovered().snapshotId, id);
    assert.deepEqual(r.recovered().entries, entries(12, 8));
    await r.close();
  }));

test('a corrupt newest snapshot is ignored in favour of an older valid one', () =>
  withDir(async (dir) => {
    const s = await MetadataLogStore.open(dir, { segmentBytes: 1 << 20 });
    await s.append(entries(0, 10));
    await s.flush();
    await s.createSnapshot({ endOffset: 4, epoch: 1 }, Buffer.from('four'));
    await s.createSnapshot({ endOffset: 8, epoch: 1 }, Buffer.from('eight'));
    await s.close();
    const newest = join(dir, snapshotName({ endOffset: 8, epoch: 1 }));
    const bytes = readFileSync(newest);
    bytes[bytes.length - 1]! ^= 1;
    writeFileSync(newest, bytes);
    const r = await MetadataLogStore.open(dir, { segmentBytes: 1 << 20 });
    assert.deepEqual(r.recovered().snapshotId, { endOffset: 4, epoch: 1 });
    assert.deepEqual(r.recovered().entries, entries(4, 6));
    await r.close();
  }));

test('a snapshot downloaded in chunks replaces the log, and the file verifies', () =>
  withDir(async (leaderDir) => {
    const leader = await MetadataLogStore.open(leaderDir, { segmentBytes });
    await leader.append(entries(0, 30));
    await leader.flush();
    const id = { endOffset: 25, epoch: 1 };
    await leader.createSnapshot(id, Buffer.from('the state at offset 25, long enough for several chunks'));
    const followerDir = `${leaderDir}-follower`;
    const follower = await MetadataLogStore.open(followerDir, { segmentBytes });
    await follower.append(entries(0, 3));
    await follower.flush();
    for (let position = 0; ; ) {
      const { bytes, size } = await leader.readSnapshotFileChunk(id, position, 16);
      await follower.writeSnapshotChunk({ snapshotId: id, position, bytes, size, complete: position + bytes.length >= size });
      position += bytes.length;
      if (position >= size) break;
    }
    assert.equal(follower.startOffset(), 25);
    assert.equal(follower.endOffset(), 25);
    await follower.append(entries(25, 2));
    await follower.flush();
    await follower.close();
    const r = await MetadataLogStore.open(followerDir, { segmentBytes });
    assert.deepEqual(r.recovered().snapshotId, id);
    assert.deepEqual(await r.readSnapshot(id), await leader.readSnapshot(id));
    assert.deepEqual(r.recovered().entries, entries(25, 2));
    await r.close();
    await leader.close();
    rmSync(followerDir, { recursive: true, force: true });
  }));
