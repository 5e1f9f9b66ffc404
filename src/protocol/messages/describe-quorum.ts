// DescribeQuorum (key 55), KIP-595 / KIP-836 / KIP-853. Kafka 3.9 and 4.x: versions 0-2, flexible
// 0+ (always). Served on a controller's Kafka listener (KIP-919, `kafka-metadata-quorum.sh
// --bootstrap-controller`) for the `__cluster_metadata` partition. v1 adds each replica's
// LastFetchTimestamp and LastCaughtUpTimestamp; v2 adds ErrorMessage (top level and per
// partition), each replica's ReplicaDirectoryId and the voters' Nodes with their listeners.
//
// Request:  Topics [TopicName, Partitions [PartitionIndex int32]]
// Response: ErrorCode, v2+ ErrorMessage nullable, Topics [TopicName, Partitions [PartitionIndex,
//           ErrorCode, v2+ ErrorMessage nullable, LeaderId int32, LeaderEpoch int32,
//           HighWatermark int64, CurrentVoters [ReplicaState], Observers [ReplicaState]]],
//           v2+ Nodes [NodeId int32, Listeners [Name, Host, Port uint16]]
//           ReplicaState: ReplicaId int32, v2+ ReplicaDirectoryId uuid, LogEndOffset int64,
//           v1+ LastFetchTimestamp int64 (-1), v1+ LastCaughtUpTimestamp int64 (-1)
// Who calls: src/broker/controller-apis.ts (the controller listener), src/client/ (tests, tools).
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const requestSchema = message('DescribeQuorumRequest', '0+', [
  field(
    'topics',
    array(
      struct([
        field('topicName', 'string', '0+'),
        field('partitions', array(struct([field('partitionIndex', 'int32', '0+')])), '0+'),
      ]),
    ),
    '0+',
  ),
]);

const replicaState = struct([
  field('replicaId', 'int32', '0+'),
  field('replicaDirectoryId', 'uuid', '2+', { optional: true }),
  field('logEndOffset', 'int64', '0+'),
  field('lastFetchTimestamp', 'int64', '1+', { default: -1 }),
  field('lastCaughtUpTimestamp', 'int64', '1+', { default: -1 }),
]);

const responseSchema = message('DescribeQuorumResponse', '0+', [
  field('errorCode', 'int16', '0+'),
  field('errorMessage', 'string', '2+', { nullable: '2+', default: null }),
  field(
    'topics',
    array(
      struct([
        field('topicName', 'string', '0+'),
        field(
          'partitions',
          array(
            struct([
              field('partitionIndex', 'int32', '0+'),
              field('errorCode', 'int16', '0+'),
              field('errorMessage', 'string', '2+', { nullable: '2+', default: null }),
              field('leaderId', 'int32', '0+'),
              field('leaderEpoch', 'int32', '0+'),
              field('highWatermark', 'int64', '0+'),
              field('currentVoters', array(replicaState), '0+'),
              field('observers', array(replicaState), '0+'),
            ]),
          ),
          '0+',
        ),
      ]),
    ),
    '0+',
  ),
  field(
    'nodes',
    array(
      struct([
        field('nodeId', 'int32', '2+'),
        field(
          'listeners',
          array(struct([field('name', 'string', '2+'), field('host', 'string', '2+'), field('port', 'uint16', '2+')])),
          '2+',
        ),
      ]),
    ),
    '2+',
    { optional: true },
  ),
]);

export interface DescribeQuorumRequest extends MessageValue<typeof requestSchema> {}
export type DescribeQuorumResponseInput = MessageInput<typeof responseSchema>;
export type DescribeQuorumResponse = MessageValue<typeof responseSchema>;

export const describeQuorumApi = defineApi({
  key: 55,
  name: 'DescribeQuorum',
  minVersion: 0,
  maxVersion: 2,
  request: requestSchema,
  response: responseSchema,
});
