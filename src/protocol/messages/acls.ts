// CreateAcls (key 30), DeleteAcls (key 31), DescribeAcls (key 29). Kafka: versions 0-3, flexible
// 2+. raftka serves 0-1 of each (kafkajs and librdkafka send 1). PatternType (v1+, default 3 =
// LITERAL) does not exist in v0, where every pattern is literal.
//
// CreateAcls request:  Creations [ResourceType int8, ResourceName, v1+ ResourcePatternType int8 (3),
//                        Principal, Host, Operation int8, PermissionType int8]
// CreateAcls response: ThrottleTimeMs, Results [ErrorCode, ErrorMessage nullable]
// DeleteAcls request:  Filters [ResourceTypeFilter int8, ResourceNameFilter nullable,
//                        v1+ PatternTypeFilter int8 (3), PrincipalFilter nullable, HostFilter nullable,
//                        Operation int8, PermissionType int8]
// DeleteAcls response: ThrottleTimeMs, FilterResults [ErrorCode, ErrorMessage nullable,
//                        MatchingAcls [ErrorCode, ErrorMessage nullable, ResourceType, ResourceName,
//                          v1+ PatternType int8 (3), Principal, Host, Operation, PermissionType]]
// DescribeAcls request: ResourceTypeFilter int8, ResourceNameFilter nullable, v1+ PatternTypeFilter (3),
//                        PrincipalFilter nullable, HostFilter nullable, Operation int8, PermissionType int8
// DescribeAcls response: ThrottleTimeMs, ErrorCode, ErrorMessage nullable, Resources [ResourceType,
//                        ResourceName, v1+ PatternType (3), Acls [Principal, Host, Operation, PermissionType]]
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const literal = 3;

const createAclsRequestSchema = message('CreateAclsRequest', '2+', [
  field(
    'creations',
    array(
      struct([
        field('resourceType', 'int8', '0+'),
        field('resourceName', 'string', '0+'),
        field('resourcePatternType', 'int8', '1+', { default: literal }),
        field('principal', 'string', '0+'),
        field('host', 'string', '0+'),
        field('operation', 'int8', '0+'),
        field('permissionType', 'int8', '0+'),
      ]),
    ),
    '0+',
  ),
]);

const createAclsResponseSchema = message('CreateAclsResponse', '2+', [
  field('throttleTimeMs', 'int32', '0+', { default: 0 }),
  field(
    'results',
    array(struct([field('errorCode', 'int16', '0+'), field('errorMessage', 'string', '0+', { nullable: '0+' })])),
    '0+',
  ),
]);

const deleteAclsRequestSchema = message('DeleteAclsRequest', '2+', [
  field(
    'filters',
    array(
      struct([
        field('resourceTypeFilter', 'int8', '0+'),
        field('resourceNameFilter', 'string', '0+', { nullable: '0+' }),
        field('patternTypeFilter', 'int8', '1+', { default: literal }),
        field('principalFilter', 'string', '0+', { nullable: '0+' }),
        field('hostFilter', 'string', '0+', { nullable: '0+' }),
        field('operation', 'int8', '0+'),
        field('permissionType', 'int8', '0+'),
      ]),
    ),
    '0+',
  ),
]);

const deleteAclsResponseSchema = message('DeleteAclsResponse', '2+', [
  field('throttleTimeMs', 'int32', '0+', { default: 0 }),
  field(
    'filterResults',
    array(
      struct([
        field('errorCode', 'int16', '0+'),
        field('errorMessage', 'string', '0+', { nullable: '0+' }),
        field(
          'matchingAcls',
          array(
            struct([
              field('errorCode', 'int16', '0+'),
              field('errorMessage', 'string', '0+', { nullable: '0+' }),
              field('resourceType', 'int8', '0+'),
              field('resourceName', 'string', '0+'),
              field('patternType', 'int8', '1+', { default: literal }),
              field('principal', 'string', '0+'),
              field('host', 'string', '0+'),
              field('operation', 'int8', '0+'),
              field('permissionType', 'int8', '0+'),
            ]),
          ),
          '0+',
        ),
      ]),
    ),
    '0+',
  ),
]);

const describeAclsRequestSchema = message('DescribeAclsRequest', '2+', [
  field('resourceTypeFilter', 'int8', '0+'),
  field('resourceNameFilter', 'string', '0+', { nullable: '0+' }),
  field('patternTypeFilter', 'int8', '1+', { default: literal }),
  field('principalFilter', 'string', '0+', { nullable: '0+' }),
  field('hostFilter', 'string', '0+', { nullable: '0+' }),
  field('operation', 'int8', '0+'),
  field('permissionType', 'int8', '0+'),
]);

const describeAclsResponseSchema = message('DescribeAclsResponse', '2+', [
  field('throttleTimeMs', 'int32', '0+', { default: 0 }),
  field('errorCode', 'int16', '0+'),
  field('errorMessage', 'string', '0+', { nullable: '0+' }),
  field(
    'resources',
    array(
      struct([
        field('resourceType', 'int8', '0+'),
        field('resourceName', 'string', '0+'),
        field('patternType', 'int8', '1+', { default: literal }),
        field(
          'acls',
          array(
            struct([
              field('principal', 'string', '0+'),
              field('host', 'string', '0+'),
              field('operation', 'int8', '0+'),
              field('permissionType', 'int8', '0+'),
            ]),
          ),
          '0+',
        ),
      ]),
    ),
    '0+',
  ),
]);

export interface CreateAclsRequest extends MessageValue<typeof createAclsRequestSchema> {}
export type CreateAclsResponseInput = MessageInput<typeof createAclsResponseSchema>;
export interface DeleteAclsRequest extends MessageValue<typeof deleteAclsRequestSchema> {}
export type DeleteAclsResponseInput = MessageInput<typeof deleteAclsResponseSchema>;
export interface DescribeAclsRequest extends MessageValue<typeof describeAclsRequestSchema> {}
export type DescribeAclsResponseInput = MessageInput<typeof describeAclsResponseSchema>;

export const createAclsApi = defineApi({
  key: 30,
  name: 'CreateAcls',
  minVersion: 0,
  maxVersion: 3,
  request: createAclsRequestSchema,
  response: createAclsResponseSchema,
});
export const {
  decodeRequest: decodeCreateAclsRequest,
  encodeRequest: encodeCreateAclsRequest,
  decodeResponse: decodeCreateAclsResponse,
  encodeResponse: encodeCreateAclsResponse,
} = createAclsApi;

export const deleteAclsApi = defineApi({
  key: 31,
  name: 'DeleteAcls',
  minVersion: 0,
  maxVersion: 3,
  request: deleteAclsRequestSchema,
  response: deleteAclsResponseSchema,
});
export const {
  decodeRequest: decodeDeleteAclsRequest,
  encodeRequest: encodeDeleteAclsRequest,
  decodeResponse: decodeDeleteAclsResponse,
  encodeResponse: encodeDeleteAclsResponse,
} = deleteAclsApi;

export const describeAclsApi = defineApi({
  key: 29,
  name: 'DescribeAcls',
  minVersion: 0,
  maxVersion: 3,
  request: describeAclsRequestSchema,
  response: describeAclsResponseSchema,
});
export const {
  decodeRequest: decodeDescribeAclsRequest,
  encodeRequest: encodeDescribeAclsRequest,
  decodeResponse: decodeDescribeAclsResponse,
  encodeResponse: encodeDescribeAclsResponse,
} = describeAclsApi;
