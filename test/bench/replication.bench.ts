// Produce throughput and latency at RF 1 and RF 3 with acks=all, 1 KiB messages, on three
// combined nodes, with kcat (librdkafka) and kafkajs as clients, all in one run so the figures
// compare. `npm run bench -- replication` (REPL_MESSAGES=N kcat messages, default 100,000;
// REPL_LATENCY_SENDS=N sequential kafkajs sends for latency, default 2,000).
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ClusterFixture } from '../../src/testing/cluster-fixture.js';
import { percentile, waitForBrokers } from './bench-util.js';

const messages = Number(process.env['REPL_MESSAGES'] ?? 100_000);
const latencySends = Number(process.env['REPL_LATENCY_SENDS'] ?? 2_000);
const value = 'x'.repeat(1023);
const mib = (n: number): number => (n * 1024) / (1024 * 1024);

function timedKcatProduce(bs: string, topic: string, file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(
      'kcat',
      ['-b', bs, '-P', '-t', topic, '-X', 'acks=all', '-X', 'linger.ms=5', '-X', 'batch.size=1000000'],
      { stdio: [openSync(file, 'r'), 'ignore', 'inherit'] },
    );
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve((performance.now() - started) / 1000) : reject(new Error(`kcat exited ${code}`)),
    );
  });
}

const work = mkdtempSync(join(tmpdir(), 'raftka-repl-bench-'));
const input = join(work, 'in.txt');
writeFileSync(input, `${Array.from({ length: messages }, () => value).join('\n')}\n`);
const f = await ClusterFixture.combined({ nodes: 3 });
try {
  await f.up();
  const bs = f.bootstrapServers;
  await waitForBrokers(bs, 3);
  const kafka = new Kafka({ clientId: 'bench', brokers: bs.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  for (const rf of [1, 3])
    await admin.createTopics({
      topics: [
        { topic: `rf${rf}`, numPartitions: 3, replicationFactor: rf },
        { topic: `lat-rf${rf}`, numPartitions: 1, replicationFactor: rf },
      ],
      waitForLeaders: true,
    });
  await admin.disconnect();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  for (const rf of [1, 3]) {
    const kcatSeconds = await timedKcatProduce(bs, `rf${rf}`, input);
    // kafkajs throughput: batches of 100 messages, 5 sends in flight.
    const batches = Math.ceil(messages / 100);
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 5 }, async () => {
        while (next < batches) {
          next++;
          await producer.send({ topic: `rf${rf}`, acks: -1, messages: Array.from({ length: 100 }, () => ({ value })) });
        }
      }),
    );
    const kjsSeconds = (performance.now() - started) / 1000;
    const latencies: number[] = [];
    for (let i = 0; i < latencySends; i++) {
      const t0 = performance.now();
      await producer.send({ topic: `lat-rf${rf}`, acks: -1, messages: [{ value }] });
      latencies.push(performance.now() - t0);
    }
    latencies.sort((a, b) => a - b);
    console.log(
      `RF ${rf} acks=all: kcat ${(mib(messages) / kcatSeconds).toFixed(1)} MiB/s ${(messages / kcatSeconds).toFixed(0)} msgs/s | ` +
        `kafkajs ${(mib(batches * 100) / kjsSeconds).toFixed(1)} MiB/s ${((batches * 100) / kjsSeconds).toFixed(0)} msgs/s | ` +
        `kafkajs single-message latency p50 ${percentile(latencies, 50).toFixed(2)} ms p99 ${percentile(latencies, 99).toFixed(2)} ms`,
    );
  }
  await producer.disconnect();
} finally {
  await f.destroy();
  rmSync(work, { recursive: true, force: true });
}
