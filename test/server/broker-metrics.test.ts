// The broker metrics that need no cluster: log flush times observed into their histogram, and the
// per-partition segment count and size series (metrics.partition.enable) read from a list of logs
// at scrape time, following partitions that come and go.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import {
  registerLogFlushTime,
  registerPartitionLogGauges,
  type PartitionLogView,
} from '../../src/server/broker-metrics.js';
import { parseNodeConfig } from '../../src/common/config.js';

/** `name{labels} value` lines of the registry's text, as label text → value. */
async function series(registry: Registry, name: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const line of (await registry.metrics()).split('\n')) {
    const m = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (m && m[1] === name) out.set(m[2]!, Number(m[3]));
  }
  return out;
}

test('each flush is one observation of raftka_log_flush_seconds', async () => {
  const registry = new Registry();
  const observe = registerLogFlushTime(registry);
  observe(0.002);
  observe(0.3);
  const text = await registry.metrics();
  assert.match(text, /^raftka_log_flush_seconds_count 2$/m);
  assert.match(text, /^raftka_log_flush_seconds_sum 0\.302$/m);
  assert.match(text, /^raftka_log_flush_seconds_bucket\{le="0\.0025"\} 1$/m);
});

test('per-partition segment count and size: one series per hosted partition, read at scrape time', async () => {
  const registry = new Registry();
  const hosted = new Map<string, PartitionLogView>([
    ['orders-0', { topic: 'orders', partition: 0, log: { segmentCount: 3, sizeBytes: 4096 } }],
    ['orders-1', { topic: 'orders', partition: 1, log: { segmentCount: 1, sizeBytes: 0 } }],
  ]);
  registerPartitionLogGauges(registry, () => hosted.values());
  assert.deepEqual(
    await series(registry, 'raftka_log_segments'),
    new Map([
      ['topic="orders",partition="0"', 3],
      ['topic="orders",partition="1"', 1],
    ]),
  );
  assert.deepEqual(
    await series(registry, 'raftka_log_size_bytes'),
    new Map([
      ['topic="orders",partition="0"', 4096],
      ['topic="orders",partition="1"', 0],
    ]),
  );
  // A partition moved away and a new one arrived: the next scrape (after the 100 ms pass reuse) follows.
  hosted.delete('orders-1');
  hosted.set('audit-0', { topic: 'audit', partition: 0, log: { segmentCount: 2, sizeBytes: 10 } });
  await new Promise((resolve) => setTimeout(resolve, 150));
  assert.deepEqual(
    [...(await series(registry, 'raftka_log_size_bytes')).keys()],
    ['topic="orders",partition="0"', 'topic="audit",partition="0"'],
  );
});

test('metrics.partition.enable is off unless set', () => {
  const base = new Map([
    ['node.id', '1'],
    ['process.roles', 'broker,controller'],
    ['controller.quorum.voters', '1@127.0.0.1:9093'],
    ['listeners', 'PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093'],
    ['controller.listener.names', 'CONTROLLER'],
    ['log.dirs', '/tmp/x'],
  ]);
  assert.equal(parseNodeConfig(base, 'node.properties').metricsPartitionEnable, false);
  const on = new Map([...base, ['metrics.partition.enable', 'true']]);
  assert.equal(parseNodeConfig(on, 'node.properties').metricsPartitionEnable, true);
});
