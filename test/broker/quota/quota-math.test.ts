// Unit tests of the pure quota core (src/broker/quota/quota-math.ts): Kafka's windowed rate, the
// throttle-time formula, the eight-level entity precedence and the KIP-219 version table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  clientThrottles,
  quotaUserName,
  RateWindow,
  resolveQuota,
  throttleTimeMs,
  userClientEntityId,
  type UserClientEntity,
} from '../../../src/broker/quota/quota-math.js';

const window = { samples: 11, windowMs: 1000 };

test('a fresh rate divides by at least samples-1 windows, as Kafka does', () => {
  const r = new RateWindow(window);
  r.record(10_000, 0);
  // 10 full windows are assumed: 10000 bytes / 10 s.
  assert.equal(r.windowSizeMs(0), 10_000);
  assert.equal(r.measure(0), 1000);
  // 500 ms later: the elapsed half window plus the ten assumed ones.
  assert.equal(r.windowSizeMs(500), 10_500);
});

test('a steady rate is measured as such once the window is full, and old samples roll off', () => {
  const r = new RateWindow(window);
  // 1000 bytes every 100 ms = 10 kB/s, for 30 s.
  for (let t = 0; t <= 30_000; t += 100) r.record(1000, t);
  const rate = r.measure(30_000);
  assert.ok(Math.abs(rate - 10_000) / 10_000 < 0.1, `rate ${rate}`);
  // Nothing for a whole window span: every sample is purged, the rate falls to 0.
  assert.equal(r.measure(30_000 + 11_000), 0);
});

test('throttle time is (observed - quota) / quota * window, rounded; 0 within quota', () => {
  assert.equal(throttleTimeMs(1500, 1000, 10_000), 5000);
  assert.equal(throttleTimeMs(1000, 1000, 10_000), 0);
  assert.equal(throttleTimeMs(900, 1000, 10_000), 0);
  assert.equal(throttleTimeMs(1000.04, 1000, 10_000), 0);
  assert.equal(throttleTimeMs(1001, 1000, 11_000), 11);
});

test("Kafka's precedence of the eight user / client-id entities", () => {
  const levels: [UserClientEntity, string][] = [
    [{ user: 'alice', clientId: 'app' }, '/config/users/alice/clients/app'],
    [{ user: 'alice', clientId: null }, '/config/users/alice/clients/<default>'],
    [{ user: 'alice' }, '/config/users/alice'],
    [{ user: null, clientId: 'app' }, '/config/users/<default>/clients/app'],
    [{ user: null, clientId: null }, '/config/users/<default>/clients/<default>'],
    [{ user: null }, '/config/users/<default>'],
    [{ clientId: 'app' }, '/config/clients/app'],
    [{ clientId: null }, '/config/clients/<default>'],
  ];
  // With levels i..7 configured, level i wins; each removed in turn from the most specific.
  for (let i = 0; i < levels.length; i++) {
    const configured = new Map(levels.slice(i).map(([e], j) => [userClientEntityId(e), 100 * (i + j + 1)]));
    const q = resolveQuota((e) => configured.get(userClientEntityId(e)), 'alice', 'app');
    assert.ok(q);
    assert.equal(q.source, levels[i]![1]);
    assert.equal(q.bound, 100 * (i + 1));
  }
  assert.equal(
    resolveQuota(() => undefined, 'alice', 'app'),
    null,
  );
});

test('the rate key follows the level that applies (a user quota is shared by all its client ids)', () => {
  const only = (entity: UserClientEntity) => (e: UserClientEntity) =>
    userClientEntityId(e) === userClientEntityId(entity) ? 1000 : undefined;
  const user = resolveQuota(only({ user: 'alice' }), 'alice', 'app')!;
  assert.deepEqual([user.userTag, user.clientTag], ['alice', '']);
  const defaultUser = resolveQuota(only({ user: null }), 'bob', 'app')!;
  assert.deepEqual([defaultUser.userTag, defaultUser.clientTag], ['bob', '']);
  const client = resolveQuota(only({ clientId: null }), 'alice', 'app')!;
  assert.deepEqual([client.userTag, client.clientTag], ['', 'app']);
  const both = resolveQuota(only({ user: null, clientId: null }), 'alice', 'app')!;
  assert.deepEqual([both.userTag, both.clientTag], ['alice', 'app']);
  // A name and the default entity are different keys.
  assert.notEqual(userClientEntityId({ user: '<default>' }), userClientEntityId({ user: null }));
});

test('principal names lose their type; KIP-219 versions from Kafka', () => {
  assert.equal(quotaUserName('User:alice'), 'alice');
  assert.equal(quotaUserName('User:CN=broker,O=x'), 'CN=broker,O=x');
  assert.equal(clientThrottles(0, 5), false); // Produce v5 predates KIP-219
  assert.equal(clientThrottles(0, 6), true);
  assert.equal(clientThrottles(1, 7), false); // Fetch v7
  assert.equal(clientThrottles(1, 8), true);
  assert.equal(clientThrottles(44, 0), true); // IncrementalAlterConfigs: every version
  assert.equal(clientThrottles(48, 0), true); // an API Kafka never delayed
});
