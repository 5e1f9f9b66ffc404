// Exactly-once costs on three combined nodes, RF 3, 1 KiB messages, all in one run so the
// figures compare:
// 1. idempotent produce against plain acks=all, alternating rounds (median of EOS_ROUNDS each; kcat
//    also plain with max.in.flight=5, the cap librdkafka keeps for idempotence),
//    with kcat (librdkafka: `enable.idempotence=true` vs `acks=all`) and kafkajs (`idempotent:
//    true` vs `acks: -1`, sends of 100 messages, one send at a time: kafkajs's idempotent producer
//    holds a lock per broker around each produce request, so with several sends in flight the
//    plain producer would pipeline where the idempotent one cannot, which measures the client,
//    not the broker); the goal is idempotent / plain >= 0.9;
// 2. a kafkajs transactional producer committing transactions of 100 records for EOS_TXN_SECONDS:
//    transactions/s, records/s, commit latency p50/p99 (from beginTransaction to commit()
//    returning), and a read_committed kafkajs consumer reading at the same time: end-to-end
//    latency p50/p99 from send to delivery, and a check that it read every committed record once.
// `npm run bench -- exactly-once` (EOS_KCAT_MESSAGES, default 200,000; EOS_KAFKAJS_MESSAGES,
// default 30,000; EOS_ROUNDS, default 3; EOS_TXN_SECONDS, default 20).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { ClusterFixture, waitFor } from '../../src/testing/cluster-fixture.js';
import { waitForBrokers } from './bench-util.js';

const kcatMessages = Number(process.env['EOS_KCAT_MESSAGES'] ?? 200_000);
const kafkajsMessages = Number(process.env['EOS_KAFKAJS_MESSAGES'] ?? 30_000);
const rounds = Number(process.env['EOS_ROUNDS'] ?? 3);
const txnSeconds = Number(process.env['EOS_TXN_SECONDS'] ?? 20);
const messageBytes = 1024;
const kafkajsBatchMessages = 100;
const kafkajsSendsInFlight = 1;
const txnRecords = 100;
const txnWarmups = 3;
const kcatTimeoutMs = 180_000;
const drainTimeoutMs = 30_000;
const consumerMaxWaitMs = 500;
const value = Buffer.alloc(messageBytes, 'x');
const mib = (messages: number): number => (messages * messageBytes) / (1024 * 1024);

type Mode = 'plain' | 'idempotent';
/**
 * kcat also runs plain with librdkafka's in-flight cap for idempotence (5 requests a connection):
 * what is left of the gap then is not the pipeline depth the client allows.
 */
type KcatMode = Mode | 'plain-inflight5';
const kcatModeArgs: Record<KcatMode, string[]> = {
  plain: ['-X', 'acks=all'],
  'plain-inflight5': ['-X', 'acks=all', '-X', 'max.in.flight=5'],
  idempotent: ['-X', 'enable.idempotence=true'],
};

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function median(xs: readonly number[]): number {
  return percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );
}

/** kcat producing `file` (one message a line) to `topic`; seconds for the whole process. */
function timedKcatProduce(bs: string, topic: string, file: string, mode: KcatMode): Promise<number> {
  const modeArgs = kcatModeArgs[mode];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const fd = openSync(file, 'r');
    const child = spawn(
      'kcat',
      ['-b', bs, '-P', '-t', topic, ...modeArgs, '-X', 'linger.ms=5', '-X', 'batch.size=1000000'],
      { stdio: [fd, 'ignore', 'inherit'] },
    );
    const timer = setTimeout(() => child.kill('SIGKILL'), kcatTimeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      closeSync(fd);
      if (code === 0) resolve((performance.now() - started) / 1000);
      else reject(new Error(`kcat (${mode}) exited ${code}`));
    });
  });
}

/** kafkajs: `messages` in sends of 100, `kafkajsSendsInFlight` at a time; seconds. */
async function timedKafkajsProduce(producer: Producer, topic: string, messages: number): Promise<number> {
  const sends = Math.ceil(messages / kafkajsBatchMessages);
  const batch = Array.from({ length: kafkajsBatchMessages }, () => ({ value }));
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: kafkajsSendsInFlight }, async () => {
      while (next < sends) {
        next++;
        await producer.send({ topic, acks: -1, messages: batch });
      }
    }),
  );
  return (performance.now() - started) / 1000;
}

async function endOffsetSum(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, o) => sum + Number(o.high), 0);
}

interface Throughput {
  readonly seconds: number[];
}

function rate(messages: number, seconds: number): string {
  return `${(mib(messages) / seconds).toFixed(1)} MiB/s ${(messages / seconds).toFixed(0)} msg/s`;
}

function summarise(client: string, messages: number, plain: Throughput, idem: Throughput, plainLabel = 'plain'): void {
  const p = median(plain.seconds);
  const i = median(idem.seconds);
  console.log(
    `${client.padEnd(7)} median  ${plainLabel} acks=all ${rate(messages, p)} | idempotent ${rate(messages, i)} | ` +
      `idempotent/${plainLabel} ${(p / i).toFixed(2)}`,
  );
}

/** Part 1: alternating rounds of plain and idempotent produce with kcat and kafkajs. */
async function idempotentVersusPlain(kafka: Kafka, admin: Admin, bs: string, input: string): Promise<void> {
  const topics: Record<Mode, string> = { plain: 'plain', idempotent: 'idempotent' };
  const plainProducer = kafka.producer({ allowAutoTopicCreation: false });
  const idemProducer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true });
  await plainProducer.connect();
  await idemProducer.connect();
  const kcatT: Record<KcatMode, Throughput> = {
    plain: { seconds: [] },
    'plain-inflight5': { seconds: [] },
    idempotent: { seconds: [] },
  };
  const kcatOrders: KcatMode[][] = [
    ['plain', 'plain-inflight5', 'idempotent'],
    ['idempotent', 'plain', 'plain-inflight5'],
    ['plain-inflight5', 'idempotent', 'plain'],
  ];
  const kjsT: Record<Mode, Throughput> = { plain: { seconds: [] }, idempotent: { seconds: [] } };
  try {
    for (let r = 0; r < rounds; r++) {
      // Alternate which mode goes first so drift (segment rolls, page cache) falls on both.
      const order: Mode[] = r % 2 === 0 ? ['plain', 'idempotent'] : ['idempotent', 'plain'];
      const line: string[] = [];
      for (const mode of kcatOrders[r % kcatOrders.length]!) {
        const topic = topics[mode === 'idempotent' ? 'idempotent' : 'plain'];
        const before = await endOffsetSum(admin, topic);
        const s = await timedKcatProduce(bs, topic, input, mode);
        const written = (await endOffsetSum(admin, topic)) - before;
        if (written !== kcatMessages) throw new Error(`kcat ${mode}: ${written} records written, sent ${kcatMessages}`);
        kcatT[mode].seconds.push(s);
        line.push(`kcat ${mode} ${rate(kcatMessages, s)}`);
      }
      for (const mode of order) {
        const producer = mode === 'idempotent' ? idemProducer : plainProducer;
        const before = await endOffsetSum(admin, topics[mode]);
        const s = await timedKafkajsProduce(producer, topics[mode], kafkajsMessages);
        const written = (await endOffsetSum(admin, topics[mode])) - before;
        const sent = Math.ceil(kafkajsMessages / kafkajsBatchMessages) * kafkajsBatchMessages;
        if (written !== sent) throw new Error(`kafkajs ${mode}: ${written} records written, sent ${sent}`);
        kjsT[mode].seconds.push(s);
        line.push(`kafkajs ${mode} ${rate(sent, s)}`);
      }
      console.log(`round ${r + 1}: ${line.join(' | ')}`);
    }
  } finally {
    await plainProducer.disconnect();
    await idemProducer.disconnect();
  }
  summarise('kcat', kcatMessages, kcatT.plain, kcatT.idempotent);
  summarise('kcat', kcatMessages, kcatT['plain-inflight5'], kcatT.idempotent, 'plain-inflight5');
  summarise(
    'kafkajs',
    Math.ceil(kafkajsMessages / kafkajsBatchMessages) * kafkajsBatchMessages,
    kjsT.plain,
    kjsT.idempotent,
  );
}

/** Part 2: transactions of 100 records for `txnSeconds`, with a read_committed consumer. */
async function transactions(kafka: Kafka): Promise<void> {
  const topic = 'txn';
  const sentAt = new Map<string, number>();
  const e2e: number[] = [];
  let delivered = 0;
  let duplicates = 0;
  let unknown = 0;
  const consumer = kafka.consumer({
    groupId: 'eos-bench-rc',
    readUncommitted: false,
    maxWaitTimeInMs: consumerMaxWaitMs,
  });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const now = performance.now();
      const key = message.key?.toString() ?? '';
      const t = sentAt.get(key);
      if (t === undefined) unknown++;
      else if (t < 0) duplicates++;
      else {
        e2e.push(now - t);
        sentAt.set(key, -1);
        delivered++;
      }
    },
  });
  const producer = kafka.producer({
    transactionalId: 'eos-bench',
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  try {
    await waitFor('read_committed consumer joined', async () => (joined ? true : undefined), 60_000, 50);
    // Warm-up transactions to another topic: the first one creates __transaction_state.
    for (let w = 0; w < txnWarmups; w++) {
      const txn = await producer.transaction();
      await txn.send({ topic: 'txn-warmup', acks: -1, messages: [{ value }] });
      await txn.commit();
    }
    const commitMs: number[] = [];
    const started = performance.now();
    const deadline = started + txnSeconds * 1000;
    let n = 0;
    while (performance.now() < deadline) {
      const t0 = performance.now();
      const txn = await producer.transaction();
      const messages = Array.from({ length: txnRecords }, (_, i) => ({ key: `${n}-${i}`, value }));
      const tSend = performance.now();
      for (const m of messages) sentAt.set(m.key, tSend);
      await txn.send({ topic, acks: -1, messages });
      await txn.commit();
      commitMs.push(performance.now() - t0);
      n++;
    }
    const seconds = (performance.now() - started) / 1000;
    const committed = n * txnRecords;
    commitMs.sort((a, b) => a - b);
    console.log(
      `transactions of ${txnRecords} x 1 KiB, RF 3, ${seconds.toFixed(1)} s: ${(n / seconds).toFixed(1)} txn/s, ` +
        `${(committed / seconds).toFixed(0)} records/s (${(mib(committed) / seconds).toFixed(1)} MiB/s) | ` +
        `commit latency p50 ${percentile(commitMs, 50).toFixed(1)} ms p99 ${percentile(commitMs, 99).toFixed(1)} ms`,
    );
    const drained = await waitFor(
      'read_committed consumer caught up',
      async () => (delivered >= committed ? true : undefined),
      drainTimeoutMs,
      50,
    ).catch(() => false);
    e2e.sort((a, b) => a - b);
    console.log(
      `read_committed consumer (maxWaitTimeInMs ${consumerMaxWaitMs}): read ${delivered} of ${committed} committed records` +
        `${drained ? '' : ` (gave up after ${drainTimeoutMs} ms)`}, ${duplicates} duplicates, ${unknown} unknown | ` +
        `end-to-end latency send -> delivery p50 ${percentile(e2e, 50).toFixed(1)} ms p99 ${percentile(e2e, 99).toFixed(1)} ms`,
    );
    if (!drained || duplicates > 0 || unknown > 0)
      throw new Error('read_committed consumer did not read each committed record exactly once');
  } finally {
    await producer.disconnect();
    await consumer.disconnect();
  }
}

const kcatVersion = spawnSync('kcat', ['-V'], { encoding: 'utf8' }).stdout.match(/librdkafka version ([^ \n]+)/)?.[1];
console.log(
  `environment: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), node ${process.version}, ` +
    `librdkafka ${kcatVersion ?? 'unknown'}, kafkajs; 3 combined nodes on 127.0.0.1, topics 3 partitions RF 3`,
);
console.log(
  `part 1: ${rounds} rounds (order rotated) of plain acks=all vs idempotent produce, median; kcat also plain with max.in.flight=5; ` +
    `kcat ${kcatMessages} x 1 KiB a round (linger.ms=5, batch.size=1000000), ` +
    `kafkajs ${kafkajsMessages} x 1 KiB a round (sends of ${kafkajsBatchMessages}, ${kafkajsSendsInFlight} in flight)`,
);
const work = mkdtempSync(join(tmpdir(), 'raftka-eos-bench-'));
const input = join(work, 'in.txt');
const line = 'x'.repeat(messageBytes); // kcat strips the newline: 1,024-byte messages
writeFileSync(input, `${Array.from({ length: kcatMessages }, () => line).join('\n')}\n`);
const f = await ClusterFixture.combined({ nodes: 3 });
try {
  await f.up();
  const bs = f.bootstrapServers;
  await waitForBrokers(bs, 3);
  const kafka = new Kafka({ clientId: 'eos-bench', brokers: bs.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: ['plain', 'idempotent', 'txn', 'txn-warmup'].map((topic) => ({
        topic,
        numPartitions: 3,
        replicationFactor: 3,
      })),
      waitForLeaders: true,
    });
    await idempotentVersusPlain(kafka, admin, bs, input);
  } finally {
    await admin.disconnect();
  }
  console.log(
    `part 2: kafkajs transactional producer, one send of ${txnRecords} x 1 KiB records (over 3 partitions) ` +
      `then commit, in a loop for ${txnSeconds} s, with a read_committed kafkajs consumer reading the topic concurrently`,
  );
  await transactions(kafka);
} finally {
  await f.destroy();
  rmSync(work, { recursive: true, force: true });
}
