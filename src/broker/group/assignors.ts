// The server-side assignors of the consumer group protocol (KIP-848; `group.consumer.assignors`,
// the client's ServerAssignor picks one): `uniform` and `range`, as Kafka 4.x names them. Pure
// functions from the members' subscriptions, the subscribed topics' partitions and the current
// target assignment to the next target assignment. Called by consumer-heartbeat.ts; tested in
// test/broker/assignors.test.ts.
//
// - uniform (Kafka's UniformAssignor): every member gets partitions only of topics it subscribes
//   to; among the members that can take a partition, counts differ by at most one where the
//   subscriptions allow it; a partition stays with its owner in the previous target assignment
//   whenever that keeps the balance (sticky), so a member joining or leaving moves few partitions.
// - range (Kafka's RangeAssignor, server side): per topic, the subscribers in member-id order get
//   contiguous ranges of partitions, the first (partitions % members) one more, so members of
//   co-partitioned topics get the same partition numbers.

/** What an assignor sees of a topic: its id, name and partition count. */
export interface AssignableTopic {
  readonly id: string;
  readonly name: string;
  readonly partitions: number;
}

/** The topics a coordinator can assign, by name and by id (the node's metadata image). */
export interface TopicCatalog {
  readonly byName: ReadonlyMap<string, AssignableTopic>;
  readonly byId: ReadonlyMap<string, AssignableTopic>;
}

/** One member as the assignor sees it: the topic ids it subscribes to. */
export interface AssignorMemberSpec {
  readonly memberId: string;
  readonly topicIds: ReadonlySet<string>;
}

/** topic id → partitions, per member. */
export type MemberAssignment = ReadonlyMap<string, ReadonlySet<number>>;

export interface ServerAssignor {
  readonly name: string;
  assign(
    members: readonly AssignorMemberSpec[],
    topics: ReadonlyMap<string, AssignableTopic>,
    previous: ReadonlyMap<string, MemberAssignment>,
  ): Map<string, Map<string, Set<number>>>;
}

/** Moves the balancing pass of `uniform` may make at most, per partition (bounds a pathological loop). */
const balanceRoundsMax = 64;

function emptyPlan(members: readonly AssignorMemberSpec[]): Map<string, Map<string, Set<number>>> {
  return new Map(members.map((m) => [m.memberId, new Map<string, Set<number>>()]));
}

function put(plan: Map<string, Map<string, Set<number>>>, memberId: string, topicId: string, p: number): void {
  const m = plan.get(memberId)!;
  let s = m.get(topicId);
  if (!s) m.set(topicId, (s = new Set()));
  s.add(p);
}

function take(plan: Map<string, Map<string, Set<number>>>, memberId: string, topicId: string, p: number): void {
  const s = plan.get(memberId)!.get(topicId);
  s?.delete(p);
  if (s?.size === 0) plan.get(memberId)!.delete(topicId);
}

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export const rangeAssignor: ServerAssignor = {
  name: 'range',
  assign(members, topics) {
    const plan = emptyPlan(members);
    for (const t of [...topics.values()].sort((a, b) => byId(a.name, b.name))) {
      const subscribers = members.filter((m) => m.topicIds.has(t.id)).map((m) => m.memberId);
      subscribers.sort(byId);
      const n = subscribers.length;
      if (n === 0) continue;
      const base = Math.floor(t.partitions / n);
      const extra = t.partitions % n;
      let next = 0;
      subscribers.forEach((memberId, i) => {
        const count = base + (i < extra ? 1 : 0);
        for (let k = 0; k < count; k++) put(plan, memberId, t.id, next++);
      });
    }
    return plan;
  },
};

export const uniformAssignor: ServerAssignor = {
  name: 'uniform',
  assign(members, topics, previous) {
    const plan = emptyPlan(members);
    const load = new Map(members.map((m) => [m.memberId, 0]));
    const eligible = (topicId: string): string[] =>
      members
        .filter((m) => m.topicIds.has(topicId))
        .map((m) => m.memberId)
        .sort(byId);
    const owner = new Map<string, string>(); // "topicId:partition" → member
    const partitions: { topicId: string; p: number; members: string[] }[] = [];
    for (const t of [...topics.values()].sort((a, b) => byId(a.name, b.name))) {
      const who = eligible(t.id);
      if (who.length === 0) continue;
      for (let p = 0; p < t.partitions; p++) partitions.push({ topicId: t.id, p, members: who });
    }
    // A fair share per member: the partitions it may take, divided among those who may take them.
    const total = partitions.length;
    const cap = Math.ceil(total / Math.max(1, members.length));
    // 1. Sticky: a partition stays with its previous owner while that owner is under the cap.
    for (const { topicId, p, members: who } of partitions) {
      for (const [memberId, a] of previous) {
        if (!a.get(topicId)?.has(p) || !who.includes(memberId) || load.get(memberId)! >= cap) continue;
        owner.set(`${topicId}:${p}`, memberId);
        load.set(memberId, load.get(memberId)! + 1);
        put(plan, memberId, topicId, p);
        break;
      }
    }
    // 2. The rest, fewest-partitions-first (partitions with fewer candidates first).
    const rest = partitions.filter((x) => !owner.has(`${x.topicId}:${x.p}`));
    rest.sort((a, b) => a.members.length - b.members.length);
    for (const { topicId, p, members: who } of rest) {
      const memberId = leastLoaded(who, load);
      owner.set(`${topicId}:${p}`, memberId);
      load.set(memberId, load.get(memberId)! + 1);
      put(plan, memberId, topicId, p);
    }
    // 3. Balance: move a partition to a candidate with at least two fewer, until none can move.
    for (let round = 0, moved = true; moved && round < balanceRoundsMax * Math.max(1, total); round++) {
      moved = false;
      for (const { topicId, p, members: who } of partitions) {
        const from = owner.get(`${topicId}:${p}`)!;
        const to = leastLoaded(who, load);
        if (load.get(from)! - load.get(to)! <= 1) continue;
        take(plan, from, topicId, p);
        put(plan, to, topicId, p);
        owner.set(`${topicId}:${p}`, to);
        load.set(from, load.get(from)! - 1);
        load.set(to, load.get(to)! + 1);
        moved = true;
      }
    }
    return plan;
  },
};

function leastLoaded(candidates: readonly string[], load: ReadonlyMap<string, number>): string {
  let best = candidates[0]!;
  for (const c of candidates) if (load.get(c)! < load.get(best)!) best = c;
  return best;
}

/** The assignors a broker can run, by the names `group.consumer.assignors` and ServerAssignor use. */
export const serverAssignors: ReadonlyMap<string, ServerAssignor> = new Map(
  [uniformAssignor, rangeAssignor].map((a) => [a.name, a]),
);
