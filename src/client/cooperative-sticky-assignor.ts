// The `cooperative-sticky` assignor of the classic consumer protocol (KIP-429, incremental
// cooperative rebalancing; Kafka's CooperativeStickyAssignor): balanced like roundrobin, sticky
// (a member keeps what it owns unless balance needs it elsewhere), and cooperative: a partition
// that some other member still owns is never given out in the same generation. It is left out of
// this generation's assignment; its owner, not finding it in its own assignment, revokes it and
// rejoins at once, and the next rebalance gives it to its new member. Run by the group leader
// (src/client/group-consumer.ts via group-assignment.ts); pure.
//
// Ownership comes from each member's subscription (ConsumerProtocolSubscription v1+ OwnedPartitions,
// v2+ GenerationId). When several members claim one partition, the claim of the highest generation
// holds it (an older claim is a member a rebalance left behind); claims tied at the highest
// generation hold nothing (nobody can tell who is right), as in Kafka.
//
// Invariants (checked by test/client/cooperative-sticky-assignor.test.ts over random membership changes):
// - every partition of a subscribed topic goes to at most one member, and only to a subscriber;
// - a partition goes to member X only if no member other than X claims it, unless X's claim holds it;
// - before withholding, no subscriber of a partition's topic has two partitions fewer than the
//   member holding it, so with identical subscriptions the counts differ by at most one;
// - a member keeps at least min(its valid owned partitions, ⌊partitions / members⌋) of them.
import {
  compareMembers,
  give,
  toGroupAssignment,
  type Assignor,
  type AssignorMember,
  type GroupAssignment,
} from '../protocol/consumer-protocol.js';

interface Slot {
  readonly member: AssignorMember;
  /** Partition keys held in this plan, in the order they were taken. */
  readonly held: string[];
  /** The keys whose ownership this member's claim keeps (never moved before fresh ones). */
  readonly kept: Set<string>;
}

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

function splitKey(k: string): { topic: string; partition: number } {
  const i = k.lastIndexOf('\u0000');
  return { topic: k.slice(0, i), partition: Number(k.slice(i + 1)) };
}

/** Every partition of the subscribed topics that exist, by topic name then partition. */
function allPartitions(members: readonly AssignorMember[], partitionCounts: ReadonlyMap<string, number>): string[] {
  const topics = [...new Set(members.flatMap((m) => m.topics))].sort();
  return topics.flatMap((topic) =>
    Array.from({ length: Math.max(0, partitionCounts.get(topic) ?? 0) }, (_, p) => key(topic, p)),
  );
}

/**
 * Who holds each partition now: the claimant of the highest generation, when it alone claims at
 * that generation. Also returns every partition anybody claims, with the set of claimants.
 */
function resolveOwners(
  members: readonly AssignorMember[],
  existing: ReadonlySet<string>,
): { owner: Map<string, string>; claimants: Map<string, Set<string>> } {
  const best = new Map<string, { generation: number; memberIds: string[] }>();
  const claimants = new Map<string, Set<string>>();
  for (const m of members) {
    const generation = m.generationId ?? -1;
    for (const t of m.ownedPartitions ?? []) {
      for (const p of t.partitions) {
        const k = key(t.topic, p);
        if (!existing.has(k)) continue;
        let set = claimants.get(k);
        if (!set) claimants.set(k, (set = new Set()));
        set.add(m.memberId);
        // A claim counts for stickiness only when the member still subscribes to the topic.
        if (!m.topics.includes(t.topic)) continue;
        const b = best.get(k);
        if (!b || generation > b.generation) best.set(k, { generation, memberIds: [m.memberId] });
        else if (generation === b.generation) b.memberIds.push(m.memberId);
      }
    }
  }
  const owner = new Map<string, string>();
  for (const [k, b] of best) if (b.memberIds.length === 1) owner.set(k, b.memberIds[0]!);
  return { owner, claimants };
}

/** The least loaded subscriber of `topic` (member order breaks ties), or undefined. */
function leastLoaded(slots: readonly Slot[], topic: string, below: number): Slot | undefined {
  let pick: Slot | undefined;
  for (const s of slots)
    if (s.held.length < below && s.member.topics.includes(topic) && (!pick || s.held.length < pick.held.length))
      pick = s;
  return pick;
}

/**
 * Moves one partition from a member to a subscriber holding at least two fewer, taking from the
 * most loaded members first and preferring partitions they did not own before. Returns false when
 * no such move exists. Each move lowers the sum of squared counts, so repeated calls end.
 */
function moveOne(slots: readonly Slot[]): boolean {
  const byLoad = [...slots].sort((a, b) => b.held.length - a.held.length);
  for (const from of byLoad) {
    const candidates = [...from.held.filter((k) => !from.kept.has(k)), ...from.held.filter((k) => from.kept.has(k))];
    for (const k of candidates) {
      const to = leastLoaded(slots, splitKey(k).topic, from.held.length - 1);
      if (!to) continue;
      from.held.splice(from.held.indexOf(k), 1);
      from.kept.delete(k);
      to.held.push(k);
      return true;
    }
  }
  return false;
}

/** The sticky, balanced plan before the cooperative rule: slot per member in member order. */
function stickyPlan(members: readonly AssignorMember[], partitionCounts: ReadonlyMap<string, number>) {
  const partitions = allPartitions(members, partitionCounts);
  const existing = new Set(partitions);
  const { owner, claimants } = resolveOwners(members, existing);
  const slots: Slot[] = [...members].sort(compareMembers).map((member) => ({ member, held: [], kept: new Set() }));
  const slotOf = new Map(slots.map((s) => [s.member.memberId, s]));
  const free: string[] = [];
  for (const k of partitions) {
    const s = slotOf.get(owner.get(k) ?? '');
    if (s) {
      s.held.push(k);
      s.kept.add(k);
    } else free.push(k);
  }
  // The partitions fewest members can take go first, so they are not crowded out.
  const eligible = (k: string): number => slots.filter((s) => s.member.topics.includes(splitKey(k).topic)).length;
  const order = free.map((k) => ({ k, n: eligible(k) })).sort((a, b) => a.n - b.n);
  for (const { k } of order) leastLoaded(slots, splitKey(k).topic, Number.POSITIVE_INFINITY)?.held.push(k);
  while (moveOne(slots)) {
    // moveOne did the work; the loop ends when no member can pass a partition on.
  }
  return { slots, owner, claimants };
}

export const cooperativeStickyAssignor: Assignor = {
  name: 'cooperative-sticky',
  assign(members, partitionCounts): GroupAssignment {
    const { slots, owner, claimants } = stickyPlan(members, partitionCounts);
    const picked = new Map<string, Map<string, number[]>>();
    for (const s of slots) {
      const id = s.member.memberId;
      for (const k of s.held) {
        const others = [...(claimants.get(k) ?? [])].some((c) => c !== id);
        // KIP-429: another member still owns it; it revokes first and the next generation gives it out.
        if (others && owner.get(k) !== id) continue;
        const { topic, partition } = splitKey(k);
        give(picked, id, topic, partition);
      }
    }
    return toGroupAssignment(members, picked);
  },
};
