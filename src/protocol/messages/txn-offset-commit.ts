// TxnOffsetCommit (key 28). Kafka 3.9: versions 0-4; 4.1: 0-5; flexible 3+. raftka serves 0-5. Sent to the group
// coordinator; the offsets become visible when the transaction's COMMIT marker lands on the group's
// __consumer_offsets partition. v1 = v0; v3 adds the member fields (KIP-447), v4 may answer
// TRANSACTION_ABORTABLE; v5 has v4's fields, but with transactions v2 (KIP-890 part 2) it also adds
// the offsets partition to the transaction, replacing AddOffsetsToTxn.
//
// Request:  TransactionalId, GroupId, ProducerId int64, ProducerEpoch int16,
//           v3+ GenerationId int32 (-1), v3+ MemberId (""), v3+ GroupInstanceId nullable (null),
//           Topics [Name, Partitions [PartitionIndex int32, CommittedOffset int64,
//             v2+ CommittedLeaderEpoch int32 (-1), CommittedMetadata nullable]]
// Response: ThrottleTimeMs, Topics [Name, Partitions [PartitionIndex int32, ErrorCode]]
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const txnOffsetCommitRequestSchema = message('TxnOffsetCommitRequest', '3+', [
  field('transactionalId', 'string', '0+'),
  field('groupId', 'string', '0+'),
  field('producerId', 'int64', '0+'),
  field('producerEpoch', 'int16', '0+'),
  field('generationId', 'int32', '3+', { default: -1 }),
  field('memberId', 'string', '3+', { default: '' }),
  field('groupInstanceId', 'string', '3+', { nullable: '3+', default: null }),
  field(
    'topics',
    array(
      struct([
        field('name', 'string', '0+'),
        field(
          'partitions',
          array(
            struct([
              field('partitionIndex', 'int32', '0+'),
              field('committedOffset', 'int64', '0+'),
              field('committedLeaderEpoch', 'int32', '2+', { default: -1 }),
              field('committedMetadata', 'string', '0+', { nullable: '0+' }),
            ]),
          ),
          '0+',
        ),
      ]),
    ),
    '0+',
  ),
]);

const txnOffsetCommitResponseSchema = message('TxnOffsetCommitResponse', '3+', [
  field('throttleTimeMs', 'int32', '0+', { default: 0 }),
  field(
    'topics',
    array(
      struct([
        field('name', 'string', '0+'),
        field(
          'partitions',
          array(struct([field('partitionIndex', 'int32', '0+'), field('errorCode', 'int16', '0+')])),
          '0+',
        ),
      ]),
    ),
    '0+',
  ),
]);

export interface TxnOffsetCommitRequest extends MessageValue<typeof txnOffsetCommitRequestSchema> {}
export type TxnOffsetCommitResponseInput = MessageInput<typeof txnOffsetCommitResponseSchema>;

export const txnOffsetCommitApi = defineApi({
  key: 28,
  name: 'TxnOffsetCommit',
  minVersion: 0,
  maxVersion: 5,
  request: txnOffsetCommitRequestSchema,
  response: txnOffsetCommitResponseSchema,
});
export const {
  decodeRequest: decodeTxnOffsetCommitRequest,
  encodeRequest: encodeTxnOffsetCommitRequest,
  decodeResponse: decodeTxnOffsetCommitResponse,
  encodeResponse: encodeTxnOffsetCommitResponse,
} = txnOffsetCommitApi;
