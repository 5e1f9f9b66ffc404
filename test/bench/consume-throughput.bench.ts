// Consume throughput from the page cache (issue 18: kcat ≥ 500 MiB/s). One combined node; kcat
// (librdkafka) writes CONSUME_MESSAGES (default 500,000) × 1 KiB records to a 1-partition and a
// 3-partition topic, then reads each back from the beginning CONSUME_ROUNDS times (default 3, after
// one untimed warm-up read) with `-c N -e -f '\n'`: one byte printed per record (counted: every
// read must deliver exactly N records), and kcat exits at the N-th record instead of waiting out
// one more fetch's MaxWaitMs (500 ms) for data that never comes, as `-e` alone does.
// Printed beside one Node TCP stream over 127.0.0.1 measured in the same run.
//
// CONSUME_COMPARE_WITH=<another checkout, built> also starts a node from that checkout (e.g. main in
// a second worktree) and alternates every round between the two (the order flips each round),
// printing the ratio: before and after from one run on a shared machine.
// `npm run bench -- consume-throughput`.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterFixture, waitFor } from '../../src/testing/cluster-fixture.js';
import { kcat } from '../../src/testing/kcat.js';
import { loopbackMiBps, median, mib, timedKcat, waitForBrokers } from './bench-util.js';

const messages = Number(process.env['CONSUME_MESSAGES'] ?? 500_000);
const rounds = Number(process.env['CONSUME_ROUNDS'] ?? 3);
const compareWith = process.env['CONSUME_COMPARE_WITH'];
const messageBytes = 1024;
const fmt = (x: number): string => x.toFixed(1);
/** USER_HZ: the unit of /proc/<pid>/stat's CPU times (100 on Linux everywhere that matters). */
const clockTicksPerSecond = 100;

/** The cluster fixture of this checkout, or of `checkout` (its own dist/, built). */
async function fixtureClass(checkout: string | undefined): Promise<typeof ClusterFixture> {
  if (!checkout) return ClusterFixture;
  const mod = (await import(join(checkout, 'dist', 'src', 'testing', 'cluster-fixture.js'))) as {
    ClusterFixture: typeof ClusterFixture;
  };
  return mod.ClusterFixture;
}

/** CPU seconds (user + system, every thread) process `pid` has used so far, from /proc. */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
}

/** kcat reading `topic` from the beginning: wall seconds, kcat's CPU seconds, the records it delivered. */
function timedConsume(bs: string, topic: string): Promise<{ seconds: number; kcatCpu: number; records: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const args = ['-b', bs, '-C', '-t', topic, '-o', 'beginning', '-c', String(messages), '-e', '-q', '-f', '\\n'];
    const child = spawn('bash', ['-c', 'TIMEFORMAT="cpu %U %S"; time kcat "$@"', '--', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let records = 0;
    let err = '';
    child.stdout.on('data', (b: Buffer) => (records += b.length));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const cpu = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(err);
      if (code !== 0 || !cpu) reject(new Error(`kcat consume exited with ${code}: ${err}`));
      else
        resolve({ seconds: (performance.now() - started) / 1000, kcatCpu: Number(cpu[1]) + Number(cpu[2]), records });
    });
  });
}

interface Target {
  readonly name: string;
  readonly fixture: ClusterFixture;
  bs: string;
  pid: number;
}

async function prepare(t: Target, topic: string, partitions: number, input: string): Promise<void> {
  await t.fixture.raftka(
    'topics',
    '--bootstrap-server',
    t.bs,
    '--create',
    '--topic',
    topic,
    '--partitions',
    String(partitions),
  );
  await waitFor(
    `${topic} led`,
    async () => {
      const md = (await kcat(['-b', t.bs, '-L', '-t', topic])).stdout;
      return (md.match(/leader 1,/g) ?? []).length === partitions ? true : undefined;
    },
    30_000,
    100,
  );
  const produce = ['-b', t.bs, '-P', '-t', topic, '-z', 'none', '-X', 'linger.ms=5'];
  produce.push('-X', 'batch.size=1000000', '-X', 'queue.buffering.max.kbytes=1048576');
  const p = await timedKcat(produce, input);
  if (p.code !== 0) throw new Error(`kcat produce to ${t.name} failed (${p.code})`);
  const warm = await timedConsume(t.bs, topic);
  if (warm.records !== messages) throw new Error(`${t.name}: read ${warm.records} records, expected ${messages}`);
}

const work = mkdtempSync(join(tmpdir(), 'raftka-consume-'));
const input = join(work, 'messages.txt');
writeFileSync(input, `${'c'.repeat(messageBytes - 1)}\n`.repeat(messages));

const loopback = await loopbackMiBps();
console.log(`machine: loopback TCP (one stream) ${fmt(loopback)} MiB/s`);

const targets: Target[] = [
  { name: 'this build', fixture: await ClusterFixture.combined({ nodes: 1 }), bs: '', pid: 0 },
];
if (compareWith)
  targets.push({
    name: compareWith,
    fixture: await (await fixtureClass(compareWith)).combined({ nodes: 1 }),
    bs: '',
    pid: 0,
  });
try {
  for (const t of targets) {
    await t.fixture.up();
    t.bs = t.fixture.bootstrapServers;
    await waitForBrokers(t.bs, 1);
    t.pid = await t.fixture.pidOf(1);
  }
  for (const partitions of [1, 3]) {
    const topic = `consume-${partitions}`;
    for (const t of targets) await prepare(t, topic, partitions, input);
    const rates = new Map<Target, number[]>(targets.map((t) => [t, []]));
    for (let r = 0; r < rounds; r++) {
      for (const t of r % 2 === 0 ? targets : [...targets].reverse()) {
        const brokerCpu = cpuSecondsOf(t.pid);
        const c = await timedConsume(t.bs, topic);
        const brokerSeconds = cpuSecondsOf(t.pid) - brokerCpu;
        if (c.records !== messages) throw new Error(`${t.name}: read ${c.records} records, expected ${messages}`);
        const rate = mib(messages * messageBytes) / c.seconds;
        rates.get(t)!.push(rate);
        console.log(
          `${partitions} partition(s) round ${r + 1} ${t.name}: kcat ${fmt(rate)} MiB/s ${(messages / c.seconds).toFixed(0)} msgs/s in ${c.seconds.toFixed(2)} s (CPU: broker ${brokerSeconds.toFixed(2)} s, kcat ${c.kcatCpu.toFixed(2)} s)`,
        );
      }
    }
    for (const t of targets) {
      const xs = rates.get(t)!;
      console.log(
        `consume ${partitions} partition(s), ${messages} x 1 KiB from the page cache, ${t.name}: median ${fmt(median(xs))} MiB/s, best ${fmt(Math.max(...xs))} MiB/s (goal >= 500; ${(median(xs) / loopback).toFixed(2)} of loopback)`,
      );
    }
    if (targets.length === 2)
      console.log(
        `ratio this build / ${targets[1]!.name} (${partitions} partition(s), medians): ${(median(rates.get(targets[0]!)!) / median(rates.get(targets[1]!)!)).toFixed(2)}`,
      );
  }
} finally {
  for (const t of targets) await t.fixture.destroy();
  rmSync(work, { recursive: true, force: true });
}
