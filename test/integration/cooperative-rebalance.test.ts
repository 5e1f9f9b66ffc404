// Incremental cooperative rebalancing (KIP-429) of the classic group protocol on one combined node:
// raftka's own consumers with partition.assignment.strategy=cooperative-sticky share a 6-partition
// topic and a third joins later; the members that keep partitions never see them revoked (their
// own onPartitionsRevoked callbacks say so), only the moving ones are revoked, no partition ever
// has two owners at once, every record is read exactly once. Then a real client, kcat (librdkafka
// 2.0.2) with cooperative-sticky, joins a group beside raftka's consumer, which gives it half its
// partitions without revoking the rest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { ClusterFixture, waitFor } from '../../src/testing/cluster-fixture.js';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { GroupConsumer, type TopicPartition } from '../../src/client/group-consumer.js';
import { Producer } from '../../src/client/producer.js';
import { describeGroups } from '../../src/client/group-client.js';
import { decodeAssignment } from '../../src/protocol/consumer-protocol.js';
import { startKcat, stopKcat } from '../../src/testing/kcat.js';

const partitions = 6;
/** How long every onPartitionsRevoked takes. */
const slowRevokeMs = 300;

interface Member {
  readonly name: string;
  readonly consumer: GroupConsumer;
  /** Every onPartitionsRevoked call, in order. */
  readonly revoked: number[][];
  stop: boolean;
  done: Promise<void>;
}

/** Members of one group in this process, with the ownership their callbacks report. */
class Group {
  readonly members: Member[] = [];
  readonly owner = new Map<number, string>();
  readonly violations: string[] = [];
  /** value → how many times any member read it. */
  readonly reads = new Map<string, number>();

  constructor(
    private readonly bootstrap: { host: string; port: number }[],
    private readonly groupId: string,
    private readonly topic: string,
  ) {}

  start(name: string): Member {
    const tp = (list: readonly TopicPartition[]) => list.map((p) => p.partition);
    const m: Member = {
      name,
      revoked: [],
      stop: false,
      done: Promise.resolve(),
      consumer: new GroupConsumer(this.bootstrap, {
        groupId: this.groupId,
        topics: [this.topic],
        clientId: name,
        assignors: ['cooperative-sticky'],
        autoOffsetReset: 'earliest',
        autoCommitIntervalMs: 300,
        sessionTimeoutMs: 10_000,
        heartbeatIntervalMs: 300,
        rebalanceTimeoutMs: 10_000,
        onPartitionsAssigned: (list) => {
          for (const p of tp(list)) {
            const held = this.owner.get(p);
            if (held !== undefined) this.violations.push(`${name} got ${p} while ${held} holds it`);
            this.owner.set(p, name);
          }
        },
        onPartitionsRevoked: async (list) => {
          m.revoked.push(tp(list));
          // An application that takes a while to let go (flushing its state, say): ownership ends
          // when the callback returns, and the next owner must not start before that.
          await new Promise((r) => setTimeout(r, slowRevokeMs));
          for (const p of tp(list)) {
            if (this.owner.get(p) !== name)
              this.violations.push(`${name} gave back ${p}, held by ${this.owner.get(p)}`);
            else this.owner.delete(p);
          }
        },
      }),
    };
    m.done = (async () => {
      while (!m.stop)
        for (const r of await m.consumer.poll(200)) {
          const v = r.value?.toString() ?? '';
          this.reads.set(v, (this.reads.get(v) ?? 0) + 1);
        }
    })();
    this.members.push(m);
    return m;
  }

  held(name: string): number[] {
    return [...this.owner].filter(([, n]) => n === name).map(([p]) => p);
  }

  async stopAll(): Promise<void> {
    for (const m of this.members) {
      m.stop = true;
      await m.done.catch(() => undefined);
      await m.consumer.close().catch(() => undefined);
    }
  }
}

test('cooperative-sticky: raftka consumers and kcat rebalance incrementally', { timeout: 90_000 }, async (t) => {
  const f = await ClusterFixture.combined({ nodes: 1, extra: { 'group.initial.rebalance.delay.ms': '0' } });
  t.after(() => f.destroy());
  await f.up();
  const bootstrap = [{ host: '127.0.0.1', port: f.brokerPorts[0]! }];
  const client = new KafkaClient(bootstrap, { clientId: 'coop-test' });
  t.after(() => client.close());
  let produced = 0;
  const produceTo = async (topic: string, n: number): Promise<void> => {
    const producer = new Producer(client, topic, { acks: -1, batchRecordsMax: 10, compression: 0 });
    for (let i = 0; i < n; i++, produced++) await producer.send(null, Buffer.from(`v-${produced}`));
    await producer.flush();
  };

  await t.test('three raftka consumers, one joining later: only moving partitions are revoked', async () => {
    const topic = 'coop';
    await client.createTopic(topic, partitions, 1);
    const g = new Group(bootstrap, 'coop-group', topic);
    try {
      await produceTo(topic, 60);
      const settled = async (what: string, sizes: number[], total: number): Promise<void> => {
        await waitFor(
          what,
          async () => {
            const s = g.members.map((m) => g.held(m.name).length);
            return g.reads.size === total && s.join() === sizes.join() ? true : undefined;
          },
          30_000,
          100,
        );
      };
      const a = g.start('a');
      const b = g.start('b');
      await settled('a and b hold three partitions each and read everything', [3, 3], 60);
      const before = { a: g.held('a'), b: g.held('b') };
      const revokedBefore = { a: a.revoked.length, b: b.revoked.length };
      g.start('c');
      await produceTo(topic, 60);
      await settled('a, b and c hold two partitions each and read everything', [2, 2, 2], 120);
      for (const m of [a, b]) {
        const since = m.revoked.slice(revokedBefore[m.name as 'a' | 'b']);
        const kept = g.held(m.name);
        assert.equal(since.flat().length, 1, `${m.name} gave back exactly one partition: ${JSON.stringify(since)}`);
        assert.ok(
          kept.every((p) => before[m.name as 'a' | 'b'].includes(p)),
          `${m.name} kept its own partitions ${kept}`,
        );
        assert.ok(!since.flat().some((p) => kept.includes(p)), `${m.name} never saw a kept partition revoked`);
      }
      assert.deepEqual(g.violations, []);
      assert.deepEqual(
        [...g.reads.values()].filter((n) => n !== 1),
        [],
        'every record read exactly once (commits before each revocation)',
      );
    } finally {
      await g.stopAll();
    }
    assert.deepEqual(g.violations, []);
  });

  await t.test('kcat with cooperative-sticky joins a group beside a raftka consumer', async () => {
    const topic = 'coop-kcat';
    const groupId = 'coop-kcat-group';
    await client.createTopic(topic, partitions, 1);
    const g = new Group(bootstrap, groupId, topic);
    let kcat: ChildProcess | null = null;
    const lines: string[] = [];
    try {
      const start = produced;
      await produceTo(topic, 60);
      const r = g.start('r');
      await waitFor(
        'the raftka consumer holds all six',
        async () => (g.held('r').length === 6 ? true : undefined),
        30_000,
        100,
      );
      kcat = startKcat(
        [
          '-b',
          `127.0.0.1:${f.brokerPorts[0]}`,
          '-G',
          groupId,
          '-o',
          'beginning',
          '-u',
          '-f',
          '%p %s\\n',
          '-X',
          'partition.assignment.strategy=cooperative-sticky',
          '-X',
          'session.timeout.ms=10000',
          '-X',
          'heartbeat.interval.ms=300',
          topic,
        ],
        lines,
      );
      const kcatPartitions = await waitFor(
        'kcat and the raftka consumer hold three partitions each',
        async () => {
          const [d] = await describeGroups(client, [groupId]).catch(() => []);
          if (d?.state !== 'Stable' || d.members.length !== 2 || g.held('r').length !== 3) return undefined;
          const other = d.members.find((m) => m.clientId !== 'r');
          const ps = decodeAssignment(other?.assignment ?? Buffer.alloc(0)).assignedPartitions.flatMap(
            (x) => x.partitions,
          );
          return ps.length === 3 ? ps.sort((x, y) => x - y) : undefined;
        },
        45_000,
        200,
      );
      assert.equal(d0(g.held('r'), kcatPartitions), 6, 'the two hold disjoint halves');
      // The raftka consumer gave back exactly what kcat now holds, and nothing it kept.
      assert.deepEqual(
        r.revoked.flat().sort((x, y) => x - y),
        kcatPartitions,
      );
      await produceTo(topic, 60);
      const values = new Set<string>();
      await waitFor(
        'every record read by one of the two',
        async () => {
          for (const v of g.reads.keys()) values.add(v);
          for (const l of lines) values.add(l.slice(l.indexOf(' ') + 1));
          const want = Array.from({ length: 120 }, (_, i) => `v-${start + i}`);
          return want.every((v) => values.has(v)) ? true : undefined;
        },
        30_000,
        200,
      );
      const kcatRead = new Set(lines.map((l) => Number(l.split(' ')[0])));
      assert.ok(
        [...kcatRead].every((p) => kcatPartitions.includes(p)),
        'kcat read only its own partitions',
      );
      assert.deepEqual(g.violations, []);
    } finally {
      if (kcat) await stopKcat(kcat);
      await g.stopAll();
    }
  });
});

/** How many distinct partitions two lists cover together (6 when they are disjoint halves). */
function d0(a: readonly number[], b: readonly number[]): number {
  return new Set([...a, ...b]).size;
}
