// SaslHandshake (key 17). Kafka: versions 0-1, never flexible. raftka serves 0-1.
// v0: after a successful handshake the SASL tokens follow as raw size-prefixed frames (no Kafka
// header); v1 (KIP-152): the tokens travel in SaslAuthenticate requests. Served by the Kafka
// listener itself (src/server/kafka-server.ts) on SASL listeners; elsewhere ILLEGAL_SASL_STATE.
//
// Request:  Mechanism string
// Response: ErrorCode int16, Mechanisms [string] (the mechanisms enabled on the listener)
import { array, field, message, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const saslHandshakeRequestSchema = message('SaslHandshakeRequest', 'none', [field('mechanism', 'string', '0+')]);

const saslHandshakeResponseSchema = message('SaslHandshakeResponse', 'none', [
  field('errorCode', 'int16', '0+'),
  field('mechanisms', array('string'), '0+'),
]);

export interface SaslHandshakeRequest extends MessageValue<typeof saslHandshakeRequestSchema> {}
export type SaslHandshakeResponseInput = MessageInput<typeof saslHandshakeResponseSchema>;

export const saslHandshakeApi = defineApi({
  key: 17,
  name: 'SaslHandshake',
  minVersion: 0,
  maxVersion: 1,
  request: saslHandshakeRequestSchema,
  response: saslHandshakeResponseSchema,
});
