// The Kafka group APIs on the broker: where group coordinators live (`__consumer_offsets`, for
// FindCoordinator in ../coordinator-lookup.ts), the classic rebalance protocol (JoinGroup, SyncGroup, Heartbeat,
// LeaveGroup), offsets (OffsetCommit, OffsetFetch, OffsetDelete) and the admin views (ListGroups,
// DescribeGroups, DeleteGroups). Each handler turns the wire form into a GroupCoordinator call,
// with the semantics of the request's version (Kafka 3.9's oldest to 4.1's newest): OffsetFetch
// v8+ answers each group on its own, OffsetCommit v9 and DescribeGroups v6 say GROUP_ID_NOT_FOUND,
// JoinGroup v9 may tell a static leader to skip its assignment, ListGroups v5 filters by type.
import { ErrorCode, errorName } from '../../common/errors.js';
import type { BrokerApiContext, KafkaApiRegistry, RequestContext } from '../api-context.js';
import type { CoordinatorTopic } from '../coordinator-lookup.js';
import type { GroupCoordinator } from './group-coordinator.js';
import { registerConsumerGroupApis } from './consumer-group-apis.js';
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
import { heartbeatApi } from '../../protocol/messages/heartbeat.js';
import { AclOperation, AclResourceType } from '../../protocol/acl-types.js';
import type { RequestAuthorization } from '../authorization.js';
import { joinError, syncError, type JoinResult } from './group.js';
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
  // The membership APIs need READ on the group (Kafka's rule); the others check in their handlers.
  const member = (az: RequestAuthorization, groupId: string) => az.group(AclOperation.READ, groupId);
  const denied = ErrorCode.GROUP_AUTHORIZATION_FAILED;
  apis.register(joinGroupApi, (r, rc, az) => joinGroup(coordinator, r, rc, member(az, r.groupId)));
  apis.register(syncGroupApi, (r, _rc, az) => syncGroup(coordinator, r, member(az, r.groupId)));
  apis.register(heartbeatApi, (r, _rc, az) => ({
    throttleTimeMs: 0,
    errorCode: member(az, r.groupId) ? coordinator.heartbeat(r) : denied,
  }));
  apis.register(leaveGroupApi, (r, rc, az) =>
    member(az, r.groupId) ? leaveGroup(coordinator, r, rc) : { throttleTimeMs: 0, errorCode: denied, members: [] },
  );
  apis.register(offsetCommitApi, (r, rc, az) =>
    rc.header.apiVersion >= 10 ? offsetCommitByTopicId(coordinator, r, rc, az) : offsetCommit(coordinator, r, rc, az),
  );
  apis.register(txnOffsetCommitApi, (r, rc, az) => txnOffsetCommit(coordinator, r, rc, az));
  apis.register(offsetFetchApi, (r, rc, az) => offsetFetch(coordinator, r, rc, az));
  apis.register(offsetDeleteApi, (r, _rc, az) => offsetDelete(coordinator, r, az));
  apis.register(listGroupsApi, (r, _rc, az) => listGroups(coordinator, r, az));
  apis.register(describeGroupsApi, (r, rc, az) => describeGroups(coordinator, r, rc, az));
  apis.register(deleteGroupsApi, (r, _rc, az) => deleteGroups(coordinator, r, az));
  registerConsumerGroupApis(apis, coordinator);
}

/**
 * Each requested partition's answer: its topic's refusal from `errors`, else the next of `codes`
 * (the coordinator's answers for the allowed partitions, in request order).
 */
function partitionCodes(
  topics: readonly { name: string; partitions: readonly { partitionIndex: number }[] }[],
  errors: ReadonlyMap<string, number>,
  codes: readonly number[],
): { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[] {
  let i = 0;
  return topics.map((t) => {
    const denied = errors.get(t.name)!;
    return {
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode: denied !== ErrorCode.NONE ? denied : codes[i++]!,
      })),
    };
  });
}

/**
 * The error of each topic of an offsets request: `groupError` for all when the group check
 * failed, else TOPIC_AUTHORIZATION_FAILED for topics the principal may not READ, else NONE.
 */
function topicErrors(
  az: RequestAuthorization,
  topics: readonly { name: string }[],
  groupError: number,
): ReadonlyMap<string, number> {
  return new Map(
    topics.map((t) => [
      t.name,
      groupError !== ErrorCode.NONE
        ? groupError
        : az.topic(AclOperation.READ, t.name)
          ? ErrorCode.NONE
          : ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    ]),
  );
}

/** TxnOffsetCommit: offsets written with the transaction, visible once its COMMIT marker lands. */
async function txnOffsetCommit(
  coordinator: GroupCoordinator,
  req: TxnOffsetCommitRequest,
  rc: RequestContext,
  az: RequestAuthorization,
): Promise<TxnOffsetCommitResponseInput> {
  const memberFields = rc.header.apiVersion >= 3;
  // WRITE on the transactional id, then READ on the group, then READ on each topic (Kafka's order).
  const refused = !az.transactionalId(AclOperation.WRITE, req.transactionalId)
    ? ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
    : !az.group(AclOperation.READ, req.groupId)
      ? ErrorCode.GROUP_AUTHORIZATION_FAILED
      : ErrorCode.NONE;
  const errors = topicErrors(az, req.topics, refused);
  const allowed = req.topics.filter((t) => errors.get(t.name) === ErrorCode.NONE);
  if (refused !== ErrorCode.NONE || allowed.length < req.topics.length) {
    const answered =
      allowed.length > 0 ? await txnOffsetCommit(coordinator, { ...req, topics: allowed }, rc, az) : null;
    const codes = new Map(answered?.topics.map((t) => [t.name, t.partitions]) ?? []);
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions:
          codes.get(t.name) ??
          t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: errors.get(t.name)! })),
      })),
    };
  }
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
  allowed: boolean,
): Promise<JoinGroupResponseInput> {
  const version = rc.header.apiVersion;
  const r = allowed
    ? await joinCoordinator(coordinator, req, rc)
    : joinError(ErrorCode.GROUP_AUTHORIZATION_FAILED, req.memberId);
  return {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    generationId: r.generationId,
    protocolType: r.protocolType,
    // Before v7 the name is not nullable: an error answer carries "".
    protocolName: r.protocolName ?? (version >= 7 ? null : ''),
    leader: r.leader,
    skipAssignment: r.skipAssignment ?? false,
    memberId: r.memberId,
    members: [...r.members],
  };
}

function joinCoordinator(
  coordinator: GroupCoordinator,
  req: JoinGroupRequest,
  rc: RequestContext,
): Promise<JoinResult> {
  const version = rc.header.apiVersion;
  return coordinator.join({
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
    supportsSkipAssignment: version >= 9,
    reason: version >= 8 ? req.reason : null,
  });
}

async function syncGroup(
  coordinator: GroupCoordinator,
  req: SyncGroupRequest,
  allowed: boolean,
): Promise<SyncGroupResponseInput> {
  const r = allowed ? await coordinator.sync(req) : syncError(ErrorCode.GROUP_AUTHORIZATION_FAILED);
  return {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    protocolType: r.protocolType,
    protocolName: r.protocolName,
    assignment: r.assignment,
  };
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
    (req.members ?? []).map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      reason: rc.header.apiVersion >= 5 ? m.reason : null,
    })),
  );
  return { throttleTimeMs: 0, errorCode: r.errorCode, members: r.members };
}

async function offsetCommit(
  coordinator: GroupCoordinator,
  req: OffsetCommitRequest,
  rc: RequestContext,
  az: RequestAuthorization,
): Promise<OffsetCommitResponseInput> {
  // READ on the group, then on each topic; denied partitions are answered without being committed.
  const groupAllowed = az.group(AclOperation.READ, req.groupId);
  const errors = topicErrors(az, req.topics, groupAllowed ? ErrorCode.NONE : ErrorCode.GROUP_AUTHORIZATION_FAILED);
  const allowed = req.topics.filter((t) => errors.get(t.name) === ErrorCode.NONE);
  const items = allowed.flatMap((t) =>
    t.partitions.map((p) => ({
      topic: t.name,
      partition: p.partitionIndex,
      offset: p.committedOffset,
      leaderEpoch: p.committedLeaderEpoch,
      metadata: p.committedMetadata,
    })),
  );
  // v0 commits come from outside any group membership (generation -1).
  const anyDenied = allowed.length < req.topics.length;
  const codes = await (!groupAllowed || (anyDenied && items.length === 0)
    ? []
    : coordinator.commitOffsets({
        groupId: req.groupId,
        generationId: rc.header.apiVersion >= 1 ? req.generationIdOrMemberEpoch : -1,
        memberId: req.memberId ?? '',
        groupInstanceId: req.groupInstanceId,
        offsets: items,
        unknownGroupError: rc.header.apiVersion >= 9 ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.ILLEGAL_GENERATION,
      }));
  return { throttleTimeMs: 0, topics: partitionCodes(req.topics, errors, codes) };
}

/**
 * OffsetCommit v10 names topics by id: the ids the broker knows are committed as their topics,
 * an unknown id answers UNKNOWN_TOPIC_ID on each of its partitions (Kafka's rule), in request order.
 */
async function offsetCommitByTopicId(
  coordinator: GroupCoordinator,
  req: OffsetCommitRequest,
  rc: RequestContext,
  az: RequestAuthorization,
): Promise<OffsetCommitResponseInput> {
  const byId = coordinator.consumerTopics().byId;
  const named = req.topics.flatMap((t) => {
    const topic = byId.get(t.topicId ?? '');
    return topic ? [{ ...t, name: topic.name }] : [];
  });
  const answered = (await offsetCommit(coordinator, { ...req, topics: named }, rc, az)).topics;
  let k = 0;
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      topicId: t.topicId,
      partitions: byId.has(t.topicId ?? '')
        ? answered[k++]!.partitions
        : t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_ID })),
    })),
  };
}

interface FetchedPartition {
  partitionIndex: number;
  committedOffset: number;
  committedLeaderEpoch: number;
  metadata: string | null;
  errorCode: number;
}

/** The partitions an OffsetFetch names, per topic (null: every committed offset of the group). */
type FetchTopics = readonly { name: string; partitionIndexes: readonly number[] }[] | null;

/**
 * OffsetFetch: v0-7 ask for one group (v0-1 carry a group error on every partition, v2-7 at the
 * top), v8+ for several, each answered with its own error (no topics then), as Kafka does.
 */
function offsetFetch(
  coordinator: GroupCoordinator,
  req: OffsetFetchRequest,
  rc: RequestContext,
  az: RequestAuthorization,
): OffsetFetchResponseInput {
  const version = rc.header.apiVersion;
  const requireStable = version >= 7 && req.requireStable;
  if (version >= 8) {
    // v9's MemberId/MemberEpoch are checked only for KIP-848 groups; a classic group ignores them.
    return {
      throttleTimeMs: 0,
      groups: (req.groups ?? []).map((g) => {
        const memberCode =
          version >= 9 && az.group(AclOperation.DESCRIBE, g.groupId, true)
            ? coordinator.checkFetchingMember(g.groupId, g.memberId ?? null, g.memberEpoch ?? -1)
            : ErrorCode.NONE;
        const fetch = version >= 10 ? fetchGroupOffsetsByTopicId : fetchGroupOffsets;
        return {
          groupId: g.groupId,
          ...(memberCode === ErrorCode.NONE
            ? fetch(coordinator, az, g.groupId, g.topics, requireStable)
            : { errorCode: memberCode, topics: [] }),
        };
      }),
    };
  }
  const r = fetchGroupOffsets(coordinator, az, req.groupId ?? '', req.topics ?? null, requireStable);
  if (r.errorCode === ErrorCode.NONE) return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, topics: r.topics };
  // v0-1 have no top-level error: every requested partition carries it.
  const perPartition = version < 2 ? r.errorCode : ErrorCode.NONE;
  return {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    topics: (req.topics ?? []).map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((partitionIndex) => noOffset(partitionIndex, perPartition)),
    })),
  };
}

function noOffset(partitionIndex: number, errorCode: number): FetchedPartition {
  return { partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode };
}

/**
 * OffsetFetch v10 names topics by id: known ids are fetched as their topics, an unknown id is
 * answered UNKNOWN_TOPIC_ID on each partition asked for; an all-topics answer leaves out topics
 * the broker has no id for (deleted since the commit), as Kafka does.
 */
function fetchGroupOffsetsByTopicId(
  coordinator: GroupCoordinator,
  az: RequestAuthorization,
  groupId: string,
  ids: readonly { topicId?: string; partitionIndexes: readonly number[] }[] | null,
  requireStable: boolean,
): { errorCode: number; topics: { topicId: string; partitions: FetchedPartition[] }[] } {
  const catalog = coordinator.consumerTopics();
  const known = ids?.filter((t) => catalog.byId.has(t.topicId ?? '')) ?? null;
  const named = known?.map((t) => ({ name: catalog.byId.get(t.topicId!)!.name, partitionIndexes: t.partitionIndexes }));
  const r = fetchGroupOffsets(coordinator, az, groupId, named ?? null, requireStable);
  if (r.errorCode !== ErrorCode.NONE) return { errorCode: r.errorCode, topics: [] };
  const unknown = (ids ?? []).filter((t) => !catalog.byId.has(t.topicId ?? ''));
  return {
    errorCode: ErrorCode.NONE,
    topics: [
      ...r.topics.flatMap((t) => {
        const topicId = catalog.byName.get(t.name)?.id;
        return topicId === undefined ? [] : [{ topicId, partitions: t.partitions }];
      }),
      ...unknown.map((t) => ({
        topicId: t.topicId ?? '',
        partitions: t.partitionIndexes.map((p) => noOffset(p, ErrorCode.UNKNOWN_TOPIC_ID)),
      })),
    ],
  };
}

/** One group's committed offsets of `topics`, or its error. */
function fetchGroupOffsets(
  coordinator: GroupCoordinator,
  az: RequestAuthorization,
  groupId: string,
  named: FetchTopics,
  requireStable: boolean,
): { errorCode: number; topics: { name: string; partitions: FetchedPartition[] }[] } {
  // DESCRIBE on the group, then on each topic: named topics it may not describe are answered
  // TOPIC_AUTHORIZATION_FAILED, and left out of an all-topics answer.
  const describable = (topic: string, quiet: boolean) => az.topic(AclOperation.DESCRIBE, topic, quiet);
  const deniedTopics = named?.filter((t) => !describable(t.name, false)) ?? [];
  const wanted =
    named === null
      ? null
      : named
          .filter((t) => !deniedTopics.includes(t))
          .flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition })));
  const r = az.group(AclOperation.DESCRIBE, groupId)
    ? coordinator.fetchOffsets(groupId, wanted, requireStable)
    : { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, offsets: [] };
  if (r.errorCode !== ErrorCode.NONE) return { errorCode: r.errorCode, topics: [] };
  const byTopic = new Map<string, FetchedPartition[]>();
  for (const o of r.offsets) {
    if (named === null && !describable(o.topic, true)) continue;
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
  for (const t of deniedTopics)
    byTopic.set(
      t.name,
      t.partitionIndexes.map((p) => noOffset(p, ErrorCode.TOPIC_AUTHORIZATION_FAILED)),
    );
  return { errorCode: ErrorCode.NONE, topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })) };
}

async function offsetDelete(
  coordinator: GroupCoordinator,
  req: OffsetDeleteRequest,
  az: RequestAuthorization,
): Promise<OffsetDeleteResponseInput> {
  // DELETE on the group refuses the whole request; READ on each topic, per topic.
  if (!az.group(AclOperation.DELETE, req.groupId))
    return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, throttleTimeMs: 0, topics: [] };
  const errors = topicErrors(az, req.topics, ErrorCode.NONE);
  const wanted = req.topics
    .filter((t) => errors.get(t.name) === ErrorCode.NONE)
    .flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex })));
  const r = await coordinator.deleteOffsets(req.groupId, wanted);
  if (r.errorCode !== ErrorCode.NONE) return { errorCode: r.errorCode, throttleTimeMs: 0, topics: [] };
  return { errorCode: ErrorCode.NONE, throttleTimeMs: 0, topics: partitionCodes(req.topics, errors, r.partitions) };
}

function listGroups(
  coordinator: GroupCoordinator,
  req: ListGroupsRequest,
  az: RequestAuthorization,
): ListGroupsResponseInput {
  const r = coordinator.listGroups(req.statesFilter ?? []);
  // DESCRIBE on the cluster lists every group; else only those the principal may DESCRIBE.
  const all = az.cluster(AclOperation.DESCRIBE, true);
  // v5 filters by type ("classic", "consumer"), case-insensitively as Kafka does.
  const types = new Set((req.typesFilter ?? []).map((t) => t.toLowerCase()));
  const typeWanted = (type: string) => types.size === 0 || types.has(type);
  return {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    groups: r.groups
      .filter((g) => typeWanted(g.type) && (all || az.group(AclOperation.DESCRIBE, g.groupId, true)))
      .map((g) => ({
        groupId: g.groupId,
        protocolType: g.protocolType,
        groupState: g.state,
        groupType: g.type,
      })),
  };
}

function describeGroups(
  coordinator: GroupCoordinator,
  req: DescribeGroupsRequest,
  rc: RequestContext,
  az: RequestAuthorization,
): DescribeGroupsResponseInput {
  const version = rc.header.apiVersion;
  const withOps = version >= 3 && req.includeAuthorizedOperations === true;
  return {
    throttleTimeMs: 0,
    groups: req.groups.map((id) => {
      if (!az.group(AclOperation.DESCRIBE, id))
        return {
          errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
          errorMessage: 'Not authorized to access group.',
          groupId: id,
          groupState: '',
          protocolType: '',
          protocolData: '',
          members: [],
        };
      const d = coordinator.describeGroup(id);
      // v6 (KIP-1043) answers a group that does not exist GROUP_ID_NOT_FOUND; older versions NONE, state Dead.
      const errorCode = d.errorCode === ErrorCode.GROUP_ID_NOT_FOUND && version < 6 ? ErrorCode.NONE : d.errorCode;
      return {
        ...(withOps && d.errorCode === ErrorCode.NONE
          ? { authorizedOperations: az.authorizedOperations(AclResourceType.GROUP, id) }
          : {}),
        errorCode,
        errorMessage: describeErrorMessage(id, errorCode),
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

/** DescribeGroups v6's ErrorMessage: null without an error. */
function describeErrorMessage(groupId: string, errorCode: number): string | null {
  if (errorCode === ErrorCode.NONE) return null;
  if (errorCode === ErrorCode.GROUP_ID_NOT_FOUND) return `Group ${groupId} not found.`;
  return `${errorName(errorCode)} for group ${groupId}.`;
}

async function deleteGroups(
  coordinator: GroupCoordinator,
  req: DeleteGroupsRequest,
  az: RequestAuthorization,
): Promise<DeleteGroupsResponseInput> {
  const results = await Promise.all(
    req.groupsNames.map(async (groupId) => ({
      groupId,
      errorCode: az.group(AclOperation.DELETE, groupId)
        ? await coordinator.deleteGroup(groupId)
        : ErrorCode.GROUP_AUTHORIZATION_FAILED,
    })),
  );
  return { throttleTimeMs: 0, results };
}
