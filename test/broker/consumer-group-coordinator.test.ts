// The group coordinator's consumer group protocol (KIP-848) over an in-memory __consumer_offsets:
// joins, target assignment and reconciliation through heartbeats, the errors Kafka answers,
// session expiry, offset commits checked by member epoch, conversion of empty groups between
// the classic and consumer protocols, and a failover that reloads everything from the records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { ErrorCode } from '../../src/common/errors.js';
import { ManualClock } from '../../src/broker/group/clock.js';
import { GroupCoordinator } from '../../src/broker/group/group-coordinator.js';
import type { ConsumerHeartbeatRequest } from '../../src/broker/group/consumer-heartbeat.js';
import { decodeKey } from '../../src/broker/group/offsets-records.js';
import { MemoryOffsetsLog, testConsumerOptions } from './group-memory-log.js';

const partitions = 4;
const topic = { id: 'AAAAAAAAAAAAAAAAAAAAAQ', name: 't', partitions: 6 };

function setup(log = new MemoryOffsetsLog(), consumer = {}) {
  const clock = new ManualClock();
  const c = new GroupCoordinator({
    log,
    clock,
    logger: pino({ level: 'silent' }),
    partitionCount: partitions,
    initialRebalanceDelayMs: 0,
    minSessionTimeoutMs: 1000,
    maxSessionTimeoutMs: 60_000,
    maxGroupSize: 1000,
    offsetMetadataMaxBytes: 64,
    offsetsRetentionMs: 3_600_000,
    partitionExists: () => true,
    subscribedTopics: () => null,
    consumer: testConsumerOptions([topic], { sessionTimeoutMs: 10_000, ...consumer }),
  });
  return { c, clock, log };
}

async function lead(c: GroupCoordinator): Promise<void> {
  c.setLeadership(new Map(Array.from({ length: partitions }, (_, p) => [p, 1])));
  for (let i = 0; i < 100 && c.listGroups([]).errorCode !== ErrorCode.NONE; i++)
    await new Promise<void>((r) => setImmediate(r));
}

function hb(
  memberId: string,
  memberEpoch: number,
  owned: number[] | null,
  extra: Partial<ConsumerHeartbeatRequest> = {},
) {
  return {
    apiVersion: 1,
    groupId: 'g',
    memberId,
    memberEpoch,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: memberEpoch === 0 ? 30_000 : -1,
    subscribedTopicNames: memberEpoch === 0 ? ['t'] : null,
    subscribedTopicRegex: null,
    serverAssignor: null,
    topicPartitions:
      owned === null ? null : [{ topicId: topic.id, partitions: owned }].filter((x) => x.partitions.length > 0),
    clientId: 'c',
    clientHost: '/127.0.0.1',
    ...extra,
  } satisfies ConsumerHeartbeatRequest;
}

/** A classic member's JoinGroup (no member id needed: requireKnownMemberId off). */
const classicJoin = (groupId: string) => ({
  groupId,
  memberId: '',
  groupInstanceId: null,
  clientId: 'c',
  clientHost: '/h',
  sessionTimeoutMs: 10_000,
  rebalanceTimeoutMs: 10_000,
  protocolType: 'consumer',
  protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
  requireKnownMemberId: false,
});

const parts = (a: { topicId: string; partitions: number[] }[] | null) => a?.flatMap((t) => t.partitions).sort() ?? null;

test('two members: the second gets partitions only after the first revoked them; epochs and records follow', async () => {
  const { c, log } = setup();
  await lead(c);
  const a0 = await c.consumerHeartbeat(hb('a', 0, []));
  assert.equal(a0.errorCode, ErrorCode.NONE);
  assert.equal(a0.memberEpoch, 1);
  assert.deepEqual(parts(a0.assignment), [0, 1, 2, 3, 4, 5]);
  const b0 = await c.consumerHeartbeat(hb('b', 0, []));
  assert.equal(b0.memberEpoch, 2);
  assert.deepEqual(parts(b0.assignment), [], 'nothing free yet: a still holds everything');
  // a learns it must give three back; still epoch 1 until it does.
  const a1 = await c.consumerHeartbeat(hb('a', 1, [0, 1, 2, 3, 4, 5]));
  assert.equal(a1.memberEpoch, 1);
  const kept = parts(a1.assignment)!;
  assert.equal(kept.length, 3);
  // b asks again: still nothing, a has not confirmed.
  assert.deepEqual(parts((await c.consumerHeartbeat(hb('b', 2, []))).assignment), null);
  const a2 = await c.consumerHeartbeat(hb('a', 1, kept));
  assert.equal(a2.memberEpoch, 2);
  assert.equal(c.describeConsumerGroup('g').group!.consumer!.stateName(), 'Reconciling', 'b waits for its partitions');
  const b1 = await c.consumerHeartbeat(hb('b', 2, []));
  assert.deepEqual(
    parts(b1.assignment),
    [0, 1, 2, 3, 4, 5].filter((p) => !kept.includes(p)),
  );
  assert.equal(c.describeConsumerGroup('g').group!.consumer!.stateName(), 'Stable');
  // Records in Kafka's types: group metadata 3, member 5, target 6/7, current assignment 8.
  const types = new Set(log.recordsOf(c.partitionFor('g')).map((r) => decodeKey(r.key).kind));
  assert.deepEqual([...types].sort(), ['consumer-group', 'consumer-member']);
  const listed = c.listGroups([]).groups[0]!;
  assert.deepEqual([listed.type, listed.protocolType, listed.state], ['consumer', 'consumer', 'Stable']);
});

test('errors: fenced epochs, unknown members, unreleased instance ids, max size, assignors, regex, classic groups', async () => {
  const { c } = setup(undefined, { maxSize: 2 });
  await lead(c);
  await c.consumerHeartbeat(hb('a', 0, [], { instanceId: 'i' }));
  assert.equal((await c.consumerHeartbeat(hb('a', 7, []))).errorCode, ErrorCode.FENCED_MEMBER_EPOCH);
  assert.equal((await c.consumerHeartbeat(hb('z', 1, []))).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal(
    (await c.consumerHeartbeat(hb('a2', 0, [], { instanceId: 'i' }))).errorCode,
    ErrorCode.UNRELEASED_INSTANCE_ID,
  );
  await c.consumerHeartbeat(hb('b', 0, []));
  assert.equal((await c.consumerHeartbeat(hb('c', 0, []))).errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED);
  assert.equal(
    (await c.consumerHeartbeat(hb('d', 0, [], { serverAssignor: 'sticky' }))).errorCode,
    ErrorCode.UNSUPPORTED_ASSIGNOR,
  );
  assert.equal(
    (await c.consumerHeartbeat(hb('d', 0, [], { subscribedTopicRegex: '(' }))).errorCode,
    ErrorCode.INVALID_REGULAR_EXPRESSION,
  );
  assert.equal((await c.consumerHeartbeat(hb('', 0, []))).errorCode, ErrorCode.INVALID_REQUEST, 'v1 needs a member id');
  // A static member leaving with -2 keeps its place; the same instance comes back under a new id.
  assert.equal((await c.consumerHeartbeat(hb('a', -2, null, { instanceId: 'i' }))).memberEpoch, -2);
  const back = await c.consumerHeartbeat(hb('a2', 0, [], { instanceId: 'i' }));
  assert.equal(back.errorCode, ErrorCode.NONE);
  // A classic group with members is not taken over.
  await c.join(classicJoin('classic'));
  assert.equal(
    (await c.consumerHeartbeat(hb('x', 0, [], { groupId: 'classic' }))).errorCode,
    ErrorCode.GROUP_ID_NOT_FOUND,
  );
});

test('commits need the current member epoch; a member missing its session is removed and its partitions freed', async () => {
  const { c, clock } = setup();
  await lead(c);
  await c.consumerHeartbeat(hb('a', 0, []));
  const commit = (memberId: string, generationId: number) =>
    c.commitOffsets({
      groupId: 'g',
      generationId,
      memberId,
      groupInstanceId: null,
      offsets: [{ topic: 't', partition: 0, offset: 5, leaderEpoch: -1, metadata: null }],
    });
  assert.deepEqual(await commit('a', 1), [ErrorCode.NONE]);
  await c.consumerHeartbeat(hb('b', 0, []));
  await c.consumerHeartbeat(hb('a', 1, [0, 1, 2, 3, 4, 5]));
  const a2 = await c.consumerHeartbeat(hb('a', 1, [0, 1, 2]));
  assert.equal(a2.memberEpoch, 2);
  assert.deepEqual(await commit('a', 1), [ErrorCode.STALE_MEMBER_EPOCH]);
  assert.deepEqual(await commit('nobody', 2), [ErrorCode.UNKNOWN_MEMBER_ID]);
  assert.equal(c.checkFetchingMember('g', 'a', 1), ErrorCode.STALE_MEMBER_EPOCH);
  assert.equal(c.checkFetchingMember('g', 'a', 2), ErrorCode.NONE);
  // a keeps heartbeating, b goes silent: after the session timeout a gets all six.
  clock.advance(6000);
  await c.consumerHeartbeat(hb('a', 2, [0, 1, 2]));
  clock.advance(6000);
  const a3 = await c.consumerHeartbeat(hb('a', 2, [0, 1, 2]));
  assert.equal(a3.memberEpoch, 3);
  assert.deepEqual(parts(a3.assignment), [0, 1, 2, 3, 4, 5]);
  assert.equal(c.describeConsumerGroup('g').group!.consumer!.members.size, 1);
});

test('a failover reloads the consumer group from its records; empty groups convert between the protocols', async () => {
  const log = new MemoryOffsetsLog();
  const first = setup(log);
  await lead(first.c);
  await first.c.consumerHeartbeat(hb('a', 0, []));
  await first.c.consumerHeartbeat(hb('b', 0, []));
  const a1 = await first.c.consumerHeartbeat(hb('a', 1, [0, 1, 2, 3, 4, 5]));
  const before = first.c.describeConsumerGroup('g').group!.consumer!;
  first.c.close();
  const second = setup(log);
  await lead(second.c);
  const after = second.c.describeConsumerGroup('g').group!.consumer!;
  assert.deepEqual([after.groupEpoch, after.assignmentEpoch], [before.groupEpoch, before.assignmentEpoch]);
  assert.deepEqual([...after.members.keys()].sort(), ['a', 'b']);
  const a = after.members.get('a')!;
  assert.deepEqual([a.state, a.memberEpoch], ['unrevoked_partitions', 1]);
  assert.deepEqual([...a.assigned.get(topic.id)!].sort(), parts(a1.assignment));
  // The new coordinator continues: a revokes, b gets the rest.
  await second.c.consumerHeartbeat(hb('a', 1, parts(a1.assignment)));
  const b = await second.c.consumerHeartbeat(hb('b', 2, []));
  assert.equal(parts(b.assignment)!.length, 3);
  // Both leave; the empty consumer group is taken by a classic member, and back.
  await second.c.consumerHeartbeat(hb('a', -1, null));
  await second.c.consumerHeartbeat(hb('b', -1, null));
  const join = await second.c.join(classicJoin('g'));
  assert.equal(join.errorCode, ErrorCode.NONE);
  assert.equal(second.c.listGroups([]).groups.find((g) => g.groupId === 'g')?.type, 'classic');
  assert.deepEqual(second.c.leave('g', [{ memberId: join.memberId, groupInstanceId: null }]).errorCode, ErrorCode.NONE);
  assert.equal((await second.c.consumerHeartbeat(hb('c', 0, []))).errorCode, ErrorCode.NONE);
  assert.equal(second.c.listGroups([]).groups.find((g) => g.groupId === 'g')?.type, 'consumer');
  second.c.close();
  // And that too survives a reload.
  const third = setup(log);
  await lead(third.c);
  assert.deepEqual([...third.c.describeConsumerGroup('g').group!.consumer!.members.keys()], ['c']);
  third.c.close();
});
