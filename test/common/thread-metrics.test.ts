// Metrics of another thread served from the main registry: its families appear in /metrics with
// fresh values at each scrape, and a family both threads have is served once with the values summed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Registry } from 'prom-client';
import { registerRemoteMetrics } from '../../src/common/thread-metrics.js';

test('remote families are read at each scrape; a shared counter is summed per label set', async () => {
  const main = new Registry();
  const local = new Counter({ name: 'shared_total', help: 'both threads', labelNames: ['l'], registers: [main] });
  local.inc({ l: 'a' }, 2);
  const other = new Registry();
  const remoteShared = new Counter({
    name: 'shared_total',
    help: 'both threads',
    labelNames: ['l'],
    registers: [other],
  });
  const remoteOnly = new Counter({ name: 'remote_only_total', help: 'the other thread', registers: [other] });
  remoteShared.inc({ l: 'a' }, 3);
  remoteShared.inc({ l: 'b' }, 1);
  let reads = 0;
  registerRemoteMetrics(main, await other.getMetricsAsJSON(), async () => {
    reads++;
    return other.getMetricsAsJSON();
  });
  remoteOnly.inc(5);
  const text = await main.metrics();
  assert.match(text, /^shared_total\{l="a"\} 5$/m);
  assert.match(text, /^shared_total\{l="b"\} 1$/m);
  assert.match(text, /^remote_only_total 5$/m);
  assert.equal((text.match(/# TYPE shared_total/g) ?? []).length, 1);
  assert.equal(reads, 1, 'one read serves every family of a scrape');
  remoteOnly.inc();
  await new Promise((r) => setImmediate(r));
  assert.match(await main.metrics(), /^remote_only_total 6$/m);
});
