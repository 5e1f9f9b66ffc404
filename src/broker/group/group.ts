// One consumer group as its coordinator holds it (Kafka's GroupMetadata): members, the state of
// the classic rebalance protocol, the selected protocol, and the committed offsets. Pure data and
// small queries; the protocol's transitions live in classic-rebalance.ts.
//
// States: Empty (no members; offsets may remain) → PreparingRebalance (members (re)join) →
// CompletingRebalance (joined; waiting for the leader's assignment) → Stable. Dead: removed.
import type { Timer } from './clock.js';
import type { ConsumerGroupState } from './consumer-group.js';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface Protocol {
  readonly name: string;
  readonly metadata: Buffer;
}

export interface JoinResult {
  readonly errorCode: number;
  readonly generationId: number;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly leader: string;
  /** JoinGroup v9+: the leader must not compute a new assignment (a static leader rejoined, KIP-814). */
  readonly skipAssignment?: boolean;
  readonly memberId: string;
  readonly members: readonly { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

export interface SyncResult {
  readonly errorCode: number;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly assignment: Buffer;
}

export const emptyBuffer = Buffer.alloc(0);

export function joinError(errorCode: number, memberId = ''): JoinResult {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [] };
}

export function syncError(errorCode: number): SyncResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: emptyBuffer };
}

export interface CommittedOffset {
  readonly offset: number;
  readonly leaderEpoch: number;
  readonly metadata: string;
  readonly commitTimestamp: number;
  /**
   * The log offset of the batch that holds the commit: of two commits of a partition the later
   * one in the log wins. -1 while a transactional commit is still being written.
   */
  readonly batchOffset: number;
}

export class Member {
  assignment: Buffer = Buffer.alloc(0);
  awaitingJoin: ((r: JoinResult) => void) | null = null;
  awaitingSync: ((r: SyncResult) => void) | null = null;
  sessionTimer: Timer | null = null;
  lastHeartbeatMs: number;

  constructor(
    public memberId: string,
    readonly groupInstanceId: string | null,
    readonly clientId: string,
    readonly clientHost: string,
    public rebalanceTimeoutMs: number,
    public sessionTimeoutMs: number,
    public protocolType: string,
    public protocols: readonly Protocol[],
    nowMs: number,
  ) {
    this.lastHeartbeatMs = nowMs;
  }

  metadataFor(protocol: string): Buffer {
    return this.protocols.find((p) => p.name === protocol)?.metadata ?? Buffer.alloc(0);
  }

  sameProtocols(other: readonly Protocol[]): boolean {
    return (
      other.length === this.protocols.length &&
      other.every((p, i) => p.name === this.protocols[i]!.name && p.metadata.equals(this.protocols[i]!.metadata))
    );
  }
}

export function offsetMapKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

export function splitOffsetMapKey(key: string): { topic: string; partition: number } {
  const i = key.lastIndexOf('\u0000');
  return { topic: key.slice(0, i), partition: Number(key.slice(i + 1)) };
}

export class Group {
  state: GroupState = 'Empty';
  protocolType: string | null = null;
  protocolName: string | null = null;
  generation = 0;
  leaderId: string | null = null;
  readonly members = new Map<string, Member>();
  /** group.instance.id → member id (KIP-345). */
  readonly staticMembers = new Map<string, string>();
  /** Member ids handed out with MEMBER_ID_REQUIRED and not yet used to join (KIP-394), with their expiry timers. */
  readonly pendingMembers = new Map<string, Timer>();
  readonly offsets = new Map<string, CommittedOffset>();
  /**
   * Transactional offset commits waiting for their transaction's marker, invisible to OffsetFetch
   * until then (Kafka's pendingTransactionalOffsetCommits): producer id → partition → offset.
   */
  readonly pendingTxnOffsets = new Map<number, Map<string, CommittedOffset>>();
  /** When the group last changed state (offset retention of empty groups counts from here). */
  currentStateTimestamp: number;
  /** The join phase's timer: the initial delay or the rebalance timeout. */
  joinTimer: Timer | null = null;
  /** The initial delay (group.initial.rebalance.delay.ms) of a group that was empty is running. */
  initialDelay: { remainingMs: number; newMemberAdded: boolean } | null = null;
  /** Set for a group of the consumer protocol (KIP-848, ConsumerGroupHeartbeat); null for a classic group. */
  consumer: ConsumerGroupState | null = null;

  constructor(
    readonly groupId: string,
    readonly partition: number,
    nowMs: number,
  ) {
    this.currentStateTimestamp = nowMs;
  }

  transition(to: GroupState, nowMs: number): void {
    this.state = to;
    this.currentStateTimestamp = nowMs;
  }

  get isEmpty(): boolean {
    return this.members.size === 0;
  }

  /** No member of either protocol (offsets may expire, the group may be deleted). */
  get hasNoMembers(): boolean {
    return this.members.size === 0 && (this.consumer === null || this.consumer.members.size === 0);
  }

  /** The protocols every member supports, in no particular order. */
  candidateProtocols(): Set<string> {
    let common: string[] | null = null;
    for (const m of this.members.values()) {
      const names = m.protocols.map((p) => p.name);
      common = common === null ? names : common.filter((n: string) => names.includes(n));
    }
    return new Set<string>(common ?? []);
  }

  /** A joining member's protocols are acceptable if the type matches and one is common to all. */
  supportsProtocols(protocolType: string, protocols: readonly Protocol[]): boolean {
    if (this.isEmpty) return protocolType !== '' && protocols.length > 0;
    if (this.protocolType !== null && this.protocolType !== protocolType) return false;
    const candidates = this.candidateProtocols();
    return protocols.some((p) => candidates.has(p.name));
  }

  /**
   * Kafka's selection: each member votes for the first protocol in its own preference order that
   * every member supports; the most votes win (ties go to the protocol first seen).
   */
  selectProtocol(): string {
    const candidates = this.candidateProtocols();
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const choice = m.protocols.find((p) => candidates.has(p.name));
      if (choice) votes.set(choice.name, (votes.get(choice.name) ?? 0) + 1);
    }
    let best: string | null = null;
    for (const [name, n] of votes) if (best === null || n > votes.get(best)!) best = name;
    if (best === null) throw new Error(`group ${this.groupId}: no protocol common to all members`);
    return best;
  }

  allMembersJoined(): boolean {
    if (this.pendingMembers.size > 0) return false;
    for (const m of this.members.values()) if (m.awaitingJoin === null) return false;
    return true;
  }

  maxRebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  /** A commit becomes the partition's committed offset unless a later one in the log is already there. */
  putOffsetIfNewer(key: string, c: CommittedOffset): void {
    const current = this.offsets.get(key);
    if (current === undefined || current.batchOffset < c.batchOffset) this.offsets.set(key, c);
  }

  hasPendingTxnOffset(key: string): boolean {
    for (const pending of this.pendingTxnOffsets.values()) if (pending.has(key)) return true;
    return false;
  }

  /**
   * A producer's transaction ended (its marker is in the log): on commit its pending offsets join
   * the committed ones where they are the later in the log, on abort they are dropped. Whether
   * the group had any.
   */
  completeTxn(producerId: number, committed: boolean): boolean {
    const pending = this.pendingTxnOffsets.get(producerId);
    if (pending === undefined) return false;
    this.pendingTxnOffsets.delete(producerId);
    if (!committed) return true;
    for (const [k, c] of pending) {
      // A commit still being written when its marker came (Kafka treats this as impossible: the
      // producer ends the transaction only after TxnOffsetCommit answered) is in the log before
      // the marker, so it is committed; its place relative to other commits is unknown, so it wins.
      if (c.batchOffset < 0) this.offsets.set(k, c);
      else this.putOffsetIfNewer(k, c);
    }
    return true;
  }

  isStaticFenced(memberId: string, groupInstanceId: string | null): boolean {
    if (groupInstanceId === null) return false;
    const current = this.staticMembers.get(groupInstanceId);
    return current !== undefined && current !== memberId;
  }
}
