// Exactly-once under kill -9, on three combined nodes of its own (one cluster for both sub-tests):
// idempotent producers (kafkajs `idempotent: true` and kcat `-X enable.idempotence=true`) write
// every acknowledged record exactly once and in order while the partition leader is killed and
// restarted; a consume-transform-produce loop on raftka's own client (GroupConsumer with
// read_committed, TransactionalProducer with the offsets in every transaction), restarted fresh
// only when an error reaches it, outputs each input record exactly once through kill -9 of a
// partition leader and of the transaction coordinator.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { Producer } from 'kafkajs';
import type { ConsumedRecord } from '../../src/client/consumer.js';
import { offsetFetch } from '../../src/client/group-client.js';
import { GroupConsumer } from '../../src/client/group-consumer.js';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { TransactionalProducer } from '../../src/client/transactional-producer.js';
import { IsolationLevel } from '../../src/protocol/txn-types.js';
import { waitFor } from '../../src/testing/cluster-fixture.js';
import {
  createTopic,
  type EosCluster,
  partitionInfo,
  readValues,
  startEosCluster,
  txnCoordinator,
  waitFullIsr,
} from './exactly-once-helpers.js';

/** kill -9 `nodeId`, wait for every partition of `topics` to lead elsewhere, restart it, wait for full ISRs. */
async function killAndRestart(c: EosCluster, nodeId: number, topics: readonly string[]): Promise<void> {
  await c.f.kill9(nodeId);
  await waitFor(
    `leaders other than ${nodeId} on ${topics.join(', ')}`,
    async () => {
      const md = await c.client.metadata([...topics]);
      return md.topics.every((t) => t.partitions.every((p) => p.leader >= 0 && p.leader !== nodeId)) ? true : undefined;
    },
    30_000,
    50,
  );
  await c.f.up(); // restarts the killed node
  await waitFullIsr(c.client, topics);
}

/** A kcat idempotent producer fed `<prefix>-<n>` lines on stdin until stop(). */
function kcatIdempotentProducer(
  bs: string,
  topic: string,
  prefix: string,
): {
  readonly kill: () => void;
  readonly stop: () => Promise<{ fed: number; code: number | null; stderr: string }>;
} {
  const child = spawn(
    'kcat',
    [
      '-b',
      bs,
      '-P',
      '-t',
      topic,
      '-p',
      '0',
      '-X',
      'enable.idempotence=true',
      '-X',
      'message.timeout.ms=120000',
      '-X',
      'reconnect.backoff.max.ms=500',
      '-X',
      'linger.ms=5',
      // Connections to every broker, re-established after a restart: with sparse connections
      // librdkafka does not reconnect to a restarted broker it does not need, counts it down, and
      // kcat gives up ("all brokers are down") when the third leader in a row is killed.
      '-X',
      'enable.sparse.connections=false',
    ],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  const err: Buffer[] = [];
  child.stderr.on('data', (b: Buffer) => err.push(b));
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let fed = 0;
  let stopping = false;
  const feeder = (async () => {
    while (!stopping) {
      child.stdin.write(`${prefix}-${fed++}\n`);
      await new Promise((r) => setTimeout(r, 5)); // the rate of the feed, not a synchronisation
    }
    child.stdin.end();
  })();
  return {
    /** For a test that failed: the feed ends and kcat is killed at once. */
    kill() {
      stopping = true;
      child.kill('SIGKILL');
    },
    async stop() {
      stopping = true;
      await feeder;
      const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
      const code = await closed;
      clearTimeout(timer);
      return { fed, code, stderr: Buffer.concat(err).toString('utf8') };
    },
  };
}

/** The values of `prefix` among `values`, in log order. */
const ofProducer = (values: readonly string[], prefix: string): string[] =>
  values.filter((v) => v.startsWith(`${prefix}-`));

/** One instance of the consume-transform-produce application, on raftka's own client. */
interface LoopApp {
  readonly consumer: GroupConsumer;
  readonly producer: TransactionalProducer;
  readonly client: KafkaClient;
  /** Resolves when the instance has stopped (asked to, or after a failure). */
  readonly done: Promise<void>;
  stopping: boolean;
  failed: Error | null;
}

const loopGroup = 'ctp';
const loopTxnId = 'ctp-app';
const chunkSize = 20;

/**
 * Starts an instance of the loop: a read_committed GroupConsumer of `ctp-in` without auto-commit
 * and a TransactionalProducer (a fixed transactional id: a new instance fences the one before and
 * completes its transaction), each chunk of a partition's records written to the same partition of
 * `ctp-out` with its offset in one transaction. The producer retries what Kafka's does (moved
 * leaders and coordinators); on any error that reaches the application the instance aborts and
 * stops with `failed` set, and the caller starts a fresh one, as a supervisor would.
 */
function startLoop(c: EosCluster, processed: { count: number }): LoopApp {
  const bootstrap = c.f.brokerPorts.map((port) => ({ host: '127.0.0.1', port }));
  const client = new KafkaClient(bootstrap, { clientId: 'ctp-producer', requestTimeoutMs: 5_000 });
  const producer = new TransactionalProducer(client, {
    transactionalId: loopTxnId,
    transactionTimeoutMs: 20_000,
    maxBlockMs: 30_000,
    deliveryTimeoutMs: 30_000,
  });
  const consumer = new GroupConsumer(bootstrap, {
    groupId: loopGroup,
    topics: ['ctp-in'],
    clientId: 'ctp-consumer',
    autoCommit: false,
    autoOffsetReset: 'earliest',
    isolationLevel: 'read_committed',
    sessionTimeoutMs: 6_000,
    rebalanceTimeoutMs: 6_000,
    heartbeatIntervalMs: 500,
    requestTimeoutMs: 5_000,
  });
  const app: { -readonly [K in keyof LoopApp]: LoopApp[K] } = {
    consumer,
    producer,
    client,
    done: Promise.resolve(),
    stopping: false,
    failed: null,
  };
  const transform = async (partition: number, chunk: readonly ConsumedRecord[]): Promise<void> => {
    const last = chunk[chunk.length - 1]!;
    producer.beginTransaction();
    try {
      await producer.send(
        chunk.map((r) => ({
          topic: 'ctp-out',
          partition,
          key: r.key,
          value: Buffer.from(`out-${r.value?.toString() ?? ''}`),
        })),
      );
      await producer.sendOffsetsToTransaction(
        [{ topic: 'ctp-in', partition, offset: last.offset + 1 }],
        consumer.groupMetadata(),
      );
      await producer.commitTransaction();
    } catch (err) {
      if (producer.state !== 'fatal-error') await producer.abortTransaction().catch(() => undefined);
      throw err;
    }
    processed.count += chunk.length;
  };
  app.done = (async () => {
    try {
      // First: fences the previous instance and lets its transaction complete, so the offsets
      // the consumer starts from are settled (and it asks for stable offsets anyway).
      await producer.initTransactions();
      while (!app.stopping) {
        const byPartition = new Map<number, ConsumedRecord[]>();
        for (const r of await consumer.poll(200))
          byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r]);
        for (const [partition, records] of byPartition)
          for (let i = 0; i < records.length && !app.stopping; i += chunkSize)
            await transform(partition, records.slice(i, i + chunkSize));
      }
    } catch (err) {
      app.failed = err instanceof Error ? err : new Error(String(err));
    }
  })();
  return app;
}

/** Stops an instance, bounded: one still stuck in a retry is left to its deadlines (the next instance fences it). */
async function stopLoop(app: LoopApp): Promise<void> {
  app.stopping = true;
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((r) => (timer = setTimeout(r, 15_000)));
  await Promise.race([app.done, bound]);
  await Promise.race([app.consumer.close().catch(() => undefined), bound]);
  clearTimeout(timer);
  app.client.close();
}

test('exactly-once under kill -9: idempotent producers, a consume-transform-produce loop', {
  timeout: 400_000,
}, async (t) => {
  const producers = new Set<Producer>();
  const loops = new Set<LoopApp>();
  // Registered first so it runs first: clients stop before the cluster does.
  t.after(async () => {
    for (const app of loops) await stopLoop(app);
    await Promise.all([...producers].map((p) => p.disconnect().catch(() => undefined)));
  });
  const c = await startEosCluster(t, 'eos-faults');
  const { bs, kafka, client } = c;

  await t.test(
    'idempotent kafkajs and kcat producers: exactly once and in order through leader kill -9s',
    async (tt: TestContext) => {
      await createTopic(c, 'idem', 1);
      const producer = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 5,
        allowAutoTopicCreation: false,
        retry: { retries: 1000, initialRetryTime: 100, maxRetryTime: 1000 },
      });
      producers.add(producer);
      await producer.connect();
      const kcatProducer = kcatIdempotentProducer(bs, 'idem', 'kcat');
      // A failed wait must not leave the writer and kcat's feed going: the file would never end.
      tt.after(() => kcatProducer.kill());
      const acked: string[] = [];
      let sendError: unknown = null;
      let stop = false;
      tt.after(() => (stop = true));
      const writer = (async () => {
        for (let i = 0; !stop && sendError === null; i += 5) {
          const values = [0, 1, 2, 3, 4].map((k) => `kjs-${i + k}`);
          try {
            // One send at a time: kafkajs gives a failed batch's sequence numbers to the next one.
            await producer.send({
              topic: 'idem',
              acks: -1,
              timeout: 5_000,
              messages: values.map((value) => ({ value })),
            });
            acked.push(...values);
          } catch (err) {
            sendError = err;
          }
        }
      })();
      const progress = async (what: string): Promise<void> => {
        const before = acked.length;
        await waitFor(
          what,
          async () => {
            if (sendError !== null) throw sendError;
            return acked.length >= before + 50 ? true : undefined;
          },
          60_000,
          20,
        );
      };
      await progress('acknowledged writes before the first kill');
      for (let kill = 1; kill <= 3; kill++) {
        const leader = (await partitionInfo(client, 'idem', 0)).leader;
        await killAndRestart(c, leader, ['idem']);
        await progress(`acknowledged writes after kill ${kill}`);
      }
      stop = true;
      await writer;
      assert.equal(sendError, null, `a kafkajs send failed: ${String(sendError)}`);
      const k = await kcatProducer.stop();
      assert.equal(k.code, 0, `kcat: ${k.stderr}`);
      assert.doesNotMatch(k.stderr, /Delivery failed|fatal/i, 'kcat delivered every message');
      tt.diagnostic(`${acked.length} kafkajs records, ${k.fed} kcat records`);

      const values = await readValues(bs, 'idem', 'read_uncommitted');
      assert.deepEqual(ofProducer(values, 'kjs'), acked, 'kafkajs: every acknowledged record once, in order');
      assert.deepEqual(
        ofProducer(values, 'kcat'),
        Array.from({ length: k.fed }, (_, i) => `kcat-${i}`),
        'kcat: every record once, in order',
      );
    },
  );

  await t.test(
    'a consume-transform-produce loop outputs each input once through leader and coordinator kill -9s',
    async (tt: TestContext) => {
      await createTopic(c, 'ctp-in', 3);
      await createTopic(c, 'ctp-out', 3);
      const topics = ['ctp-in', 'ctp-out', '__consumer_offsets', '__transaction_state'];
      // The input: an idempotent producer feeding records until stopped, one partition per send:
      // kafkajs 2.2 drops the records of a partition from a send spanning several leaders when the
      // partition's new leader already answered for another partition of the same send (its retry
      // only re-sends to brokers without an answer), which is a loss of kafkajs' own.
      const feeder = kafka.producer({
        idempotent: true,
        allowAutoTopicCreation: false,
        retry: { retries: 1000, initialRetryTime: 100, maxRetryTime: 1000 },
      });
      producers.add(feeder);
      await feeder.connect();
      let feeding = true;
      let fed = 0;
      let feedError: unknown = null;
      const feeding$ = (async () => {
        while (feeding) {
          const values = Array.from({ length: 10 }, (_, k) => `in-${fed + k}`);
          try {
            await feeder.send({
              topic: 'ctp-in',
              acks: -1,
              timeout: 5_000,
              messages: values.map((value) => ({ key: value, value, partition: (fed / 10) % 3 })),
            });
          } catch (err) {
            feedError = err;
            return;
          }
          fed += values.length;
          await new Promise((r) => setTimeout(r, 100)); // the rate of the feed, not a synchronisation
        }
      })();

      const processed = { count: 0 };
      let restarts = 0;
      let app = startLoop(c, processed);
      loops.add(app);
      const restart = async (): Promise<void> => {
        restarts++;
        tt.diagnostic(`restarting the loop after: ${app.failed?.message ?? 'no error'}`);
        await stopLoop(app);
        loops.delete(app);
        app = startLoop(c, processed); // fences the old instance's producer if it is stuck
        loops.add(app);
      };
      const progress = async (what: string): Promise<void> => {
        const before = processed.count;
        await waitFor(
          what,
          async () => {
            if (app.failed) await restart();
            return processed.count >= before + 100 ? true : undefined;
          },
          90_000,
          50,
        );
      };
      await progress('the loop to process input');

      // kill -9 the leader of an output partition (not the coordinator), then the coordinator.
      const coordinator = await txnCoordinator(client, loopTxnId);
      const outLeaders = await Promise.all([0, 1, 2].map((p) => partitionInfo(client, 'ctp-out', p)));
      const victim = outLeaders.find((p) => p.leader !== coordinator)?.leader ?? outLeaders[0]!.leader;
      // The loop must go on while the node is down; it is restarted meanwhile (as a supervisor
      // would) and back in every ISR before the next kill.
      await c.f.kill9(victim);
      await Promise.all([progress(`the loop to go on after kill -9 of partition leader ${victim}`), c.f.up()]);
      await waitFullIsr(client, topics);

      const coordinator2 = await txnCoordinator(client, loopTxnId);
      await c.f.kill9(coordinator2);
      await Promise.all([
        progress(`the loop to go on after kill -9 of transaction coordinator ${coordinator2}`),
        c.f.up(),
      ]);
      await waitFullIsr(client, topics);

      feeding = false;
      await feeding$;
      assert.equal(feedError, null, `a feeder send failed: ${String(feedError)}`);
      // Everything fed is consumed: the group's committed offsets reach the end of the input.
      await waitFor(
        'the loop to commit offsets at the end of the input',
        async () => {
          if (app.failed) await restart();
          // Stable offsets only (an answer while a commit's marker is on its way is an error, retried).
          const committed = await offsetFetch(client, loopGroup, [{ topic: 'ctp-in', partitions: [0, 1, 2] }], true);
          for (const p of committed) {
            const end = await client.listOffset('ctp-in', p.partition, -1, IsolationLevel.READ_COMMITTED);
            if (p.offset !== end.offset) return undefined;
          }
          return true;
        },
        60_000,
        200,
      );
      await stopLoop(app);
      loops.delete(app);
      tt.diagnostic(`${fed} input records, ${processed.count} processed (with re-processing), ${restarts} restarts`);

      const input = await readValues(bs, 'ctp-in', 'read_uncommitted');
      assert.equal(input.length, fed, 'every fed record is in the input once');
      const output = await readValues(bs, 'ctp-out', 'read_committed');
      const counts = new Map<string, number>();
      for (const v of output) counts.set(v, (counts.get(v) ?? 0) + 1);
      const missing = input.filter((v) => !counts.has(`out-${v}`));
      const duplicated = [...counts].filter(([, n]) => n > 1).map(([v]) => v);
      assert.deepEqual(missing, [], 'every input record is in the output');
      assert.deepEqual(duplicated, [], 'no input record is in the output twice');
      assert.equal(output.length, input.length);
    },
  );
});
