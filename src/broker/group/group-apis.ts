// The Kafka group APIs on the broker: where group coordinators live (`__consumer_offsets`, for
// FindCoordinator in ../coordinator-lookup.ts), the classic rebalance protocol (JoinGroup, SyncGroup, Heartbeat,
// LeaveGroup), offsets (OffsetCommit, OffsetFetch, OffsetDelete) and the admin views (ListGroups,
// DescribeGroups, DeleteGroups). Each handler turns the wire form into a GroupCoordinator call.
import { ErrorCode } from '../../common/errors.js';
import type { BrokerApiContext, KafkaApiRegistry, RequestContext } from '../api-context.js';
import type { CoordinatorTopic } from '../coordinator-lookup.js';
import type { GroupCoordinator } from './group-coordinator.js';
import { offsetsTopicName } from './offsets-records.js';
import {
  joinGroupApi,
  type JoinGroupRequest,
  type JoinGroupResponseInput,
} from '../../protocol/messages/join-group.js';
import {
  syncGroupApi,
  type SyncGroupRequest,
  type SyncGroupResponseInput,
} from '../../protocol/messages/sync-group.js';
import { heartbeatApi, type HeartbeatRequest, type HeartbeatResponseInput } from '../../protocol/messages/heartbeat.js';
import {
  leaveGroupApi,
  type LeaveGroupRequest,
  type LeaveGroupResponseInput,
} from '../../protocol/messages/leave-group.js';
import {
  txnOffsetCommitApi,
  type TxnOffsetCommitRequest,
  type TxnOffsetCommitResponseInput,
} from '../../protocol/messages/txn-offset-commit.js';
import {
  offsetCommitApi,
  type OffsetCommitRequest,
  type OffsetCommitResponseInput,
} from '../../protocol/messages/offset-commit.js';
import {
  offsetFetchApi,
  type OffsetFetchRequest,
  type OffsetFetchResponseInput,
} from '../../protocol/messages/offset-fetch.js';
import {
  offsetDeleteApi,
  type OffsetDeleteRequest,
  type OffsetDeleteResponseInput,
} from '../../protocol/messages/offset-delete.js';
import {
  listGroupsApi,
  type ListGroupsRequest,
  type ListGroupsResponseInput,
} from '../../protocol/messages/list-groups.js';
import {
  describeGroupsApi,
  type DescribeGroupsRequest,
  type DescribeGroupsResponseInput,
} from '../../protocol/messages/describe-groups.js';
import {
  deleteGroupsApi,
  type DeleteGroupsRequest,
  type DeleteGroupsResponseInput,
} from '../../protocol/messages/delete-groups.js';

/** Where group coordinators live: `__consumer_offsets`, created on first FindCoordinator (as Kafka does). */
export function offsetsCoordinatorTopic(ctx: BrokerApiContext, coordinator: GroupCoordinator): CoordinatorTopic {
  const c = ctx.config;
  return {
    name: offsetsTopicName,
    partitions: c.offsetsTopicNumPartitions,
    replicationFactor: c.offsetsTopicReplicationFactor,
    configs: {
      'cleanup.policy': 'compact',
      'compression.type': 'producer',
      'segment.bytes': String(c.offsetsTopicSegmentBytes),
    },
    keyName: 'group id',
    partitionFor: (groupId) => coordinator.partitionFor(groupId),
  };
}

/** The group APIs but FindCoordinator (coordinator-lookup.ts serves it for every coordinator kind). */
export function registerGroupApis(apis: KafkaApiRegistry, coordinator: GroupCoordinator): void {
  apis.register(joinGroupApi, (r, rc) => joinGroup(coordinator, r, rc));
  apis.register(syncGroupApi, (r) => syncGroup(coordinator, r));
  apis.register(heartbeatApi, (r) => heartbeat(coordinator, r));
  apis.register(leaveGroupApi, (r, rc) => leaveGroup(coordinator, r, rc));
  apis.register(offsetCommitApi, (r, rc) => offsetCommit(coordinator, r, rc));
  apis.register(txnOffsetCommitApi, (r, rc) => txnOffsetCommit(coordinator, r, rc));
  apis.register(offsetFetchApi, (r, rc) => offsetFetch(coordinator, r, rc));
  apis.register(offsetDeleteApi, (r) => offsetDelete(coordinator, r));
  apis.register(listGroupsApi, (r) => listGroups(coordinator, r));
  apis.register(describeGroupsApi, (r) => describeGroups(coordinator, r));
  apis.register(deleteGroupsApi, (r) => deleteGroups(coordinator, r));
}

/** TxnOffsetCommit: offsets written with the transaction, visible once its COMMIT marker lands. */
async function txnOffsetCommit(
  coordinator: GroupCoordinator,
  req: TxnOffsetCommitRequest,
  rc: RequestContext,
): Promise<TxnOffsetCommitResponseInput> {
  const memberFields = rc.header.apiVersion >= 3;
  const r = await coordinator.txnOffsetCommit({
    transactionalId: req.transactionalId,
    groupId: req.groupId,
    producerId: req.producerId,
    producerEpoch: req.producerEpoch,
    generationId: memberFields ? req.generationId : -1,
    memberId: memberFields ? req.memberId : '',
    groupInstanceId: memberFields ? req.groupInstanceId : null,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partition: p.partitionIndex,
        committedOffset: p.committedOffset,
        committedLeaderEpoch: p.committedLeaderEpoch,
        committedMetadata: p.committedMetadata,
      })),
    })),
  });
  return {
    throttleTimeMs: 0,
    topics: r.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, errorCode: p.errorCode })),
    })),
  };
}

async function joinGroup(
  coordinator: GroupCoordinator,
  req: JoinGroupRequest,
  rc: RequestContext,
): Promise<JoinGroupResponseInput> {
  const version = rc.header.apiVersion;
  const r = await coordinator.join({
    groupId: req.groupId,
    memberId: req.memberId,
    groupInstanceId: req.groupInstanceId,
    clientId: rc.header.clientId ?? '',
    clientHost: `/${rc.clientHost}`,
    sessionTimeoutMs: req.sessionTimeoutMs,
    rebalanceTimeoutMs: version >= 1 && req.rebalanceTimeoutMs >= 0 ? req.rebalanceTimeoutMs : req.sessionTimeoutMs,
    protocolType: req.protocolType,
    protocols: req.protocols,
    requireKnownMemberId: version >= 4,
  });
  return {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    generationId: r.generationId,
    protocolType: r.protocolType,
    // Before v7 the name is not nullable: an error answer carries "".
    protocolName: r.protocolName ?? (version >= 7 ? null : ''),
    leader: r.leader,
    memberId: r.memberId,
    members: [...r.members],
  };
}

async function syncGroup(coordinator: GroupCoordinator, req: SyncGroupRequest): Promise<SyncGroupResponseInput> {
  const r = await coordinator.sync(req);
  return {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    protocolType: r.protocolType,
    protocolName: r.protocolName,
    assignment: r.assignment,
  };
}

function heartbeat(coordinator: GroupCoordinator, req: HeartbeatRequest): HeartbeatResponseInput {
  return { throttleTimeMs: 0, errorCode: coordinator.heartbeat(req) };
}

function leaveGroup(
  coordinator: GroupCoordinator,
  req: LeaveGroupRequest,
  rc: RequestContext,
): LeaveGroupResponseInput {
  if (rc.header.apiVersion < 3) {
    const r = coordinator.leave(req.groupId, [{ memberId: req.memberId ?? '', groupInstanceId: null }]);
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode !== ErrorCode.NONE ? r.errorCode : (r.members[0]?.errorCode ?? ErrorCode.NONE),
    };
  }
  const r = coordinator.leave(
    req.groupId,
    (req.members ?? []).map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId })),
  );
  return { throttleTimeMs: 0, errorCode: r.errorCode, members: r.members };
}

async function offsetCommit(
  coordinator: GroupCoordinator,
  req: OffsetCommitRequest,
  rc: RequestContext,
): Promise<OffsetCommitResponseInput> {
  const items = req.topics.flatMap((t) =>
    t.partitions.map((p) => ({
      topic: t.name,
      partition: p.partitionIndex,
      offset: p.committedOffset,
      leaderEpoch: p.committedLeaderEpoch,
      metadata: p.committedMetadata,
    })),
  );
  // v0 commits come from outside any group membership (generation -1).
  const codes = await coordinator.commitOffsets({
    groupId: req.groupId,
    generationId: rc.header.apiVersion >= 1 ? req.generationIdOrMemberEpoch : -1,
    memberId: req.memberId ?? '',
    groupInstanceId: req.groupInstanceId,
    offsets: items,
  });
  let i = 0;
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: codes[i++]! })),
    })),
  };
}

function offsetFetch(
  coordinator: GroupCoordinator,
  req: OffsetFetchRequest,
  rc: RequestContext,
): OffsetFetchResponseInput {
  const version = rc.header.apiVersion;
  const wanted =
    req.topics === null || req.topics === undefined
      ? null
      : req.topics.flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition })));
  const r = coordinator.fetchOffsets(req.groupId ?? '', wanted, version >= 7 && req.requireStable);
  if (r.errorCode !== ErrorCode.NONE) {
    // v0-1 have no top-level error: every requested partition carries it.
    const perPartition = version < 2 ? r.errorCode : ErrorCode.NONE;
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      topics: (req.topics ?? []).map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => ({
          partitionIndex,
          committedOffset: -1,
          committedLeaderEpoch: -1,
          metadata: '',
          errorCode: perPartition,
        })),
      })),
    };
  }
  const byTopic = new Map<
    string,
    {
      partitionIndex: number;
      committedOffset: number;
      committedLeaderEpoch: number;
      metadata: string | null;
      errorCode: number;
    }[]
  >();
  for (const o of r.offsets) {
    let list = byTopic.get(o.topic);
    if (!list) byTopic.set(o.topic, (list = []));
    list.push({
      partitionIndex: o.partition,
      committedOffset: o.offset,
      committedLeaderEpoch: o.leaderEpoch,
      metadata: o.metadata,
      errorCode: o.errorCode,
    });
  }
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
  };
}

async function offsetDelete(
  coordinator: GroupCoordinator,
  req: OffsetDeleteRequest,
): Promise<OffsetDeleteResponseInput> {
  const wanted = req.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex })));
  const r = await coordinator.deleteOffsets(req.groupId, wanted);
  if (r.errorCode !== ErrorCode.NONE) return { errorCode: r.errorCode, throttleTimeMs: 0, topics: [] };
  let i = 0;
  return {
    errorCode: ErrorCode.NONE,
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: r.partitions[i++]! })),
    })),
  };
}

function listGroups(coordinator: GroupCoordinator, req: ListGroupsRequest): ListGroupsResponseInput {
  const r = coordinator.listGroups(req.statesFilter ?? []);
  return {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    groups: r.groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.state })),
  };
}

function describeGroups(coordinator: GroupCoordinator, req: DescribeGroupsRequest): DescribeGroupsResponseInput {
  return {
    throttleTimeMs: 0,
    groups: req.groups.map((id) => {
      const d = coordinator.describeGroup(id);
      return {
        errorCode: d.errorCode,
        groupId: d.groupId,
        groupState: d.state,
        protocolType: d.protocolType,
        protocolData: d.protocolData,
        members: d.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: m.metadata,
          memberAssignment: m.assignment,
        })),
      };
    }),
  };
}

async function deleteGroups(
  coordinator: GroupCoordinator,
  req: DeleteGroupsRequest,
): Promise<DeleteGroupsResponseInput> {
  const results = await Promise.all(
    req.groupsNames.map(async (groupId) => ({ groupId, errorCode: await coordinator.deleteGroup(groupId) })),
  );
  return { throttleTimeMs: 0, results };
}
