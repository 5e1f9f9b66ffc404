// ElectLeaders (key 43), KIP-183 / KIP-460. Kafka 3.9 and 4.x: versions 0-2, flexible 2+.
// v0 elects the preferred leader only; v1 adds ElectionType (0 preferred, 1 unclean) and a
// top-level ErrorCode.
//
// Request:  v1+ ElectionType int8, TopicPartitions [Topic, Partitions [int32]] nullable (null: every
//           partition), TimeoutMs int32 (60000)
// Response: ThrottleTimeMs, v1+ ErrorCode, ReplicaElectionResults [Topic,
//           PartitionResult [PartitionId int32, ErrorCode, ErrorMessage nullable]]
// Who calls: src/broker/elect-leaders-api.ts, src/client/elect-leaders.ts (`raftka leader-election`).
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const requestSchema = message('ElectLeadersRequest', '2+', [
  field('electionType', 'int8', '1+', { default: 0 }),
  field(
    'topicPartitions',
    array(struct([field('topic', 'string', '0+'), field('partitions', array('int32'), '0+')])),
    '0+',
    { nullable: '0+' },
  ),
  field('timeoutMs', 'int32', '0+', { default: 60000 }),
]);

const responseSchema = message('ElectLeadersResponse', '2+', [
  field('throttleTimeMs', 'int32', '0+', { default: 0 }),
  field('errorCode', 'int16', '1+', { default: 0 }),
  field(
    'replicaElectionResults',
    array(
      struct([
        field('topic', 'string', '0+'),
        field(
          'partitionResult',
          array(
            struct([
              field('partitionId', 'int32', '0+'),
              field('errorCode', 'int16', '0+'),
              field('errorMessage', 'string', '0+', { nullable: '0+', default: null }),
            ]),
          ),
          '0+',
        ),
      ]),
    ),
    '0+',
  ),
]);

export interface ElectLeadersRequest extends MessageValue<typeof requestSchema> {}
export type ElectLeadersResponseInput = MessageInput<typeof responseSchema>;
export type ElectLeadersResponse = MessageValue<typeof responseSchema>;

/** Kafka's ElectionType values. */
export const ElectionType = { PREFERRED: 0, UNCLEAN: 1 } as const;

export const electLeadersApi = defineApi({
  key: 43,
  name: 'ElectLeaders',
  minVersion: 0,
  maxVersion: 2,
  request: requestSchema,
  response: responseSchema,
});
