// Transactional offset commits in the group coordinator (Kafka's TxnOffsetCommit semantics): the
// offsets are written as one transactional batch and stay pending, invisible to OffsetFetch,
// until the producer's COMMIT marker makes them committed (later in the log wins) or its ABORT
// marker drops them; loading holds them until their marker too; requireStable fetches answer
// UNSTABLE_OFFSET_COMMIT meanwhile; a given generation/member is checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { ErrorCode } from '../../src/common/errors.js';
import { ManualClock } from '../../src/broker/group/clock.js';
import type { TxnOffsetCommitRequest } from '../../src/broker/group/coordinator-types.js';
import { GroupCoordinator } from '../../src/broker/group/group-coordinator.js';
import { decodeKey, decodeOffsetValue } from '../../src/broker/group/offsets-records.js';
import { MemoryOffsetsLog, testConsumerOptions } from './group-memory-log.js';

const partitionCount = 4;

function setup(log = new MemoryOffsetsLog()): { c: GroupCoordinator; log: MemoryOffsetsLog; clock: ManualClock } {
  const clock = new ManualClock();
  const c = new GroupCoordinator({
    log,
    clock,
    logger: pino({ level: 'silent' }),
    partitionCount,
    initialRebalanceDelayMs: 0,
    minSessionTimeoutMs: 1000,
    maxSessionTimeoutMs: 60_000,
    maxGroupSize: 1000,
    offsetMetadataMaxBytes: 16,
    offsetsRetentionMs: 3_600_000,
    partitionExists: (topic, partition) => topic !== 'missing' && partition < 6,
    subscribedTopics: (type, md) => (type === 'consumer' ? new Set(md.toString().split(',')) : null),
    consumer: testConsumerOptions(),
  });
  return { c, log, clock };
}

function leadAll(c: GroupCoordinator): void {
  c.setLeadership(new Map(Array.from({ length: partitionCount }, (_, p) => [p, 1])));
}

async function waitLoaded(c: GroupCoordinator): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (c.listGroups([]).errorCode === ErrorCode.NONE) return;
    await new Promise<void>((r) => setImmediate(r));
  }
  assert.fail('partitions did not load');
}

async function lead(c: GroupCoordinator): Promise<void> {
  leadAll(c);
  await waitLoaded(c);
}

function txnReq(
  groupId: string,
  producerId: number,
  offsets: readonly [topic: string, partition: number, offset: number][],
  extra: Partial<TxnOffsetCommitRequest> = {},
): TxnOffsetCommitRequest {
  const topics = [...new Set(offsets.map(([t]) => t))].map((name) => ({
    name,
    partitions: offsets
      .filter(([t]) => t === name)
      .map(([, partition, committedOffset]) => ({
        partition,
        committedOffset,
        committedLeaderEpoch: 4,
        committedMetadata: `m${committedOffset}`,
      })),
  }));
  return {
    transactionalId: `tx-${producerId}`,
    groupId,
    producerId,
    producerEpoch: 2,
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
    topics,
    ...extra,
  };
}

/** The error codes of an answer, in request order. */
function codes(r: Awaited<ReturnType<GroupCoordinator['txnOffsetCommit']>>): number[] {
  return r.topics.flatMap((t) => t.partitions.map((p) => p.errorCode));
}

/** Committed offset of one partition (-1: none), as OffsetFetch without requireStable answers. */
function committed(c: GroupCoordinator, groupId: string, topic: string, partition: number): number {
  const r = c.fetchOffsets(groupId, [{ topic, partition }]);
  assert.equal(r.errorCode, ErrorCode.NONE);
  return r.offsets[0]!.offset;
}

/** The marker lands in the group's offsets partition; the coordinator is told, as the broker will. */
function marker(
  c: GroupCoordinator,
  log: MemoryOffsetsLog,
  groupId: string,
  producerId: number,
  commit: boolean,
): void {
  const p = c.partitionFor(groupId);
  log.appendMarker(p, producerId, commit);
  c.completeTransaction(p, producerId, commit);
}

test('transactional offsets are invisible until the COMMIT marker, then committed; written as one transactional batch', async () => {
  const { c, log } = setup();
  await lead(c);
  const r = await c.txnOffsetCommit(
    txnReq('g', 7, [
      ['t', 0, 100],
      ['t', 1, 200],
      ['u', 0, 300],
    ]),
  );
  assert.deepEqual(r, {
    topics: [
      {
        name: 't',
        partitions: [
          { partition: 0, errorCode: ErrorCode.NONE },
          { partition: 1, errorCode: ErrorCode.NONE },
        ],
      },
      { name: 'u', partitions: [{ partition: 0, errorCode: ErrorCode.NONE }] },
    ],
  });
  const batches = log.txnBatchesOf(c.partitionFor('g'));
  assert.equal(batches.length, 1, 'one batch for the whole commit');
  assert.deepEqual(batches[0]!.producer, { producerId: 7, producerEpoch: 2 });
  assert.deepEqual(
    batches[0]!.records.map((rec) => {
      const k = decodeKey(rec.key);
      const v = decodeOffsetValue(rec.value!);
      return [k.kind === 'offset' ? `${k.group}/${k.topic}/${k.partition}` : '?', v.offset, v.leaderEpoch, v.metadata];
    }),
    [
      ['g/t/0', 100, 4, 'm100'],
      ['g/t/1', 200, 4, 'm200'],
      ['g/u/0', 300, 4, 'm300'],
    ],
    "Kafka's offset commit key/value layout",
  );
  assert.equal(committed(c, 'g', 't', 0), -1, 'pending: not visible');
  assert.deepEqual(c.fetchOffsets('g', null).offsets, [], 'not listed among all offsets either');

  marker(c, log, 'g', 7, true);
  assert.equal(committed(c, 'g', 't', 0), 100);
  assert.equal(committed(c, 'g', 't', 1), 200);
  assert.deepEqual(c.fetchOffsets('g', [{ topic: 'u', partition: 0 }]).offsets, [
    { topic: 'u', partition: 0, offset: 300, leaderEpoch: 4, metadata: 'm300', errorCode: ErrorCode.NONE },
  ]);
  assert.equal(c.fetchOffsets('g', null).offsets.length, 3);
});

test('an ABORT marker drops the pending offsets; other producers and groups are not touched', async () => {
  const { c, log } = setup();
  await lead(c);
  assert.deepEqual(codes(await c.txnOffsetCommit(txnReq('g', 7, [['t', 0, 100]]))), [ErrorCode.NONE]);
  assert.deepEqual(codes(await c.txnOffsetCommit(txnReq('g', 8, [['t', 1, 50]]))), [ErrorCode.NONE]);
  marker(c, log, 'g', 7, false);
  assert.equal(committed(c, 'g', 't', 0), -1, 'aborted: dropped');
  assert.equal(
    c.fetchOffsets('g', [{ topic: 't', partition: 0 }], true).offsets[0]!.errorCode,
    ErrorCode.NONE,
    'nothing pending any more',
  );
  assert.equal(
    c.fetchOffsets('g', [{ topic: 't', partition: 1 }], true).offsets[0]!.errorCode,
    ErrorCode.UNSTABLE_OFFSET_COMMIT,
    "producer 8's transaction is still open",
  );
  marker(c, log, 'g', 8, true);
  assert.equal(committed(c, 'g', 't', 1), 50);
  // A marker for a producer with nothing pending, or for a partition not served here, does nothing.
  marker(c, log, 'g', 99, true);
  c.completeTransaction(partitionCount + 5, 8, true);
  assert.equal(committed(c, 'g', 't', 1), 50);
});

test('interleaving with plain commits: the commit later in the log wins when the marker lands', async () => {
  const { c, log } = setup();
  await lead(c);
  const plain = (partition: number, offset: number): Promise<number[]> =>
    c.commitOffsets({
      groupId: 'g',
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      offsets: [{ topic: 't', partition, offset, leaderEpoch: -1, metadata: null }],
    });
  // t-0: plain commit, then the transaction's: the transaction's is later.
  assert.deepEqual(await plain(0, 10), [ErrorCode.NONE]);
  // t-1: the transaction's, then a plain commit: the plain one is later and stays.
  assert.deepEqual(
    codes(
      await c.txnOffsetCommit(
        txnReq('g', 7, [
          ['t', 0, 100],
          ['t', 1, 100],
        ]),
      ),
    ),
    [ErrorCode.NONE, ErrorCode.NONE],
  );
  assert.deepEqual(await plain(1, 20), [ErrorCode.NONE]);
  assert.equal(committed(c, 'g', 't', 0), 10, 'the plain commit is visible; the transactional one is not');
  assert.equal(committed(c, 'g', 't', 1), 20);
  marker(c, log, 'g', 7, true);
  assert.equal(committed(c, 'g', 't', 0), 100, 'the transaction committed after the plain commit: it wins');
  assert.equal(committed(c, 'g', 't', 1), 20, 'the plain commit was written after the transactional one: it stays');
  // A plain commit after the marker replaces the transaction's offset as usual.
  assert.deepEqual(await plain(0, 150), [ErrorCode.NONE]);
  assert.equal(committed(c, 'g', 't', 0), 150);

  // The same rules after a failover: a new coordinator loading this log answers the same.
  const second = setup(log);
  await lead(second.c);
  assert.equal(committed(second.c, 'g', 't', 0), 150);
  assert.equal(committed(second.c, 'g', 't', 1), 20);
});

test('loading holds transactional offsets until their marker: committed applied, aborted dropped, open pending', async () => {
  const { c, log } = setup();
  await lead(c);
  const plain = {
    groupId: 'g',
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
    offsets: [{ topic: 't', partition: 0, offset: 5, leaderEpoch: -1, metadata: null }],
  };
  assert.deepEqual(await c.commitOffsets(plain), [ErrorCode.NONE]);
  await c.txnOffsetCommit(txnReq('g', 1, [['t', 1, 11]])); // committed below
  await c.txnOffsetCommit(txnReq('g', 2, [['t', 2, 22]])); // aborted below
  await c.txnOffsetCommit(txnReq('g', 3, [['t', 3, 33]])); // open
  await c.txnOffsetCommit(txnReq('only-pending', 3, [['t', 0, 44]])); // a group with nothing but an open transaction
  marker(c, log, 'g', 1, true);
  marker(c, log, 'g', 2, false);
  // Producer 1 starts a second transaction after its first committed: still open.
  await c.txnOffsetCommit(txnReq('g', 1, [['t', 1, 12]]));

  const second = setup(log);
  await lead(second.c);
  const s = second.c;
  assert.equal(committed(s, 'g', 't', 0), 5);
  assert.equal(committed(s, 'g', 't', 1), 11, "producer 1's committed transaction, not its open one");
  assert.equal(committed(s, 'g', 't', 2), -1, 'aborted');
  assert.equal(committed(s, 'g', 't', 3), -1, 'open');
  const stable = (group: string, partition: number): number =>
    s.fetchOffsets(group, [{ topic: 't', partition }], true).offsets[0]!.errorCode;
  assert.equal(stable('g', 0), ErrorCode.NONE);
  assert.equal(stable('g', 1), ErrorCode.UNSTABLE_OFFSET_COMMIT);
  assert.equal(stable('g', 2), ErrorCode.NONE);
  assert.equal(stable('g', 3), ErrorCode.UNSTABLE_OFFSET_COMMIT);
  assert.equal(
    stable('only-pending', 0),
    ErrorCode.UNSTABLE_OFFSET_COMMIT,
    'the group was loaded for its open transaction',
  );

  // The open transactions' markers come later and complete them on the new coordinator.
  marker(s, log, 'g', 3, true);
  marker(s, log, 'g', 1, false);
  marker(s, log, 'only-pending', 3, true);
  assert.equal(committed(s, 'g', 't', 3), 33);
  assert.equal(committed(s, 'g', 't', 1), 11, "producer 1's second transaction aborted");
  assert.equal(committed(s, 'only-pending', 't', 0), 44);
  assert.equal(stable('g', 1), ErrorCode.NONE);
});

test('a marker that lands while the partition loads is applied once the load is done', async () => {
  const { c, log } = setup();
  await lead(c);
  await c.txnOffsetCommit(txnReq('g', 1, [['t', 0, 10]]));
  await c.txnOffsetCommit(txnReq('g', 2, [['t', 1, 20]]));
  const second = setup(log);
  let open!: () => void;
  log.loadGate = new Promise<void>((r) => (open = r));
  leadAll(second.c);
  assert.equal(second.c.fetchOffsets('g', null).errorCode, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
  assert.deepEqual(codes(await second.c.txnOffsetCommit(txnReq('g', 3, [['t', 2, 30]]))), [
    ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ]);
  // Markers the load does not read (they land after the end it reads to): the broker tells the
  // coordinator while it is still loading.
  second.c.completeTransaction(second.c.partitionFor('g'), 1, true);
  second.c.completeTransaction(second.c.partitionFor('g'), 2, false);
  open();
  await waitLoaded(second.c);
  assert.equal(committed(second.c, 'g', 't', 0), 10);
  assert.equal(committed(second.c, 'g', 't', 1), -1);
  assert.equal(
    second.c.fetchOffsets('g', [{ topic: 't', partition: 1 }], true).offsets[0]!.errorCode,
    ErrorCode.NONE,
    'the aborted one is not pending either',
  );
});

test('requireStable: UNSTABLE_OFFSET_COMMIT for a partition with a pending transactional commit, from before its write ends', async () => {
  const { c, log } = setup();
  await lead(c);
  await c.commitOffsets({
    groupId: 'g',
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
    offsets: [{ topic: 't', partition: 0, offset: 5, leaderEpoch: -1, metadata: null }],
  });
  let release!: () => void;
  log.commitGate = new Promise<void>((r) => (release = r));
  const writing = c.txnOffsetCommit(txnReq('g', 7, [['t', 0, 100]]));
  const fetch = (requireStable: boolean) => c.fetchOffsets('g', [{ topic: 't', partition: 0 }], requireStable);
  assert.deepEqual(fetch(true).offsets, [
    {
      topic: 't',
      partition: 0,
      offset: -1,
      leaderEpoch: -1,
      metadata: '',
      errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT,
    },
  ]);
  release();
  log.commitGate = null;
  assert.deepEqual(codes(await writing), [ErrorCode.NONE]);
  assert.equal(fetch(true).offsets[0]!.errorCode, ErrorCode.UNSTABLE_OFFSET_COMMIT);
  assert.equal(fetch(false).offsets[0]!.offset, 5, 'without requireStable: the last committed offset');
  assert.deepEqual(
    c.fetchOffsets('g', null, true).offsets.map((o) => [o.offset, o.errorCode]),
    [[5, ErrorCode.NONE]],
    'all offsets (no partitions named): Kafka does not check stability',
  );
  assert.equal(
    c.fetchOffsets('g', [{ topic: 't', partition: 1 }], true).offsets[0]!.errorCode,
    ErrorCode.NONE,
    'other partitions are stable',
  );
  marker(c, log, 'g', 7, true);
  assert.deepEqual(fetch(true).offsets, [
    { topic: 't', partition: 0, offset: 100, leaderEpoch: 4, metadata: 'm100', errorCode: ErrorCode.NONE },
  ]);
});

test('an ABORT marker while the write is in flight leaves nothing pending once the write ends', async () => {
  const { c, log } = setup();
  await lead(c);
  let release!: () => void;
  log.commitGate = new Promise<void>((r) => (release = r));
  const writing = c.txnOffsetCommit(txnReq('g', 7, [['t', 0, 100]]));
  marker(c, log, 'g', 7, false);
  release();
  log.commitGate = null;
  assert.deepEqual(codes(await writing), [ErrorCode.NONE]);
  const r = c.fetchOffsets('g', [{ topic: 't', partition: 0 }], true).offsets[0]!;
  assert.equal(r.errorCode, ErrorCode.NONE);
  assert.equal(r.offset, -1);
});

test('generation checks: a given generation, member or instance id must match the group', async () => {
  const { c } = setup();
  await lead(c);
  const first = await c.join({
    groupId: 'g',
    memberId: '',
    groupInstanceId: 'inst',
    clientId: 'c',
    clientHost: '/127.0.0.1',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 30_000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.from('t') }],
    requireKnownMemberId: true,
  });
  assert.equal(first.errorCode, ErrorCode.NONE);
  const member = first.memberId;
  const generation = first.generationId;
  const sync = await c.sync({
    groupId: 'g',
    generationId: generation,
    memberId: member,
    groupInstanceId: 'inst',
    protocolType: 'consumer',
    protocolName: 'range',
    assignments: [{ memberId: member, assignment: Buffer.from('a') }],
  });
  assert.equal(sync.errorCode, ErrorCode.NONE);
  const attempt = async (extra: Partial<TxnOffsetCommitRequest>): Promise<number[]> =>
    codes(await c.txnOffsetCommit(txnReq('g', 7, [['t', 0, 1]], extra)));
  assert.deepEqual(await attempt({ generationId: generation + 1, memberId: member, groupInstanceId: 'inst' }), [
    ErrorCode.ILLEGAL_GENERATION,
  ]);
  assert.deepEqual(await attempt({ generationId: generation, memberId: 'nobody' }), [ErrorCode.UNKNOWN_MEMBER_ID]);
  assert.deepEqual(await attempt({ generationId: generation, memberId: 'nobody', groupInstanceId: 'inst' }), [
    ErrorCode.FENCED_INSTANCE_ID,
  ]);
  assert.deepEqual(await attempt({ generationId: generation, memberId: member, groupInstanceId: 'inst' }), [
    ErrorCode.NONE,
  ]);
  assert.deepEqual(await attempt({}), [ErrorCode.NONE], 'no generation given (TxnOffsetCommit v0-2): not checked');
  assert.deepEqual(
    codes(await c.txnOffsetCommit(txnReq('unknown-group', 7, [['t', 0, 1]], { generationId: 3, memberId: 'm' }))),
    [ErrorCode.UNKNOWN_MEMBER_ID],
    'a group not known here has no members',
  );
  assert.equal(c.describeGroup('unknown-group').state, 'Dead', 'and is not created by the failed commit');
});

test('per-partition errors, coordinator errors, and a failed write leaves nothing pending', async () => {
  const { c, log } = setup();
  assert.deepEqual(codes(await c.txnOffsetCommit(txnReq('g', 7, [['t', 0, 1]]))), [ErrorCode.NOT_COORDINATOR]);
  await lead(c);
  const req = txnReq('g', 7, [
    ['t', 0, 1],
    ['missing', 0, 2],
    ['t', 9, 3],
  ]);
  const tooLarge: TxnOffsetCommitRequest = {
    ...req,
    topics: [
      ...req.topics,
      {
        name: 'u',
        partitions: [{ partition: 0, committedOffset: 4, committedLeaderEpoch: -1, committedMetadata: 'x'.repeat(17) }],
      },
    ],
  };
  assert.deepEqual(codes(await c.txnOffsetCommit(tooLarge)), [
    ErrorCode.NONE,
    ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ErrorCode.OFFSET_METADATA_TOO_LARGE,
  ]);
  assert.equal(log.txnBatchesOf(c.partitionFor('g'))[0]!.records.length, 1, 'only the valid partition is written');

  log.failWith = ErrorCode.NOT_ENOUGH_REPLICAS;
  assert.deepEqual(codes(await c.txnOffsetCommit(txnReq('g', 8, [['t', 1, 1]]))), [
    ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ]);
  log.failWith = ErrorCode.NONE;
  assert.equal(
    c.fetchOffsets('g', [{ topic: 't', partition: 1 }], true).offsets[0]!.errorCode,
    ErrorCode.NONE,
    'the failed commit is not pending',
  );
  marker(c, log, 'g', 8, true);
  assert.equal(committed(c, 'g', 't', 1), -1, 'and a later marker does not make it visible');
  c.setLeadership(new Map());
  assert.deepEqual(codes(await c.txnOffsetCommit(txnReq('g', 7, [['t', 0, 1]]))), [ErrorCode.NOT_COORDINATOR]);
});

test('expiry keeps a group whose only offsets are in an open transaction', async () => {
  const { c, log, clock } = setup();
  await lead(c);
  await c.txnOffsetCommit(txnReq('g', 7, [['t', 0, 1]]));
  clock.advance(3_600_000 * 2);
  assert.equal(await c.expireOffsets(), 0);
  assert.notEqual(c.describeGroup('g').state, 'Dead');
  marker(c, log, 'g', 7, true);
  assert.equal(committed(c, 'g', 't', 0), 1);
});
