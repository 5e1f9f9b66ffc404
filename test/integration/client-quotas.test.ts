// Client quotas on a real one-node cluster: DescribeClientQuotas / AlterClientQuotas over the Kafka
// protocol (raftka's own client and `raftka configs --bootstrap-server`), Kafka's filter rules, then
// enforcement: a producer sending as fast as it can under producer_byte_rate=1 MB/s is held to it
// over 22 s (measured as the bytes the partition log received, within the bounds Kafka's windowed
// rate allows; see measureMs), and a consumer under
// consumer_byte_rate is throttled (throttle_time_ms > 0 seen by both clients).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterFixture, waitFor } from '../../src/testing/cluster-fixture.js';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { KafkaConnection } from '../../src/client/kafka-connection.js';
import { alterClientQuotas, describeClientQuotas } from '../../src/client/client-quotas.js';
import { describeLogDirs } from '../../src/client/log-dirs.js';
import { KafkaRequestError } from '../../src/client/kafka-client.js';
import { ErrorCode } from '../../src/common/errors.js';
import { produceApi } from '../../src/protocol/messages/produce.js';
import { fetchApi } from '../../src/protocol/messages/fetch.js';
import { buildRecordBatch } from '../../src/protocol/record-batch.js';
import { QuotaMatchType } from '../../src/protocol/quota-types.js';

const produceQuota = 1_000_000;
const fetchQuota = 500_000;
/**
 * How long the log's intake is measured, from its first byte. Kafka's windowed rate (11 samples
 * of 1 s) lets a fresh key take ten windows' worth at once and then refills in a sawtooth of
 * about one window's period, so what the log holds after T seconds lies between about
 * quota x (T - 1) (just before a refill) and quota x (T + 10) (just after one); the bounds below
 * leave 10 % and a second of slack each way. Exact rates are the unit test's business
 * (client-quotas.test.ts: within 2 % over 200 s); this one shows the quota holds a real producer
 * within those bounds, which a quota enforced at half or twice its value fails.
 */
const measureMs = 22_000;

async function logBytes(client: KafkaClient, topic: string): Promise<number> {
  const dirs = await describeLogDirs(client, 1, [{ topic, partitions: [0] }]);
  return dirs.flatMap((d) => d.partitions).reduce((n, p) => n + p.sizeBytes, 0);
}

test('client quotas: the Kafka APIs, a 1 MB/s produce quota held over 22 s, a fetch quota', {
  timeout: 120_000,
}, async (t) => {
  const f = await ClusterFixture.combined({ nodes: 1 });
  t.after(() => f.destroy());
  const began = Date.now();
  await f.up();
  t.diagnostic(`cluster up in ${Date.now() - began} ms`);
  const bs = f.bootstrapServers;
  const admin = new KafkaClient([{ host: '127.0.0.1', port: f.brokerPorts[0]! }], { clientId: 'quota-admin' });
  t.after(() => admin.close());

  // --- the APIs: alter through the CLI and the client, describe with each match type. The CLI (a
  // process of its own, slow to start on a busy machine) runs beside the client's calls.
  const cliAlter = f.raftka(
    'configs',
    '--bootstrap-server',
    bs,
    '--entity-type',
    'clients',
    '--entity-name',
    'quota-producer',
    '--alter',
    '--add-config',
    `producer_byte_rate=${produceQuota}`,
  );
  cliAlter.catch(() => {}); // awaited below; its failure fails the test there
  const altered = await alterClientQuotas(admin, [
    {
      entity: [{ entityType: 'client-id', entityName: 'quota-consumer' }],
      ops: [{ key: 'consumer_byte_rate', value: fetchQuota, remove: false }],
    },
    {
      entity: [
        { entityType: 'user', entityName: null },
        { entityType: 'client-id', entityName: null },
      ],
      ops: [{ key: 'request_percentage', value: 1000, remove: false }],
    },
    { entity: [{ entityType: 'user', entityName: 'x' }], ops: [{ key: 'no_such_quota', value: 1, remove: false }] },
  ]);
  assert.deepEqual(
    altered.map((a) => a.errorCode),
    [0, 0, ErrorCode.INVALID_REQUEST],
  );
  assert.match(await cliAlter, /Completed updating config for client-id 'quota-producer'/);
  const any = await describeClientQuotas(
    admin,
    [{ entityType: 'client-id', matchType: QuotaMatchType.ANY, match: null }],
    false,
  );
  assert.equal(any.length, 3); // two named client ids, and <default> with the default user
  const strictAny = await describeClientQuotas(
    admin,
    [{ entityType: 'client-id', matchType: QuotaMatchType.ANY, match: null }],
    true,
  );
  assert.deepEqual(strictAny.map((e) => e.entity[0]!.entityName).sort(), ['quota-consumer', 'quota-producer']);
  const defaults = await describeClientQuotas(
    admin,
    [
      { entityType: 'user', matchType: QuotaMatchType.DEFAULT, match: null },
      { entityType: 'client-id', matchType: QuotaMatchType.DEFAULT, match: null },
    ],
    true,
  );
  assert.deepEqual([...defaults[0]!.values], [['request_percentage', 1000]]);
  const refused = async (component: { entityType: string; matchType: number; match: string | null }) =>
    describeClientQuotas(admin, [component], false).then(
      () => -1,
      (err: unknown) => (err instanceof KafkaRequestError ? err.errorCode : -2),
    );
  assert.equal(
    await refused({ entityType: 'user', matchType: QuotaMatchType.DEFAULT, match: 'x' }),
    ErrorCode.INVALID_REQUEST,
  );
  assert.equal(
    await refused({ entityType: 'user', matchType: QuotaMatchType.EXACT, match: null }),
    ErrorCode.INVALID_REQUEST,
  );
  assert.equal(
    await refused({ entityType: 'group', matchType: QuotaMatchType.ANY, match: null }),
    ErrorCode.UNSUPPORTED_VERSION,
  );

  t.diagnostic(`APIs checked at ${Date.now() - began} ms`);
  // --- a producer as fast as it can: 4 requests of 64 KiB in flight at a time, acks=1
  await admin.createTopic('quota-topic', 1, 1);
  const producer = await KafkaConnection.open({ host: '127.0.0.1', port: f.brokerPorts[0]! }, 'quota-producer', 30_000);
  t.after(() => producer.close());
  const value = Buffer.alloc(1024, 7);
  const batch = (): Buffer =>
    buildRecordBatch(Array.from({ length: 64 }, () => ({ key: null, value, timestamp: Date.now(), headers: [] })));
  let producing = true;
  let produceThrottled = 0;
  const worker = async (): Promise<void> => {
    while (producing) {
      const res = await producer.send(
        produceApi,
        {
          transactionalId: null,
          acks: 1,
          timeoutMs: 30_000,
          topicData: [{ name: 'quota-topic', partitionData: [{ index: 0, records: batch() }] }],
        },
        30_000,
      );
      assert.equal(res.responses[0]!.partitionResponses[0]!.errorCode, 0);
      produceThrottled = Math.max(produceThrottled, res.throttleTimeMs);
    }
  };
  const workers = [worker(), worker(), worker(), worker()];
  // The CLI's describe, meanwhile.
  const cliDescribe = f.raftka(
    'configs',
    '--bootstrap-server',
    bs,
    '--entity-type',
    'clients',
    '--entity-name',
    'quota-producer',
    '--describe',
  );
  cliDescribe.catch(() => {});
  // The log's size each second, from the first byte on.
  const samples: [number, number][] = [];
  let start = Date.now();
  await waitFor(
    'the first bytes',
    async () => {
      start = Date.now();
      return (await logBytes(admin, 'quota-topic')) > 0 ? true : undefined;
    },
    30_000,
    20,
  );
  while (Date.now() - start < measureMs) {
    samples.push([Date.now() - start, await logBytes(admin, 'quota-topic')]);
    await new Promise((r) => setTimeout(r, 1000 - ((Date.now() - start) % 1000)));
  }
  const [elapsedMs, total] = [Date.now() - start, await logBytes(admin, 'quota-topic')];
  producing = false;
  await Promise.all(workers);
  const seconds = elapsedMs / 1000;
  t.diagnostic(
    `produce: ${total} bytes in ${seconds} s; per second ${samples.map(([, b], i) => (i === 0 ? b : b - samples[i - 1]![1])).join(' ')}`,
  );
  assert.ok(total <= produceQuota * (seconds + 11) * 1.1, `log received ${total} bytes in ${seconds} s`);
  assert.ok(total >= produceQuota * (seconds - 2) * 0.9, `log received only ${total} bytes in ${seconds} s`);
  assert.ok(produceThrottled > 0, 'the producer saw throttle_time_ms');
  const described = await cliDescribe;
  assert.equal(described.trim(), `Quota configs for client-id 'quota-producer' are producer_byte_rate=${produceQuota}`);

  // --- a consumer reading the same log under consumer_byte_rate
  const consumer = await KafkaConnection.open({ host: '127.0.0.1', port: f.brokerPorts[0]! }, 'quota-consumer', 30_000);
  t.after(() => consumer.close());
  let offset = 0;
  let fetched = 0;
  let fetchThrottled = 0;
  const fetchStart = Date.now();
  while (Date.now() - fetchStart < 5000) {
    const res = await consumer.send(
      fetchApi,
      {
        maxWaitMs: 100,
        minBytes: 1,
        maxBytes: 1_048_576,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [
          {
            topic: 'quota-topic',
            partitions: [
              {
                partition: 0,
                currentLeaderEpoch: -1,
                fetchOffset: offset,
                logStartOffset: -1,
                partitionMaxBytes: 1_048_576,
              },
            ],
          },
        ],
        forgottenTopicsData: [],
        rackId: '',
      },
      30_000,
    );
    fetchThrottled = Math.max(fetchThrottled, res.throttleTimeMs);
    if (res.throttleTimeMs > 0) await new Promise((r) => setTimeout(r, res.throttleTimeMs)); // KIP-219: the client waits
    const records = res.responses[0]?.partitions[0]?.records;
    if (!records || records.length === 0) continue;
    fetched += records.length;
    // The next offset: base offset + last offset delta + 1 of the last whole batch.
    let pos = 0;
    let next = offset;
    while (pos + 61 <= records.length) {
      const size = records.readInt32BE(pos + 8) + 12;
      if (pos + size > records.length) break;
      next = Number(records.readBigInt64BE(pos)) + records.readInt32BE(pos + 23) + 1;
      pos += size;
    }
    offset = next;
  }
  const elapsed = (Date.now() - fetchStart) / 1000;
  t.diagnostic(`fetch: ${fetched} bytes in ${elapsed} s, max throttle ${fetchThrottled} ms`);
  assert.ok(fetchThrottled > 0, 'the consumer saw throttle_time_ms');
  // A fresh quota allows one window's worth (10 s of quota) at once, then the quota's rate: well
  // under the 20 MB the log holds, which an unthrottled consumer reads in a second or two.
  assert.ok(fetched <= fetchQuota * (elapsed + 11) * 1.1, `fetched ${fetched} bytes in ${elapsed} s`);
  assert.ok(fetched >= fetchQuota * elapsed * 0.9, `fetched only ${fetched} bytes in ${elapsed} s`);
});
