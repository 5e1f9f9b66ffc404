// CreatePartitions (key 37). Kafka: versions 0-3, flexible 2+. raftka serves 0-1 (kafkajs sends 1,
// librdkafka 0).
//
// Request:  Topics [Name, Count int32, Assignments nullable [BrokerIds [int32]]], TimeoutMs int32,
//           ValidateOnly bool
// Response: ThrottleTimeMs, Results [Name, ErrorCode, ErrorMessage nullable (null)]
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const createPartitionsRequestSchema = message('CreatePartitionsRequest', '2+', [
  field(
    'topics',
    array(
      struct([
        field('name', 'string', '0+'),
        field('count', 'int32', '0+'),
        field('assignments', array(struct([field('brokerIds', array('int32'), '0+')])), '0+', { nullable: '0+' }),
      ]),
    ),
    '0+',
  ),
  field('timeoutMs', 'int32', '0+'),
  field('validateOnly', 'bool', '0+'),
]);

const createPartitionsResponseSchema = message('CreatePartitionsResponse', '2+', [
  field('throttleTimeMs', 'int32', '0+', { default: 0 }),
  field(
    'results',
    array(
      struct([
        field('name', 'string', '0+'),
        field('errorCode', 'int16', '0+'),
        field('errorMessage', 'string', '0+', { nullable: '0+', default: null }),
      ]),
    ),
    '0+',
  ),
]);

export interface CreatePartitionsRequest extends MessageValue<typeof createPartitionsRequestSchema> {}
export type CreatePartitionsResponseInput = MessageInput<typeof createPartitionsResponseSchema>;

export const createPartitionsApi = defineApi({
  key: 37,
  name: 'CreatePartitions',
  minVersion: 0,
  maxVersion: 3,
  request: createPartitionsRequestSchema,
  response: createPartitionsResponseSchema,
});
export const {
  decodeRequest: decodeCreatePartitionsRequest,
  encodeRequest: encodeCreatePartitionsRequest,
  decodeResponse: decodeCreatePartitionsResponse,
  encodeResponse: encodeCreatePartitionsResponse,
} = createPartitionsApi;
