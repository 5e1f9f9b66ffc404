// JoinGroup (key 11). Kafka 3.9 and 4.1: versions 0-9, flexible 6+. raftka serves 0-9 (librdkafka
// needs v0 advertised and sends 5, kafkajs sends 5). v0 has no RebalanceTimeoutMs (it equals the
// session timeout then); v4+ answers MEMBER_ID_REQUIRED to a first join without an id (KIP-394);
// v7+ answers the ProtocolType (KIP-559); v8 adds the Reason (KIP-800); v9 answers SkipAssignment:
// a static leader rejoining a stable group gets the member list but must not reassign (KIP-814).
//
// Request:  GroupId, SessionTimeoutMs int32, v1+ RebalanceTimeoutMs int32 (-1), MemberId,
//           v5+ GroupInstanceId nullable (null), ProtocolType, Protocols [Name, Metadata bytes],
//           v8+ Reason nullable (null)
// Response: v2+ ThrottleTimeMs, ErrorCode, GenerationId int32 (-1), v7+ ProtocolType nullable (null),
//           ProtocolName (nullable v7+), Leader, v9+ SkipAssignment bool, MemberId,
//           Members [MemberId, v5+ GroupInstanceId nullable (null), Metadata bytes]
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const joinGroupRequestSchema = message('JoinGroupRequest', '6+', [
  field('groupId', 'string', '0+'),
  field('sessionTimeoutMs', 'int32', '0+'),
  field('rebalanceTimeoutMs', 'int32', '1+', { default: -1 }),
  field('memberId', 'string', '0+'),
  field('groupInstanceId', 'string', '5+', { nullable: '5+', default: null }),
  field('protocolType', 'string', '0+'),
  field('protocols', array(struct([field('name', 'string', '0+'), field('metadata', 'bytes', '0+')])), '0+'),
  field('reason', 'string', '8+', { nullable: '8+', default: null }),
]);

const joinGroupResponseSchema = message('JoinGroupResponse', '6+', [
  field('throttleTimeMs', 'int32', '2+', { default: 0 }),
  field('errorCode', 'int16', '0+'),
  field('generationId', 'int32', '0+', { default: -1 }),
  field('protocolType', 'string', '7+', { nullable: '7+', default: null }),
  field('protocolName', 'string', '0+', { nullable: '7+' }),
  field('leader', 'string', '0+'),
  field('skipAssignment', 'bool', '9+', { default: false }),
  field('memberId', 'string', '0+'),
  field(
    'members',
    array(
      struct([
        field('memberId', 'string', '0+'),
        field('groupInstanceId', 'string', '5+', { nullable: '5+', default: null }),
        field('metadata', 'bytes', '0+'),
      ]),
    ),
    '0+',
  ),
]);

export interface JoinGroupRequest extends MessageValue<typeof joinGroupRequestSchema> {}
export type JoinGroupResponseInput = MessageInput<typeof joinGroupResponseSchema>;

export const joinGroupApi = defineApi({
  key: 11,
  name: 'JoinGroup',
  minVersion: 0,
  maxVersion: 9,
  request: joinGroupRequestSchema,
  response: joinGroupResponseSchema,
});
export const {
  decodeRequest: decodeJoinGroupRequest,
  encodeRequest: encodeJoinGroupRequest,
  decodeResponse: decodeJoinGroupResponse,
  encodeResponse: encodeJoinGroupResponse,
} = joinGroupApi;
