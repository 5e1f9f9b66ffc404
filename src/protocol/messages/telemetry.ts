// GetTelemetrySubscriptions (key 71) and PushTelemetry (key 72), KIP-714 client metrics. Kafka 3.9
// and 4.x: version 0 only, flexible 0+.
//
// Get request:   ClientInstanceId uuid (zero on the first request: the broker assigns one)
// Get response:  ThrottleTimeMs, ErrorCode, ClientInstanceId uuid, SubscriptionId int32,
//                AcceptedCompressionTypes [int8], PushIntervalMs int32, TelemetryMaxBytes int32,
//                DeltaTemporality bool, RequestedMetrics [string] (empty: no metrics wanted)
// Push request:  ClientInstanceId uuid, SubscriptionId int32, Terminating bool, CompressionType int8,
//                Metrics bytes (OpenTelemetry MetricsData protobuf)
// Push response: ThrottleTimeMs, ErrorCode
// Who calls: src/broker/telemetry-api.ts.
import { array, field, message, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const getRequestSchema = message('GetTelemetrySubscriptionsRequest', '0+', [field('clientInstanceId', 'uuid', '0+')]);

const getResponseSchema = message('GetTelemetrySubscriptionsResponse', '0+', [
  field('throttleTimeMs', 'int32', '0+', { default: 0 }),
  field('errorCode', 'int16', '0+'),
  field('clientInstanceId', 'uuid', '0+', { optional: true }),
  field('subscriptionId', 'int32', '0+', { default: 0 }),
  field('acceptedCompressionTypes', array('int8'), '0+', { optional: true }),
  field('pushIntervalMs', 'int32', '0+', { default: 0 }),
  field('telemetryMaxBytes', 'int32', '0+', { default: 0 }),
  field('deltaTemporality', 'bool', '0+', { default: false }),
  field('requestedMetrics', array('string'), '0+', { optional: true }),
]);

const pushRequestSchema = message('PushTelemetryRequest', '0+', [
  field('clientInstanceId', 'uuid', '0+'),
  field('subscriptionId', 'int32', '0+'),
  field('terminating', 'bool', '0+'),
  field('compressionType', 'int8', '0+'),
  field('metrics', 'bytes', '0+'),
]);

const pushResponseSchema = message('PushTelemetryResponse', '0+', [
  field('throttleTimeMs', 'int32', '0+', { default: 0 }),
  field('errorCode', 'int16', '0+'),
]);

export interface GetTelemetrySubscriptionsRequest extends MessageValue<typeof getRequestSchema> {}
export type GetTelemetrySubscriptionsResponseInput = MessageInput<typeof getResponseSchema>;
export interface PushTelemetryRequest extends MessageValue<typeof pushRequestSchema> {}
export type PushTelemetryResponseInput = MessageInput<typeof pushResponseSchema>;

export const getTelemetrySubscriptionsApi = defineApi({
  key: 71,
  name: 'GetTelemetrySubscriptions',
  minVersion: 0,
  maxVersion: 0,
  request: getRequestSchema,
  response: getResponseSchema,
});

export const pushTelemetryApi = defineApi({
  key: 72,
  name: 'PushTelemetry',
  minVersion: 0,
  maxVersion: 0,
  request: pushRequestSchema,
  response: pushResponseSchema,
});
