// Client telemetry without a receiver plugin (src/broker/telemetry-api.ts): an assigned instance
// id, no requested metrics, Kafka's throttling and validation codes for pushes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../src/common/errors.js';
import { ClientTelemetry, telemetryMaxBytes, telemetryPushIntervalMs } from '../../src/broker/telemetry-api.js';
import { zeroUuid } from '../../src/protocol/primitives/uuid.js';

test('GetTelemetrySubscriptions: a fresh instance id, nothing requested; asking again too soon is throttled', () => {
  let now = 1_000_000;
  const t = new ClientTelemetry(() => now);
  const a = t.getSubscriptions({ clientInstanceId: zeroUuid });
  assert.equal(a.errorCode, ErrorCode.NONE);
  assert.notEqual(a.clientInstanceId, zeroUuid);
  assert.deepEqual(a.requestedMetrics, []);
  assert.equal(a.pushIntervalMs, telemetryPushIntervalMs);
  const id = a.clientInstanceId!;
  assert.equal(t.getSubscriptions({ clientInstanceId: id }).errorCode, ErrorCode.THROTTLING_QUOTA_EXCEEDED);
  now += telemetryPushIntervalMs;
  const again = t.getSubscriptions({ clientInstanceId: id });
  assert.equal(again.errorCode, ErrorCode.NONE);
  assert.equal(again.subscriptionId, a.subscriptionId, 'the subscription id is stable for an instance');
  // Another broker (a fresh manager) computes the same subscription id for the instance.
  assert.equal(
    new ClientTelemetry(() => now).getSubscriptions({ clientInstanceId: id }).subscriptionId,
    a.subscriptionId,
  );
});

test('PushTelemetry: Kafka codes in Kafka order, then refused after a terminating push', () => {
  let now = 1_000_000;
  const t = new ClientTelemetry(() => now);
  const a = t.getSubscriptions({ clientInstanceId: zeroUuid });
  const id = a.clientInstanceId!;
  const push = (over: Partial<Parameters<ClientTelemetry['push']>[0]>) =>
    t.push({
      clientInstanceId: id,
      subscriptionId: a.subscriptionId!,
      terminating: false,
      compressionType: 0,
      metrics: Buffer.alloc(10),
      ...over,
    }).errorCode;
  assert.equal(push({ clientInstanceId: zeroUuid }), ErrorCode.INVALID_REQUEST);
  assert.equal(push({ subscriptionId: a.subscriptionId! + 1 }), ErrorCode.UNKNOWN_SUBSCRIPTION_ID);
  assert.equal(push({}), ErrorCode.THROTTLING_QUOTA_EXCEEDED, 'a second push within the interval');
  now += telemetryPushIntervalMs;
  assert.equal(push({ compressionType: 9 }), ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
  now += telemetryPushIntervalMs;
  assert.equal(push({ metrics: Buffer.alloc(telemetryMaxBytes + 1) }), ErrorCode.TELEMETRY_TOO_LARGE);
  now += telemetryPushIntervalMs;
  assert.equal(push({}), ErrorCode.NONE);
  assert.equal(push({ terminating: true }), ErrorCode.NONE, 'a terminating push is never throttled');
  now += telemetryPushIntervalMs;
  assert.equal(push({}), ErrorCode.INVALID_REQUEST, 'nothing after a terminating push');
});
