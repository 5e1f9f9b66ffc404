// The consumer-group API versions added for issue 15, at the wire against a running cluster (used
// by consumer-groups.test.ts on its three-node cluster): a classic group run entirely at the newest
// versions (JoinGroup v9 with reasons, SyncGroup v5, Heartbeat v4, OffsetCommit v9, OffsetFetch v9
// for several groups at once, OffsetCommit / OffsetFetch v10 by topic id, ListGroups v5 types, DescribeGroups v6, LeaveGroup v5, DeleteGroups
// v2), the answers whose meaning changed with a version (OffsetCommit v9 and DescribeGroups v6
// GROUP_ID_NOT_FOUND, OffsetFetch v8+ errors per group, JoinGroup v9 SkipAssignment for a static
// leader that restarts), and the older versions' answers to the same questions.
import assert from 'node:assert/strict';
import { ErrorCode } from '../../src/common/errors.js';
import { findCoordinator } from '../../src/client/group-client.js';
import type { KafkaClient } from '../../src/client/kafka-client.js';
import type { KafkaConnection } from '../../src/client/kafka-connection.js';
import { encodeSubscription } from '../../src/protocol/consumer-protocol.js';
import { deleteGroupsApi } from '../../src/protocol/messages/delete-groups.js';
import { describeGroupsApi } from '../../src/protocol/messages/describe-groups.js';
import { findCoordinatorApi } from '../../src/protocol/messages/find-coordinator.js';
import { heartbeatApi } from '../../src/protocol/messages/heartbeat.js';
import { joinGroupApi } from '../../src/protocol/messages/join-group.js';
import { leaveGroupApi } from '../../src/protocol/messages/leave-group.js';
import { listGroupsApi } from '../../src/protocol/messages/list-groups.js';
import { offsetCommitApi } from '../../src/protocol/messages/offset-commit.js';
import { offsetFetchApi } from '../../src/protocol/messages/offset-fetch.js';
import { syncGroupApi } from '../../src/protocol/messages/sync-group.js';

const timeoutMs = 15_000;

/** Group ids whose coordinator is (and is not) `nodeId`, found with one batched FindCoordinator v6. */
async function groupsByCoordinator(
  c: KafkaConnection,
  prefix: string,
  nodeId: number,
): Promise<{ here: string[]; elsewhere: string[] }> {
  const keys = Array.from({ length: 40 }, (_, i) => `${prefix}-${i}`);
  const res = await c.send(findCoordinatorApi, { keyType: 0, coordinatorKeys: keys }, timeoutMs, 6);
  for (const x of res.coordinators) assert.equal(x.errorCode, ErrorCode.NONE, `${x.key}: ${x.errorMessage}`);
  return {
    here: res.coordinators.filter((x) => x.nodeId === nodeId).map((x) => x.key),
    elsewhere: res.coordinators.filter((x) => x.nodeId !== nodeId).map((x) => x.key),
  };
}

/** Runs the checks; `topic` exists with at least one partition. */
export async function checkGroupApiVersions(client: KafkaClient, topic: string): Promise<void> {
  const any = await client.anyConnection();
  const probe = await findCoordinator(client, 'versions-probe');
  const { here, elsewhere } = await groupsByCoordinator(any, 'versions', probe.nodeId);
  const [group, unknown] = here as [string, string];
  assert.ok(unknown !== undefined, 'two groups on one coordinator');
  await client.metadata([]);
  const c = await client.connectionTo(probe.nodeId);
  for (const [api, max] of [
    [joinGroupApi, 9],
    [syncGroupApi, 5],
    [heartbeatApi, 4],
    [leaveGroupApi, 5],
    [offsetCommitApi, 9], // the broker serves v10 (topic ids); raftka's client stops at v9
    [offsetFetchApi, 9],
    [listGroupsApi, 5],
    [describeGroupsApi, 6],
    [deleteGroupsApi, 2],
  ] as const)
    assert.equal(c.versionFor(api), max, `${api.name} used up to v${max}`);

  const subscription = encodeSubscription({ topics: [topic], userData: null });
  const join = (instance: string, version: number) =>
    c.send(
      joinGroupApi,
      {
        groupId: group,
        sessionTimeoutMs: 10_000,
        rebalanceTimeoutMs: 10_000,
        memberId: '',
        groupInstanceId: instance,
        protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: subscription }],
        reason: version >= 8 ? `instance ${instance} starts` : null,
      },
      timeoutMs,
      version,
    );
  // Static members get their ids at once and land in one generation (the initial rebalance delay).
  const joined = await Promise.all([join('i1', 9), join('i2', 9)]);
  for (const j of joined) assert.equal(j.errorCode, ErrorCode.NONE);
  const generation = joined[0]!.generationId;
  const leader = joined.find((j) => j.memberId === j.leader)!;
  const follower = joined.find((j) => j.memberId !== j.leader)!;
  assert.equal(leader.protocolType, 'consumer', 'v7+ answers the protocol type');
  assert.equal(leader.members.length, 2);
  assert.equal(leader.skipAssignment, false, 'a first join must assign');
  const instanceOf = new Map(joined.map((j, i) => [j.memberId, `i${i + 1}`]));
  const leaderInstance = instanceOf.get(leader.memberId)!;

  const sync = (j: (typeof joined)[number], protocolName: string, assign: boolean) =>
    c.send(
      syncGroupApi,
      {
        groupId: group,
        generationId: generation,
        memberId: j.memberId,
        groupInstanceId: instanceOf.get(j.memberId)!,
        protocolType: 'consumer',
        protocolName,
        assignments: assign ? joined.map((x) => ({ memberId: x.memberId, assignment: Buffer.from(x.memberId) })) : [],
      },
      timeoutMs,
      5,
    );
  assert.equal(
    (await sync(follower, 'roundrobin', false)).errorCode,
    ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    'SyncGroup v5 checks the protocol name',
  );
  const [ls, fs] = await Promise.all([sync(leader, 'range', true), sync(follower, 'range', false)]);
  assert.equal(ls.errorCode, ErrorCode.NONE);
  assert.deepEqual([fs.protocolType, fs.protocolName], ['consumer', 'range'], 'v5 answers the protocol');
  assert.equal(fs.assignment.toString(), follower.memberId);
  const beat = await c.send(
    heartbeatApi,
    { groupId: group, generationId: generation, memberId: leader.memberId, groupInstanceId: leaderInstance },
    timeoutMs,
    4,
  );
  assert.equal(beat.errorCode, ErrorCode.NONE);

  // OffsetCommit v9: a member's commit; a commit with a generation to a group that does not
  // exist is GROUP_ID_NOT_FOUND (v8: ILLEGAL_GENERATION).
  const commit = (groupId: string, generationId: number, memberId: string, version: number) =>
    c.send(
      offsetCommitApi,
      {
        groupId,
        generationIdOrMemberEpoch: generationId,
        memberId,
        groupInstanceId: null,
        topics: [
          {
            name: topic,
            partitions: [{ partitionIndex: 0, committedOffset: 7, committedLeaderEpoch: -1, committedMetadata: 'v9' }],
          },
        ],
      },
      timeoutMs,
      version,
    );
  const codeOf = (r: Awaited<ReturnType<typeof commit>>) => r.topics[0]!.partitions[0]!.errorCode;
  assert.equal(codeOf(await commit(group, generation, leader.memberId, 9)), ErrorCode.NONE);
  assert.equal(codeOf(await commit(unknown, 1, 'm', 9)), ErrorCode.GROUP_ID_NOT_FOUND);
  assert.equal(codeOf(await commit(unknown, 1, 'm', 8)), ErrorCode.ILLEGAL_GENERATION);

  // OffsetFetch v9: several groups in one request, each answered on its own; the member fields
  // of a classic group are not checked.
  const other = elsewhere[0];
  const fetched = await c.send(
    offsetFetchApi,
    {
      groups: [
        { groupId: group, memberId: 'anyone', memberEpoch: 42, topics: [{ name: topic, partitionIndexes: [0] }] },
        { groupId: unknown, memberId: null, memberEpoch: -1, topics: null },
        ...(other === undefined ? [] : [{ groupId: other, memberId: null, memberEpoch: -1, topics: null }]),
      ],
      requireStable: true,
    },
    timeoutMs,
    9,
  );
  assert.deepEqual(
    fetched.groups.map((g) => [g.groupId, g.errorCode]),
    [
      [group, ErrorCode.NONE],
      [unknown, ErrorCode.NONE],
      ...(other === undefined ? [] : [[other, ErrorCode.NOT_COORDINATOR]]),
    ],
  );
  const p0 = fetched.groups[0]!.topics[0]!.partitions[0]!;
  assert.deepEqual([p0.committedOffset, p0.metadata, p0.errorCode], [7, 'v9', ErrorCode.NONE]);
  assert.deepEqual(fetched.groups[1]!.topics, [], 'a group without commits has none');

  // OffsetCommit / OffsetFetch v10 name topics by id: an unknown id is UNKNOWN_TOPIC_ID, the
  // commit lands where v9 reads it by name, an all-topics fetch answers ids.
  const topicId = (await client.metadata([topic])).topics.find((t) => t.name === topic)!.topicId;
  const unknownId = 'AAECAwQFBgcICQoLDA0ODw';
  const commit10 = await c.send(
    offsetCommitApi,
    {
      groupId: group,
      generationIdOrMemberEpoch: generation,
      memberId: leader.memberId,
      groupInstanceId: null,
      topics: [topicId, unknownId].map((id) => ({
        topicId: id,
        partitions: [{ partitionIndex: 0, committedOffset: 9, committedLeaderEpoch: -1, committedMetadata: 'v10' }],
      })),
    },
    timeoutMs,
    10,
  );
  assert.deepEqual(
    commit10.topics.map((t) => [t.topicId, t.partitions[0]!.errorCode]),
    [
      [topicId, ErrorCode.NONE],
      [unknownId, ErrorCode.UNKNOWN_TOPIC_ID],
    ],
  );
  const fetch10 = (topics: { topicId: string; partitionIndexes: number[] }[] | null) =>
    c.send(
      offsetFetchApi,
      { groups: [{ groupId: group, memberId: null, memberEpoch: -1, topics }], requireStable: true },
      timeoutMs,
      10,
    );
  const rows = (r: Awaited<ReturnType<typeof fetch10>>) =>
    r.groups[0]!.topics.map((t) => [t.topicId, t.partitions[0]!.committedOffset, t.partitions[0]!.errorCode]);
  assert.deepEqual(
    rows(
      await fetch10([
        { topicId, partitionIndexes: [0] },
        { topicId: unknownId, partitionIndexes: [0] },
      ]),
    ),
    [
      [topicId, 9, ErrorCode.NONE],
      [unknownId, -1, ErrorCode.UNKNOWN_TOPIC_ID],
    ],
  );
  assert.deepEqual(rows(await fetch10(null)), [[topicId, 9, ErrorCode.NONE]]);
  const byName = await c.send(
    offsetFetchApi,
    { groups: [{ groupId: group, memberId: null, memberEpoch: -1, topics: null }], requireStable: true },
    timeoutMs,
    9,
  );
  assert.deepEqual(
    byName.groups[0]!.topics.map((t) => [t.name, t.partitions[0]!.committedOffset, t.partitions[0]!.metadata]),
    [[topic, 9, 'v10']],
  );

  // ListGroups v5 filters by type; DescribeGroups v6 names a missing group, v5 calls it Dead.
  const listed = async (typesFilter: string[]) =>
    (await c.send(listGroupsApi, { statesFilter: [], typesFilter }, timeoutMs, 5)).groups.filter(
      (g) => g.groupId === group,
    );
  assert.deepEqual(
    (await listed(['Classic'])).map((g) => [g.groupType, g.groupState]),
    [['classic', 'Stable']],
  );
  assert.deepEqual(await listed(['consumer']), []);
  const describe = (version: number) =>
    c.send(describeGroupsApi, { groups: [group, unknown], includeAuthorizedOperations: true }, timeoutMs, version);
  const [d6, d5] = [await describe(6), await describe(5)];
  assert.deepEqual(
    d6.groups.map((g) => [g.errorCode, g.errorMessage, g.groupState, g.members.length]),
    [
      [ErrorCode.NONE, null, 'Stable', 2],
      [ErrorCode.GROUP_ID_NOT_FOUND, `Group ${unknown} not found.`, 'Dead', 0],
    ],
  );
  assert.deepEqual(
    d5.groups.map((g) => [g.errorCode, g.groupState]),
    [
      [ErrorCode.NONE, 'Stable'],
      [ErrorCode.NONE, 'Dead'],
    ],
  );

  // KIP-814: the static leader restarts (no member id). v9 tells it it leads, lists the members
  // and says to skip the assignment; v8 names the old leader so it does not assign either. No
  // rebalance either way.
  const v9 = await join(leaderInstance, 9);
  assert.deepEqual([v9.errorCode, v9.generationId, v9.skipAssignment], [ErrorCode.NONE, generation, true]);
  assert.equal(v9.leader, v9.memberId);
  assert.equal(v9.members.length, 2);
  const v8 = await join(leaderInstance, 8);
  assert.deepEqual([v8.errorCode, v8.generationId, v8.skipAssignment], [ErrorCode.NONE, generation, false]);
  assert.equal(v8.leader, v9.memberId, 'v8 is told the leader it replaced');
  assert.deepEqual(v8.members, []);

  // LeaveGroup v5 with reasons empties the group; DeleteGroups v2 deletes it.
  const left = await c.send(
    leaveGroupApi,
    {
      groupId: group,
      members: ['i1', 'i2'].map((i) => ({ memberId: '', groupInstanceId: i, reason: 'shutting down' })),
    },
    timeoutMs,
    5,
  );
  assert.deepEqual(
    [left.errorCode, ...left.members.map((m) => m.errorCode)],
    [ErrorCode.NONE, ErrorCode.NONE, ErrorCode.NONE],
  );
  const deleted = await c.send(deleteGroupsApi, { groupsNames: [group] }, timeoutMs, 2);
  assert.deepEqual(deleted.results, [{ groupId: group, errorCode: ErrorCode.NONE }]);
  assert.equal((await describe(6)).groups[0]!.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
}
