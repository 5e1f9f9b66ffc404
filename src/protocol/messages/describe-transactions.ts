// DescribeTransactions (key 65, KIP-664). Kafka: version 0, flexible 0+. raftka serves 0. Sent to
// the transaction coordinator of each id. TransactionState is the state's name (txn-types.ts);
// TransactionStartTimeMs is -1 when no transaction is open.
//
// Request:  TransactionalIds [string]
// Response: ThrottleTimeMs, TransactionStates [ErrorCode, TransactionalId, TransactionState string,
//             TransactionTimeoutMs int32, TransactionStartTimeMs int64, ProducerId int64,
//             ProducerEpoch int16, Topics [Topic, Partitions [int32]]]
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const describeTransactionsRequestSchema = message('DescribeTransactionsRequest', '0+', [
  field('transactionalIds', array('string'), '0+'),
]);

const describeTransactionsResponseSchema = message('DescribeTransactionsResponse', '0+', [
  field('throttleTimeMs', 'int32', '0+', { default: 0 }),
  field(
    'transactionStates',
    array(
      struct([
        field('errorCode', 'int16', '0+'),
        field('transactionalId', 'string', '0+'),
        field('transactionState', 'string', '0+'),
        field('transactionTimeoutMs', 'int32', '0+'),
        field('transactionStartTimeMs', 'int64', '0+'),
        field('producerId', 'int64', '0+'),
        field('producerEpoch', 'int16', '0+'),
        field(
          'topics',
          array(struct([field('topic', 'string', '0+'), field('partitions', array('int32'), '0+')])),
          '0+',
        ),
      ]),
    ),
    '0+',
  ),
]);

export interface DescribeTransactionsRequest extends MessageValue<typeof describeTransactionsRequestSchema> {}
export type DescribeTransactionsResponseInput = MessageInput<typeof describeTransactionsResponseSchema>;

export const describeTransactionsApi = defineApi({
  key: 65,
  name: 'DescribeTransactions',
  minVersion: 0,
  maxVersion: 0,
  request: describeTransactionsRequestSchema,
  response: describeTransactionsResponseSchema,
});
export const {
  decodeRequest: decodeDescribeTransactionsRequest,
  encodeRequest: encodeDescribeTransactionsRequest,
  decodeResponse: decodeDescribeTransactionsResponse,
  encodeResponse: encodeDescribeTransactionsResponse,
} = describeTransactionsApi;
