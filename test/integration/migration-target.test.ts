// `raftka migrate rehearse --bootstrap-controller` and `apply` against a running KRaft cluster
// whose node ids do not match ZooKeeper's (issue 17 items 2 and 3), through the command line:
// one controller (node 1) and one broker (node 100), made with `cluster up --cluster-id` and the
// sample's ZooKeeper cluster id. The sample's data directory with its newest log cut mid-record:
//  - rehearse exits 3 with the target's problems (broker 1 is a controller, 2 and 3 are not
//    registered) and the truncated log, and no cluster id problem;
//  - apply without --force refuses (exit 3) and writes nothing; with --force it applies, its
//    --force list says what that cost, and stderr carries JSON event lines;
//  - the broker's Metadata then answers LEADER_NOT_AVAILABLE (leader -1) for partitions whose
//    leader is a controller or unregistered (kcat -L);
//  - another ZooKeeper cluster id is reported by rehearse and refused by the controller, both
//    naming `raftka cluster up ... --cluster-id`, a command that exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoPath } from '../../src/common/paths.js';
import { ClusterFixture, waitFor } from '../../src/testing/cluster-fixture.js';
import { kcat } from '../../src/testing/kcat.js';
import type { RehearseReport } from '../../migration/src/report.js';
import { sampleTree } from '../migration/expected.js';
import { scratchCopy, truncate, v2 } from '../migration/zk-files.js';

const sampleId = 'UvImZaYMEtKJGF2VDuiBNg';

/** `raftka args...` in `cwd`; resolves with its exit status, stdout and stderr. */
function run(cwd: string, args: readonly string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [repoPath('bin', 'raftka.js'), ...args],
      { cwd, timeout: 120_000 },
      (err, stdout, stderr) =>
        resolve({ status: err === null ? 0 : typeof err.code === 'number' ? err.code : null, stdout, stderr }),
    );
  });
}

interface KcatMetadata {
  topics: { topic: string; partitions: { partition: number; leader: number; error?: string }[] }[];
}

test("rehearse and apply against a cluster whose ids are not ZooKeeper's: reported, refused, forced; Metadata says LEADER_NOT_AVAILABLE", {
  timeout: 180_000,
}, async (t) => {
  const f = await ClusterFixture.controllers({ controllers: 1, brokers: 1 });
  t.after(() => f.destroy());
  await f.raftka(
    'cluster',
    'up',
    '--config-dir',
    f.configDir,
    '--data-dir',
    f.dataDir,
    '--detach',
    '--cluster-id',
    sampleId,
  );
  assert.equal((await f.quorumStatus()).clusterId, sampleId, 'cluster up --cluster-id formatted the cluster with it');
  const bc = `127.0.0.1:${f.controllerPorts[0]}`;
  const raftka = (...args: string[]) => run(f.root, args);

  const dir = scratchCopy(t);
  truncate(v2(dir, 'log.df'), 0x6e + 60); // the newest log, cut inside its second record
  const rehearsed = await waitFor(
    'rehearse to see broker 100 registered',
    async () => {
      const r = await raftka('migrate', 'rehearse', '--zk-data-dir', dir, '--bootstrap-controller', bc, '--json');
      assert.equal(r.status, 3, r.stderr);
      const report = JSON.parse(r.stdout) as RehearseReport;
      return report.target?.brokers.some((b) => b.id === 100) ? report : undefined;
    },
    60_000,
    500,
  );
  assert.deepEqual(rehearsed.target?.controllerIds, [1]);
  const found = rehearsed.problems.map((p) => `${p.severity} ${p.code} ${p.path}`);
  for (const want of [
    'error broker_not_registered /brokers/ids/2',
    'error broker_not_registered /brokers/ids/3',
    `error txn_log_truncated ${v2(dir, 'log.df')}`,
  ])
    assert.ok(found.includes(want), `${want} in ${found.join('\n')}`);
  assert.ok(
    rehearsed.problems.some(
      (p) => p.code === 'broker_id_is_controller' && /node 1 of the KRaft cluster, a controller/.test(p.message),
    ),
    found.join('\n'),
  );
  assert.ok(!found.some((p) => p.includes('cluster_id_mismatch')));

  const blocked = await raftka('migrate', 'apply', '--zk-data-dir', dir, '--bootstrap-controller', bc);
  assert.equal(blocked.status, 3, blocked.stdout + blocked.stderr);
  assert.match(blocked.stdout, /error broker_id_is_controller/);
  assert.match(blocked.stdout, /error txn_log_truncated .*log\.df: log\.df is cut short/);

  const forced = await raftka(
    'migrate',
    'apply',
    '--zk-data-dir',
    dir,
    '--bootstrap-controller',
    bc,
    '--force',
    '--json',
  );
  assert.equal(forced.status, 0, forced.stdout + forced.stderr);
  const result = JSON.parse(forced.stdout) as { outcome: string; forced: string[]; targetProblems: { code: string }[] };
  assert.equal(result.outcome, 'applied');
  assert.match(result.forced.join('\n'), /ZooKeeper's state as of transaction 0xdf .* is migrated/);
  assert.match(result.forced.join('\n'), /not a broker of the KRaft cluster/);
  assert.ok(result.targetProblems.some((p) => p.code === 'broker_not_registered'));
  for (const line of forced.stderr.split('\n').filter((l) => l !== ''))
    assert.ok(['progress', 'retry', 'controller-change'].includes((JSON.parse(line) as { event: string }).event), line);

  // The broker serves the migrated topics, but no partition has a leader that is a broker.
  const md = await waitFor(
    'the broker to serve the migrated topics',
    async () => {
      const out = JSON.parse(
        (await kcat(['-b', f.bootstrapServers, '-L', '-J', '-t', 'orders', '-m', '5'])).stdout,
      ) as KcatMetadata;
      const orders = out.topics.find((x) => x.topic === 'orders');
      return orders && orders.partitions.length > 0 ? orders : undefined;
    },
    30_000,
    200,
  );
  for (const p of md.partitions) {
    assert.equal(p.leader, -1, `orders-${p.partition}`);
    assert.match(p.error ?? '', /leader not available/i, `orders-${p.partition}`);
  }

  // Another ZooKeeper cluster: rehearse says so, the controller refuses; both name commands that exist.
  const tree = JSON.parse(readFileSync(sampleTree, 'utf8')) as Record<string, { data: string }>;
  tree['/cluster/id']!.data = JSON.stringify({ version: '1', id: 'AAAAAAAAAAAAAAAAAAAAAA' });
  const other = join(f.root, 'other-cluster.json');
  writeFileSync(other, JSON.stringify(tree));
  const wrong = await raftka('migrate', 'rehearse', '--zk-dump', other, '--bootstrap-controller', bc, '--json');
  assert.equal(wrong.status, 3);
  const mismatch = (JSON.parse(wrong.stdout) as RehearseReport).problems.find((p) => p.code === 'cluster_id_mismatch');
  assert.match(mismatch?.message ?? '', /raftka cluster up --config-dir D --cluster-id AAAAAAAAAAAAAAAAAAAAAA/);
  const refused = await raftka('migrate', 'apply', '--zk-dump', other, '--bootstrap-controller', bc, '--force');
  assert.equal(refused.status, 1, refused.stdout + refused.stderr);
  assert.match(
    refused.stdout,
    /INCONSISTENT_CLUSTER_ID.*raftka cluster up --config-dir D --cluster-id AAAAAAAAAAAAAAAAAAAAAA/,
  );
});
