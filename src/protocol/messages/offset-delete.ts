// OffsetDelete (key 47). Kafka 3.9 and 4.1: version 0 only, never flexible. raftka serves 0.
//
// Request:  GroupId, Topics [Name, Partitions [PartitionIndex int32]]
// Response: ErrorCode, ThrottleTimeMs, Topics [Name, Partitions [PartitionIndex int32, ErrorCode]]
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const offsetDeleteRequestSchema = message('OffsetDeleteRequest', 'none', [
  field('groupId', 'string', '0+'),
  field(
    'topics',
    array(
      struct([
        field('name', 'string', '0+'),
        field('partitions', array(struct([field('partitionIndex', 'int32', '0+')])), '0+'),
      ]),
    ),
    '0+',
  ),
]);

const offsetDeleteResponseSchema = message('OffsetDeleteResponse', 'none', [
  field('errorCode', 'int16', '0+'),
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

export interface OffsetDeleteRequest extends MessageValue<typeof offsetDeleteRequestSchema> {}
export type OffsetDeleteResponseInput = MessageInput<typeof offsetDeleteResponseSchema>;

export const offsetDeleteApi = defineApi({
  key: 47,
  name: 'OffsetDelete',
  minVersion: 0,
  maxVersion: 0,
  request: offsetDeleteRequestSchema,
  response: offsetDeleteResponseSchema,
});
export const {
  decodeRequest: decodeOffsetDeleteRequest,
  encodeRequest: encodeOffsetDeleteRequest,
  decodeResponse: decodeOffsetDeleteResponse,
  encodeResponse: encodeOffsetDeleteResponse,
} = offsetDeleteApi;
