import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../src/common/errors.js';
import { MetadataLoader } from '../../src/metadata/loader.js';
import type { MetadataImage } from '../../src/metadata/image.js';
import {
  createPartitions,
  createTopics,
  deleteTopics,
  electPreferredLeaders,
  moveAwayFrom,
  type CreatableTopic,
} from '../../src/controller/replication-control.js';
import { placeReplicas, rackAlternatingOrder } from '../../src/controller/replica-placer.js';

function clusterImage(brokers: { id: number; rack?: string; fenced?: boolean }[]): MetadataLoader {
  const loader = new MetadataLoader();
  loader.replayAll(
    brokers.map((b) => ({
      type: 'registerBroker' as const,
      brokerId: b.id,
      incarnationId: Buffer.alloc(16, b.id).toString('base64url'),
      brokerEpoch: 10 + b.id,
      endpoints: [],
      rack: b.rack ?? null,
      fenced: b.fenced ?? false,
      inControlledShutdown: false,
    })),
  );
  return loader;
}

let idCounter = 0;
const ctx = (validateOnly = false) => ({
  defaultPartitions: 1,
  defaultReplicationFactor: 1,
  validateOnly,
  newTopicId: () => {
    const b = Buffer.alloc(16);
    b.writeUInt32BE(++idCounter);
    return b.toString('base64url');
  },
});

const topic = (
  name: string,
  numPartitions = 6,
  replicationFactor = 3,
  configs: Record<string, string> = {},
): CreatableTopic => ({
  name,
  numPartitions,
  replicationFactor,
  assignments: [],
  configs: new Map(Object.entries(configs)),
});

function create(loader: MetadataLoader, topics: CreatableTopic[], validateOnly = false) {
  const r = createTopics(loader.image, topics, ctx(validateOnly));
  loader.replayAll(r.records);
  return r;
}

test('200 topics × 6 partitions RF 3 on 3 brokers: leaders and replicas spread within ±1', () => {
  const loader = clusterImage([{ id: 1 }, { id: 2 }, { id: 3 }]);
  for (let i = 0; i < 200; i++) assert.equal(create(loader, [topic(`t${i}`)]).results[0]!.errorCode, ErrorCode.NONE);
  const leaders = new Map<number, number>();
  const replicas = new Map<number, number>();
  for (const t of loader.image.topicsById.values()) {
    for (const p of t.partitions.values()) {
      leaders.set(p.leader, (leaders.get(p.leader) ?? 0) + 1);
      for (const r of p.replicas) replicas.set(r, (replicas.get(r) ?? 0) + 1);
      assert.equal(new Set(p.replicas).size, 3);
      assert.deepEqual(p.isr, p.replicas);
    }
  }
  assert.ok(Math.max(...leaders.values()) - Math.min(...leaders.values()) <= 1, JSON.stringify([...leaders]));
  assert.ok(Math.max(...replicas.values()) - Math.min(...replicas.values()) <= 1, JSON.stringify([...replicas]));
});

test('uneven counts still balance leaders across topics (7 partitions on 5 brokers, RF 2)', () => {
  const loader = clusterImage([1, 2, 3, 4, 5].map((id) => ({ id })));
  for (let i = 0; i < 30; i++) create(loader, [topic(`u${i}`, 7, 2)]);
  const leaders = new Map<number, number>();
  for (const t of loader.image.topicsById.values())
    for (const p of t.partitions.values()) leaders.set(p.leader, (leaders.get(p.leader) ?? 0) + 1);
  assert.ok(Math.max(...leaders.values()) - Math.min(...leaders.values()) <= 1, JSON.stringify([...leaders]));
});

test('rack-aware: with 3 racks and RF 3, every partition has a replica in each rack', () => {
  const brokers = [1, 2, 3, 4, 5, 6].map((id) => ({ id, rack: `r${id % 3}` }));
  assert.deepEqual(rackAlternatingOrder(brokers), [3, 1, 2, 6, 4, 5]);
  for (const replicas of placeReplicas(brokers, 60, 3, 0)) {
    assert.equal(new Set(replicas.map((id) => id % 3)).size, 3, JSON.stringify(replicas));
  }
});

test("CreateTopics errors carry Kafka's codes and write nothing for the failed topic", () => {
  const loader = clusterImage([{ id: 1 }, { id: 2 }, { id: 3, fenced: true }]);
  create(loader, [topic('exists', 1, 1), topic('my.topic', 1, 1)]);
  const cases: [CreatableTopic, number][] = [
    [topic('bad name'), ErrorCode.INVALID_TOPIC_EXCEPTION],
    [topic('exists', 1, 1), ErrorCode.TOPIC_ALREADY_EXISTS],
    [topic('my_topic', 1, 1), ErrorCode.INVALID_TOPIC_EXCEPTION], // collides with my.topic
    [topic('zero', 0, 1), ErrorCode.INVALID_PARTITIONS],
    [topic('rf0', 1, 0), ErrorCode.INVALID_REPLICATION_FACTOR],
    [topic('rf3', 1, 3), ErrorCode.INVALID_REPLICATION_FACTOR], // broker 3 is fenced: 2 usable
    [topic('cfg', 1, 1, { 'no.such.config': '1' }), ErrorCode.INVALID_CONFIG],
    [topic('cfg2', 1, 1, { 'retention.ms': 'soon' }), ErrorCode.INVALID_CONFIG],
    [
      { ...topic('manual'), assignments: [{ partitionIndex: 0, brokerIds: [1, 9] }] },
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
    ],
    [
      { ...topic('manual2'), assignments: [{ partitionIndex: 0, brokerIds: [1, 1] }] },
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
    ],
    [
      { ...topic('manual3'), assignments: [{ partitionIndex: 1, brokerIds: [1] }] },
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
    ],
  ];
  for (const [t, code] of cases) {
    const before = loader.image;
    const r = createTopics(before, [t], ctx());
    assert.equal(r.results[0]!.errorCode, code, t.name);
    assert.ok(r.results[0]!.errorMessage, t.name);
    assert.equal(r.records.length, 0, `${t.name} writes nothing`);
  }
  const dup = createTopics(loader.image, [topic('twice', 1, 1), topic('twice', 1, 1)], ctx());
  assert.deepEqual(
    dup.results.map((r) => r.errorCode),
    [ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST],
  );
  // One bad topic does not stop a good one in the same request.
  const mixed = create(loader, [
    topic('good', 2, 2, { 'cleanup.policy': 'compact', 'min.insync.replicas': '2' }),
    topic('bad name'),
  ]);
  assert.deepEqual(
    mixed.results.map((r) => r.errorCode),
    [ErrorCode.NONE, ErrorCode.INVALID_TOPIC_EXCEPTION],
  );
  assert.equal(loader.image.topicsByName.get('good')?.partitions.size, 2);
  assert.equal(loader.image.configs.get('2:good')?.get('cleanup.policy'), 'compact');
});

test('validate-only answers like a real create but writes nothing; -1 takes the defaults', () => {
  const loader = clusterImage([{ id: 1 }]);
  const r = createTopics(loader.image, [topic('dry', -1, -1)], ctx(true));
  assert.equal(r.results[0]!.errorCode, ErrorCode.NONE);
  assert.equal(r.results[0]!.numPartitions, 1);
  assert.equal(r.results[0]!.replicationFactor, 1);
  assert.equal(r.records.length, 0);
});

test('DeleteTopics and CreatePartitions', () => {
  const loader = clusterImage([{ id: 1 }, { id: 2 }]);
  create(loader, [topic('a', 2, 2), topic('b', 1, 1)]);
  const grow = createPartitions(
    loader.image,
    [
      { name: 'a', count: 5 },
      { name: 'a2', count: 3 },
      { name: 'b', count: 1 },
    ],
    false,
  );
  assert.deepEqual(
    grow.results.map((r) => r.errorCode),
    [ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.INVALID_PARTITIONS],
  );
  loader.replayAll(grow.records);
  const a = loader.image.topicsByName.get('a')!;
  assert.equal(a.partitions.size, 5);
  assert.ok([...a.partitions.values()].every((p) => p.replicas.length === 2));
  const del = deleteTopics(
    loader.image,
    [
      { name: 'a', topicId: null },
      { name: 'nope', topicId: null },
      { name: null, topicId: 'ZmZmZmZmZmZmZmZmZmZmZg' },
    ],
    true,
  );
  assert.deepEqual(
    del.results.map((r) => r.errorCode),
    [ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.UNKNOWN_TOPIC_ID],
  );
  loader.replayAll(del.records);
  assert.equal(loader.image.topicsByName.has('a'), false);
  assert.equal(
    deleteTopics(loader.image, [{ name: 'b', topicId: null }], false).results[0]!.errorCode,
    ErrorCode.TOPIC_DELETION_DISABLED,
  );
});

test('CreateTopics and CreatePartitions with manual replica assignments place exactly those replicas', () => {
  const loader = clusterImage([{ id: 1 }, { id: 2 }, { id: 3 }]);
  const manual = create(loader, [
    {
      ...topic('placed', -1, -1),
      assignments: [
        { partitionIndex: 1, brokerIds: [3, 1] },
        { partitionIndex: 0, brokerIds: [2, 3] },
      ],
    },
  ]);
  assert.deepEqual(
    manual.results.map((r) => [r.errorCode, r.numPartitions, r.replicationFactor]),
    [[ErrorCode.NONE, 2, 2]],
  );
  const placed = loader.image.topicsByName.get('placed')!;
  assert.deepEqual(
    [...placed.partitions.entries()].map(([p, r]) => [p, r.replicas, r.leader]),
    [
      [0, [2, 3], 2],
      [1, [3, 1], 3],
    ],
  );
  const grow = (assignments: number[][], count = 4) =>
    createPartitions(loader.image, [{ name: 'placed', count, assignments }], false);
  const refused: [number[][], RegExp][] = [
    [[[1, 2]], /add 2 additional partition\(s\), but only 1 assignment/],
    [[[1, 2], [1]], /1 replica\(s\), but this is not consistent with previous partitions, which have 2/],
    [
      [
        [1, 2],
        [2, 2],
      ],
      /lists a broker twice/,
    ],
    [
      [
        [1, 2],
        [2, 7],
      ],
      /broker 7 is not registered/,
    ],
  ];
  for (const [assignments, message] of refused) {
    const r = grow(assignments);
    assert.equal(r.results[0]!.errorCode, ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    assert.match(r.results[0]!.errorMessage ?? '', message);
    assert.equal(r.records.length, 0);
  }
  const ok = grow([
    [1, 2],
    [3, 2],
  ]);
  assert.equal(ok.results[0]!.errorCode, ErrorCode.NONE);
  loader.replayAll(ok.records);
  assert.deepEqual(
    [...loader.image.topicsByName.get('placed')!.partitions.values()].map((p) => p.replicas),
    [
      [2, 3],
      [3, 1],
      [1, 2],
      [3, 2],
    ],
  );
});

test('moving leadership away from a fenced broker: next ISR member leads; none left → offline unless unclean', () => {
  const loader = clusterImage([{ id: 1 }, { id: 2 }, { id: 3 }]);
  const topicId = 'AAAAAAAAAAAAAAAAAAAAAQ';
  loader.replayAll([
    { type: 'topic', name: 't', topicId },
    {
      type: 'partition',
      topicId,
      partitionId: 0,
      replicas: [1, 2, 3],
      isr: [1, 2],
      removingReplicas: [],
      addingReplicas: [],
      leader: 1,
      leaderEpoch: 0,
      partitionEpoch: 0,
    },
    {
      type: 'partition',
      topicId,
      partitionId: 1,
      replicas: [1, 3],
      isr: [1],
      removingReplicas: [],
      addingReplicas: [],
      leader: 1,
      leaderEpoch: 0,
      partitionEpoch: 0,
    },
    {
      type: 'partition',
      topicId,
      partitionId: 2,
      replicas: [2, 1],
      isr: [2, 1],
      removingReplicas: [],
      addingReplicas: [],
      leader: 2,
      leaderEpoch: 0,
      partitionEpoch: 0,
    },
    { type: 'fenceBroker', brokerId: 1, brokerEpoch: 11 },
  ]);
  const image: MetadataImage = loader.image;
  const clean = new MetadataLoader(image);
  clean.replayAll(moveAwayFrom(image, 1, () => false));
  const p = (l: MetadataLoader, i: number) => l.image.topicsById.get(topicId)!.partitions.get(i)!;
  assert.deepEqual([p(clean, 0).leader, p(clean, 0).isr, p(clean, 0).leaderEpoch], [2, [2], 1]);
  assert.deepEqual([p(clean, 1).leader, p(clean, 1).isr], [-1, [1]]);
  assert.deepEqual([p(clean, 2).leader, p(clean, 2).isr, p(clean, 2).leaderEpoch], [2, [2], 0]);
  const unclean = new MetadataLoader(image);
  unclean.replayAll(moveAwayFrom(image, 1, () => true));
  assert.deepEqual([p(unclean, 1).leader, p(unclean, 1).isr], [3, [3]]);
});

test('preferred-leader election gives leadership back to the first replica when it can lead', () => {
  const loader = clusterImage([{ id: 1 }, { id: 2 }, { id: 3, fenced: true }]);
  const topicId = 'AAAAAAAAAAAAAAAAAAAAAg';
  const part = (partitionId: number, replicas: number[], isr: number[], leader: number) => ({
    type: 'partition' as const,
    topicId,
    partitionId,
    replicas,
    isr,
    removingReplicas: [],
    addingReplicas: [],
    leader,
    leaderEpoch: 0,
    partitionEpoch: 0,
  });
  loader.replayAll([
    { type: 'topic', name: 'p', topicId },
    part(0, [1, 2], [1, 2], 2), // preferred 1 in ISR: moves back
    part(1, [1, 2], [2], 2), // preferred not in ISR: stays
    part(2, [3, 2], [3, 2], 2), // preferred fenced: stays
    part(3, [2, 1], [2, 1], 2), // already preferred
  ]);
  const records = electPreferredLeaders(loader.image, 10);
  assert.equal(records.length, 1);
  loader.replayAll(records);
  assert.equal(loader.image.topicsById.get(topicId)!.partitions.get(0)!.leader, 1);
  assert.equal(electPreferredLeaders(loader.image, 10).length, 0);
});
