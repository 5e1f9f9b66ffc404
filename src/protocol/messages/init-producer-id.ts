// InitProducerId (key 22). Kafka: versions 0-5, flexible 2+ (Kafka 4.x later adds v6 for KIP-939
// two-phase commit, which raftka does not speak). raftka serves 0-5 (librdkafka needs v0 advertised
// for idempotence and sends 4; kafkajs sends 1; the Java client 3.8+ sends 5). v1 = v0; v4 may
// answer PRODUCER_FENCED, v5 TRANSACTION_ABORTABLE (KIP-890): new error codes, same fields.
//
// Request:  TransactionalId nullable, TransactionTimeoutMs int32, v3+ ProducerId int64 (-1),
//           v3+ ProducerEpoch int16 (-1)
// Response: ThrottleTimeMs, ErrorCode, ProducerId int64 (-1), ProducerEpoch int16
import { field, message, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const initProducerIdRequestSchema = message('InitProducerIdRequest', '2+', [
  field('transactionalId', 'string', '0+', { nullable: '0+' }),
  field('transactionTimeoutMs', 'int32', '0+'),
  field('producerId', 'int64', '3+', { default: -1 }),
  field('producerEpoch', 'int16', '3+', { default: -1 }),
]);

const initProducerIdResponseSchema = message('InitProducerIdResponse', '2+', [
  field('throttleTimeMs', 'int32', '0+', { default: 0 }),
  field('errorCode', 'int16', '0+'),
  field('producerId', 'int64', '0+', { default: -1 }),
  field('producerEpoch', 'int16', '0+'),
]);

export interface InitProducerIdRequest extends MessageValue<typeof initProducerIdRequestSchema> {}
export type InitProducerIdResponseInput = MessageInput<typeof initProducerIdResponseSchema>;

export const initProducerIdApi = defineApi({
  key: 22,
  name: 'InitProducerId',
  minVersion: 0,
  maxVersion: 5,
  request: initProducerIdRequestSchema,
  response: initProducerIdResponseSchema,
});
export const {
  decodeRequest: decodeInitProducerIdRequest,
  encodeRequest: encodeInitProducerIdRequest,
  decodeResponse: decodeInitProducerIdResponse,
  encodeResponse: encodeInitProducerIdResponse,
} = initProducerIdApi;
