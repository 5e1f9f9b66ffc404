// The idle cost of replication with and without fetch sessions (KIP-227), in one run: a
// three-node combined cluster with 10,000 partitions at RF 3 and no clients, CPU seconds of the
// three node processes over a fixed window with sessions on (the default), then the same cluster
// restarted with `max.incremental.fetch.session.cache.slots=0` (sessions off) and measured again.
// Also printed: partitions named per follower fetch (the brokers' raftka_fetch_request_partitions)
// and the size of one idle follower fetch request frame (rpc/replica-wire.ts) either way.
// `npm run bench -- fetch-sessions` (FETCH_BENCH_PARTITIONS=N, default 10000; FETCH_BENCH_WINDOW_S, default 20).
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterFixture, waitFor } from '../../src/testing/cluster-fixture.js';
import { encodeFetchRequest } from '../../src/rpc/replica-wire.js';

const partitions = Number(process.env['FETCH_BENCH_PARTITIONS'] ?? 10_000);
const windowS = Number(process.env['FETCH_BENCH_WINDOW_S'] ?? 20);
const partitionsPerTopic = 1000;
const ticksPerSecond = 100; // USER_HZ on Linux

/** utime + stime of a process, in seconds (/proc/<pid>/stat fields 14 and 15). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/** The value of an unlabelled-or-labelled sample line `name{...} value` summed over `filter`-matching labels. */
function metricSum(text: string, name: string, filter: (labels: string) => boolean = () => true): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (m && m[1] === name && filter(m[2] ?? '')) sum += Number(m[3]);
  }
  return sum;
}

/** Every node hosts all partitions, none under-replicated. */
async function settled(f: ClusterFixture, expected: number): Promise<boolean | undefined> {
  for (let k = 0; k < 3; k++) {
    const text = await f.metrics(k).catch(() => '');
    if (metricSum(text, 'raftka_partitions') < expected) return undefined;
    if (metricSum(text, 'raftka_under_replicated_partitions') > 0) return undefined;
  }
  return true;
}

/** Follower fetch requests and the partitions they named, summed over the nodes. */
async function followerFetches(f: ClusterFixture): Promise<{ requests: number; partitions: number }> {
  let requests = 0;
  let named = 0;
  for (let k = 0; k < 3; k++) {
    const text = await f.metrics(k);
    const follower = (l: string) => l.includes('fetcher="follower"');
    requests += metricSum(text, 'raftka_fetch_request_partitions_count', follower);
    named += metricSum(text, 'raftka_fetch_request_partitions_sum', follower);
  }
  return { requests, partitions: named };
}

async function measure(f: ClusterFixture, label: string) {
  const pids = (await f.status()).flatMap((s) => (s.pid ? [s.pid] : []));
  const before = await followerFetches(f);
  const cpu0 = pids.map(cpuSeconds);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, windowS * 1000)); // the measured window, not a synchronisation
  const cpu = pids.map(cpuSeconds).reduce((a, b, i) => a + b - cpu0[i]!, 0);
  const seconds = (performance.now() - t0) / 1000;
  const after = await followerFetches(f);
  const requests = after.requests - before.requests;
  const perRequest = requests > 0 ? (after.partitions - before.partitions) / requests : 0;
  console.log(
    `${label}: ${cpu.toFixed(2)} CPU s over ${seconds.toFixed(1)} s (${((100 * cpu) / seconds).toFixed(1)}% of a core, 3 nodes); ` +
      `${requests} follower fetches, ${perRequest.toFixed(1)} partitions named per fetch`,
  );
  return { cpu, seconds, perRequest };
}

/** Bytes of a follower fetch request frame naming `n` partitions of 1000-partition topics `idle-*`. */
function idleRequestBytes(n: number, sessionEpoch: number): number {
  const parts = Array.from({ length: n }, (_, i) => ({
    topic: `idle-${Math.floor(i / partitionsPerTopic)}`,
    partition: i % partitionsPerTopic,
    fetchOffset: 0,
    lastFetchedEpoch: 1,
    currentLeaderEpoch: 1,
  }));
  return encodeFetchRequest(1, {
    replicaId: 2,
    brokerEpoch: 12,
    maxWaitMs: 500,
    maxBytes: 1048576,
    partitions: parts,
    forgotten: [],
    sessionId: 12345,
    sessionEpoch,
  }).length;
}

const f = await ClusterFixture.combined({ nodes: 3 });
try {
  await f.up();
  const bootstrap = `127.0.0.1:${f.brokerPorts[0]}`;
  const created = performance.now();
  for (let t = 0; t * partitionsPerTopic < partitions; t++) {
    const n = Math.min(partitionsPerTopic, partitions - t * partitionsPerTopic);
    await waitFor(
      `topic idle-${t}`,
      () =>
        f
          .raftka(
            'topics',
            '--bootstrap-server',
            bootstrap,
            '--create',
            '--topic',
            `idle-${t}`,
            '--partitions',
            String(n),
            '--replication-factor',
            '3',
          )
          .then(() => true)
          // A create whose answer was lost may have happened: "already exists" is done.
          .catch((err: unknown) => {
            const text = String(err);
            if (/TOPIC_ALREADY_EXISTS|already exists/i.test(text)) return true;
            console.error(`create idle-${t}: ${text.slice(0, 300)}`);
            return undefined;
          }),
      120_000,
      500,
    );
  }
  await waitFor('every partition hosted and in sync', () => settled(f, partitions), 600_000, 1000);
  console.log(
    `${partitions} partitions (RF 3) created and in sync in ${((performance.now() - created) / 1000).toFixed(0)} s`,
  );
  const on = await measure(f, 'sessions on ');
  // Sessions off: the same cluster restarted with max.incremental.fetch.session.cache.slots=0.
  await f.down();
  for (const file of readdirSync(f.configDir)) {
    const path = join(f.configDir, file);
    writeFileSync(path, `${readFileSync(path, 'utf8')}max.incremental.fetch.session.cache.slots=0\n`);
  }
  // `cluster up` gives up waiting after a minute while thousands of partition logs open; the
  // nodes go on starting, and the wait below is the one that counts.
  await f.up().catch((err: unknown) => console.error(`cluster up: ${String(err).split('\n')[0]}`));
  await waitFor('every partition hosted and in sync again', () => settled(f, partitions), 600_000, 1000);
  const off = await measure(f, 'sessions off');
  const followedPerLeader = Math.round((partitions * 2) / 3 / 2);
  console.log(
    `idle follower fetch request to one leader (${followedPerLeader} partitions followed there): ` +
      `${idleRequestBytes(followedPerLeader, -1)} bytes without a session, ${idleRequestBytes(0, 5)} bytes incremental`,
  );
  const ratio = on.cpu / off.cpu;
  console.log(`CPU with sessions / without: ${ratio.toFixed(3)} (goal ≤ 0.25)`);
} finally {
  await f.destroy();
}
