// raftka against NATS JetStream R3 and against the machine itself, in one run (issue 18's
// benchmark). `npm run bench -- compare`.
//
// - The machine: one TCP stream over 127.0.0.1 and a sequential disk write with fsync (the
//   ceilings the other figures are compared with).
// - Produce, alternating rounds (the order flips each round): raftka on three combined nodes, RF 3,
//   acks=all, kcat (librdkafka) with 1 KiB messages to 3 partitions; JetStream on three
//   `nats-server`s (Debian's, installed when missing), an R3 file stream, 1 KiB publishes each
//   acknowledged by the stream, up to COMPARE_WINDOW unacknowledged at once.
// - Consume: kcat reads everything raftka stored, twice (the second from the page cache).
// - Latency at a steady COMPARE_RATE msg/s (default 2,000) for COMPARE_LATENCY_SECONDS: raftka RF 3
//   acks=all with librdkafka (python3-confluent-kafka, linger.ms=0) and with kafkajs single-message
//   sends, and JetStream R3 publishes; p50 / p99 / max.
// Knobs: COMPARE_MESSAGES (per round, default 200,000), COMPARE_ROUNDS (default 3).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { repoPath } from '../../src/common/paths.js';
import { ClusterFixture } from '../../src/testing/cluster-fixture.js';
import {
  diskWriteMiBps,
  loopbackMiBps,
  median,
  mib,
  percentile,
  steadyLatencies,
  timedKcat,
  waitForBrokers,
} from './bench-util.js';
import { ensureNatsServer, NatsClient, NatsCluster, publishWindowed } from './nats-jetstream.js';

const messages = Number(process.env['COMPARE_MESSAGES'] ?? 200_000);
const rounds = Number(process.env['COMPARE_ROUNDS'] ?? 3);
const window = Number(process.env['COMPARE_WINDOW'] ?? 4096);
const rate = Number(process.env['COMPARE_RATE'] ?? 2000);
const latencySeconds = Number(process.env['COMPARE_LATENCY_SECONDS'] ?? 10);
const messageBytes = 1024;
const fmt = (x: number): string => x.toFixed(1);

function ensurePythonKafka(): void {
  const ok = spawnSync('/usr/bin/python3', ['-c', 'import confluent_kafka'], { stdio: 'ignore' }).status === 0;
  if (ok) return;
  if (process.getuid?.() !== 0) throw new Error('python3-confluent-kafka is missing: apt-get install it (needs root)');
  execFileSync('apt-get', ['install', '-y', '-qq', 'python3-confluent-kafka'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

interface Latency {
  p50: number;
  p99: number;
  max: number;
  count: number;
}

function summary(sorted: readonly number[]): Latency {
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1)!, count: sorted.length };
}

const showLatency = (name: string, l: Latency): string =>
  `${name.padEnd(34)} p50 ${l.p50.toFixed(2).padStart(7)} ms  p99 ${l.p99.toFixed(2).padStart(8)} ms  max ${l.max.toFixed(1).padStart(8)} ms  (${l.count} sends)`;

ensureNatsServer();
ensurePythonKafka();
const work = mkdtempSync(join(tmpdir(), 'raftka-compare-'));
const input = join(work, 'messages.txt');
writeFileSync(input, `${'v'.repeat(messageBytes - 1)}\n`.repeat(messages));

const loopback = await loopbackMiBps();
const disk = diskWriteMiBps(join(work, 'disk-probe'));
console.log(
  `machine: loopback TCP (one stream) ${fmt(loopback)} MiB/s, sequential disk write + fsync ${fmt(disk)} MiB/s`,
);

const f = await ClusterFixture.combined({ nodes: 3 });
const nats = await NatsCluster.start(work);
try {
  await f.up();
  const bs = f.bootstrapServers;
  await waitForBrokers(bs, 3);
  const kafka = new Kafka({ clientId: 'compare-bench', brokers: bs.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic: 'cmp', numPartitions: 3, replicationFactor: 3 },
      { topic: 'lat', numPartitions: 1, replicationFactor: 3 },
    ],
    waitForLeaders: true,
  });
  await admin.disconnect();

  const js = await NatsClient.connect(nats.clientPorts[0]!);
  await nats.createStream(js, 'CMP', 'cmp');
  await nats.createStream(js, 'LAT', 'lat');
  const payload = Buffer.alloc(messageBytes, 'v');

  const produceArgs = ['-b', bs, '-P', '-t', 'cmp', '-z', 'none', '-X', 'acks=all', '-X', 'linger.ms=5'];
  produceArgs.push('-X', 'batch.size=1000000', '-X', 'queue.buffering.max.kbytes=1048576');
  const rates: Record<'raftka' | 'jetstream', number[]> = { raftka: [], jetstream: [] };
  const run = {
    raftka: async (): Promise<number> => {
      const p = await timedKcat(produceArgs, input);
      if (p.code !== 0) throw new Error(`kcat produce failed (${p.code})`);
      return p.seconds;
    },
    jetstream: (): Promise<number> => publishWindowed(js, 'cmp', payload, messages, window),
  };
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? (['raftka', 'jetstream'] as const) : (['jetstream', 'raftka'] as const);
    for (const name of order) {
      const seconds = await run[name]();
      const mibps = mib(messages * messageBytes) / seconds;
      rates[name].push(mibps);
      console.log(
        `round ${r + 1} ${name.padEnd(9)} produce ${fmt(mibps)} MiB/s ${(messages / seconds).toFixed(0)} msgs/s`,
      );
    }
    console.log(`round ${r + 1} ratio raftka / JetStream ${(rates.raftka[r]! / rates.jetstream[r]!).toFixed(2)}`);
  }
  const raftkaProduce = median(rates.raftka);
  const jsProduce = median(rates.jetstream);

  const stored = messages * rounds;
  const consumeRates: number[] = [];
  for (let i = 0; i < 2; i++) {
    const c = await timedKcat(['-b', bs, '-C', '-t', 'cmp', '-o', 'beginning', '-c', String(stored), '-e', '-q']);
    if (c.code !== 0) throw new Error(`kcat consume failed (${c.code})`);
    consumeRates.push(mib(stored * messageBytes) / c.seconds);
    console.log(
      `consume ${i + 1}: kcat ${fmt(consumeRates[i]!)} MiB/s (${stored} x 1 KiB, kcat CPU ${c.cpuSeconds.toFixed(2)} s)`,
    );
  }

  const py = spawnSync(
    '/usr/bin/python3',
    [repoPath('test', 'bench', 'librdkafka-latency.py'), bs, 'lat', String(rate), String(latencySeconds)],
    { encoding: 'utf8', timeout: (latencySeconds + 120) * 1000 },
  );
  if (py.status !== 0) throw new Error(`librdkafka latency run failed: ${py.stderr}`);
  const rd = JSON.parse(py.stdout.trim().split('\n').at(-1)!) as Latency & { errors: number; firstError: string };
  if (rd.errors > 0) throw new Error(`librdkafka: ${rd.errors} failed deliveries (${rd.firstError})`);
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await producer.send({ topic: 'lat', acks: -1, messages: [{ value: 'warm-up' }] });
  const value = 'x'.repeat(messageBytes);
  const kjs = summary(
    await steadyLatencies(rate, latencySeconds, () => producer.send({ topic: 'lat', acks: -1, messages: [{ value }] })),
  );
  await producer.disconnect();
  const jsLat = summary(await steadyLatencies(rate, latencySeconds, () => js.request('lat', payload)));
  js.close();

  console.log(`\n== figures, ${rounds} rounds of ${messages} x 1 KiB (medians)`);
  console.log(`produce RF 3 acks=all: raftka ${fmt(raftkaProduce)} MiB/s, JetStream R3 ${fmt(jsProduce)} MiB/s`);
  console.log(`  raftka / JetStream ${(raftkaProduce / jsProduce).toFixed(2)} (goal >= 8)`);
  console.log(
    `  raftka / disk write ${(raftkaProduce / disk).toFixed(2)}, raftka / loopback ${(raftkaProduce / loopback).toFixed(3)}`,
  );
  console.log(`consume (page cache): raftka ${fmt(Math.max(...consumeRates))} MiB/s (goal >= 500)`);
  console.log(`  raftka / loopback ${(Math.max(...consumeRates) / loopback).toFixed(2)}`);
  console.log(`latency at a steady ${rate} msg/s, RF 3 / R3 (goal for raftka p50 <= 1 ms, p99 <= 5 ms):`);
  console.log(showLatency('raftka, librdkafka linger.ms=0', rd));
  console.log(showLatency('raftka, kafkajs single sends', kjs));
  console.log(showLatency('JetStream R3 publish', jsLat));
  console.log(`  p99 raftka (librdkafka) / JetStream ${(rd.p99 / jsLat.p99).toFixed(2)}`);
} finally {
  nats.stop();
  await f.destroy();
  rmSync(work, { recursive: true, force: true });
}
