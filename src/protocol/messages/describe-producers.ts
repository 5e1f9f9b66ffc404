// DescribeProducers (key 61, KIP-664). Kafka: version 0, flexible 0+. raftka serves 0. Sent to a
// partition leader: the producers its producer state holds (`kafka-transactions.sh
// describe-producers`, and `find-hanging`).
//
// Request:  Topics [Name, PartitionIndexes [int32]]
// Response: ThrottleTimeMs, Topics [Name, Partitions [PartitionIndex int32, ErrorCode,
//             ErrorMessage nullable (null), ActiveProducers [ProducerId int64, ProducerEpoch int32,
//             LastSequence int32 (-1), LastTimestamp int64 (-1), CoordinatorEpoch int32,
//             CurrentTxnStartOffset int64 (-1)]]]
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const describeProducersRequestSchema = message('DescribeProducersRequest', '0+', [
  field(
    'topics',
    array(struct([field('name', 'string', '0+'), field('partitionIndexes', array('int32'), '0+')])),
    '0+',
  ),
]);

const describeProducersResponseSchema = message('DescribeProducersResponse', '0+', [
  field('throttleTimeMs', 'int32', '0+', { default: 0 }),
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
              field('errorCode', 'int16', '0+'),
              field('errorMessage', 'string', '0+', { nullable: '0+', default: null }),
              field(
                'activeProducers',
                array(
                  struct([
                    field('producerId', 'int64', '0+'),
                    field('producerEpoch', 'int32', '0+'),
                    field('lastSequence', 'int32', '0+', { default: -1 }),
                    field('lastTimestamp', 'int64', '0+', { default: -1 }),
                    field('coordinatorEpoch', 'int32', '0+'),
                    field('currentTxnStartOffset', 'int64', '0+', { default: -1 }),
                  ]),
                ),
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

export interface DescribeProducersRequest extends MessageValue<typeof describeProducersRequestSchema> {}
export type DescribeProducersResponseInput = MessageInput<typeof describeProducersResponseSchema>;

export const describeProducersApi = defineApi({
  key: 61,
  name: 'DescribeProducers',
  minVersion: 0,
  maxVersion: 0,
  request: describeProducersRequestSchema,
  response: describeProducersResponseSchema,
});
export const {
  decodeRequest: decodeDescribeProducersRequest,
  encodeRequest: encodeDescribeProducersRequest,
  decodeResponse: decodeDescribeProducersResponse,
  encodeResponse: encodeDescribeProducersResponse,
} = describeProducersApi;
