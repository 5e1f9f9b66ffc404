// DeleteRecords (key 21). Kafka: versions 0-2, flexible 2+; raftka serves all three (kafkajs and
// librdkafka send 1, Java clients 2; v2 only changes the encoding). Offset -1 means "up to the high watermark".
//
// Request:  Topics [Name, Partitions [PartitionIndex int32, Offset int64]], TimeoutMs int32
// Response: ThrottleTimeMs, Topics [Name, Partitions [PartitionIndex int32, LowWatermark int64, ErrorCode]]
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const deleteRecordsRequestSchema = message('DeleteRecordsRequest', '2+', [
  field(
    'topics',
    array(
      struct([
        field('name', 'string', '0+'),
        field(
          'partitions',
          array(struct([field('partitionIndex', 'int32', '0+'), field('offset', 'int64', '0+')])),
          '0+',
        ),
      ]),
    ),
    '0+',
  ),
  field('timeoutMs', 'int32', '0+'),
]);

const deleteRecordsResponseSchema = message('DeleteRecordsResponse', '2+', [
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
              field('lowWatermark', 'int64', '0+'),
              field('errorCode', 'int16', '0+'),
            ]),
          ),
          '0+',
        ),
      ]),
    ),
    '0+',
  ),
]);

export interface DeleteRecordsRequest extends MessageValue<typeof deleteRecordsRequestSchema> {}
export type DeleteRecordsResponseInput = MessageInput<typeof deleteRecordsResponseSchema>;

export const deleteRecordsApi = defineApi({
  key: 21,
  name: 'DeleteRecords',
  minVersion: 0,
  maxVersion: 2,
  request: deleteRecordsRequestSchema,
  response: deleteRecordsResponseSchema,
});
export const {
  decodeRequest: decodeDeleteRecordsRequest,
  encodeRequest: encodeDeleteRecordsRequest,
  decodeResponse: decodeDeleteRecordsResponse,
  encodeResponse: encodeDeleteRecordsResponse,
} = deleteRecordsApi;
