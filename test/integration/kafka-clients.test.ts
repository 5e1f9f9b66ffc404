// Unmodified Kafka clients against a raftka broker (one combined node, ephemeral ports):
// kcat (librdkafka 2.0.2 from Debian) and kafkajs 2.2.4.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel, CompressionTypes } from 'kafkajs';
import { ConfigResourceType } from '../../src/metadata/records.js';
import { ClusterFixture, waitFor } from '../../src/testing/cluster-fixture.js';
import { kcat } from '../../src/testing/kcat.js';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { KafkaConnection } from '../../src/client/kafka-connection.js';
import { fetchApi } from '../../src/protocol/messages/fetch.js';
import { buildRecordBatch, readBatchHeaders, readRecords } from '../../src/protocol/record-batch.js';

interface KcatMetadata {
  brokers: { id: number; name: string }[];
  controllerid: number;
  topics: {
    topic: string;
    partitions: { partition: number; leader: number; replicas: { id: number }[]; isrs: { id: number }[] }[];
  }[];
}

async function metadata(bs: string): Promise<KcatMetadata> {
  const r = await kcat(['-b', bs, '-L', '-J', '-m', '5']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as KcatMetadata;
}

test('kcat and kafkajs produce, fetch, list offsets and administer topics on a raftka broker', {
  timeout: 600_000,
}, async (t) => {
  // Retention and the cleaner look often here, so the test can watch them work.
  const f = await ClusterFixture.combined({
    nodes: 1,
    extra: { 'log.retention.check.interval.ms': '300', 'log.cleaner.backoff.ms': '300' },
  });
  t.after(() => f.destroy());
  await f.up();
  const bs = f.bootstrapServers;
  await waitFor(
    'the broker in kcat -L',
    async () => ((await metadata(bs).catch(() => null))?.brokers.length === 1 ? true : undefined),
    30_000,
    200,
  );

  const kafka = new Kafka({
    clientId: 'raftka-test',
    brokers: [bs],
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 100 },
  });
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());

  await t.test('kafkajs admin creates, lists, describes (configs too) and deletes topics', async () => {
    assert.equal(
      await admin.createTopics({
        topics: [
          {
            topic: 'admin-t',
            numPartitions: 6,
            replicationFactor: 1,
            configEntries: [{ name: 'retention.ms', value: '3600000' }],
          },
        ],
        waitForLeaders: true,
      }),
      true,
    );
    assert.ok((await admin.listTopics()).includes('admin-t'));
    const md = await admin.fetchTopicMetadata({ topics: ['admin-t'] });
    assert.equal(md.topics[0]!.partitions.length, 6);
    const configs = await admin.describeConfigs({ resources: [{ type: 2, name: 'admin-t' }], includeSynonyms: false });
    const retention = configs.resources[0]!.configEntries.find((e) => e.configName === 'retention.ms');
    assert.equal(retention?.configValue, '3600000');
    const failure = async (p: Promise<unknown>): Promise<string> => {
      try {
        await p;
      } catch (err) {
        const inner = (err as { errors?: { type?: string }[] }).errors?.[0];
        return inner?.type ?? String(err);
      }
      return 'no error';
    };
    assert.equal(
      await failure(admin.createTopics({ topics: [{ topic: 'bad name!', numPartitions: 1 }] })),
      'INVALID_TOPIC_EXCEPTION',
    );
    // kafkajs turns TOPIC_ALREADY_EXISTS into `false`.
    assert.equal(await admin.createTopics({ topics: [{ topic: 'admin-t', numPartitions: 1 }] }), false);
    assert.equal(
      await failure(admin.createTopics({ topics: [{ topic: 'rf-too-big', numPartitions: 1, replicationFactor: 3 }] })),
      'INVALID_REPLICATION_FACTOR',
    );
    assert.equal(
      await failure(
        admin.createTopics({
          topics: [{ topic: 'bad-config', numPartitions: 1, configEntries: [{ name: 'retention.ms', value: 'soon' }] }],
        }),
      ),
      'INVALID_CONFIG',
    );
    await admin.createPartitions({ topicPartitions: [{ topic: 'admin-t', count: 8 }] });
    assert.equal((await admin.fetchTopicMetadata({ topics: ['admin-t'] })).topics[0]!.partitions.length, 8);
    await admin.deleteTopics({ topics: ['admin-t'] });
    await waitFor(
      'admin-t gone',
      async () => (!(await admin.listTopics()).includes('admin-t') ? true : undefined),
      10_000,
      100,
    );
    const cluster = await admin.describeCluster();
    assert.equal(cluster.brokers.length, 1);
    // A per-broker setting Kafka accepts as dynamic is accepted and described back.
    const broker = String(cluster.brokers[0]!.nodeId);
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceType.BROKER,
          name: broker,
          configEntries: [
            { name: 'sasl.kerberos.min.time.before.relogin', value: '60000' },
            { name: 'listener.name.external.ssl.keystore.password', value: 'hunter2' },
          ],
        },
      ],
    });
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        {
          type: ConfigResourceType.BROKER,
          name: broker,
          configNames: ['sasl.kerberos.min.time.before.relogin', 'listener.name.external.ssl.keystore.password'],
        },
      ],
    });
    // The password is described as sensitive, without its value.
    assert.deepEqual(
      described.resources[0]!.configEntries.map((e) => [e.configName, e.configValue, e.isSensitive]),
      [
        ['listener.name.external.ssl.keystore.password', null, true],
        ['sasl.kerberos.min.time.before.relogin', '60000', false],
      ],
    );
  });

  await t.test('kcat -L lists the broker, controller, topics and partitions', async () => {
    await admin.createTopics({
      topics: [{ topic: 'listed', numPartitions: 6, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    const md = await metadata(bs);
    assert.deepEqual(
      md.brokers.map((b) => b.name),
      [`127.0.0.1:${f.brokerPorts[0]}`],
    );
    assert.equal(md.controllerid, 1);
    const listed = md.topics.find((x) => x.topic === 'listed')!;
    assert.deepEqual(
      listed.partitions.map((p) => [p.partition, p.leader, p.replicas.map((r) => r.id), p.isrs.map((r) => r.id)]),
      [0, 1, 2, 3, 4, 5].map((p) => [p, 1, [1], [1]]),
    );
  });

  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
    await t.test(`kcat produces and reads back 100,000 keyed messages with codec ${codec}`, async () => {
      const topic = `codec-${codec}`;
      await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
      const n = 100_000;
      const lines: string[] = [];
      for (let i = 0; i < n; i++) lines.push(`key-${i}:value-${i}-${'x'.repeat(i % 50)}`);
      const produced = await kcat(
        ['-b', bs, '-P', '-t', topic, '-p', '0', '-K:', '-z', codec, '-X', 'linger.ms=5'],
        `${lines.join('\n')}\n`,
        120_000,
      );
      assert.equal(produced.code, 0, produced.stderr);
      const consumed = await kcat(
        ['-b', bs, '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%o %k:%s\n'],
        undefined,
        120_000,
      );
      assert.equal(consumed.code, 0, consumed.stderr);
      const got = consumed.stdout.split('\n').filter((l) => l !== '');
      assert.equal(got.length, n);
      for (let i = 0; i < n; i++)
        if (got[i] !== `${i} ${lines[i]}`) assert.fail(`message ${i}: got "${got[i]}", want "${i} ${lines[i]}"`);
    });
  }

  await t.test(
    'a Fetch older than v10 cannot take zstd batches: UNSUPPORTED_COMPRESSION_TYPE, as in Kafka',
    async () => {
      const c = await KafkaConnection.open({ host: '127.0.0.1', port: f.brokerPorts[0]! }, 'old-fetch', 10_000);
      try {
        const request = {
          maxWaitMs: 0,
          minBytes: 0,
          maxBytes: 1 << 20,
          isolationLevel: 0,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [
            {
              topic: 'codec-zstd',
              partitions: [
                {
                  partition: 0,
                  currentLeaderEpoch: -1,
                  fetchOffset: 0,
                  logStartOffset: -1,
                  partitionMaxBytes: 1 << 20,
                },
              ],
            },
          ],
          forgottenTopicsData: [],
          rackId: '',
        };
        const old = await c.send(fetchApi, request, 10_000, 9);
        assert.equal(old.responses[0]!.partitions[0]!.errorCode, 76);
        assert.deepEqual(
          old.responses[0]!.partitions[0]!.records,
          Buffer.alloc(0),
          'an error answers no records, not null',
        );
        const current = await c.send(fetchApi, request, 10_000, 11);
        assert.equal(current.responses[0]!.partitions[0]!.errorCode, 0);
        assert.ok((current.responses[0]!.partitions[0]!.records?.length ?? 0) > 0);
      } finally {
        c.close();
      }
    },
  );

  await t.test('kafkajs produces with acks 1 and -1; kcat reads exactly those messages', async () => {
    await admin.createTopics({
      topics: [{ topic: 'acks', numPartitions: 1, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      const one = await producer.send({
        topic: 'acks',
        acks: 1,
        messages: Array.from({ length: 50 }, (_, i) => ({ key: `a${i}`, value: `one-${i}` })),
      });
      const all = await producer.send({
        topic: 'acks',
        acks: -1,
        compression: CompressionTypes.GZIP,
        messages: Array.from({ length: 50 }, (_, i) => ({ key: `b${i}`, value: `all-${i}` })),
      });
      assert.deepEqual([one[0]!.baseOffset, all[0]!.baseOffset], ['0', '50']);
    } finally {
      await producer.disconnect();
    }
    const r = await kcat(['-b', bs, '-C', '-t', 'acks', '-o', 'beginning', '-e', '-q', '-f', '%k=%s\n']);
    assert.deepEqual(r.stdout.trim().split('\n'), [
      ...Array.from({ length: 50 }, (_, i) => `a${i}=one-${i}`),
      ...Array.from({ length: 50 }, (_, i) => `b${i}=all-${i}`),
    ]);
    // An offset past the end: the answer carries OFFSET_OUT_OF_RANGE with an empty record set,
    // which librdkafka accepts (a null one it rejects as malformed and re-fetches forever), so it
    // resets to the earliest offset and reads all 100 again.
    const reset = await kcat(
      [
        '-b',
        bs,
        '-C',
        '-t',
        'acks',
        '-p',
        '0',
        '-o',
        '5000',
        '-e',
        '-q',
        '-X',
        'auto.offset.reset=earliest',
        '-f',
        '%o\n',
      ],
      undefined,
      30_000,
    );
    assert.equal(reset.code, 0, reset.stderr);
    assert.equal(reset.stdout.trim().split('\n').length, 100);
  });

  await t.test(
    'ListOffsets by timestamp finds the first message at or after it; DeleteRecords moves the log start',
    async () => {
      await admin.createTopics({
        topics: [{ topic: 'times', numPartitions: 1, replicationFactor: 1 }],
        waitForLeaders: true,
      });
      const producer = kafka.producer();
      await producer.connect();
      const base = Date.now() - 100_000;
      // Ten batches, each with its own timestamps: 10 messages 1 s apart per batch.
      for (let b = 0; b < 10; b++) {
        await producer.send({
          topic: 'times',
          acks: -1,
          messages: Array.from({ length: 10 }, (_, i) => ({
            value: `m${b * 10 + i}`,
            timestamp: String(base + (b * 10 + i) * 1000),
          })),
        });
      }
      await producer.disconnect();
      const q = await kcat(['-b', bs, '-Q', '-t', `times:0:${base + 42 * 1000 - 1}`]);
      assert.match(q.stdout, /times \[0\]\s+offset 42/, q.stdout + q.stderr);
      const offsets = await admin.fetchTopicOffsetsByTimestamp('times', base + 77 * 1000);
      assert.equal(offsets[0]!.offset, '77');
      assert.equal(
        (await admin.fetchTopicOffsetsByTimestamp('times', base + 999_999))[0]!.offset,
        '100',
        'past the last message: the log end',
      );
      await admin.deleteTopicRecords({ topic: 'times', partitions: [{ partition: 0, offset: '30' }] });
      const earliest = await admin.fetchTopicOffsets('times');
      assert.deepEqual([earliest[0]!.low, earliest[0]!.high], ['30', '100']);
      const r = await kcat(['-b', bs, '-C', '-t', 'times', '-o', 'beginning', '-e', '-q', '-f', '%o\n']);
      assert.equal(r.stdout.trim().split('\n')[0], '30');
    },
  );

  await t.test(
    'retention deletes old segments; a compacted topic keeps the newest value per key after cleaning',
    async () => {
      await admin.createTopics({
        topics: [
          {
            topic: 'short-lived',
            numPartitions: 1,
            replicationFactor: 1,
            configEntries: [
              { name: 'retention.ms', value: '60000' },
              { name: 'segment.bytes', value: '2000' },
            ],
          },
          {
            topic: 'compacted',
            numPartitions: 1,
            replicationFactor: 1,
            configEntries: [
              { name: 'cleanup.policy', value: 'compact' },
              { name: 'segment.bytes', value: '2000' },
              { name: 'min.cleanable.dirty.ratio', value: '0.01' },
            ],
          },
        ],
        waitForLeaders: true,
      });
      const producer = kafka.producer();
      await producer.connect();
      const old = Date.now() - 3_600_000;
      for (let b = 0; b < 20; b++)
        await producer.send({
          topic: 'short-lived',
          messages: Array.from({ length: 10 }, (_, i) => ({ value: `old-${b}-${i}`, timestamp: String(old + b) })),
        });
      await producer.send({ topic: 'short-lived', messages: [{ value: 'fresh' }] });
      for (let round = 0; round < 100; round++)
        await producer.send({
          topic: 'compacted',
          messages: Array.from({ length: 10 }, (_, k) => ({ key: `k${k}`, value: `v${round}` })),
        });
      await producer.disconnect();
      // Which old records share the fresh one's segment depends on when retention last rolled the
      // active segment, so wait for "most old segments gone", not for an exact offset.
      const low = await waitFor(
        'old segments deleted by retention',
        async () => {
          const o = await admin.fetchTopicOffsets('short-lived');
          return Number(o[0]!.low) >= 100 ? Number(o[0]!.low) : undefined;
        },
        20_000,
        100,
      );
      assert.ok(low <= 200, 'the fresh message is kept');
      const left = await kcat(['-b', bs, '-C', '-t', 'short-lived', '-o', 'beginning', '-e', '-q', '-f', '%o %s\n']);
      const lines = left.stdout.trim().split('\n');
      assert.equal(lines.at(-1), '200 fresh');
      assert.ok(Number(lines[0]!.split(' ')[0]) >= 100);
      const compacted = await waitFor(
        'the cleaner compacted the closed segments',
        async () => {
          const r = await kcat(['-b', bs, '-C', '-t', 'compacted', '-o', 'beginning', '-e', '-q', '-f', '%o %k %s\n']);
          const lines = r.stdout.trim().split('\n');
          return lines.length < 300 ? lines : undefined;
        },
        20_000,
        200,
      );
      const last = new Map<string, string>();
      for (const line of compacted) {
        const [, k, v] = line.split(' ');
        last.set(k!, v!);
      }
      assert.deepEqual(
        [...last.values()],
        Array.from({ length: 10 }, () => 'v99'),
        'every key still reads its newest value',
      );
    },
  );

  await t.test(
    "a topic's compression.type recompresses what producers send; raftka's own client reads it",
    async () => {
      await admin.createTopics({
        topics: [
          {
            topic: 'gz',
            numPartitions: 1,
            replicationFactor: 1,
            configEntries: [{ name: 'compression.type', value: 'gzip' }],
          },
          {
            topic: 'zs',
            numPartitions: 1,
            replicationFactor: 1,
            configEntries: [{ name: 'compression.type', value: 'zstd' }],
          },
        ],
        waitForLeaders: true,
      });
      const produced = await kcat(
        ['-b', bs, '-P', '-t', 'gz', '-p', '0', '-z', 'snappy'],
        `${Array.from({ length: 1000 }, (_, i) => `line-${i}`).join('\n')}\n`,
      );
      assert.equal(produced.code, 0, produced.stderr);
      const client = new KafkaClient([{ host: '127.0.0.1', port: f.brokerPorts[0]! }]);
      try {
        const r = await client.fetch('gz', 0, 0, { maxBytes: 10 << 20 });
        const headers = readBatchHeaders(r.records);
        assert.ok(headers.length > 0 && headers.every((h) => h.compression === 1), 'stored as gzip');
        assert.deepEqual(
          headers.flatMap((h) => readRecords(r.records, h).map((x) => x.value!.toString())),
          Array.from({ length: 1000 }, (_, i) => `line-${i}`),
        );
        await assert.rejects(
          client.produce('zs', 0, buildRecordBatch([{ value: Buffer.from('x'), timestamp: Date.now() }])),
          /UNSUPPORTED_COMPRESSION_TYPE/,
        );
      } finally {
        client.close();
      }
    },
  );
});
