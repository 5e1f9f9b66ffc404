// DescribeCluster (key 60). Kafka: versions 0-1, flexible 0+ (always). raftka serves 0 (Java
// Admin describeCluster, kafka-metadata-quorum.sh).
//
// Request:  IncludeClusterAuthorizedOperations bool, v1+ EndpointType int8 (1)
// Response: ThrottleTimeMs, ErrorCode, ErrorMessage nullable (null), v1+ EndpointType int8 (1),
//           ClusterId string, ControllerId int32 (-1),
//           Brokers [BrokerId int32, Host, Port int32, Rack nullable (null)],
//           ClusterAuthorizedOperations int32 (INT32_MIN)
import { array, field, message, struct, type MessageInput } from '../schema/dsl.js';
import { defineApi } from './define.js';

const describeClusterRequestSchema = message('DescribeClusterRequest', '0+', [
  field('includeClusterAuthorizedOperations', 'bool', '0+'),
  field('endpointType', 'int8', '1+', { default: 1 }),
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
      ]),
    ),
    '0+',
  ),
  field('clusterAuthorizedOperations', 'int32', '0+', { default: -2147483648 }),
]);

export type DescribeClusterResponseInput = MessageInput<typeof describeClusterResponseSchema>;

export const describeClusterApi = defineApi({
  key: 60,
  name: 'DescribeCluster',
  minVersion: 0,
  maxVersion: 0,
  request: describeClusterRequestSchema,
  response: describeClusterResponseSchema,
});
export const {
  decodeRequest: decodeDescribeClusterRequest,
  encodeRequest: encodeDescribeClusterRequest,
  decodeResponse: decodeDescribeClusterResponse,
  encodeResponse: encodeDescribeClusterResponse,
} = describeClusterApi;
