import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  ClusterError,
  clusterDown,
  clusterStatus,
  clusterUp,
  dataOverrides,
  defaultDataDir,
  isOurServer,
  isServerCommandLine,
  loadClusterNodes,
  nodeNames,
  planStorage,
  resolvePaths,
  runningPid,
  serverArgs,
  tailOfFile,
} from '../../src/server/cluster-manager.js';
import { repoPath } from '../../src/common/paths.js';
import { formatStorage, readMetaProperties } from '../../src/server/storage-format.js';
import { ClusterFixture, freePorts, isAlive, waitFor } from '../../src/testing/cluster-fixture.js';

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'raftka-cm-'));
  mkdirSync(join(dir, 'cfg'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'cfg', name), text);
  return dir;
}

const node = (id: number, port: number, extra: string[] = []) =>
  [
    `node.id=${id}`,
    'process.roles=controller',
    `controller.quorum.voters=${id}@127.0.0.1:${port}`,
    `listeners=CONTROLLER://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    ...extra,
  ].join('\n');

const broker = (id: number, port: number) =>
  [
    `node.id=${id}`,
    'process.roles=broker',
    'controller.quorum.voters=1@127.0.0.1:9093',
    `listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
  ].join('\n');

/** A process that looks like `server start --config <configPath>` to /proc but is not ours to manage. */
function impostor(configPath: string): { pid: number; kill: () => void } {
  const child = spawn(
    process.execPath,
    ['-e', 'setTimeout(() => {}, 60000)', '--', 'server', 'start', '--config', configPath],
    { stdio: 'ignore' },
  );
  assert.ok(child.pid);
  return { pid: child.pid, kill: () => child.kill('SIGKILL') };
}

test('the data dir defaults to ./data/<folder name>; node data goes under it by override', () => {
  assert.equal(defaultDataDir('cluster-configs/three-controllers'), resolve('data', 'three-controllers'));
  assert.deepEqual(resolvePaths('x/y', '/d'), { configDir: resolve('x/y'), dataDir: '/d' });
  assert.deepEqual(resolvePaths('x/y'), { configDir: resolve('x/y'), dataDir: resolve('data', 'y') });
  assert.deepEqual(
    [...dataOverrides('/d/n')],
    [
      ['log.dirs', '/d/n/logs'],
      ['metadata.log.dir', '/d/n/logs'],
    ],
  );
});

test('a folder is read as one node per .properties file, validated before anything starts', () => {
  const dir = folder({
    'a.properties': node(1, 9093),
    'b.properties': node(2, 9193),
    'README.txt': 'ignored',
    '.properties': 'not a node',
  });
  try {
    assert.deepEqual(nodeNames(join(dir, 'cfg')), ['a', 'b']);
    const nodes = loadClusterNodes({ configDir: join(dir, 'cfg'), dataDir: join(dir, 'data') });
    assert.deepEqual(
      nodes.map((n) => [n.name, n.config.nodeId]),
      [
        ['a', 1],
        ['b', 2],
      ],
    );
    assert.equal(nodes[0]!.config.metadataLogDir, join(dir, 'data', 'a', 'logs'));
    assert.deepEqual(nodes[0]!.config.logDirs, [join(dir, 'data', 'a', 'logs')]);
    assert.equal(nodes[0]!.pidFile, join(dir, 'data', 'a.pid'));
    assert.equal(nodes[0]!.logFile, join(dir, 'data', 'a.log'));
    assert.deepEqual(serverArgs(nodes[0]!, '/repo'), [
      '/repo/bin/raftka.js',
      'server',
      'start',
      '--config',
      join(dir, 'cfg', 'a.properties'),
      '--override',
      `log.dirs=${join(dir, 'data', 'a', 'logs')}`,
      '--override',
      `metadata.log.dir=${join(dir, 'data', 'a', 'logs')}`,
    ]);
    writeFileSync(join(dir, 'cfg', 'c.properties'), node(1, 9293));
    assert.throws(
      () => loadClusterNodes({ configDir: join(dir, 'cfg'), dataDir: join(dir, 'data') }),
      /node\.id 1 is used by two nodes/,
    );
    writeFileSync(join(dir, 'cfg', 'c.properties'), 'node.id=3\nwhat=ever\n');
    assert.throws(
      () => loadClusterNodes({ configDir: join(dir, 'cfg'), dataDir: join(dir, 'data') }),
      /c\.properties: unknown property what/,
    );
    assert.throws(() => nodeNames(join(dir, 'nope')), ClusterError);
    assert.throws(() => nodeNames(join(dir)), /holds no \.properties files/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad config aborts `cluster up` before anything is written or started', async () => {
  const dir = folder({
    'a.properties': node(1, 9093),
    'b.properties': 'node.id=2\nprocess.roles=controller\nlisteners=nonsense\n',
  });
  try {
    await assert.rejects(
      clusterUp({ configDir: join(dir, 'cfg'), dataDir: join(dir, 'data'), detach: true }),
      /b\.properties/,
    );
    assert.equal(existsSync(join(dir, 'data')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the command line of our server is recognised; anything else is not', () => {
  const argv = [
    '/usr/bin/node',
    '/r/bin/raftka.js',
    'server',
    'start',
    '--config',
    '/c/a.properties',
    '--override',
    'log.dirs=/d',
  ];
  assert.equal(isServerCommandLine(argv, '/c/a.properties'), true);
  assert.equal(
    isServerCommandLine(['node', 'raftka.js', 'server', 'start', '--config=/c/a.properties'], '/c/a.properties'),
    true,
  );
  assert.equal(isServerCommandLine(argv, '/c/b.properties'), false, 'another node');
  assert.equal(isServerCommandLine(argv, '/c/a.prop'), false, 'a prefix is not the path');
  assert.equal(
    isServerCommandLine(['node', 'raftka.js', 'storage', 'format', '--config', '/c/a.properties'], '/c/a.properties'),
    false,
  );
  assert.equal(
    isServerCommandLine(['node', 'raftka.js', 'start', 'server', '--config', '/c/a.properties'], '/c/a.properties'),
    false,
  );
  assert.equal(isServerCommandLine([''], '/c/a.properties'), false, "a zombie's empty cmdline");
});

test('a pid file is trusted only if /proc shows our server for that config; no one else is signalled', async () => {
  const dir = folder({ 'a.properties': node(1, 9093), 'b.properties': node(2, 9193) });
  const paths = { configDir: join(dir, 'cfg'), dataDir: join(dir, 'data') };
  const [a, b] = loadClusterNodes(paths) as [
    ReturnType<typeof loadClusterNodes>[number],
    ReturnType<typeof loadClusterNodes>[number],
  ];
  const other = impostor(b.configPath); // "is" node b's server, named by node a's pid file
  try {
    assert.equal(runningPid(a), null, 'no pid file: not running');
    mkdirSync(paths.dataDir);
    writeFileSync(a.pidFile, `${process.pid}\n`);
    assert.equal(runningPid(a), null, 'a live pid that is not a raftka server is not ours');
    writeFileSync(a.pidFile, 'garbage\n');
    assert.equal(runningPid(a), null);
    writeFileSync(a.pidFile, `${other.pid}\n`);
    await waitFor(
      'the impostor to exec',
      async () => (isOurServer(other.pid, b.configPath) ? true : undefined),
      5_000,
      10,
    );
    assert.equal(runningPid(a), null, "a server for another node's config is not node a");
    writeFileSync(b.pidFile, `${other.pid}\n`);
    assert.equal(runningPid(b), other.pid, 'same config path: taken as node b');

    // `cluster down` of a different data dir that names the impostor for node a: not signalled.
    const stopped = await clusterDown({ ...paths, timeoutMs: 200 });
    assert.deepEqual(
      stopped.map((s) => s.node.name),
      ['b'],
      'only what /proc confirms is stopped',
    );
    assert.equal(existsSync(a.pidFile), false, 'the stale pid file is removed');
  } finally {
    other.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("storage: --cluster-id names the id of a first `up` (a ZooKeeper cluster's before a migration), and only then", () => {
  const dir = folder({ 'a.properties': node(1, 9093), 'b.properties': node(2, 9193) });
  const paths = { configDir: join(dir, 'cfg'), dataDir: join(dir, 'data') };
  try {
    const nodes = loadClusterNodes(paths);
    const zkId = 'UvImZaYMEtKJGF2VDuiBNg';
    assert.throws(() => planStorage(nodes, paths.dataDir, 'not-an-id'), /--cluster-id not-an-id is not a cluster id/);
    const plan = planStorage(nodes, paths.dataDir, zkId);
    assert.equal(plan.clusterId, zkId);
    for (const n of nodes) formatStorage(n.config, zkId, { ignoreFormatted: false });
    writeFileSync(join(paths.dataDir, 'cluster.id'), `${zkId}\n`);
    assert.equal(planStorage(nodes, paths.dataDir, zkId).clusterId, zkId, 'the same id again is fine');
    assert.throws(
      () => planStorage(nodes, paths.dataDir, 'AAAAAAAAAAAAAAAAAAAAAA'),
      /formatted with id UvImZaYMEtKJGF2VDuiBNg .*--cluster-id AAAAAAAAAAAAAAAAAAAAAA can only name the id of a cluster started for the first time/,
    );
    rmSync(join(paths.dataDir, 'cluster.id'));
    assert.throws(
      () => planStorage(nodes, paths.dataDir, 'AAAAAAAAAAAAAAAAAAAAAA'),
      /belongs to cluster UvImZaYMEtKJGF2VDuiBNg, but --cluster-id says/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('storage: the first `up` formats all with one new id; later a lost controller is refused, a new broker formatted', () => {
  const dir = folder({ 'a.properties': node(1, 9093), 'b.properties': node(2, 9193) });
  const paths = { configDir: join(dir, 'cfg'), dataDir: join(dir, 'data') };
  try {
    const nodes = loadClusterNodes(paths);
    const fresh = planStorage(nodes, paths.dataDir);
    assert.equal(fresh.writeClusterIdFile, true);
    assert.deepEqual(
      fresh.toFormat.map((n) => n.name),
      ['a', 'b'],
    );

    // A first `up` interrupted after formatting a: its id is adopted, b is formatted.
    formatStorage(nodes[0]!.config, fresh.clusterId, { ignoreFormatted: false });
    const resumed = planStorage(nodes, paths.dataDir);
    assert.equal(resumed.clusterId, fresh.clusterId);
    assert.deepEqual(
      resumed.toFormat.map((n) => n.name),
      ['b'],
    );

    formatStorage(nodes[1]!.config, fresh.clusterId, { ignoreFormatted: false });
    writeFileSync(join(paths.dataDir, 'cluster.id'), `${fresh.clusterId}\n`);
    assert.deepEqual(planStorage(nodes, paths.dataDir), {
      clusterId: fresh.clusterId,
      writeClusterIdFile: false,
      toFormat: [],
    });

    // A new broker joins: formatted. A controller whose data is gone: refused, with the way out.
    writeFileSync(join(dir, 'cfg', 'c.properties'), broker(100, 9092));
    const grown = loadClusterNodes(paths);
    assert.deepEqual(
      planStorage(grown, paths.dataDir).toFormat.map((n) => n.name),
      ['c'],
    );
    rmSync(join(paths.dataDir, 'b'), { recursive: true });
    assert.throws(
      () => planStorage(grown, paths.dataDir),
      /controller b \(node\.id=2\) has no formatted storage.*raftka storage format --config .*b\.properties --cluster-id/s,
    );

    // A node formatted for another cluster.
    formatStorage(grown[1]!.config, 'AAAAAAAAAAAAAAAAAAAAAA', { ignoreFormatted: false });
    assert.throws(
      () => planStorage(grown, paths.dataDir),
      /belongs to cluster AAAAAAAAAAAAAAAAAAAAAA, but .*cluster\.id says/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the tail of a log is its last lines, read from the end only', () => {
  const dir = mkdtempSync(join(tmpdir(), 'raftka-cm-'));
  try {
    const file = join(dir, 'n.log');
    writeFileSync(file, `${'x'.repeat(100_000)}\n${Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n')}\n`);
    assert.equal(tailOfFile(file, 3), 'line 27\nline 28\nline 29');
    assert.equal(tailOfFile(join(dir, 'missing.log')), '(no log)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// A stand-in for `bin/raftka.js server start`: serves /healthz and /status (ready) on the config's
// admin.listener and exits 0 on SIGTERM. A comment line in the config changes its behaviour. It keeps these tests
// fast and independent of the real node; the foreground test below uses the real one.
const fakeServer = `
const fs = require('node:fs');
const http = require('node:http');
const args = process.argv.slice(2);
const text = fs.readFileSync(args[args.indexOf('--config') + 1], 'utf8');
if (text.includes('# fake: exit')) { console.log('{"msg":"fake node failed on purpose"}'); process.exit(3); }
const admin = /^admin\\.listener=(.*):(\\d+)$/m.exec(text);
// /status: a quorum leader and a running broker, so \`up\` counts the node as ready.
const status = JSON.stringify({ leaderId: 1, broker: { state: 'running', epoch: 1 } });
const server = http.createServer((req, res) => res.end(req.url === '/status' ? status : 'ok\\n'));
const listen = () => server.listen(Number(admin[2]), admin[1], () => console.log(JSON.stringify({ msg: 'started', args })));
setTimeout(listen, text.includes('# fake: slow') ? 10000 : 0);
process.on('SIGTERM', () => { if (!text.includes('# fake: ignore-sigterm')) process.exit(0); });
`;

async function fakeCluster(
  lines: Record<string, string[]>,
): Promise<{ dir: string; configDir: string; dataDir: string; repoRoot: string }> {
  const names = Object.keys(lines);
  const ports = await freePorts(2 * names.length);
  const files: Record<string, string> = {};
  names.forEach(
    (name, k) =>
      (files[`${name}.properties`] = node(k + 1, ports[2 * k]!, [
        `admin.listener=127.0.0.1:${ports[2 * k + 1]}`,
        ...lines[name]!,
      ])),
  );
  const dir = folder(files);
  mkdirSync(join(dir, 'repo', 'bin'), { recursive: true });
  writeFileSync(join(dir, 'repo', 'bin', 'raftka.js'), fakeServer);
  return { dir, configDir: join(dir, 'cfg'), dataDir: join(dir, 'data'), repoRoot: join(dir, 'repo') };
}

test('up (detached) formats and starts every node, up again starts only the missing one, down stops them', {
  timeout: 30_000,
}, async () => {
  const c = await fakeCluster({ 'n-0': [], 'n-1': [] });
  try {
    const up = await clusterUp({ ...c, detach: true });
    assert.deepEqual(up.started, ['n-0', 'n-1']);
    assert.equal(readFileSync(join(c.dataDir, 'cluster.id'), 'utf8').trim(), up.clusterId);
    assert.equal(readMetaProperties(join(c.dataDir, 'n-1', 'logs'))?.clusterId, up.clusterId);
    assert.ok(up.nodes.every((n) => n.state === 'running' && n.healthy && n.pid !== null));
    assert.match(readFileSync(join(c.dataDir, 'n-0.log'), 'utf8'), /"msg":"started"/);

    const before = await clusterStatus(c);
    const killed = before[1]!.pid!;
    process.kill(killed, 'SIGKILL');
    await waitFor('the killed node to go', async () => (isAlive(killed) ? undefined : true), 5_000, 10);
    const afterKill = await clusterStatus(c);
    assert.deepEqual(
      afterKill.map((n) => [n.state, n.healthy]),
      [
        ['running', true],
        ['stopped', false],
      ],
    );

    const again = await clusterUp({ ...c, detach: true });
    assert.deepEqual(again.started, ['n-1']);
    assert.equal(again.clusterId, up.clusterId);
    assert.equal(again.nodes[0]!.pid, before[0]!.pid, 'the running node was left alone');

    const stopped = await clusterDown(c);
    assert.deepEqual(
      stopped.map((s) => [s.node.name, s.forced]),
      [
        ['n-0', false],
        ['n-1', false],
      ],
    );
    for (const s of stopped) assert.equal(isAlive(s.pid), false);
    assert.equal(existsSync(join(c.dataDir, 'n-0.pid')), false);
    assert.deepEqual(await clusterDown(c), []);
  } finally {
    await clusterDown(c).catch(() => []);
    rmSync(c.dir, { recursive: true, force: true });
  }
});

test('down SIGKILLs a node that outlives the timeout', { timeout: 30_000 }, async () => {
  const c = await fakeCluster({ stubborn: ['# fake: ignore-sigterm'] });
  try {
    await clusterUp({ ...c, detach: true });
    const stopped = await clusterDown({ ...c, timeoutMs: 300 });
    assert.deepEqual(
      stopped.map((s) => [s.node.name, s.forced]),
      [['stubborn', true]],
    );
    assert.equal(isAlive(stopped[0]!.pid), false);
  } finally {
    rmSync(c.dir, { recursive: true, force: true });
  }
});

test('a node that exits while starting fails `up` with its log; in the foreground the others are stopped', {
  timeout: 30_000,
}, async () => {
  const c = await fakeCluster({ good: [], bad: ['# fake: exit'] });
  try {
    await assert.rejects(clusterUp({ ...c, detach: false }), (err: Error) => {
      assert.match(err.message, /bad \(node\.id=2\) exited while starting \(code 3\).*fake node failed on purpose/s);
      assert.match(err.message, /stopped the nodes this command started: bad, good/);
      return true;
    });
    assert.ok((await clusterStatus(c)).every((n) => n.state === 'stopped'));
    await assert.rejects(clusterUp({ ...c, detach: true }), /still running: good; raftka cluster down stops them/);
    assert.deepEqual(
      (await clusterStatus(c)).map((n) => n.state),
      ['stopped', 'running'],
    );
  } finally {
    await clusterDown(c).catch(() => []);
    rmSync(c.dir, { recursive: true, force: true });
  }
});

test('a port already in use stops `up` before anything starts', { timeout: 30_000 }, async () => {
  const c = await fakeCluster({ 'n-0': [], 'n-1': [] });
  const admin = Number(
    /admin\.listener=127\.0\.0\.1:(\d+)/.exec(readFileSync(join(c.configDir, 'n-1.properties'), 'utf8'))![1],
  );
  const squatter: Server = createServer();
  await new Promise<void>((r) => squatter.listen(admin, '127.0.0.1', () => r()));
  try {
    await assert.rejects(
      clusterUp({ ...c, detach: true }),
      new RegExp(`n-1: admin.listener 127.0.0.1:${admin} is already in use`),
    );
    assert.ok((await clusterStatus(c)).every((n) => n.state === 'stopped'));
    assert.equal(existsSync(join(c.dataDir, 'n-0.pid')), false);
  } finally {
    squatter.close();
    rmSync(c.dir, { recursive: true, force: true });
  }
});

test('an abort while nodes start (Ctrl-C in the foreground) stops them', { timeout: 30_000 }, async () => {
  const c = await fakeCluster({ 'n-0': ['# fake: slow'] });
  try {
    const pre = new AbortController();
    pre.abort();
    await assert.rejects(clusterUp({ ...c, signal: pre.signal }), /interrupted while starting; stopped none/);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    await assert.rejects(clusterUp({ ...c, signal: controller.signal }), /interrupted while starting; stopped n-0/);
    assert.equal((await clusterStatus(c))[0]!.state, 'stopped');
  } finally {
    await clusterDown(c).catch(() => []);
    rmSync(c.dir, { recursive: true, force: true });
  }
});

test('foreground `cluster up` prints where the nodes are and stops them all on SIGTERM', {
  timeout: 60_000,
}, async () => {
  const f = await ClusterFixture.controllers({ controllers: 3 });
  try {
    const child = spawn(
      process.execPath,
      [repoPath('bin', 'raftka.js'), 'cluster', 'up', '--config-dir', f.configDir, '--data-dir', f.dataDir],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    await waitFor(
      'the foreground cluster to be up',
      async () => (out.includes('Ctrl-C stops every node') ? true : undefined),
      30_000,
    );
    assert.match(
      out,
      /controller-0: node\.id=1 roles=controller pid=\d+ running listeners=CONTROLLER:\/\/127\.0\.0\.1:\d+ admin=http:\/\/127\.0\.0\.1:\d+ log=/,
    );
    const pids = (await f.status()).map((s) => s.pid);
    assert.equal(pids.filter((p) => p !== null).length, 3);

    // A node that dies on its own is reported; the others keep running.
    process.kill(pids[2]!, 'SIGKILL');
    await waitFor(
      'the death to be reported',
      async () => (/controller-2 \(node\.id=3\) is not running any more/.test(out) ? true : undefined),
      10_000,
    );
    assert.equal(isAlive(pids[0]!), true);

    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(out, /stopped 2 node\(s\)/);
    for (const pid of pids) assert.equal(isAlive(pid!), false, `node pid ${pid} stopped`);
    assert.ok((await f.status()).every((s) => s.state === 'stopped'));
  } finally {
    await f.destroy();
  }
});
