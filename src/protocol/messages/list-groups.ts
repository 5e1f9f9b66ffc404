// ListGroups (key 16). Kafka 3.9 and 4.1: versions 0-5, flexible 3+. raftka serves 0-5 (librdkafka
// sends 4, kafkajs 2). v4 filters by state, v5 by type ("classic", "consumer"; case-insensitive)
// and answers each group's type.
//
// Request:  v4+ StatesFilter [string], v5+ TypesFilter [string]
// Response: v1+ ThrottleTimeMs, ErrorCode, Groups [GroupId, ProtocolType, v4+ GroupState,
//           v5+ GroupType]
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const listGroupsRequestSchema = message('ListGroupsRequest', '3+', [
  field('statesFilter', array('string'), '4+', { optional: true }),
  field('typesFilter', array('string'), '5+', { optional: true }),
]);

const listGroupsResponseSchema = message('ListGroupsResponse', '3+', [
  field('throttleTimeMs', 'int32', '1+', { default: 0 }),
  field('errorCode', 'int16', '0+'),
  field(
    'groups',
    array(
      struct([
        field('groupId', 'string', '0+'),
        field('protocolType', 'string', '0+'),
        field('groupState', 'string', '4+', { optional: true }),
        field('groupType', 'string', '5+', { optional: true }),
      ]),
    ),
    '0+',
  ),
]);

export interface ListGroupsRequest extends MessageValue<typeof listGroupsRequestSchema> {}
export type ListGroupsResponseInput = MessageInput<typeof listGroupsResponseSchema>;

export const listGroupsApi = defineApi({
  key: 16,
  name: 'ListGroups',
  minVersion: 0,
  maxVersion: 5,
  request: listGroupsRequestSchema,
  response: listGroupsResponseSchema,
});
export const {
  decodeRequest: decodeListGroupsRequest,
  encodeRequest: encodeListGroupsRequest,
  decodeResponse: decodeListGroupsResponse,
  encodeResponse: encodeListGroupsResponse,
} = listGroupsApi;
