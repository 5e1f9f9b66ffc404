// `raftka jepsen run --net netns` end to end (root only; skipped with the reason elsewhere): three
// combined nodes, each in a network namespace of its own on a bridge the run creates, the queue
// workload under partitions and packet loss made by the kernel (nftables on the bridge ports).
// While the run goes on, the test checks from outside that
// - every node listens only on its namespace's address (`ip netns exec <ns> ss -ltn`), runs in a
//   network namespace other than the test's, and answers /status there from the root namespace,
// - no node has a listening socket in the root namespace (127.0.0.1 or elsewhere),
// - the fault rules are really in the kernel while a fault is on (a drop rule in the run's table);
// and after it: the run is valid, its network was netns, and every namespace, veth, bridge and
// nftables table of the run is gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { netnsUnavailable } from '../../jepsen-like/src/net/netns-hosts.js';
import { waitFor } from '../../src/testing/cluster-fixture.js';
import { jepsenRun } from './jepsen-cli.js';

interface Results {
  valid: boolean;
  network: string;
  counts: Record<string, number>;
  stats: { okSends: number; okPolls: number };
}

const sh = (cmd: string, args: readonly string[]): string =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** The subnet number of the run whose owner file names `pid`. */
function subnetOf(pid: number): number | undefined {
  let files: string[] = [];
  try {
    files = readdirSync('/run/raftka-jepsen-netns');
  } catch {
    return undefined;
  }
  for (const f of files) {
    const text = readFileSync(join('/run/raftka-jepsen-netns', f), 'utf8').trim();
    if (text === String(pid)) return Number(f.split('.')[0]);
  }
  return undefined;
}

/** "host:port" of every listening TCP socket in namespace `ns`. */
function listeners(ns: string): string[] {
  return sh('ip', ['netns', 'exec', ns, 'ss', '-Hltn'])
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.trim().split(/\s+/)[3]!);
}

/** Whether a TCP connection to host:port opens within a second. */
function reaches(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, host);
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1000, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

const unavailable = netnsUnavailable();

test('jepsen-like netns run: nodes in their own namespaces, partitions and loss by the kernel, valid', {
  timeout: 180_000,
  skip: unavailable ?? false,
}, async (t) => {
  const store = mkdtempSync(join(tmpdir(), 'raftka-jepsen-netns-it-'));
  t.after(() => rmSync(store, { recursive: true, force: true }));
  let runPid = 0;
  const run = jepsenRun<Results>(
    store,
    [
      '--net',
      'netns',
      '--time-limit',
      '10',
      '--seed',
      '4',
      '--nemesis',
      'partition,loss',
      '--nemesis-interval-ms',
      '2500',
    ],
    (pid) => {
      runPid = pid;
    },
  );
  let done = false;
  run.then(
    () => (done = true),
    () => (done = true),
  );
  const n = await waitFor('the run to claim a subnet', async () => subnetOf(runPid) ?? (done ? -1 : undefined), 30_000);
  assert.ok(n > 0, 'the run claimed no 10.77.N.0/24 subnet');
  const namespaces = [1, 2, 3].map((id) => ({ id, ns: `rjepsen${n}-${id}`, address: `10.77.${n}.${id}` }));

  // Every node listens on its namespace's address only.
  const seen = await waitFor(
    'three nodes listening in their namespaces',
    async () => {
      const all = namespaces.map((h) => listeners(h.ns));
      return all.every((l) => l.length >= 5) ? all : undefined;
    },
    60_000,
    200,
  );
  const ports = new Set<number>();
  namespaces.forEach((h, i) => {
    for (const l of seen[i]!) {
      const sep = l.lastIndexOf(':');
      assert.equal(l.slice(0, sep), h.address, `node ${h.id} listens on ${l} (all: ${seen[i]!.join(' ')})`);
      ports.add(Number(l.slice(sep + 1)));
    }
  });
  const self = readlinkSync('/proc/self/ns/net');
  const nodePids: string[] = [];
  for (const h of namespaces) {
    const pids = sh('ip', ['netns', 'pids', h.ns])
      .split('\n')
      .filter((p) => /^\d+$/.test(p));
    assert.ok(pids.length > 0, `a process in ${h.ns}`);
    for (const pid of pids) assert.notEqual(readlinkSync(`/proc/${pid}/ns/net`), self);
    nodePids.push(...pids);
  }
  // No node listens in the root namespace (127.0.0.1 or any address there). Its ports may be
  // taken there by other programs: each namespace has ports of its own, so a connection to
  // 127.0.0.1 proves nothing; the listening sockets' owners do.
  const rootListeners = sh('ss', ['-Hltnp']);
  for (const pid of nodePids)
    assert.ok(!rootListeners.includes(`pid=${pid},`), `node pid ${pid} listens in the root namespace`);
  // The root namespace reaches them on the bridge.
  for (const port of ports)
    assert.equal(await reaches(namespaces[0]!.address, port), true, `${namespaces[0]!.address}:${port}`);

  // A fault's rules are in the kernel while it is on.
  await waitFor(
    'a drop rule in the run table',
    async () => {
      const table = sh('nft', ['list', 'tables']).includes(`netdev rjepsen_${n}`)
        ? sh('nft', ['list', 'table', 'netdev', `rjepsen_${n}`])
        : '';
      return /ip daddr 10\.77\.\d+\.\d+ (numgen random mod 1000 < \d+ )?drop/.test(table) ? true : undefined;
    },
    40_000,
    100,
  );

  const r = await run;
  assert.equal(r.code, 0, r.stdout);
  assert.equal(r.results.valid, true);
  assert.match(r.results.network, /^netns: bridge rjbr\d+/);
  assert.ok(r.results.stats.okSends > 20, `ok sends: ${r.results.stats.okSends}`);
  const kinds = new Set(r.history.filter((o) => o.f === 'start-fault').map((o) => (o.value as { kind: string }).kind));
  assert.ok(kinds.has('partition') || kinds.has('loss'), `faults: ${[...kinds].join(',')}`);
  assert.equal(readdirSync(join(r.dir, 'logs')).length, 3, "the three nodes' logs are kept");

  // Everything of the run is gone.
  assert.ok(!sh('ip', ['netns', 'list']).includes(`rjepsen${n}-`), 'namespaces left');
  assert.ok(!sh('ip', ['-o', 'link', 'show']).includes(`rjbr${n}:`), 'bridge left');
  assert.ok(!sh('nft', ['list', 'tables']).includes(`rjepsen_${n}`), 'nft table left');
  assert.equal(subnetOf(runPid), undefined, 'owner file left');
});
