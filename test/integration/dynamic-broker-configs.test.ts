// Dynamic broker configs set with `raftka configs --alter` (Kafka's IncrementalAlterConfigs on
// BROKER resources) take effect on the running brokers of a two-node cluster, without restart:
//  - a cluster-default min.insync.replicas=2 refuses an acks=all write to a topic with one
//    replica in sync (NOT_ENOUGH_REPLICAS), while a two-replica topic still takes it;
//  - a record above the static message.max.bytes but under a cluster-default one is accepted,
//    one above it refused (MESSAGE_TOO_LARGE);
//  - a cluster-level log.retention.ms deletes old segments on both brokers;
//  - a static-only config (num.partitions) is refused with Kafka's message;
//  - a per-broker follower.replication.throttled.rate holds back a replica a reassignment adds;
//  - `configs --describe` (Kafka's output) shows each value's source and synonyms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterFixture, waitFor } from '../../src/testing/cluster-fixture.js';
import { KafkaClient, KafkaRequestError } from '../../src/client/kafka-client.js';
import { buildRecordBatch } from '../../src/protocol/record-batch.js';
import { ErrorCode } from '../../src/common/errors.js';

const batch = (valueBytes: number, timestamp = Date.now()): Buffer =>
  buildRecordBatch([{ key: null, value: Buffer.alloc(valueBytes, 120), timestamp }]);

/** The error code of a produce (0 when it was accepted). */
async function produceCode(client: KafkaClient, topic: string, records: Buffer, acks: -1 | 1): Promise<number> {
  try {
    await client.produce(topic, 0, records, acks);
    return 0;
  } catch (err) {
    if (err instanceof KafkaRequestError) return err.errorCode;
    throw err;
  }
}

test('dynamic broker configs take effect on running brokers', { timeout: 150_000 }, async (t) => {
  // Small replica fetches (64 KiB), so the throttle below acts on a few hundred KB.
  const f = await ClusterFixture.combined({
    nodes: 2,
    extra: { 'log.retention.check.interval.ms': '300', 'replica.fetch.max.bytes': '65536' },
  });
  t.after(() => f.destroy());
  const t0 = Date.now();
  const mark = (what: string) => t.diagnostic(`${what} at ${Date.now() - t0} ms`);
  await f.up();
  mark('up');
  const bs = f.bootstrapServers;
  const client = new KafkaClient([{ host: '127.0.0.1', port: f.brokerPorts[0]! }], { clientId: 'dyn-test' });
  t.after(() => client.close());
  const configs = (...args: string[]) => f.raftka('configs', '--bootstrap-server', bs, ...args);
  const alterDefault = (kv: string) =>
    configs('--entity-type', 'brokers', '--entity-default', '--alter', '--add-config', kv);
  const create = (topic: string, rf: string, ...more: string[]) =>
    f.raftka(
      'topics',
      '--bootstrap-server',
      bs,
      '--create',
      '--topic',
      topic,
      '--partitions',
      '1',
      '--replication-factor',
      rf,
      ...more,
    );
  await create('solo', '1');
  await create('pair', '2', '--config', 'segment.bytes=2000');
  await waitFor(
    'both topics led, pair with both replicas in sync',
    async () => {
      const md = await client.metadata(['solo', 'pair']);
      const pair = md.topics.find((x) => x.name === 'pair')?.partitions[0];
      return md.topics.every((x) => x.partitions[0]?.leader !== undefined && x.partitions[0].leader >= 0) &&
        pair?.isr.length === 2
        ? true
        : undefined;
    },
    30_000,
    100,
  );

  mark('topics');
  // min.insync.replicas: one replica in sync is enough until the cluster default asks for two.
  assert.equal(await produceCode(client, 'solo', batch(10), -1), 0);
  await configs('--entity-type', 'brokers', '--entity-default', '--alter', '--add-config', 'min.insync.replicas=2');
  const refusedAt = Date.now();
  await waitFor(
    'acks=all to a one-replica topic refused',
    async () =>
      (await produceCode(client, 'solo', batch(10), -1)) === ErrorCode.NOT_ENOUGH_REPLICAS ? true : undefined,
    10_000,
    50,
  );
  t.diagnostic(`min.insync.replicas=2 in force ${Date.now() - refusedAt} ms after the alter returned`);
  // (Records in `pair` are an hour old: the retention check below deletes them all.)
  const hourAgo = Date.now() - 3_600_000;
  assert.equal(await produceCode(client, 'pair', batch(10, hourAgo), -1), 0, 'two replicas in sync satisfy it');

  mark('min isr');
  // message.max.bytes: 1.5 MB is above the static default (1048588), under a cluster default of 2097164.
  const big = batch(1_500_000);
  assert.equal(await produceCode(client, 'solo', big, 1), ErrorCode.MESSAGE_TOO_LARGE);
  await alterDefault('message.max.bytes=2097164');
  await waitFor(
    'a 1.5 MB record accepted',
    async () => ((await produceCode(client, 'solo', big, 1)) === 0 ? true : undefined),
    10_000,
    50,
  );
  assert.equal(await produceCode(client, 'solo', batch(2_500_000), 1), ErrorCode.MESSAGE_TOO_LARGE);

  mark('max bytes');
  // log.retention.ms: records an hour old stay under the static 7 days, and go once the cluster says 1 minute.
  for (let i = 0; i < 12; i++) assert.equal(await produceCode(client, 'pair', batch(900, hourAgo), -1), 0);
  const segments = (k: number): number =>
    readdirSync(join(f.dataDir, `node-${k}`, 'logs', 'pair-0')).filter((n) => n.endsWith('.log')).length;
  await waitFor(
    'both replicas with several segments',
    async () => (segments(0) > 3 && segments(1) > 3 ? true : undefined),
    10_000,
    50,
  );
  const before = [segments(0), segments(1)];
  await alterDefault('log.retention.ms=60000');
  await waitFor(
    'old segments deleted on both brokers',
    async () => (segments(0) === 1 && segments(1) === 1 ? true : undefined),
    15_000,
    100,
  );
  t.diagnostic(`segments before ${before.join('/')}, after 1/1`);

  mark('retention');
  // A static-only config is refused as Kafka refuses it; per-broker settings are accepted.
  await assert.rejects(
    alterDefault('num.partitions=3'),
    /INVALID_REQUEST: Cannot update these configs dynamically: Set\(num\.partitions\)/,
  );
  await configs('--entity-type', 'brokers', '--entity-name', '2', '--alter', '--add-config', 'log.cleaner.threads=2');

  mark('refusal');
  // Replication throttle: 400 KB on one broker, then a reassignment adds the other as a replica that
  // may fetch at 10 KB/s (after Kafka's burst allowance of ten seconds' worth).
  await client.createTopic('thr', 1, 1);
  const leader = await waitFor(
    'thr led',
    async () => {
      const p = (await client.metadata(['thr'])).topics[0]?.partitions[0];
      return p && p.leader > 0 ? p.leader : undefined;
    },
    30_000,
    100,
  );
  for (let i = 0; i < 40; i++) assert.equal(await produceCode(client, 'thr', batch(10_000), 1), 0);
  const follower = leader === 1 ? 2 : 1;
  await client.incrementalAlterConfigs(4, String(follower), [
    { name: 'follower.replication.throttled.rate', op: 0, value: '10000' },
  ]);
  await client.incrementalAlterConfigs(2, 'thr', [
    { name: 'follower.replication.throttled.replicas', op: 0, value: '*' },
  ]);
  const bytesOn = (node: number): number => {
    const dir = join(f.dataDir, `node-${node - 1}`, 'logs', 'thr-0');
    try {
      return readdirSync(dir)
        .filter((n) => n.endsWith('.log'))
        .reduce((sum, n) => sum + statSync(join(dir, n)).size, 0);
    } catch {
      return 0;
    }
  };
  const total = bytesOn(leader);
  await client.alterPartitionReassignments([{ topic: 'thr', partition: 0, replicas: [leader, follower] }]);
  await waitFor('the new replica fetching', async () => (bytesOn(follower) > 0 ? true : undefined), 20_000, 50);
  // A measured interval, not a synchronisation: unthrottled, 400 KB take well under a second here.
  await new Promise((r) => setTimeout(r, 3000));
  const throttledBytes = bytesOn(follower);
  t.diagnostic(`follower had ${throttledBytes} of ${total} bytes 3 s into a 10 KB/s throttle`);
  assert.ok(throttledBytes < total * 0.75, `throttled follower fetched ${throttledBytes} of ${total} bytes in 3 s`);
  await client.incrementalAlterConfigs(4, String(follower), [{ name: 'follower.replication.throttled.rate', op: 1 }]);
  await waitFor(
    'the new replica caught up once unthrottled',
    async () => (bytesOn(follower) >= total ? true : undefined),
    20_000,
    100,
  );
  mark('throttle');
  // configs --describe: each value's source and synonyms, as kafka-configs.sh prints them.
  const [dflt, two, topic] = await Promise.all([
    configs('--entity-type', 'brokers', '--entity-default', '--describe'),
    configs('--entity-type', 'brokers', '--entity-name', '2', '--describe'),
    configs('--entity-type', 'topics', '--entity-name', 'pair', '--describe', '--all'),
  ]);
  assert.match(dflt, /^Default configs for brokers in the cluster are:$/m);
  assert.match(
    dflt,
    /^ {2}min\.insync\.replicas=2 sensitive=false synonyms=\{DYNAMIC_DEFAULT_BROKER_CONFIG:min\.insync\.replicas=2, DEFAULT_CONFIG:min\.insync\.replicas=1\}$/m,
  );
  assert.match(
    two,
    /^Dynamic configs for broker 2 are:\n {2}log\.cleaner\.threads=2 sensitive=false synonyms=\{DYNAMIC_BROKER_CONFIG:log\.cleaner\.threads=2, DEFAULT_CONFIG:log\.cleaner\.threads=1\}\n$/,
  );
  assert.match(
    topic,
    /^ {2}segment\.bytes=2000 sensitive=false synonyms=\{DYNAMIC_TOPIC_CONFIG:segment\.bytes=2000, DEFAULT_CONFIG:log\.segment\.bytes=1073741824\}$/m,
  );
  assert.match(
    topic,
    /^ {2}retention\.ms=60000 sensitive=false synonyms=\{DYNAMIC_DEFAULT_BROKER_CONFIG:log\.retention\.ms=60000, DEFAULT_CONFIG:log\.retention\.hours=168\}$/m,
  );
  assert.match(topic, /^ {2}min\.insync\.replicas=2 sensitive=false synonyms=\{DYNAMIC_DEFAULT_BROKER_CONFIG:/m);
  // Broker 1's own view (all sources): the file's values are STATIC_BROKER_CONFIG.
  const one = await client.describeConfigs(4, '1', true);
  const entry = (name: string) => one.find((e) => e.name === name)!;
  assert.deepEqual(
    [entry('log.retention.check.interval.ms').configSource, entry('log.retention.check.interval.ms').value],
    [4, '300'],
  );
  assert.deepEqual([entry('message.max.bytes').configSource, entry('message.max.bytes').value], [3, '2097164']);
  assert.equal(entry('log.cleaner.threads').configSource, 5, "broker 2's own setting is not broker 1's");
});
