// AddPartitionsToTxn (key 24). Kafka: versions 0-5, flexible 3+. raftka serves 0-5. Clients send
// v0-3 (one transaction, fields named V3AndBelow*); brokers send v4+ (several transactions, and
// VerifyOnly for KIP-890 part 1's "is this partition in the transaction?" check). v1 = v0; v2 may
// answer PRODUCER_FENCED, v5 TRANSACTION_ABORTABLE: new error codes, same fields.
//
// Request:  v4+ Transactions [TransactionalId, ProducerId int64, ProducerEpoch int16,
//             VerifyOnly bool (false), Topics [Topic]],
//           v0-3 V3AndBelowTransactionalId, v0-3 V3AndBelowProducerId int64,
//           v0-3 V3AndBelowProducerEpoch int16, v0-3 V3AndBelowTopics [Topic]
//           Topic = Name, Partitions [int32]
// Response: ThrottleTimeMs, v4+ ErrorCode int16, v4+ ResultsByTransaction [TransactionalId,
//             TopicResults [TopicResult]], v0-3 ResultsByTopicV3AndBelow [TopicResult]
//           TopicResult = Name, ResultsByPartition [PartitionIndex int32, PartitionErrorCode int16]
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const topic = struct([field('name', 'string', '0+'), field('partitions', array('int32'), '0+')]);

const topicResult = struct([
  field('name', 'string', '0+'),
  field(
    'resultsByPartition',
    array(struct([field('partitionIndex', 'int32', '0+'), field('partitionErrorCode', 'int16', '0+')])),
    '0+',
  ),
]);

const addPartitionsToTxnRequestSchema = message('AddPartitionsToTxnRequest', '3+', [
  field(
    'transactions',
    array(
      struct([
        field('transactionalId', 'string', '4+'),
        field('producerId', 'int64', '4+'),
        field('producerEpoch', 'int16', '4+'),
        field('verifyOnly', 'bool', '4+', { default: false }),
        field('topics', array(topic), '4+'),
      ]),
    ),
    '4+',
    { optional: true },
  ),
  field('v3AndBelowTransactionalId', 'string', '0-3', { optional: true }),
  field('v3AndBelowProducerId', 'int64', '0-3', { optional: true }),
  field('v3AndBelowProducerEpoch', 'int16', '0-3', { optional: true }),
  field('v3AndBelowTopics', array(topic), '0-3', { optional: true }),
]);

const addPartitionsToTxnResponseSchema = message('AddPartitionsToTxnResponse', '3+', [
  field('throttleTimeMs', 'int32', '0+', { default: 0 }),
  field('errorCode', 'int16', '4+', { default: 0 }),
  field(
    'resultsByTransaction',
    array(struct([field('transactionalId', 'string', '4+'), field('topicResults', array(topicResult), '4+')])),
    '4+',
    { optional: true },
  ),
  field('resultsByTopicV3AndBelow', array(topicResult), '0-3', { optional: true }),
]);

export interface AddPartitionsToTxnRequest extends MessageValue<typeof addPartitionsToTxnRequestSchema> {}
export type AddPartitionsToTxnResponseInput = MessageInput<typeof addPartitionsToTxnResponseSchema>;

export const addPartitionsToTxnApi = defineApi({
  key: 24,
  name: 'AddPartitionsToTxn',
  minVersion: 0,
  maxVersion: 5,
  request: addPartitionsToTxnRequestSchema,
  response: addPartitionsToTxnResponseSchema,
});
export const {
  decodeRequest: decodeAddPartitionsToTxnRequest,
  encodeRequest: encodeAddPartitionsToTxnRequest,
  decodeResponse: decodeAddPartitionsToTxnResponse,
  encodeResponse: encodeAddPartitionsToTxnResponse,
} = addPartitionsToTxnApi;
