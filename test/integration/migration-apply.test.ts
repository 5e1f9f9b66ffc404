// `raftka migrate apply` / `verify` against real clusters (3 combined nodes with the sample's
// broker ids, or 3 controllers + 3 brokers; real processes, ephemeral ports), driven through the
// command line as an operator would:
//  - the sample (with --force: it has blocking errors by design) is refused without --force,
//    refused while a KRaft topic clashes, then applied; verify exits 0; `topics --describe`
//    shows every migrated topic with its partitions, replica sets and topic id; a second apply
//    changes nothing; a topic created afterwards makes verify exit 1 with a readable diff;
//  - a wrong cluster id is a clear error and writes nothing;
//  - kill -9 of the active controller, or of the tool, in the middle of a big synthetic import
//    leaves no migrated metadata or all of it (checked on every observation), and a rerun
//    finishes the job; after the controller's kill the tool follows the new active controller
//    and says so (retry and controller-change events).
// The clusters' ids are random; the inputs are made to carry them (the sample's /cluster/id is
// rewritten in a copy), except where the test is about a wrong id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoPath } from '../../src/common/paths.js';
import { ClusterFixture, waitFor, isAlive } from '../../src/testing/cluster-fixture.js';
import { rehearse } from '../../migration/src/rehearse.js';
import { syntheticDump } from '../../migration/src/synthetic.js';
import { sampleTree } from '../migration/expected.js';
import { kcat } from '../../src/testing/kcat.js';
import { KafkaClient, KafkaRequestError } from '../../src/client/kafka-client.js';
import { buildRecordBatch } from '../../src/protocol/record-batch.js';
import { ErrorCode } from '../../src/common/errors.js';
import kafkajs from 'kafkajs';

// kafkajs is CommonJS and Node cannot see these enums as named exports.
const {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  ConfigResourceTypes,
  Kafka,
  logLevel,
  ResourcePatternTypes,
} = kafkajs;

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

interface Described {
  topics: {
    name: string;
    topicId: string;
    errorCode: number;
    partitions: { partition: number; leader: number; replicas: number[]; isr: number[] }[];
  }[];
  brokers: { id: number; fenced: boolean }[];
}

interface NodeStatus {
  role: string;
  epoch: number;
  applied: { topics: number; inTransaction: boolean };
}

/** Start `raftka ...` as a child process; `done` resolves when it exits. */
function startRaftka(
  f: ClusterFixture,
  args: readonly string[],
): { child: ChildProcess; done: Promise<Run>; stderrSoFar: () => string } {
  const child = spawn(process.execPath, [repoPath('bin', 'raftka.js'), ...args], {
    cwd: f.root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Run>((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
  return { child, done, stderrSoFar: () => stderr };
}

const raftka = (f: ClusterFixture, ...args: string[]): Promise<Run> => startRaftka(f, args).done;
const controllersOf = (f: ClusterFixture): string => f.controllerPorts.map((p) => `127.0.0.1:${p}`).join(',');

/**
 * 3 controllers + 3 brokers (ids 100-102), or, `combined`, 3 broker,controller nodes with the
 * sample's ZooKeeper broker ids 1-3 (its migrated partitions then have leaders that are brokers).
 */
async function startCluster(
  t: { after: (fn: () => Promise<void>) => void },
  layout: 'separate' | 'combined' = 'separate',
): Promise<{ f: ClusterFixture; clusterId: string }> {
  const f =
    layout === 'combined'
      ? await ClusterFixture.combined({ nodes: 3 })
      : await ClusterFixture.controllers({ controllers: 3, brokers: 3 });
  t.after(() => f.destroy());
  await f.up();
  const clusterId = (await f.quorumStatus()).clusterId;
  await waitFor(
    'three unfenced brokers',
    async () => {
      const d = await describe(f);
      return d.brokers.length === 3 && d.brokers.every((b) => !b.fenced) ? true : undefined;
    },
    60_000,
    200,
  );
  return { f, clusterId };
}

/** `topics --describe --json` from the active controller (a standby may lag a moment behind). */
async function describe(f: ClusterFixture): Promise<Described> {
  const leaderId = (await f.quorumStatus()).leaderId;
  const r = await raftka(
    f,
    'topics',
    '--bootstrap-controller',
    `127.0.0.1:${f.controllerPorts[leaderId - 1]}`,
    '--describe',
    '--json',
  );
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Described;
}

/** The sample's tree.json with /cluster/id set to `clusterId`. */
function sampleFor(f: ClusterFixture, clusterId: string): string {
  const tree = JSON.parse(readFileSync(sampleTree, 'utf8')) as Record<string, { data: string }>;
  tree['/cluster/id']!.data = JSON.stringify({ version: '1', id: clusterId });
  const file = join(f.root, 'sample-tree.json');
  writeFileSync(file, JSON.stringify(tree));
  return file;
}

/** Each controller's own view (admin /status); null for one that does not answer. */
async function controllerViews(f: ClusterFixture): Promise<(NodeStatus | null)[]> {
  return Promise.all(
    f.controllerPorts.map((_, i) =>
      f.nodeStatus(i).then(
        (s) => s as unknown as NodeStatus,
        () => null,
      ),
    ),
  );
}

test('apply the sample, verify, describe, rerun changes nothing, a later topic makes verify fail', {
  timeout: 240_000,
}, async (t) => {
  const { f, clusterId } = await startCluster(t, 'combined');
  const dump = sampleFor(f, clusterId);
  const bc = controllersOf(f);
  const bc0 = `127.0.0.1:${f.controllerPorts[0]}`;

  const blocked = await raftka(f, 'migrate', 'apply', '--zk-dump', dump, '--bootstrap-controller', bc);
  assert.equal(blocked.status, 3, blocked.stderr);
  assert.match(blocked.stdout, /Not applied: \d+ blocking problems.*--force/);
  assert.match(blocked.stdout, /missing_partition_state/);
  assert.equal((await describe(f)).topics.length, 0);

  // A KRaft topic with a migrated name: refused, named, nothing written.
  assert.equal(
    (
      await raftka(
        f,
        'topics',
        '--bootstrap-controller',
        bc0,
        '--create',
        '--topic',
        'orders',
        '--partitions',
        '1',
        '--replication-factor',
        '1',
      )
    ).status,
    0,
  );
  const clash = await raftka(f, 'migrate', 'apply', '--zk-dump', dump, '--bootstrap-controller', bc, '--force');
  assert.equal(clash.status, 1, clash.stdout + clash.stderr);
  assert.match(clash.stdout, /TOPIC_ALREADY_EXISTS/);
  assert.match(clash.stdout, /topic orders already exists in KRaft/);
  assert.deepEqual(
    (await describe(f)).topics.map((x) => x.name),
    ['orders'],
  );
  assert.equal((await raftka(f, 'topics', '--bootstrap-controller', bc0, '--delete', '--topic', 'orders')).status, 0);

  const applied = await raftka(
    f,
    'migrate',
    'apply',
    '--zk-dump',
    dump,
    '--bootstrap-controller',
    bc,
    '--force',
    '--json',
  );
  assert.equal(applied.status, 0, applied.stdout + applied.stderr);
  const result = JSON.parse(applied.stdout) as { outcome: string; recordsWritten: number; forced: string[] };
  assert.equal(result.outcome, 'applied');
  assert.ok(result.recordsWritten > 0);
  assert.ok(result.forced.length > 0, 'the sample needs --force, which says what it skipped');

  const verified = await raftka(f, 'migrate', 'verify', '--zk-dump', dump, '--bootstrap-controller', bc);
  assert.equal(verified.status, 0, verified.stdout + verified.stderr);
  assert.match(verified.stdout, /matches the ZooKeeper state/);

  // Every migrated topic, with its partitions, replica sets and id.
  const { report } = await rehearse({ zkDump: dump });
  const described = await describe(f);
  const live = new Map(described.topics.map((x) => [x.name, x]));
  assert.equal(described.topics.length, report.topics.length);
  for (const topic of report.topics) {
    const d = live.get(topic.name);
    assert.ok(d, `topic ${topic.name} is in KRaft`);
    assert.equal(d.topicId, topic.topicId);
    assert.deepEqual(
      d.partitions.map((p) => [p.partition, p.replicas]),
      topic.partitions.map((p) => [p.partition, [...p.replicas]]),
    );
  }

  // Kafka clients see the same through the brokers: kcat -L lists every migrated topic with the
  // same partitions and replica sets; DescribeConfigs and DescribeAcls (kafkajs) show the
  // migrated topic configs and ACL bindings.
  const byName = new Map(report.topics.map((x) => [x.name, x]));
  await waitFor(
    'kcat -L to list every migrated topic with its partitions and replicas',
    async () => {
      const md = JSON.parse((await kcat(['-b', f.bootstrapServers, '-L', '-J', '-m', '5'])).stdout) as {
        topics: { topic: string; partitions: { partition: number; replicas: { id: number }[] }[] }[];
      };
      // (The sample's own __consumer_offsets is one of the migrated topics.)
      if (md.topics.length !== report.topics.length) return undefined;
      for (const x of md.topics) {
        const want = byName.get(x.topic);
        assert.ok(want, `kcat lists ${x.topic}, which was not migrated`);
        const got = [...x.partitions]
          .sort((a, b) => a.partition - b.partition)
          .map((p) => [p.partition, p.replicas.map((r) => r.id)]);
        assert.deepEqual(
          got,
          want.partitions.map((p) => [p.partition, [...p.replicas]]),
          x.topic,
        );
      }
      return true;
    },
    30_000,
    200,
  );
  const kafka = new Kafka({
    clientId: 'migration-test',
    brokers: f.bootstrapServers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const withConfigs = report.topics.filter((x) => Object.keys(x.configs).length > 0);
    assert.ok(withConfigs.length > 0, 'the sample has topic configs');
    const described2 = await admin.describeConfigs({
      includeSynonyms: false,
      resources: withConfigs.map((x) => ({ type: ConfigResourceTypes.TOPIC, name: x.name })),
    });
    for (const r of described2.resources) {
      const want = byName.get(r.resourceName)!.configs;
      for (const [key, value] of Object.entries(want)) {
        const entry = r.configEntries.find((e) => e.configName === key);
        assert.equal(entry?.configValue, value, `${r.resourceName} ${key}`);
      }
    }
    assert.ok(report.acls.length > 0, 'the sample has ACLs');
    const acls = await admin.describeAcls({
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    });
    const name = (e: Record<string, string | number>, v: number): string =>
      Object.keys(e).find((k) => e[k] === v) ?? String(v);
    const live2 = acls.resources.flatMap((r) =>
      r.acls.map((a) =>
        [
          name(AclResourceTypes, r.resourceType),
          name(ResourcePatternTypes, r.resourcePatternType),
          r.resourceName,
          a.principal,
          a.host,
          name(AclOperationTypes, a.operation),
          name(AclPermissionTypes, a.permissionType),
        ].join(' '),
      ),
    );
    const wanted = report.acls.map((a) =>
      [a.resourceType, a.patternType, a.resourceName, a.principal, a.host, a.operation, a.permissionType].join(' '),
    );
    assert.deepEqual(live2.sort(), wanted.sort());
  } finally {
    await admin.disconnect();
  }

  const again = await raftka(
    f,
    'migrate',
    'apply',
    '--zk-dump',
    dump,
    '--bootstrap-controller',
    bc,
    '--force',
    '--json',
  );
  assert.equal(again.status, 0, again.stdout + again.stderr);
  const second = JSON.parse(again.stdout) as { outcome: string; recordsWritten: number };
  assert.deepEqual([second.outcome, second.recordsWritten], ['already-migrated', 0]);
  assert.deepEqual((await describe(f)).topics, described.topics);

  assert.equal(
    (
      await raftka(
        f,
        'topics',
        '--bootstrap-controller',
        bc0,
        '--create',
        '--topic',
        'made-in-kraft',
        '--partitions',
        '2',
        '--replication-factor',
        '3',
      )
    ).status,
    0,
  );
  const diff = await raftka(f, 'migrate', 'verify', '--zk-dump', dump, '--bootstrap-controller', bc);
  assert.equal(diff.status, 1, diff.stdout + diff.stderr);
  assert.match(diff.stdout, /differs from the ZooKeeper state in 1 places/);
  assert.match(diff.stdout, /\+ topic made-in-kraft \(id [\w-]+\): only in KRaft/);

  // The migrated cluster default (min.insync.replicas=2) is in force: acks=all to a topic with one
  // replica in sync is refused; configs --describe names where the value comes from.
  const client = new KafkaClient([{ host: '127.0.0.1', port: f.brokerPorts[0]! }], { clientId: 'migrated-configs' });
  t.after(() => client.close());
  await client.createTopic('one-replica', 1, 1);
  const acksAll = async (): Promise<number> => {
    try {
      await client.produce(
        'one-replica',
        0,
        buildRecordBatch([{ value: Buffer.from('x'), timestamp: Date.now() }]),
        -1,
      );
      return 0;
    } catch (err) {
      if (err instanceof KafkaRequestError) return err.errorCode;
      throw err;
    }
  };
  assert.equal(
    await waitFor(
      'one-replica led',
      async () => {
        const code = await acksAll();
        return code === ErrorCode.NOT_ENOUGH_REPLICAS || code === 0 ? code : undefined;
      },
      30_000,
      100,
    ),
    ErrorCode.NOT_ENOUGH_REPLICAS,
  );
  const brokerDefaults = await raftka(
    f,
    'configs',
    '--bootstrap-server',
    f.bootstrapServers,
    '--entity-type',
    'brokers',
    '--entity-default',
    '--describe',
  );
  assert.match(
    brokerDefaults.stdout,
    /^ {2}min\.insync\.replicas=2 sensitive=false synonyms=\{DYNAMIC_DEFAULT_BROKER_CONFIG:min\.insync\.replicas=2, /m,
  );
  assert.match(brokerDefaults.stdout, /^ {2}log\.cleaner\.threads=2 sensitive=false /m);
  // The sample's per-broker replication throttles (/config/brokers/1) are broker 1's effective
  // values, the ones its replication quota reads (src/broker/replication-throttle.ts).
  const broker1 = await raftka(
    f,
    'configs',
    '--bootstrap-server',
    f.bootstrapServers,
    '--entity-type',
    'brokers',
    '--entity-name',
    '1',
    '--describe',
    '--all',
  );
  for (const key of ['leader.replication.throttled.rate', 'follower.replication.throttled.rate'])
    assert.match(
      broker1.stdout,
      new RegExp(`^ {2}${key.replaceAll('.', '\\.')}=10485760 sensitive=false synonyms=\\{DYNAMIC_BROKER_CONFIG:`, 'm'),
      broker1.stdout,
    );
});

/** Topic counts every controller reports while `until` runs must be 0 or `all`, never between. */
async function watchAllOrNothing(
  f: ClusterFixture,
  all: number,
  until: Promise<unknown>,
  testEnded: AbortSignal,
): Promise<Set<number>> {
  const seen = new Set<number>();
  let running = true;
  void until.finally(() => (running = false));
  while (running && !testEnded.aborted) {
    for (const v of await controllerViews(f)) if (v) seen.add(v.applied.topics);
    await new Promise((r) => setTimeout(r, 20)); // polling cadence, not synchronisation
  }
  for (const n of seen) assert.ok(n === 0 || n === all, `a controller showed ${n} of ${all} migrated topics`);
  return seen;
}

/** How far the tool's last `progress` event (JSON lines on its stderr) says the import is, 0-1. */
function progressOf(stderr: string): number {
  const last = stderr
    .split('\n')
    .filter((l) => l.startsWith('{"') && l.includes('"progress"'))
    .at(-1);
  if (!last) return 0;
  const p = JSON.parse(last) as { committed: number; total: number };
  return p.total > 0 ? p.committed / p.total : 0;
}

/**
 * Wait until the active controller has an open transaction (the import is in flight) and, when
 * `toolProgress` is given, the tool itself says it is not past half of its records: the leader's
 * applied view trails what its quorum thread already committed, so an open transaction alone
 * can be seen after the tool has sent its last record.
 */
async function waitForOpenTransaction(
  f: ClusterFixture,
  tool: ChildProcess,
  toolProgress?: () => number,
): Promise<number> {
  return waitFor(
    'the active controller to be inside the migration transaction',
    async () => {
      assert.ok(
        tool.exitCode === null,
        'the tool finished before the transaction was seen open; make the input bigger',
      );
      if (toolProgress && toolProgress() > 0.5) return undefined;
      const views = await controllerViews(f);
      // The leader of the newest epoch any controller knows (a deposed one may not know yet).
      const epoch = Math.max(...views.map((v) => v?.epoch ?? -1));
      const i = views.findIndex((v) => v?.role === 'leader' && v.epoch === epoch && v.applied.inTransaction);
      return i >= 0 ? i : undefined;
    },
    180_000, // the tool reads and plans 15,000 records first: a minute on a loaded machine
    1,
  );
}

// ZooKeeper's brokers are the KRaft cluster's brokers (node ids 100-102), as apply checks. 15,000
// partitions keep the migration transaction open for seconds (the kill lands inside it) without
// loading the machine for minutes.
const bigInput = { brokers: [100, 101, 102], topics: 300, partitionsPerTopic: 50, replicationFactor: 3 };

test('wrong cluster id writes nothing; kill -9 of the active controller mid-apply leaves nothing or everything, a rerun finishes', {
  timeout: 480_000, // a hang guard: 1.5-2.5 minutes in CI
}, async (t) => {
  const { f, clusterId } = await startCluster(t);
  const bc = controllersOf(f);

  const wrong = await raftka(f, 'migrate', 'apply', '--zk-dump', sampleTree, '--bootstrap-controller', bc, '--force');
  assert.equal(wrong.status, 1, wrong.stdout + wrong.stderr);
  assert.match(wrong.stdout, /INCONSISTENT_CLUSTER_ID/);
  assert.match(wrong.stdout, new RegExp(`UvImZaYMEtKJGF2VDuiBNg is not this KRaft cluster's id ${clusterId}`));
  assert.match(wrong.stdout, /Nothing was written/);
  assert.equal((await describe(f)).topics.length, 0);

  const dump = join(f.root, 'big.json');
  writeFileSync(dump, syntheticDump({ clusterId, ...bigInput }));
  // The pids first: looking one up runs `cluster status`, seconds on a loaded machine, and the
  // import may be over by then (the kill must land inside the transaction it waited for).
  const pids = await Promise.all([1, 2, 3].map((id) => f.pidOf(id)));
  const tool = startRaftka(f, ['migrate', 'apply', '--zk-dump', dump, '--bootstrap-controller', bc, '--json']);
  const watching = watchAllOrNothing(f, bigInput.topics, tool.done, t.signal);
  const leaderIndex = await waitForOpenTransaction(f, tool.child, () => progressOf(tool.stderrSoFar()));
  await f.kill9(leaderIndex + 1, pids[leaderIndex]);
  const run = await tool.done; // the tool follows the new active controller
  const seen = await watching;
  // It said so: a retry naming the killed controller, then one controller-change event (JSON lines on stderr).
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const killed = `127.0.0.1:${f.controllerPorts[leaderIndex]}`;
  const events = run.stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { event: string; controller?: string; from?: string; to?: string });
  assert.ok(
    events.some((e) => e.event === 'retry' && e.controller === killed),
    run.stderr,
  );
  // One controller change, to a controller that is not the killed one. On a loaded machine the
  // quorum leadership can also move before the kill (that controller answers NOT_CONTROLLER, a
  // retry of its own), and the change names the first controller that failed.
  const changes = events.filter((e) => e.event === 'controller-change');
  assert.equal(changes.length, 1, run.stderr);
  assert.notEqual(changes[0]!.to, killed, run.stderr);
  assert.ok(
    events.some((e) => e.event === 'retry' && e.controller === changes[0]!.from),
    run.stderr,
  );
  assert.ok(
    events.some((e) => e.event === 'progress'),
    'progress events while the import ran',
  );
  const result = JSON.parse(run.stdout) as { controllerChange: { from: string } | null; retries: number };
  assert.equal(result.controllerChange?.from, changes[0]!.from);
  assert.ok(seen.has(0), 'observed the cluster before the migration became visible');

  const rerun = await raftka(f, 'migrate', 'apply', '--zk-dump', dump, '--bootstrap-controller', bc, '--json');
  assert.equal(
    rerun.status,
    0,
    `first run: ${run.status} ${run.stdout} ${run.stderr}\nrerun: ${rerun.stdout} ${rerun.stderr}`,
  );
  assert.ok(['applied', 'already-migrated'].includes((JSON.parse(rerun.stdout) as { outcome: string }).outcome));
  await f.up(); // the killed controller comes back and catches up
  const verified = await raftka(f, 'migrate', 'verify', '--zk-dump', dump, '--bootstrap-controller', bc);
  assert.equal(verified.status, 0, verified.stdout + verified.stderr);
  await waitFor(
    'every controller to show every migrated topic',
    async () => ((await controllerViews(f)).every((v) => v?.applied.topics === bigInput.topics) ? true : undefined),
    120_000,
    100,
  );
});

test('kill -9 of the tool mid-apply leaves nothing or everything; a rerun finishes', {
  timeout: 480_000, // a hang guard: 2-3 minutes in CI
}, async (t) => {
  const { f, clusterId } = await startCluster(t);
  const bc = controllersOf(f);
  const dump = join(f.root, 'big.json');
  writeFileSync(dump, syntheticDump({ clusterId, ...bigInput }));

  // The apply journal (--staging-dir) lets the rerun know it is finishing an interrupted run.
  const staging = join(f.root, 'staging');
  const tool = startRaftka(f, [
    'migrate',
    'apply',
    '--zk-dump',
    dump,
    '--bootstrap-controller',
    bc,
    '--json',
    '--staging-dir',
    staging,
  ]);
  const toolGone = tool.done.then(async () => {
    // After the tool died the controller goes on alone: watch until its transaction is closed.
    await waitFor(
      'the migration transaction to close',
      async () =>
        (await controllerViews(f)).some((v) => v?.role === 'leader' && !v.applied.inTransaction) ? true : undefined,
      60_000,
      5,
    );
  });
  const watching = watchAllOrNothing(f, bigInput.topics, toolGone, t.signal);
  await waitForOpenTransaction(f, tool.child);
  tool.child.kill('SIGKILL');
  await waitFor(
    'the tool to exit',
    async () => (tool.child.pid !== undefined && !isAlive(tool.child.pid) ? true : undefined),
    5_000,
    5,
  );
  assert.equal((await tool.done).status, null, 'killed by a signal');
  await watching;

  const rerun = await raftka(
    f,
    'migrate',
    'apply',
    '--zk-dump',
    dump,
    '--bootstrap-controller',
    bc,
    '--json',
    '--staging-dir',
    staging,
  );
  assert.equal(rerun.status, 0, rerun.stdout + rerun.stderr);
  assert.match(
    (JSON.parse(rerun.stdout) as { interruptedRun: string | null }).interruptedRun ?? '',
    /stopped after sending its records to the controller/,
  );
  // Usually the controller finished what the tool started ("already-migrated"); if it lost its
  // leadership meanwhile, its successor aborted the transaction and the rerun writes it all.
  assert.ok(
    ['applied', 'already-migrated'].includes((JSON.parse(rerun.stdout) as { outcome: string }).outcome),
    rerun.stdout,
  );
  const verified = await raftka(f, 'migrate', 'verify', '--zk-dump', dump, '--bootstrap-controller', bc);
  assert.equal(verified.status, 0, verified.stdout + verified.stderr);
  // The journal now ends with the rerun's answer: a third run has nothing to finish.
  const third = await raftka(
    f,
    'migrate',
    'apply',
    '--zk-dump',
    dump,
    '--bootstrap-controller',
    bc,
    '--json',
    '--staging-dir',
    staging,
  );
  assert.deepEqual(
    [(JSON.parse(third.stdout) as { outcome: string; interruptedRun: string | null }).interruptedRun, third.status],
    [null, 0],
  );
});
