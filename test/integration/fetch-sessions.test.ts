// Incremental fetch sessions (KIP-227) on the wire, one node: raftka's consumer on 1,000
// partitions of which one is active opens a session with one full fetch, then sends incremental
// fetches naming only the partition that moved (counted by the broker's
// raftka_fetch_request_partitions); the session errors come back as Kafka sends them; kcat
// (librdkafka 2.0.2), which asks for no session, still reads everything with full fetches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterFixture, waitFor } from '../../src/testing/cluster-fixture.js';
import { kcat } from '../../src/testing/kcat.js';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { KafkaConnection } from '../../src/client/kafka-connection.js';
import { Consumer } from '../../src/client/consumer.js';
import { fetchApi } from '../../src/protocol/messages/fetch.js';
import { buildRecordBatch } from '../../src/protocol/record-batch.js';
import { ErrorCode } from '../../src/common/errors.js';

const topic = 'wide';
const partitions = 1000;
const active = 7;

/** Count and sum of raftka_fetch_request_partitions for one fetcher and kind. */
function requests(text: string, fetcher: string, kind: string): { count: number; sum: number } {
  const pick = (suffix: string) => {
    const m = new RegExp(`^raftka_fetch_request_partitions_${suffix}\\{([^}]*)\\} (\\S+)$`, 'gm');
    let v = 0;
    for (const x of text.matchAll(m))
      if (x[1]!.includes(`fetcher="${fetcher}"`) && x[1]!.includes(`kind="${kind}"`)) v += Number(x[2]);
    return v;
  };
  return { count: pick('count'), sum: pick('sum') };
}

test('a consumer of 1,000 partitions, one active, fetches incrementally', { timeout: 120_000 }, async (t) => {
  const t0 = Date.now();
  const phase = (what: string) => t.diagnostic(`${what}: ${Date.now() - t0} ms`);
  const f = await ClusterFixture.combined({ nodes: 1, extra: { 'offsets.topic.replication.factor': '1' } });
  const client = new KafkaClient([{ host: '127.0.0.1', port: f.brokerPorts[0]! }], { clientId: 'sessions-test' });
  try {
    await f.up();
    phase('node up');
    await waitFor(
      'the topic',
      () =>
        client
          .createTopic(topic, partitions, 1)
          .then(() => true)
          .catch((err: unknown) => (String(err).includes('exist') ? true : undefined)),
      30_000,
      200,
    );
    await waitFor(
      'every partition led',
      async () => {
        const t = await client.topic(topic, true).catch(() => undefined);
        return t && t.partitions.length === partitions && t.partitions.every((p) => p.leader >= 0) ? true : undefined;
      },
      30_000,
      200,
    );
    phase('topic created and led');
    const consumer = new Consumer(client, topic);
    await consumer.assign(null, 0);
    const got: string[] = [];
    for (let i = 0; i < 5; i++) {
      await client.produce(topic, active, buildRecordBatch([{ value: Buffer.from(`v${i}`), timestamp: Date.now() }]));
      await waitFor(
        `record v${i}`,
        async () => {
          for (const r of await consumer.poll(200)) got.push(`${r.partition}:${r.value?.toString()}`);
          return got.length === i + 1 ? true : undefined;
        },
        20_000,
        0,
      );
    }
    assert.deepEqual(got, ['7:v0', '7:v1', '7:v2', '7:v3', '7:v4']);
    for (let i = 0; i < 5; i++) assert.deepEqual(await consumer.poll(100), [], 'idle polls read nothing');
    phase('records read');
    const text = await f.metrics(0);
    const full = requests(text, 'consumer', 'full');
    const incremental = requests(text, 'consumer', 'incremental');
    assert.equal(full.count, 1, 'one full fetch opened the session');
    assert.equal(full.sum, partitions, 'the full fetch named every partition');
    assert.ok(incremental.count >= 9, `incremental fetches: ${incremental.count}`); // every poll after the first
    // Each record moved partition 7's fetch offset once: at most one partition named per fetch.
    assert.ok(incremental.sum <= 5, `partitions named in ${incremental.count} incremental fetches: ${incremental.sum}`);
    assert.match(text, /^raftka_fetch_session_cache_size\{[^}]*\} 1$/m);
    assert.match(text, new RegExp(`^raftka_fetch_session_cache_partitions\\{[^}]*\\} ${partitions}$`, 'm'));

    // The session errors, on the wire: an unknown session, then a stale epoch.
    const c = await KafkaConnection.open({ host: '127.0.0.1', port: f.brokerPorts[0]! }, 'sessions-wire', 10_000);
    try {
      const ask = (sessionId: number, sessionEpoch: number) =>
        c.send(
          fetchApi,
          {
            maxWaitMs: 0,
            minBytes: 0,
            sessionId,
            sessionEpoch,
            topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1024 }] }],
            forgottenTopicsData: [],
          },
          10_000,
        );
      const opened = await ask(0, 0);
      assert.ok(opened.sessionId > 0, 'epoch 0 opens a session');
      assert.equal(opened.responses[0]?.partitions.length, 1, 'a full answer names every partition');
      const next = await ask(opened.sessionId, 1);
      assert.deepEqual([next.errorCode, next.sessionId, next.responses.length], [0, opened.sessionId, 0]);
      assert.equal((await ask(opened.sessionId, 1)).errorCode, ErrorCode.INVALID_FETCH_SESSION_EPOCH);
      assert.equal((await ask(opened.sessionId + 1, 1)).errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
      const closed = await ask(opened.sessionId, -1);
      assert.deepEqual([closed.errorCode, closed.sessionId], [0, 0], 'epoch -1 closes it');
      assert.equal((await ask(opened.sessionId, 2)).errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    } finally {
      c.close();
    }

    phase('session errors checked');
    // kcat asks for no session (epoch -1) and reads all five records from full fetches.
    const before = requests(await f.metrics(0), 'consumer', 'sessionless').count;
    const r = await kcat([
      '-b',
      f.bootstrapServers,
      '-C',
      '-t',
      topic,
      '-p',
      String(active),
      '-o',
      'beginning',
      '-e',
      '-q',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), ['v0', 'v1', 'v2', 'v3', 'v4']);
    assert.ok(requests(await f.metrics(0), 'consumer', 'sessionless').count > before, 'kcat fetched without a session');
    phase('kcat read');
  } finally {
    client.close();
    await f.destroy({ graceful: false }); // a graceful stop of 1,000 partitions takes half a minute
  }
});
