// The ZooKeeper readers against real ZooKeeper 3.8 files: from every snapshot of the sample,
// replaying the logs after it gives exactly the tree read back from the live server
// (tree.json: data, ACL and every stat field); the JSON dump reader gives the same tree; gz and
// snappy snapshots read the same; an invalid newest snapshot falls back to an older one and a torn newest
// log stops replay, each an error naming the file, the zxids and the time read up to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { readDataDir } from '../../migration/src/zk/data-dir-reader.js';
import { readJsonDump } from '../../migration/src/zk/json-dump-reader.js';
import { treeToDump } from '../../migration/src/zk/json-dump-writer.js';
import { sampleDir, sampleTree } from './expected.js';
import { gzipFile, scratchCopy, snappyFile, truncate, v2 } from './zk-files.js';

const liveTree = JSON.parse(readFileSync(sampleTree, 'utf8')) as Record<string, unknown>;
const snapshots = readdirSync(join(sampleDir, 'version-2')).filter((n) => n.startsWith('snapshot.'));

test('the sample holds seven snapshots', () => assert.equal(snapshots.length, 7));

for (const snapshot of snapshots) {
  test(`${snapshot} + the logs after it replay to tree.json exactly`, async () => {
    const r = await readDataDir(sampleDir, { snapshot });
    assert.deepEqual(await treeToDump(r.tree), liveTree);
    assert.equal(r.source.lastZxid, 0x13fn);
    assert.deepEqual(r.notes, []);
    assert.equal(r.sessions.size, 3, 'three broker sessions are still open');
  });
}

test('without a choice the newest snapshot is used and only the logs it needs are replayed', async () => {
  const r = await readDataDir(sampleDir);
  assert.equal(r.source.snapshotFile, 'snapshot.de');
  assert.deepEqual(r.source.txnLogsReplayed, ['log.bd', 'log.df']);
  assert.deepEqual(await treeToDump(r.tree), liveTree);
});

test('the JSON dump reader gives the same tree', async () => {
  const r = await readJsonDump(sampleTree);
  assert.deepEqual(await treeToDump(r.tree), liveTree);
  assert.equal(r.tree.size, 130);
});

test('gzip and snappy compressed snapshots read the same', async (t) => {
  for (const kind of ['gz', 'snappy'] as const) {
    const dir = scratchCopy(t);
    const plain = v2(dir, 'snapshot.de');
    if (kind === 'gz') gzipFile(plain, `${plain}.gz`);
    else snappyFile(plain, `${plain}.snappy`);
    rmSync(plain);
    const r = await readDataDir(dir);
    assert.equal(r.source.snapshotFile, `snapshot.de.${kind}`);
    assert.deepEqual(await treeToDump(r.tree), liveTree, kind);
  }
});

test('a truncated newest snapshot is skipped (an error needing --force); the older one plus logs gives the same tree', async (t) => {
  const dir = scratchCopy(t);
  truncate(v2(dir, 'snapshot.de'), 9000);
  const r = await readDataDir(dir);
  assert.equal(r.source.snapshotFile, 'snapshot.bb');
  assert.deepEqual(r.source.txnLogsReplayed, ['log.94', 'log.bd', 'log.df']);
  assert.deepEqual(await treeToDump(r.tree), liveTree);
  assert.equal(r.notes.length, 1);
  assert.equal(r.notes[0]!.code, 'snapshot_skipped');
  assert.equal(r.notes[0]!.severity, 'error');
  assert.match(r.notes[0]!.path, /snapshot\.de$/);
  assert.match(r.notes[0]!.message, /truncated/);
  assert.match(
    r.notes[0]!.message,
    /rebuilt from snapshot\.bb.*the logs reach 0x13f \(20\d\d-.*Z\), past its zxid 0xde/,
  );
  assert.match(r.forced[0]!, /rebuilt from snapshot\.bb/);
});

test('a torn last record in the newest log stops replay: an error naming the file, the record and the last zxid read', async (t) => {
  const dir = scratchCopy(t);
  // log.df's second record starts at 0x6e (FORMAT.md); cut it in half.
  truncate(v2(dir, 'log.df'), 0x6e + 60);
  const r = await readDataDir(dir);
  assert.equal(r.source.lastZxid, 0xdfn, 'only the first txn of log.df survives');
  assert.ok(
    r.source.lastZxidTime !== null && r.source.lastZxidTime > 1_600_000_000_000n,
    'the time of 0xdf, from its record',
  );
  assert.equal(r.notes.length, 1);
  const p = r.notes[0]!;
  assert.deepEqual([p.severity, p.code, p.path], ['error', 'txn_log_truncated', v2(dir, 'log.df')]);
  assert.match(p.message, /log\.df is cut short at byte offset 110/);
  assert.match(p.message, /the damaged record is transaction 0xe0/);
  assert.match(p.message, /Replay stopped after transaction 0xdf \(20\d\d-/);
  assert.match(p.message, /from 0xe0 on .* lost/);
  assert.match(r.forced[0]!, /as of transaction 0xdf/);
});

test('a data directory given as its version-2 folder works too', async (t) => {
  const dir = scratchCopy(t);
  renameSync(join(dir, 'version-2'), join(dir, 'v2copy'));
  const r = await readDataDir(join(dir, 'v2copy'));
  assert.deepEqual(await treeToDump(r.tree), liveTree);
});
