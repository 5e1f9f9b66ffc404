// `raftka migrate rehearse / apply / verify` against a cluster whose controller listener is mutual
// TLS (CONTROLLER:SSL, REPLICATION:SSL; certificates made by `certs create`'s code): one combined
// node. With `--command-config` naming a client certificate of the cluster's CA (security.protocol=SSL)
// the sample ZooKeeper fixture is rehearsed against the cluster, applied (--force: the sample has
// blocking problems by design) and verified equal; without it every command fails with exit 1 and
// the controller's refusal (a plaintext connection to a mutual-TLS listener), and nothing is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ExecFileException, execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoPath } from '../../src/common/paths.js';
import { createCertificates } from '../../src/security/certs.js';
import { ClusterFixture, waitFor } from '../../src/testing/cluster-fixture.js';
import { sampleTree } from '../migration/expected.js';

interface Run {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `raftka ...` in the fixture's root, whatever its exit code. */
function raftka(f: ClusterFixture, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [repoPath('bin', 'raftka.js'), ...args],
      { cwd: f.root, timeout: 60_000 },
      (err: ExecFileException | null, stdout, stderr) =>
        resolve({ status: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

test('migrate over a mutual-TLS controller listener: works with --command-config, refused without', {
  timeout: 120_000,
}, async (t) => {
  const f = await ClusterFixture.combined({
    nodes: 1,
    extra: {
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:SSL,REPLICATION:SSL',
      'ssl.keystore.location': join('..', 'certs', 'node-1.pem'),
      'ssl.truststore.location': join('..', 'certs', 'ca.pem'),
    },
  });
  t.after(() => f.destroy({ graceful: false }));
  await createCertificates({ dir: join(f.root, 'certs'), names: ['node-1', 'client'] });
  mkdirSync(join(f.root, 'clients'));
  const commandConfig = join(f.root, 'clients', 'controller.properties');
  writeFileSync(
    commandConfig,
    [
      'security.protocol=SSL',
      'ssl.keystore.type=PEM',
      'ssl.keystore.location=../certs/client.pem',
      'ssl.truststore.type=PEM',
      'ssl.truststore.location=../certs/ca.pem',
      '',
    ].join('\n'),
  );
  const tls = ['--command-config', commandConfig];
  await f.up();
  const bc = `127.0.0.1:${f.controllerPorts[0]}`;
  const quorum = await waitFor('a quorum leader', async () => {
    const r = await raftka(
      f,
      'metadata-quorum',
      '--bootstrap-controller',
      bc,
      ...tls,
      'describe',
      '--status',
      '--json',
    );
    const q = r.status === 0 ? (JSON.parse(r.stdout) as { clusterId: string; leaderId: number }) : null;
    return q && q.leaderId === 1 ? q : undefined;
  });

  // The sample's znode tree, carrying this cluster's id (a migration refuses another cluster's).
  const tree = JSON.parse(readFileSync(sampleTree, 'utf8')) as Record<string, { data: string }>;
  tree['/cluster/id']!.data = JSON.stringify({ version: '1', id: quorum.clusterId });
  const dump = join(f.root, 'sample-tree.json');
  writeFileSync(dump, JSON.stringify(tree));
  const input = ['--zk-dump', dump, '--bootstrap-controller', bc];
  const refusal = /UNAUTHENTICATED.*refused this connection: this listener takes TLS connections/;

  // Without --command-config: a clear refusal from the controller, exit 1, nothing written.
  for (const command of ['rehearse', 'apply', 'verify']) {
    const plain = await raftka(f, 'migrate', command, ...input, ...(command === 'apply' ? ['--force'] : []));
    assert.equal(plain.status, 1, `${command}: ${plain.stdout}${plain.stderr}`);
    assert.match(plain.stderr, refusal, command);
  }

  const rehearsed = await raftka(f, 'migrate', 'rehearse', ...input, ...tls, '--json');
  assert.equal(rehearsed.status, 3, rehearsed.stderr); // the sample's blocking problems, the target was reached
  const report = JSON.parse(rehearsed.stdout) as { target?: { clusterId: string } };
  assert.equal(report.target?.clusterId, quorum.clusterId);

  const applied = await raftka(f, 'migrate', 'apply', ...input, ...tls, '--force', '--json');
  assert.equal(applied.status, 0, applied.stdout + applied.stderr);
  const result = JSON.parse(applied.stdout) as { outcome: string; recordsWritten: number };
  assert.equal(result.outcome, 'applied');
  assert.ok(result.recordsWritten > 0);

  const verified = await raftka(f, 'migrate', 'verify', ...input, ...tls, '--json');
  assert.equal(verified.status, 0, verified.stdout + verified.stderr);
  assert.equal((JSON.parse(verified.stdout) as { equal: boolean }).equal, true);
});
