// Exactly-once with real clients on three combined nodes (one cluster for all sub-tests):
// duplicate batches are recognised at the leader; a kafkajs transaction over three topics plus
// sendOffsets is all-or-nothing for read_committed (and fully visible to read_uncommitted when
// aborted); a zombie producer is fenced; an expired transaction is aborted by the coordinator and
// the LSO moves on; kill -9 of the transaction coordinator between EndTxn and the markers leaves
// every partition with all of the transaction or none of it, and the LSO moves past it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Consumer, Producer } from 'kafkajs';
import { waitFor } from '../../src/testing/cluster-fixture.js';
import { KafkaRequestError } from '../../src/client/kafka-client.js';
import { buildRecordBatch, readBatchHeaders, readRecords } from '../../src/protocol/record-batch.js';
import { initProducerIdApi } from '../../src/protocol/messages/init-producer-id.js';
import { ErrorCode } from '../../src/common/errors.js';
import {
  createTopic,
  describeTxn,
  partitionInfo,
  readAll,
  readValues,
  startEosCluster,
  txnCoordinator,
  waitFullIsr,
} from './exactly-once-helpers.js';

test('exactly-once: dedup, transactions, fencing, expiry, coordinator crash', { timeout: 400_000 }, async (t) => {
  const producers = new Set<Producer>();
  const consumers = new Set<Consumer>();
  // Registered first so it runs first: clients stop before the cluster does.
  t.after(async () => {
    await Promise.all([...consumers].map((c) => c.disconnect().catch(() => undefined)));
    await Promise.all([...producers].map((p) => p.disconnect().catch(() => undefined)));
  });
  const c = await startEosCluster(t, 'eos-test');
  const { bs, kafka, client, admin } = c;
  const txProducer = (transactionalId: string, transactionTimeout = 30_000, retries = 30): Producer => {
    const p = kafka.producer({
      transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout,
      allowAutoTopicCreation: false,
      retry: { retries, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    producers.add(p);
    return p;
  };

  await t.test('a retried batch (same producer id, epoch, sequence) is written once', async () => {
    await createTopic(c, 'dedup', 1);
    const conn = await client.anyConnection();
    const version = conn.versionFor(initProducerIdApi);
    const init = await conn.send(
      initProducerIdApi,
      { transactionalId: null, transactionTimeoutMs: 60_000 },
      10_000,
      version,
    );
    assert.equal(init.errorCode, 0);
    const producerId = Number(init.producerId);
    const batch = (baseSequence: number, values: string[]): Buffer =>
      buildRecordBatch(
        values.map((v) => ({ value: Buffer.from(v), timestamp: Date.now() })),
        { producerId, producerEpoch: init.producerEpoch, baseSequence },
      );
    const first = batch(0, ['d-0', 'd-1', 'd-2']);
    const a = await client.produce('dedup', 0, first);
    const b = await client.produce('dedup', 0, first);
    assert.equal(b.baseOffset, a.baseOffset, 'the duplicate is answered with the original base offset');
    const next = await client.produce('dedup', 0, batch(3, ['d-3']));
    assert.equal(next.baseOffset, a.baseOffset + 3);
    await assert.rejects(client.produce('dedup', 0, batch(7, ['gap'])), (err: unknown) => {
      assert.ok(err instanceof KafkaRequestError);
      assert.equal(err.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
      return true;
    });
    const fetched = await client.fetch('dedup', 0, 0);
    const values = readBatchHeaders(fetched.records).flatMap((h) =>
      readRecords(fetched.records, h).map((r) => r.value?.toString() ?? ''),
    );
    assert.deepEqual(values, ['d-0', 'd-1', 'd-2', 'd-3']);
  });

  await t.test('a transaction over three topics plus sendOffsets is all or nothing', async () => {
    const topics = ['tx-a', 'tx-b', 'tx-c'];
    for (const topic of topics) await createTopic(c, topic, 2);
    await createTopic(c, 'tx-in', 1);
    // The group's coordinator up first: FindCoordinator answers from the asked broker's metadata,
    // and the named broker may not have applied it yet (NOT_COORDINATOR), which kafkajs' sendOffsets
    // does not retry (it looks for 'NOT_COORDINATOR', its own name for code 16 is
    // 'NOT_COORDINATOR_FOR_GROUP'). Its consumers, and Kafka's clients, re-find the coordinator.
    await waitFor(
      'the coordinator of eos-group',
      async () => ((await admin.fetchOffsets({ groupId: 'eos-group', topics: ['tx-in'] })) ? true : undefined),
      30_000,
      100,
    );
    const producer = txProducer('eos-all-or-nothing');
    await producer.connect();
    const send = async (prefix: string, offset: string, commit: boolean): Promise<void> => {
      const txn = await producer.transaction();
      for (const topic of topics)
        await txn.send({
          topic,
          acks: -1,
          messages: [0, 1, 2, 3].map((i) => ({ key: `k${i}`, value: `${prefix}-${topic}-${i}` })),
        });
      await txn.sendOffsets({
        consumerGroupId: 'eos-group',
        topics: [{ topic: 'tx-in', partitions: [{ partition: 0, offset }] }],
      });
      if (commit) await txn.commit();
      else await txn.abort();
    };
    await send('committed', '5', true);
    await send('aborted', '9', false);
    for (const topic of topics) {
      const committed = await readValues(bs, topic, 'read_committed');
      assert.deepEqual(
        committed.sort(),
        [0, 1, 2, 3].map((i) => `committed-${topic}-${i}`),
        `${topic}: read_committed sees the committed transaction only`,
      );
    }
    const offsets = await admin.fetchOffsets({ groupId: 'eos-group', topics: ['tx-in'] });
    assert.equal(offsets[0]?.partitions[0]?.offset, '5', 'the committed transaction committed its offsets');

    // read_uncommitted (a kafkajs consumer) sees the aborted records too.
    const consumer = kafka.consumer({ groupId: 'eos-uncommitted', readUncommitted: true });
    consumers.add(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    const seen = new Set<string>();
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.add(message.value?.toString() ?? '');
      },
    });
    const expected = topics.flatMap((topic) =>
      ['committed', 'aborted'].flatMap((p) => [0, 1, 2, 3].map((i) => `${p}-${topic}-${i}`)),
    );
    await waitFor(
      'read_uncommitted to see all 24 records',
      async () => (expected.every((v) => seen.has(v)) ? true : undefined),
      60_000,
      100,
    );
    await consumer.disconnect();
    consumers.delete(consumer);
  });

  await t.test('a second producer with the same transactional id fences the first', async () => {
    await createTopic(c, 'zombie', 1);
    const first = txProducer('eos-zombie', 30_000, 2);
    await first.connect();
    const txn = await first.transaction();
    await txn.send({ topic: 'zombie', acks: -1, messages: [{ value: 'zombie-before' }] });
    const second = txProducer('eos-zombie');
    await second.connect();
    const txn2 = await second.transaction(); // initTransactions: bumps the epoch, aborts the first's
    let fenced: Error | null = null;
    try {
      await txn.send({ topic: 'zombie', acks: -1, messages: [{ value: 'zombie-after' }] });
      await txn.commit();
    } catch (err) {
      fenced = err as Error;
    }
    assert.ok(fenced, 'the zombie cannot send or commit');
    assert.match(`${fenced.name} ${fenced.message} ${String((fenced as { type?: string }).type)}`, /FENCED|EPOCH/i);
    await txn2.send({ topic: 'zombie', acks: -1, messages: [{ value: 'live' }] });
    await txn2.commit();
    assert.deepEqual(await readValues(bs, 'zombie', 'read_committed'), ['live']);
  });

  await t.test('an expired transaction is aborted by the coordinator and the LSO moves on', async () => {
    await createTopic(c, 'expiry', 1);
    const stuck = txProducer('eos-expiry', 2_000);
    await stuck.connect();
    const txn = await stuck.transaction();
    await txn.send({ topic: 'expiry', acks: -1, messages: [{ value: 'stuck' }] });
    const plain = kafka.producer({ allowAutoTopicCreation: false });
    producers.add(plain);
    await plain.connect();
    await plain.send({ topic: 'expiry', acks: -1, messages: [{ value: 'after' }] });
    const visible = await waitFor(
      'read_committed to read past the expired transaction',
      async () => {
        const v = await readValues(bs, 'expiry', 'read_committed');
        return v.includes('after') ? v : undefined;
      },
      30_000,
      200,
    );
    assert.deepEqual(visible, ['after']);
    assert.equal((await describeTxn(client, 'eos-expiry')).state, 'CompleteAbort');
    assert.deepEqual((await readValues(bs, 'expiry', 'read_uncommitted')).sort(), ['after', 'stuck']);
  });

  await t.test('kill -9 of the coordinator between EndTxn and the markers: all of it, everywhere', async () => {
    await createTopic(c, 'crash', 3);
    const id = 'eos-crash';
    const producer = txProducer(id, 60_000);
    await producer.connect();
    const txn = await producer.transaction();
    for (let p = 0; p < 3; p++)
      await txn.send({ topic: 'crash', acks: -1, messages: [{ partition: p, value: `crash-${p}` }] });
    const coordinator = await txnCoordinator(client, id);
    // Stop a leader of one of the partitions that is not the coordinator: its marker cannot land.
    const leaders = await Promise.all([0, 1, 2].map((p) => partitionInfo(client, 'crash', p)));
    const stopped = leaders.find((p) => p.leader !== coordinator)?.leader;
    assert.ok(stopped !== undefined, 'some partition led elsewhere than the coordinator');
    const stoppedPid = await c.f.pidOf(stopped);
    process.kill(stoppedPid, 'SIGSTOP');
    let resumed = false;
    t.after(() => {
      if (!resumed) process.kill(stoppedPid, 'SIGCONT');
    });
    await txn.commit(); // answered once PrepareCommit is written
    await c.f.kill9(coordinator);
    process.kill(stoppedPid, 'SIGCONT');
    resumed = true;
    await c.f.up();
    await waitFullIsr(client, ['crash']);
    await waitFor(
      'the transaction complete',
      async () => ((await describeTxn(client, id)).state === 'CompleteCommit' ? true : undefined),
      60_000,
      200,
    );
    const plain = kafka.producer({ allowAutoTopicCreation: false });
    producers.add(plain);
    await plain.connect();
    for (let p = 0; p < 3; p++)
      await plain.send({ topic: 'crash', acks: -1, messages: [{ partition: p, value: `later-${p}` }] });
    const read = await waitFor(
      'read_committed to read the later records on every partition',
      async () => {
        const r = await readAll(bs, 'crash', 'read_committed');
        return [0, 1, 2].every((p) => r.some((x) => x.value === `later-${p}`)) ? r : undefined;
      },
      30_000,
      200,
    );
    for (let p = 0; p < 3; p++)
      assert.deepEqual(
        read.filter((x) => x.partition === p).map((x) => x.value),
        [`crash-${p}`, `later-${p}`],
        `partition ${p}: the committed transaction, then the later record`,
      );
  });
});
