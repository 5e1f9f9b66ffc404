// SaslAuthenticate (key 36, KIP-152). Kafka: versions 0-2, flexible 2+. raftka serves 0-2.
// Carries one SASL token each way; v1+ answers with the session lifetime (KIP-368: the client
// must re-authenticate before it ends; 0 = no limit). Served by the Kafka listener itself
// (src/server/kafka-server.ts) while a SASL connection authenticates; elsewhere ILLEGAL_SASL_STATE.
//
// Request:  AuthBytes bytes
// Response: ErrorCode int16, ErrorMessage nullable string, AuthBytes bytes, v1+ SessionLifetimeMs int64 (0)
import { field, message, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const saslAuthenticateRequestSchema = message('SaslAuthenticateRequest', '2+', [field('authBytes', 'bytes', '0+')]);

const saslAuthenticateResponseSchema = message('SaslAuthenticateResponse', '2+', [
  field('errorCode', 'int16', '0+'),
  field('errorMessage', 'string', '0+', { nullable: '0+', default: null }),
  field('authBytes', 'bytes', '0+'),
  field('sessionLifetimeMs', 'int64', '1+', { default: 0 }),
]);

export interface SaslAuthenticateRequest extends MessageValue<typeof saslAuthenticateRequestSchema> {}
export type SaslAuthenticateResponseInput = MessageInput<typeof saslAuthenticateResponseSchema>;

export const saslAuthenticateApi = defineApi({
  key: 36,
  name: 'SaslAuthenticate',
  minVersion: 0,
  maxVersion: 2,
  request: saslAuthenticateRequestSchema,
  response: saslAuthenticateResponseSchema,
});
