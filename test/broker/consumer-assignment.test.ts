// The consumer group protocol's pure parts (KIP-848): the server-side assignors `uniform` and
// `range`, and the reconciliation state machine, driven through random membership changes with
// members that answer late, checking after every step that no partition has two owners.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  rangeAssignor,
  uniformAssignor,
  type AssignableTopic,
  type AssignorMemberSpec,
  type MemberAssignment,
} from '../../src/broker/group/assignors.js';
import {
  reconcile,
  assignmentSize,
  type ReconciledMember,
  type TopicAssignment,
} from '../../src/broker/group/reconciliation.js';
import { SeededRandom } from '../../src/testing/seeded-random.js';

const topics = (...list: [string, number][]): Map<string, AssignableTopic> =>
  new Map(list.map(([name, partitions]) => [`id-${name}`, { id: `id-${name}`, name, partitions }]));
const member = (memberId: string, ...subscribed: string[]): AssignorMemberSpec => ({
  memberId,
  topicIds: new Set(subscribed.map((t) => `id-${t}`)),
});
const counts = (plan: ReadonlyMap<string, MemberAssignment>) =>
  Object.fromEntries([...plan].map(([m, a]) => [m, assignmentSize(a)]));
const list = (a: MemberAssignment | undefined, topicId: string) => [...(a?.get(topicId) ?? [])].sort((x, y) => x - y);

test('range: per topic, contiguous ranges in member-id order, the first members one more', () => {
  const plan = rangeAssignor.assign(
    [member('b', 't', 'u'), member('a', 't', 'u'), member('c', 't')],
    topics(['t', 7], ['u', 4]),
    new Map(),
  );
  assert.deepEqual(list(plan.get('a'), 'id-t'), [0, 1, 2]);
  assert.deepEqual(list(plan.get('b'), 'id-t'), [3, 4]);
  assert.deepEqual(list(plan.get('c'), 'id-t'), [5, 6]);
  // Co-partitioned: the two subscribers of u get the same partition numbers they get of t.
  assert.deepEqual(list(plan.get('a'), 'id-u'), [0, 1]);
  assert.deepEqual(list(plan.get('b'), 'id-u'), [2, 3]);
  assert.deepEqual(list(plan.get('c'), 'id-u'), []);
});

test('uniform: balanced, every partition once, only to subscribers; sticky when a member joins or leaves', () => {
  const t = topics(['t', 6]);
  const three = uniformAssignor.assign([member('a', 't'), member('b', 't'), member('c', 't')], t, new Map());
  assert.deepEqual(counts(three), { a: 2, b: 2, c: 2 });
  // b leaves: a and c keep what they had and share b's.
  const two = uniformAssignor.assign([member('a', 't'), member('c', 't')], t, three);
  assert.deepEqual(counts(two), { a: 3, c: 3 });
  for (const m of ['a', 'c']) for (const p of list(three.get(m), 'id-t')) assert.ok(two.get(m)!.get('id-t')!.has(p));
  // d joins: it takes one from each; the others keep two of their three.
  const again = uniformAssignor.assign([member('a', 't'), member('c', 't'), member('d', 't')], t, two);
  assert.deepEqual(counts(again), { a: 2, c: 2, d: 2 });
  for (const m of ['a', 'c']) for (const p of list(again.get(m), 'id-t')) assert.ok(two.get(m)!.get('id-t')!.has(p));
  // Heterogeneous subscriptions: u only goes to its subscriber; t is balanced around it.
  const mixed = uniformAssignor.assign(
    [member('a', 't'), member('b', 't', 'u')],
    topics(['t', 4], ['u', 2]),
    new Map(),
  );
  assert.deepEqual(list(mixed.get('a'), 'id-u'), []);
  assert.deepEqual(list(mixed.get('b'), 'id-u'), [0, 1]);
  assert.deepEqual(counts(mixed), { a: 3, b: 3 });
});

/** A simulated member: the coordinator's view and what the client really holds (it revokes when told, a step later). */
interface SimMember {
  view: ReconciledMember;
  holds: Set<number>;
}

test('reconciliation: random joins, leaves and late members never give a partition to two owners', () => {
  const topicId = 'id-t';
  const t = topics(['t', 8]);
  for (let seed = 1; seed <= 40; seed++) {
    const rnd = new SeededRandom(seed);
    const members = new Map<string, SimMember>();
    let target = new Map<string, MemberAssignment>();
    let epoch = 0;
    let nextId = 0;
    const rebalance = () => {
      epoch++;
      target = uniformAssignor.assign(
        [...members.keys()].map((m) => member(m, 't')),
        t,
        target,
      );
    };
    for (let step = 0; step < 200; step++) {
      const r = rnd.nextInt(10);
      if (r === 0 || members.size === 0) {
        const id = `m${nextId++}`;
        members.set(id, {
          view: {
            state: 'stable',
            memberEpoch: 0,
            previousMemberEpoch: -1,
            assigned: new Map(),
            pendingRevocation: new Map(),
          },
          holds: new Set(),
        });
        rebalance();
      } else if (r === 1 && members.size > 1) {
        members.delete([...members.keys()][rnd.nextInt(members.size)]!); // leaves: the client stopped owning
        rebalance();
      } else {
        // One member heartbeats: the client first drops what its last answer no longer gave it.
        const [id, m] = [...members][rnd.nextInt(members.size)]!;
        const allowed = m.view.assigned.get(topicId) ?? new Set<number>();
        if (rnd.nextInt(3) > 0) for (const p of [...m.holds]) if (!allowed.has(p)) m.holds.delete(p);
        const owners = new Map<number, number>();
        for (const [other, o] of members) {
          if (other === id) continue;
          for (const a of [o.view.assigned, o.view.pendingRevocation])
            for (const p of a.get(topicId) ?? []) owners.set(p, o.view.memberEpoch);
        }
        const owned: TopicAssignment = new Map([[topicId, new Set(m.holds)]]);
        m.view = reconcile(m.view, {
          targetEpoch: epoch,
          target: target.get(id) ?? new Map(),
          subscribed: () => true,
          ownerEpoch: (_t, p) => owners.get(p) ?? -1,
          owned,
        });
        // The answer gives the assigned set; the client takes all of it.
        for (const p of m.view.assigned.get(topicId) ?? []) m.holds.add(p);
      }
      const holder = new Map<number, string>();
      for (const [id, m] of members)
        for (const p of m.holds) {
          assert.equal(
            holder.get(p),
            undefined,
            `seed ${seed} step ${step}: partition ${p} held by ${holder.get(p)} and ${id}`,
          );
          holder.set(p, id);
        }
    }
  }
});

test('reconciliation: a member keeps its epoch until it revokes, then moves to the target epoch', () => {
  const topicId = 'id-t';
  const start: ReconciledMember = {
    state: 'stable',
    memberEpoch: 1,
    previousMemberEpoch: 0,
    assigned: new Map([[topicId, new Set([0, 1, 2])]]),
    pendingRevocation: new Map(),
  };
  const input = {
    targetEpoch: 2,
    target: new Map([[topicId, new Set([0, 3])]]),
    subscribed: () => true,
    ownerEpoch: (_t: string, p: number) => (p === 3 ? 1 : -1),
    owned: new Map([[topicId, new Set([0, 1, 2])]]),
  };
  const revoking = reconcile(start, input);
  assert.equal(revoking.state, 'unrevoked_partitions');
  assert.equal(revoking.memberEpoch, 1);
  assert.deepEqual([...revoking.pendingRevocation.get(topicId)!], [1, 2]);
  // Still listing 1: nothing moves.
  assert.equal(reconcile(revoking, { ...input, owned: new Map([[topicId, new Set([0, 1])]]) }), revoking);
  // Revoked; partition 3 is still someone else's: epoch 2, waiting for it.
  const waiting = reconcile(revoking, { ...input, owned: new Map([[topicId, new Set([0])]]) });
  assert.equal(waiting.state, 'unreleased_partitions');
  assert.deepEqual([waiting.memberEpoch, waiting.previousMemberEpoch], [2, 1]);
  assert.deepEqual([...waiting.assigned.get(topicId)!], [0]);
  // Released: it gets it.
  const done = reconcile(waiting, { ...input, ownerEpoch: () => -1, owned: new Map([[topicId, new Set([0])]]) });
  assert.equal(done.state, 'stable');
  assert.deepEqual([...done.assigned.get(topicId)!].sort(), [0, 3]);
});
