// The controller at 100,000 partitions on 3 controllers + 3 brokers (real processes):
// creation time, controller failover time at that size, broker restart-to-unfenced time,
// snapshot size and load time, and controller resident memory per 1,000 partitions.
// `npm run bench -- controller-scale` (SCALE_TOPICS=N, default 1000; 100 partitions each, RF 3).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ControllerClient } from '../../src/client/controller-client.js';
import { MetadataState } from '../../src/metadata/metadata-state.js';
import { ClusterFixture, waitFor } from '../../src/testing/cluster-fixture.js';

const topics = Number(process.env['SCALE_TOPICS'] ?? 1000);
const partitionsPerTopic = 100;
const topicsPerRequest = 50;

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.split(/\s+/)[1]) / 1024;
}

interface Described {
  brokers: { id: number; fenced: boolean; epoch: number }[];
}

const f = await ClusterFixture.controllers({
  controllers: 3,
  brokers: 3,
  extra: {
    'broker.session.timeout.ms': '4000',
    'broker.heartbeat.interval.ms': '500',
    'metadata.log.max.record.bytes.between.snapshots': String(4 * 1024 * 1024),
    ...(process.env['SCALE_FETCH_TIMEOUT_MS']
      ? { 'controller.quorum.fetch.timeout.ms': process.env['SCALE_FETCH_TIMEOUT_MS'] }
      : {}),
  },
});
/** The quorum's status, asked again while the leader is moving (the machine is loaded). */
const quorum = (): ReturnType<typeof f.quorumStatus> =>
  waitFor('the quorum status', () => f.quorumStatus().catch(() => undefined), 60_000, 100);
const client = new ControllerClient(f.controllerPorts.map((port) => ({ host: '127.0.0.1', port })));
/** Brokers as the active controller sees them (a controller that just restarted may lag). */
const describeBrokers = async (): Promise<Described> => {
  const leaderId = (await quorum()).leaderId;
  return JSON.parse(
    await f.raftka(
      'topics',
      '--bootstrap-controller',
      `127.0.0.1:${f.controllerPorts[leaderId - 1]}`,
      '--describe',
      '--json',
      '--topic',
      'none-such',
    ),
  ) as Described;
};
try {
  await f.up();
  await waitFor(
    'three unfenced brokers',
    async () => {
      const d = await describeBrokers();
      return d.brokers.length === 3 && d.brokers.every((b) => !b.fenced) ? true : undefined;
    },
    60_000,
    200,
  );
  const status = await f.status();
  const rssBefore = new Map(status.filter((s) => s.pid).map((s) => [s.nodeId, rssMiB(s.pid!)]));

  let started = performance.now();
  const epochBefore = (await quorum()).leaderEpoch;
  // A CreateTopics whose answer is lost to a leader change is retried by the client; the first
  // attempt may have committed (its records are one metadata transaction: all or nothing), so a
  // retried topic answering TOPIC_ALREADY_EXISTS (36) was created with the requested partitions.
  let retriedExisting = 0;
  for (let i = 0; i < topics; i += topicsPerRequest) {
    const batch = Array.from({ length: Math.min(topicsPerRequest, topics - i) }, (_, k) => ({
      name: `scale-${i + k}`,
      numPartitions: partitionsPerTopic,
      replicationFactor: 3,
      configs: {},
    }));
    const res = await client.createTopics({ topics: batch }, { timeoutMs: 120_000 });
    const answers = res.topics;
    retriedExisting += answers.filter((t) => t.errorCode === 36).length;
    const bad = answers.filter((t) => t.errorCode !== 0 && t.errorCode !== 36);
    if (bad.length > 0) throw new Error(`create failed: ${JSON.stringify(bad.slice(0, 3))}`);
  }
  const createMs = performance.now() - started;
  const partitions = topics * partitionsPerTopic;
  const leaderChanges = (await quorum()).leaderEpoch - epochBefore;
  console.log(
    `created ${topics} topics × ${partitionsPerTopic} partitions (RF 3) = ${partitions} partitions in ${(createMs / 1000).toFixed(1)} s (${Math.round(partitions / (createMs / 1000))} partitions/s); quorum leader changes meanwhile: ${leaderChanges}; topics a retry found already created: ${retriedExisting}`,
  );

  // The brokers (observers) apply what the controller committed: time until each has every
  // created partition's log on disk (RF 3 on 3 brokers: each hosts all of them).
  const brokerDirs = [0, 1, 2].map((i) => join(f.dataDir, `broker-${i}`, 'logs'));
  const hostedMin = (): number =>
    Math.min(...brokerDirs.map((d) => readdirSync(d).filter((n) => n.startsWith('scale-')).length));
  await waitFor(
    'every broker hosting every partition',
    async () => (hostedMin() >= partitions ? true : undefined),
    600_000,
    500,
  );
  console.log(
    `every broker has all ${partitions} partition logs ${((performance.now() - started - createMs) / 1000).toFixed(1)} s after the last CreateTopics answer`,
  );

  const leaderId = (await quorum()).leaderId;
  const rssAfter = rssMiB((await f.status()).find((s) => s.nodeId === leaderId)!.pid!);
  console.log(
    `active controller RSS: ${rssBefore.get(leaderId)!.toFixed(0)} MiB before, ${rssAfter.toFixed(0)} MiB after: ${(((rssAfter - rssBefore.get(leaderId)!) / partitions) * 1000).toFixed(2)} MiB per 1,000 partitions`,
  );

  // Snapshot size and load time (the newest snapshot of a controller).
  const dir = f.metadataDir(leaderId - 1);
  const snaps = readdirSync(dir)
    .filter((n) => n.endsWith('.checkpoint'))
    .sort();
  if (snaps.length > 0) {
    const file = join(dir, snaps[snaps.length - 1]!);
    const bytes = readFileSync(file);
    started = performance.now();
    const state = MetadataState.fromSnapshot(bytes.subarray(12));
    const loadMs = performance.now() - started;
    let inSnapshot = 0;
    for (const t of state.image.topicsById.values()) inSnapshot += t.partitions.size;
    console.log(
      `snapshot ${snaps[snaps.length - 1]}: ${(statSync(file).size / 1024 / 1024).toFixed(1)} MiB holding ${inSnapshot} partitions, loaded in ${loadMs.toFixed(0)} ms`,
    );
  } else {
    console.log('no snapshot was written (fewer record bytes than metadata.log.max.record.bytes.between.snapshots)');
  }

  // Controller failover at this size: kill -9 the active controller, time until a write succeeds.
  const pid = await f.pidOf(leaderId);
  started = performance.now();
  await f.kill9(leaderId, pid);
  await waitFor(
    'a new active controller to accept a write',
    async () => {
      const res = await client
        .createTopics(
          { topics: [{ name: `after-failover-${Date.now()}`, numPartitions: 1, replicationFactor: 3, configs: {} }] },
          { timeoutMs: 2_000 },
        )
        .catch(() => null);
      return res && res.topics[0]!.errorCode === 0 ? true : undefined;
    },
    60_000,
    5,
  );
  console.log(
    `controller failover at ${partitions} partitions: ${(performance.now() - started).toFixed(0)} ms from kill -9 to a committed CreateTopics (target <= 1000 ms)`,
  );
  await f.up();

  // Broker restart to unfenced.
  const brokerPid = await f.pidOf(100);
  await f.kill9(100, brokerPid);
  const killedAt = performance.now();
  await waitFor(
    'broker 100 fenced',
    async () => ((await describeBrokers()).brokers.find((b) => b.id === 100)?.fenced ? true : undefined),
    180_000,
    100,
  );
  console.log(
    `broker kill -9 to fenced: ${(performance.now() - killedAt).toFixed(0)} ms (session timeout 4000 ms; fencing moves ~${partitions} ISR entries)`,
  );
  started = performance.now();
  await f.up();
  await waitFor(
    'broker 100 unfenced',
    async () => ((await describeBrokers()).brokers.find((b) => b.id === 100)?.fenced === false ? true : undefined),
    240_000,
    20,
  );
  console.log(
    `broker restart to unfenced: ${(performance.now() - started).toFixed(0)} ms (process start, metadata catch-up, registration, heartbeat; includes the CLI polling)`,
  );
} finally {
  client.close();
  await f.destroy();
}
