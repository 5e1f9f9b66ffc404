// Partition replication with ISR under process faults, with real clients: acks=all never loses
// an acknowledged record through leader kills; a paused follower leaves the ISR and comes back;
// with too few replicas acks=all is refused with NOT_ENOUGH_REPLICAS.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { ClusterFixture, waitFor } from '../../src/testing/cluster-fixture.js';
import { kcat } from '../../src/testing/kcat.js';
import { KafkaClient, type PartitionInfo } from '../../src/client/kafka-client.js';
import { buildRecordBatch } from '../../src/protocol/record-batch.js';

/** Fast failure detection so the test spends its time on faults, not on timeouts. */
const fast = {
  'broker.heartbeat.interval.ms': '300',
  'broker.session.timeout.ms': '2000',
  'replica.lag.time.max.ms': '2000',
  'replica.fetch.wait.max.ms': '200',
};

async function partition(client: KafkaClient, topic: string): Promise<PartitionInfo> {
  const md = await client.metadata([topic]);
  return md.topics[0]!.partitions[0]!;
}

/**
 * Start `layout`, wait for its three brokers, and create `topic` (1 partition, RF 3,
 * min.insync.replicas=2) with a full ISR. Everything started is stopped after the test.
 */
async function clusterWithTopic(
  t: TestContext,
  start: () => Promise<ClusterFixture>,
  topic: string,
): Promise<{ f: ClusterFixture; bs: string; client: KafkaClient; full: PartitionInfo }> {
  const f = await start();
  t.after(() => f.destroy());
  await f.up();
  const bs = f.bootstrapServers;
  await waitFor(
    'three brokers',
    async () => ((await kcat(['-b', bs, '-L', '-m', '3'])).stdout.includes('3 brokers') ? true : undefined),
    60_000,
    200,
  );
  const client = new KafkaClient(
    f.brokerPorts.map((port) => ({ host: '127.0.0.1', port })),
    { retries: 0 },
  );
  t.after(() => client.close());
  await client.createTopic(topic, 1, 3, new Map([['min.insync.replicas', '2']]));
  const full = await waitFor(
    'a full ISR',
    async () => {
      const p = await partition(client, topic).catch(() => null);
      return p?.isr.length === 3 ? p : undefined;
    },
    30_000,
    100,
  );
  return { f, bs, client, full };
}

/** A kafkajs producer with retries on, acks=all, one request in flight: its acks are ordered. */
function orderedProducer(t: TestContext, bs: string, clientId: string): Producer {
  const kafka = new Kafka({
    clientId,
    brokers: bs.split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: false, maxInFlightRequests: 1 });
  t.after(() => producer.disconnect());
  return producer;
}

/** Every acknowledged value must be read back at the offset it was acknowledged at. */
async function assertAckedReadable(
  bs: string,
  topic: string,
  acked: readonly { offset: number; value: string }[],
): Promise<void> {
  const r = await kcat(
    ['-b', bs, '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%o %s\n'],
    undefined,
    120_000,
  );
  assert.equal(r.code, 0, r.stderr);
  const read = new Map(
    r.stdout
      .trim()
      .split('\n')
      .map((l) => [Number(l.slice(0, l.indexOf(' '))), l.slice(l.indexOf(' ') + 1)] as const),
  );
  for (const a of acked) assert.equal(read.get(a.offset), a.value, `acknowledged ${a.value} at offset ${a.offset}`);
}

const isolated = (): Promise<ClusterFixture> => ClusterFixture.controllers({ controllers: 3, brokers: 3, extra: fast });
const layouts: readonly { name: string; start: () => Promise<ClusterFixture> }[] = [
  { name: 'three combined nodes', start: () => ClusterFixture.combined({ nodes: 3, extra: fast }) },
  { name: '3 controllers + 3 brokers', start: isolated },
];

for (const layout of layouts)
  test(`acks=all: every acknowledged record survives five kill -9s of the partition leader (${layout.name})`, {
    timeout: 400_000,
  }, async (t) => {
    const { f, bs, client } = await clusterWithTopic(t, layout.start, 'durable');
    const producer = orderedProducer(t, bs, 'acks-all');
    await producer.connect();
    const acked: { offset: number; value: string }[] = [];
    let stop = false;
    t.after(() => (stop = true)); // a failed wait must not leave the writer looping
    let failures = 0;
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        const value = `v-${i}`;
        try {
          const res = await producer.send({ topic: 'durable', acks: -1, timeout: 5000, messages: [{ value }] });
          acked.push({ offset: Number(res[0]!.baseOffset), value });
        } catch {
          failures++; // indeterminate: not counted as acknowledged
        }
      }
    })();

    for (let kill = 1; kill <= 5; kill++) {
      const before = acked.length;
      await waitFor(
        'more acknowledged writes',
        async () => (acked.length >= before + 20 ? true : undefined),
        60_000,
        10,
      );
      const p = await partition(client, 'durable');
      await f.kill9(p.leader);
      await waitFor(
        `a new leader after killing ${p.leader}`,
        async () => {
          const q = await partition(client, 'durable').catch(() => null);
          return q && q.leader >= 0 && q.leader !== p.leader ? true : undefined;
        },
        30_000,
        50,
      );
      await f.up(); // restarts the killed node
      await waitFor(
        `broker ${p.leader} back in the ISR`,
        async () => ((await partition(client, 'durable').catch(() => null))?.isr.length === 3 ? true : undefined),
        60_000,
        100,
      );
    }
    const last = acked.length;
    await waitFor('writes after the last kill', async () => (acked.length >= last + 20 ? true : undefined), 60_000, 10);
    stop = true;
    await writer;
    t.diagnostic(`${acked.length} acknowledged, ${failures} failed sends`);

    await assertAckedReadable(bs, 'durable', acked);
    const offsets = acked.map((a) => a.offset);
    assert.deepEqual(
      offsets,
      [...offsets].sort((x, y) => x - y),
      'acknowledged in offset order',
    );
  });

test('a paused follower leaves the ISR and writes go on; resumed, it returns; two brokers down refuse acks=all', {
  timeout: 300_000,
}, async (t) => {
  const { f, bs, client, full } = await clusterWithTopic(t, isolated, 'isr');
  const produce = (value: string): Promise<{ code: number | null; stderr: string }> =>
    kcat(['-b', bs, '-P', '-t', 'isr', '-p', '0', '-X', 'acks=all', '-X', 'message.timeout.ms=4000'], `${value}\n`);

  // SIGSTOP one follower: it stops fetching, the leader drops it within replica.lag.time.max.ms.
  const follower = full.replicas.find((r) => r !== full.leader)!;
  const pid = await f.pidOf(follower);
  process.kill(pid, 'SIGSTOP');
  let resumed = false;
  t.after(() => {
    if (!resumed) process.kill(pid, 'SIGCONT');
  });
  const stoppedAt = Date.now();
  const shrunk = await waitFor(
    'the ISR without the paused follower',
    async () => {
      const p = await partition(client, 'isr').catch(() => null);
      return p && !p.isr.includes(follower) ? p : undefined;
    },
    20_000,
    50,
  );
  t.diagnostic(`ISR shrank to [${shrunk.isr}] ${Date.now() - stoppedAt} ms after SIGSTOP`);
  assert.equal((await produce('while-paused')).code, 0, 'acks=all writes go on with 2 of 3 in the ISR');
  const under = await f.raftka('topics', '--bootstrap-server', bs, '--describe', '--under-replicated-partitions');
  assert.match(
    under,
    new RegExp(
      `^\\tTopic: isr\\tPartition: 0\\tLeader: ${shrunk.leader}\\tReplicas: [\\d,]+\\tIsr: ${shrunk.isr.join(',')}\\n$`,
    ),
  );
  assert.equal(await f.raftka('topics', '--bootstrap-server', bs, '--describe', '--unavailable-partitions'), '');
  const leaderMetrics = (): Promise<string> => f.metrics(3 + (shrunk.leader - 100));
  assert.match(await leaderMetrics(), /^raftka_under_replicated_partitions\{[^}]*\} 1$/m);
  // raftka_isr_shrinks_total counts the leader's own shrinks (Kafka's IsrShrinksPerSec); here the
  // controller may fence the stopped broker first and shrink the ISR itself, so it is not checked.
  process.kill(pid, 'SIGCONT');
  resumed = true;
  await waitFor(
    'the follower back in the ISR',
    async () => ((await partition(client, 'isr').catch(() => null))?.isr.includes(follower) ? true : undefined),
    30_000,
    100,
  );
  await waitFor(
    'the leader to count the expansion',
    async () => (/^raftka_isr_expands_total\{[^}]*\} [1-9]\d*$/m.test(await leaderMetrics()) ? true : undefined),
    10_000,
    100,
  );

  // Two of three brokers down: acks=all is refused, nothing partial becomes visible.
  const leader = (await partition(client, 'isr')).leader;
  const others = full.replicas.filter((r) => r !== leader);
  for (const id of others) await f.kill9(id);
  await waitFor(
    'the ISR down to the leader',
    async () => ((await partition(client, 'isr').catch(() => null))?.isr.length === 1 ? true : undefined),
    30_000,
    100,
  );
  await assert.rejects(
    client.produce('isr', 0, buildRecordBatch([{ value: Buffer.from('refused'), timestamp: Date.now() }]), -1),
    /NOT_ENOUGH_REPLICAS/,
  );
  const visible = await kcat(['-b', bs, '-C', '-t', 'isr', '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%s\n']);
  assert.ok(!visible.stdout.includes('refused'), 'a refused record is never visible');
  await f.up(); // the killed brokers return
  await waitFor(
    'the ISR big enough again',
    async () => (((await partition(client, 'isr').catch(() => null))?.isr.length ?? 0) >= 2 ? true : undefined),
    60_000,
    100,
  );
  assert.equal((await produce('after-return')).code, 0);
  const end = await kcat(['-b', bs, '-C', '-t', 'isr', '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%s\n']);
  assert.deepEqual(end.stdout.trim().split('\n'), ['while-paused', 'after-return']);
});

test('SIGTERM of the leading broker moves its leadership away first; acks=all writes never fail meanwhile', {
  timeout: 300_000,
}, async (t) => {
  const { f, bs, client, full: before } = await clusterWithTopic(t, isolated, 'moving');
  const producer = orderedProducer(t, bs, 'sigterm');
  await producer.connect();
  const acked: { offset: number; value: string }[] = [];
  const errors: string[] = [];
  let stop = false;
  t.after(() => (stop = true)); // a failed wait must not leave the writer looping
  const writer = (async () => {
    for (let i = 0; !stop; i++) {
      try {
        const res = await producer.send({ topic: 'moving', acks: -1, timeout: 5000, messages: [{ value: `m-${i}` }] });
        acked.push({ offset: Number(res[0]!.baseOffset), value: `m-${i}` });
      } catch (err) {
        errors.push(err instanceof Error ? err.message : String(err));
      }
    }
  })();
  await waitFor('writes flowing', async () => (acked.length >= 50 ? true : undefined), 30_000, 10);
  const pid = await f.pidOf(before.leader);
  process.kill(pid, 'SIGTERM');
  await waitFor(
    'the broker to exit',
    async () => {
      try {
        process.kill(pid, 0);
        return undefined;
      } catch {
        return true;
      }
    },
    30_000,
    20,
  );
  const after = await partition(client, 'moving');
  assert.notEqual(after.leader, before.leader, 'leadership moved away');
  assert.ok(!after.isr.includes(before.leader), 'the stopped broker left the ISR');
  const count = acked.length;
  await waitFor('writes after the shutdown', async () => (acked.length >= count + 50 ? true : undefined), 30_000, 10);
  stop = true;
  await writer;
  assert.deepEqual(errors, [], 'no produce failed');
  await assertAckedReadable(bs, 'moving', acked);
});
