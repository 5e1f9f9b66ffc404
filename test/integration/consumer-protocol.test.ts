// The same consumer group scenario with the consumer group protocol (KIP-848,
// group.protocol=consumer) and with the classic protocol, on a three-node cluster with raftka's own
// consumer: three members share a 6-partition topic, one leaves, one joins; every record is
// consumed, no partition is ever owned by two members (ownership as the members' own
// onPartitionsAssigned / onPartitionsRevoked callbacks report it) and the offsets end committed.
// Both groups are described as `raftka consumer-groups --describe` does (ConsumerGroupDescribe for
// the consumer-protocol group, DescribeGroups for the classic one).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterFixture, waitFor } from '../../src/testing/cluster-fixture.js';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { GroupConsumer, type TopicPartition } from '../../src/client/group-consumer.js';
import { Producer } from '../../src/client/producer.js';
import { offsetFetch } from '../../src/client/group-client.js';
import { consumerGroupDescribe, describeGroupsOfBothKinds } from '../../src/client/consumer-group-client.js';
import { decodeAssignment } from '../../src/protocol/consumer-protocol.js';

const partitions = 6;
const perPhase = 60;

interface Member {
  readonly name: string;
  readonly consumer: GroupConsumer;
  stop: boolean;
  done: Promise<void>;
}

async function scenario(f: ClusterFixture, protocol: 'classic' | 'consumer'): Promise<void> {
  const bootstrap = f.brokerPorts.map((port) => ({ host: '127.0.0.1', port }));
  const topic = `orders-${protocol}`;
  const groupId = `group-${protocol}`;
  const client = new KafkaClient(bootstrap, { clientId: 'kip848-test' });
  const members: Member[] = [];
  try {
    await client.createTopic(topic, partitions, 3);
    await waitFor(
      'the topic known to every broker',
      async () => {
        const md = await client.metadata([topic]);
        const t = md.topics.find((x) => x.name === topic);
        return t?.errorCode === 0 && t.partitions.every((p) => p.leader >= 0) ? true : undefined;
      },
      30_000,
      100,
    );
    const producer = new Producer(client, topic, { acks: -1, batchRecordsMax: 10, compression: 0 });
    let produced = 0;
    const produce = async (): Promise<void> => {
      for (let i = 0; i < perPhase; i++, produced++) await producer.send(null, Buffer.from(`v-${produced}`));
      await producer.flush();
    };
    const seen = new Set<string>();
    const owner = new Map<number, string>();
    const violations: string[] = [];
    const start = (name: string): Member => {
      const tp = (list: readonly TopicPartition[]) => list.map((p) => p.partition);
      const consumer = new GroupConsumer(bootstrap, {
        groupId,
        topics: [topic],
        clientId: name,
        groupProtocol: protocol,
        autoOffsetReset: 'earliest',
        autoCommitIntervalMs: 300,
        sessionTimeoutMs: 10_000,
        heartbeatIntervalMs: 500,
        rebalanceTimeoutMs: 10_000,
        onPartitionsAssigned: (list) => {
          for (const p of tp(list)) {
            const held = owner.get(p);
            if (held !== undefined && held !== name) violations.push(`${name} got ${p} while ${held} holds it`);
            owner.set(p, name);
          }
        },
        onPartitionsRevoked: (list) => {
          for (const p of tp(list)) {
            if (owner.get(p) !== name) violations.push(`${name} gave back ${p}, held by ${owner.get(p)}`);
            else owner.delete(p);
          }
        },
      });
      const m: Member = { name, consumer, stop: false, done: Promise.resolve() };
      m.done = (async () => {
        while (!m.stop) for (const r of await consumer.poll(200)) seen.add(r.value?.toString() ?? '');
      })();
      members.push(m);
      return m;
    };
    const stopMember = async (m: Member): Promise<void> => {
      m.stop = true;
      await m.done;
      await m.consumer.close();
    };
    const holders = (): string[] => [...new Set(owner.values())].sort();
    const settled = async (what: string, names: string[]): Promise<void> => {
      await waitFor(
        what,
        async () =>
          seen.size === produced && owner.size === partitions && holders().join() === names.join() ? true : undefined,
        45_000,
        100,
      );
    };

    await produce();
    const b = [start('a'), start('b'), start('c')][1]!;
    await settled('three members consume everything', ['a', 'b', 'c']);
    if (protocol === 'consumer') {
      const d = (await consumerGroupDescribe(client, groupId))!;
      assert.equal(d.errorCode, 0);
      assert.equal(d.members.length, 3);
      assert.equal(d.assignorName, 'uniform');
      assert.ok(['Stable', 'Reconciling'].includes(d.groupState), d.groupState);
    }
    // What `raftka consumer-groups --describe` reads, for either kind of group.
    const [both] = await describeGroupsOfBothKinds(client, [groupId]);
    assert.equal(both!.members.length, 3);
    assert.equal(
      both!.members.reduce(
        (n, m) => n + decodeAssignment(m.assignment).assignedPartitions.flatMap((t) => t.partitions).length,
        0,
      ),
      partitions,
    );
    await stopMember(b);
    await produce();
    await settled('two members take over the leaver’s partitions', ['a', 'c']);
    start('d');
    await produce();
    await settled('a joining member gets partitions', ['a', 'c', 'd']);
    for (const m of members.filter((x) => !x.stop)) await stopMember(m);
    assert.deepEqual(violations, []);
    assert.equal(seen.size, 3 * perPhase);
    const committed = await offsetFetch(client, groupId, [{ topic, partitions: [0, 1, 2, 3, 4, 5] }]);
    assert.equal(
      committed.reduce((n, c) => n + c.offset, 0),
      3 * perPhase,
      'every partition committed up to its end',
    );
  } finally {
    for (const m of members) {
      m.stop = true;
      await m.done.catch(() => undefined);
      await m.consumer.close().catch(() => undefined);
    }
    client.close();
  }
}

test('one consumer group scenario with group.protocol=consumer (KIP-848) and with the classic protocol', {
  timeout: 240_000,
}, async (t) => {
  const f = await ClusterFixture.combined({
    nodes: 3,
    extra: { 'group.initial.rebalance.delay.ms': '0', 'group.consumer.heartbeat.interval.ms': '500' },
  });
  t.after(() => f.destroy());
  await f.up();
  await t.test('group.protocol=consumer', () => scenario(f, 'consumer'));
  await t.test('group.protocol=classic', () => scenario(f, 'classic'));
});
