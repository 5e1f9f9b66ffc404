// CreateTopics (key 19). Kafka: versions 0-7, flexible 5+. raftka serves 0-4 (kafkajs sends 3,
// librdkafka 4).
//
// Request:  Topics [Name, NumPartitions int32, ReplicationFactor int16,
//             Assignments [PartitionIndex int32, BrokerIds [int32]], Configs [Name, Value nullable]],
//           timeoutMs int32 (60000), v1+ validateOnly bool (false)
// Response: v2+ ThrottleTimeMs, Topics [Name, v7+ TopicId uuid, ErrorCode, v1+ ErrorMessage nullable,
//             v5+ tagged 0 TopicConfigErrorCode int16, v5+ NumPartitions int32 (-1),
//             v5+ ReplicationFactor int16 (-1), v5+ Configs nullable [Name, Value nullable,
//             ReadOnly bool, ConfigSource int8 (-1), IsSensitive bool]]
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const createTopicsRequestSchema = message('CreateTopicsRequest', '5+', [
  field(
    'topics',
    array(
      struct([
        field('name', 'string', '0+'),
        field('numPartitions', 'int32', '0+'),
        field('replicationFactor', 'int16', '0+'),
        field(
          'assignments',
          array(struct([field('partitionIndex', 'int32', '0+'), field('brokerIds', array('int32'), '0+')])),
          '0+',
        ),
        field(
          'configs',
          array(struct([field('name', 'string', '0+'), field('value', 'string', '0+', { nullable: '0+' })])),
          '0+',
        ),
      ]),
    ),
    '0+',
  ),
  field('timeoutMs', 'int32', '0+', { default: 60000 }),
  field('validateOnly', 'bool', '1+', { default: false }),
]);

const createTopicsResponseSchema = message('CreateTopicsResponse', '5+', [
  field('throttleTimeMs', 'int32', '2+', { default: 0 }),
  field(
    'topics',
    array(
      struct([
        field('name', 'string', '0+'),
        field('topicId', 'uuid', '7+', { optional: true }),
        field('errorCode', 'int16', '0+'),
        field('errorMessage', 'string', '1+', { nullable: '0+', optional: true }),
        field('topicConfigErrorCode', 'int16', '5+', { tag: 0 }),
        field('numPartitions', 'int32', '5+', { default: -1 }),
        field('replicationFactor', 'int16', '5+', { default: -1 }),
        field(
          'configs',
          array(
            struct([
              field('name', 'string', '5+'),
              field('value', 'string', '5+', { nullable: '5+' }),
              field('readOnly', 'bool', '5+'),
              field('configSource', 'int8', '5+', { default: -1 }),
              field('isSensitive', 'bool', '5+'),
            ]),
          ),
          '5+',
          { nullable: '5+', optional: true },
        ),
      ]),
    ),
    '0+',
  ),
]);

export interface CreateTopicsRequest extends MessageValue<typeof createTopicsRequestSchema> {}
export type CreateTopicsResponseInput = MessageInput<typeof createTopicsResponseSchema>;

export const createTopicsApi = defineApi({
  key: 19,
  name: 'CreateTopics',
  minVersion: 0,
  maxVersion: 7,
  request: createTopicsRequestSchema,
  response: createTopicsResponseSchema,
});
export const {
  decodeRequest: decodeCreateTopicsRequest,
  encodeRequest: encodeCreateTopicsRequest,
  decodeResponse: decodeCreateTopicsResponse,
  encodeResponse: encodeCreateTopicsResponse,
} = createTopicsApi;
