// Heartbeat (key 12). Kafka 3.9 and 4.1: versions 0-4, flexible 4+. raftka serves 0-4 (librdkafka
// needs v0 advertised; both clients send 3). v4 only becomes flexible.
//
// Request:  GroupId, GenerationId int32, MemberId, v3+ GroupInstanceId nullable (null)
// Response: v1+ ThrottleTimeMs, ErrorCode
import { field, message, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const heartbeatRequestSchema = message('HeartbeatRequest', '4+', [
  field('groupId', 'string', '0+'),
  field('generationId', 'int32', '0+'),
  field('memberId', 'string', '0+'),
  field('groupInstanceId', 'string', '3+', { nullable: '3+', default: null }),
]);

const heartbeatResponseSchema = message('HeartbeatResponse', '4+', [
  field('throttleTimeMs', 'int32', '1+', { default: 0 }),
  field('errorCode', 'int16', '0+'),
]);

export interface HeartbeatRequest extends MessageValue<typeof heartbeatRequestSchema> {}
export type HeartbeatResponseInput = MessageInput<typeof heartbeatResponseSchema>;

export const heartbeatApi = defineApi({
  key: 12,
  name: 'Heartbeat',
  minVersion: 0,
  maxVersion: 4,
  request: heartbeatRequestSchema,
  response: heartbeatResponseSchema,
});
export const {
  decodeRequest: decodeHeartbeatRequest,
  encodeRequest: encodeHeartbeatRequest,
  decodeResponse: decodeHeartbeatResponse,
  encodeResponse: encodeHeartbeatResponse,
} = heartbeatApi;
