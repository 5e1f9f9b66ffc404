// Three controllers and three brokers as real processes: brokers register and are unfenced,
// topics are created and placed through `raftka topics`, a killed broker is fenced and its
// leaderships move to the ISR, a restarted one is unfenced, and after kill -9 of the active
// controller a new one serves with the same image (equal digests on every node).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterFixture, waitFor } from '../../src/testing/cluster-fixture.js';
import { ControllerClient } from '../../src/client/controller-client.js';

interface Described {
  metadataOffset: number;
  imageDigest: number;
  brokers: { id: number; fenced: boolean; epoch: number }[];
  topics: {
    name: string;
    errorCode: number;
    partitions: { partition: number; leader: number; replicas: number[]; isr: number[] }[];
  }[];
}

interface NodeView {
  role: string;
  leaderId: number | null;
  applied: { imageDigest: number; appliedOffset: number };
}

test('brokers register, topics are placed, fencing moves leaders, controller failover keeps the image', {
  timeout: 360_000, // a hang guard: ~2 minutes in CI, twice that on a machine loaded by other work
}, async () => {
  const sessionTimeoutMs = 3000;
  const f = await ClusterFixture.controllers({
    controllers: 3,
    brokers: 3,
    extra: { 'broker.session.timeout.ms': String(sessionTimeoutMs), 'broker.heartbeat.interval.ms': '300' },
  });
  const brokerIds = [100, 101, 102];
  const describe = async (controllerIndex = 0): Promise<Described> =>
    JSON.parse(
      await f.raftka(
        'topics',
        '--bootstrap-controller',
        `127.0.0.1:${f.controllerPorts[controllerIndex]}`,
        '--describe',
        '--json',
      ),
    ) as Described;
  try {
    await f.up();
    await waitFor(
      'three unfenced brokers',
      async () => {
        const d = await describe();
        return d.brokers.length === 3 && d.brokers.every((b) => !b.fenced) ? d : undefined;
      },
      30_000,
      200,
    );

    // 200 topics × 6 partitions RF 3: a few through the CLI (any controller), the rest in batches.
    for (let i = 0; i < 3; i++) {
      await f.raftka(
        'topics',
        '--bootstrap-controller',
        `127.0.0.1:${f.controllerPorts[i]}`,
        '--create',
        '--topic',
        `t${i}`,
        '--partitions',
        '6',
        '--replication-factor',
        '3',
      );
    }
    const admin = new ControllerClient(f.controllerPorts.map((port) => ({ host: '127.0.0.1', port })));
    try {
      for (let i = 3; i < 200; i += 20) {
        const batch = Array.from({ length: Math.min(20, 200 - i) }, (_, k) => ({
          name: `t${i + k}`,
          numPartitions: 6,
          replicationFactor: 3,
          configs: {},
        }));
        const res = await admin.createTopics({ topics: batch });
        assert.ok(res.topics.every((t) => t.errorCode === 0));
      }
    } finally {
      admin.close();
    }
    const created = await describe();
    assert.equal(created.topics.length, 200);
    const leaders = new Map<number, number>();
    const replicas = new Map<number, number>();
    for (const t of created.topics) {
      for (const p of t.partitions) {
        leaders.set(p.leader, (leaders.get(p.leader) ?? 0) + 1);
        for (const r of p.replicas) replicas.set(r, (replicas.get(r) ?? 0) + 1);
      }
    }
    assert.deepEqual([...leaders.keys()].sort(), brokerIds);
    assert.ok(Math.max(...leaders.values()) - Math.min(...leaders.values()) <= 1, JSON.stringify([...leaders]));
    assert.ok(Math.max(...replicas.values()) - Math.min(...replicas.values()) <= 1, JSON.stringify([...replicas]));

    // Configs through a standby controller (it points the tool at the active one).
    const activeId = (await f.quorumStatus()).leaderId;
    const standby = [0, 1, 2].find((i) => i + 1 !== activeId)!;
    const bc = `127.0.0.1:${f.controllerPorts[standby]}`;
    await f.raftka(
      'configs',
      '--bootstrap-controller',
      bc,
      '--entity-type',
      'topics',
      '--entity-name',
      't0',
      '--alter',
      '--add-config',
      'retention.ms=60000,cleanup.policy=compact',
    );
    assert.deepEqual(
      JSON.parse(
        await f.raftka(
          'configs',
          '--bootstrap-controller',
          bc,
          '--entity-type',
          'topics',
          '--entity-name',
          't0',
          '--describe',
          '--json',
        ),
      ),
      { 'cleanup.policy': 'compact', 'retention.ms': '60000' },
    );
    await assert.rejects(
      f.raftka(
        'configs',
        '--bootstrap-controller',
        bc,
        '--entity-type',
        'topics',
        '--entity-name',
        't0',
        '--alter',
        '--add-config',
        'retention.ms=soon',
      ),
      /INVALID_CONFIG/,
    );
    // Linearizable reads (require_active): a standby refuses them; the active controller answers
    // once a no-op of its epoch has committed, with every acknowledged write in the image.
    const topicT0 = { resources: [{ resourceType: 2, resourceName: 't0' }], requireActive: true };
    const onlyStandby = new ControllerClient([{ host: '127.0.0.1', port: f.controllerPorts[standby]! }]);
    const anyOne = new ControllerClient(f.controllerPorts.map((port) => ({ host: '127.0.0.1', port })));
    try {
      assert.equal(
        (await onlyStandby.describeConfigs(topicT0, { anyController: true })).errorCode,
        41,
        'NOT_CONTROLLER from a standby',
      );
      for (let i = 0; i < 20; i++) {
        const value = String(70_000 + i);
        await anyOne.incrementalAlterConfigs({
          resources: [{ resourceType: 2, resourceName: 't0', configs: [{ name: 'retention.ms', value, op: 0 }] }],
        });
        const read = await anyOne.describeConfigs(topicT0);
        assert.equal(read.resources[0]!.configs['retention.ms'], value, 'a read after an acknowledged write sees it');
      }
    } finally {
      onlyStandby.close();
      anyOne.close();
    }
    // ACLs through a standby controller; listed from another controller's image.
    await f.raftka(
      'acls',
      '--bootstrap-controller',
      bc,
      '--add',
      '--allow-principal',
      'User:alice',
      '--operation',
      'Read',
      '--topic',
      't0',
    );
    const acls = await waitFor(
      'the ACL on every controller',
      async () => {
        const listed = JSON.parse(
          await f.raftka(
            'acls',
            '--bootstrap-controller',
            `127.0.0.1:${f.controllerPorts[(standby + 1) % 3]}`,
            '--list',
            '--json',
          ),
        ) as { principal: string; resourceName: string }[];
        return listed.length === 1 ? listed : undefined;
      },
      10_000,
      100,
    );
    assert.deepEqual([acls[0]!.principal, acls[0]!.resourceName], ['User:alice', 't0']);
    // Client quotas and SCRAM credentials (kafka-configs.sh syntax), and metadata.version.
    await f.raftka(
      'configs',
      '--bootstrap-controller',
      bc,
      '--entity-type',
      'users',
      '--entity-name',
      'alice',
      '--alter',
      '--add-config',
      'producer_byte_rate=1048576,SCRAM-SHA-256=[iterations=8192,password=alice-secret]',
    );
    await f.raftka(
      'configs',
      '--bootstrap-controller',
      bc,
      '--entity-type',
      'clients',
      '--entity-default',
      '--alter',
      '--add-config',
      'consumer_byte_rate=2048',
    );
    assert.deepEqual(
      JSON.parse(
        await f.raftka(
          'configs',
          '--bootstrap-controller',
          bc,
          '--entity-type',
          'users',
          '--entity-name',
          'alice',
          '--describe',
          '--json',
        ),
      ),
      { quotas: { producer_byte_rate: 1048576 }, scram: [{ mechanism: 'SCRAM-SHA-256', iterations: 8192 }] },
    );
    assert.deepEqual(
      JSON.parse(
        await f.raftka(
          'configs',
          '--bootstrap-controller',
          bc,
          '--entity-type',
          'clients',
          '--entity-default',
          '--describe',
          '--json',
        ),
      ),
      { quotas: { consumer_byte_rate: 2048 } },
    );
    await assert.rejects(
      f.raftka(
        'configs',
        '--bootstrap-controller',
        bc,
        '--entity-type',
        'users',
        '--entity-name',
        'bob',
        '--alter',
        '--add-config',
        'SCRAM-SHA-512=[iterations=100,password=x]',
      ),
      /UNACCEPTABLE_CREDENTIAL/,
    );
    await assert.rejects(
      f.raftka(
        'configs',
        '--bootstrap-controller',
        bc,
        '--entity-type',
        'users',
        '--entity-name',
        'bob',
        '--alter',
        '--delete-config',
        'SCRAM-SHA-512',
      ),
      /RESOURCE_NOT_FOUND/,
    );
    await assert.rejects(
      f.raftka(
        'configs',
        '--bootstrap-controller',
        bc,
        '--entity-type',
        'ips',
        '--entity-name',
        'not-an-ip',
        '--alter',
        '--add-config',
        'connection_creation_rate=10',
      ),
      /INVALID_REQUEST/,
    );
    const features = JSON.parse(await f.raftka('features', 'describe', '--bootstrap-controller', bc, '--json')) as {
      feature: string;
      finalizedVersionLevel: number;
    }[];
    assert.deepEqual(
      features.map((x) => [x.feature, x.finalizedVersionLevel]),
      [
        ['metadata.version', 1],
        ['group.version', 1],
      ],
      'the first active controller finalized metadata.version and group.version',
    );
    await assert.rejects(
      f.raftka('features', 'upgrade', '--bootstrap-controller', bc, '--feature', 'metadata.version=2'),
      /INVALID_UPDATE_VERSION/,
    );
    // Producer id blocks for a registered broker, over the controller RPC.
    const client = new ControllerClient(f.controllerPorts.map((port) => ({ host: '127.0.0.1', port })));
    try {
      const epoch = (await describe()).brokers.find((b) => b.id === 100)!.epoch;
      const a = await client.allocateProducerIds({ brokerId: 100, brokerEpoch: epoch });
      const b = await client.allocateProducerIds({ brokerId: 100, brokerEpoch: epoch });
      assert.deepEqual([a.producerIdStart, b.producerIdStart, b.producerIdLen], [0, 1000, 1000]);
      const stale = await client.allocateProducerIds({ brokerId: 100, brokerEpoch: epoch - 1 });
      assert.equal(stale.errorCode, 77);
    } finally {
      client.close();
    }

    // kill -9 a broker: fenced within the session timeout, its leaderships move to the ISR.
    const victim = 101;
    await f.kill9(victim);
    // Bounded by the session timeout plus slack for a loaded machine (each poll is a CLI process).
    const fenced = await waitFor(
      'the killed broker fenced and its partitions re-led within the session timeout and 10 s',
      async () => {
        const d = await describe();
        const b = d.brokers.find((x) => x.id === victim);
        const stillLeads = d.topics.some((t) =>
          t.partitions.some((p) => p.leader === victim || p.isr.includes(victim)),
        );
        return b?.fenced && !stillLeads ? d : undefined;
      },
      sessionTimeoutMs + 10_000,
      100,
    );
    for (const t of fenced.topics)
      for (const p of t.partitions)
        assert.ok(p.leader === 100 || p.leader === 102, `${t.name}-${p.partition} led by ${p.leader}`);

    await f.up(); // the broker comes back and is unfenced once caught up
    await waitFor(
      'the restarted broker unfenced',
      async () => {
        const d = await describe();
        return d.brokers.find((x) => x.id === victim)?.fenced === false ? d : undefined;
      },
      30_000,
      200,
    );

    // kill -9 the active controller: a new one keeps serving, with the same image everywhere.
    const leaderId = (await f.quorumStatus()).leaderId;
    await f.kill9(leaderId);
    const survivor = [0, 1, 2].find((i) => i + 1 !== leaderId)!;
    await f.raftka(
      'topics',
      '--bootstrap-controller',
      `127.0.0.1:${f.controllerPorts[survivor]}`,
      '--create',
      '--topic',
      'after-failover',
      '--partitions',
      '3',
      '--replication-factor',
      '2',
    );
    const nodes = [0, 1, 2, 3, 4, 5].filter((i) => i + 1 !== leaderId); // controllers then brokers
    // Metadata keeps moving (brokers adjust ISRs as followers catch up), so compare one moment:
    // every live node's applied image and the survivor's DescribeTopics answer, all equal.
    const settled = await waitFor(
      'equal image digests on every live node',
      async () => {
        const views = (await Promise.all(nodes.map((i) => f.nodeStatus(i)))) as unknown as NodeView[];
        const after = await describe(survivor);
        const set = new Set([...views.map((v) => v.applied.imageDigest), after.imageDigest]);
        return set.size === 1 ? { views, after } : undefined;
      },
      20_000,
      100,
    );
    assert.equal(settled.views.length, 5);
    assert.equal(settled.after.topics.find((t) => t.name === 'after-failover')?.partitions.length, 3);
  } finally {
    await f.destroy();
  }
});
