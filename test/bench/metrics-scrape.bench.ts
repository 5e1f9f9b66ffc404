// `/metrics` of an idle node at 10,000 partitions (issue 21: under 200 ms and under 2 MB with
// per-partition series off): one combined node, SCRAPE_TOPICS topics × 100 partitions (default
// 100 → 10,000), then SCRAPE_ROUNDS scrapes of the idle node, printing the time of each (p50, max)
// and the answer's size. `npm run bench -- metrics-scrape`.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ControllerClient } from '../../src/client/controller-client.js';
import { ClusterFixture, waitFor } from '../../src/testing/cluster-fixture.js';

const topics = Number(process.env['SCRAPE_TOPICS'] ?? 100);
const partitionsPerTopic = 100;
const rounds = Number(process.env['SCRAPE_ROUNDS'] ?? 20);

const f = await ClusterFixture.combined({ nodes: 1 });
const client = new ControllerClient([{ host: '127.0.0.1', port: f.controllerPorts[0]! }]);
try {
  await f.up();
  for (let i = 0; i < topics; i += 20) {
    const batch = Array.from({ length: Math.min(20, topics - i) }, (_, k) => ({
      name: `scrape-${i + k}`,
      numPartitions: partitionsPerTopic,
      replicationFactor: 1,
      configs: {},
    }));
    const res = await client.createTopics({ topics: batch }, { timeoutMs: 120_000 });
    const bad = res.topics.filter((t) => t.errorCode !== 0 && t.errorCode !== 36);
    if (bad.length > 0) throw new Error(`create failed: ${JSON.stringify(bad.slice(0, 3))}`);
  }
  const partitions = topics * partitionsPerTopic;
  const logs = join(f.dataDir, 'node-0', 'logs');
  await waitFor(
    'the node hosting every partition',
    async () => (readdirSync(logs).filter((n) => n.startsWith('scrape-')).length >= partitions ? true : undefined),
    600_000,
    500,
  );
  // Idle: no client traffic from here on. The first scrape warms the registry up.
  await f.metrics(0);
  const times: number[] = [];
  let bytes = 0;
  for (let r = 0; r < rounds; r++) {
    const started = performance.now();
    const text = await f.metrics(0);
    times.push(performance.now() - started);
    bytes = Buffer.byteLength(text);
  }
  times.sort((a, b) => a - b);
  const p50 = times[Math.floor(times.length / 2)]!;
  const max = times[times.length - 1]!;
  console.log(
    `/metrics of an idle node hosting ${partitions} partitions (metrics.partition.enable=false): ` +
      `p50 ${p50.toFixed(1)} ms, max ${max.toFixed(1)} ms over ${rounds} scrapes; ${(bytes / 1024).toFixed(0)} KiB ` +
      `(goal: under 200 ms and under 2 MB)`,
  );
} finally {
  client.close();
  await f.destroy();
}
