// DescribeConfigs (key 32). Kafka: versions 0-4, flexible 4+. raftka serves 0-2 (kafkajs sends 2,
// librdkafka 1).
//
// Request:  Resources [ResourceType int8, ResourceName, ConfigurationKeys nullable [string]],
//           v1+ IncludeSynonyms bool (false), v3+ IncludeDocumentation bool (false)
// Response: ThrottleTimeMs, Results [ErrorCode, ErrorMessage nullable, ResourceType int8, ResourceName,
//             Configs [Name, Value nullable, ReadOnly bool, v0 IsDefault bool, v1+ ConfigSource int8 (-1),
//               IsSensitive bool, v1+ Synonyms [Name, Value nullable, Source int8],
//               v3+ ConfigType int8 (0), v3+ Documentation nullable]]
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const describeConfigsRequestSchema = message('DescribeConfigsRequest', '4+', [
  field(
    'resources',
    array(
      struct([
        field('resourceType', 'int8', '0+'),
        field('resourceName', 'string', '0+'),
        field('configurationKeys', array('string'), '0+', { nullable: '0+' }),
      ]),
    ),
    '0+',
  ),
  field('includeSynonyms', 'bool', '1+', { default: false }),
  field('includeDocumentation', 'bool', '3+', { default: false }),
]);

const describeConfigsResponseSchema = message('DescribeConfigsResponse', '4+', [
  field('throttleTimeMs', 'int32', '0+', { default: 0 }),
  field(
    'results',
    array(
      struct([
        field('errorCode', 'int16', '0+'),
        field('errorMessage', 'string', '0+', { nullable: '0+' }),
        field('resourceType', 'int8', '0+'),
        field('resourceName', 'string', '0+'),
        field(
          'configs',
          array(
            struct([
              field('name', 'string', '0+'),
              field('value', 'string', '0+', { nullable: '0+' }),
              field('readOnly', 'bool', '0+'),
              field('isDefault', 'bool', '0', { optional: true }),
              field('configSource', 'int8', '1+', { default: -1 }),
              field('isSensitive', 'bool', '0+'),
              field(
                'synonyms',
                array(
                  struct([
                    field('name', 'string', '1+'),
                    field('value', 'string', '1+', { nullable: '0+' }),
                    field('source', 'int8', '1+'),
                  ]),
                ),
                '1+',
                { optional: true },
              ),
              field('configType', 'int8', '3+', { default: 0 }),
              field('documentation', 'string', '3+', { nullable: '0+', optional: true }),
            ]),
          ),
          '0+',
        ),
      ]),
    ),
    '0+',
  ),
]);

export interface DescribeConfigsRequest extends MessageValue<typeof describeConfigsRequestSchema> {}
export interface DescribeConfigsResponse extends MessageValue<typeof describeConfigsResponseSchema> {}
export type DescribeConfigsResponseInput = MessageInput<typeof describeConfigsResponseSchema>;

export const describeConfigsApi = defineApi({
  key: 32,
  name: 'DescribeConfigs',
  minVersion: 0,
  maxVersion: 4,
  request: describeConfigsRequestSchema,
  response: describeConfigsResponseSchema,
});
export const {
  decodeRequest: decodeDescribeConfigsRequest,
  encodeRequest: encodeDescribeConfigsRequest,
  decodeResponse: decodeDescribeConfigsResponse,
  encodeResponse: encodeDescribeConfigsResponse,
} = describeConfigsApi;
