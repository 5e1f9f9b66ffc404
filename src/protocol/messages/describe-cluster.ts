// DescribeCluster (key 60). Kafka 3.9: versions 0-1, Kafka 4.1: 0-2, flexible 0+ (always). raftka
// serves 0-2 (Java Admin describeCluster, kafka-metadata-quorum.sh). v1 adds EndpointType (KIP-919:
// 1 = brokers, 2 = controllers; a broker asked for controllers answers MISMATCHED_ENDPOINT_TYPE, an
// unknown type UNSUPPORTED_ENDPOINT_TYPE, both INVALID_REQUEST at v0); v2 IncludeFencedBrokers and
// each broker's IsFenced (KIP-1073).
//
// Request:  IncludeClusterAuthorizedOperations bool, v1+ EndpointType int8 (1),
//           v2+ IncludeFencedBrokers bool (false)
// Response: ThrottleTimeMs, ErrorCode, ErrorMessage nullable (null), v1+ EndpointType int8 (1),
//           ClusterId string, ControllerId int32 (-1),
//           Brokers [BrokerId int32, Host, Port int32, Rack nullable (null), v2+ IsFenced bool (false)],
//           ClusterAuthorizedOperations int32 (INT32_MIN)
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const describeClusterRequestSchema = message('DescribeClusterRequest', '0+', [
  field('includeClusterAuthorizedOperations', 'bool', '0+'),
  field('endpointType', 'int8', '1+', { default: 1 }),
  field('includeFencedBrokers', 'bool', '2+', { default: false }),
]);

const describeClusterResponseSchema = message('DescribeClusterResponse', '0+', [
  field('throttleTimeMs', 'int32', '0+', { default: 0 }),
  field('errorCode', 'int16', '0+'),
  field('errorMessage', 'string', '0+', { nullable: '0+', default: null }),
  field('endpointType', 'int8', '1+', { default: 1 }),
  field('clusterId', 'string', '0+'),
  field('controllerId', 'int32', '0+', { default: -1 }),
  field(
    'brokers',
    array(
      struct([
        field('brokerId', 'int32', '0+'),
        field('host', 'string', '0+'),
        field('port', 'int32', '0+'),
        field('rack', 'string', '0+', { nullable: '0+', default: null }),
        field('isFenced', 'bool', '2+', { default: false }),
      ]),
    ),
    '0+',
  ),
  field('clusterAuthorizedOperations', 'int32', '0+', { default: -2147483648 }),
]);

export interface DescribeClusterRequest extends MessageValue<typeof describeClusterRequestSchema> {}
export type DescribeClusterResponseInput = MessageInput<typeof describeClusterResponseSchema>;

export const describeClusterApi = defineApi({
  key: 60,
  name: 'DescribeCluster',
  minVersion: 0,
  maxVersion: 2,
  request: describeClusterRequestSchema,
  response: describeClusterResponseSchema,
});
export const {
  decodeRequest: decodeDescribeClusterRequest,
  encodeRequest: encodeDescribeClusterRequest,
  decodeResponse: decodeDescribeClusterResponse,
  encodeResponse: encodeDescribeClusterResponse,
} = describeClusterApi;
