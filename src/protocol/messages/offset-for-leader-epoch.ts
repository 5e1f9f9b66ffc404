// OffsetForLeaderEpoch (key 23). Kafka: versions 0-4 (4.x: 2-4), flexible 4+; raftka
// serves 0-4 (Java consumers use it for log truncation detection; kafkajs/librdkafka 2.0.2 never
// send it; v4 only changes the encoding).
//
// Request:  v3+ ReplicaId int32 (-2), Topics [Topic string, Partitions [Partition int32,
//             v2+ CurrentLeaderEpoch int32 (-1), LeaderEpoch int32]]
// Response: v2+ ThrottleTimeMs, Topics [Topic, Partitions [ErrorCode int16, Partition int32,
//             v1+ LeaderEpoch int32 (-1), EndOffset int64 (-1)]]
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const offsetForLeaderEpochRequestSchema = message('OffsetForLeaderEpochRequest', '4+', [
  field('replicaId', 'int32', '3+', { default: -2 }),
  field(
    'topics',
    array(
      struct([
        field('topic', 'string', '0+'),
        field(
          'partitions',
          array(
            struct([
              field('partition', 'int32', '0+'),
              field('currentLeaderEpoch', 'int32', '2+', { default: -1 }),
              field('leaderEpoch', 'int32', '0+'),
            ]),
          ),
          '0+',
        ),
      ]),
    ),
    '0+',
  ),
]);

const offsetForLeaderEpochResponseSchema = message('OffsetForLeaderEpochResponse', '4+', [
  field('throttleTimeMs', 'int32', '2+', { default: 0 }),
  field(
    'topics',
    array(
      struct([
        field('topic', 'string', '0+'),
        field(
          'partitions',
          array(
            struct([
              field('errorCode', 'int16', '0+'),
              field('partition', 'int32', '0+'),
              field('leaderEpoch', 'int32', '1+', { default: -1 }),
              field('endOffset', 'int64', '0+', { default: -1 }),
            ]),
          ),
          '0+',
        ),
      ]),
    ),
    '0+',
  ),
]);

export interface OffsetForLeaderEpochRequest extends MessageValue<typeof offsetForLeaderEpochRequestSchema> {}
export type OffsetForLeaderEpochResponseInput = MessageInput<typeof offsetForLeaderEpochResponseSchema>;

export const offsetForLeaderEpochApi = defineApi({
  key: 23,
  name: 'OffsetForLeaderEpoch',
  minVersion: 0,
  maxVersion: 4,
  request: offsetForLeaderEpochRequestSchema,
  response: offsetForLeaderEpochResponseSchema,
});
export const {
  decodeRequest: decodeOffsetForLeaderEpochRequest,
  encodeRequest: encodeOffsetForLeaderEpochRequest,
  decodeResponse: decodeOffsetForLeaderEpochResponse,
  encodeResponse: encodeOffsetForLeaderEpochResponse,
} = offsetForLeaderEpochApi;
