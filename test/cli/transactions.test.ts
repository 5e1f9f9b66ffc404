// `raftka transactions`: choosing the action and checking its flags (Kafka's messages), the listings'
// columns and "None" values, and the hanging-transaction rules (open longer than the timeout and
// not being completed by its coordinator).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { transactionsAction, type TransactionsArgs } from '../../src/cli/transactions-command.js';
import {
  describeRow,
  formatDescribe,
  formatListing,
  formatProducers,
  hangingRows,
  listingRows,
  producerRows,
} from '../../src/cli/transactions-format.js';
import { candidateOpenTransactions, selectHanging } from '../../src/client/hanging-transactions.js';
import type { PartitionProducers, ProducerState, TransactionDescription } from '../../src/client/txn-admin.js';

const bs = { 'bootstrap-server': '127.0.0.1:9092' };
const action = (a: Partial<TransactionsArgs>): string => transactionsAction({ ...bs, ...a });

test('the action comes from a subcommand or a flag, exactly one, with the flags it needs', () => {
  assert.equal(action({ list: true }), 'list');
  assert.equal(action({ action: 'list' }), 'list');
  assert.equal(action({ describe: true, 'transactional-id': 'tx' }), 'describe');
  assert.equal(action({ action: 'describe-producers', topic: 't', partition: 0 }), 'describe-producers');
  assert.equal(action({ abort: true, topic: 't', partition: 0, 'start-offset': 5 }), 'abort');
  assert.equal(
    action({ abort: true, topic: 't', partition: 0, 'producer-id': 9, 'producer-epoch': 1, 'coordinator-epoch': 2 }),
    'abort',
  );
  assert.equal(action({ 'find-hanging': true, 'broker-id': 1 }), 'find-hanging');
  assert.throws(() => action({}), /exactly one action/);
  assert.throws(() => action({ list: true, describe: true }), /exactly one action/);
  assert.throws(() => action({ action: 'purge' }), /unknown action "purge"/);
  assert.throws(() => action({ describe: true }), /describe needs --transactional-id/);
  assert.throws(() => action({ action: 'describe-producers', topic: 't' }), /needs --partition/);
  assert.throws(() => action({ abort: true, topic: 't', partition: 0 }), /--start-offset or with --producer-id/);
  assert.throws(() => action({ abort: true, topic: 't', partition: 0, 'producer-id': 9 }), /needs --producer-epoch/);
  assert.throws(() => action({ 'find-hanging': true }), /requires either --topic or --broker-id/);
  assert.throws(
    () => action({ 'find-hanging': true, 'broker-id': 1, partition: 0 }),
    /--partition argument requires --topic/,
  );
});

test('--list prints Kafka columns, one row per transaction', () => {
  const rows = listingRows([
    { transactionalId: 'payments', coordinatorId: 2, producerId: 4001, state: 'Ongoing' },
    { transactionalId: 'orders-long-name', coordinatorId: 3, producerId: 17, state: 'CompleteCommit' },
  ]);
  assert.equal(
    formatListing(rows),
    [
      'TransactionalId   Coordinator  ProducerId  TransactionState',
      'payments          2            4001        Ongoing',
      'orders-long-name  3            17          CompleteCommit',
    ].join('\n'),
  );
  assert.deepEqual(rows[0], {
    transactionalId: 'payments',
    coordinator: 2,
    producerId: 4001,
    transactionState: 'Ongoing',
  });
});

const ongoing: TransactionDescription = {
  coordinatorId: 1,
  transactionalId: 'payments',
  errorCode: 0,
  state: 'Ongoing',
  producerId: 4001,
  producerEpoch: 3,
  transactionTimeoutMs: 60_000,
  transactionStartTimeMs: 1_000_000,
  topicPartitions: [
    { topic: 'a', partition: 0 },
    { topic: 'b', partition: 2 },
  ],
};

test('--describe shows the open transaction with its duration; None when none is open', () => {
  const row = describeRow(ongoing, 1_004_500);
  assert.equal(row.transactionDurationMs, 4_500);
  const lines = formatDescribe([row]).split('\n');
  assert.match(
    lines[0]!,
    /^CoordinatorId\s+TransactionalId\s+ProducerId\s+ProducerEpoch\s+TransactionState\s+TransactionTimeoutMs\s+CurrentTransactionStartTimeMs\s+TransactionDurationMs\s+TopicPartitions$/,
  );
  assert.deepEqual(lines[1]!.split(/\s+/), [
    '1',
    'payments',
    '4001',
    '3',
    'Ongoing',
    '60000',
    '1000000',
    '4500',
    'a-0,b-2',
  ]);
  const idle = describeRow({ ...ongoing, state: 'CompleteCommit', transactionStartTimeMs: -1, topicPartitions: [] }, 5);
  assert.deepEqual(formatDescribe([idle]).split('\n')[1]!.split(/\s+/), [
    '1',
    'payments',
    '4001',
    '3',
    'CompleteCommit',
    '60000',
    'None',
    'None',
  ]);
});

const producer = (over: Partial<ProducerState>): ProducerState => ({
  producerId: 4001,
  producerEpoch: 3,
  lastSequence: 9,
  lastTimestamp: 1_000_000,
  coordinatorEpoch: 2,
  currentTransactionStartOffset: 40,
  ...over,
});

test('--describe-producers shows CurrentTransactionStartOffset, None without an open transaction', () => {
  const out = formatProducers(
    producerRows([producer({}), producer({ producerId: 12, currentTransactionStartOffset: -1 })]),
  );
  assert.deepEqual(
    out.split('\n').map((l) => l.split(/\s+/)),
    [
      [
        'ProducerId',
        'ProducerEpoch',
        'LatestCoordinatorEpoch',
        'LastSequence',
        'LastTimestamp',
        'CurrentTransactionStartOffset',
      ],
      ['4001', '3', '2', '9', '1000000', '40'],
      ['12', '3', '2', '9', '1000000', 'None'],
    ],
  );
});

test('hanging: open longer than the timeout, and not a partition its coordinator is completing', () => {
  const minutes = 60_000;
  const now = 1_000_000 + 20 * minutes;
  const partitions: PartitionProducers[] = [
    {
      topic: 'a',
      partition: 0,
      errorCode: 0,
      producers: [
        producer({}), // open 20 min, coordinator lists a-0: not hanging
        producer({ producerId: 50, currentTransactionStartOffset: 7 }), // unknown id: hanging
        producer({ producerId: 60, currentTransactionStartOffset: -1 }), // nothing open
        producer({ producerId: 70, lastTimestamp: now - minutes }), // open 1 min: too young
      ],
    },
    { topic: 'c', partition: 1, errorCode: 0, producers: [producer({ currentTransactionStartOffset: 3 })] }, // not listed by its coordinator
    { topic: 'b', partition: 2, errorCode: 0, producers: [producer({ producerId: 80 })] }, // its id's transaction is complete
  ];
  const candidates = candidateOpenTransactions(partitions, 15 * minutes, now);
  assert.deepEqual(
    candidates.map((c) => `${c.topic}-${c.partition}:${c.producer.producerId}`),
    ['a-0:4001', 'a-0:50', 'c-1:4001', 'b-2:80'],
  );
  const ids = new Map([
    [4001, 'payments'],
    [80, 'done'],
  ]);
  const descriptions = new Map<string, TransactionDescription | null>([
    ['payments', ongoing],
    ['done', { ...ongoing, transactionalId: 'done', producerId: 80, state: 'CompleteCommit', topicPartitions: [] }],
  ]);
  const hanging = selectHanging(candidates, ids, descriptions);
  assert.deepEqual(
    hanging.map((c) => `${c.topic}-${c.partition}:${c.producer.producerId}`),
    ['a-0:50', 'c-1:4001', 'b-2:80'],
  );
  assert.deepEqual(
    hangingRows(hanging, now).map((r) => [r.startOffset, r.durationMinutes]),
    [
      [7, 20],
      [3, 20],
      [40, 20],
    ],
  );
});
