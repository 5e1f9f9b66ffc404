// WriteTxnMarkers (key 27). Kafka: versions 0-1, flexible 1+ (Kafka 4.0 drops v0; later 4.x adds v2
// with a TransactionVersion per marker, KIP-1228, which raftka does not speak). raftka serves 0-1:
// used by admin tools (`kafka-transactions.sh abort`); between raftka brokers markers travel over
// gRPC (proto/replica.proto).
//
// Request:  Markers [ProducerId int64, ProducerEpoch int16, TransactionResult bool (true = commit),
//             Topics [Name, PartitionIndexes [int32]], CoordinatorEpoch int32]
// Response: Markers [ProducerId int64, Topics [Name, Partitions [PartitionIndex int32, ErrorCode]]]
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const writeTxnMarkersRequestSchema = message('WriteTxnMarkersRequest', '1+', [
  field(
    'markers',
    array(
      struct([
        field('producerId', 'int64', '0+'),
        field('producerEpoch', 'int16', '0+'),
        field('transactionResult', 'bool', '0+'),
        field(
          'topics',
          array(struct([field('name', 'string', '0+'), field('partitionIndexes', array('int32'), '0+')])),
          '0+',
        ),
        field('coordinatorEpoch', 'int32', '0+'),
      ]),
    ),
    '0+',
  ),
]);

const writeTxnMarkersResponseSchema = message('WriteTxnMarkersResponse', '1+', [
  field(
    'markers',
    array(
      struct([
        field('producerId', 'int64', '0+'),
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
      ]),
    ),
    '0+',
  ),
]);

export interface WriteTxnMarkersRequest extends MessageValue<typeof writeTxnMarkersRequestSchema> {}
export type WriteTxnMarkersResponseInput = MessageInput<typeof writeTxnMarkersResponseSchema>;

export const writeTxnMarkersApi = defineApi({
  key: 27,
  name: 'WriteTxnMarkers',
  minVersion: 0,
  maxVersion: 1,
  request: writeTxnMarkersRequestSchema,
  response: writeTxnMarkersResponseSchema,
});
export const {
  decodeRequest: decodeWriteTxnMarkersRequest,
  encodeRequest: encodeWriteTxnMarkersRequest,
  decodeResponse: decodeWriteTxnMarkersResponse,
  encodeResponse: encodeWriteTxnMarkersResponse,
} = writeTxnMarkersApi;
