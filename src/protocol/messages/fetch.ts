// Fetch (key 1). Kafka: versions 0-18 (4.x: 4-18), flexible 12+. raftka serves 4-18: v4 is the
// first with RecordBatch v2 (librdkafka MSGVER2; v0-3 would need down-conversion to message format
// v0/v1, which raftka does not do), kafkajs and librdkafka send 11, @platformatic/kafka 12. v13
// names topics by id (an unknown id is UNKNOWN_TOPIC_ID), v14 may answer
// OFFSET_MOVED_TO_TIERED_STORAGE (never: no tiered storage), v15 moves the replica id into
// ReplicaState, v16 adds NodeEndpoints (KIP-951), v17 the follower's directory id, v18 the
// follower's high watermark (KIP-1166); v15-18 change only what a follower sends (raftka's
// followers fetch over gRPC). Hot path: `records` is encoded from the caller's Buffer (big ones by
// reference, see Writer) and decoded as a slice; nothing here looks inside it.
//
// Request:  v12+ tagged 0 ClusterId nullable string; v0-14 ReplicaId int32 (-1);
//           v15+ tagged 1 ReplicaState {ReplicaId int32 (-1), ReplicaEpoch int64 (-1)};
//           MaxWaitMs int32, MinBytes int32, v3+ MaxBytes int32 (0x7fffffff), v4+ IsolationLevel int8,
//           v7+ SessionId int32 (0), v7+ SessionEpoch int32 (-1),
//           Topics [v0-12 Topic string, v13+ TopicId uuid, Partitions [Partition int32,
//             v9+ CurrentLeaderEpoch int32 (-1), FetchOffset int64, v12+ LastFetchedEpoch int32 (-1),
//             v5+ LogStartOffset int64 (-1), PartitionMaxBytes int32, v17+ tagged 0 ReplicaDirectoryId uuid,
//             v18+ tagged 1 HighWatermark int64 (Long.MAX: not known)]],
//           v7+ ForgottenTopicsData [v7-12 Topic, v13+ TopicId, Partitions [int32]],
//           v11+ RackId string ("")
// Response: v1+ ThrottleTimeMs, v7+ ErrorCode int16, v7+ SessionId int32 (0),
//           Responses [v0-12 Topic, v13+ TopicId, Partitions [PartitionIndex int32, ErrorCode int16,
//             HighWatermark int64, v4+ LastStableOffset int64 (-1), v5+ LogStartOffset int64 (-1),
//             v12+ tagged 0 DivergingEpoch {Epoch int32 (-1), EndOffset int64 (-1)},
//             v12+ tagged 1 CurrentLeader {LeaderId int32 (-1), LeaderEpoch int32 (-1)},
//             v12+ tagged 2 SnapshotId {EndOffset int64 (-1), Epoch int32 (-1)},
//             v4+ AbortedTransactions nullable [ProducerId int64, FirstOffset int64],
//             v11+ PreferredReadReplica int32 (-1), Records nullable records]],
//           v16+ tagged 0 NodeEndpoints [NodeId, Host, Port, Rack nullable]
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const fetchRequestSchema = message('FetchRequest', '12+', [
  field('clusterId', 'string', '12+', { nullable: '12+', tag: 0, default: null }),
  field('replicaId', 'int32', '0-14', { default: -1 }),
  field(
    'replicaState',
    struct([
      field('replicaId', 'int32', '15+', { default: -1 }),
      field('replicaEpoch', 'int64', '15+', { default: -1 }),
    ]),
    '15+',
    { tag: 1 },
  ),
  field('maxWaitMs', 'int32', '0+'),
  field('minBytes', 'int32', '0+'),
  field('maxBytes', 'int32', '3+', { default: 0x7fffffff }),
  field('isolationLevel', 'int8', '4+', { default: 0 }),
  field('sessionId', 'int32', '7+', { default: 0 }),
  field('sessionEpoch', 'int32', '7+', { default: -1 }),
  field(
    'topics',
    array(
      struct([
        field('topic', 'string', '0-12', { optional: true }),
        field('topicId', 'uuid', '13+', { optional: true }),
        field(
          'partitions',
          array(
            struct([
              field('partition', 'int32', '0+'),
              field('currentLeaderEpoch', 'int32', '9+', { default: -1 }),
              field('fetchOffset', 'int64', '0+'),
              field('lastFetchedEpoch', 'int32', '12+', { default: -1 }),
              field('logStartOffset', 'int64', '5+', { default: -1 }),
              field('partitionMaxBytes', 'int32', '0+'),
              field('replicaDirectoryId', 'uuid', '17+', { tag: 0 }),
              // Kafka's default is Long.MAX_VALUE ("not supported"), which an int64 number cannot
              // hold; it is never on the wire (a tagged field equal to its default is left out).
              field('highWatermark', 'int64', '18+', { tag: 1, default: Number.MAX_SAFE_INTEGER }),
            ]),
          ),
          '0+',
        ),
      ]),
    ),
    '0+',
  ),
  field(
    'forgottenTopicsData',
    array(
      struct([
        field('topic', 'string', '7-12', { optional: true }),
        field('topicId', 'uuid', '13+', { optional: true }),
        field('partitions', array('int32'), '7+'),
      ]),
    ),
    '7+',
    { optional: true },
  ),
  field('rackId', 'string', '11+', { default: '' }),
]);

const fetchResponseSchema = message('FetchResponse', '12+', [
  field('throttleTimeMs', 'int32', '1+', { default: 0 }),
  field('errorCode', 'int16', '7+', { default: 0 }),
  field('sessionId', 'int32', '7+', { default: 0 }),
  field(
    'responses',
    array(
      struct([
        field('topic', 'string', '0-12', { optional: true }),
        field('topicId', 'uuid', '13+', { optional: true }),
        field(
          'partitions',
          array(
            struct([
              field('partitionIndex', 'int32', '0+'),
              field('errorCode', 'int16', '0+'),
              field('highWatermark', 'int64', '0+'),
              field('lastStableOffset', 'int64', '4+', { default: -1 }),
              field('logStartOffset', 'int64', '5+', { default: -1 }),
              field(
                'divergingEpoch',
                struct([
                  field('epoch', 'int32', '12+', { default: -1 }),
                  field('endOffset', 'int64', '12+', { default: -1 }),
                ]),
                '12+',
                { tag: 0 },
              ),
              field(
                'currentLeader',
                struct([
                  field('leaderId', 'int32', '12+', { default: -1 }),
                  field('leaderEpoch', 'int32', '12+', { default: -1 }),
                ]),
                '12+',
                { tag: 1 },
              ),
              field(
                'snapshotId',
                struct([
                  field('endOffset', 'int64', '0+', { default: -1 }),
                  field('epoch', 'int32', '0+', { default: -1 }),
                ]),
                '12+',
                { tag: 2 },
              ),
              field(
                'abortedTransactions',
                array(struct([field('producerId', 'int64', '4+'), field('firstOffset', 'int64', '4+')])),
                '4+',
                { nullable: '4+', optional: true },
              ),
              field('preferredReadReplica', 'int32', '11+', { default: -1 }),
              field('records', 'records', '0+', { nullable: '0+' }),
            ]),
          ),
          '0+',
        ),
      ]),
    ),
    '0+',
  ),
  field(
    'nodeEndpoints',
    array(
      struct([
        field('nodeId', 'int32', '16+'),
        field('host', 'string', '16+'),
        field('port', 'int32', '16+'),
        field('rack', 'string', '16+', { nullable: '16+', default: null }),
      ]),
    ),
    '16+',
    { tag: 0 },
  ),
]);

export interface FetchRequest extends MessageValue<typeof fetchRequestSchema> {}
export interface FetchResponse extends MessageValue<typeof fetchResponseSchema> {}
export type FetchResponseInput = MessageInput<typeof fetchResponseSchema>;

export const fetchApi = defineApi({
  key: 1,
  name: 'Fetch',
  minVersion: 4,
  maxVersion: 18,
  request: fetchRequestSchema,
  response: fetchResponseSchema,
});
export const {
  decodeRequest: decodeFetchRequest,
  encodeRequest: encodeFetchRequest,
  decodeResponse: decodeFetchResponse,
  encodeResponse: encodeFetchResponse,
} = fetchApi;
