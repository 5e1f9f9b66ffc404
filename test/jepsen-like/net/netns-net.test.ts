// The `--net netns` fault backend. The nft script and the netem batches for HarnessNet's shapes
// (pure, always run); then, as root where namespaces can be made, the kernel's effect: two
// namespaces on a bridge, a TCP listener in each, and client isolation, a one-way cut and 100 %
// loss really stopping connections until heal(), every name gone after destroy(), and the
// leftovers of a harness that died (owner pid dead) swept away by the next one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { HarnessNet, noDegradation } from '../../../jepsen-like/src/net/harness-net.js';
import { NetnsHosts, netnsUnavailable } from '../../../jepsen-like/src/net/netns-hosts.js';
import { NetnsNet, netemBatches, nftScript } from '../../../jepsen-like/src/net/netns-net.js';
import { freePorts, waitFor } from '../../../src/testing/cluster-fixture.js';

const ports = { kafka: 9092, harnessKafka: 9192, controller: 9093, replica: 9094, admin: 9095 };
const context = {
  table: 'rjepsen_7',
  hosts: [1, 2, 3].map((id) => ({ id, address: `10.77.7.${id}`, port: `rjv7-${id}` })),
  rootAddress: '10.77.7.254',
  ports,
};

test('nft script: partitions by address on the sender port, kind cuts by listener port, client isolation both ways, loss and duplication', () => {
  const healthy = nftScript(context, { blocked: new Set(), blockedKinds: new Set(), degraded: new Map() });
  assert.equal(healthy, 'table netdev rjepsen_7\ndelete table netdev rjepsen_7\n');
  const s = nftScript(context, {
    blocked: new Set(['1>2', 'client>3']),
    blockedKinds: new Set(['2>3@replica']),
    degraded: new Map([['3>1', { ...noDegradation, lossPercent: 20, duplicatePercent: 5 }]]),
  });
  assert.match(
    s,
    /chain from_1 \{\n {4}type filter hook ingress device "rjv7-1" priority 0; policy accept;\n {4}ip daddr 10\.77\.7\.2 drop\n/,
  );
  assert.match(
    s,
    /chain from_2 \{[^}]*ip daddr 10\.77\.7\.3 tcp dport 9094 drop\n {4}ip daddr 10\.77\.7\.3 tcp sport 9094 drop/,
  );
  assert.match(s, /chain from_3 \{[^}]*ip daddr 10\.77\.7\.1 numgen random mod 1000 < 200 drop/);
  assert.match(s, /ip daddr 10\.77\.7\.1 numgen random mod 1000 < 50 dup to "rjv7-1"/);
  assert.match(s, /chain from_3 \{[^}]*ip daddr 10\.77\.7\.254 tcp sport 9092 drop/);
  assert.match(
    s,
    /chain to_3 \{\n {4}type filter hook egress device "rjv7-3"[^}]*ip saddr 10\.77\.7\.254 tcp dport 9092 drop/,
  );
  assert.doesNotMatch(s, /chain to_1|chain to_2/);
});

test('netem batches: an htb class and a netem qdisc per sender on the receiver port, matched by source address', () => {
  const b = netemBatches(context, {
    blocked: new Set(),
    blockedKinds: new Set(),
    degraded: new Map([
      ['1>2', { ...noDegradation, delayMs: 50, jitterMs: 25 }],
      ['3>2', { ...noDegradation, delayMs: 10, reorderPercent: 25 }],
      ['2>1', { ...noDegradation, lossPercent: 10 }],
    ]),
  });
  assert.deepEqual([...b.keys()], ['rjv7-2'], 'loss alone needs no netem');
  assert.deepEqual(b.get('rjv7-2'), [
    'qdisc add dev rjv7-2 root handle 1: htb default 1',
    'class add dev rjv7-2 parent 1: classid 1:1 htb rate 100gbit',
    'class add dev rjv7-2 parent 1: classid 1:101 htb rate 100gbit',
    'qdisc add dev rjv7-2 parent 1:101 handle 101: netem delay 50ms 25ms',
    'filter add dev rjv7-2 parent 1: protocol ip prio 1 u32 match ip src 10.77.7.1/32 flowid 1:101',
    'class add dev rjv7-2 parent 1: classid 1:103 htb rate 100gbit',
    'qdisc add dev rjv7-2 parent 1:103 handle 103: netem delay 10ms reorder 25%',
    'filter add dev rjv7-2 parent 1: protocol ip prio 1 u32 match ip src 10.77.7.3/32 flowid 1:103',
  ]);
});

/** Whether a TCP connection to host:port opens within `ms` (from the root namespace). */
function reaches(host: string, port: number, ms = 700): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, host);
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(ms, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

const connectScript =
  "const s=require('net').connect(+process.argv[2],process.argv[1]);s.setTimeout(700,()=>process.exit(1));s.on('connect',()=>process.exit(0));s.on('error',()=>process.exit(1))";

/** Whether node `from`'s namespace opens a TCP connection to host:port. */
function reachesFrom(hosts: NetnsHosts, from: number, host: string, port: number): boolean {
  try {
    execFileSync('ip', hosts.execArgs(from, [process.execPath, '-e', connectScript, host, String(port)]), {
      stdio: 'ignore',
      timeout: 10_000,
    });
    return true;
  } catch {
    return false;
  }
}

const unavailable = netnsUnavailable();

test('netns faults in the kernel: client isolation, a one-way cut and 100 % loss stop connections; heal restores them', {
  skip: unavailable ?? false,
  timeout: 60_000,
}, async (t) => {
  // A leftover of a harness that died by SIGKILL: an owner file naming a dead pid, a namespace.
  const dead = spawnSync('true').pid;
  const taken = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  const stale = [...Array(40).keys()]
    .map((i) => 200 + i)
    .find((k) => !existsSync(`/run/raftka-jepsen-netns/${k}.owner`) && !taken.includes(`rjepsen${k}-`))!;
  mkdirSync('/run/raftka-jepsen-netns', { recursive: true });
  writeFileSync(`/run/raftka-jepsen-netns/${stale}.owner`, `${dead}\n`);
  execFileSync('ip', ['netns', 'add', `rjepsen${stale}-9`]);
  const hosts = NetnsHosts.create([1, 2]);
  assert.ok(hosts.swept.includes(`netns rjepsen${stale}-9`), `swept: ${hosts.swept.join(', ')}`);
  assert.ok(!existsSync(`/run/raftka-jepsen-netns/${stale}.owner`));
  const servers: ChildProcess[] = [];
  t.after(() => {
    for (const s of servers) s.kill('SIGKILL');
    hosts.destroy();
  });
  const [port] = await freePorts(1);
  const listen = `require('net').createServer((c)=>c.destroy()).listen(${port},process.argv[1],()=>console.log('up'))`;
  for (const h of hosts.hosts) {
    const s = spawn('ip', hosts.execArgs(h.id, [process.execPath, '-e', listen, h.address]), { stdio: 'ignore' });
    servers.push(s);
  }
  const [a1, a2] = [hosts.host(1).address, hosts.host(2).address];
  await waitFor(
    'both listeners',
    async () => ((await reaches(a1, port!)) && (await reaches(a2, port!)) ? true : undefined),
    20_000,
    100,
  );
  assert.equal(await reaches('127.0.0.1', port!), false, 'the root namespace does not reach them on 127.0.0.1');
  assert.equal(reachesFrom(hosts, 2, a1, port!), true);

  const net = new HarnessNet(new NetnsNet(hosts, { ...ports, kafka: port! }));
  net.isolateClients([1]);
  await net.settled();
  assert.equal(await reaches(a1, port!), false, 'client isolation: the root cannot reach node 1');
  assert.equal(await reaches(a2, port!), true, 'node 2 is not isolated');
  assert.equal(reachesFrom(hosts, 2, a1, port!), true, 'nodes still reach each other');
  net.heal();
  net.cut(2, 1);
  await net.settled();
  assert.equal(await reaches(a1, port!), true, 'healed');
  assert.equal(reachesFrom(hosts, 2, a1, port!), false, "2↛1: 2's SYNs to 1 are dropped");
  assert.equal(reachesFrom(hosts, 1, a2, port!), false, "2↛1: 2's SYN-ACKs to 1 are dropped too");
  net.heal();
  net.degrade([[1, 2]], { lossPercent: 100 });
  await net.settled();
  assert.equal(reachesFrom(hosts, 2, a1, port!), false, '1→2 loses every packet: no SYN-ACK');
  net.heal();
  await net.settled();
  assert.equal(reachesFrom(hosts, 2, a1, port!), true, 'healed');
  assert.deepEqual(net.refuses({ lossPercent: 5, duplicatePercent: 5 }), null);

  for (const s of servers) s.kill('SIGKILL');
  hosts.destroy();
  assert.ok(!execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).includes(`rjepsen${hosts.subnet}-`));
  assert.ok(!execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).includes(hosts.bridge));
});
