// DescribeTopicPartitions (key 75), KIP-966: Metadata's topic part with paging, used by
// kafka-topics.sh --describe from 3.7. Kafka 3.9 and 4.x: version 0 only, flexible 0+.
//
// Request:  Topics [Name], ResponsePartitionLimit int32 (2000), Cursor nullable (null) {TopicName,
//           PartitionIndex int32}
// Response: ThrottleTimeMs, Topics [ErrorCode, Name nullable, TopicId uuid, IsInternal bool (false),
//             Partitions [ErrorCode, PartitionIndex, LeaderId, LeaderEpoch (-1), ReplicaNodes [int32],
//               IsrNodes [int32], EligibleLeaderReplicas [int32] nullable (null), LastKnownElr [int32]
//               nullable (null), OfflineReplicas [int32]],
//             TopicAuthorizedOperations int32 (INT32_MIN)],
//           NextCursor nullable (null) {TopicName, PartitionIndex}
// Who calls: src/broker/topic-partitions-api.ts, src/client/kafka-client.ts (topics --describe).
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const cursor = struct([field('topicName', 'string', '0+'), field('partitionIndex', 'int32', '0+')]);

const requestSchema = message('DescribeTopicPartitionsRequest', '0+', [
  field('topics', array(struct([field('name', 'string', '0+')])), '0+'),
  field('responsePartitionLimit', 'int32', '0+', { default: 2000 }),
  field('cursor', cursor, '0+', { nullable: '0+', default: null }),
]);

const responseSchema = message('DescribeTopicPartitionsResponse', '0+', [
  field('throttleTimeMs', 'int32', '0+', { default: 0 }),
  field(
    'topics',
    array(
      struct([
        field('errorCode', 'int16', '0+'),
        field('name', 'string', '0+', { nullable: '0+' }),
        field('topicId', 'uuid', '0+', { optional: true }),
        field('isInternal', 'bool', '0+', { default: false }),
        field(
          'partitions',
          array(
            struct([
              field('errorCode', 'int16', '0+'),
              field('partitionIndex', 'int32', '0+'),
              field('leaderId', 'int32', '0+'),
              field('leaderEpoch', 'int32', '0+', { default: -1 }),
              field('replicaNodes', array('int32'), '0+'),
              field('isrNodes', array('int32'), '0+'),
              field('eligibleLeaderReplicas', array('int32'), '0+', { nullable: '0+', default: null }),
              field('lastKnownElr', array('int32'), '0+', { nullable: '0+', default: null }),
              field('offlineReplicas', array('int32'), '0+'),
            ]),
          ),
          '0+',
        ),
        field('topicAuthorizedOperations', 'int32', '0+', { default: -2147483648 }),
      ]),
    ),
    '0+',
  ),
  field('nextCursor', cursor, '0+', { nullable: '0+', default: null }),
]);

export interface DescribeTopicPartitionsRequest extends MessageValue<typeof requestSchema> {}
export type DescribeTopicPartitionsResponseInput = MessageInput<typeof responseSchema>;
export type DescribeTopicPartitionsResponse = MessageValue<typeof responseSchema>;

export const describeTopicPartitionsApi = defineApi({
  key: 75,
  name: 'DescribeTopicPartitions',
  minVersion: 0,
  maxVersion: 0,
  request: requestSchema,
  response: responseSchema,
});
