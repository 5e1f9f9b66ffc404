// OffsetFetch (key 9). Kafka 3.9: versions 0-9; 4.2+: 1-10 (v10 names topics by id, KIP-848);
// flexible 6+. raftka serves 0-10 (librdkafka needs v1 advertised and sends 7 (flexible), kafkajs
// sends 4). Topics = null (v2+) means "all committed offsets of the group". v8+ asks for several
// groups at once and answers per group (each with its own error); v9 adds MemberId/MemberEpoch,
// which only KIP-848 groups check (a classic group ignores them, as Kafka's does).
//
// Request:  v0-7 GroupId, v0-7 Topics nullable(v2-7) [Name, PartitionIndexes [int32]],
//           v8+ Groups [GroupId, v9+ MemberId nullable (null), v9+ MemberEpoch int32 (-1),
//             Topics nullable [v8-9 Name, v10+ TopicId uuid, PartitionIndexes [int32]]],
//           v7+ RequireStable bool (false)
// Response: v3+ ThrottleTimeMs, v0-7 Topics [Name, Partitions [PartitionIndex, CommittedOffset int64,
//             v5-7 CommittedLeaderEpoch int32 (-1), Metadata nullable, ErrorCode]],
//           v2-7 ErrorCode int16 (0), v8+ Groups [GroupId, Topics [v8-9 Name, v10+ TopicId, Partitions [PartitionIndex,
//             CommittedOffset, CommittedLeaderEpoch (-1), Metadata nullable, ErrorCode]], ErrorCode (0)]
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const offsetFetchRequestSchema = message('OffsetFetchRequest', '6+', [
  field('groupId', 'string', '0-7', { optional: true }),
  field(
    'topics',
    array(struct([field('name', 'string', '0-7'), field('partitionIndexes', array('int32'), '0-7')])),
    '0-7',
    { nullable: '2-7', optional: true },
  ),
  field(
    'groups',
    array(
      struct([
        field('groupId', 'string', '8+'),
        field('memberId', 'string', '9+', { nullable: '9+', default: null }),
        field('memberEpoch', 'int32', '9+', { default: -1 }),
        field(
          'topics',
          array(
            struct([
              field('name', 'string', '8-9', { optional: true }),
              field('topicId', 'uuid', '10+', { optional: true }),
              field('partitionIndexes', array('int32'), '8+'),
            ]),
          ),
          '8+',
          { nullable: '8+' },
        ),
      ]),
    ),
    '8+',
    { optional: true },
  ),
  field('requireStable', 'bool', '7+', { default: false }),
]);

const offsetFetchResponseSchema = message('OffsetFetchResponse', '6+', [
  field('throttleTimeMs', 'int32', '3+', { default: 0 }),
  field(
    'topics',
    array(
      struct([
        field('name', 'string', '0-7'),
        field(
          'partitions',
          array(
            struct([
              field('partitionIndex', 'int32', '0-7'),
              field('committedOffset', 'int64', '0-7'),
              field('committedLeaderEpoch', 'int32', '5-7', { default: -1 }),
              field('metadata', 'string', '0-7', { nullable: '0-7' }),
              field('errorCode', 'int16', '0-7'),
            ]),
          ),
          '0-7',
        ),
      ]),
    ),
    '0-7',
    { optional: true },
  ),
  field('errorCode', 'int16', '2-7', { default: 0 }),
  field(
    'groups',
    array(
      struct([
        field('groupId', 'string', '8+'),
        field(
          'topics',
          array(
            struct([
              field('name', 'string', '8-9', { optional: true }),
              field('topicId', 'uuid', '10+', { optional: true }),
              field(
                'partitions',
                array(
                  struct([
                    field('partitionIndex', 'int32', '8+'),
                    field('committedOffset', 'int64', '8+'),
                    field('committedLeaderEpoch', 'int32', '8+', { default: -1 }),
                    field('metadata', 'string', '8+', { nullable: '8+' }),
                    field('errorCode', 'int16', '8+'),
                  ]),
                ),
                '8+',
              ),
            ]),
          ),
          '8+',
        ),
        field('errorCode', 'int16', '8+', { default: 0 }),
      ]),
    ),
    '8+',
    { optional: true },
  ),
]);

export interface OffsetFetchRequest extends MessageValue<typeof offsetFetchRequestSchema> {}
export type OffsetFetchResponseInput = MessageInput<typeof offsetFetchResponseSchema>;

export const offsetFetchApi = defineApi({
  key: 9,
  name: 'OffsetFetch',
  minVersion: 0,
  maxVersion: 10,
  request: offsetFetchRequestSchema,
  response: offsetFetchResponseSchema,
});
export const {
  decodeRequest: decodeOffsetFetchRequest,
  encodeRequest: encodeOffsetFetchRequest,
  decodeResponse: decodeOffsetFetchResponse,
  encodeResponse: encodeOffsetFetchResponse,
} = offsetFetchApi;
