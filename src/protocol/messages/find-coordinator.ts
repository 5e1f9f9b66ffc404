// FindCoordinator (key 10). Kafka 3.9 and 4.1: versions 0-6, flexible 3+. raftka serves 0-6
// (librdkafka needs v0 advertised for groups, transactions and even LZ4; kafkajs sends 2). KeyType:
// 0 group, 1 transaction, 2 share group (v6+, KIP-932; raftka runs no share coordinator, so such a
// key is answered INVALID_REQUEST as a Kafka broker without share groups does). v4+ batches keys
// and answers per key; v5 only allows TRANSACTION_ABORTABLE; v6 only adds the share key type.
//
// Request:  v0-3 Key string, v1+ KeyType int8 (0), v4+ CoordinatorKeys [string]
// Response: v1+ ThrottleTimeMs, v0-3 ErrorCode, v1-3 ErrorMessage nullable, v0-3 NodeId int32,
//           v0-3 Host, v0-3 Port int32, v4+ Coordinators [Key, NodeId, Host, Port, ErrorCode,
//           ErrorMessage nullable]
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const findCoordinatorRequestSchema = message('FindCoordinatorRequest', '3+', [
  field('key', 'string', '0-3', { optional: true }),
  field('keyType', 'int8', '1+', { default: 0 }),
  field('coordinatorKeys', array('string'), '4+', { optional: true }),
]);

const findCoordinatorResponseSchema = message('FindCoordinatorResponse', '3+', [
  field('throttleTimeMs', 'int32', '1+', { default: 0 }),
  field('errorCode', 'int16', '0-3', { optional: true }),
  field('errorMessage', 'string', '1-3', { nullable: '1-3', optional: true }),
  field('nodeId', 'int32', '0-3', { optional: true }),
  field('host', 'string', '0-3', { optional: true }),
  field('port', 'int32', '0-3', { optional: true }),
  field(
    'coordinators',
    array(
      struct([
        field('key', 'string', '4+'),
        field('nodeId', 'int32', '4+'),
        field('host', 'string', '4+'),
        field('port', 'int32', '4+'),
        field('errorCode', 'int16', '4+'),
        field('errorMessage', 'string', '4+', { nullable: '4+' }),
      ]),
    ),
    '4+',
    { optional: true },
  ),
]);

export interface FindCoordinatorRequest extends MessageValue<typeof findCoordinatorRequestSchema> {}
export type FindCoordinatorResponseInput = MessageInput<typeof findCoordinatorResponseSchema>;

export const findCoordinatorApi = defineApi({
  key: 10,
  name: 'FindCoordinator',
  minVersion: 0,
  maxVersion: 6,
  request: findCoordinatorRequestSchema,
  response: findCoordinatorResponseSchema,
});
export const {
  decodeRequest: decodeFindCoordinatorRequest,
  encodeRequest: encodeFindCoordinatorRequest,
  decodeResponse: decodeFindCoordinatorResponse,
  encodeResponse: encodeFindCoordinatorResponse,
} = findCoordinatorApi;
