// Today's clients end to end against three-node (three combined nodes, ephemeral ports), each at the
// newest versions it and raftka share (issue 15, first done-when bullet): kafka-ts 1.5 (pure
// TypeScript, negotiates the highest common version of every API). It creates a topic, produces,
// consumes it in a group, commits and describes the group; then the
// nodes' raftka_kafka_requests_total{api,version} says which versions the client really sent, and
// the test asserts them (the README's "Today's clients" row lists the same figures). kafka-ts also
// creates its topic with manual replica assignments and calls AlterReplicaLogDirs. Then the same
// consumer group scenario with kafka-ts's consumers under group.protocol=consumer (KIP-848:
// ConsumerGroupHeartbeat, the coordinator assigns and reconciles) and under the classic protocol:
// three members share a 6-partition topic, one leaves, one joins; every record is consumed and the
// coordinator never shows one partition in two members' assignments (sampled all along).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { API, createKafkaClient, setLogLevel, LogLevel } from 'kafka-ts';
import { ClusterFixture, waitFor } from '../../src/testing/cluster-fixture.js';
import { apis } from '../../src/protocol/apis.js';
import { ErrorCode } from '../../src/common/errors.js';
import { kafkaApiRange } from '../../src/protocol/kafka-api-ranges.js';
import { requestsByVersion, sentBetween, versionsOf } from './request-versions.js';
import { decodeAssignment } from '../../src/protocol/consumer-protocol.js';

const messages = 30;

interface AlterAnswer {
  readonly results: readonly { readonly partitions: readonly { readonly errorCode: number }[] }[];
}

/** raftka's newest version of the API named `name`. */
function newest(name: string): number {
  const api = [...apis.values()].find((a) => a.name === name);
  assert.ok(api, `raftka serves ${name}`);
  return api.maxVersion;
}

/** Every request in `sent` of an API that has flexible versions used one of them. */
function assertFlexible(sent: ReadonlyMap<string, number>, except: readonly string[] = []): void {
  for (const key of sent.keys()) {
    const [name, v] = key.split(' v') as [string, string];
    if (except.includes(name)) continue;
    const api = [...apis.values()].find((a) => a.name === name)!;
    const flexibleFrom = kafkaApiRange(api.key)?.flexibleFrom ?? null;
    if (flexibleFrom !== null) assert.ok(Number(v) >= flexibleFrom, `${key} is not flexible (from v${flexibleFrom})`);
  }
}

test('kafka-ts at its newest versions on three-node', {
  timeout: 240_000,
}, async (t) => {
  const f = await ClusterFixture.combined({
    nodes: 3,
    extra: { 'group.initial.rebalance.delay.ms': '100', 'group.consumer.heartbeat.interval.ms': '300' },
  });
  t.after(() => f.destroy());
  await f.up();
  const bootstrapServers = f.brokerPorts.map((port) => ({ host: '127.0.0.1', port }));

  await t.test('kafka-ts: create, produce, consume in a group, commit, describe the group', async () => {
    setLogLevel(LogLevel.ERROR);
    const topic = 'kts-topic';
    const groupId = 'kts-group';
    const client = createKafkaClient({ clientId: 'kafka-ts-test', bootstrapServers });
    const cluster = client.createCluster();
    await cluster.connect();
    t.after(() => cluster.disconnect());
    await waitFor(
      'three brokers in Metadata',
      async () => {
        const md = await cluster
          .sendRequest(API.METADATA, {
            topics: [],
            allowTopicAutoCreation: false,
            includeTopicAuthorizedOperations: false,
          })
          .catch(() => null);
        return md && md.brokers.length === 3 && md.controllerId >= 0 ? true : undefined;
      },
      60_000,
      200,
    );
    const before = await requestsByVersion(f);
    const assignments = [0, 1, 2].map((p) => ({
      partitionIndex: p,
      brokerIds: [1, 2, 3].map((b) => ((b + p - 1) % 3) + 1),
    }));
    const created = await cluster.sendRequest(API.CREATE_TOPICS, {
      validateOnly: false,
      timeoutMs: 10_000,
      // Manual replica assignments (issue 15 item 0: once answered INVALID_REQUEST).
      topics: [{ name: topic, numPartitions: -1, replicationFactor: -1, assignments, configs: [] }],
    });
    assert.equal(created.topics[0]?.errorCode, 0, JSON.stringify(created.topics[0]));
    await waitFor(
      'the assigned replicas in Metadata',
      async () => {
        const md = await cluster.sendRequest(API.METADATA, {
          topics: [{ id: null, name: topic }],
          allowTopicAutoCreation: false,
          includeTopicAuthorizedOperations: false,
        });
        const parts = [...(md.topics[0]?.partitions ?? [])].sort((a, b) => a.partitionIndex - b.partitionIndex);
        const replicas = parts.map((p) => p.replicaNodes);
        return JSON.stringify(replicas) === JSON.stringify(assignments.map((a) => a.brokerIds)) ? true : undefined;
      },
      30_000,
      100,
    );

    // AlterReplicaLogDirs (v2 from kafka-ts) on broker 1, which hosts every partition in its one
    // log dir: staying there succeeds, a dir it does not have is LOG_DIR_NOT_FOUND, a partition it
    // does not host REPLICA_NOT_AVAILABLE. kafka-ts throws on an error code; the answer rides along.
    const toBroker1 = cluster.sendRequestToNode(1);
    const logDir = (await toBroker1(API.DESCRIBE_LOG_DIRS, { topics: null })).results[0]?.logDir ?? '';
    assert.ok(logDir.startsWith('/'), logDir);
    const alterCodes = async (path: string, partitions: number[]): Promise<number[]> => {
      const answer = await toBroker1(API.ALTER_REPLICA_LOG_DIRS, {
        dirs: [{ path, topics: [{ name: topic, partitions }] }],
      }).catch((err: unknown) => (err as { response?: unknown }).response as AlterAnswer | undefined);
      assert.ok(answer, 'an AlterReplicaLogDirs answer');
      return answer.results.flatMap((r) => r.partitions.map((p) => p.errorCode));
    };
    // Broker 1 opens the new partitions' logs once it has applied the topic: until then it answers
    // REPLICA_NOT_AVAILABLE, as Kafka does for a replica it does not host yet.
    await waitFor(
      'broker 1 to host the new partitions (AlterReplicaLogDirs to its own dir answering 0 for each)',
      async () => ((await alterCodes(logDir, [0, 1, 2])).every((c) => c === 0) ? true : undefined),
      30_000,
      100,
    );
    assert.deepEqual(await alterCodes(`${logDir}-elsewhere`, [0]), [ErrorCode.LOG_DIR_NOT_FOUND]);
    assert.deepEqual(await alterCodes(logDir, [7]), [ErrorCode.REPLICA_NOT_AVAILABLE]);

    const producer = client.createProducer({ allowTopicAutoCreation: false });
    const values = Array.from({ length: messages }, (_, i) => `kts-${i}`);
    await waitFor(
      'the produce to be acknowledged',
      async () =>
        await producer.send(values.map((value) => ({ topic, key: value, value }))).then(
          () => true,
          () => undefined,
        ),
      30_000,
      200,
    );
    await producer.close();

    const seen = new Set<string>();
    let commits = 0;
    const consumer = await client.startConsumer({
      groupId,
      topics: [topic],
      fromBeginning: true,
      maxWaitMs: 200,
      onBatch: (batch) => {
        for (const m of batch) seen.add(m.value?.toString() ?? '');
      },
    });
    consumer.on('offsetCommit', () => commits++);
    try {
      await waitFor('every record consumed', async () => (seen.size === messages ? true : undefined), 60_000, 50);
      await waitFor('an offset commit', async () => (commits > 0 ? true : undefined), 30_000, 50);
      const coordinator = await cluster.sendRequest(API.FIND_COORDINATOR, { keyType: 0, keys: [groupId] });
      const nodeId = coordinator.coordinators[0]!.nodeId;
      const described = await cluster.sendRequestToNode(nodeId)(API.DESCRIBE_GROUPS, {
        groups: [groupId],
        includeAuthorizedOperations: false,
      });
      const group = described.groups[0]!;
      assert.equal(group.errorCode, 0);
      assert.equal(group.groupState, 'Stable');
      assert.equal(group.protocolType, 'consumer');
      assert.equal(group.members.length, 1);
      // OffsetFetch v10 names the topic by id (v9 and older by name): kafka-ts sends both fields.
      const { topics: inMetadata } = await cluster.sendRequest(API.METADATA, {
        topics: [{ id: null, name: topic }],
        allowTopicAutoCreation: false,
        includeTopicAuthorizedOperations: false,
      });
      const topicId = inMetadata[0]!.topicId;
      await waitFor(
        'the committed offsets to cover every record',
        async () => {
          const fetched = await cluster.sendRequestToNode(nodeId)(API.OFFSET_FETCH, {
            groups: [
              {
                groupId,
                topics: [{ name: topic, topicId, partitionIndexes: [0, 1, 2] }],
              },
            ],
            requireStable: true,
          });
          const parts = fetched.groups[0]?.topics[0]?.partitions ?? [];
          const total = parts.reduce((n, p) => n + Math.max(0, Number(p.committedOffset)), 0);
          return total === messages ? true : undefined;
        },
        30_000,
        100,
      );
    } finally {
      await consumer.close();
    }

    const sent = sentBetween(before, await requestsByVersion(f));
    t.diagnostic(`kafka-ts sent: ${[...sent.keys()].sort().join(', ')}`);
    for (const api of [
      'CreateTopics',
      'Produce',
      'Fetch',
      'ListOffsets',
      'Metadata',
      'FindCoordinator',
      'JoinGroup',
      'SyncGroup',
      'Heartbeat',
      'LeaveGroup',
      'OffsetCommit',
      'OffsetFetch',
      'DescribeGroups',
      'DescribeLogDirs',
      'AlterReplicaLogDirs',
    ]) {
      if (api === 'Heartbeat' && versionsOf(sent, api).length === 0) continue; // none due in a short run
      assert.deepEqual(versionsOf(sent, api), [newest(api)], `${api}: ${versionsOf(sent, api).join(',')}`);
    }
    assertFlexible(sent);
  });

  for (const protocol of ['consumer', 'classic'] as const)
    await t.test(`kafka-ts group.protocol=${protocol}: three members, one leaves, one joins`, async (tt) =>
      tt.diagnostic(await groupScenario(f, protocol)),
    );
});

type KtsClient = ReturnType<typeof createKafkaClient>;
type KtsCluster = ReturnType<KtsClient['createCluster']>;

/**
 * Each member's partitions of `topic` as the group coordinator has them now: the members'
 * current assignments (ConsumerGroupDescribe) for a consumer-protocol group, the assignments of the
 * last SyncGroup (DescribeGroups) for a classic one.
 */
async function ownersNow(
  cluster: KtsCluster,
  protocol: 'consumer' | 'classic',
  groupId: string,
  topic: string,
): Promise<Map<string, number[]>> {
  const { coordinators } = await cluster.sendRequest(API.FIND_COORDINATOR, { keyType: 0, keys: [groupId] });
  const toCoordinator = cluster.sendRequestToNode(coordinators[0]!.nodeId);
  const owners = new Map<string, number[]>();
  if (protocol === 'consumer') {
    const d = await toCoordinator(API.CONSUMER_GROUP_DESCRIBE, {
      groupIds: [groupId],
      includeAuthorizedOperations: false,
    });
    for (const m of d.groups[0]?.members ?? [])
      owners.set(
        m.clientId,
        m.assignment.topicPartitions.filter((tp) => tp.topicName === topic).flatMap((tp) => tp.partitions),
      );
  } else {
    const d = await toCoordinator(API.DESCRIBE_GROUPS, { groups: [groupId], includeAuthorizedOperations: false });
    for (const m of d.groups[0]?.members ?? [])
      owners.set(
        m.clientId,
        decodeAssignment(m.memberAssignment)
          .assignedPartitions.filter((tp) => tp.topic === topic)
          .flatMap((tp) => [...tp.partitions]),
      );
  }
  return owners;
}

/** Runs the scenario; returns what the coordinator showed along the way. */
async function groupScenario(f: ClusterFixture, protocol: 'consumer' | 'classic'): Promise<string> {
  const bootstrapServers = f.brokerPorts.map((port) => ({ host: '127.0.0.1', port }));
  const topic = `kts-group-${protocol}`;
  const groupId = `kts-${protocol}`;
  const admin = createKafkaClient({ clientId: `kts-admin-${protocol}`, bootstrapServers });
  const cluster = admin.createCluster();
  await cluster.connect();
  try {
    const created = await cluster.sendRequest(API.CREATE_TOPICS, {
      validateOnly: false,
      timeoutMs: 10_000,
      topics: [{ name: topic, numPartitions: 6, replicationFactor: 3, assignments: [], configs: [] }],
    });
    assert.equal(created.topics[0]?.errorCode, 0, JSON.stringify(created.topics[0]));
    const producer = admin.createProducer({ allowTopicAutoCreation: false });
    const produced = new Set<string>();
    /** Ten records to each partition; returns once they are acknowledged. */
    const produceRound = async (round: number): Promise<void> => {
      const batch = Array.from({ length: 60 }, (_, i) => ({
        topic,
        partition: i % 6,
        key: `k${i}`,
        value: `${protocol}-${round}-${i}`,
      }));
      await waitFor(
        `round ${round} acknowledged`,
        () =>
          producer.send(batch).then(
            () => true,
            () => undefined,
          ),
        30_000,
        200,
      );
      for (const m of batch) produced.add(m.value);
    };

    const seen = new Set<string>();
    const members = new Map<string, Awaited<ReturnType<KtsClient['startConsumer']>>>();
    const start = async (name: string): Promise<void> => {
      const client = createKafkaClient({ clientId: name, bootstrapServers });
      members.set(
        name,
        await client.startConsumer({
          groupId,
          groupProtocol: protocol,
          topics: [topic],
          fromBeginning: true,
          maxWaitMs: 100,
          sessionTimeoutMs: 6_000, // the classic members heartbeat every tenth of it
          onBatch: (batch) => {
            for (const m of batch) seen.add(m.value ?? '');
          },
        }),
      );
    };

    // The coordinator's view, sampled until the scenario ends: no partition in two members'
    // assignments at once, and each sample's owners.
    let sampling = true;
    let samples = 0;
    const overlaps: string[] = [];
    let latest = new Map<string, number[]>();
    const views: string[] = []; // each distinct view of the coordinator, in order
    const sampler = (async () => {
      while (sampling) {
        const owners = await ownersNow(cluster, protocol, groupId, topic).catch(() => null);
        if (owners) {
          samples++;
          latest = owners;
          const view = [...owners]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([m, p]) => `${m}:${[...p].sort().join('')}`)
            .join(' ');
          if (views.at(-1) !== view) views.push(view);
          const holder = new Map<number, string>();
          for (const [member, partitions] of owners)
            for (const p of partitions) {
              const other = holder.get(p);
              if (other !== undefined) overlaps.push(`partition ${p}: ${other} and ${member}`);
              holder.set(p, member);
            }
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    /** Every record produced so far consumed, and the coordinator shows exactly `names`, 2 or 3 partitions each, all 6 owned. */
    const settled = async (what: string, names: readonly string[]): Promise<boolean> =>
      waitFor(
        what,
        async () => {
          if ([...produced].some((v) => !seen.has(v))) return undefined;
          const owners = [...latest.entries()];
          const sizes = owners.map(([, p]) => p.length);
          const all = new Set(owners.flatMap(([, p]) => p));
          return JSON.stringify(owners.map(([m]) => m).sort()) === JSON.stringify([...names].sort()) &&
            all.size === 6 &&
            Math.max(...sizes) - Math.min(...sizes) <= 1
            ? true
            : undefined;
        },
        60_000,
        50,
      );

    const before = await requestsByVersion(f);
    try {
      await Promise.all(['kts-a', 'kts-b', 'kts-c'].map(start));
      await produceRound(1);
      await settled('three members sharing six partitions, round 1 consumed', ['kts-a', 'kts-b', 'kts-c']);
      await members.get('kts-a')!.close(); // one leaves
      members.delete('kts-a');
      await produceRound(2);
      await settled('two members sharing six partitions, round 2 consumed', ['kts-b', 'kts-c']);
      await start('kts-d'); // one joins
      await produceRound(3);
      await settled('three members again, round 3 consumed', ['kts-b', 'kts-c', 'kts-d']);
    } finally {
      sampling = false;
      await sampler;
      await Promise.all([...members.values()].map((m) => m.close().catch(() => undefined)));
      await producer.close();
    }
    assert.deepEqual(overlaps, [], "a partition in two members' assignments at once");
    assert.ok(samples >= 20, `the coordinator's view was sampled ${samples} times`);
    assert.equal(produced.size, 180);
    // The protocol really spoken: KIP-848 heartbeats and no JoinGroup, or the classic join/sync.
    const sent = sentBetween(before, await requestsByVersion(f));
    if (protocol === 'consumer') {
      assert.deepEqual(versionsOf(sent, 'ConsumerGroupHeartbeat'), [newest('ConsumerGroupHeartbeat')]);
      assert.deepEqual(versionsOf(sent, 'JoinGroup'), []);
    } else {
      assert.deepEqual(versionsOf(sent, 'ConsumerGroupHeartbeat'), []);
      assert.deepEqual(versionsOf(sent, 'JoinGroup'), [newest('JoinGroup')]);
    }
    return `${samples} samples; the coordinator's views: ${views.join(' | ')}`;
  } finally {
    await cluster.disconnect();
  }
}
