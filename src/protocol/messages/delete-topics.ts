// DeleteTopics (key 20). Kafka: versions 0-6, flexible 4+. raftka serves 0-3 (kafkajs and
// librdkafka send 1).
//
// Request:  v6+ Topics [Name nullable (null), TopicId uuid], v0-5 TopicNames [string], TimeoutMs int32
// Response: v1+ ThrottleTimeMs, Responses [Name (nullable v6+), v6+ TopicId uuid, ErrorCode,
//             v5+ ErrorMessage nullable (null)]
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const deleteTopicsRequestSchema = message('DeleteTopicsRequest', '4+', [
  field(
    'topics',
    array(struct([field('name', 'string', '6+', { nullable: '6+', default: null }), field('topicId', 'uuid', '6+')])),
    '6+',
    { optional: true },
  ),
  field('topicNames', array('string'), '0-5', { optional: true }),
  field('timeoutMs', 'int32', '0+'),
]);

const deleteTopicsResponseSchema = message('DeleteTopicsResponse', '4+', [
  field('throttleTimeMs', 'int32', '1+', { default: 0 }),
  field(
    'responses',
    array(
      struct([
        field('name', 'string', '0+', { nullable: '6+' }),
        field('topicId', 'uuid', '6+', { optional: true }),
        field('errorCode', 'int16', '0+'),
        field('errorMessage', 'string', '5+', { nullable: '5+', default: null }),
      ]),
    ),
    '0+',
  ),
]);

export interface DeleteTopicsRequest extends MessageValue<typeof deleteTopicsRequestSchema> {}
export type DeleteTopicsResponseInput = MessageInput<typeof deleteTopicsResponseSchema>;

export const deleteTopicsApi = defineApi({
  key: 20,
  name: 'DeleteTopics',
  minVersion: 0,
  maxVersion: 6,
  request: deleteTopicsRequestSchema,
  response: deleteTopicsResponseSchema,
});
export const {
  decodeRequest: decodeDeleteTopicsRequest,
  encodeRequest: encodeDeleteTopicsRequest,
  decodeResponse: decodeDeleteTopicsResponse,
  encodeResponse: encodeDeleteTopicsResponse,
} = deleteTopicsApi;
