// The Kafka APIs of the consumer group protocol (KIP-848) on the broker: ConsumerGroupHeartbeat
// (key 68) and ConsumerGroupDescribe (key 69). Each handler checks the principal's rights, turns
// the wire form into a GroupCoordinator call and back. Registered by group-apis.ts.
import { ErrorCode } from '../../common/errors.js';
import { AclOperation, AclResourceType } from '../../protocol/acl-types.js';
import {
  consumerGroupDescribeApi,
  type ConsumerGroupDescribeRequest,
  type ConsumerGroupDescribeResponseInput,
} from '../../protocol/messages/consumer-group-describe.js';
import {
  consumerGroupHeartbeatApi,
  type ConsumerGroupHeartbeatRequest,
  type ConsumerGroupHeartbeatResponseInput,
} from '../../protocol/messages/consumer-group-heartbeat.js';
import type { KafkaApiRegistry, RequestContext } from '../api-context.js';
import type { RequestAuthorization } from '../authorization.js';
import type { TopicCatalog } from './assignors.js';
import type { GroupCoordinator } from './group-coordinator.js';
import type { TopicAssignment } from './reconciliation.js';

/** ConsumerGroupDescribe v1's MemberType of a member of the consumer protocol (KIP-1099). */
const consumerMemberType = 1;

export function registerConsumerGroupApis(apis: KafkaApiRegistry, coordinator: GroupCoordinator): void {
  apis.register(consumerGroupHeartbeatApi, (r, rc, az) => heartbeat(coordinator, r, rc, az));
  apis.register(consumerGroupDescribeApi, (r, _rc, az) => describe(coordinator, r, az));
}

/** Why ConsumerGroupHeartbeat / ConsumerGroupDescribe are refused while group.version is 0. */
const protocolOff =
  'The consumer group protocol is off: the finalized group.version is 0 (raftka features upgrade --feature group.version=1 turns it on).';

async function heartbeat(
  coordinator: GroupCoordinator,
  req: ConsumerGroupHeartbeatRequest,
  rc: RequestContext,
  az: RequestAuthorization,
): Promise<ConsumerGroupHeartbeatResponseInput> {
  const refuse = (errorCode: number, errorMessage: string): ConsumerGroupHeartbeatResponseInput => ({
    throttleTimeMs: 0,
    errorCode,
    errorMessage,
    memberId: null,
    memberEpoch: -1,
    heartbeatIntervalMs: 0,
    assignment: null,
  });
  if (!coordinator.consumerProtocolEnabled()) return refuse(ErrorCode.UNSUPPORTED_VERSION, protocolOff);
  // READ on the group (Kafka's rule), then DESCRIBE on every topic subscribed by name.
  if (!az.group(AclOperation.READ, req.groupId))
    return refuse(ErrorCode.GROUP_AUTHORIZATION_FAILED, 'Not authorized to access group.');
  const denied = (req.subscribedTopicNames ?? []).filter((t) => !az.topic(AclOperation.DESCRIBE, t));
  if (denied.length > 0)
    return refuse(ErrorCode.TOPIC_AUTHORIZATION_FAILED, `Not authorized to describe topics: ${denied.join(', ')}.`);
  const version = rc.header.apiVersion;
  const r = await coordinator.consumerHeartbeat({
    apiVersion: version,
    groupId: req.groupId,
    memberId: req.memberId,
    memberEpoch: req.memberEpoch,
    instanceId: req.instanceId,
    rackId: req.rackId,
    rebalanceTimeoutMs: req.rebalanceTimeoutMs,
    subscribedTopicNames: req.subscribedTopicNames,
    subscribedTopicRegex: version >= 1 ? req.subscribedTopicRegex : null,
    serverAssignor: req.serverAssignor,
    topicPartitions: req.topicPartitions,
    clientId: rc.header.clientId ?? '',
    clientHost: `/${rc.clientHost}`,
  });
  return {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    errorMessage: r.errorMessage,
    memberId: r.memberId,
    memberEpoch: r.memberEpoch,
    heartbeatIntervalMs: r.heartbeatIntervalMs,
    assignment: r.assignment === null ? null : { topicPartitions: r.assignment },
  };
}

/** An assignment as ConsumerGroupDescribe lists it: by topic id and name (topics deleted meanwhile are left out). */
function described(a: TopicAssignment | undefined, catalog: TopicCatalog) {
  return {
    topicPartitions: [...(a ?? new Map<string, ReadonlySet<number>>())].flatMap(([topicId, s]) => {
      const t = catalog.byId.get(topicId);
      return t && s.size > 0 ? [{ topicId, topicName: t.name, partitions: [...s].sort((x, y) => x - y) }] : [];
    }),
  };
}

function describe(
  coordinator: GroupCoordinator,
  req: ConsumerGroupDescribeRequest,
  az: RequestAuthorization,
): ConsumerGroupDescribeResponseInput {
  const catalog = coordinator.consumerTopics();
  const none = (groupId: string, errorCode: number, errorMessage: string | null) => ({
    errorCode,
    errorMessage,
    groupId,
    groupState: '',
    groupEpoch: -1,
    assignmentEpoch: -1,
    assignorName: '',
    members: [],
  });
  const off = !coordinator.consumerProtocolEnabled();
  return {
    throttleTimeMs: 0,
    groups: req.groupIds.map((groupId) => {
      if (off) return none(groupId, ErrorCode.UNSUPPORTED_VERSION, protocolOff);
      if (!az.group(AclOperation.DESCRIBE, groupId))
        return none(groupId, ErrorCode.GROUP_AUTHORIZATION_FAILED, 'Not authorized to access group.');
      const d = coordinator.describeConsumerGroup(groupId);
      const cg = d.group?.consumer;
      if (d.errorCode !== ErrorCode.NONE || !d.group || !cg) return none(groupId, d.errorCode, d.errorMessage);
      return {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        groupId,
        groupState: cg.stateName(),
        groupEpoch: cg.groupEpoch,
        assignmentEpoch: cg.assignmentEpoch,
        assignorName: coordinator.consumerAssignorOf(d.group),
        members: [...cg.members.values()].map((m) => ({
          memberId: m.memberId,
          instanceId: m.instanceId,
          rackId: m.rackId,
          memberEpoch: m.memberEpoch,
          clientId: m.clientId,
          clientHost: m.clientHost,
          subscribedTopicNames: m.subscribedTopicNames,
          subscribedTopicRegex: m.subscribedTopicRegex,
          assignment: described(m.assigned, catalog),
          targetAssignment: described(cg.target.get(m.memberId), catalog),
          memberType: consumerMemberType,
        })),
        ...(req.includeAuthorizedOperations
          ? { authorizedOperations: az.authorizedOperations(AclResourceType.GROUP, groupId) }
          : {}),
      };
    }),
  };
}
