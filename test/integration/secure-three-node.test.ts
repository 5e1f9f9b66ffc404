// cluster-configs/secure-three-node as a user runs it (ports rewritten to ephemeral ones):
// `raftka certs create`, `cluster up` (its CONTROLLER and REPLICATION links mutual TLS), the quorum
// described with and without a client certificate, a SCRAM user added with `raftka configs`, then topics,
// console-producer and console-consumer with `--command-config clients/alice.properties` over
// SASL_SSL with SCRAM-SHA-256, kcat with SCRAM-SHA-512, the PLAIN admin of clients/admin.properties,
// and a console page (the console logs in as the node does).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '../../src/common/paths.js';
import { freePorts, waitFor } from '../../src/testing/cluster-fixture.js';
import { kcat } from '../../src/testing/kcat.js';
import { raftkaCli as raftka } from '../../src/testing/raftka-cli.js';

/** Copies the folder with every 127.0.0.1:9k9d port moved to a free one; returns the map. */
async function copyWithEphemeralPorts(from: string, to: string): Promise<Map<number, number>> {
  const fixed = [0, 1, 2].flatMap((k) => [2, 3, 4, 5].map((d) => 9000 + 100 * k + 90 + d));
  const free = await freePorts(fixed.length);
  const map = new Map(fixed.map((p, i) => [p, free[i]!]));
  const rewrite = (text: string): string =>
    text.replace(/127\.0\.0\.1:(\d+)/g, (_m, p: string) => `127.0.0.1:${map.get(Number(p)) ?? p}`);
  for (const dir of ['', 'clients']) {
    mkdirSync(join(to, dir), { recursive: true });
    for (const f of readdirSync(join(from, dir)).filter((n) => n.endsWith('.properties')))
      writeFileSync(join(to, dir, f), rewrite(readFileSync(join(from, dir, f), 'utf8')));
  }
  return map;
}

test('secure-three-node: certs create, cluster up, SCRAM over SASL_SSL with the CLI and kcat', {
  timeout: 240_000,
}, async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'raftka-secure-'));
  const dir = join(root, 'secure-three-node');
  const ports = await copyWithEphemeralPorts(repoPath('cluster-configs', 'secure-three-node'), dir);
  const folder = ['--config-dir', dir, '--data-dir', join(root, 'data')];
  t.after(async () => {
    await raftka(['cluster', 'down', ...folder]).catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  });
  const made = await raftka(['certs', 'create', '--dir', join(dir, 'certs')]);
  assert.match(made.stdout, /node-2\.pem/);
  await raftka(['cluster', 'up', ...folder, '--detach']);
  const bs = [9092, 9192, 9292].map((p) => `127.0.0.1:${ports.get(p)}`).join(',');
  const controller = `127.0.0.1:${ports.get(9093)}`;
  // The controller listener is mutual TLS: tools present the client certificate of clients/controller.properties.
  const controllerTls = ['--command-config', join(dir, 'clients', 'controller.properties')];
  const noCertificate = await raftka([
    'metadata-quorum',
    '--bootstrap-controller',
    controller,
    'describe',
    '--status',
  ]).then(
    () => 'answered',
    (err: Error) => err.message,
  );
  assert.match(noCertificate, /refused this connection: this listener takes TLS connections/);
  const quorum = await raftka([
    'metadata-quorum',
    '--bootstrap-controller',
    controller,
    ...controllerTls,
    'describe',
    '--status',
  ]);
  assert.match(quorum.stdout, /CurrentVoters:\s+\[1,\s*2,\s*3\]/);
  await raftka([
    ...[
      'configs',
      '--bootstrap-controller',
      controller,
      ...controllerTls,
      '--entity-type',
      'users',
      '--entity-name',
      'alice',
    ],
    ...['--alter', '--add-config', 'SCRAM-SHA-256=[password=alice-secret],SCRAM-SHA-512=[password=alice-secret]'],
  ]);
  const alice = ['--command-config', join(dir, 'clients', 'alice.properties')];
  // The credential reaches every broker through the metadata log: retry until the login works.
  const created = await waitFor(
    'alice creating a topic over SASL_SSL',
    async () =>
      (
        await raftka([
          'topics',
          '--bootstrap-server',
          bs,
          ...alice,
          '--create',
          '--topic',
          'secure',
          '--partitions',
          '3',
        ])
      ).stdout,
    30_000,
    200,
  );
  assert.match(created, /Created topic secure\./);
  await raftka(['console-producer', '--bootstrap-server', bs, ...alice, '--topic', 'secure'], 'one\ntwo\nthree\n');
  const consumed = await raftka([
    ...['console-consumer', '--bootstrap-server', bs, ...alice, '--topic', 'secure'],
    ...['--from-beginning', '--max-messages', '3', '--timeout-ms', '20000'],
  ]);
  assert.deepEqual(consumed.stdout.trim().split('\n').sort(), ['one', 'three', 'two']);
  // kcat (librdkafka) with SCRAM-SHA-512, and the PLAIN admin of the JAAS config.
  const tls = ['-X', 'security.protocol=SASL_SSL', '-X', `ssl.ca.location=${join(dir, 'certs', 'ca.pem')}`];
  const scram512 = [
    '-X',
    'sasl.mechanisms=SCRAM-SHA-512',
    '-X',
    'sasl.username=alice',
    '-X',
    'sasl.password=alice-secret',
  ];
  const read = await kcat(
    ['-b', bs, ...tls, ...scram512, '-C', '-t', 'secure', '-o', 'beginning', '-e', '-q'],
    undefined,
    60_000,
  );
  assert.equal(read.code, 0, read.stderr);
  assert.deepEqual(read.stdout.trim().split('\n').sort(), ['one', 'three', 'two']);
  const admin = await raftka([
    'topics',
    '--bootstrap-server',
    bs,
    '--command-config',
    join(dir, 'clients', 'admin.properties'),
    '--list',
  ]);
  assert.match(admin.stdout, /secure/);
  // The web console reaches a cluster without PLAINTEXT listeners with the node's own inter-broker login.
  const page = await fetch(`http://127.0.0.1:${ports.get(9095)}/ui/topics/secure`);
  const body = await page.text();
  assert.equal(page.status, 200, body);
  assert.match(body, /Topic secure/);
  assert.doesNotMatch(body, /class="error"/);
});
