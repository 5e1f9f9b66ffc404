// A consumer group of the KIP-848 protocol as its coordinator holds it (Kafka's ConsumerGroup):
// the group epoch, the target assignment and its epoch, and the members with their subscriptions
// and current assignments. It hangs off a Group (group.ts) whose `consumer` field it is, so the
// committed offsets, loading and deletion stay the classic code's. Pure data and small queries;
// the protocol is consumer-heartbeat.ts.
import type { Timer } from './clock.js';
import { emptyAssignment, type MemberReconcileState, type TopicAssignment } from './reconciliation.js';

/** The states KIP-848 names (ListGroups, DescribeGroups and ConsumerGroupDescribe answer these). */
export type ConsumerGroupStateName = 'Empty' | 'Assigning' | 'Reconciling' | 'Stable';

/** A static member that left with epoch -2: its partitions stay reserved until it returns or its session ends. */
export const leftStaticEpoch = -2;

export class ConsumerMember {
  instanceId: string | null = null;
  rackId: string | null = null;
  clientId = '';
  clientHost = '';
  subscribedTopicNames: string[] = [];
  subscribedTopicRegex: string | null = null;
  rebalanceTimeoutMs = -1;
  serverAssignor: string | null = null;
  state: MemberReconcileState = 'stable';
  memberEpoch = 0;
  previousMemberEpoch = -1;
  assigned: TopicAssignment = emptyAssignment();
  pendingRevocation: TopicAssignment = emptyAssignment();
  sessionTimer: Timer | null = null;
  /** Runs while the member owes partitions back (unrevoked_partitions): its rebalance timeout. */
  revocationTimer: Timer | null = null;

  constructor(readonly memberId: string) {}

  cancelTimers(): void {
    this.sessionTimer?.cancel();
    this.sessionTimer = null;
    this.revocationTimer?.cancel();
    this.revocationTimer = null;
  }
}

export class ConsumerGroupState {
  groupEpoch = 0;
  assignmentEpoch = 0;
  readonly members = new Map<string, ConsumerMember>();
  /** instance id → member id (static members). */
  readonly staticMembers = new Map<string, string>();
  /** member id → its partitions in the target assignment. */
  readonly target = new Map<string, TopicAssignment>();
  /**
   * The subscribed topics (names, ids, partition counts) the last target was computed from; a
   * change bumps the epoch. Null after loading: the next heartbeat adopts what it sees.
   */
  subscriptionSignature: string | null = '';

  stateName(): ConsumerGroupStateName {
    if (this.members.size === 0) return 'Empty';
    if (this.groupEpoch > this.assignmentEpoch) return 'Assigning';
    for (const m of this.members.values())
      if (m.memberEpoch !== this.assignmentEpoch || m.state !== 'stable') return 'Reconciling';
    return 'Stable';
  }

  /** "topicId\0partition" → epoch of the member holding it (assigned or still revoking), but `except`'s. */
  ownerEpochs(except: string): Map<string, number> {
    const out = new Map<string, number>();
    for (const m of this.members.values()) {
      if (m.memberId === except) continue;
      for (const a of [m.assigned, m.pendingRevocation])
        for (const [t, s] of a) for (const p of s) out.set(`${t}\u0000${p}`, m.memberEpoch);
    }
    return out;
  }

  cancelTimers(): void {
    for (const m of this.members.values()) m.cancelTimers();
  }
}
