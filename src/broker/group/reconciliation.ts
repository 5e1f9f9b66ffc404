// The reconciliation state machine of the consumer group protocol (KIP-848; Kafka's
// CurrentAssignmentBuilder): given a member's current assignment, the group's target assignment
// for it and the partitions the member says it owns, the member's next state. Pure; called by
// consumer-heartbeat.ts on every heartbeat; tested in test/broker/reconciliation.test.ts.
//
// The rule that keeps a partition from having two owners: a partition leaves a member's
// assignment at once, but stays "pending revocation" (still counted as owned) until a heartbeat
// of that member no longer lists it; a partition is given to a member only when no other member
// holds it, assigned or pending revocation (ownerEpoch answers -1). Until then the member waits in
// UNRELEASED_PARTITIONS and gets it on a later heartbeat.
//
// States: stable (has its target), unrevoked_partitions (must give partitions back first; keeps its
// epoch), unreleased_partitions (at the target epoch, waiting for partitions others still hold).

/** topic id → partitions. */
export type TopicAssignment = ReadonlyMap<string, ReadonlySet<number>>;

export type MemberReconcileState = 'stable' | 'unrevoked_partitions' | 'unreleased_partitions';

/** Kafka's MemberState values, as ConsumerGroupCurrentMemberAssignmentValue stores them. */
export const memberStateCode: Readonly<Record<MemberReconcileState, number>> = {
  stable: 0,
  unrevoked_partitions: 1,
  unreleased_partitions: 2,
};

export function memberStateFromCode(code: number): MemberReconcileState | null {
  for (const [k, v] of Object.entries(memberStateCode)) if (v === code) return k as MemberReconcileState;
  return null;
}

export interface ReconciledMember {
  readonly state: MemberReconcileState;
  readonly memberEpoch: number;
  readonly previousMemberEpoch: number;
  readonly assigned: TopicAssignment;
  readonly pendingRevocation: TopicAssignment;
}

export interface ReconcileInput {
  readonly targetEpoch: number;
  readonly target: TopicAssignment;
  /** Whether the member still subscribes to the topic (a topic it left is revoked even if targeted). */
  readonly subscribed: (topicId: string) => boolean;
  /** The epoch of the member holding the partition (assigned or pending revocation), -1 when free. */
  readonly ownerEpoch: (topicId: string, partition: number) => number;
  /** The partitions the member's heartbeat lists, or null when it did not send them. */
  readonly owned: TopicAssignment | null;
}

export function emptyAssignment(): Map<string, Set<number>> {
  return new Map();
}

export function assignmentSize(a: TopicAssignment): number {
  let n = 0;
  for (const s of a.values()) n += s.size;
  return n;
}

export function sameAssignment(a: TopicAssignment, b: TopicAssignment): boolean {
  if (assignmentSize(a) !== assignmentSize(b)) return false;
  for (const [t, s] of a) for (const p of s) if (!b.get(t)?.has(p)) return false;
  return true;
}

/** Whether the member still lists any of `revoking` (a member that sent no list is taken to hold them all). */
function stillOwnsAny(owned: TopicAssignment | null, revoking: TopicAssignment): boolean {
  if (owned === null) return assignmentSize(revoking) > 0;
  for (const [t, s] of owned) for (const p of s) if (revoking.get(t)?.has(p)) return true;
  return false;
}

function withEpoch(m: ReconciledMember, epoch: number): { memberEpoch: number; previousMemberEpoch: number } {
  return epoch === m.memberEpoch
    ? { memberEpoch: m.memberEpoch, previousMemberEpoch: m.previousMemberEpoch }
    : { memberEpoch: epoch, previousMemberEpoch: m.memberEpoch };
}

/** The member's next state towards its target (or the same object when nothing can move yet). */
export function reconcile(m: ReconciledMember, input: ReconcileInput): ReconciledMember {
  switch (m.state) {
    case 'stable':
      return m.memberEpoch !== input.targetEpoch ? nextAssignment(m, input) : m;
    case 'unrevoked_partitions':
      return stillOwnsAny(input.owned, m.pendingRevocation) ? m : nextAssignment(m, input);
    case 'unreleased_partitions':
      return nextAssignment(m, input);
  }
}

function nextAssignment(m: ReconciledMember, input: ReconcileInput): ReconciledMember {
  const assigned = emptyAssignment();
  const revoking = emptyAssignment();
  const adding = emptyAssignment();
  let unreleased = false;
  for (const topicId of new Set([...input.target.keys(), ...m.assigned.keys()])) {
    const target = input.subscribed(topicId) ? (input.target.get(topicId) ?? new Set<number>()) : new Set<number>();
    const current = m.assigned.get(topicId) ?? new Set<number>();
    const keep = new Set([...current].filter((p) => target.has(p)));
    const drop = new Set([...current].filter((p) => !keep.has(p)));
    const add = new Set<number>();
    for (const p of target) {
      if (keep.has(p)) continue;
      // Held by someone (its previous owner revoking it, or another member): not yet. A partition
      // this very member is still revoking is its own and may come straight back.
      const ownRevoking = m.pendingRevocation.get(topicId)?.has(p) === true;
      if (input.ownerEpoch(topicId, p) !== -1 && !ownRevoking) unreleased = true;
      else add.add(p);
    }
    if (keep.size > 0) assigned.set(topicId, keep);
    if (drop.size > 0) revoking.set(topicId, drop);
    if (add.size > 0) adding.set(topicId, add);
  }
  if (assignmentSize(revoking) > 0 && stillOwnsAny(input.owned, revoking)) {
    // Give back first, at the current epoch; nothing new until the member's heartbeat drops them.
    return {
      state: 'unrevoked_partitions',
      ...withEpoch(m, m.memberEpoch),
      assigned,
      pendingRevocation: revoking,
    };
  }
  for (const [t, s] of adding) {
    const into = assigned.get(t) ?? new Set<number>();
    for (const p of s) into.add(p);
    assigned.set(t, into);
  }
  return {
    state: unreleased ? 'unreleased_partitions' : 'stable',
    ...withEpoch(m, input.targetEpoch),
    assigned,
    pendingRevocation: new Map(),
  };
}
