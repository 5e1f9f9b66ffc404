// The cooperative-sticky assignor (KIP-429): balance, stickiness, Kafka's owner resolution by
// generation, and the two-phase rule (a partition another member still owns is never given out
// in the same generation), by hand and over random membership changes with fast-check, members
// acting on each assignment as raftka's consumer does (keep, revoke what is missing, take what is new).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cooperativeStickyAssignor } from '../../src/client/cooperative-sticky-assignor.js';
import { rebalanceProtocolOf, subscribers, subscriptionMetadata } from '../../src/client/group-assignment.js';
import { decodeSubscription, type AssignorMember, type GroupAssignment } from '../../src/protocol/consumer-protocol.js';

const member = (memberId: string, owned: number[] = [], generationId = -1, topics = ['t']): AssignorMember => ({
  memberId,
  groupInstanceId: null,
  topics,
  ownedPartitions: owned.length > 0 ? [{ topic: 't', partitions: owned }] : [],
  generationId,
});

const partitionsOf = (a: GroupAssignment, id: string): number[] =>
  (a.get(id) ?? []).flatMap((t) => t.partitions.map((p) => p));

test('fresh members share the partitions evenly, each once', () => {
  const a = cooperativeStickyAssignor.assign([member('a'), member('b'), member('c')], new Map([['t', 7]]));
  const counts = ['a', 'b', 'c'].map((id) => partitionsOf(a, id).length).sort();
  assert.deepEqual(counts, [2, 2, 3]);
  assert.deepEqual(['a', 'b', 'c'].flatMap((id) => partitionsOf(a, id)).sort(), [0, 1, 2, 3, 4, 5, 6]);
});

test('a joining member gets nothing its peers still own; the second generation gives it the freed ones', () => {
  const counts = new Map([['t', 6]]);
  const first = cooperativeStickyAssignor.assign(
    [member('a', [0, 1, 2], 5), member('b', [3, 4, 5], 5), member('c')],
    counts,
  );
  const a1 = partitionsOf(first, 'a');
  const b1 = partitionsOf(first, 'b');
  assert.equal(a1.length, 2);
  assert.equal(b1.length, 2);
  assert.ok(
    a1.every((p) => [0, 1, 2].includes(p)),
    'a keeps two of its own',
  );
  assert.ok(
    b1.every((p) => [3, 4, 5].includes(p)),
    'b keeps two of its own',
  );
  assert.deepEqual(partitionsOf(first, 'c'), [], 'the moving partitions are withheld for one generation');
  const second = cooperativeStickyAssignor.assign([member('a', a1, 6), member('b', b1, 6), member('c', [], 6)], counts);
  assert.deepEqual(partitionsOf(second, 'a'), a1);
  assert.deepEqual(partitionsOf(second, 'b'), b1);
  const freed = [0, 1, 2, 3, 4, 5].filter((p) => !a1.includes(p) && !b1.includes(p));
  assert.deepEqual(partitionsOf(second, 'c'), freed);
});

test("a leaver's partitions go to the others at once; nobody loses what it keeps", () => {
  const a = cooperativeStickyAssignor.assign([member('a', [0, 1], 4), member('c', [4, 5], 4)], new Map([['t', 6]]));
  assert.deepEqual(partitionsOf(a, 'a').length, 3);
  assert.deepEqual(partitionsOf(a, 'c').length, 3);
  assert.ok([0, 1].every((p) => partitionsOf(a, 'a').includes(p)));
  assert.ok([4, 5].every((p) => partitionsOf(a, 'c').includes(p)));
});

test('the claim of the highest generation holds a partition; claims tied at the top hold nothing', () => {
  const counts = new Map([['t', 2]]);
  const stale = cooperativeStickyAssignor.assign([member('a', [0], 3), member('b', [0], 7)], counts);
  assert.deepEqual(partitionsOf(stale, 'b'), [0], 'the newer generation keeps partition 0');
  assert.deepEqual(partitionsOf(stale, 'a'), [1]);
  const tied = cooperativeStickyAssignor.assign([member('a', [0], 7), member('b', [0, 1], 7)], counts);
  assert.ok(![...partitionsOf(tied, 'a'), ...partitionsOf(tied, 'b')].includes(0), 'both must give it back first');
});

test('only subscribers get a topic; claims of topics a member left are released', () => {
  const both = ['t', 'u'];
  const a = cooperativeStickyAssignor.assign(
    [member('a', [0, 1], 2, ['u']), member('b', [], 2, both)],
    new Map([
      ['t', 2],
      ['u', 2],
    ]),
  );
  assert.deepEqual(a.get('a'), [{ topic: 'u', partitions: [0, 1] }]);
  // a still claims t-0 and t-1 (it left t): b gets them only after a gave them back.
  assert.deepEqual(a.get('b'), []);
});

test('the rebalance protocol: cooperative only when every assignor offered is cooperative-sticky', () => {
  assert.equal(rebalanceProtocolOf(['cooperative-sticky']), 'cooperative');
  assert.equal(rebalanceProtocolOf(['cooperative-sticky', 'range']), 'eager');
  assert.equal(rebalanceProtocolOf(['range']), 'eager');
  const bytes = subscriptionMetadata(['cooperative-sticky'], ['t'], [{ topic: 't', partition: 3 }], 9);
  const s = decodeSubscription(bytes);
  assert.equal(s.version, 3);
  assert.deepEqual(s.ownedPartitions, [{ topic: 't', partitions: [3] }]);
  assert.equal(s.generationId, 9);
  assert.equal(decodeSubscription(subscriptionMetadata(['range'], ['t'], [], 9)).version, 0);
  const [m] = subscribers([{ memberId: 'x', groupInstanceId: null, metadata: bytes }]);
  assert.deepEqual(m!.ownedPartitions, [{ topic: 't', partitions: [3] }]);
  assert.equal(m!.generationId, 9);
});

type Event = { kind: 'join' } | { kind: 'leave'; pick: number } | { kind: 'none' };

const eventArb: fc.Arbitrary<Event> = fc.oneof(
  fc.constant<Event>({ kind: 'join' }),
  fc.nat(20).map<Event>((pick) => ({ kind: 'leave', pick })),
  fc.constant<Event>({ kind: 'none' }),
);

/** Runs a group through `events`, members applying each assignment; checks every invariant on the way. */
function simulate(counts: Map<string, number>, events: readonly Event[], topicsOf: (i: number) => string[]): void {
  const owned = new Map<string, Set<string>>(); // member → "topic/partition"
  const topics = new Map<string, string[]>();
  let nextId = 0;
  let generation = 0;
  const round = (): GroupAssignment => {
    generation++;
    const members: AssignorMember[] = [...owned].map(([id, set]) => {
      const byTopic = new Map<string, number[]>();
      for (const k of set) {
        const [t, p] = k.split('/') as [string, string];
        byTopic.set(t, [...(byTopic.get(t) ?? []), Number(p)]);
      }
      return {
        memberId: id,
        groupInstanceId: null,
        topics: topics.get(id)!,
        ownedPartitions: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
        generationId: generation - 1,
      };
    });
    const plan = cooperativeStickyAssignor.assign(members, counts);
    const given = new Map<string, string>();
    for (const [id, list] of plan) {
      const mine = new Set(list.flatMap((t) => t.partitions.map((p) => `${t.topic}/${p}`)));
      for (const k of mine) {
        assert.ok(!given.has(k), `${k} given twice`);
        given.set(k, id);
        assert.ok(topics.get(id)!.includes(k.split('/')[0]!), `${k} given to a non-subscriber`);
        if (!owned.get(id)!.has(k))
          for (const [other, set] of owned)
            assert.ok(other === id || !set.has(k), `${k} given to ${id} while ${other} still owns it`);
      }
      const before = owned.get(id)!;
      const kept = [...before].filter((k) => mine.has(k)).length;
      const total = [...counts].filter(([t]) => topics.get(id)!.includes(t)).reduce((n, [, c]) => n + c, 0);
      const quota = Math.floor(total / owned.size);
      if (new Set([...owned.keys()].map((m) => topics.get(m)!.join())).size === 1)
        assert.ok(kept >= Math.min(before.size, quota), `${id} kept ${kept} of ${before.size} (quota ${quota})`);
    }
    for (const [id, list] of plan)
      owned.set(id, new Set(list.flatMap((t) => t.partitions.map((p) => `${t.topic}/${p}`))));
    return plan;
  };
  for (const e of events) {
    if (e.kind === 'join') {
      const id = `m${String(nextId).padStart(3, '0')}`;
      topics.set(id, topicsOf(nextId++));
      owned.set(id, new Set());
    } else if (e.kind === 'leave' && owned.size > 0) {
      const id = [...owned.keys()][e.pick % owned.size]!;
      owned.delete(id);
      topics.delete(id);
    }
    if (owned.size === 0) continue;
    round();
    // Two generations settle it: the first may withhold partitions, the second gives them out.
    round();
    const held = [...owned.values()].reduce((n, s) => n + s.size, 0);
    const subscribed = [...counts].filter(([t]) => [...topics.values()].some((ts) => ts.includes(t)));
    assert.equal(
      held,
      subscribed.reduce((n, [, c]) => n + c, 0),
      'every partition owned after two generations',
    );
    if (new Set([...topics.values()].map((ts) => ts.join())).size === 1) {
      const sizes = [...owned.values()].map((s) => s.size);
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `balanced: ${sizes.join(',')}`);
    }
  }
}

test('random membership changes, identical subscriptions: two-phase, sticky, balanced, settled in two generations', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 0, max: 7 }),
      fc.array(eventArb, { maxLength: 25 }),
      (t, u, events) =>
        simulate(
          new Map([
            ['t', t],
            ['u', u],
          ]),
          [{ kind: 'join' }, ...events],
          () => ['t', 'u'],
        ),
    ),
    { numRuns: 300 },
  );
});

test('random membership changes, differing subscriptions: two-phase, only subscribers, every partition placed', () => {
  const choices = [['t'], ['u'], ['t', 'u']];
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 9 }),
      fc.integer({ min: 1, max: 9 }),
      fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 30, maxLength: 30 }),
      fc.array(eventArb, { maxLength: 25 }),
      (t, u, subs, events) =>
        simulate(
          new Map([
            ['t', t],
            ['u', u],
          ]),
          [{ kind: 'join' }, ...events],
          (i) => choices[subs[i % subs.length]!]!,
        ),
    ),
    { numRuns: 300 },
  );
});
