// ListOffsets (key 2). Kafka: versions 0-11 (4.x: 1-11), flexible 6+; raftka serves 0-11 (librdkafka
// needs v1 advertised for offsets-for-times and sends 2, kafkajs sends 3, @platformatic/kafka needs
// ≥ 5). The versions add special timestamps, each refused (UNSUPPORTED_VERSION) below its version:
// v7 -3 max timestamp (KIP-734), v8 -4 earliest local offset (KIP-405), v9 -5 latest tiered offset
// (KIP-1005), v11 -6 earliest pending upload (KIP-1023); v10 adds TimeoutMs for remote lookups
// (KIP-1075). raftka has no tiered storage: -4 is the log start offset, -5 and -6 answer offset -1,
// as Kafka does for a topic without remote storage.
//
// Request:  ReplicaId int32, v2+ IsolationLevel int8,
//           Topics [Name, Partitions [PartitionIndex int32, v4+ CurrentLeaderEpoch int32 (-1),
//             Timestamp int64, v0 MaxNumOffsets int32 (1)]], v10+ TimeoutMs int32
// Response: v2+ ThrottleTimeMs, Topics [Name, Partitions [PartitionIndex, ErrorCode,
//             v0 OldStyleOffsets [int64], v1+ Timestamp int64 (-1), v1+ Offset int64 (-1),
//             v4+ LeaderEpoch int32 (-1)]]
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const listOffsetsRequestSchema = message('ListOffsetsRequest', '6+', [
  field('replicaId', 'int32', '0+'),
  field('isolationLevel', 'int8', '2+', { optional: true }),
  field(
    'topics',
    array(
      struct([
        field('name', 'string', '0+'),
        field(
          'partitions',
          array(
            struct([
              field('partitionIndex', 'int32', '0+'),
              field('currentLeaderEpoch', 'int32', '4+', { default: -1 }),
              field('timestamp', 'int64', '0+'),
              field('maxNumOffsets', 'int32', '0', { default: 1 }),
            ]),
          ),
          '0+',
        ),
      ]),
    ),
    '0+',
  ),
  field('timeoutMs', 'int32', '10+', { optional: true }),
]);

const listOffsetsResponseSchema = message('ListOffsetsResponse', '6+', [
  field('throttleTimeMs', 'int32', '2+', { default: 0 }),
  field(
    'topics',
    array(
      struct([
        field('name', 'string', '0+'),
        field(
          'partitions',
          array(
            struct([
              field('partitionIndex', 'int32', '0+'),
              field('errorCode', 'int16', '0+'),
              field('oldStyleOffsets', array('int64'), '0', { optional: true }),
              field('timestamp', 'int64', '1+', { default: -1 }),
              field('offset', 'int64', '1+', { default: -1 }),
              field('leaderEpoch', 'int32', '4+', { default: -1 }),
            ]),
          ),
          '0+',
        ),
      ]),
    ),
    '0+',
  ),
]);

export interface ListOffsetsRequest extends MessageValue<typeof listOffsetsRequestSchema> {}
export type ListOffsetsResponseInput = MessageInput<typeof listOffsetsResponseSchema>;

export const listOffsetsApi = defineApi({
  key: 2,
  name: 'ListOffsets',
  minVersion: 0,
  maxVersion: 11,
  request: listOffsetsRequestSchema,
  response: listOffsetsResponseSchema,
});
export const {
  decodeRequest: decodeListOffsetsRequest,
  encodeRequest: encodeListOffsetsRequest,
  decodeResponse: decodeListOffsetsResponse,
  encodeResponse: encodeListOffsetsResponse,
} = listOffsetsApi;
