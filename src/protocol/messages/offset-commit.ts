// OffsetCommit (key 8). Kafka 3.9: versions 0-9; 4.2+: 2-10 (v10 names topics by id, KIP-848);
// flexible 8+. raftka serves 0-10 (librdkafka needs an overlap with 1-2 advertised and sends 7,
// kafkajs sends 5). v0 commits go to ZooKeeper in old Kafka; here all versions use the group
// coordinator. v9 (KIP-848) has v8's fields; for a classic group the field is the generation, and a
// commit with a generation to a group that does not exist answers GROUP_ID_NOT_FOUND (v8 and
// older: ILLEGAL_GENERATION).
//
// Request:  GroupId, v1+ GenerationIdOrMemberEpoch int32 (-1), v1+ MemberId,
//           v7+ GroupInstanceId nullable (null), v2-4 RetentionTimeMs int64 (-1),
//           Topics [v0-9 Name, v10+ TopicId uuid, Partitions [PartitionIndex int32, CommittedOffset int64,
//             v6+ CommittedLeaderEpoch int32 (-1), v1 CommitTimestamp int64 (-1),
//             CommittedMetadata nullable]]
// Response: v3+ ThrottleTimeMs, Topics [v0-9 Name, v10+ TopicId uuid, Partitions [PartitionIndex int32,
//           ErrorCode]]; v10 answers UNKNOWN_TOPIC_ID for an id the broker does not know.
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const offsetCommitRequestSchema = message('OffsetCommitRequest', '8+', [
  field('groupId', 'string', '0+'),
  field('generationIdOrMemberEpoch', 'int32', '1+', { default: -1 }),
  field('memberId', 'string', '1+', { optional: true }),
  field('groupInstanceId', 'string', '7+', { nullable: '7+', default: null }),
  field('retentionTimeMs', 'int64', '2-4', { default: -1 }),
  field(
    'topics',
    array(
      struct([
        field('name', 'string', '0-9', { optional: true }),
        field('topicId', 'uuid', '10+', { optional: true }),
        field(
          'partitions',
          array(
            struct([
              field('partitionIndex', 'int32', '0+'),
              field('committedOffset', 'int64', '0+'),
              field('committedLeaderEpoch', 'int32', '6+', { default: -1 }),
              field('commitTimestamp', 'int64', '1', { default: -1 }),
              field('committedMetadata', 'string', '0+', { nullable: '0+' }),
            ]),
          ),
          '0+',
        ),
      ]),
    ),
    '0+',
  ),
]);

const offsetCommitResponseSchema = message('OffsetCommitResponse', '8+', [
  field('throttleTimeMs', 'int32', '3+', { default: 0 }),
  field(
    'topics',
    array(
      struct([
        field('name', 'string', '0-9', { optional: true }),
        field('topicId', 'uuid', '10+', { optional: true }),
        field(
          'partitions',
          array(struct([field('partitionIndex', 'int32', '0+'), field('errorCode', 'int16', '0+')])),
          '0+',
        ),
      ]),
    ),
    '0+',
  ),
]);

export interface OffsetCommitRequest extends MessageValue<typeof offsetCommitRequestSchema> {}
export type OffsetCommitResponseInput = MessageInput<typeof offsetCommitResponseSchema>;

export const offsetCommitApi = defineApi({
  key: 8,
  name: 'OffsetCommit',
  minVersion: 0,
  maxVersion: 10,
  request: offsetCommitRequestSchema,
  response: offsetCommitResponseSchema,
});
export const {
  decodeRequest: decodeOffsetCommitRequest,
  encodeRequest: encodeOffsetCommitRequest,
  decodeResponse: decodeOffsetCommitResponse,
  encodeResponse: encodeOffsetCommitResponse,
} = offsetCommitApi;
