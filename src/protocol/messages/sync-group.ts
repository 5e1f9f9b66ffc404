// SyncGroup (key 14). Kafka 3.9 and 4.1: versions 0-5, flexible 4+. raftka serves 0-5 (librdkafka
// needs v0 advertised; kafkajs and librdkafka send 3). v5+: the request's ProtocolType and
// ProtocolName must match the group's (else INCONSISTENT_GROUP_PROTOCOL) and the answer carries them.
//
// Request:  GroupId, GenerationId int32, MemberId, v3+ GroupInstanceId nullable (null),
//           v5+ ProtocolType nullable (null), v5+ ProtocolName nullable (null),
//           Assignments [MemberId, Assignment bytes]
// Response: v1+ ThrottleTimeMs, ErrorCode, v5+ ProtocolType nullable, v5+ ProtocolName nullable,
//           Assignment bytes
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const syncGroupRequestSchema = message('SyncGroupRequest', '4+', [
  field('groupId', 'string', '0+'),
  field('generationId', 'int32', '0+'),
  field('memberId', 'string', '0+'),
  field('groupInstanceId', 'string', '3+', { nullable: '3+', default: null }),
  field('protocolType', 'string', '5+', { nullable: '5+', default: null }),
  field('protocolName', 'string', '5+', { nullable: '5+', default: null }),
  field('assignments', array(struct([field('memberId', 'string', '0+'), field('assignment', 'bytes', '0+')])), '0+'),
]);

const syncGroupResponseSchema = message('SyncGroupResponse', '4+', [
  field('throttleTimeMs', 'int32', '1+', { default: 0 }),
  field('errorCode', 'int16', '0+'),
  field('protocolType', 'string', '5+', { nullable: '5+', default: null }),
  field('protocolName', 'string', '5+', { nullable: '5+', default: null }),
  field('assignment', 'bytes', '0+'),
]);

export interface SyncGroupRequest extends MessageValue<typeof syncGroupRequestSchema> {}
export type SyncGroupResponseInput = MessageInput<typeof syncGroupResponseSchema>;

export const syncGroupApi = defineApi({
  key: 14,
  name: 'SyncGroup',
  minVersion: 0,
  maxVersion: 5,
  request: syncGroupRequestSchema,
  response: syncGroupResponseSchema,
});
export const {
  decodeRequest: decodeSyncGroupRequest,
  encodeRequest: encodeSyncGroupRequest,
  decodeResponse: decodeSyncGroupResponse,
  encodeResponse: encodeSyncGroupResponse,
} = syncGroupApi;
