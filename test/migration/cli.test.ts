// `raftka migrate rehearse` as a child process, the way operators run it: --json prints the
// report (exit 3 on the sample: its errors block), the summary lists counts and problems, and
// unreadable input exits 2 with file and offset on stderr and writes no --output file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoPath } from '../../src/common/paths.js';
import { rehearse } from '../../migration/src/rehearse.js';
import { assertSourceAgrees, loadExpected, sampleDir, sampleTree } from './expected.js';
import { scratchCopy, truncate, v2 } from './zk-files.js';

function raftka(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [repoPath('bin', 'raftka.js'), ...args], { encoding: 'utf8', cwd: repoPath() });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('rehearse --zk-data-dir --json prints the report and exits 3 (blocking errors)', async (t) => {
  const dir = scratchCopy(t, () => false);
  const output = join(dir, 'report.json');
  const r = raftka('migrate', 'rehearse', '--zk-data-dir', sampleDir, '--json', '--output', output);
  assert.equal(r.status, 3, r.stderr);
  const report = JSON.parse(r.stdout) as Awaited<ReturnType<typeof rehearse>>['report'];
  assert.deepEqual(report, JSON.parse(JSON.stringify((await rehearse({ zkDataDir: sampleDir })).report)));
  assertSourceAgrees(report, loadExpected(sampleDir));
  assert.deepEqual(JSON.parse(readFileSync(output, 'utf8')), report);
  assert.deepEqual(Object.keys(report), [
    'source',
    'clusterId',
    'counts',
    'topics',
    'brokerConfigs',
    'acls',
    'scramUsers',
    'clientQuotas',
    'producerIdBlock',
    'pendingTopicDeletions',
    'problems',
  ]);
});

test('rehearse --zk-dump without --json prints a readable summary', () => {
  const r = raftka('migrate', 'rehearse', '--zk-dump', sampleTree);
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stdout, /Topics: +5 \(20 partitions\), plus 1 pending deletion, not migrated: legacy\.to-delete/);
  assert.match(r.stdout, /Records to write: +\d+/);
  assert.match(r.stdout, /Read in: +\d+ ms/);
  for (const code of [
    'replica_on_unregistered_broker',
    'missing_partition_state',
    'malformed_json',
    'topic_pending_deletion',
  ])
    assert.match(r.stdout, new RegExp(code));
  assert.match(r.stdout, /NOT migratable/);
});

test('unreadable input exits 2, names file and offset, and writes no report', (t) => {
  const dir = scratchCopy(t, (n) => !n.startsWith('snapshot.') || n === 'snapshot.de');
  truncate(v2(dir, 'snapshot.de'), 9000);
  const output = join(dir, 'report.json');
  const r = raftka('migrate', 'rehearse', '--zk-data-dir', dir, '--json', '--output', output);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /snapshot\.de: at byte offset \d+: truncated/);
  assert.ok(!existsSync(output), 'no report written');
});

test('a newest txn log cut mid-record exits 3 naming the file and the last zxid read (with its time)', (t) => {
  const dir = scratchCopy(t);
  truncate(v2(dir, 'log.df'), 0x6e + 60); // inside log.df's second record
  const r = raftka('migrate', 'rehearse', '--zk-data-dir', dir);
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stdout, /Read up to: +zxid 0xdf, written 20\d\d-\d\d-\d\dT[\d:.]+Z/);
  assert.match(r.stdout, /ERROR +txn_log_truncated +\S+\/version-2\/log\.df/);
  assert.match(r.stdout, /Replay stopped after transaction 0xdf/);
  assert.match(r.stdout, /apply with --force, which will:\n {2}- ZooKeeper's state as of transaction 0xdf/);
  const json = raftka('migrate', 'rehearse', '--zk-data-dir', dir, '--json');
  assert.equal(json.status, 3);
  const report = JSON.parse(json.stdout) as Awaited<ReturnType<typeof rehearse>>['report'];
  assert.equal(report.source.lastZxid, '0xdf');
  assert.match(report.source.lastZxidTime ?? '', /^20\d\d-/);
});

test('a zxid gap exits 3 with zxid_gap naming the missing transactions', (t) => {
  const dir = scratchCopy(t, (n) => n !== 'log.bd' && n !== 'snapshot.de');
  const r = raftka('migrate', 'rehearse', '--zk-data-dir', dir, '--json');
  assert.equal(r.status, 3, r.stderr);
  const report = JSON.parse(r.stdout) as Awaited<ReturnType<typeof rehearse>>['report'];
  const gap = report.problems.find((p) => p.code === 'zxid_gap');
  assert.ok(gap, JSON.stringify(report.problems));
  assert.equal(gap.severity, 'error');
  assert.match(gap.path, /log\.df$/);
  assert.match(gap.message, /transactions 0xbd\.\.0xde are missing/);
  assert.equal(report.source.lastZxid, '0xbc');
});

test('exactly one input must be named', () => {
  assert.notEqual(raftka('migrate', 'rehearse', '--json').status, 0);
});
