// Produce (key 0). Kafka: versions 0-13 (4.x: 3-13), flexible 9+. raftka serves 3-13: v3 is the
// first version that carries RecordBatch v2 (librdkafka's MSGVER2 needs 3 in range, ZSTD needs 7;
// kafkajs sends 7; v0-2 carry message format v0/v1, which raftka does not convert). v9 is flexible,
// v10 answers NOT_LEADER_OR_FOLLOWER with the leader and its endpoints (KIP-951), v11 may answer
// TRANSACTION_ABORTABLE (older versions get INVALID_TXN_STATE instead), v12 has v11's fields but a
// transactional produce adds its partition to the transaction itself (KIP-890 part 2), v13 names
// topics by id (an unknown id is UNKNOWN_TOPIC_ID).
// Hot path: `records` stays a Buffer slice of the request frame; nothing here looks inside it.
//
// Request:  v3+ TransactionalId nullable string (default null), Acks int16, TimeoutMs int32,
//           TopicData [v0-12 Name string, v13+ TopicId uuid, PartitionData [Index int32, Records nullable records]]
// Response: Responses [v0-12 Name, v13+ TopicId, PartitionResponses [Index int32, ErrorCode int16, BaseOffset int64,
//             v2+ LogAppendTimeMs int64 (-1), v5+ LogStartOffset int64 (-1),
//             v8+ RecordErrors [BatchIndex int32, BatchIndexErrorMessage nullable string],
//             v8+ ErrorMessage nullable string, v10+ tagged 0 CurrentLeader {LeaderId, LeaderEpoch}]],
//           v1+ ThrottleTimeMs int32, v10+ tagged 0 NodeEndpoints [NodeId, Host, Port, Rack]
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const produceRequestSchema = message('ProduceRequest', '9+', [
  field('transactionalId', 'string', '3+', { nullable: '3+', default: null }),
  field('acks', 'int16', '0+'),
  field('timeoutMs', 'int32', '0+'),
  field(
    'topicData',
    array(
      struct([
        field('name', 'string', '0-12', { optional: true }),
        field('topicId', 'uuid', '13+', { optional: true }),
        field(
          'partitionData',
          array(struct([field('index', 'int32', '0+'), field('records', 'records', '0+', { nullable: '0+' })])),
          '0+',
        ),
      ]),
    ),
    '0+',
  ),
]);

const produceResponseSchema = message('ProduceResponse', '9+', [
  field(
    'responses',
    array(
      struct([
        field('name', 'string', '0-12', { optional: true }),
        field('topicId', 'uuid', '13+', { optional: true }),
        field(
          'partitionResponses',
          array(
            struct([
              field('index', 'int32', '0+'),
              field('errorCode', 'int16', '0+'),
              field('baseOffset', 'int64', '0+'),
              field('logAppendTimeMs', 'int64', '2+', { default: -1 }),
              field('logStartOffset', 'int64', '5+', { default: -1 }),
              field(
                'recordErrors',
                array(
                  struct([
                    field('batchIndex', 'int32', '8+'),
                    field('batchIndexErrorMessage', 'string', '8+', { nullable: '8+', default: null }),
                  ]),
                ),
                '8+',
                { optional: true },
              ),
              field('errorMessage', 'string', '8+', { nullable: '8+', default: null }),
              field(
                'currentLeader',
                struct([
                  field('leaderId', 'int32', '10+', { default: -1 }),
                  field('leaderEpoch', 'int32', '10+', { default: -1 }),
                ]),
                '10+',
                { tag: 0 },
              ),
            ]),
          ),
          '0+',
        ),
      ]),
    ),
    '0+',
  ),
  field('throttleTimeMs', 'int32', '1+', { default: 0 }),
  field(
    'nodeEndpoints',
    array(
      struct([
        field('nodeId', 'int32', '10+'),
        field('host', 'string', '10+'),
        field('port', 'int32', '10+'),
        field('rack', 'string', '10+', { nullable: '10+', default: null }),
      ]),
    ),
    '10+',
    { tag: 0 },
  ),
]);

export interface ProduceRequest extends MessageValue<typeof produceRequestSchema> {}
export type ProduceResponseInput = MessageInput<typeof produceResponseSchema>;

export const produceApi = defineApi({
  key: 0,
  name: 'Produce',
  minVersion: 3,
  maxVersion: 13,
  request: produceRequestSchema,
  response: produceResponseSchema,
});
export const {
  decodeRequest: decodeProduceRequest,
  encodeRequest: encodeProduceRequest,
  decodeResponse: decodeProduceResponse,
  encodeResponse: encodeProduceResponse,
} = produceApi;
