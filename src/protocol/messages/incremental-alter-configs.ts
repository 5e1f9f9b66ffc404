// IncrementalAlterConfigs (key 44). Kafka: versions 0-1, flexible 1+. raftka serves 0-1.
// ConfigOperation: 0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT.
//
// Request:  Resources [ResourceType int8, ResourceName, Configs [Name, ConfigOperation int8,
//             Value nullable]], ValidateOnly bool
// Response: ThrottleTimeMs, Responses [ErrorCode, ErrorMessage nullable, ResourceType int8, ResourceName]
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const incrementalAlterConfigsRequestSchema = message('IncrementalAlterConfigsRequest', '1+', [
  field(
    'resources',
    array(
      struct([
        field('resourceType', 'int8', '0+'),
        field('resourceName', 'string', '0+'),
        field(
          'configs',
          array(
            struct([
              field('name', 'string', '0+'),
              field('configOperation', 'int8', '0+'),
              field('value', 'string', '0+', { nullable: '0+' }),
            ]),
          ),
          '0+',
        ),
      ]),
    ),
    '0+',
  ),
  field('validateOnly', 'bool', '0+'),
]);

const incrementalAlterConfigsResponseSchema = message('IncrementalAlterConfigsResponse', '1+', [
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

export interface IncrementalAlterConfigsRequest extends MessageValue<typeof incrementalAlterConfigsRequestSchema> {}
export type IncrementalAlterConfigsResponseInput = MessageInput<typeof incrementalAlterConfigsResponseSchema>;

export const incrementalAlterConfigsApi = defineApi({
  key: 44,
  name: 'IncrementalAlterConfigs',
  minVersion: 0,
  maxVersion: 1,
  request: incrementalAlterConfigsRequestSchema,
  response: incrementalAlterConfigsResponseSchema,
});
export const {
  decodeRequest: decodeIncrementalAlterConfigsRequest,
  encodeRequest: encodeIncrementalAlterConfigsRequest,
  decodeResponse: decodeIncrementalAlterConfigsResponse,
  encodeResponse: encodeIncrementalAlterConfigsResponse,
} = incrementalAlterConfigsApi;
