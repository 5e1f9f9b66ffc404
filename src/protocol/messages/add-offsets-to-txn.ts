// AddOffsetsToTxn (key 25). Kafka: versions 0-4, flexible 3+. raftka serves 0-4. v1 = v0; v2 may
// answer PRODUCER_FENCED, v4 TRANSACTION_ABORTABLE: new error codes, same fields. Sent to the
// transaction coordinator, which adds the group's __consumer_offsets partition to the transaction.
//
// Request:  TransactionalId, ProducerId int64, ProducerEpoch int16, GroupId
// Response: ThrottleTimeMs, ErrorCode
import { field, message, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const addOffsetsToTxnRequestSchema = message('AddOffsetsToTxnRequest', '3+', [
  field('transactionalId', 'string', '0+'),
  field('producerId', 'int64', '0+'),
  field('producerEpoch', 'int16', '0+'),
  field('groupId', 'string', '0+'),
]);

const addOffsetsToTxnResponseSchema = message('AddOffsetsToTxnResponse', '3+', [
  field('throttleTimeMs', 'int32', '0+', { default: 0 }),
  field('errorCode', 'int16', '0+'),
]);

export interface AddOffsetsToTxnRequest extends MessageValue<typeof addOffsetsToTxnRequestSchema> {}
export type AddOffsetsToTxnResponseInput = MessageInput<typeof addOffsetsToTxnResponseSchema>;

export const addOffsetsToTxnApi = defineApi({
  key: 25,
  name: 'AddOffsetsToTxn',
  minVersion: 0,
  maxVersion: 4,
  request: addOffsetsToTxnRequestSchema,
  response: addOffsetsToTxnResponseSchema,
});
export const {
  decodeRequest: decodeAddOffsetsToTxnRequest,
  encodeRequest: encodeAddOffsetsToTxnRequest,
  decodeResponse: decodeAddOffsetsToTxnResponse,
  encodeResponse: encodeAddOffsetsToTxnResponse,
} = addOffsetsToTxnApi;
