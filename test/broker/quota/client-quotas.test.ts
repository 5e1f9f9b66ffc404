// Unit tests of the broker's quota manager (src/broker/quota/client-quotas.ts) on a simulated
// clock: quotas come from the metadata image (a change applies to the next request), a producer
// over its byte rate is throttled by Kafka's formula and held near the quota, a throttled fetch's
// bytes are taken back, the request quota is bounded by one window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientQuotaManager, RequestQuota } from '../../../src/broker/quota/client-quotas.js';
import { emptyImage, quotaEntityKey, type MetadataImage } from '../../../src/metadata/image.js';
import type { QuotaEntity } from '../../../src/metadata/records.js';

function imageWith(quotas: [QuotaEntity[], Record<string, number>][]): MetadataImage {
  return {
    ...emptyImage,
    quotas: new Map(
      quotas.map(([entity, values]) => [quotaEntityKey(entity), { entity, values: new Map(Object.entries(values)) }]),
    ),
  };
}

function manager(image: () => MetadataImage) {
  let now = 0;
  const m = new ClientQuotaManager({ window: { samples: 11, windowMs: 1000 }, image, now: () => now });
  return { m, advance: (ms: number) => (now += ms), now: () => now };
}

test('no quota: nothing is throttled or capped', () => {
  const { m } = manager(() => emptyImage);
  assert.equal(m.record('produce', 'User:alice', 'app', 1e9), 0);
  assert.equal(m.maxValueInWindow('fetch', 'User:alice', 'app'), Number.POSITIVE_INFINITY);
});

test('a producer sending as fast as it may is held at its quota by the throttle times', () => {
  const image = imageWith([[[{ entityType: 'user', entityName: 'alice' }], { producer_byte_rate: 1_000_000 }]]);
  const { m, advance, now } = manager(() => image);
  // A client that sends 100 kB requests back to back, and waits out each throttle time (KIP-219).
  // Kafka's rate lets a fresh key take ten windows' worth at once and refills in a sawtooth, so the
  // average settles on the quota over many windows (200 s here).
  let sent = 0;
  while (now() < 200_000) {
    const q = new RequestQuota(m, 'User:alice', 'app', 100_000);
    const t = q.recordProduce();
    sent += 100_000;
    advance(Math.max(5, t));
  }
  const rate = sent / 200;
  assert.ok(Math.abs(rate - 1_000_000) / 1_000_000 < 0.02, `rate ${rate}`);
  // Another user has no quota.
  assert.equal(m.record('produce', 'User:bob', 'app', 1e9), 0);
});

test('a quota change in the image applies to the next request', () => {
  let image = emptyImage;
  const { m } = manager(() => image);
  assert.equal(m.record('produce', 'User:alice', 'app', 100_000_000), 0);
  image = imageWith([[[{ entityType: 'client-id', entityName: null }], { producer_byte_rate: 1000 }]]);
  assert.ok(m.record('produce', 'User:alice', 'app', 100_000) > 0);
  image = emptyImage;
  assert.equal(m.record('produce', 'User:alice', 'app', 100_000), 0);
});

test('a throttled fetch takes its bytes back; the fetch size is capped at a window of quota', () => {
  const image = imageWith([[[{ entityType: 'client-id', entityName: 'c' }], { consumer_byte_rate: 1000 }]]);
  const { m } = manager(() => image);
  const q = new RequestQuota(m, 'User:ANONYMOUS', 'c', 50);
  assert.equal(q.fetchBytesMax(), 10_000); // 1000 B/s × (11 − 1) windows × 1 s
  assert.equal(q.recordFetch(10_000), 0); // exactly one window's worth is within quota
  const t = q.recordFetch(5000);
  assert.equal(t, 5000); // (15000/10 − 1000)/1000 × 10 s
  // The 5000 bytes were taken back: the next 1-byte fetch sees the rate at the quota again.
  assert.equal(new RequestQuota(m, 'User:ANONYMOUS', 'c', 50).recordFetch(0), 0);
  assert.equal(q.finish(0, false).throttleMs, 5000);
});

test('request_percentage: percent of one thread, throttle bounded by one window', () => {
  const image = imageWith([[[{ entityType: 'user', entityName: null }], { request_percentage: 10 }]]);
  const { m } = manager(() => image);
  // 5 s of handling in one go: far over 10 % of a thread, but throttled at most one window (1 s).
  const q = new RequestQuota(m, 'User:alice', 'app', 10);
  const { throttleMs, type } = q.finish(5000, true);
  assert.equal(throttleMs, 1000);
  assert.equal(type, 'request');
  // Exempt requests record nothing.
  assert.equal(new RequestQuota(m, 'User:bob', 'app', 10).finish(5000, false).throttleMs, 0);
});
