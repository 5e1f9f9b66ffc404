// Consumer groups on a three-node cluster (combined nodes, ephemeral ports) with unmodified
// clients: kafkajs consumers share a 6-partition topic and rebalance when one stops without
// losing a committed record; kcat -G balanced consumers do the same; committed offsets survive
// kill -9 of the coordinator's node; a static member (KIP-345) restarted within its session
// timeout gets its partitions back without a rebalance; `raftka consumer-groups` shows lag and
// resets offsets; /metrics carries the lag; the newest group API versions answer as Kafka's do
// (group-versions.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startKcat, stopKcat } from '../../src/testing/kcat.js';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { ClusterFixture, waitFor } from '../../src/testing/cluster-fixture.js';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { findCoordinator, offsetFetch } from '../../src/client/group-client.js';
import { offsetCommitApi } from '../../src/protocol/messages/offset-commit.js';
import { parseEndpoints } from '../../src/common/endpoint.js';
import { findCoordinatorApi } from '../../src/protocol/messages/find-coordinator.js';
import { ErrorCode } from '../../src/common/errors.js';
import { checkGroupApiVersions } from './group-versions.js';

interface StateRow {
  group: string;
  coordinator: string;
  assignmentStrategy: string;
  state: string;
  members: number;
}

interface DescribeRow {
  group: string;
  topic: string;
  partition: number;
  currentOffset: number | null;
  logEndOffset: number;
  lag: number | null;
  consumerId: string | null;
}

const topic = 'orders';

test('consumer groups: kafkajs, kcat -G, failover, static membership, lag and offset resets', {
  timeout: 600_000,
}, async (t) => {
  // Registered first so it runs first (after-hooks run in order): consumers left running by a
  // failed subtest stop before the cluster does, and the test process can exit.
  const consumers = new Set<Consumer>();
  t.after(() => Promise.all([...consumers].map((c) => c.disconnect().catch(() => undefined))));
  const newConsumer = (config: Parameters<Kafka['consumer']>[0]): Consumer => {
    const c = kafka.consumer(config);
    consumers.add(c);
    return c;
  };
  const f = await ClusterFixture.combined({ nodes: 3, extra: { 'group.initial.rebalance.delay.ms': '300' } });
  t.after(() => f.destroy());
  await f.up();
  const bs = f.bootstrapServers;
  const kafka = new Kafka({
    clientId: 'groups-test',
    brokers: bs.split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  await waitFor(
    'three brokers registered',
    async () => {
      const d = await admin.describeCluster().catch(() => null);
      return d && d.brokers.length === 3 && d.controller !== null && d.controller >= 0 ? true : undefined;
    },
    60_000,
    200,
  );
  assert.equal(
    await admin.createTopics({ topics: [{ topic, numPartitions: 6, replicationFactor: 3 }], waitForLeaders: true }),
    true,
  );
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  t.after(() => producer.disconnect());
  let produced = 0;
  const produce = async (p: Producer, n: number, prefix: string): Promise<string[]> => {
    const values = Array.from({ length: n }, (_, i) => `${prefix}-${produced + i}`);
    produced += n;
    await p.send({ topic, acks: -1, messages: values.map((value) => ({ key: value, value })) });
    return values;
  };
  const describe = async (group: string): Promise<DescribeRow[]> =>
    JSON.parse(
      await f.raftka('consumer-groups', '--bootstrap-server', bs, '--describe', '--group', group, '--json'),
    ) as DescribeRow[];
  /** The node id of the group's coordinator, from `--describe --state` ("host:port (id)"). */
  const coordinatorOf = async (group: string): Promise<number> => {
    const [row] = JSON.parse(
      await f.raftka('consumer-groups', '--bootstrap-server', bs, '--describe', '--group', group, '--state', '--json'),
    ) as StateRow[];
    const m = /\((\d+)\)$/.exec(row!.coordinator);
    assert.ok(m, `coordinator column: ${row!.coordinator}`);
    return Number(m[1]);
  };
  /** Partitions per consumer id, from --describe. */
  const owners = async (group: string): Promise<Map<string, number[]>> => {
    const out = new Map<string, number[]>();
    for (const r of await describe(group).catch(() => [])) {
      if (r.consumerId)
        out.set(
          r.consumerId,
          [...(out.get(r.consumerId) ?? []), r.partition].sort((a, b) => a - b),
        );
    }
    return out;
  };
  /** The value of the sample of `name` whose labels include every one of `labels` (in any order). */
  const metric = async (nodeIndex: number, name: string, labels: Record<string, string>): Promise<number | null> => {
    for (const line of (await f.metrics(nodeIndex)).split('\n')) {
      const m = /^([a-z_]+)\{(.*)\} (\S+)$/.exec(line);
      if (!m || m[1] !== name) continue;
      const have = new Map([...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!]));
      if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) return Number(m[3]);
    }
    return null;
  };

  await t.test(
    'three kafkajs consumers split six partitions two each; one stops and the rest take over without losing a record',
    async () => {
      const group = 'kjs';
      const seen = new Map<string, number>();
      const assignments = new Map<string, number[]>();
      const consumers: Consumer[] = [];
      for (let i = 0; i < 3; i++) {
        const c = newConsumer({
          groupId: group,
          sessionTimeout: 10_000,
          heartbeatInterval: 500,
          rebalanceTimeout: 20_000,
          maxWaitTimeInMs: 200,
        });
        c.on(c.events.GROUP_JOIN, (e) => assignments.set(e.payload.memberId, e.payload.memberAssignment[topic] ?? []));
        await c.connect();
        await c.subscribe({ topic, fromBeginning: true });
        consumers.push(c);
      }
      // Commits after processing: kafkajs commits what eachMessage returned from.
      await Promise.all(
        consumers.map((c) =>
          c.run({
            autoCommitInterval: 200,
            eachMessage: async ({ message }) => {
              const v = message.value!.toString();
              seen.set(v, (seen.get(v) ?? 0) + 1);
            },
          }),
        ),
      );
      await waitFor(
        'three members with two partitions each',
        async () => {
          const o = await owners(group);
          return o.size === 3 && [...o.values()].every((ps) => ps.length === 2) ? true : undefined;
        },
        60_000,
        200,
      );
      assert.equal([...assignments.values()].flat().sort().join(','), '0,1,2,3,4,5');
      const first = await produce(producer, 300, 'a');
      await waitFor(
        'the first 300 records consumed',
        async () => (first.every((v) => seen.has(v)) ? true : undefined),
        60_000,
        100,
      );

      // One consumer stops (LeaveGroup): the other two get its partitions; records produced across
      // the rebalance are all consumed.
      const stopping = consumers.pop()!;
      const stoppedAt = Date.now();
      const during = produce(producer, 300, 'b');
      await stopping.disconnect();
      const second = await during;
      await waitFor(
        'two members with three partitions each',
        async () => {
          const o = await owners(group);
          return o.size === 2 && [...o.values()].every((ps) => ps.length === 3) ? true : undefined;
        },
        10_000,
        100,
      );
      const rebalanceMs = Date.now() - stoppedAt;
      assert.ok(rebalanceMs < 10_000, `rebalanced within the session timeout (${rebalanceMs} ms)`);
      const third = await produce(producer, 300, 'c');
      await waitFor(
        'every record consumed',
        async () => ([...first, ...second, ...third].every((v) => seen.has(v)) ? true : undefined),
        60_000,
        100,
      );
      // Committed offsets reach the log end of every partition once the consumers are idle.
      await waitFor(
        'commits caught up',
        async () => {
          const rows = await describe(group);
          return rows.length === 6 && rows.every((r) => r.lag === 0) ? true : undefined;
        },
        30_000,
        200,
      );
      await Promise.all(consumers.map((c) => c.disconnect()));
      const redelivered = [...seen.values()].filter((n) => n > 1).length;
      t.diagnostic(
        `rebalance after a member left: ${rebalanceMs} ms; ${seen.size} distinct records, ${redelivered} redelivered across the rebalance`,
      );
    },
  );

  await t.test(
    'kcat -G balanced consumers share the topic three partitions each and together read every record',
    async () => {
      const group = 'kcat-balanced';
      const lines: string[][] = [[], []];
      const procs = [0, 1].map((i) =>
        startKcat(
          [
            '-b',
            bs,
            '-G',
            group,
            '-o',
            'beginning',
            '-u',
            '-f',
            '%p %s\\n',
            '-X',
            'session.timeout.ms=10000',
            '-X',
            'heartbeat.interval.ms=500',
            topic,
          ],
          lines[i]!,
        ),
      );
      t.after(() => procs.forEach((p) => p.kill('SIGKILL')));
      const o = await waitFor(
        'two kcat members with three partitions each',
        async () => {
          const x = await owners(group);
          return x.size === 2 && [...x.values()].every((ps) => ps.length === 3) ? x : undefined;
        },
        60_000,
        200,
      );
      const extra = await produce(producer, 120, 'kcat');
      const all = new Set<string>();
      await waitFor(
        'every record read by one of the two',
        async () => {
          for (const l of lines.flat()) all.add(l.slice(l.indexOf(' ') + 1));
          return all.size === produced ? true : undefined;
        },
        60_000,
        200,
      );
      assert.ok(extra.every((v) => all.has(v)));
      // Each kcat read only the partitions the group gave it, and the two sets do not overlap.
      const partitionsRead = lines.map((ls) =>
        [...new Set(ls.map((l) => Number(l.split(' ')[0])))].sort((a, b) => a - b),
      );
      assert.deepEqual(
        partitionsRead.flat().sort((a, b) => a - b),
        [0, 1, 2, 3, 4, 5],
      );
      assert.deepEqual(
        new Set(partitionsRead.map((ps) => ps.join(','))),
        new Set([...o.values()].map((ps) => ps.join(','))),
      );
      await Promise.all(procs.map((p) => stopKcat(p)));
    },
  );

  await t.test(
    'committed offsets survive kill -9 of the coordinator: the group resumes where it committed',
    async () => {
      const group = 'failover';
      const seen: string[] = [];
      const run = async (): Promise<Consumer> => {
        const c = newConsumer({ groupId: group, sessionTimeout: 10_000, heartbeatInterval: 500, maxWaitTimeInMs: 200 });
        await c.connect();
        await c.subscribe({ topic, fromBeginning: true });
        await c.run({
          autoCommitInterval: 100,
          eachMessage: async ({ message }) => {
            seen.push(message.value!.toString());
          },
        });
        return c;
      };
      const c1 = await run();
      await waitFor(
        'the group caught up and committed',
        async () => {
          const rows = await describe(group).catch(() => []);
          return rows.length === 6 && rows.every((r) => r.lag === 0) ? true : undefined;
        },
        60_000,
        200,
      );
      await c1.disconnect();
      const before = seen.length;
      assert.equal(new Set(seen).size, produced);
      const coordinator = await coordinatorOf(group);
      await f.kill9(coordinator);
      await waitFor(
        'another node to take over the group',
        async () => {
          const id = await coordinatorOf(group).catch(() => coordinator);
          return id !== coordinator ? id : undefined;
        },
        60_000,
        200,
      );
      const after = await produce(producer, 90, 'after-kill');
      const c2 = await run();
      await waitFor(
        'the records produced after the kill',
        async () => (after.every((v) => seen.includes(v)) ? true : undefined),
        60_000,
        100,
      );
      await c2.disconnect();
      // Nothing before the committed offsets was read again.
      assert.deepEqual(seen.slice(before).sort(), [...after].sort());
      await f.up(); // the killed node comes back for the rest of the test
    },
  );

  await t.test(
    'a static member restarted within its session timeout gets its partitions back without a rebalance',
    async () => {
      const group = 'static';
      const args = (instance: string): string[] => [
        '-b',
        bs,
        '-G',
        group,
        '-o',
        'end',
        '-u',
        '-X',
        `group.instance.id=${instance}`,
        '-X',
        'session.timeout.ms=20000',
        '-X',
        'heartbeat.interval.ms=500',
        topic,
      ];
      const first = [startKcat(args('s1'), []), startKcat(args('s2'), [])];
      t.after(() => first.forEach((p) => p.kill('SIGKILL')));
      const before = await waitFor(
        'two static members with three partitions each',
        async () => {
          const x = await owners(group);
          return x.size === 2 && [...x.values()].every((ps) => ps.length === 3) ? x : undefined;
        },
        60_000,
        200,
      );
      const coordinator = await coordinatorOf(group);
      const generationBefore = await metric(coordinator - 1, 'raftka_consumer_group_generation', { group: 'static' });
      assert.ok(generationBefore !== null && generationBefore >= 1);
      const s2Partitions = [...before].find(([id]) => id.startsWith('s2-'))![1];
      // s2 crashes (no LeaveGroup) and starts again with the same group.instance.id.
      first[1]!.kill('SIGKILL');
      const restarted = startKcat(args('s2'), []);
      t.after(() => restarted.kill('SIGKILL'));
      const after = await waitFor(
        's2 back under a new member id',
        async () => {
          const x = await owners(group);
          const s2 = [...x].find(([id]) => id.startsWith('s2-'));
          return x.size === 2 && s2 && !before.has(s2[0]) ? x : undefined;
        },
        30_000,
        200,
      );
      assert.deepEqual([...after].find(([id]) => id.startsWith('s2-'))![1], s2Partitions, 's2 has its partitions back');
      assert.equal(
        await metric(coordinator - 1, 'raftka_consumer_group_generation', { group: 'static' }),
        generationBefore,
        'no rebalance: same generation',
      );
      await Promise.all([first[0]!, restarted].map((p) => stopKcat(p)));
    },
  );

  await t.test(
    'consumer-groups --describe shows the lag of a paused consumer; --reset-offsets --to-earliest makes the group re-read everything',
    async () => {
      const group = 'lagging';
      const seen: string[] = [];
      const c = newConsumer({ groupId: group, sessionTimeout: 10_000, heartbeatInterval: 500, maxWaitTimeInMs: 200 });
      await c.connect();
      await c.subscribe({ topic, fromBeginning: true });
      await c.run({
        autoCommitInterval: 100,
        eachMessage: async ({ message }) => {
          seen.push(message.value!.toString());
        },
      });
      await waitFor(
        'caught up',
        async () => {
          const rows = await describe(group).catch(() => []);
          return rows.length === 6 && rows.every((r) => r.lag === 0 && r.consumerId !== null) ? true : undefined;
        },
        60_000,
        200,
      );
      c.pause([{ topic }]);
      await produce(producer, 60, 'while-paused');
      const rows = await waitFor(
        'lag 60 on the paused member',
        async () => {
          const r = await describe(group);
          return r.reduce((sum, x) => sum + (x.lag ?? 0), 0) === 60 ? r : undefined;
        },
        20_000,
        200,
      );
      assert.ok(
        rows.every((r) => r.consumerId !== null && r.logEndOffset === (r.currentOffset ?? 0) + (r.lag ?? 0)),
        'every partition owned; LAG = LOG-END-OFFSET - CURRENT-OFFSET',
      );
      const table = await f.raftka('consumer-groups', '--bootstrap-server', bs, '--describe', '--group', group);
      assert.match(
        table,
        /GROUP\s+TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+LOG-END-OFFSET\s+LAG\s+CONSUMER-ID\s+HOST\s+CLIENT-ID/,
      );
      // The coordinator exports the same lag in /metrics.
      const coordinator = await coordinatorOf(group);
      await waitFor(
        'lag in /metrics',
        async () => {
          let sum = 0;
          for (let p = 0; p < 6; p++)
            sum +=
              (await metric(coordinator - 1, 'raftka_consumer_group_lag', {
                group: 'lagging',
                topic,
                partition: String(p),
              })) ?? 0;
          return sum === 60 ? true : undefined;
        },
        20_000,
        200,
      );
      // Resetting needs the group to be inactive.
      const refused = await f
        .raftka(
          'consumer-groups',
          '--bootstrap-server',
          bs,
          '--reset-offsets',
          '--group',
          group,
          '--topic',
          topic,
          '--to-earliest',
          '--execute',
        )
        .then(
          () => 'ok',
          (err: Error) => err.message,
        );
      assert.match(refused, /inactive/);
      await c.disconnect();
      const dry = await f.raftka(
        'consumer-groups',
        '--bootstrap-server',
        bs,
        '--reset-offsets',
        '--group',
        group,
        '--topic',
        topic,
        '--to-earliest',
        '--dry-run',
      );
      assert.match(dry, /NEW-OFFSET/);
      assert.ok(
        (await describe(group)).every((r) => (r.currentOffset ?? 0) > 0 || r.logEndOffset === 0),
        'a dry run changes nothing',
      );
      await f.raftka(
        'consumer-groups',
        '--bootstrap-server',
        bs,
        '--reset-offsets',
        '--group',
        group,
        '--topic',
        topic,
        '--to-earliest',
        '--execute',
      );
      assert.ok((await describe(group)).every((r) => r.currentOffset === 0));
      const reread: string[] = [];
      const again = newConsumer({
        groupId: group,
        sessionTimeout: 10_000,
        heartbeatInterval: 500,
        maxWaitTimeInMs: 200,
      });
      await again.connect();
      await again.subscribe({ topic, fromBeginning: false });
      await again.run({
        eachMessage: async ({ message }) => {
          reread.push(message.value!.toString());
        },
      });
      await waitFor('everything re-read', async () => (reread.length >= produced ? true : undefined), 60_000, 100);
      await again.disconnect();
      assert.equal(new Set(reread).size, produced);
      // --list shows the groups; --delete removes an inactive one.
      const list = (await f.raftka('consumer-groups', '--bootstrap-server', bs, '--list')).trim().split('\n').sort();
      for (const g of ['failover', 'kjs', 'lagging']) assert.ok(list.includes(g), `${g} listed in ${list.join(',')}`);
      assert.match(
        await f.raftka('consumer-groups', '--bootstrap-server', bs, '--delete', '--group', 'kjs'),
        /successful/,
      );
      assert.ok(!(await f.raftka('consumer-groups', '--bootstrap-server', bs, '--list')).split('\n').includes('kjs'));
    },
  );

  await t.test(
    'FindCoordinator v4-v6 answer a batch of group keys, each with the coordinator --describe names',
    async () => {
      const client = new KafkaClient(parseEndpoints(bs), { clientId: 'find-coordinator-v4' });
      try {
        const c = await client.anyConnection();
        assert.equal(c.versionFor(findCoordinatorApi), 6);
        const groups = ['failover', 'lagging', 'static'];
        for (const version of [4, 6]) {
          const res = await c.send(findCoordinatorApi, { keyType: 0, coordinatorKeys: groups }, 10_000, version);
          assert.deepEqual(res.coordinators.map((x) => x.key).sort(), groups);
          for (const answer of res.coordinators) {
            assert.equal(answer.errorCode, 0, `v${version} ${answer.key}: ${answer.errorMessage}`);
            assert.equal(answer.nodeId, await coordinatorOf(answer.key));
          }
        }
        // v6's share-group key type: no share coordinator runs here, so each key is refused.
        const share = await c.send(findCoordinatorApi, { keyType: 2, coordinatorKeys: ['g:t:0'] }, 10_000, 6);
        assert.equal(share.coordinators[0]?.errorCode, ErrorCode.INVALID_REQUEST);
      } finally {
        client.close();
      }
    },
  );

  await t.test(
    'the newest group API versions at the wire: JoinGroup v9 SkipAssignment, OffsetFetch v9 per group, DescribeGroups v6 and OffsetCommit v9 GROUP_ID_NOT_FOUND',
    async () => {
      const client = new KafkaClient(parseEndpoints(bs), { clientId: 'group-versions' });
      try {
        await checkGroupApiVersions(client, topic);
      } finally {
        client.close();
      }
    },
  );

  await t.test('fifty pipelined OffsetCommits on one connection: OffsetFetch answers the last', async () => {
    const client = new KafkaClient(parseEndpoints(bs), { clientId: 'pipelined-commits' });
    try {
      // Written back to back on the coordinator's connection, so their order is known; all fifty
      // are in flight at once and RF 3 acknowledgements may resume out of order, but the offset in
      // force must be the last one sent.
      const coordinator = await findCoordinator(client, 'pipelined');
      await client.metadata([]); // the coordinator's endpoint
      const c = await client.connectionTo(coordinator.nodeId);
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          c.send(
            offsetCommitApi,
            {
              groupId: 'pipelined',
              generationIdOrMemberEpoch: -1,
              memberId: '',
              groupInstanceId: null,
              topics: [
                {
                  name: topic,
                  partitions: [
                    { partitionIndex: 0, committedOffset: i + 1, committedLeaderEpoch: -1, committedMetadata: '' },
                  ],
                },
              ],
            },
            10_000,
          ),
        ),
      );
      assert.ok(answers.every((a) => a.topics[0]?.partitions[0]?.errorCode === 0));
      const [committed] = await offsetFetch(client, 'pipelined', [{ topic, partitions: [0] }]);
      assert.equal(committed?.offset, 50);
    } finally {
      client.close();
    }
  });

  await t.test('kafkajs creates a topic and adds partitions with manual replica assignments', async () => {
    const brokers = (await admin.describeCluster()).brokers.map((b) => b.nodeId).sort((a, b) => a - b);
    const [a, b, c] = brokers as [number, number, number];
    assert.ok(
      await admin.createTopics({
        topics: [
          {
            topic: 'placed',
            replicaAssignment: [
              { partition: 0, replicas: [c, a] },
              { partition: 1, replicas: [b, c] },
            ],
          },
        ],
        waitForLeaders: true,
      }),
    );
    await admin.createPartitions({ topicPartitions: [{ topic: 'placed', count: 3, assignments: [[a, b]] }] });
    const replicas = await waitFor(
      'three partitions of placed',
      async () => {
        const md = await admin.fetchTopicMetadata({ topics: ['placed'] });
        const ps = md.topics[0]?.partitions ?? [];
        return ps.length === 3 ? ps.sort((x, y) => x.partitionId - y.partitionId).map((p) => p.replicas) : undefined;
      },
      30_000,
      100,
    );
    assert.deepEqual(replicas, [
      [c, a],
      [b, c],
      [a, b],
    ]);
  });
});
