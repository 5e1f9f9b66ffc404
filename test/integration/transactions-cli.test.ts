// Operators' view of transactions on three combined nodes: kafkajs commits one transaction and
// leaves another open; `raftka transactions --list/--describe/--describe-producers` show them;
// `console-consumer --isolation-level read_committed` stops at the open transaction while
// read_uncommitted reads everything; `--find-hanging` does not report a transaction its coordinator
// still runs; `--abort --start-offset` aborts the open one and read_committed reads past it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Producer } from 'kafkajs';
import { waitFor } from '../../src/testing/cluster-fixture.js';
import { startEosCluster } from './exactly-once-helpers.js';

const topic = 'ledger';

interface ListRow {
  transactionalId: string;
  coordinator: number;
  producerId: number;
  transactionState: string;
}

test('raftka transactions and console-consumer --isolation-level', { timeout: 240_000 }, async (t) => {
  const producers: Producer[] = [];
  t.after(() => Promise.all(producers.map((p) => p.disconnect().catch(() => undefined))));
  const { f, bs, kafka, admin } = await startEosCluster(t, 'transactions-cli-test');
  assert.ok(
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 3 }], waitForLeaders: true }),
  );
  const txProducer = async (transactionalId: string): Promise<Producer> => {
    const p = kafka.producer({
      transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    producers.push(p);
    await p.connect();
    return p;
  };

  // Offsets: 0-1 committed, 2 its COMMIT marker, 3-4 the open transaction, 5 a plain record.
  const committer = await txProducer('cli-committed');
  const done = await committer.transaction();
  await done.send({ topic, acks: -1, messages: [{ value: 'c-1' }, { value: 'c-2' }] });
  await done.commit();
  const lingerer = await txProducer('cli-open');
  const open = await lingerer.transaction();
  await open.send({ topic, acks: -1, messages: [{ value: 'o-1' }, { value: 'o-2' }] });
  const plain = kafka.producer({ allowAutoTopicCreation: false });
  producers.push(plain);
  await plain.connect();
  await plain.send({ topic, acks: -1, messages: [{ value: 'after' }] });

  const cli = async (...args: string[]): Promise<string> => f.raftka('transactions', '--bootstrap-server', bs, ...args);
  const consume = async (level: string): Promise<string[]> =>
    (
      await f.raftka(
        'console-consumer',
        '--bootstrap-server',
        bs,
        '--topic',
        topic,
        '--from-beginning',
        '--isolation-level',
        level,
        '--timeout-ms',
        '3000',
      )
    )
      .split('\n')
      .filter((l) => l.length > 0);

  await t.test('--list and --describe show the committed and the open transaction', async () => {
    const list = JSON.parse(await cli('--list', '--json')) as ListRow[];
    const states = new Map(list.map((r) => [r.transactionalId, r.transactionState]));
    assert.equal(states.get('cli-committed'), 'CompleteCommit');
    assert.equal(states.get('cli-open'), 'Ongoing');
    const table = await cli('list');
    assert.match(table.split('\n')[0]!, /^TransactionalId\s+Coordinator\s+ProducerId\s+TransactionState$/);
    assert.match(table, /^cli-open\s+\d+\s+\d+\s+Ongoing$/m);
    const [d] = JSON.parse(await cli('--describe', '--transactional-id', 'cli-open', '--json')) as {
      transactionState: string;
      topicPartitions: string[];
      currentTransactionStartTimeMs: number | null;
    }[];
    assert.equal(d?.transactionState, 'Ongoing');
    assert.deepEqual(d?.topicPartitions, [`${topic}-0`]);
    assert.ok((d?.currentTransactionStartTimeMs ?? 0) > 0);
  });

  await t.test('--describe-producers shows where the open transaction starts', async () => {
    const rows = JSON.parse(await cli('--describe-producers', '--topic', topic, '--partition', '0', '--json')) as {
      currentTransactionStartOffset: number | null;
    }[];
    // The committed and the open transactional producer (the plain kafkajs producer has no producer id).
    assert.deepEqual(rows.map((r) => r.currentTransactionStartOffset).sort(), [3, null]);
  });

  await t.test(
    'console-consumer: read_committed stops at the open transaction, read_uncommitted reads all',
    async () => {
      assert.deepEqual(await consume('read_committed'), ['c-1', 'c-2']);
      assert.deepEqual(await consume('read_uncommitted'), ['c-1', 'c-2', 'o-1', 'o-2', 'after']);
    },
  );

  await t.test('--find-hanging leaves a transaction its coordinator still runs alone', async () => {
    const leader = (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions[0]!.leader;
    const out = await cli('--find-hanging', '--broker-id', String(leader), '--max-transaction-timeout', '0', '--json');
    assert.deepEqual(JSON.parse(out), []);
  });

  await t.test('--abort --start-offset aborts the open transaction; read_committed reads past it', async () => {
    await cli('--abort', '--topic', topic, '--partition', '0', '--start-offset', '3');
    const read = await waitFor(
      'read_committed to read past the aborted transaction',
      async () => {
        const r = await consume('read_committed');
        return r.includes('after') ? r : undefined;
      },
      30_000,
      200,
    );
    assert.deepEqual(read, ['c-1', 'c-2', 'after']);
    const rows = JSON.parse(await cli('--describe-producers', '--topic', topic, '--partition', '0', '--json')) as {
      currentTransactionStartOffset: number | null;
    }[];
    assert.ok(
      rows.every((r) => r.currentTransactionStartOffset === null),
      'no transaction open any more',
    );
  });
});
