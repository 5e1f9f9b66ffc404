// The group client and GroupConsumer over real sockets against a fake one-node broker
// (test/client/fake-broker.ts): coordinator lookup retries, MEMBER_ID_REQUIRED, leader
// assignment, rebalancing when a second member joins and leaves, commits (explicit, auto, before
// revocation, on close), static membership, cooperative-sticky rebalancing (KIP-429) and the
// admin calls the CLI uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../src/common/errors.js';
import {
  deleteGroups,
  describeGroups,
  findCoordinator,
  listGroups,
  offsetCommit,
  offsetFetch,
  withCoordinatorRetries,
} from '../../src/client/group-client.js';
import { GroupConsumer, type GroupConsumerOptions, type TopicPartition } from '../../src/client/group-consumer.js';
import { KafkaClient, KafkaRequestError } from '../../src/client/kafka-client.js';
import type { ConsumedRecord } from '../../src/client/consumer.js';
import { FakeBroker } from './fake-broker.js';

const fast: Partial<GroupConsumerOptions> = {
  sessionTimeoutMs: 3000,
  heartbeatIntervalMs: 30,
  rebalanceTimeoutMs: 3000,
  autoOffsetReset: 'earliest',
};

function consumer(b: FakeBroker, groupId: string, extra: Partial<GroupConsumerOptions> = {}): GroupConsumer {
  return new GroupConsumer(b.bootstrap, { groupId, topics: ['orders'], ...fast, ...extra });
}

const values = (rs: readonly ConsumedRecord[]): string[] => rs.map((r) => r.value!.toString());
const names = (tps: readonly TopicPartition[]): string[] => tps.map((t) => `${t.topic}-${t.partition}`);

/** Polls until `done` or the time is up; returns every record polled. */
async function pollUntil(c: GroupConsumer, done: () => boolean, ms = 5000): Promise<ConsumedRecord[]> {
  const out: ConsumedRecord[] = [];
  const until = Date.now() + ms;
  while (!done()) {
    if (Date.now() > until) throw new Error('timed out polling');
    out.push(...(await c.poll(50)));
  }
  return out;
}

test('findCoordinator retries while the coordinator is not available, then caches it', async () => {
  const b = await FakeBroker.start({ orders: 1 });
  const client = new KafkaClient(b.bootstrap);
  try {
    b.coordinatorUnavailableAnswers = 3;
    assert.deepEqual(await findCoordinator(client, 'g'), { nodeId: 1, host: '127.0.0.1', port: b.port });
    assert.equal(b.count('FindCoordinator'), 4);
    await findCoordinator(client, 'g');
    assert.equal(b.count('FindCoordinator'), 4, 'cached');
    assert.ok(
      b.requests.filter((r) => r.api === 'FindCoordinator').every((r) => r.version === 6),
      'v6 (batched keys) is used when the broker speaks it',
    );
  } finally {
    client.close();
    await b.close();
  }
});

test('one member: joins with the id MEMBER_ID_REQUIRED gave, takes every partition, reads from the start and commits what poll returned', async () => {
  const b = await FakeBroker.start({ orders: 3 });
  b.append('orders', 0, ['a0', 'a1']);
  b.append('orders', 2, ['c0']);
  const c = consumer(b, 'g1', { autoCommit: false });
  try {
    await c.subscribe();
    assert.match(c.memberId, /^raftka-consumer-\d+$/);
    assert.equal(c.generationId, 1);
    assert.ok(c.isLeader);
    assert.deepEqual(names(c.assignment()), ['orders-0', 'orders-1', 'orders-2']);
    const joins = b.requests.filter((r) => r.api === 'JoinGroup');
    assert.deepEqual(
      joins.map((r) => r.body['memberId']),
      ['', c.memberId],
    );
    assert.deepEqual(
      joins.map((r) => (r.body['protocols'] as { name: string }[]).map((p) => p.name)),
      [
        ['range', 'roundrobin'],
        ['range', 'roundrobin'],
      ],
    );
    const got = await pollUntil(c, () => c.position('orders', 0) === 2 && c.position('orders', 2) === 1);
    assert.deepEqual(values(got).sort(), ['a0', 'a1', 'c0']);
    await c.commit();
    assert.equal(b.committed('g1', 'orders', 0), 2);
    assert.equal(b.committed('g1', 'orders', 1), 0);
    assert.equal(b.committed('g1', 'orders', 2), 1);
    const commit = b.requests.find((r) => r.api === 'OffsetCommit')!;
    assert.equal(commit.body['generationIdOrMemberEpoch'], 1);
    assert.equal(commit.body['memberId'], c.memberId);
  } finally {
    await c.close();
    await b.close();
  }
  assert.equal(b.count('LeaveGroup'), 1, 'a dynamic member leaves on close');
  assert.equal(b.groups.get('g1')!.state, 'Empty');
});

test('read_committed: starts from stable offsets (requireStable, UNSTABLE_OFFSET_COMMIT asked again); groupMetadata() names the member', async () => {
  const b = await FakeBroker.start({ orders: 1 });
  b.append('orders', 0, ['a0', 'a1', 'a2']);
  const admin = new KafkaClient(b.bootstrap);
  const c = consumer(b, 'g-stable', { autoCommit: false, isolationLevel: 'read_committed' });
  try {
    await offsetCommit(admin, {
      groupId: 'g-stable',
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      offsets: [{ topic: 'orders', partition: 0, offset: 2 }],
    });
    assert.deepEqual(c.groupMetadata(), { groupId: 'g-stable', generationId: -1, memberId: '', groupInstanceId: null });
    b.unstableOffsetAnswers = 3;
    await c.subscribe();
    assert.equal(c.position('orders', 0), 2, 'the committed offset once it is stable, not the reset offset');
    const fetches = b.requests.filter((r) => r.api === 'OffsetFetch');
    assert.equal(fetches.length, 4, 'three unstable answers, then the offset');
    assert.ok(fetches.every((r) => r.body['requireStable'] === true));
    assert.deepEqual(c.groupMetadata(), {
      groupId: 'g-stable',
      generationId: c.generationId,
      memberId: c.memberId,
      groupInstanceId: null,
    });
    assert.ok(c.generationId >= 1 && c.memberId !== '');
    const got = await pollUntil(c, () => c.position('orders', 0) === 3);
    assert.deepEqual(values(got), ['a2']);
  } finally {
    admin.close();
    await c.close();
    await b.close();
  }
});

test('a second member makes the first rejoin; range splits the partitions; leaving hands them back from the committed offsets', async () => {
  const b = await FakeBroker.start({ orders: 3 });
  for (let p = 0; p < 3; p++) b.append('orders', p, [`p${p}-0`, `p${p}-1`]);
  const revoked: string[][] = [];
  const a = consumer(b, 'g2', { clientId: 'a', onPartitionsRevoked: (tps) => void revoked.push(names(tps)) });
  const second = consumer(b, 'g2', { clientId: 'b' });
  try {
    await a.subscribe();
    const first = await pollUntil(a, () => [0, 1, 2].every((p) => a.position('orders', p) === 2));
    assert.equal(first.length, 6);
    // `second` joins; `a` notices through its heartbeat and rejoins inside poll().
    const joining = second.subscribe();
    let joined = false;
    void joining.then(() => (joined = true));
    await pollUntil(a, () => joined && a.generationId === second.generationId);
    await joining;
    assert.equal(a.generationId, 2);
    assert.deepEqual(revoked, [['orders-0', 'orders-1', 'orders-2']]);
    // Auto-commit commits the positions before giving the partitions up.
    assert.deepEqual(
      [0, 1, 2].map((p) => b.committed('g2', 'orders', p)),
      [2, 2, 2],
    );
    const owned = [...names(a.assignment()), ...names(second.assignment())].sort();
    assert.deepEqual(owned, ['orders-0', 'orders-1', 'orders-2']);
    assert.deepEqual([a.assignment().length, second.assignment().length].sort(), [1, 2]);
    // Nothing is read twice: both start from the committed offsets.
    b.append('orders', 0, ['p0-2']);
    b.append('orders', 1, ['p1-2']);
    b.append('orders', 2, ['p2-2']);
    const seen = [...(await second.poll(50)), ...(await a.poll(50)), ...(await second.poll(50)), ...(await a.poll(50))];
    assert.deepEqual(values(seen).sort(), ['p0-2', 'p1-2', 'p2-2']);
    // `second` closes: it commits and leaves; `a` takes everything back and continues after its commits.
    await second.close();
    b.append('orders', 1, ['p1-3']);
    const after = await pollUntil(a, () => a.assignment().length === 3 && a.position('orders', 1) === 4);
    assert.equal(a.generationId, 3);
    assert.deepEqual(values(after), ['p1-3']);
  } finally {
    await second.close();
    await a.close();
    await b.close();
  }
});

test('roundrobin when asked; a static member does not leave on close and keeps its member id across restarts', async () => {
  const b = await FakeBroker.start({ orders: 2 });
  const c = consumer(b, 'g3', { groupInstanceId: 'host-1', assignors: ['roundrobin'] });
  try {
    await c.subscribe();
    assert.equal(b.groups.get('g3')!.protocol, 'roundrobin');
    const join = b.requests.find((r) => r.api === 'JoinGroup')!;
    assert.equal(join.body['groupInstanceId'], 'host-1');
    assert.equal(b.count('JoinGroup'), 1, 'a static member gets its id without MEMBER_ID_REQUIRED');
  } finally {
    await c.close();
  }
  assert.equal(b.count('LeaveGroup'), 0);
  assert.equal(b.groups.get('g3')!.members.size, 1, 'still a member until its session times out');
  await b.close();
});

test('a member that lost its membership rejoins with a fresh id (UNKNOWN_MEMBER_ID)', async () => {
  const b = await FakeBroker.start({ orders: 1 });
  const c = consumer(b, 'g4');
  try {
    await c.subscribe();
    const before = c.memberId;
    // The coordinator forgets the member (as after a session timeout).
    b.groups.get('g4')!.leave([before]);
    await pollUntil(c, () => c.memberId !== before && c.memberId !== '' && c.assignment().length === 1);
    assert.notEqual(c.memberId, before);
    const joins = b.requests.filter((r) => r.api === 'JoinGroup').map((r) => r.body['memberId']);
    assert.deepEqual(joins.slice(-2), ['', c.memberId]);
  } finally {
    await c.close();
    await b.close();
  }
});

test('cooperative-sticky: a second member takes one partition; the first revokes only it (committed first) and keeps reading the rest', async () => {
  const b = await FakeBroker.start({ orders: 3 });
  for (let p = 0; p < 3; p++) b.append('orders', p, [`p${p}-0`, `p${p}-1`]);
  const revoked: string[][] = [];
  const coop: Partial<GroupConsumerOptions> = { assignors: ['cooperative-sticky'] };
  const a = consumer(b, 'gc', { ...coop, clientId: 'a', onPartitionsRevoked: (tps) => void revoked.push(names(tps)) });
  const second = consumer(b, 'gc', { ...coop, clientId: 'b' });
  try {
    await a.subscribe();
    assert.equal(b.groups.get('gc')!.protocol, 'cooperative-sticky');
    const first = await pollUntil(a, () => [0, 1, 2].every((p) => a.position('orders', p) === 2));
    assert.equal(first.length, 6);
    const split = () => a.assignment().length === 2 && second.assignment().length === 1;
    const both = await Promise.all([pollUntil(a, split), pollUntil(second, split)]);
    assert.deepEqual(both.flat(), [], 'nothing read twice while the partition moved');
    const moved = names(second.assignment());
    assert.deepEqual(revoked, [moved], 'the first member revoked only the partition that moved');
    assert.equal(b.committed('gc', 'orders', second.assignment()[0]!.partition), 2, 'committed before revoking');
    for (const tp of a.assignment()) assert.equal(a.position(tp.topic, tp.partition), 2, 'kept positions');
    for (let p = 0; p < 3; p++) b.append('orders', p, [`p${p}-2`]);
    const seen = [...(await a.poll(50)), ...(await second.poll(50)), ...(await a.poll(50)), ...(await second.poll(50))];
    assert.deepEqual(values(seen).sort(), ['p0-2', 'p1-2', 'p2-2']);
  } finally {
    await second.close();
    await a.close();
    await b.close();
  }
});

test('cooperative-sticky: a member that lost its membership gives everything back uncommitted, then rejoins', async () => {
  const b = await FakeBroker.start({ orders: 1 });
  b.append('orders', 0, ['x', 'y']);
  const revoked: string[][] = [];
  const c = consumer(b, 'gl', {
    assignors: ['cooperative-sticky'],
    autoCommitIntervalMs: 600_000,
    onPartitionsRevoked: (tps) => void revoked.push(names(tps)),
  });
  try {
    await c.subscribe();
    await pollUntil(c, () => c.position('orders', 0) === 2);
    const before = c.memberId;
    b.groups.get('gl')!.leave([before]);
    await pollUntil(c, () => c.memberId !== before && c.memberId !== '' && c.assignment().length === 1);
    assert.deepEqual(revoked, [['orders-0']]);
    assert.equal(b.committed('gl', 'orders', 0), undefined, 'a lost partition is not committed');
  } finally {
    await c.close();
    await b.close();
  }
});

test('upgrade path: cooperative-sticky listed with range rebalances eagerly, and the group runs the assignor all members share', async () => {
  const b = await FakeBroker.start({ orders: 2 });
  const revoked: string[][] = [];
  const a = consumer(b, 'gu', {
    assignors: ['cooperative-sticky', 'range'],
    onPartitionsRevoked: (tps) => void revoked.push(names(tps)),
  });
  const old = consumer(b, 'gu', { assignors: ['range'] });
  try {
    await a.subscribe();
    assert.equal(b.groups.get('gu')!.protocol, 'cooperative-sticky', 'alone, its first choice');
    const split = () => a.assignment().length === 1 && old.assignment().length === 1;
    await Promise.all([pollUntil(a, split), pollUntil(old, split)]);
    assert.equal(b.groups.get('gu')!.protocol, 'range', 'the protocol every member supports');
    assert.deepEqual(revoked, [['orders-0', 'orders-1']], 'eager: everything revoked before rejoining');
  } finally {
    await old.close();
    await a.close();
    await b.close();
  }
});

test('admin calls: describe, list, offsets of all partitions, an admin commit refused while members are in, delete', async () => {
  const b = await FakeBroker.start({ orders: 2 });
  const client = new KafkaClient(b.bootstrap);
  const c = consumer(b, 'g5', { autoCommit: false });
  try {
    await c.subscribe();
    const [d] = await describeGroups(client, ['g5']);
    assert.equal(d!.state, 'Stable');
    assert.equal(d!.protocol, 'range');
    assert.deepEqual(
      d!.members.map((m) => m.memberId),
      [c.memberId],
    );
    assert.deepEqual(d!.coordinator, { nodeId: 1, host: '127.0.0.1', port: b.port });
    assert.deepEqual(
      (await listGroups(client)).map((g) => [g.groupId, g.state, g.protocolType]),
      [['g5', 'Stable', 'consumer']],
    );
    await assert.rejects(
      offsetCommit(client, {
        groupId: 'g5',
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
        offsets: [{ topic: 'orders', partition: 0, offset: 1 }],
      }),
      (err: unknown) => err instanceof KafkaRequestError && err.errorCode === ErrorCode.UNKNOWN_MEMBER_ID,
    );
    assert.deepEqual(await deleteGroups(client, ['g5', 'nope']), [
      { groupId: 'g5', errorCode: ErrorCode.NON_EMPTY_GROUP },
      { groupId: 'nope', errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
    ]);
    await c.close();
    await withCoordinatorRetries(() =>
      offsetCommit(client, {
        groupId: 'g5',
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
        offsets: [{ topic: 'orders', partition: 1, offset: 0 }],
      }),
    );
    assert.deepEqual(
      (await offsetFetch(client, 'g5', null)).map((o) => [o.topic, o.partition, o.offset]),
      [['orders', 1, 0]],
    );
    assert.deepEqual(await deleteGroups(client, ['g5']), [{ groupId: 'g5', errorCode: 0 }]);
  } finally {
    await c.close();
    client.close();
    await b.close();
  }
});
