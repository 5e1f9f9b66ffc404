// AlterConfigs (key 33). Kafka: versions 0-2, flexible 2+. raftka serves 0-1 (kafkajs sends 1,
// librdkafka 0). Replaces the whole config set of each resource.
//
// Request:  Resources [ResourceType int8, ResourceName, Configs [Name, Value nullable]], ValidateOnly bool
// Response: ThrottleTimeMs, Responses [ErrorCode, ErrorMessage nullable, ResourceType int8, ResourceName]
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const alterConfigsRequestSchema = message('AlterConfigsRequest', '2+', [
  field(
    'resources',
    array(
      struct([
        field('resourceType', 'int8', '0+'),
        field('resourceName', 'string', '0+'),
        field(
          'configs',
          array(struct([field('name', 'string', '0+'), field('value', 'string', '0+', { nullable: '0+' })])),
          '0+',
        ),
      ]),
    ),
    '0+',
  ),
  field('validateOnly', 'bool', '0+'),
]);

const alterConfigsResponseSchema = message('AlterConfigsResponse', '2+', [
  field('throttleTimeMs', 'int32', '0+', { default: 0 }),
  field(
    'responses',
    array(
      struct([
        field('errorCode', 'int16', '0+'),
        field('errorMessage', 'string', '0+', { nullable: '0+' }),
        field('resourceType', 'int8', '0+'),
        field('resourceName', 'string', '0+'),
      ]),
    ),
    '0+',
  ),
]);

export interface AlterConfigsRequest extends MessageValue<typeof alterConfigsRequestSchema> {}
export type AlterConfigsResponseInput = MessageInput<typeof alterConfigsResponseSchema>;

export const alterConfigsApi = defineApi({
  key: 33,
  name: 'AlterConfigs',
  minVersion: 0,
  maxVersion: 2,
  request: alterConfigsRequestSchema,
  response: alterConfigsResponseSchema,
});
export const {
  decodeRequest: decodeAlterConfigsRequest,
  encodeRequest: encodeAlterConfigsRequest,
  decodeResponse: decodeAlterConfigsResponse,
  encodeResponse: encodeAlterConfigsResponse,
} = alterConfigsApi;
