// ListTransactions (key 66, KIP-664). Kafka: versions 0-2, flexible 0+. raftka serves 0-2. Sent to
// every broker; each lists the transactions its coordinators own. v1 adds DurationFilter (KIP-994:
// only transactions running longer than this many ms; < 0 = all), v2 TransactionalIdPattern
// (KIP-1152: an RE2 regular expression the whole id must match; null or "" = all; a bad one is
// INVALID_REGULAR_EXPRESSION). The response is the same at every version.
//
// Request:  StateFilters [string], ProducerIdFilters [int64], v1+ DurationFilter int64 (-1),
//           v2+ TransactionalIdPattern nullable (null)
// Response: ThrottleTimeMs, ErrorCode, UnknownStateFilters [string],
//           TransactionStates [TransactionalId, ProducerId int64, TransactionState string]
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const listTransactionsRequestSchema = message('ListTransactionsRequest', '0+', [
  field('stateFilters', array('string'), '0+'),
  field('producerIdFilters', array('int64'), '0+'),
  field('durationFilter', 'int64', '1+', { default: -1 }),
  field('transactionalIdPattern', 'string', '2+', { nullable: '2+', default: null }),
]);

const listTransactionsResponseSchema = message('ListTransactionsResponse', '0+', [
  field('throttleTimeMs', 'int32', '0+', { default: 0 }),
  field('errorCode', 'int16', '0+'),
  field('unknownStateFilters', array('string'), '0+'),
  field(
    'transactionStates',
    array(
      struct([
        field('transactionalId', 'string', '0+'),
        field('producerId', 'int64', '0+'),
        field('transactionState', 'string', '0+'),
      ]),
    ),
    '0+',
  ),
]);

export interface ListTransactionsRequest extends MessageValue<typeof listTransactionsRequestSchema> {}
export type ListTransactionsResponseInput = MessageInput<typeof listTransactionsResponseSchema>;

export const listTransactionsApi = defineApi({
  key: 66,
  name: 'ListTransactions',
  minVersion: 0,
  maxVersion: 2,
  request: listTransactionsRequestSchema,
  response: listTransactionsResponseSchema,
});
export const {
  decodeRequest: decodeListTransactionsRequest,
  encodeRequest: encodeListTransactionsRequest,
  decodeResponse: decodeListTransactionsResponse,
  encodeResponse: encodeListTransactionsResponse,
} = listTransactionsApi;
