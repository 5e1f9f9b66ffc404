// The transaction coordinator on a manual clock with in-memory ports (state log, producer ids,
// marker channel): InitProducerId (new id, epoch bumps, fencing an open transaction, epoch
// exhaustion, KIP-360 re-init), AddPartitionsToTxn and its verify-only form, AddOffsetsToTxn,
// EndTxn (log before answer, markers to every partition, Complete after), marker retries,
// timeout aborts, loading that finishes Prepare* transactions, leadership errors, id expiry,
// DescribeTransactions / ListTransactions and the metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as flush } from 'node:timers/promises';
import pino from 'pino';
import { Registry } from 'prom-client';
import { ErrorCode } from '../../../src/common/errors.js';
import { ManualClock } from '../../../src/broker/group/clock.js';
import { partitionForGroup } from '../../../src/broker/group/offsets-records.js';
import { TransactionCoordinator } from '../../../src/broker/txn/transaction-coordinator.js';
import type { TxnLogRecord, TxnStateLog } from '../../../src/broker/txn/txn-log.js';
import { registerTxnMetrics } from '../../../src/broker/txn/txn-metrics.js';
import {
  decodeTxnKey,
  decodeTxnValue,
  txnKey,
  txnValue,
  type TopicPartition,
  type TxnLogEntry,
} from '../../../src/broker/txn/txn-records.js';
import type { TxnCoordinatorOptions, TxnMarkers, TxnMarkerSender } from '../../../src/broker/txn/txn-types.js';

const logger = pino({ level: 'silent' });
const partitionCount = 4;
const coordinatorEpoch = 5;
const backoffMs = 100;
const tp = (topic: string, partition: number): TopicPartition => ({ topic, partition });

/** What happened, in order, across the fakes: appends of states and marker calls. */
type Event = { kind: 'append'; id: string; state: string | null; epoch: number } | { kind: 'markers'; m: TxnMarkers };

class MemoryTxnLog implements TxnStateLog {
  readonly records = new Map<number, TxnLogRecord[]>();
  failWith: number = ErrorCode.NONE;
  /** While set, appends wait for it (a write in flight). */
  appendGate: Promise<void> | null = null;
  loadGate: Promise<void> | null = null;
  constructor(private readonly events: Event[]) {}

  async append(partition: number, records: readonly TxnLogRecord[]): Promise<number> {
    if (this.appendGate) await this.appendGate;
    if (this.failWith !== ErrorCode.NONE) return this.failWith;
    const list = this.records.get(partition) ?? [];
    list.push(...records);
    this.records.set(partition, list);
    for (const r of records) {
      const v = r.value === null ? null : decodeTxnValue(r.value);
      this.events.push({
        kind: 'append',
        id: decodeTxnKey(r.key),
        state: v?.state ?? null,
        epoch: v?.producerEpoch ?? -1,
      });
    }
    return ErrorCode.NONE;
  }

  async *readAll(partition: number): AsyncIterable<TxnLogRecord> {
    if (this.loadGate) await this.loadGate;
    for (const r of this.records.get(partition) ?? []) yield r;
  }

  /** The last value written for an id, decoded (null: tombstone, undefined: none). */
  last(id: string, partition: number): TxnLogEntry | null | undefined {
    const list = (this.records.get(partition) ?? []).filter((r) => decodeTxnKey(r.key) === id);
    const r = list.at(-1);
    if (r === undefined) return undefined;
    return r.value === null ? null : decodeTxnValue(r.value);
  }
}

class FakeMarkers implements TxnMarkerSender {
  /** Errors to answer for a partition, one per call, before NONE. */
  readonly failures = new Map<string, number[]>();
  gate: Promise<void> | null = null;
  constructor(private readonly events: Event[]) {}

  async writeMarkers(m: TxnMarkers): Promise<readonly { tp: TopicPartition; errorCode: number }[]> {
    this.events.push({ kind: 'markers', m });
    if (this.gate) await this.gate;
    return m.partitions.map((p) => ({
      tp: p,
      errorCode: this.failures.get(`${p.topic}-${p.partition}`)?.shift() ?? ErrorCode.NONE,
    }));
  }
}

function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Wait (without sleeping) until `cond` holds, moving the manual clock by `stepMs` per turn. */
async function until(cond: () => boolean, clock?: ManualClock, stepMs = 0): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not reached before the deadline');
    if (clock && stepMs > 0) clock.advance(stepMs);
    await flush();
  }
}

function setup(overrides: Partial<TxnCoordinatorOptions> = {}, lead = true) {
  const events: Event[] = [];
  const clock = new ManualClock();
  const log = new MemoryTxnLog(events);
  const markers = new FakeMarkers(events);
  let nextId = 1000;
  const deleted = new Set<string>();
  const c = new TransactionCoordinator({
    log,
    markers,
    clock,
    logger,
    producerIds: { nextProducerId: async () => ({ errorCode: ErrorCode.NONE, producerId: nextId++ }) },
    partitionCount,
    offsetsPartitionCount: 50,
    maxTimeoutMs: 900_000,
    transactionalIdExpirationMs: 604_800_000,
    abortTimedOutIntervalMs: 10_000,
    removeExpiredIntervalMs: 3_600_000,
    markerRetryBackoffMs: backoffMs,
    partitionExists: (topic, partition) => !deleted.has(`${topic}-${partition}`),
    ...overrides,
  });
  const leadAll = async (): Promise<void> => {
    c.setLeadership(new Map(Array.from({ length: partitionCount }, (_, p) => [p, coordinatorEpoch] as const)));
    await until(() => c.list({ stateFilters: [], producerIdFilters: [], durationFilterMs: -1 }).errorCode === 0);
  };
  return { c, clock, log, markers, events, deleted, leadAll, lead };
}

async function ready(overrides: Partial<TxnCoordinatorOptions> = {}) {
  const s = setup(overrides);
  await s.leadAll();
  return s;
}

const init = (c: TransactionCoordinator, id: string, producerId = -1, producerEpoch = -1, timeoutMs = 60_000) =>
  c.initProducerId({ transactionalId: id, transactionTimeoutMs: timeoutMs, producerId, producerEpoch });

test('InitProducerId: a new id gets a fresh producer id at epoch 0, a re-init bumps the epoch', async () => {
  const { c, log } = await ready();
  const first = await init(c, 'a');
  assert.deepEqual(first, { errorCode: ErrorCode.NONE, producerId: 1000, producerEpoch: 0 });
  const written = log.last('a', c.partitionFor('a'));
  assert.equal(written?.state, 'Empty');
  assert.equal(written?.producerEpoch, 0);
  assert.deepEqual(await init(c, 'a'), { errorCode: ErrorCode.NONE, producerId: 1000, producerEpoch: 1 });
  assert.equal((await init(c, 'a', -1, -1, 900_001)).errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT);
  assert.equal((await init(c, 'a', -1, -1, 0)).errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT);
  assert.equal((await init(c, '')).errorCode, ErrorCode.INVALID_REQUEST);
});

test('InitProducerId KIP-360: re-init with the current id and epoch bumps; its retry gets the same answer; others are fenced', async () => {
  const { c } = await ready();
  await init(c, 'a'); // 1000/0
  assert.deepEqual(await init(c, 'a', 1000, 0), { errorCode: 0, producerId: 1000, producerEpoch: 1 });
  // The answer was lost: the retry with the old epoch gets the same epoch, not a second bump.
  assert.deepEqual(await init(c, 'a', 1000, 0), { errorCode: 0, producerId: 1000, producerEpoch: 1 });
  assert.equal((await init(c, 'a', 999, 0)).errorCode, ErrorCode.PRODUCER_FENCED);
  assert.equal((await init(c, 'a', 1000, 7)).errorCode, ErrorCode.PRODUCER_FENCED);
  assert.equal((await init(c, 'a', 1000, -1)).errorCode, ErrorCode.INVALID_REQUEST);
});

test('InitProducerId on an open transaction aborts it under a bumped epoch, fencing the old producer', async () => {
  const { c, log, events } = await ready();
  await init(c, 'a'); // 1000/0
  assert.equal(
    await c.addPartitions({ transactionalId: 'a', producerId: 1000, producerEpoch: 0, partitions: [tp('t', 0)] }),
    0,
  );
  const r = await init(c, 'a');
  assert.equal(r.errorCode, ErrorCode.CONCURRENT_TRANSACTIONS);
  await until(() => c.describe('a').state === 'CompleteAbort');
  const abort = events.find((e) => e.kind === 'markers');
  assert.ok(abort?.kind === 'markers');
  assert.equal(abort.m.committed, false);
  assert.equal(abort.m.producerEpoch, 1);
  assert.equal(abort.m.coordinatorEpoch, coordinatorEpoch);
  assert.deepEqual(abort.m.partitions, [tp('t', 0)]);
  assert.equal(log.last('a', c.partitionFor('a'))?.producerEpoch, 1);
  // The old producer (epoch 0) is fenced; the new one gets epoch 2.
  assert.equal(
    await c.endTxn({ transactionalId: 'a', producerId: 1000, producerEpoch: 0, committed: true }),
    ErrorCode.PRODUCER_FENCED,
  );
  assert.deepEqual(await init(c, 'a'), { errorCode: 0, producerId: 1000, producerEpoch: 2 });
});

test('InitProducerId with the epochs exhausted moves to a new producer id at epoch 0', async () => {
  const s = setup();
  const id = 'old';
  const p = s.c.partitionFor(id);
  s.log.records.set(p, [
    {
      key: txnKey(id),
      value: txnValue({
        producerId: 77,
        lastProducerId: -1,
        producerEpoch: 32_766,
        timeoutMs: 60_000,
        state: 'CompleteCommit',
        partitions: [],
        lastUpdateTimestamp: s.clock.now(),
        startTimestamp: s.clock.now() - 10,
      }),
    },
  ]);
  await s.leadAll();
  assert.deepEqual(await init(s.c, id, 77, 32_766), { errorCode: 0, producerId: 1000, producerEpoch: 0 });
  // A retry of that rotation (answer lost) with the previous, exhausted id is not fenced.
  const retry = await init(s.c, id, 77, 32_766);
  assert.equal(retry.errorCode, ErrorCode.NONE);
  assert.equal(retry.producerId, 1000);
});

test('AddPartitionsToTxn: starts the transaction, refuses other producers, epochs and concurrent changes', async () => {
  const { c, log, markers, clock } = await ready();
  await init(c, 'a');
  const add = (producerId: number, producerEpoch: number, partitions: TopicPartition[], id = 'a') =>
    c.addPartitions({ transactionalId: id, producerId, producerEpoch, partitions });
  assert.equal(await add(1000, 0, [tp('t', 0), tp('t', 1)]), ErrorCode.NONE);
  const w = log.last('a', c.partitionFor('a'));
  assert.equal(w?.state, 'Ongoing');
  assert.deepEqual(w?.partitions, [tp('t', 0), tp('t', 1)]);
  assert.equal(await add(1000, 0, [tp('t', 1)]), ErrorCode.NONE); // already in: no write
  assert.equal(await add(1000, 1, [tp('t', 2)]), ErrorCode.PRODUCER_FENCED);
  assert.equal(await add(999, 0, [tp('t', 2)]), ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  assert.equal(await add(1000, 0, [tp('t', 2)], 'unknown'), ErrorCode.INVALID_PRODUCER_ID_MAPPING);

  // A write in flight: a second change waits its turn.
  const g = gate();
  log.appendGate = g.promise;
  const slow = add(1000, 0, [tp('u', 0)]);
  assert.equal(await add(1000, 0, [tp('u', 1)]), ErrorCode.CONCURRENT_TRANSACTIONS);
  log.appendGate = null;
  g.open();
  assert.equal(await slow, ErrorCode.NONE);

  // While the transaction commits (markers held), adding waits up to a second for the markers,
  // then is CONCURRENT_TRANSACTIONS.
  const mg = gate();
  markers.gate = mg.promise;
  assert.equal(await c.endTxn({ transactionalId: 'a', producerId: 1000, producerEpoch: 0, committed: true }), 0);
  assert.equal(c.describe('a').state, 'PrepareCommit');
  const refused = add(1000, 0, [tp('v', 0)]);
  clock.advance(1_000);
  assert.equal(await refused, ErrorCode.CONCURRENT_TRANSACTIONS);
  // Asked again while the markers are still held, the add is answered once they land: the next
  // transaction starts from a clean set.
  const waiting = add(1000, 0, [tp('v', 0)]);
  markers.gate = null;
  mg.open();
  assert.equal(await waiting, ErrorCode.NONE);
  assert.equal(c.describe('a').state, 'Ongoing');
  assert.deepEqual(c.describe('a').topics, [{ topic: 'v', partitions: [0] }]);
});

test('AddPartitionsToTxn: a failed state write changes nothing and maps to a coordinator error', async () => {
  const { c, log } = await ready();
  await init(c, 'a');
  log.failWith = ErrorCode.NOT_ENOUGH_REPLICAS;
  const add = () =>
    c.addPartitions({ transactionalId: 'a', producerId: 1000, producerEpoch: 0, partitions: [tp('t', 0)] });
  assert.equal(await add(), ErrorCode.COORDINATOR_NOT_AVAILABLE);
  assert.equal(c.describe('a').state, 'Empty');
  log.failWith = ErrorCode.NOT_LEADER_OR_FOLLOWER;
  assert.equal(await add(), ErrorCode.NOT_COORDINATOR);
  log.failWith = ErrorCode.NONE;
  assert.equal(await add(), ErrorCode.NONE);
});

test('verify-only AddPartitionsToTxn (KIP-890 part 1) answers per partition', async () => {
  const { c } = await ready();
  await init(c, 'a');
  await c.addPartitions({ transactionalId: 'a', producerId: 1000, producerEpoch: 0, partitions: [tp('t', 0)] });
  const v = c.verifyPartitions({
    transactionalId: 'a',
    producerId: 1000,
    producerEpoch: 0,
    partitions: [tp('t', 0), tp('t', 1)],
  });
  assert.deepEqual(v.partitions, [
    { tp: tp('t', 0), errorCode: ErrorCode.NONE },
    { tp: tp('t', 1), errorCode: ErrorCode.INVALID_TXN_STATE },
  ]);
  const fenced = c.verifyPartitions({
    transactionalId: 'a',
    producerId: 1000,
    producerEpoch: 3,
    partitions: [tp('t', 0)],
  });
  assert.deepEqual(fenced.partitions, [{ tp: tp('t', 0), errorCode: ErrorCode.PRODUCER_FENCED }]);
  const unknown = c.verifyPartitions({
    transactionalId: 'zz',
    producerId: 1,
    producerEpoch: 0,
    partitions: [tp('t', 0)],
  });
  assert.deepEqual(unknown.partitions, [{ tp: tp('t', 0), errorCode: ErrorCode.INVALID_PRODUCER_ID_MAPPING }]);
});

test("AddOffsetsToTxn adds the group's __consumer_offsets partition", async () => {
  const { c } = await ready();
  await init(c, 'a');
  assert.equal(await c.addOffsets({ transactionalId: 'a', producerId: 1000, producerEpoch: 0, groupId: 'g1' }), 0);
  assert.deepEqual(c.describe('a').topics, [
    { topic: '__consumer_offsets', partitions: [partitionForGroup('g1', 50)] },
  ]);
});

test('EndTxn commit: PrepareCommit committed before the answer, markers to every partition, CompleteCommit after', async () => {
  const { c, events, markers } = await ready();
  await init(c, 'a');
  const parts = [tp('t', 0), tp('t', 1), tp('u', 3)];
  await c.addPartitions({ transactionalId: 'a', producerId: 1000, producerEpoch: 0, partitions: parts });
  const mg = gate();
  markers.gate = mg.promise;
  events.length = 0;
  const code = await c.endTxn({ transactionalId: 'a', producerId: 1000, producerEpoch: 0, committed: true });
  assert.equal(code, ErrorCode.NONE);
  // Answered: the Prepare record is in the log, the Complete one is not yet.
  assert.deepEqual(
    events.filter((e) => e.kind === 'append').map((e) => e.kind === 'append' && e.state),
    ['PrepareCommit'],
  );
  await until(() => events.some((e) => e.kind === 'markers'));
  mg.open();
  await until(() => c.describe('a').state === 'CompleteCommit');
  assert.deepEqual(
    events.map((e) => (e.kind === 'append' ? `append ${e.state}` : 'markers')),
    ['append PrepareCommit', 'markers', 'append CompleteCommit'],
  );
  const m = events.find((e) => e.kind === 'markers');
  assert.ok(m?.kind === 'markers');
  assert.equal(m.m.committed, true);
  assert.deepEqual(m.m.partitions, parts);
  // A retried EndTxn after completion is answered NONE; the other outcome is INVALID_TXN_STATE.
  assert.equal(await c.endTxn({ transactionalId: 'a', producerId: 1000, producerEpoch: 0, committed: true }), 0);
  assert.equal(
    await c.endTxn({ transactionalId: 'a', producerId: 1000, producerEpoch: 0, committed: false }),
    ErrorCode.INVALID_TXN_STATE,
  );
  assert.equal(c.stats().committed, 1);
  assert.equal(c.stats().openTransactions, 0);
});

test('EndTxn abort, and EndTxn errors: no transaction, wrong epoch, unknown producer', async () => {
  const { c, events } = await ready();
  await init(c, 'a');
  const end = (committed: boolean, producerEpoch = 0, producerId = 1000) =>
    c.endTxn({ transactionalId: 'a', producerId, producerEpoch, committed });
  assert.equal(await end(true), ErrorCode.INVALID_TXN_STATE); // Empty
  await c.addPartitions({ transactionalId: 'a', producerId: 1000, producerEpoch: 0, partitions: [tp('t', 0)] });
  assert.equal(await end(false, 1), ErrorCode.PRODUCER_FENCED);
  assert.equal(await end(false, 0, 5), ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  assert.equal(await end(false), ErrorCode.NONE);
  await until(() => c.describe('a').state === 'CompleteAbort');
  const m = events.find((e) => e.kind === 'markers');
  assert.ok(m?.kind === 'markers');
  assert.equal(m.m.committed, false);
  assert.equal(c.stats().aborted, 1);
});

test('markers are retried until the leaders take them; a deleted partition is dropped', async () => {
  const { c, clock, markers, events, deleted } = await ready();
  await init(c, 'a');
  await c.addPartitions({
    transactionalId: 'a',
    producerId: 1000,
    producerEpoch: 0,
    partitions: [tp('t', 0), tp('t', 1), tp('gone', 0)],
  });
  markers.failures.set('t-1', [ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.REQUEST_TIMED_OUT]);
  markers.failures.set('gone-0', [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  events.length = 0;
  assert.equal(await c.endTxn({ transactionalId: 'a', producerId: 1000, producerEpoch: 0, committed: true }), 0);
  await until(() => events.filter((e) => e.kind === 'markers').length === 1);
  deleted.add('gone-0');
  await until(() => c.describe('a').state === 'CompleteCommit', clock, backoffMs);
  const rounds = events.filter((e) => e.kind === 'markers').map((e) => (e.kind === 'markers' ? e.m.partitions : []));
  assert.deepEqual(rounds, [[tp('t', 0), tp('t', 1), tp('gone', 0)], [tp('t', 1), tp('gone', 0)], [tp('t', 1)]]);
});

test('a transaction open longer than its timeout is aborted under a bumped epoch', async () => {
  const { c, clock } = await ready();
  c.startup();
  await init(c, 'a', -1, -1, 15_000);
  await c.addPartitions({ transactionalId: 'a', producerId: 1000, producerEpoch: 0, partitions: [tp('t', 0)] });
  clock.advance(10_000); // the first check: not yet timed out
  await flush();
  assert.equal(c.describe('a').state, 'Ongoing');
  await until(() => c.describe('a').state === 'CompleteAbort', clock, 10_000);
  assert.equal(c.describe('a').producerEpoch, 1);
  assert.equal(c.stats().timedOutAborts, 1);
  assert.equal(
    await c.endTxn({ transactionalId: 'a', producerId: 1000, producerEpoch: 0, committed: true }),
    ErrorCode.PRODUCER_FENCED,
  );
  c.close();
});

test('loading a partition finishes the transactions it finds in PrepareCommit and PrepareAbort', async () => {
  const s = setup();
  const now = s.clock.now();
  const entry = (
    state: 'PrepareCommit' | 'PrepareAbort' | 'Ongoing',
    producerId: number,
    partitions: TopicPartition[],
  ) =>
    txnValue({
      producerId,
      lastProducerId: -1,
      producerEpoch: 3,
      timeoutMs: 60_000,
      state,
      partitions,
      lastUpdateTimestamp: now,
      startTimestamp: now - 5,
    });
  for (const [id, state, pid] of [
    ['c1', 'PrepareCommit', 10],
    ['a1', 'PrepareAbort', 11],
    ['o1', 'Ongoing', 12],
  ] as const) {
    const p = s.c.partitionFor(id);
    const list = s.log.records.get(p) ?? [];
    list.push({ key: txnKey(id), value: entry(state, pid, [tp('t', pid)]) });
    s.log.records.set(p, list);
  }
  await s.leadAll();
  await until(() => s.c.describe('c1').state === 'CompleteCommit' && s.c.describe('a1').state === 'CompleteAbort');
  assert.equal(s.c.describe('o1').state, 'Ongoing');
  const sent = s.events.flatMap((e) => (e.kind === 'markers' ? [e.m] : []));
  assert.equal(sent.length, 2);
  for (const m of sent) {
    assert.equal(m.coordinatorEpoch, coordinatorEpoch);
    assert.equal(m.producerEpoch, 3);
    assert.equal(m.committed, m.producerId === 10);
  }
});

test('NOT_COORDINATOR without leadership, COORDINATOR_LOAD_IN_PROGRESS while loading, unload on leadership loss', async () => {
  const s = setup();
  assert.equal((await init(s.c, 'a')).errorCode, ErrorCode.NOT_COORDINATOR);
  const g = gate();
  s.log.loadGate = g.promise;
  const p = s.c.partitionFor('a');
  s.c.setLeadership(new Map([[p, 1]]));
  assert.equal((await init(s.c, 'a')).errorCode, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
  assert.equal(s.c.describe('a').errorCode, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
  assert.equal(s.c.list({ stateFilters: [], producerIdFilters: [], durationFilterMs: -1 }).errorCode, 14);
  g.open();
  await until(() => s.c.describe('a').errorCode === ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
  assert.equal((await init(s.c, 'a')).errorCode, ErrorCode.NONE);
  // A write in flight when leadership moves answers NOT_COORDINATOR.
  const wg = gate();
  s.log.appendGate = wg.promise;
  const add = s.c.addPartitions({ transactionalId: 'a', producerId: 1000, producerEpoch: 0, partitions: [tp('t', 0)] });
  s.c.setLeadership(new Map());
  wg.open();
  assert.equal(await add, ErrorCode.NOT_COORDINATOR);
  assert.equal(s.c.describe('a').errorCode, ErrorCode.NOT_COORDINATOR);
  s.c.close();
  assert.equal(s.c.describe('a').errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
});

test('idle transactional ids expire with a tombstone after transactional.id.expiration.ms', async () => {
  const { c, clock, log } = await ready({ transactionalIdExpirationMs: 60_000, removeExpiredIntervalMs: 30_000 });
  c.startup();
  await init(c, 'idle');
  await init(c, 'busy');
  await c.addPartitions({ transactionalId: 'busy', producerId: 1001, producerEpoch: 0, partitions: [tp('t', 0)] });
  clock.advance(30_000);
  await flush();
  assert.equal(c.describe('idle').errorCode, ErrorCode.NONE);
  await until(() => c.describe('idle').errorCode === ErrorCode.TRANSACTIONAL_ID_NOT_FOUND, clock, 30_000);
  assert.equal(log.last('idle', c.partitionFor('idle')), null);
  assert.equal(c.stats().expiredTransactionalIds, 1);
  c.close();
});

test('DescribeTransactions and ListTransactions with state, producer id and duration filters', async () => {
  const { c, clock } = await ready();
  await init(c, 'a'); // 1000
  await init(c, 'b'); // 1001
  await c.addPartitions({
    transactionalId: 'a',
    producerId: 1000,
    producerEpoch: 0,
    partitions: [tp('t', 0), tp('u', 1)],
  });
  clock.advance(5_000);
  const d = c.describe('a');
  assert.equal(d.state, 'Ongoing');
  assert.equal(d.producerId, 1000);
  assert.equal(d.transactionTimeoutMs, 60_000);
  assert.equal(d.transactionStartTimeMs, clock.now() - 5_000);
  assert.deepEqual(d.topics, [
    { topic: 't', partitions: [0] },
    { topic: 'u', partitions: [1] },
  ]);
  assert.equal(c.describe('nope').errorCode, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
  const ids = (r: ReturnType<TransactionCoordinator['list']>) =>
    r.transactionStates.map((t) => t.transactionalId).sort();
  assert.deepEqual(ids(c.list({ stateFilters: [], producerIdFilters: [], durationFilterMs: -1 })), ['a', 'b']);
  const ongoing = c.list({ stateFilters: ['Ongoing', 'Bogus'], producerIdFilters: [], durationFilterMs: -1 });
  assert.deepEqual(ids(ongoing), ['a']);
  assert.deepEqual(ongoing.unknownStateFilters, ['Bogus']);
  assert.deepEqual(ids(c.list({ stateFilters: [], producerIdFilters: [1001], durationFilterMs: -1 })), ['b']);
  assert.deepEqual(ids(c.list({ stateFilters: ['Ongoing'], producerIdFilters: [], durationFilterMs: 4_000 })), ['a']);
  assert.deepEqual(ids(c.list({ stateFilters: ['Ongoing'], producerIdFilters: [], durationFilterMs: 6_000 })), []);
});

test('metrics show open transactions and the commit and abort totals', async () => {
  const { c } = await ready();
  const registry = new Registry();
  registerTxnMetrics(registry, c);
  await init(c, 'a');
  await c.addPartitions({ transactionalId: 'a', producerId: 1000, producerEpoch: 0, partitions: [tp('t', 0)] });
  assert.match(await registry.metrics(), /raftka_transactions_open 1/);
  await c.endTxn({ transactionalId: 'a', producerId: 1000, producerEpoch: 0, committed: true });
  await until(() => c.describe('a').state === 'CompleteCommit');
  const text = await registry.metrics();
  assert.match(text, /raftka_transactions_open 0/);
  assert.match(text, /raftka_transactions_committed_total 1/);
  assert.match(text, /raftka_transactions_aborted_total 0/);
});
