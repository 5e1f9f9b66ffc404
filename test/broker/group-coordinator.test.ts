// The group coordinator's protocol logic on a manual clock and an in-memory offsets log: the
// classic rebalance (KIP-394 member ids, leader assignment, generation fencing), session and
// rebalance timeouts, the initial delay, static membership (KIP-345), offset commits and their
// reload after a failover, retention, and the admin operations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { ErrorCode } from '../../src/common/errors.js';
import { ManualClock } from '../../src/broker/group/clock.js';
import type { GroupCoordinatorOptions, JoinRequest } from '../../src/broker/group/coordinator-types.js';
import { GroupCoordinator } from '../../src/broker/group/group-coordinator.js';
import { registerGroupMetrics } from '../../src/broker/group/group-metrics.js';
import { Registry } from 'prom-client';
import { MemoryOffsetsLog, testConsumerOptions } from './group-memory-log.js';
import type { JoinResult } from '../../src/broker/group/group.js';
import {
  decodeGroupValue,
  decodeKey,
  decodeOffsetValue,
  groupKey,
  groupValue,
  offsetKey,
  offsetValue,
  partitionForGroup,
} from '../../src/broker/group/offsets-records.js';

const logger = pino({ level: 'silent' });

const partitions = 4;

function setup(overrides: Partial<GroupCoordinatorOptions> = {}): {
  c: GroupCoordinator;
  clock: ManualClock;
  log: MemoryOffsetsLog;
} {
  const clock = new ManualClock();
  const log = (overrides.log as MemoryOffsetsLog | undefined) ?? new MemoryOffsetsLog();
  const c = new GroupCoordinator({
    log,
    clock,
    logger,
    partitionCount: partitions,
    initialRebalanceDelayMs: 0,
    minSessionTimeoutMs: 1000,
    maxSessionTimeoutMs: 60_000,
    maxGroupSize: 1000,
    offsetMetadataMaxBytes: 64,
    offsetsRetentionMs: 3_600_000,
    partitionExists: (topic, partition) => topic !== 'missing' && partition < 6,
    // Tests encode a subscription as the comma-separated topic names.
    subscribedTopics: (type, md) => (type === 'consumer' ? new Set(md.toString().split(',')) : null),
    consumer: testConsumerOptions(),
    ...overrides,
  });
  return { c, clock, log };
}

async function lead(c: GroupCoordinator): Promise<void> {
  c.setLeadership(new Map(Array.from({ length: partitions }, (_, p) => [p, 1])));
  await waitLoaded(c);
}

async function waitLoaded(c: GroupCoordinator): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (c.listGroups([]).errorCode === ErrorCode.NONE) return;
    await new Promise<void>((r) => setImmediate(r));
  }
  assert.fail('partitions did not load');
}

function joinReq(groupId: string, memberId: string, extra: Partial<JoinRequest> = {}): JoinRequest {
  return {
    groupId,
    memberId,
    groupInstanceId: null,
    clientId: 'c',
    clientHost: '/127.0.0.1',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 30_000,
    protocolType: 'consumer',
    protocols: [
      { name: 'range', metadata: Buffer.from('t') },
      { name: 'roundrobin', metadata: Buffer.from('t') },
    ],
    requireKnownMemberId: true,
    ...extra,
  };
}

/** KIP-394: a first join gets an id with MEMBER_ID_REQUIRED; the second join uses it. */
async function newMemberId(c: GroupCoordinator, groupId: string, extra: Partial<JoinRequest> = {}): Promise<string> {
  const first = await c.join(joinReq(groupId, '', extra));
  assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  assert.ok(first.memberId.startsWith('c-'));
  return first.memberId;
}

/** n members join and sync; the leader assigns `assign(memberId)`. */
async function stableGroup(
  c: GroupCoordinator,
  groupId: string,
  n: number,
): Promise<{ ids: string[]; generation: number; leader: string }> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(await newMemberId(c, groupId));
  const joins = await Promise.all(ids.map((id) => c.join(joinReq(groupId, id))));
  const generation = joins[0]!.generationId;
  const leader = joins[0]!.leader;
  for (const j of joins) {
    assert.equal(j.errorCode, ErrorCode.NONE);
    assert.equal(j.generationId, generation);
    assert.equal(j.leader, leader);
    assert.equal(j.protocolName, 'range');
  }
  const leaderJoin = joins.find((j) => j.memberId === leader)!;
  assert.deepEqual(leaderJoin.members.map((m) => m.memberId).sort(), [...ids].sort(), 'the leader learns every member');
  assert.ok(
    joins.filter((j) => j.memberId !== leader).every((j) => j.members.length === 0),
    'followers learn no members',
  );
  const syncs = await Promise.all(
    ids.map((id) =>
      c.sync({
        groupId,
        generationId: generation,
        memberId: id,
        groupInstanceId: null,
        protocolType: null,
        protocolName: null,
        assignments: id === leader ? ids.map((m) => ({ memberId: m, assignment: Buffer.from(`for ${m}`) })) : [],
      }),
    ),
  );
  syncs.forEach((s, i) => {
    assert.equal(s.errorCode, ErrorCode.NONE);
    assert.equal(s.assignment.toString(), `for ${ids[i]}`, 'each member gets what the leader assigned it');
  });
  return { ids, generation, leader };
}

test('__consumer_offsets records use Kafka layouts and the group partition is Java hashCode based', () => {
  // OffsetCommitKey v1: int16 1, "g", "t", int32 3.
  assert.deepEqual(offsetKey('g', 't', 3), Buffer.from([0, 1, 0, 1, 0x67, 0, 1, 0x74, 0, 0, 0, 3]));
  assert.deepEqual(groupKey('g'), Buffer.from([0, 2, 0, 1, 0x67]));
  assert.deepEqual(decodeKey(offsetKey('grp', 'topic', 7)), {
    kind: 'offset',
    group: 'grp',
    topic: 'topic',
    partition: 7,
  });
  assert.deepEqual(decodeKey(groupKey('grp')), { kind: 'group', group: 'grp' });
  // OffsetCommitValue v3: offset, leader epoch, metadata, commit timestamp.
  const v = offsetValue({ offset: 42, leaderEpoch: 5, metadata: 'm', commitTimestamp: 1000 });
  assert.deepEqual(
    v,
    Buffer.from([0, 3, 0, 0, 0, 0, 0, 0, 0, 42, 0, 0, 0, 5, 0, 1, 0x6d, 0, 0, 0, 0, 0, 0, 0x03, 0xe8]),
  );
  assert.deepEqual(decodeOffsetValue(v), {
    offset: 42,
    leaderEpoch: 5,
    metadata: 'm',
    commitTimestamp: 1000,
    expireTimestamp: -1,
  });
  // v1 (written by Kafka 0.10-2.0) has an expire timestamp and no leader epoch.
  const v1 = Buffer.from([0, 1, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2]);
  assert.deepEqual(decodeOffsetValue(v1), {
    offset: 9,
    leaderEpoch: -1,
    metadata: '',
    commitTimestamp: 1,
    expireTimestamp: 2,
  });
  const g = {
    protocolType: 'consumer',
    generation: 3,
    protocol: 'range',
    leader: 'm1',
    currentStateTimestamp: 77,
    members: [
      {
        memberId: 'm1',
        groupInstanceId: 'i1',
        clientId: 'c',
        clientHost: '/h',
        rebalanceTimeout: 300,
        sessionTimeout: 100,
        subscription: Buffer.from('s'),
        assignment: Buffer.from('a'),
      },
    ],
  };
  assert.deepEqual(decodeGroupValue(groupValue(g)), g);
  // Java: "".hashCode()=0, "hello".hashCode()=99162322, "polygenelubricants".hashCode()=Integer.MIN_VALUE (abs → 0).
  assert.equal(partitionForGroup('', 50), 0);
  assert.equal(partitionForGroup('hello', 50), 99162322 % 50);
  assert.equal(partitionForGroup('polygenelubricants', 50), 0);
  assert.equal(partitionForGroup('Aa', 50), partitionForGroup('BB', 50), 'equal Java hashes share a partition');
});

test('three members join, the leader assigns, everyone gets its assignment; the group record is written', async () => {
  const { c, log } = setup();
  await lead(c);
  const { ids, generation, leader } = await stableGroup(c, 'g1', 3);
  assert.equal(generation, 1);
  const d = c.describeGroup('g1');
  assert.equal(d.state, 'Stable');
  assert.equal(d.protocolData, 'range');
  assert.deepEqual(d.members.map((m) => m.memberId).sort(), [...ids].sort());
  const stored = log.recordsOf(c.partitionFor('g1')).filter((r) => decodeKey(r.key).kind === 'group');
  const last = decodeGroupValue(stored.at(-1)!.value!);
  assert.equal(last.generation, 1);
  assert.equal(last.leader, leader);
  assert.equal(last.members.length, 3);
  assert.ok(last.members.every((m) => m.assignment.toString() === `for ${m.memberId}`));
  for (const id of ids)
    assert.equal(c.heartbeat({ groupId: 'g1', generationId: 1, memberId: id, groupInstanceId: null }), ErrorCode.NONE);
  assert.equal(
    c.heartbeat({ groupId: 'g1', generationId: 0, memberId: ids[0]!, groupInstanceId: null }),
    ErrorCode.ILLEGAL_GENERATION,
  );
  assert.equal(
    c.heartbeat({ groupId: 'g1', generationId: 1, memberId: 'nobody', groupInstanceId: null }),
    ErrorCode.UNKNOWN_MEMBER_ID,
  );
});

test('a member leaving makes the rest rebalance into the next generation', async () => {
  const { c } = setup();
  await lead(c);
  const { ids } = await stableGroup(c, 'g', 3);
  const left = c.leave('g', [{ memberId: ids[2]!, groupInstanceId: null }]);
  assert.deepEqual(
    left.members.map((m) => m.errorCode),
    [ErrorCode.NONE],
  );
  for (const id of ids.slice(0, 2))
    assert.equal(
      c.heartbeat({ groupId: 'g', generationId: 1, memberId: id, groupInstanceId: null }),
      ErrorCode.REBALANCE_IN_PROGRESS,
    );
  // A commit from the old generation is still accepted while the group prepares to rebalance.
  assert.deepEqual(
    await c.commitOffsets({
      groupId: 'g',
      generationId: 1,
      memberId: ids[0]!,
      groupInstanceId: null,
      offsets: [{ topic: 't', partition: 0, offset: 5, leaderEpoch: -1, metadata: null }],
    }),
    [ErrorCode.NONE],
  );
  const joins = await Promise.all(ids.slice(0, 2).map((id) => c.join(joinReq('g', id))));
  assert.ok(joins.every((j) => j.errorCode === ErrorCode.NONE && j.generationId === 2));
  assert.equal(c.describeGroup('g').state, 'CompletingRebalance');
  assert.deepEqual(
    await c.commitOffsets({
      groupId: 'g',
      generationId: 2,
      memberId: ids[0]!,
      groupInstanceId: null,
      offsets: [{ topic: 't', partition: 0, offset: 6, leaderEpoch: -1, metadata: null }],
    }),
    [ErrorCode.REBALANCE_IN_PROGRESS],
  );
  assert.equal(
    c.heartbeat({ groupId: 'g', generationId: 1, memberId: ids[2]!, groupInstanceId: null }),
    ErrorCode.UNKNOWN_MEMBER_ID,
  );
});

test('/metrics: groups by state, committed offsets held, rebalances started and completed', async () => {
  const { c } = setup();
  await lead(c);
  const registry = new Registry();
  registerGroupMetrics(registry, c, async () => new Map());
  const scrape = async (): Promise<string> => registry.metrics();
  assert.match(await scrape(), /^raftka_groups\{state="Stable"\} 0$/m);
  const { ids } = await stableGroup(c, 'g', 3);
  await stableGroup(c, 'h', 1);
  assert.deepEqual(c.rebalances, { started: 2, completed: 2 });
  await c.commitOffsets({
    groupId: 'g',
    generationId: 1,
    memberId: ids[0]!,
    groupInstanceId: null,
    offsets: [
      { topic: 't', partition: 0, offset: 5, leaderEpoch: -1, metadata: null },
      { topic: 't', partition: 1, offset: 7, leaderEpoch: -1, metadata: null },
    ],
  });
  c.leave('g', [{ memberId: ids[2]!, groupInstanceId: null }]);
  let text = await scrape();
  assert.match(text, /^raftka_groups\{state="Stable"\} 1$/m);
  assert.match(text, /^raftka_groups\{state="PreparingRebalance"\} 1$/m);
  assert.match(text, /^raftka_groups\{state="Empty"\} 0$/m);
  assert.match(text, /^raftka_group_offsets 2$/m);
  assert.match(text, /^raftka_group_rebalances_total 3$/m);
  assert.match(text, /^raftka_group_completed_rebalances_total 2$/m);
  await Promise.all(ids.slice(0, 2).map((id) => c.join(joinReq('g', id))));
  text = await scrape();
  assert.match(text, /^raftka_groups\{state="CompletingRebalance"\} 1$/m);
  assert.match(text, /^raftka_group_completed_rebalances_total 2$/m, 'completed only once the assignment is stored');
});

test('a member whose session expires is removed; one that does not rejoin in time is dropped at the rebalance timeout', async () => {
  const { c, clock } = setup();
  await lead(c);
  const { ids } = await stableGroup(c, 'g', 3);
  // ids[0] and ids[1] heartbeat; ids[2] goes silent.
  for (let t = 0; t < 12; t++) {
    clock.advance(1000);
    for (const id of ids.slice(0, 2))
      c.heartbeat({ groupId: 'g', generationId: 1, memberId: id, groupInstanceId: null });
  }
  assert.equal(c.describeGroup('g').state, 'PreparingRebalance');
  assert.equal(c.describeGroup('g').members.length, 2);
  // Only ids[0] rejoins; ids[1] keeps heartbeating but never rejoins: the rebalance timeout drops it.
  const pending = c.join(joinReq('g', ids[0]!));
  clock.advance(30_000);
  const j = await pending;
  assert.equal(j.errorCode, ErrorCode.NONE);
  assert.equal(j.generationId, 2);
  assert.deepEqual(
    j.members.map((m) => m.memberId),
    [ids[0]],
  );
});

test('the initial rebalance delay gathers members that arrive close together into one generation', async () => {
  const { c, clock } = setup({ initialRebalanceDelayMs: 3000 });
  await lead(c);
  const a = await newMemberId(c, 'g');
  const ja = c.join(joinReq('g', a));
  clock.advance(2000);
  const b = await newMemberId(c, 'g');
  const jb = c.join(joinReq('g', b));
  clock.advance(1500); // the first delay ends; b arrived during it, so one more delay runs
  assert.equal(c.describeGroup('g').state, 'PreparingRebalance');
  clock.advance(3000);
  const [ra, rb] = await Promise.all([ja, jb]);
  assert.equal(ra.generationId, 1);
  assert.equal(rb.generationId, 1);
  assert.equal(ra.leader, a);
  assert.equal(ra.members.length, 2);
});

test('a static member that restarts within its session timeout gets its assignment back without a rebalance', async () => {
  const { c, clock } = setup({ initialRebalanceDelayMs: 100 });
  await lead(c);
  const join = (memberId: string, instance: string): Promise<JoinResult> =>
    c.join(joinReq('g', memberId, { groupInstanceId: instance }));
  // Static members get their id at once (no MEMBER_ID_REQUIRED round).
  const joining = [join('', 'i1'), join('', 'i2')];
  clock.advance(200);
  const [j1, j2] = (await Promise.all(joining)) as [JoinResult, JoinResult];
  assert.ok(j1.memberId.startsWith('i1-') && j2.memberId.startsWith('i2-'));
  const leader = j1.leader;
  await Promise.all(
    [j1, j2].map((j) =>
      c.sync({
        groupId: 'g',
        generationId: 1,
        memberId: j.memberId,
        groupInstanceId: j.memberId.slice(0, 2),
        protocolType: 'consumer',
        protocolName: 'range',
        assignments:
          j.memberId === leader
            ? [
                { memberId: j1.memberId, assignment: Buffer.from('p0') },
                { memberId: j2.memberId, assignment: Buffer.from('p1') },
              ]
            : [],
      }),
    ),
  );
  assert.equal(c.describeGroup('g').state, 'Stable');
  // i2 restarts: it sends no LeaveGroup, and comes back without its member id.
  clock.advance(4000);
  c.heartbeat({ groupId: 'g', generationId: 1, memberId: j1.memberId, groupInstanceId: 'i1' });
  const again = await join('', 'i2');
  assert.equal(again.errorCode, ErrorCode.NONE);
  assert.equal(again.generationId, 1, 'same generation: no rebalance');
  assert.notEqual(again.memberId, j2.memberId);
  assert.equal(c.describeGroup('g').state, 'Stable');
  const s = await c.sync({
    groupId: 'g',
    generationId: 1,
    memberId: again.memberId,
    groupInstanceId: 'i2',
    protocolType: null,
    protocolName: null,
    assignments: [],
  });
  assert.equal(s.assignment.toString(), 'p1');
  // The old incarnation is fenced; the other member never noticed.
  assert.equal(
    c.heartbeat({ groupId: 'g', generationId: 1, memberId: j2.memberId, groupInstanceId: 'i2' }),
    ErrorCode.FENCED_INSTANCE_ID,
  );
  assert.equal(
    c.heartbeat({ groupId: 'g', generationId: 1, memberId: j1.memberId, groupInstanceId: 'i1' }),
    ErrorCode.NONE,
  );
  // A static member that stays away past its session timeout is removed and the group rebalances.
  clock.advance(11_000);
  assert.equal(
    c.heartbeat({ groupId: 'g', generationId: 1, memberId: j1.memberId, groupInstanceId: 'i1' }),
    ErrorCode.UNKNOWN_MEMBER_ID,
  );
});

test('committed offsets survive a coordinator failover: the new coordinator loads them from the log', async () => {
  const log = new MemoryOffsetsLog();
  const first = setup({ log });
  await lead(first.c);
  const { ids, generation } = await stableGroup(first.c, 'g', 2);
  const commit = (offset: number) =>
    first.c.commitOffsets({
      groupId: 'g',
      generationId: generation,
      memberId: ids[0]!,
      groupInstanceId: null,
      offsets: [
        { topic: 't', partition: 1, offset, leaderEpoch: 3, metadata: 'x' },
        { topic: 'missing', partition: 0, offset: 1, leaderEpoch: -1, metadata: null },
      ],
    });
  assert.deepEqual(await commit(10), [ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  assert.deepEqual(await commit(20), [ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  assert.deepEqual(
    await first.c.commitOffsets({
      groupId: 'g',
      generationId: generation + 1,
      memberId: ids[0]!,
      groupInstanceId: null,
      offsets: [{ topic: 't', partition: 1, offset: 99, leaderEpoch: -1, metadata: null }],
    }),
    [ErrorCode.ILLEGAL_GENERATION],
  );
  assert.deepEqual(
    await first.c.commitOffsets({
      groupId: 'g',
      generationId: generation,
      memberId: 'stranger',
      groupInstanceId: null,
      offsets: [{ topic: 't', partition: 1, offset: 99, leaderEpoch: -1, metadata: null }],
    }),
    [ErrorCode.UNKNOWN_MEMBER_ID],
  );
  assert.deepEqual(
    await first.c.commitOffsets({
      groupId: 'g',
      generationId: generation,
      memberId: ids[0]!,
      groupInstanceId: null,
      offsets: [{ topic: 't', partition: 1, offset: 99, leaderEpoch: -1, metadata: 'x'.repeat(65) }],
    }),
    [ErrorCode.OFFSET_METADATA_TOO_LARGE],
  );
  // Leadership moves away: the old coordinator stops answering for the group.
  first.c.setLeadership(new Map());
  assert.equal(first.c.fetchOffsets('g', null).errorCode, ErrorCode.NOT_COORDINATOR);
  // The new coordinator answers COORDINATOR_LOAD_IN_PROGRESS until it has replayed the partition.
  let open!: () => void;
  log.loadGate = new Promise<void>((r) => (open = r));
  const second = setup({ log });
  second.c.setLeadership(new Map([[second.c.partitionFor('g'), 2]]));
  assert.equal(second.c.fetchOffsets('g', null).errorCode, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
  assert.equal(
    second.c.heartbeat({ groupId: 'g', generationId: generation, memberId: ids[0]!, groupInstanceId: null }),
    ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  );
  open();
  await waitLoaded(second.c);
  assert.deepEqual(second.c.fetchOffsets('g', null), {
    errorCode: ErrorCode.NONE,
    offsets: [{ topic: 't', partition: 1, offset: 20, leaderEpoch: 3, metadata: 'x', errorCode: ErrorCode.NONE }],
  });
  assert.deepEqual(second.c.fetchOffsets('g', [{ topic: 't', partition: 2 }]).offsets, [
    { topic: 't', partition: 2, offset: -1, leaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE },
  ]);
  // The members and their generation came back too: they go on heartbeating.
  assert.equal(second.c.describeGroup('g').state, 'Stable');
  for (const id of ids)
    assert.equal(
      second.c.heartbeat({ groupId: 'g', generationId: generation, memberId: id, groupInstanceId: null }),
      ErrorCode.NONE,
    );
  // A group on a partition this coordinator does not lead is NOT_COORDINATOR.
  const elsewhere = ['a', 'b', 'c', 'd', 'e', 'f', 'h'].find(
    (id) => second.c.partitionFor(id) !== second.c.partitionFor('g'),
  )!;
  assert.equal(second.c.fetchOffsets(elsewhere, null).errorCode, ErrorCode.NOT_COORDINATOR);
});

test('pipelined commits acknowledged out of order leave the last one in the log as the committed offset', async () => {
  const { c, log } = setup();
  await lead(c);
  // Fifty commits of one partition, all in the log before any is acknowledged; the acknowledgements
  // then arrive last first (as appends waiting on the ISR may resume).
  const release = new Map<number, () => void>();
  log.commitGateFor = (baseOffset) => new Promise<void>((r) => release.set(baseOffset, r));
  const commits = Array.from({ length: 50 }, (_, i) =>
    c.commitOffsets({
      groupId: 'pipelined',
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      offsets: [{ topic: 't', partition: 0, offset: i + 1, leaderEpoch: -1, metadata: null }],
    }),
  );
  for (let i = 0; i < 100 && release.size < 50; i++) await new Promise<void>((r) => setImmediate(r));
  assert.equal(release.size, 50, 'every commit is in the log');
  for (const offset of [...release.keys()].sort((a, b) => b - a)) {
    release.get(offset)!();
    await new Promise<void>((r) => setImmediate(r));
  }
  assert.deepEqual(
    await Promise.all(commits),
    Array.from({ length: 50 }, () => [ErrorCode.NONE]),
  );
  const fetched = c.fetchOffsets('pipelined', [{ topic: 't', partition: 0 }]);
  assert.equal(fetched.offsets[0]?.offset, 50, 'the 50th commit, the last in the log, is the committed offset');
});

test('a failed append answers commits and assignments with the coordinator errors Kafka uses', async () => {
  const { c, log } = setup();
  await lead(c);
  log.failWith = ErrorCode.NOT_ENOUGH_REPLICAS;
  assert.deepEqual(
    await c.commitOffsets({
      groupId: 'simple',
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      offsets: [{ topic: 't', partition: 0, offset: 1, leaderEpoch: -1, metadata: null }],
    }),
    [ErrorCode.COORDINATOR_NOT_AVAILABLE],
  );
  log.failWith = ErrorCode.NOT_LEADER_OR_FOLLOWER;
  assert.deepEqual(
    await c.commitOffsets({
      groupId: 'simple',
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      offsets: [{ topic: 't', partition: 0, offset: 1, leaderEpoch: -1, metadata: null }],
    }),
    [ErrorCode.NOT_COORDINATOR],
  );
  assert.deepEqual(c.fetchOffsets('simple', null).offsets, [], 'nothing failed was remembered');
  log.failWith = ErrorCode.NONE;
  const a = await newMemberId(c, 'g');
  const j = await c.join(joinReq('g', a));
  log.failWith = ErrorCode.REQUEST_TIMED_OUT;
  const s = await c.sync({
    groupId: 'g',
    generationId: j.generationId,
    memberId: a,
    groupInstanceId: null,
    protocolType: null,
    protocolName: null,
    assignments: [{ memberId: a, assignment: Buffer.from('x') }],
  });
  assert.equal(s.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
  assert.equal(c.describeGroup('g').state, 'PreparingRebalance', 'the group rebalances again');
});

test('admin operations: list with state filter, delete only empty groups, delete offsets of unsubscribed topics', async () => {
  const { c } = setup();
  await lead(c);
  const { ids, generation } = await stableGroup(c, 'busy', 1);
  assert.deepEqual(
    await c.commitOffsets({
      groupId: 'busy',
      generationId: generation,
      memberId: ids[0]!,
      groupInstanceId: null,
      offsets: [
        { topic: 't', partition: 0, offset: 3, leaderEpoch: -1, metadata: null },
        { topic: 'old', partition: 0, offset: 4, leaderEpoch: -1, metadata: null },
      ],
    }),
    [ErrorCode.NONE, ErrorCode.NONE],
  );
  assert.deepEqual(
    await c.commitOffsets({
      groupId: 'idle',
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      offsets: [{ topic: 't', partition: 0, offset: 1, leaderEpoch: -1, metadata: null }],
    }),
    [ErrorCode.NONE],
  );
  assert.deepEqual(
    c
      .listGroups([])
      .groups.map((g) => `${g.groupId}:${g.state}`)
      .sort(),
    ['busy:Stable', 'idle:Empty'],
  );
  assert.deepEqual(
    c.listGroups(['stable']).groups.map((g) => g.groupId),
    ['busy'],
  );
  // The members subscribe to "t" (see subscribedTopics above): its offsets stay, "old" may go.
  const del = await c.deleteOffsets('busy', [
    { topic: 't', partition: 0 },
    { topic: 'old', partition: 0 },
  ]);
  assert.deepEqual(del, {
    errorCode: ErrorCode.NONE,
    partitions: [ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC, ErrorCode.NONE],
  });
  assert.deepEqual(
    c.fetchOffsets('busy', null).offsets.map((o) => o.topic),
    ['t'],
  );
  assert.equal(await c.deleteGroup('busy'), ErrorCode.NON_EMPTY_GROUP);
  assert.equal(await c.deleteGroup('nope'), ErrorCode.GROUP_ID_NOT_FOUND);
  c.leave('busy', [{ memberId: ids[0]!, groupInstanceId: null }]);
  assert.equal(c.describeGroup('busy').state, 'Empty');
  assert.equal(await c.deleteGroup('busy'), ErrorCode.NONE);
  assert.equal(c.describeGroup('busy').state, 'Dead');
  assert.deepEqual(c.fetchOffsets('busy', null).offsets, []);
  assert.equal(await c.deleteGroup('busy'), ErrorCode.GROUP_ID_NOT_FOUND);
});

test('offsets of an empty group expire after offsets.retention.minutes; the group goes with them', async () => {
  const { c, clock, log } = setup();
  await lead(c);
  assert.deepEqual(
    await c.commitOffsets({
      groupId: 'idle',
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      offsets: [{ topic: 't', partition: 0, offset: 1, leaderEpoch: -1, metadata: null }],
    }),
    [ErrorCode.NONE],
  );
  clock.advance(3_599_000);
  assert.equal(await c.expireOffsets(), 0);
  clock.advance(1000);
  assert.equal(await c.expireOffsets(), 1);
  assert.equal(c.describeGroup('idle').state, 'Dead');
  const tail = log.recordsOf(c.partitionFor('idle')).slice(-2);
  assert.deepEqual(
    tail.map((r) => [decodeKey(r.key).kind, r.value]),
    [
      ['offset', null],
      ['group', null],
    ],
    'tombstones for the offset and the group',
  );
  // A reload after the tombstones knows nothing of the group.
  const again = setup({ log });
  await lead(again.c);
  assert.equal(again.c.describeGroup('idle').state, 'Dead');
});

test('join validation: session timeout bounds, protocol compatibility, unknown members', async () => {
  const { c } = setup();
  await lead(c);
  assert.equal(
    (await c.join(joinReq('g', '', { sessionTimeoutMs: 500 }))).errorCode,
    ErrorCode.INVALID_SESSION_TIMEOUT,
  );
  assert.equal((await c.join(joinReq('', ''))).errorCode, ErrorCode.INVALID_GROUP_ID);
  assert.equal((await c.join(joinReq('g', 'made-up'))).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  const { ids } = await stableGroup(c, 'g', 1);
  assert.equal(
    (await c.join(joinReq('g', '', { protocols: [{ name: 'sticky', metadata: Buffer.alloc(0) }] }))).errorCode,
    ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
  );
  assert.equal(
    (await c.join(joinReq('g', '', { protocolType: 'connect' }))).errorCode,
    ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
  );
  // Before JoinGroup v4 a new member is admitted at once.
  const newcomer = c.join(joinReq('g', '', { requireKnownMemberId: false }));
  assert.equal(c.describeGroup('g').state, 'PreparingRebalance');
  const [a, b] = await Promise.all([newcomer, c.join(joinReq('g', ids[0]!))]);
  assert.equal(a.errorCode, ErrorCode.NONE);
  assert.equal(b.generationId, 2);
  assert.equal(a.generationId, 2);
});

test('version semantics: KIP-814 SkipAssignment (JoinGroup v9), GROUP_ID_NOT_FOUND for OffsetCommit v9 and DescribeGroups', async () => {
  const { c, clock } = setup({ initialRebalanceDelayMs: 100 });
  await lead(c);
  const join = (instance: string, extra: Partial<JoinRequest> = {}): Promise<JoinResult> =>
    c.join(joinReq('g', '', { groupInstanceId: instance, ...extra }));
  const joining = [join('i1'), join('i2')];
  clock.advance(200);
  const [j1, j2] = (await Promise.all(joining)) as [JoinResult, JoinResult];
  const leaderInstance = j1.leader === j1.memberId ? 'i1' : 'i2';
  const followerInstance = leaderInstance === 'i1' ? 'i2' : 'i1';
  await Promise.all(
    [j1, j2].map((j) =>
      c.sync({
        groupId: 'g',
        generationId: j.generationId,
        memberId: j.memberId,
        groupInstanceId: j.memberId.slice(0, 2),
        protocolType: 'consumer',
        protocolName: 'range',
        assignments:
          j.memberId === j.leader
            ? [j1, j2].map((x) => ({ memberId: x.memberId, assignment: Buffer.from(x.memberId) }))
            : [],
      }),
    ),
  );
  assert.equal(c.describeGroup('g').state, 'Stable');
  // Before v9 the rejoining static leader is told the old leader id, so it does not assign.
  const old = await join(leaderInstance, { supportsSkipAssignment: false });
  assert.equal(old.errorCode, ErrorCode.NONE);
  assert.notEqual(old.leader, old.memberId);
  assert.equal(old.skipAssignment ?? false, false);
  assert.deepEqual(old.members, []);
  // v9+: it learns it leads and who the members are, and to skip the assignment (KIP-814).
  const v9 = await join(leaderInstance, { supportsSkipAssignment: true, reason: 'restarted' });
  assert.equal(v9.errorCode, ErrorCode.NONE);
  assert.equal(v9.leader, v9.memberId);
  assert.equal(v9.skipAssignment, true);
  assert.equal(v9.generationId, 1, 'no rebalance');
  assert.deepEqual(v9.members.map((m) => m.groupInstanceId).sort(), ['i1', 'i2']);
  // A rejoining static follower is not asked to skip anything and learns no members.
  const follower = await join(followerInstance, { supportsSkipAssignment: true });
  assert.equal(follower.skipAssignment, false);
  assert.equal(follower.leader, v9.memberId);
  assert.deepEqual(follower.members, []);
  assert.equal(c.describeGroup('g').state, 'Stable');

  // A commit naming a generation to a group that does not exist: ILLEGAL_GENERATION before
  // OffsetCommit v9, GROUP_ID_NOT_FOUND from v9 on; a generation -1 commit creates the group.
  const commit = (extra: { generationId: number; unknownGroupError?: number }) =>
    c.commitOffsets({
      groupId: 'nobody',
      memberId: '',
      groupInstanceId: null,
      offsets: [{ topic: 't', partition: 0, offset: 5, leaderEpoch: -1, metadata: null }],
      ...extra,
    });
  assert.deepEqual(await commit({ generationId: 1 }), [ErrorCode.ILLEGAL_GENERATION]);
  assert.deepEqual(await commit({ generationId: 1, unknownGroupError: ErrorCode.GROUP_ID_NOT_FOUND }), [
    ErrorCode.GROUP_ID_NOT_FOUND,
  ]);
  assert.equal(c.describeGroup('missing').errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  assert.equal(c.describeGroup('missing').state, 'Dead');
  assert.deepEqual(await commit({ generationId: -1, unknownGroupError: ErrorCode.GROUP_ID_NOT_FOUND }), [
    ErrorCode.NONE,
  ]);
  assert.equal(c.describeGroup('nobody').errorCode, ErrorCode.NONE);
  assert.equal(c.describeGroup('nobody').state, 'Empty');
});
