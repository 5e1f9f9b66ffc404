import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ClusterError, dataOverrides, defaultDataDir, isOurServer, loadClusterNodes, resolvePaths, runningPid } from '../../src/server/cluster-manager.js';
import { repoPath } from '../../src/common/paths.js';
import { ClusterFixture, isAlive, waitFor } from '../../src/testing/cluster-fixture.js';

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'raftka-cm-'));
  mkdirSync(join(dir, 'cfg'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'cfg', name), text);
  return dir;
}

const node = (id: number, port: number) =>
  [`node.id=${id}`, 'process.roles=controller', `controller.quorum.voters=${id}@127.0.0.1:${port}`, `listeners=CONTROLLER://127.0.0.1:${port}`, 'controller.listener.names=CONTROLLER'].join('\n');

test('the data dir defaults to ./data/<folder name>; node data goes under it by override', () => {
  assert.equal(defaultDataDir('cluster-configs/three-controllers'), resolve('data', 'three-controllers'));
  assert.deepEqual(resolvePaths('x/y', '/d'), { configDir: resolve('x/y'), dataDir: '/d' });
  assert.deepEqual([...dataOverrides('/d/n')], [['log.dirs', '/d/n/logs'], ['metadata.log.dir', '/d/n/logs']]);
});

test('a folder is read as one node per .properties file, validated before anything starts', () => {
  const dir = folder({ 'a.properties': node(1, 9093), 'b.properties': node(2, 9193), 'README.txt': 'ignored' });
  try {
    const nodes = loadClusterNodes({ configDir: join(dir, 'cfg'), dataDir: join(dir, 'data') });
    assert.deepEqual(nodes.map((n) => [n.name, n.config.nodeId]), [['a', 1], ['b', 2]]);
    assert.equal(nodes[0]!.config.metadataLogDir, join(dir, 'data', 'a', 'logs'));
    assert.equal(nodes[0]!.pidFile, join(dir, 'data', 'a.pid'));
    assert.equal(runningPid(nodes[0]!), null, 'no pid file: not running');
    mkdirSync(join(dir, 'data'));
    writeFileSync(nodes[0]!.pidFile, `${process.pid}\n`);
    assert.equal(runningPid(nodes[0]!), null, 'a live pid that is not our server for that config is not ours');
    assert.equal(isOurServer(process.pid, nodes[0]!.configPath), false);
    writeFileSync(join(dir, 'cfg', 'c.properties'), node(1, 9293));
    assert.throws(() => loadClusterNodes({ configDir: join(dir, 'cfg'), dataDir: join(dir, 'data') }), ClusterError);
    writeFileSync(join(dir, 'cfg', 'c.properties'), 'node.id=3\nwhat=ever\n');
    assert.throws(() => loadClusterNodes({ configDir: join(dir, 'cfg'), dataDir: join(dir, 'data') }), /unknown property what/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('foreground `cluster up` prints where the nodes are and stops them all on SIGTERM', { timeout: 60_000 }, async () => {
  const f = await ClusterFixture.controllers({ controllers: 3 });
  try {
    const child = spawn(process.execPath, [repoPath('bin', 'raftka.js'), 'cluster', 'up', '--config-dir', f.configDir, '--data-dir', f.dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    await waitFor('the foreground cluster to be up', async () => (out.includes('Ctrl-C stops every node') ? true : undefined), 30_000);
    assert.match(out, /controller-0: node\.id=1 roles=controller pid=\d+ running listeners=CONTROLLER:\/\/127\.0\.0\.1:\d+ admin=http:\/\/127\.0\.0\.1:\d+ log=/);
    const pids = (await f.status()).map((s) => s.pid);
    assert.equal(pids.filter((p) => p !== null).length, 3);
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    for (const pid of pids) assert.equal(isAlive(pid!), false, `node pid ${pid} stopped`);
    assert.ok((await f.status()).every((s) => s.state === 'stopped'));
  } finally {
    await f.destroy();
  }
});
