// The node-wide metrics that need no cluster: event-loop utilisation between scrapes (from fake
// loop readings, and from the real loop kept busy), and the active-controller gauge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { Registry } from 'prom-client';
import {
  createNodeRegistry,
  registerControllerGauges,
  registerEventLoopUtilization,
  UtilizationSampler,
} from '../../src/server/node-metrics.js';

/** The value of the sample of `name` with exactly these labels in the registry's text. */
async function sampleValue(registry: Registry, name: string, labels: string): Promise<number | undefined> {
  const line = (await registry.metrics()).split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

test('utilisation is the active share of the time between two readings', () => {
  const s = new UtilizationSampler();
  assert.equal(s.sample({ idle: 75, active: 25 }), 0.25, 'the first reading counts from start');
  assert.equal(s.sample({ idle: 85, active: 115 }), 0.9, '90 of the next 100 ms were busy');
  assert.equal(s.sample({ idle: 85, active: 115 }), 0.9, 'no time passed: the last answer stands');
  assert.equal(s.sample({ idle: 185, active: 115 }), 0, 'an idle interval');
});

test('raftka_event_loop_utilization has one series per loop, each over its own interval', async () => {
  const registry = new Registry();
  const addLoop = registerEventLoopUtilization(registry);
  let main = { idle: 50, active: 50 };
  let raft = { idle: 0, active: 10 };
  addLoop('main', () => main);
  addLoop('raft', () => raft);
  assert.equal(await sampleValue(registry, 'raftka_event_loop_utilization', 'loop="main"'), 0.5);
  assert.equal(await sampleValue(registry, 'raftka_event_loop_utilization', 'loop="raft"'), 1);
  main = { idle: 140, active: 60 };
  raft = { idle: 30, active: 20 };
  assert.equal(await sampleValue(registry, 'raftka_event_loop_utilization', 'loop="main"'), 0.1);
  assert.equal(await sampleValue(registry, 'raftka_event_loop_utilization', 'loop="raft"'), 0.25);
});

test('on the real loop: near 1 after a busy spell, well below it after an idle one', async () => {
  const registry = new Registry();
  registerEventLoopUtilization(registry)('main', () => performance.eventLoopUtilization());
  const read = (): Promise<number | undefined> => sampleValue(registry, 'raftka_event_loop_utilization', 'loop="main"');
  await read();
  const until = performance.now() + 100;
  while (performance.now() < until) {
    // busy: the loop runs this callback the whole time
  }
  const busy = await read();
  assert.ok(busy !== undefined && busy > 0.8 && busy <= 1, `busy ${busy}`);
  // Idle: the loop waits on a timer. On a loaded machine a wait can end with the process starved of
  // CPU (which counts as busy), so look again over later waits, up to a deadline.
  const readings: (number | undefined)[] = [];
  const deadline = performance.now() + 5000;
  do {
    await new Promise((resolve) => setTimeout(resolve, 100));
    readings.push(await read());
  } while (!readings.some((r) => r !== undefined && r < 0.5) && performance.now() < deadline);
  assert.ok(
    readings.every((r) => r !== undefined && r >= 0 && r <= 1) && readings.some((r) => r! < 0.5),
    `idle readings ${readings.join(', ')}`,
  );
});

test('the node registry measures its main loop, labelled with the node id', async () => {
  const value = await sampleValue(createNodeRegistry(7), 'raftka_event_loop_utilization', 'loop="main",node_id="7"');
  assert.ok(value !== undefined && value >= 0 && value <= 1, `utilisation ${value}`);
});

test('raftka_active_controller follows the controller', async () => {
  const registry = new Registry();
  let active = false;
  registerControllerGauges(registry, () => active);
  assert.match(await registry.metrics(), /^raftka_active_controller 0$/m);
  active = true;
  assert.match(await registry.metrics(), /^raftka_active_controller 1$/m);
});
