// Metadata (key 3). Kafka: versions 0-13, flexible 9+; raftka serves 0-13 (kafkajs sends 6,
// librdkafka 4, @platformatic/kafka needs ≥ 9). v10 adds topic ids to the answer, v12 lets a
// request name topics by id (Name null; an unknown id is UNKNOWN_TOPIC_ID), v13 adds a top-level
// ErrorCode (KIP-1102 REBOOTSTRAP_REQUIRED; raftka answers 0).
// Note: Topics = [] in v0 means "all topics"; from v1 all topics is Topics = null.
//
// Request:  Topics nullable(v1+) [v10+ TopicId uuid, Name string (nullable v10+)],
//           v4+ AllowAutoTopicCreation bool (true), v8-10 IncludeClusterAuthorizedOperations bool,
//           v8+ IncludeTopicAuthorizedOperations bool
// Response: v3+ ThrottleTimeMs, Brokers [NodeId int32, Host, Port int32, v1+ Rack nullable (null)],
//           v2+ ClusterId nullable (null), v1+ ControllerId int32 (-1),
//           Topics [ErrorCode, Name (nullable v12+), v10+ TopicId uuid, v1+ IsInternal bool,
//             Partitions [ErrorCode, PartitionIndex, LeaderId, v7+ LeaderEpoch (-1), ReplicaNodes [int32],
//               IsrNodes [int32], v5+ OfflineReplicas [int32]], v8+ TopicAuthorizedOperations int32 (INT32_MIN)],
//           v8-10 ClusterAuthorizedOperations int32 (INT32_MIN), v13+ ErrorCode int16 (0)
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const authorizedOperationsUnknown = -2147483648;

const metadataRequestSchema = message('MetadataRequest', '9+', [
  field(
    'topics',
    array(
      struct([field('topicId', 'uuid', '10+', { optional: true }), field('name', 'string', '0+', { nullable: '10+' })]),
    ),
    '0+',
    { nullable: '1+' },
  ),
  field('allowAutoTopicCreation', 'bool', '4+', { default: true }),
  field('includeClusterAuthorizedOperations', 'bool', '8-10', { optional: true }),
  field('includeTopicAuthorizedOperations', 'bool', '8+', { optional: true }),
]);

const metadataResponseSchema = message('MetadataResponse', '9+', [
  field('throttleTimeMs', 'int32', '3+', { default: 0 }),
  field(
    'brokers',
    array(
      struct([
        field('nodeId', 'int32', '0+'),
        field('host', 'string', '0+'),
        field('port', 'int32', '0+'),
        field('rack', 'string', '1+', { nullable: '1+', default: null }),
      ]),
    ),
    '0+',
  ),
  field('clusterId', 'string', '2+', { nullable: '2+', default: null }),
  field('controllerId', 'int32', '1+', { default: -1 }),
  field(
    'topics',
    array(
      struct([
        field('errorCode', 'int16', '0+'),
        field('name', 'string', '0+', { nullable: '12+' }),
        field('topicId', 'uuid', '10+', { optional: true }),
        field('isInternal', 'bool', '1+', { default: false }),
        field(
          'partitions',
          array(
            struct([
              field('errorCode', 'int16', '0+'),
              field('partitionIndex', 'int32', '0+'),
              field('leaderId', 'int32', '0+'),
              field('leaderEpoch', 'int32', '7+', { default: -1 }),
              field('replicaNodes', array('int32'), '0+'),
              field('isrNodes', array('int32'), '0+'),
              field('offlineReplicas', array('int32'), '5+', { optional: true }),
            ]),
          ),
          '0+',
        ),
        field('topicAuthorizedOperations', 'int32', '8+', { default: authorizedOperationsUnknown }),
      ]),
    ),
    '0+',
  ),
  field('clusterAuthorizedOperations', 'int32', '8-10', { default: authorizedOperationsUnknown }),
  field('errorCode', 'int16', '13+', { default: 0 }),
]);

export interface MetadataRequest extends MessageValue<typeof metadataRequestSchema> {}
export interface MetadataResponse extends MessageValue<typeof metadataResponseSchema> {}
export type MetadataResponseInput = MessageInput<typeof metadataResponseSchema>;

export const metadataApi = defineApi({
  key: 3,
  name: 'Metadata',
  minVersion: 0,
  maxVersion: 13,
  request: metadataRequestSchema,
  response: metadataResponseSchema,
});
export const {
  decodeRequest: decodeMetadataRequest,
  encodeRequest: encodeMetadataRequest,
  decodeResponse: decodeMetadataResponse,
  encodeResponse: encodeMetadataResponse,
} = metadataApi;
