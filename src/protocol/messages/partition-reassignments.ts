// ListPartitionReassignments (key 46) and AlterPartitionReassignments (key 45), flexible from 0.
// Kafka 3.9: version 0 of each; Kafka 4.1 adds AlterPartitionReassignments v1 (KIP-860:
// AllowReplicationFactorChange; when false, a partition whose target replica count differs from the
// count it is headed for fails with INVALID_REPLICATION_FACTOR, and the response echoes the flag).
// raftka serves List 0 and Alter 0-1 (kafkajs admin; kafka-topics.sh --describe lists them).
//
// ListPartitionReassignments request:  TimeoutMs int32 (60000), Topics nullable (null)
//                                      [Name, PartitionIndexes [int32]]
// ListPartitionReassignments response: ThrottleTimeMs, ErrorCode, ErrorMessage nullable,
//                                      Topics [Name, Partitions [PartitionIndex, Replicas [int32],
//                                        AddingReplicas [int32], RemovingReplicas [int32]]]
// AlterPartitionReassignments request:  TimeoutMs int32 (60000), v1+ AllowReplicationFactorChange bool
//                                       (true), Topics [Name, Partitions [PartitionIndex,
//                                         Replicas nullable [int32] (null = cancel)]]
// AlterPartitionReassignments response: ThrottleTimeMs, v1+ AllowReplicationFactorChange bool (true),
//                                       ErrorCode, ErrorMessage nullable,
//                                       Responses [Name, Partitions [PartitionIndex, ErrorCode,
//                                         ErrorMessage nullable]]
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const listPartitionReassignmentsRequestSchema = message('ListPartitionReassignmentsRequest', '0+', [
  field('timeoutMs', 'int32', '0+', { default: 60000 }),
  field(
    'topics',
    array(struct([field('name', 'string', '0+'), field('partitionIndexes', array('int32'), '0+')])),
    '0+',
    { nullable: '0+', default: null },
  ),
]);

const listPartitionReassignmentsResponseSchema = message('ListPartitionReassignmentsResponse', '0+', [
  field('throttleTimeMs', 'int32', '0+', { default: 0 }),
  field('errorCode', 'int16', '0+'),
  field('errorMessage', 'string', '0+', { nullable: '0+' }),
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
              field('replicas', array('int32'), '0+'),
              field('addingReplicas', array('int32'), '0+'),
              field('removingReplicas', array('int32'), '0+'),
            ]),
          ),
          '0+',
        ),
      ]),
    ),
    '0+',
  ),
]);

const alterPartitionReassignmentsRequestSchema = message('AlterPartitionReassignmentsRequest', '0+', [
  field('timeoutMs', 'int32', '0+', { default: 60000 }),
  field('allowReplicationFactorChange', 'bool', '1+', { default: true }),
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
              field('replicas', array('int32'), '0+', { nullable: '0+', default: null }),
            ]),
          ),
          '0+',
        ),
      ]),
    ),
    '0+',
  ),
]);

const alterPartitionReassignmentsResponseSchema = message('AlterPartitionReassignmentsResponse', '0+', [
  field('throttleTimeMs', 'int32', '0+', { default: 0 }),
  field('allowReplicationFactorChange', 'bool', '1+', { default: true }),
  field('errorCode', 'int16', '0+'),
  field('errorMessage', 'string', '0+', { nullable: '0+' }),
  field(
    'responses',
    array(
      struct([
        field('name', 'string', '0+'),
        field(
          'partitions',
          array(
            struct([
              field('partitionIndex', 'int32', '0+'),
              field('errorCode', 'int16', '0+'),
              field('errorMessage', 'string', '0+', { nullable: '0+' }),
            ]),
          ),
          '0+',
        ),
      ]),
    ),
    '0+',
  ),
]);

export interface ListPartitionReassignmentsRequest
  extends MessageValue<typeof listPartitionReassignmentsRequestSchema> {}
export type ListPartitionReassignmentsResponseInput = MessageInput<typeof listPartitionReassignmentsResponseSchema>;
export interface AlterPartitionReassignmentsRequest
  extends MessageValue<typeof alterPartitionReassignmentsRequestSchema> {}
export type AlterPartitionReassignmentsResponseInput = MessageInput<typeof alterPartitionReassignmentsResponseSchema>;

export const listPartitionReassignmentsApi = defineApi({
  key: 46,
  name: 'ListPartitionReassignments',
  minVersion: 0,
  maxVersion: 0,
  request: listPartitionReassignmentsRequestSchema,
  response: listPartitionReassignmentsResponseSchema,
});
export const {
  decodeRequest: decodeListPartitionReassignmentsRequest,
  encodeRequest: encodeListPartitionReassignmentsRequest,
  decodeResponse: decodeListPartitionReassignmentsResponse,
  encodeResponse: encodeListPartitionReassignmentsResponse,
} = listPartitionReassignmentsApi;

export const alterPartitionReassignmentsApi = defineApi({
  key: 45,
  name: 'AlterPartitionReassignments',
  minVersion: 0,
  maxVersion: 1,
  request: alterPartitionReassignmentsRequestSchema,
  response: alterPartitionReassignmentsResponseSchema,
});
export const {
  decodeRequest: decodeAlterPartitionReassignmentsRequest,
  encodeRequest: encodeAlterPartitionReassignmentsRequest,
  decodeResponse: decodeAlterPartitionReassignmentsResponse,
  encodeResponse: encodeAlterPartitionReassignmentsResponse,
} = alterPartitionReassignmentsApi;
