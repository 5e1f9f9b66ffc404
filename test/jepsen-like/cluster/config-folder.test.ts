// The folder a jepsen-like run is modelled on: three-node is taken with its settings and without
// the keys the harness owns; folders that are not combined nodes with ids 1..n are refused;
// secure-three-node's mutual-TLS links are kept, its certificate locations made absolute.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import {
  harnessOwnedKeys,
  harnessProtocolMap,
  linksAreTls,
  readConfigFolder,
} from '../../../jepsen-like/src/cluster/config-folder.js';
import { repoPath } from '../../../src/common/paths.js';

test('three-node: three nodes in id order, its quorum timeouts kept, addresses and roles left to the harness', () => {
  const f = readConfigFolder(repoPath('cluster-configs', 'three-node'));
  assert.equal(f.settings.length, 3);
  for (const s of f.settings) {
    assert.equal(s['controller.quorum.fetch.timeout.ms'], '300');
    assert.equal(s['controller.quorum.election.timeout.ms'], '150');
    for (const k of Object.keys(s)) assert.ok(!harnessOwnedKeys.has(k), `${k} is the harness's`);
  }
  assert.deepEqual(f.links, { controller: 'PLAINTEXT', replication: 'PLAINTEXT' });
  assert.equal(linksAreTls(f.links), false);
});

test('secure-three-node: its CONTROLLER:SSL and REPLICATION:SSL links kept, ssl.* locations absolute', () => {
  const folder = repoPath('cluster-configs', 'secure-three-node');
  const f = readConfigFolder(folder);
  assert.deepEqual(f.links, { controller: 'SSL', replication: 'SSL' });
  assert.equal(linksAreTls(f.links), true);
  assert.equal(harnessProtocolMap(f.links), 'PLAINTEXT:PLAINTEXT,CONTROLLER:SSL,REPLICATION:SSL');
  f.settings.forEach((s, k) => {
    assert.equal(s['ssl.keystore.location'], join(folder, 'certs', `node-${k}.pem`));
    assert.equal(s['ssl.truststore.location'], join(folder, 'certs', 'ca.pem'));
    assert.ok(isAbsolute(s['ssl.truststore.location']!));
  });
});

test('isolated controllers and brokers, or node ids that are not 1..n, are refused with the reason', () => {
  assert.throws(
    () => readConfigFolder(repoPath('cluster-configs', 'isolated-3c3b')),
    /combined nodes .*process\.roles=/,
  );
  const dir = mkdtempSync(join(tmpdir(), 'raftka-folder-'));
  try {
    const node = (id: number, port: number, voters: string): string =>
      [
        `node.id=${id}`,
        'process.roles=broker,controller',
        `controller.quorum.voters=${voters}`,
        `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${port + 1}`,
        'controller.listener.names=CONTROLLER',
        'num.partitions=7',
      ].join('\n');
    writeFileSync(join(dir, 'a.properties'), node(2, 19092, '2@127.0.0.1:19093,3@127.0.0.1:19193'));
    writeFileSync(join(dir, 'b.properties'), node(3, 19192, '2@127.0.0.1:19093,3@127.0.0.1:19193'));
    assert.throws(() => readConfigFolder(dir), /node ids are 2, 3/);
    writeFileSync(join(dir, 'a.properties'), node(1, 19092, '1@127.0.0.1:19093,2@127.0.0.1:19193'));
    writeFileSync(join(dir, 'b.properties'), node(2, 19192, '1@127.0.0.1:19093,2@127.0.0.1:19193'));
    const ok = readConfigFolder(dir);
    assert.deepEqual(ok.settings, [{ 'num.partitions': '7' }, { 'num.partitions': '7' }]);
    writeFileSync(join(dir, 'b.properties'), 'node.id=2\nprocess.roles=broker\nbogus.key=1\n');
    assert.throws(() => readConfigFolder(dir), /unknown property bogus\.key/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
