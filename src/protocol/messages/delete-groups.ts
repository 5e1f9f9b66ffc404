// DeleteGroups (key 42). Kafka 3.9 and 4.1: versions 0-2, flexible 2+. raftka serves 0-2 (both
// clients send 1). v2 only becomes flexible.
//
// Request:  GroupsNames [string]
// Response: ThrottleTimeMs, Results [GroupId, ErrorCode]
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const deleteGroupsRequestSchema = message('DeleteGroupsRequest', '2+', [field('groupsNames', array('string'), '0+')]);

const deleteGroupsResponseSchema = message('DeleteGroupsResponse', '2+', [
  field('throttleTimeMs', 'int32', '0+', { default: 0 }),
  field('results', array(struct([field('groupId', 'string', '0+'), field('errorCode', 'int16', '0+')])), '0+'),
]);

export interface DeleteGroupsRequest extends MessageValue<typeof deleteGroupsRequestSchema> {}
export type DeleteGroupsResponseInput = MessageInput<typeof deleteGroupsResponseSchema>;

export const deleteGroupsApi = defineApi({
  key: 42,
  name: 'DeleteGroups',
  minVersion: 0,
  maxVersion: 2,
  request: deleteGroupsRequestSchema,
  response: deleteGroupsResponseSchema,
});
export const {
  decodeRequest: decodeDeleteGroupsRequest,
  encodeRequest: encodeDeleteGroupsRequest,
  decodeResponse: decodeDeleteGroupsResponse,
  encodeResponse: encodeDeleteGroupsResponse,
} = deleteGroupsApi;
