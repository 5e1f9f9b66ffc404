// The consumer embedded protocol (subscription and assignment bytes) and the range/roundrobin
// assignors: hand-written bytes per version, round trips, kafkajs' own encoder/decoder as an
// independent implementation, Kafka's documented assignment examples, and seeded random groups
// checked for "every partition exactly once, only to a subscriber, balanced".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import {
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
  rangeAssignor,
  roundRobinAssignor,
  subscriptionTopics,
  type Assignor,
  type AssignorMember,
  type GroupAssignment,
} from '../../src/protocol/consumer-protocol.js';
import { ProtocolDecodeError } from '../../src/protocol/errors.js';
import { hex, rng } from '../protocol/helpers.js';

const require = createRequire(import.meta.url);

test('a v0 subscription decodes from hand-written bytes and encodes back to them', () => {
  const bytes = hex(
    '0000', // version 0
    '00000002',
    '0001 61',
    '0002 6263', // topics ["a", "bc"]
    'ffffffff', // userData null
  );
  const s = decodeSubscription(bytes);
  assert.deepEqual(s, {
    version: 0,
    topics: ['a', 'bc'],
    userData: null,
    ownedPartitions: [],
    generationId: -1,
    rackId: null,
  });
  assert.deepEqual(encodeSubscription({ topics: ['a', 'bc'] }), bytes);
});

test('a v1 subscription carries owned partitions after the user data', () => {
  const bytes = hex(
    '0001', // version 1
    '00000001',
    '0001 61', // topics ["a"]
    '00000002',
    'cafe', // userData 2 bytes
    '00000001',
    '0001 61',
    '00000002',
    '00000000',
    '00000002', // ownedPartitions a: [0, 2]
  );
  const s = decodeSubscription(bytes);
  assert.equal(s.version, 1);
  assert.deepEqual(s.topics, ['a']);
  assert.deepEqual(s.userData, Buffer.from([0xca, 0xfe]));
  assert.deepEqual(s.ownedPartitions, [{ topic: 'a', partitions: [0, 2] }]);
  assert.equal(s.generationId, -1);
  assert.deepEqual(
    encodeSubscription(
      { topics: ['a'], userData: Buffer.from([0xca, 0xfe]), ownedPartitions: [{ topic: 'a', partitions: [0, 2] }] },
      1,
    ),
    bytes,
  );
});

test('v0 and v1 assignments decode from hand-written bytes and encode back to them', () => {
  const body = ['00000001', '0001 74', '00000002', '00000000', '00000001', 'ffffffff']; // t: [0, 1], userData null
  for (const version of [0, 1]) {
    const bytes = hex(version === 0 ? '0000' : '0001', ...body);
    assert.deepEqual(decodeAssignment(bytes), {
      version,
      assignedPartitions: [{ topic: 't', partitions: [0, 1] }],
      userData: null,
    });
    assert.deepEqual(encodeAssignment([{ topic: 't', partitions: [0, 1] }], null, version), bytes);
  }
});

test('subscriptions round-trip at versions 0 to 3, keeping only the fields of the version', () => {
  const full = {
    topics: ['orders', 'payments'],
    userData: Buffer.from('ud'),
    ownedPartitions: [{ topic: 'orders', partitions: [3, 1] }],
    generationId: 7,
    rackId: 'rack-a',
  };
  const expected = [
    { version: 0, topics: full.topics, userData: full.userData, ownedPartitions: [], generationId: -1, rackId: null },
    {
      version: 1,
      topics: full.topics,
      userData: full.userData,
      ownedPartitions: full.ownedPartitions,
      generationId: -1,
      rackId: null,
    },
    {
      version: 2,
      topics: full.topics,
      userData: full.userData,
      ownedPartitions: full.ownedPartitions,
      generationId: 7,
      rackId: null,
    },
    {
      version: 3,
      topics: full.topics,
      userData: full.userData,
      ownedPartitions: full.ownedPartitions,
      generationId: 7,
      rackId: 'rack-a',
    },
  ];
  for (const e of expected) assert.deepEqual(decodeSubscription(encodeSubscription(full, e.version)), e);
});

test('assignments round-trip at versions 0 to 3', () => {
  const parts = [
    { topic: 'a', partitions: [0, 5] },
    { topic: 'b', partitions: [] },
  ];
  for (let version = 0; version <= 3; version++) {
    assert.deepEqual(decodeAssignment(encodeAssignment(parts, Buffer.from([1]), version)), {
      version,
      assignedPartitions: parts,
      userData: Buffer.from([1]),
    });
  }
});

test('a newer version is read as v3 and its extra trailing fields are ignored', () => {
  const v3 = encodeSubscription({ topics: ['t'], generationId: 4, rackId: 'r' }, 3);
  const v9 = Buffer.concat([hex('0009'), v3.subarray(2), hex('deadbeef')]);
  const s = decodeSubscription(v9);
  assert.equal(s.version, 9);
  assert.deepEqual(s.topics, ['t']);
  assert.equal(s.generationId, 4);
  assert.equal(s.rackId, 'r');
  // Extra bytes after a version's own fields are ignored at any version.
  assert.deepEqual(decodeSubscription(Buffer.concat([encodeSubscription({ topics: ['x'] }), hex('0102')])).topics, [
    'x',
  ]);
  const a = decodeAssignment(
    Buffer.concat([hex('0004'), encodeAssignment([{ topic: 't', partitions: [2] }]).subarray(2), hex('ff')]),
  );
  assert.deepEqual(a.assignedPartitions, [{ topic: 't', partitions: [2] }]);
});

test('malformed bytes are a ProtocolDecodeError; an empty assignment is no partitions', () => {
  assert.throws(() => decodeSubscription(hex('ffff 00000000 ffffffff')), ProtocolDecodeError);
  assert.throws(() => decodeSubscription(hex('0000 00000001 0005 61')), ProtocolDecodeError);
  assert.throws(() => decodeSubscription(hex('0001 00000000 ffffffff')), ProtocolDecodeError); // v1 without owned partitions
  assert.throws(() => decodeAssignment(hex('00')), ProtocolDecodeError);
  assert.deepEqual(decodeAssignment(Buffer.alloc(0)), { version: 0, assignedPartitions: [], userData: null });
  assert.deepEqual(subscriptionTopics(encodeSubscription({ topics: ['a', 'b', 'a'] })), new Set(['a', 'b']));
  assert.equal(subscriptionTopics(hex('00')), null);
});

test('kafkajs reads our bytes and we read kafkajs bytes', () => {
  const { MemberMetadata, MemberAssignment } = require('kafkajs/src/consumer/assignerProtocol') as {
    MemberMetadata: {
      encode(m: { version: number; topics: string[]; userData?: Buffer }): Buffer;
      decode(b: Buffer): { version: number; topics: string[]; userData: Buffer | null };
    };
    MemberAssignment: {
      encode(m: { version: number; assignment: Record<string, number[]>; userData?: Buffer }): Buffer;
      decode(b: Buffer): { version: number; assignment: Record<string, number[]>; userData: Buffer | null } | null;
    };
  };
  const theirs = decodeSubscription(MemberMetadata.encode({ version: 0, topics: ['x', 'y'] }));
  assert.deepEqual([theirs.version, theirs.topics, theirs.userData], [0, ['x', 'y'], Buffer.alloc(0)]);
  assert.deepEqual(MemberMetadata.decode(encodeSubscription({ topics: ['x'], userData: Buffer.from('u') })), {
    version: 0,
    topics: ['x'],
    userData: Buffer.from('u'),
  });
  assert.deepEqual(
    decodeAssignment(MemberAssignment.encode({ version: 0, assignment: { x: [0, 2], y: [1] } })).assignedPartitions,
    [
      { topic: 'x', partitions: [0, 2] },
      { topic: 'y', partitions: [1] },
    ],
  );
  assert.deepEqual(
    MemberAssignment.decode(encodeAssignment([{ topic: 'x', partitions: [4] }], Buffer.alloc(0)))?.assignment,
    { x: [4] },
  );
});

// ---- assignors -------------------------------------------------------------------------------------------

const member = (memberId: string, topics: string[], groupInstanceId: string | null = null): AssignorMember => ({
  memberId,
  groupInstanceId,
  topics,
});

const flat = (a: GroupAssignment): Record<string, string[]> =>
  Object.fromEntries([...a].map(([m, tps]) => [m, tps.flatMap((t) => t.partitions.map((p) => `${t.topic}-${p}`))]));

test("range: two members, two topics of three partitions (Kafka's documented example)", () => {
  const a = rangeAssignor.assign(
    [member('C1', ['t0', 't1']), member('C0', ['t0', 't1'])],
    new Map([
      ['t0', 3],
      ['t1', 3],
    ]),
  );
  assert.deepEqual(flat(a), { C1: ['t0-2', 't1-2'], C0: ['t0-0', 't0-1', 't1-0', 't1-1'] });
});

test('range: the first n mod m members take one extra; topics nobody has metadata for get nobody', () => {
  const a = rangeAssignor.assign(
    [member('a', ['t', 'gone']), member('b', ['t']), member('c', ['t'])],
    new Map([['t', 8]]),
  );
  assert.deepEqual(flat(a), { a: ['t-0', 't-1', 't-2'], b: ['t-3', 't-4', 't-5'], c: ['t-6', 't-7'] });
  const few = rangeAssignor.assign([member('a', ['t']), member('b', ['t']), member('c', ['t'])], new Map([['t', 1]]));
  assert.deepEqual(flat(few), { a: ['t-0'], b: [], c: [] });
});

test("roundrobin: two members, two topics of three partitions (Kafka's documented example)", () => {
  const a = roundRobinAssignor.assign(
    [member('C0', ['t0', 't1']), member('C1', ['t0', 't1'])],
    new Map([
      ['t0', 3],
      ['t1', 3],
    ]),
  );
  assert.deepEqual(flat(a), { C0: ['t0-0', 't0-2', 't1-1'], C1: ['t0-1', 't1-0', 't1-2'] });
});

test("roundrobin: members not subscribed to a topic are passed over (Kafka's documented example)", () => {
  const members = [member('C0', ['t0']), member('C1', ['t0', 't1']), member('C2', ['t0', 't1', 't2'])];
  const a = roundRobinAssignor.assign(
    members,
    new Map([
      ['t0', 1],
      ['t1', 2],
      ['t2', 3],
    ]),
  );
  assert.deepEqual(flat(a), { C0: ['t0-0'], C1: ['t1-0'], C2: ['t1-1', 't2-0', 't2-1', 't2-2'] });
});

test('static members come first, ordered by group instance id, in both assignors', () => {
  const members = [member('m-a', ['t']), member('m-z', ['t'], 'instance-1'), member('m-b', ['t'], 'instance-0')];
  assert.deepEqual(flat(rangeAssignor.assign(members, new Map([['t', 3]]))), {
    'm-a': ['t-2'],
    'm-z': ['t-1'],
    'm-b': ['t-0'],
  });
  assert.deepEqual(flat(roundRobinAssignor.assign(members, new Map([['t', 4]]))), {
    'm-a': ['t-2'],
    'm-z': ['t-1'],
    'm-b': ['t-0', 't-3'],
  });
});

/** Every partition of a subscribed topic goes to exactly one member, and only to a subscriber. */
function checkComplete(
  assignor: Assignor,
  members: AssignorMember[],
  counts: Map<string, number>,
  seed: number,
): GroupAssignment {
  const a = assignor.assign(members, counts);
  assert.deepEqual(
    [...a.keys()].sort(),
    members.map((m) => m.memberId).sort(),
    `seed ${seed}: every member has an entry`,
  );
  const owner = new Map<string, string>();
  for (const [memberId, tps] of a) {
    const m = members.find((x) => x.memberId === memberId)!;
    for (const tp of tps) {
      assert.ok(m.topics.includes(tp.topic), `seed ${seed}: ${memberId} got ${tp.topic} without subscribing`);
      for (const p of tp.partitions) {
        const key = `${tp.topic}-${p}`;
        assert.ok(!owner.has(key), `seed ${seed}: ${key} assigned twice`);
        owner.set(key, memberId);
      }
    }
  }
  const subscribed = new Set(members.flatMap((m) => m.topics));
  const expected = [...counts].filter(([t]) => subscribed.has(t)).reduce((n, [, c]) => n + c, 0);
  assert.equal(owner.size, expected, `seed ${seed}: every subscribed partition assigned`);
  return a;
}

test('seeded random groups: both assignors assign every partition exactly once, to subscribers only', () => {
  for (let seed = 1; seed <= 300; seed++) {
    const r = rng(seed);
    const topics = Array.from({ length: 1 + Math.floor(r() * 4) }, (_, i) => `topic-${i}`);
    const counts = new Map(topics.map((t) => [t, Math.floor(r() * 13)]));
    const members = Array.from({ length: 1 + Math.floor(r() * 8) }, (_, i) => {
      const mine = topics.filter(() => r() < 0.6);
      return member(
        `member-${Math.floor(r() * 1e6)}-${i}`,
        mine.length > 0 ? mine : [topics[0]!],
        r() < 0.2 ? `static-${i}` : null,
      );
    });
    checkComplete(rangeAssignor, members, counts, seed);
    checkComplete(roundRobinAssignor, members, counts, seed);
  }
});

test('seeded random groups: range on one topic and roundrobin on shared subscriptions balance within one', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const r = rng(seed * 7919);
    const n = 1 + Math.floor(r() * 9);
    const members = Array.from({ length: n }, (_, i) => member(`m${Math.floor(r() * 1000)}-${i}`, ['a', 'b']));
    const counts = new Map([
      ['a', Math.floor(r() * 30)],
      ['b', Math.floor(r() * 30)],
    ]);
    const perTopic = (a: GroupAssignment, topic: string): number[] =>
      [...a.values()].map((tps) => tps.find((t) => t.topic === topic)?.partitions.length ?? 0);
    const range = checkComplete(rangeAssignor, members, counts, seed);
    for (const t of ['a', 'b']) {
      const sizes = perTopic(range, t);
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `seed ${seed}: range on ${t} is ${sizes}`);
      // Ranges are contiguous.
      for (const tps of range.values()) {
        const ps = tps.find((x) => x.topic === t)?.partitions ?? [];
        ps.forEach((p, i) => assert.equal(p, ps[0]! + i));
      }
    }
    const rr = checkComplete(roundRobinAssignor, members, counts, seed);
    const totals = [...rr.values()].map((tps) => tps.reduce((k, t) => k + t.partitions.length, 0));
    assert.ok(Math.max(...totals) - Math.min(...totals) <= 1, `seed ${seed}: roundrobin totals ${totals}`);
  }
});
