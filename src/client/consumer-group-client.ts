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
import { toCoordinator } from './group-client.js';
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

/** ConsumerGroupDescribe of one group (its own error code included, not thrown). */
export async function consumerGroupDescribe(client: KafkaClient, groupId: string): Promise<ConsumerGroupDescription> {
  const res = await toCoordinator(
    client,
    groupId,
    (c) =>
      c.send(
        consumerGroupDescribeApi,
        { groupIds: [groupId], includeAuthorizedOperations: false },
        client.requestTimeoutMs,
      ),
    (r) => r.groups[0]?.errorCode ?? ErrorCode.NONE,
  );
  const g = res.groups.find((x) => x.groupId === groupId);
  if (!g)
    throw new KafkaRequestError(
      ErrorCode.UNKNOWN_SERVER_ERROR,
      `ConsumerGroupDescribe answered nothing for '${groupId}'`,
    );
  return g;
}
