// The consumer group protocol's requests (KIP-848) on raftka's own client: ConsumerGroupHeartbeat
// to the group's coordinator and ConsumerGroupDescribe for `raftka consumer-groups --describe`.
// Coordinator lookup, caching and forgetting are group-client.ts's. Callers: ConsumerMembership
// (consumer-membership.ts), the consumer-groups CLI.
import { ErrorCode } from '../common/errors.js';
import {
  consumerGroupDescribeApi,
  type ConsumerGroupDescribeResponse,
} from '../protocol/messages/consumer-group-describe.js';
import {
  consumerGroupHeartbeatApi,
  type ConsumerGroupHeartbeatRequestInput,
  type ConsumerGroupHeartbeatResponse,
} from '../protocol/messages/consumer-group-heartbeat.js';
import { describeGroups, findCoordinator, toCoordinator, type GroupDescription } from './group-client.js';
import { encodeAssignment } from '../protocol/consumer-protocol.js';
import { KafkaRequestError, type KafkaClient } from './kafka-client.js';

/** Whether the coordinator speaks ConsumerGroupHeartbeat v1 (the member then names its own id, KIP-1082). */
export async function heartbeatVersion(client: KafkaClient, groupId: string): Promise<number> {
  return toCoordinator(
    client,
    groupId,
    async (c) => c.versionFor(consumerGroupHeartbeatApi),
    () => ErrorCode.NONE,
  );
}

/** One ConsumerGroupHeartbeat; an error answer throws a KafkaRequestError with its code and message. */
export async function consumerGroupHeartbeat(
  client: KafkaClient,
  req: ConsumerGroupHeartbeatRequestInput,
): Promise<ConsumerGroupHeartbeatResponse> {
  const res = await toCoordinator(
    client,
    req.groupId,
    (c) => c.send(consumerGroupHeartbeatApi, req, client.requestTimeoutMs),
    (r) => r.errorCode,
  );
  if (res.errorCode !== ErrorCode.NONE)
    throw new KafkaRequestError(
      res.errorCode,
      `ConsumerGroupHeartbeat of group '${req.groupId}' epoch ${req.memberEpoch}${res.errorMessage ? `: ${res.errorMessage}` : ''}`,
    );
  return res;
}

export type ConsumerGroupDescription = ConsumerGroupDescribeResponse['groups'][number];

/** ConsumerGroupDescribe of one group (its own error code included, not thrown); null when the coordinator does not serve the API. */
export async function consumerGroupDescribe(
  client: KafkaClient,
  groupId: string,
): Promise<ConsumerGroupDescription | null> {
  const res = await toCoordinator(
    client,
    groupId,
    async (c) =>
      c.serves(consumerGroupDescribeApi.key)
        ? c.send(
            consumerGroupDescribeApi,
            { groupIds: [groupId], includeAuthorizedOperations: false },
            client.requestTimeoutMs,
          )
        : null,
    (r) => r?.groups[0]?.errorCode ?? ErrorCode.NONE,
  );
  if (res === null) return null;
  const g = res.groups.find((x) => x.groupId === groupId);
  if (!g)
    throw new KafkaRequestError(
      ErrorCode.UNKNOWN_SERVER_ERROR,
      `ConsumerGroupDescribe answered nothing for '${groupId}'`,
    );
  return g;
}

/**
 * DescribeGroups for classic groups and ConsumerGroupDescribe for the groups DescribeGroups does
 * not know (consumer groups of KIP-848 answer GROUP_ID_NOT_FOUND, or Dead before v6, as in Kafka), in the order
 * asked; a consumer group's members carry their current assignment in the classic encoding, so
 * `raftka consumer-groups` shows both kinds alike.
 */
export async function describeGroupsOfBothKinds(
  client: KafkaClient,
  groupIds: readonly string[],
): Promise<GroupDescription[]> {
  const classic = await describeGroups(client, groupIds);
  return Promise.all(
    classic.map(async (d) => {
      // Before DescribeGroups v6 an unknown (or non-classic) group is answered NONE in state Dead.
      const unknown =
        d.errorCode === ErrorCode.GROUP_ID_NOT_FOUND || (d.errorCode === ErrorCode.NONE && d.state === 'Dead');
      if (!unknown) return d;
      const g = await consumerGroupDescribe(client, d.groupId);
      if (g === null || g.errorCode !== ErrorCode.NONE) return d;
      return {
        groupId: d.groupId,
        errorCode: ErrorCode.NONE,
        state: g.groupState,
        protocolType: 'consumer',
        protocol: g.assignorName,
        coordinator: await findCoordinator(client, d.groupId),
        members: g.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.instanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          metadata: Buffer.alloc(0),
          assignment: encodeAssignment(
            m.assignment.topicPartitions.map((t) => ({ topic: t.topicName, partitions: t.partitions })),
          ),
        })),
      };
    }),
  );
}
