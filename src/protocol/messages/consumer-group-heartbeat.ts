// ConsumerGroupHeartbeat (key 68), KIP-848: the member of a "consumer" type group joins (epoch 0),
// heartbeats with its epoch and the partitions it owns, and leaves (-1, or -2 for a static member
// that will come back). Kafka 3.9: version 0; Kafka 4.x: 0-1, flexible 0+. v1 adds
// SubscribedTopicRegex and makes the client generate its own member id (KIP-1082).
//
// Request:  GroupId, MemberId, MemberEpoch int32, InstanceId nullable (null), RackId nullable (null),
//           RebalanceTimeoutMs int32 (-1), SubscribedTopicNames [string] nullable (null),
//           v1+ SubscribedTopicRegex nullable (null), ServerAssignor nullable (null),
//           TopicPartitions nullable (null) [TopicId uuid, Partitions [int32]]
// Response: ThrottleTimeMs, ErrorCode, ErrorMessage nullable (null), MemberId nullable (null),
//           MemberEpoch int32, HeartbeatIntervalMs int32,
//           Assignment nullable (null) {TopicPartitions [TopicId uuid, Partitions [int32]]}
// Who calls: src/broker/group/consumer-group-apis.ts (server), src/client/consumer-group-client.ts.
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const topicPartitions = array(struct([field('topicId', 'uuid', '0+'), field('partitions', array('int32'), '0+')]));

const requestSchema = message('ConsumerGroupHeartbeatRequest', '0+', [
  field('groupId', 'string', '0+'),
  field('memberId', 'string', '0+'),
  field('memberEpoch', 'int32', '0+'),
  field('instanceId', 'string', '0+', { nullable: '0+', default: null }),
  field('rackId', 'string', '0+', { nullable: '0+', default: null }),
  field('rebalanceTimeoutMs', 'int32', '0+', { default: -1 }),
  field('subscribedTopicNames', array('string'), '0+', { nullable: '0+', default: null }),
  field('subscribedTopicRegex', 'string', '1+', { nullable: '1+', default: null }),
  field('serverAssignor', 'string', '0+', { nullable: '0+', default: null }),
  field('topicPartitions', topicPartitions, '0+', { nullable: '0+', default: null }),
]);

const responseSchema = message('ConsumerGroupHeartbeatResponse', '0+', [
  field('throttleTimeMs', 'int32', '0+', { default: 0 }),
  field('errorCode', 'int16', '0+'),
  field('errorMessage', 'string', '0+', { nullable: '0+', default: null }),
  field('memberId', 'string', '0+', { nullable: '0+', default: null }),
  field('memberEpoch', 'int32', '0+'),
  field('heartbeatIntervalMs', 'int32', '0+'),
  field('assignment', struct([field('topicPartitions', topicPartitions, '0+')]), '0+', {
    nullable: '0+',
    default: null,
  }),
]);

export interface ConsumerGroupHeartbeatRequest extends MessageValue<typeof requestSchema> {}
export type ConsumerGroupHeartbeatRequestInput = MessageInput<typeof requestSchema>;
export interface ConsumerGroupHeartbeatResponse extends MessageValue<typeof responseSchema> {}
export type ConsumerGroupHeartbeatResponseInput = MessageInput<typeof responseSchema>;

export const consumerGroupHeartbeatApi = defineApi({
  key: 68,
  name: 'ConsumerGroupHeartbeat',
  minVersion: 0,
  maxVersion: 1,
  request: requestSchema,
  response: responseSchema,
});
