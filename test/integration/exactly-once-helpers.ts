// Shared pieces of the exactly-once integration tests (exactly-once*.test.ts): a three-node
// cluster with fast failure detection and small internal topics, transaction-coordinator lookups
// through the raw Kafka API (FindCoordinator key type 1, DescribeTransactions), and read-backs
// through kcat at either isolation level.
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { ClusterFixture, waitFor } from '../../src/testing/cluster-fixture.js';
import { kcat } from '../../src/testing/kcat.js';
import { KafkaClient, type PartitionInfo } from '../../src/client/kafka-client.js';
import { findCoordinatorApi } from '../../src/protocol/messages/find-coordinator.js';
import { describeTransactionsApi } from '../../src/protocol/messages/describe-transactions.js';

/** Fast failure detection (as replication.test.ts) and small internal topics. */
export const eosConfig: Readonly<Record<string, string>> = {
  'broker.heartbeat.interval.ms': '300',
  'broker.session.timeout.ms': '2000',
  'replica.lag.time.max.ms': '2000',
  'replica.fetch.wait.max.ms': '200',
  'transaction.state.log.num.partitions': '3',
  'offsets.topic.num.partitions': '3',
  'group.initial.rebalance.delay.ms': '300',
  'transaction.abort.timed.out.transaction.cleanup.interval.ms': '500',
};

export interface EosCluster {
  readonly f: ClusterFixture;
  readonly bs: string;
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly client: KafkaClient;
}

/** Three combined nodes, up with three registered brokers; all stopped after the test. */
export async function startEosCluster(t: TestContext, clientId: string): Promise<EosCluster> {
  const f = await ClusterFixture.combined({ nodes: 3, extra: eosConfig });
  t.after(() => f.destroy());
  await f.up();
  const bs = f.bootstrapServers;
  const kafka = new Kafka({
    clientId,
    brokers: bs.split(','),
    logLevel: logLevel.NOTHING,
    // A stopped (SIGSTOP) or killed broker must not hold a request for kafkajs' default 30 s.
    requestTimeout: 5_000,
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  const admin = kafka.admin();
  await waitFor(
    'three brokers registered',
    async () => {
      await admin.connect();
      const d = await admin.describeCluster();
      return d.brokers.length === 3 && d.controller !== null && d.controller >= 0 ? true : undefined;
    },
    60_000,
    200,
  );
  t.after(() => admin.disconnect());
  const client = new KafkaClient(
    f.brokerPorts.map((port) => ({ host: '127.0.0.1', port })),
    { retries: 5, requestTimeoutMs: 10_000 },
  );
  t.after(() => client.close());
  return { f, bs, kafka, admin, client };
}

/** Create `topic` with RF 3 and min.insync.replicas=2, and wait until every partition's ISR is full. */
export async function createTopic(c: EosCluster, topic: string, partitions: number): Promise<void> {
  await c.client.createTopic(topic, partitions, 3, new Map([['min.insync.replicas', '2']]));
  await waitFor(
    `${topic}: a full ISR on every partition`,
    async () => {
      const md = await c.client.metadata([topic]);
      const ps = md.topics[0]?.partitions ?? [];
      return ps.length === partitions && ps.every((p) => p.leader >= 0 && p.isr.length === 3) ? true : undefined;
    },
    30_000,
    100,
  );
}

export async function partitionInfo(client: KafkaClient, topic: string, partition: number): Promise<PartitionInfo> {
  const md = await client.metadata([topic]);
  const p = md.topics[0]?.partitions.find((x) => x.partition === partition);
  if (!p) throw new Error(`${topic}-${partition} not in the metadata`);
  return p;
}

/** Wait until every partition of `topics` has a live leader and a full ISR again. */
export async function waitFullIsr(client: KafkaClient, topics: readonly string[], timeoutMs = 60_000): Promise<void> {
  await waitFor(
    `a full ISR on ${topics.join(', ')}`,
    async () => {
      const md = await client.metadata([...topics]);
      return md.topics.every((t) => t.errorCode === 0 && t.partitions.every((p) => p.leader >= 0 && p.isr.length === 3))
        ? true
        : undefined;
    },
    timeoutMs,
    100,
  );
}

/** The node that coordinates `transactionalId` (FindCoordinator, key type 1). */
export async function txnCoordinator(client: KafkaClient, transactionalId: string): Promise<number> {
  return waitFor(
    `the coordinator of ${transactionalId}`,
    async () => {
      const c = await client.anyConnection();
      const res = await c.send(findCoordinatorApi, { keyType: 1, coordinatorKeys: [transactionalId] }, 10_000, 4);
      const a = res.coordinators?.find((x) => x.key === transactionalId);
      return a && a.errorCode === 0 ? a.nodeId : undefined;
    },
    30_000,
    100,
  );
}

export interface TxnDescription {
  readonly state: string;
  readonly producerId: number;
  readonly producerEpoch: number;
}

/** DescribeTransactions of `transactionalId`, asked of its current coordinator. */
export async function describeTxn(client: KafkaClient, transactionalId: string): Promise<TxnDescription> {
  const node = await txnCoordinator(client, transactionalId);
  await client.metadata([]); // the coordinator's endpoint
  const c = await client.connectionTo(node);
  const res = await c.send(describeTransactionsApi, { transactionalIds: [transactionalId] }, 10_000, 0);
  const s = res.transactionStates[0];
  if (s?.errorCode !== 0) throw new Error(`DescribeTransactions ${transactionalId}: error ${s?.errorCode}`);
  return { state: s.transactionState, producerId: Number(s.producerId), producerEpoch: s.producerEpoch };
}

export type Isolation = 'read_committed' | 'read_uncommitted';

export interface ReadRecord {
  readonly partition: number;
  readonly offset: number;
  readonly value: string;
}

/** Every record of `topic` (all partitions) up to its end at `isolation` (LSO for read_committed). */
export async function readAll(bs: string, topic: string, isolation: Isolation): Promise<ReadRecord[]> {
  const r = await kcat(
    [
      '-b',
      bs,
      '-C',
      '-t',
      topic,
      '-o',
      'beginning',
      '-e',
      '-q',
      '-X',
      `isolation.level=${isolation}`,
      '-f',
      '%p %o %s\n',
    ],
    undefined,
    120_000,
  );
  assert.equal(r.code, 0, r.stderr);
  return r.stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [p, o, ...rest] = l.split(' ');
      return { partition: Number(p), offset: Number(o), value: rest.join(' ') };
    });
}

export async function readValues(bs: string, topic: string, isolation: Isolation): Promise<string[]> {
  return (await readAll(bs, topic, isolation)).map((r) => r.value);
}
