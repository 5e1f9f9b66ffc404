// EndTxn (key 26). Kafka: versions 0-5, flexible 3+. raftka serves 0-4. v1 = v0; v2 may answer
// PRODUCER_FENCED, v4 TRANSACTION_ABORTABLE; v5 (KIP-890 part 2, transaction.version 2: the
// coordinator bumps the epoch at every transaction end) returns the producer id and epoch the
// producer must use next. raftka's coordinator keeps the epoch (transactions v1) and finalizes no
// transaction.version, so it stops at v4 rather than answer v5 without its semantics; the v5
// fields stay in the schema for the day the coordinator bumps epochs.
//
// Request:  TransactionalId, ProducerId int64, ProducerEpoch int16, Committed bool
// Response: ThrottleTimeMs, ErrorCode, v5+ ProducerId int64 (-1), v5+ ProducerEpoch int16 (-1)
import { field, message, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const endTxnRequestSchema = message('EndTxnRequest', '3+', [
  field('transactionalId', 'string', '0+'),
  field('producerId', 'int64', '0+'),
  field('producerEpoch', 'int16', '0+'),
  field('committed', 'bool', '0+'),
]);

const endTxnResponseSchema = message('EndTxnResponse', '3+', [
  field('throttleTimeMs', 'int32', '0+', { default: 0 }),
  field('errorCode', 'int16', '0+'),
  field('producerId', 'int64', '5+', { default: -1 }),
  field('producerEpoch', 'int16', '5+', { default: -1 }),
]);

export interface EndTxnRequest extends MessageValue<typeof endTxnRequestSchema> {}
export type EndTxnResponseInput = MessageInput<typeof endTxnResponseSchema>;

export const endTxnApi = defineApi({
  key: 26,
  name: 'EndTxn',
  minVersion: 0,
  maxVersion: 4,
  request: endTxnRequestSchema,
  response: endTxnResponseSchema,
});
export const {
  decodeRequest: decodeEndTxnRequest,
  encodeRequest: encodeEndTxnRequest,
  decodeResponse: decodeEndTxnResponse,
  encodeResponse: encodeEndTxnResponse,
} = endTxnApi;
