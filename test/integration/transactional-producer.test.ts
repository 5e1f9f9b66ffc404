// raftka's own transactional producer (src/client/transactional-producer.ts) against one real
// combined node: a committed transaction is read by read_committed and its batches carry the
// producer id, epoch, per-partition sequences and the transactional bit; an aborted one is
// invisible to read_committed only; offsets sent in a transaction with a GroupConsumer's group
// metadata become the group's only when it commits; a second producer with the same transactional
// id fences the first (fatal, PRODUCER_FENCED); a refused batch makes the transaction abortable
// and the abort bumps the epoch, after which the next transaction works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterFixture, waitFor } from '../../src/testing/cluster-fixture.js';
import { KafkaClient, KafkaRequestError } from '../../src/client/kafka-client.js';
import { GroupConsumer } from '../../src/client/group-consumer.js';
import { offsetFetch } from '../../src/client/group-client.js';
import {
  TransactionalProducer,
  type ProducerRecord,
  type TransactionalProducerOptions,
} from '../../src/client/transactional-producer.js';
import { readBatchHeaders } from '../../src/protocol/record-batch.js';
import { ErrorCode } from '../../src/common/errors.js';
import { readValues } from './exactly-once-helpers.js';

const rec = (topic: string, partition: number, value: string): ProducerRecord => ({
  topic,
  partition,
  key: null,
  value: Buffer.from(value),
});

test("transactional producer of raftka's client on a real node", { timeout: 180_000 }, async (t) => {
  // One broker: the internal topics' min.insync.replicas must be 1 (Kafka's single-broker settings).
  const f = await ClusterFixture.combined({
    nodes: 1,
    extra: {
      'group.initial.rebalance.delay.ms': '0',
      'transaction.state.log.min.isr': '1',
      'transaction.state.log.num.partitions': '3',
      'offsets.topic.num.partitions': '3',
    },
  });
  t.after(() => f.destroy());
  await f.up();
  const bs = f.bootstrapServers;
  const bootstrap = f.brokerPorts.map((port) => ({ host: '127.0.0.1', port }));
  const client = new KafkaClient(bootstrap, { requestTimeoutMs: 10_000 });
  t.after(() => client.close());
  await client.createTopic('tx-a', 2, 1);
  await client.createTopic('tx-b', 1, 1, new Map([['max.message.bytes', '2000']]));
  await client.createTopic('tx-in', 1, 1);
  await waitFor(
    'leaders of the topics',
    async () => {
      const md = await client.metadata(['tx-a', 'tx-b', 'tx-in']);
      return md.topics.every((x) => x.errorCode === 0 && x.partitions.every((p) => p.leader >= 0)) ? true : undefined;
    },
    30_000,
    100,
  );
  const producer = (
    transactionalId: string,
    extra: Partial<TransactionalProducerOptions> = {},
  ): TransactionalProducer =>
    new TransactionalProducer(client, {
      transactionalId,
      transactionTimeoutMs: 30_000,
      maxBlockMs: 20_000,
      deliveryTimeoutMs: 20_000,
      ...extra,
    });

  await t.test('a committed transaction: read_committed reads it; batches carry id, epoch, sequences', async () => {
    const p = producer('tp-commit');
    await p.initTransactions();
    assert.ok(p.producerId >= 0 && p.producerEpoch >= 0);
    p.beginTransaction();
    const sent = await p.send([
      rec('tx-a', 0, 'c-1'),
      rec('tx-a', 0, 'c-2'),
      rec('tx-a', 0, 'c-3'),
      rec('tx-a', 1, 'c-4'),
      rec('tx-b', 0, 'c-5'),
    ]);
    assert.deepEqual(
      sent.map((s) => `${s.topic}-${s.partition}:${s.recordCount}`),
      ['tx-a-0:3', 'tx-a-1:1', 'tx-b-0:1'],
    );
    await p.send([rec('tx-a', 0, 'c-6'), rec('tx-a', 0, 'c-7')]);
    await p.commitTransaction();
    assert.equal(p.state, 'ready');
    assert.deepEqual((await readValues(bs, 'tx-a', 'read_committed')).sort(), [
      'c-1',
      'c-2',
      'c-3',
      'c-4',
      'c-6',
      'c-7',
    ]);
    assert.deepEqual(await readValues(bs, 'tx-b', 'read_committed'), ['c-5']);
    const fetched = await client.fetch('tx-a', 0, 0, { maxWaitMs: 0 });
    const headers = readBatchHeaders(fetched.records);
    const data = headers.filter((h) => !h.isControl);
    assert.deepEqual(
      data.map((h) => [h.producerId, h.producerEpoch, h.baseSequence, h.isTransactional]),
      [
        [p.producerId, p.producerEpoch, 0, true],
        [p.producerId, p.producerEpoch, 3, true],
      ],
    );
    assert.equal(headers.filter((h) => h.isControl).length, 1, 'one COMMIT marker');
  });

  await t.test('an aborted transaction is invisible to read_committed, visible to read_uncommitted', async () => {
    const p = producer('tp-abort');
    await p.initTransactions();
    p.beginTransaction();
    await p.send([rec('tx-b', 0, 'aborted-1'), rec('tx-b', 0, 'aborted-2')]);
    await p.abortTransaction();
    p.beginTransaction();
    await p.send([rec('tx-b', 0, 'kept')]);
    await p.commitTransaction();
    assert.deepEqual(await readValues(bs, 'tx-b', 'read_committed'), ['c-5', 'kept']);
    assert.deepEqual(await readValues(bs, 'tx-b', 'read_uncommitted'), ['c-5', 'aborted-1', 'aborted-2', 'kept']);
  });

  await t.test("offsets sent in a transaction are the group's only when it commits", async () => {
    const feeder = producer('tp-feed');
    await feeder.initTransactions();
    feeder.beginTransaction();
    await feeder.send(['i-0', 'i-1', 'i-2'].map((v) => rec('tx-in', 0, v)));
    await feeder.commitTransaction();
    const consumer = new GroupConsumer(bootstrap, {
      groupId: 'tp-group',
      topics: ['tx-in'],
      autoCommit: false,
      autoOffsetReset: 'earliest',
      isolationLevel: 'read_committed',
      sessionTimeoutMs: 6000,
    });
    t.after(() => consumer.close());
    const got: string[] = [];
    await waitFor(
      'the input polled',
      async () => {
        for (const r of await consumer.poll(200)) got.push(r.value?.toString() ?? '');
        return got.length >= 3 ? true : undefined;
      },
      20_000,
      0,
    );
    assert.deepEqual(got, ['i-0', 'i-1', 'i-2']);
    const committed = async (): Promise<number> =>
      (await offsetFetch(client, 'tp-group', [{ topic: 'tx-in', partitions: [0] }], true))[0]?.offset ?? -2;
    const p = producer('tp-ctp');
    await p.initTransactions();
    const meta = consumer.groupMetadata();
    assert.ok(meta.generationId >= 1 && meta.memberId !== '', 'the consumer has joined');

    p.beginTransaction();
    await p.send([rec('tx-a', 1, 'out-i-0')]);
    await p.sendOffsetsToTransaction([{ topic: 'tx-in', partition: 0, offset: 1 }], meta);
    await p.abortTransaction();
    assert.equal(await committed(), -1, 'an aborted transaction commits no offset');

    p.beginTransaction();
    await p.send([rec('tx-a', 1, 'out-i-0..2')]);
    await p.sendOffsetsToTransaction([{ topic: 'tx-in', partition: 0, offset: 3 }], meta);
    await p.commitTransaction();
    // requireStable: answered once the COMMIT marker has landed on __consumer_offsets.
    const after = await waitFor(
      'the offset committed',
      async () =>
        committed().catch((err: unknown) => {
          if (err instanceof KafkaRequestError && err.errorCode === ErrorCode.UNSTABLE_OFFSET_COMMIT) return undefined;
          throw err;
        }),
      10_000,
      50,
    );
    assert.equal(after, 3);
    const stale = { ...meta, generationId: meta.generationId + 5 };
    p.beginTransaction();
    await p.send([rec('tx-a', 1, 'stale')]);
    await assert.rejects(
      p.sendOffsetsToTransaction([{ topic: 'tx-in', partition: 0, offset: 3 }], stale),
      (err: unknown) => err instanceof KafkaRequestError && err.errorCode === ErrorCode.ILLEGAL_GENERATION,
    );
    assert.equal(p.state, 'abortable-error', 'a stale generation makes the transaction abortable');
    await p.abortTransaction();
    assert.equal(p.state, 'ready');
  });

  await t.test('a second producer with the same transactional id fences the first', async () => {
    const zombie = producer('tp-fence');
    await zombie.initTransactions();
    zombie.beginTransaction();
    await zombie.send([rec('tx-b', 0, 'zombie')]);
    const fresh = producer('tp-fence');
    await fresh.initTransactions(); // aborts the zombie's open transaction
    assert.equal(fresh.producerId, zombie.producerId);
    assert.ok(fresh.producerEpoch > zombie.producerEpoch);
    const fenced = (err: unknown): boolean =>
      err instanceof KafkaRequestError &&
      (err.errorCode === ErrorCode.PRODUCER_FENCED || err.errorCode === ErrorCode.INVALID_PRODUCER_EPOCH);
    await assert.rejects(zombie.send([rec('tx-b', 0, 'zombie-2')]), fenced);
    assert.equal(zombie.state, 'fatal-error');
    assert.throws(() => zombie.beginTransaction(), fenced, 'every later call throws the fatal error');
    fresh.beginTransaction();
    await fresh.send([rec('tx-b', 0, 'fresh')]);
    await fresh.commitTransaction();
    const values = await readValues(bs, 'tx-b', 'read_committed');
    assert.ok(values.includes('fresh') && !values.includes('zombie') && !values.includes('zombie-2'));
  });

  await t.test('a refused batch makes the transaction abortable; the abort bumps the epoch', async () => {
    const p = producer('tp-bump');
    await p.initTransactions();
    const epoch = p.producerEpoch;
    p.beginTransaction();
    await assert.rejects(
      p.send([rec('tx-b', 0, 'x'.repeat(5000))]),
      (err: unknown) => err instanceof KafkaRequestError && err.errorCode === ErrorCode.MESSAGE_TOO_LARGE,
    );
    assert.equal(p.state, 'abortable-error');
    await assert.rejects(p.commitTransaction(), /MESSAGE_TOO_LARGE/, 'commit refuses: abort instead');
    await p.abortTransaction();
    assert.equal(p.producerEpoch, epoch + 1, 'a new epoch: sequences start at 0 again');
    p.beginTransaction();
    await p.send([rec('tx-b', 0, 'after-bump')]);
    await p.commitTransaction();
    assert.ok((await readValues(bs, 'tx-b', 'read_committed')).includes('after-bump'));
  });
});
