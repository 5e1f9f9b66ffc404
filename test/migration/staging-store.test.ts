// The LevelDB staging store and the apply journal (issue 7 item 6): the sample's data
// directory read into LevelZnodeStore gives tree.json exactly from every snapshot; random
// create/set/delete/close-session sequences leave LevelZnodeStore and MemoryZnodeTree equal
// (past several write-back flushes); an invalid newest snapshot leaves nothing of itself in the
// store; a kept staging dir makes the next rehearse resume without reading the files, and a
// changed data directory is read again; the journal finds a run that never got its answer; the
// snapshot writer (used by the bench) round-trips through the reader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplyJournal, journalEntriesMax } from '../../migration/src/apply-journal.js';
import { rehearse } from '../../migration/src/rehearse.js';
import { readDataDir } from '../../migration/src/zk/data-dir-reader.js';
import { treeToDump } from '../../migration/src/zk/json-dump-writer.js';
import { LevelZnodeStore, pendingNodesMax } from '../../migration/src/zk/level-znode-store.js';
import { writeSnapshot } from '../../migration/src/zk/snapshot-writer.js';
import { childPath, MemoryZnodeTree, type Znode, type ZnodeStore } from '../../migration/src/zk/znode-tree.js';
import { sampleDir, sampleTree } from './expected.js';
import { flipByte, scratchCopy, v2 } from './zk-files.js';
import { SeededRandom } from '../../src/testing/seeded-random.js';

const liveTree = JSON.parse(readFileSync(sampleTree, 'utf8')) as Record<string, unknown>;
const snapshots = readdirSync(join(sampleDir, 'version-2')).filter((n) => n.startsWith('snapshot.'));

function scratchDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'raftka-staging-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function openStore(t: { after: (fn: () => Promise<void>) => void }, dir: string): Promise<LevelZnodeStore> {
  const store = await LevelZnodeStore.open(dir);
  t.after(() => store.close().catch(() => undefined));
  return store;
}

test('every snapshot of the sample, read into the LevelDB store, replays to tree.json exactly', async (t) => {
  for (const snapshot of snapshots) {
    const store = await openStore(t, join(scratchDir(t), 'tree'));
    const r = await readDataDir(sampleDir, { snapshot, store });
    assert.equal(r.tree, store);
    assert.deepEqual(await treeToDump(store), liveTree, snapshot);
    assert.equal(store.size, 130);
    await store.close();
  }
});

const stat = (zxid: bigint, owner = 0n) => ({
  czxid: zxid,
  mzxid: zxid,
  pzxid: zxid,
  ctime: zxid,
  mtime: zxid,
  version: 0,
  cversion: 0,
  aversion: 0,
  ephemeralOwner: owner,
});

test('random writes, data changes, subtree deletes and session ephemerals leave the LevelDB store equal to the memory tree', async (t) => {
  const seed = 20261124;
  const rng = new SeededRandom(seed);
  const rnd = (): number => rng.next();
  const levelDir = join(scratchDir(t), 'tree');
  const level = await openStore(t, levelDir);
  const memory = new MemoryZnodeTree();
  const stores: ZnodeStore[] = [level, memory];
  const root: Znode = { path: '/', data: null, acl: [], stat: stat(0n) };
  for (const s of stores) await s.writeBatch([{ ...root, stat: { ...root.stat } }]);
  const paths: string[] = ['/'];
  // A big first batch, so the write-back cache flushes several times.
  const bulk: Znode[] = [];
  for (let i = 0; i < pendingNodesMax * 2 + 123; i++) {
    const p = childPath(`/b${i % 7}`, `n${i}`);
    if (i < 7) bulk.push({ path: `/b${i}`, data: null, acl: [], stat: stat(BigInt(i + 1)) });
    bulk.push({ path: p, data: Uint8Array.from([i & 255]), acl: [], stat: stat(BigInt(i + 10)) });
  }
  bulk.sort((a, b) => a.path.split('/').length - b.path.split('/').length);
  for (const s of stores) await s.writeBatch(bulk.map((n) => ({ ...n, stat: { ...n.stat } })));
  paths.push(...bulk.map((n) => n.path));
  for (let step = 0; step < 3000; step++) {
    const r = rnd();
    const target = paths[Math.floor(rnd() * paths.length)]!;
    if (r < 0.45) {
      const child = childPath(target, `x${step}`);
      const owner = rnd() < 0.3 ? BigInt(1 + Math.floor(rnd() * 3)) : 0n;
      if (!(await memory.exists(target))) continue;
      for (const s of stores)
        await s.write({
          path: child,
          data: Uint8Array.from([step & 255, 7]),
          acl: [],
          stat: stat(BigInt(100_000 + step), owner),
        });
      paths.push(child);
    } else if (r < 0.75) {
      for (const s of stores) {
        const n = await s.get(target);
        if (!n) continue;
        n.data = Uint8Array.from([step & 255]);
        n.stat.version++;
        await s.write(n);
      }
    } else if (r < 0.97) {
      if (target === '/') continue;
      const results = await Promise.all(stores.map((s) => s.erase(target)));
      assert.equal(results[0], results[1], `erase ${target} at step ${step} (seed ${seed})`);
    } else {
      const owner = BigInt(1 + Math.floor(rnd() * 3));
      const [a, b] = await Promise.all(stores.map((s) => s.ephemeralPaths(owner)));
      assert.deepEqual(a, b, `ephemerals of ${owner} at step ${step} (seed ${seed})`);
      for (const p of a!) for (const s of stores) await s.erase(p);
    }
  }
  assert.equal(level.size, memory.size);
  assert.deepEqual(await treeToDump(level), await treeToDump(memory));
  for (const p of ['/', '/b0', '/b3']) assert.deepEqual(await level.children(p), await memory.children(p), p);
  // Reopened, the store is what it was.
  const before = await treeToDump(level);
  await level.close();
  const reopened = await openStore(t, levelDir);
  assert.equal(reopened.size, memory.size);
  assert.deepEqual(await treeToDump(reopened), before);
});

test('an invalid newest snapshot leaves nothing of itself in the store: the older one replays to tree.json', async (t) => {
  const dir = scratchCopy(t);
  flipByte(v2(dir, 'snapshot.de'), 200);
  const store = await openStore(t, join(scratchDir(t), 'tree'));
  const r = await readDataDir(dir, { store });
  assert.equal(r.source.snapshotFile, 'snapshot.bb');
  assert.deepEqual(
    r.notes.map((n) => n.code),
    ['snapshot_skipped'],
  );
  assert.deepEqual(await treeToDump(store), liveTree);
});

test('a kept staging dir resumes rehearse without reading the files; a changed data directory is read again; a failed read leaves nothing to resume', async (t) => {
  const dir = scratchCopy(t);
  const staging = scratchDir(t);
  const first = await rehearse({ zkDataDir: dir, stagingDir: staging });
  assert.equal(first.resumed, false);
  const second = await rehearse({ zkDataDir: dir, stagingDir: staging });
  assert.equal(second.resumed, true);
  assert.deepEqual(second.report, first.report);
  assert.deepEqual(second.plan.records, first.plan.records);

  // A log file touched: the fingerprint changes, the files are read again.
  const log = v2(dir, 'log.df');
  utimesSync(log, new Date(), new Date(Date.now() + 5_000));
  const third = await rehearse({ zkDataDir: dir, stagingDir: staging });
  assert.equal(third.resumed, false);
  assert.deepEqual(third.report, first.report);

  // Every snapshot broken: the read fails, and the kept store holds nothing to resume from.
  for (const s of snapshots) flipByte(v2(dir, s), 100);
  await assert.rejects(rehearse({ zkDataDir: dir, stagingDir: staging }), /at byte offset/);
  const store = await LevelZnodeStore.open(join(staging, 'tree'));
  try {
    assert.equal(store.size, 0);
    assert.equal(await store.readMeta(), undefined);
  } finally {
    await store.close();
  }
});

test('the apply journal finds the run that sent its records and never got an answer, and keeps a bounded history', async (t) => {
  const dir = join(scratchDir(t), 'journal');
  let j = await ApplyJournal.open(dir);
  assert.equal(await j.interruptedRun(), null);
  await j.append({ at: 't1', run: 'r1', phase: 'read', records: 10 });
  await j.append({ at: 't2', run: 'r1', phase: 'sent', records: 10 });
  await j.close();
  j = await ApplyJournal.open(dir);
  assert.deepEqual(
    (await j.interruptedRun())?.map((e) => e.phase),
    ['read', 'sent'],
  );
  await j.append({ at: 't3', run: 'r2', phase: 'read', records: 10 });
  await j.append({ at: 't4', run: 'r2', phase: 'sent', records: 10 });
  await j.append({ at: 't5', run: 'r2', phase: 'already-migrated', records: 10, metadataOffset: 42 });
  assert.equal(await j.interruptedRun(), null);
  for (let i = 0; i < journalEntriesMax + 5; i++)
    await j.append({ at: `u${i}`, run: `r${i + 3}`, phase: 'applied', records: 1 });
  const entries = await j.entries();
  assert.equal(entries.length, journalEntriesMax);
  assert.equal(entries[entries.length - 1]!.at, `u${journalEntriesMax + 4}`);
  await j.close();
});

test('the snapshot writer round-trips: the sample written as one snapshot reads back to tree.json', async (t) => {
  const r = await readDataDir(sampleDir);
  const dir = scratchDir(t);
  mkdirSync(join(dir, 'version-2'));
  writeFileSync(join(dir, 'version-2', 'snapshot.13f'), await writeSnapshot(r.tree, r.sessions));
  const store = await openStore(t, join(scratchDir(t), 'tree'));
  const back = await readDataDir(dir, { store });
  assert.deepEqual(await treeToDump(store), liveTree);
  assert.deepEqual(back.sessions, r.sessions);
  assert.deepEqual(back.notes, []);
});
