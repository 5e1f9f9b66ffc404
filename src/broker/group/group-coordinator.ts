// The group coordinator (Kafka's GroupCoordinator + GroupMetadataManager, classic protocol): for
// the groups whose `__consumer_offsets` partition this broker leads, it runs the rebalance
// protocol (JoinGroup, SyncGroup, Heartbeat, LeaveGroup), stores group metadata and committed
// offsets in that partition in Kafka's record layouts, and answers the admin views.
//
// Invariants:
// - A group is served only while its offsets partition is led here and has been loaded: its
//   whole log was replayed into memory first (COORDINATOR_LOAD_IN_PROGRESS meanwhile;
//   NOT_COORDINATOR once leadership moves, which also drops the partition's groups).
// - Offsets and assignments are answered as committed only after their records are committed in
//   the partition (acks=all), so a coordinator failover never loses an acknowledged commit.
// - Generations only grow; a member is fenced by ILLEGAL_GENERATION / UNKNOWN_MEMBER_ID /
//   FENCED_INSTANCE_ID as in Kafka.
// - After every await, state is checked again: other requests may have moved the group meanwhile.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ErrorCode } from '../../common/errors.js';
import type { Clock } from './clock.js';
import { Group, Member, offsetMapKey, splitOffsetMapKey, type CommittedOffset, type GroupState, type JoinResult, type Protocol, type SyncResult } from './group.js';
import { decodeGroupValue, decodeKey, decodeOffsetValue, groupKey, groupValue, offsetKey, offsetValue, partitionForGroup, type GroupMetadataValue } from './offsets-records.js';

export interface OffsetsRecord {
  readonly key: Buffer;
  readonly value: Buffer | null;
}

/** The `__consumer_offsets` partitions as the coordinator needs them. */
export interface OffsetsLog {
  /** Append as leader and wait for the records to commit: a Kafka error code (0 on success). */
  append(partition: number, records: readonly OffsetsRecord[]): Promise<number>;
  /** Every record of the partition from its log start to its end, in order. */
  readAll(partition: number): AsyncIterable<{ readonly key: Buffer | null; readonly value: Buffer | null }>;
}

export interface GroupCoordinatorOptions {
  readonly log: OffsetsLog;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly partitionCount: number;
  readonly initialRebalanceDelayMs: number;
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
  readonly maxGroupSize: number;
  readonly offsetMetadataMaxBytes: number;
  readonly offsetsRetentionMs: number;
  /** Whether a topic partition exists (commits to unknown partitions are refused). */
  readonly partitionExists: (topic: string, partition: number) => boolean;
  /** The topics a member's subscription names, for the "consumer" protocol type; null if unknown. */
  readonly subscribedTopics: (protocolType: string, metadata: Buffer) => ReadonlySet<string> | null;
}

export interface JoinRequest {
  readonly groupId: string;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly protocolType: string;
  readonly protocols: readonly Protocol[];
  /** JoinGroup v4+: a member without an id is first given one (MEMBER_ID_REQUIRED), KIP-394. */
  readonly requireKnownMemberId: boolean;
}

export interface OffsetCommitRequestItem {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly leaderEpoch: number;
  readonly metadata: string | null;
}

export interface DescribedGroup {
  readonly errorCode: number;
  readonly groupId: string;
  readonly state: GroupState;
  readonly protocolType: string;
  readonly protocolData: string;
  readonly members: readonly { memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string; metadata: Buffer; assignment: Buffer }[];
}

/** What /metrics shows of a group this broker coordinates. */
export interface GroupView {
  readonly groupId: string;
  readonly state: GroupState;
  readonly generation: number;
  readonly members: number;
  readonly offsets: readonly { topic: string; partition: number; offset: number }[];
}

type PartitionLoad = { state: 'loading'; epoch: number } | { state: 'loaded'; epoch: number };

const emptyBuffer = Buffer.alloc(0);

function joinError(errorCode: number, memberId = ''): JoinResult {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [] };
}

function syncError(errorCode: number): SyncResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: emptyBuffer };
}

/** Kafka's translation of a failed `__consumer_offsets` append into what a group client sees. */
export function coordinatorAppendError(code: number, forCommit: boolean): number {
  switch (code) {
    case ErrorCode.NONE:
      return ErrorCode.NONE;
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return forCommit ? ErrorCode.INVALID_COMMIT_OFFSET_SIZE : ErrorCode.UNKNOWN_SERVER_ERROR;
    default:
      return forCommit ? code : ErrorCode.UNKNOWN_SERVER_ERROR;
  }
}

export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  private readonly partitions = new Map<number, PartitionLoad>();
  private closed = false;

  constructor(private readonly o: GroupCoordinatorOptions) {}

  partitionFor(groupId: string): number {
    return partitionForGroup(groupId, this.o.partitionCount);
  }

  // ------------------------------------------------------------ partition leadership

  /**
   * The offsets partitions this broker now leads, with their leader epochs. Newly led ones are
   * loaded from the log; ones no longer led (or led again under a new epoch: another leader may
   * have written in between) drop their groups.
   */
  setLeadership(led: ReadonlyMap<number, number>): void {
    if (this.closed) return;
    for (const [p, load] of this.partitions) {
      if (led.get(p) !== load.epoch) this.unload(p);
    }
    for (const [p, epoch] of led) {
      if (!this.partitions.has(p)) void this.load(p, epoch);
    }
  }

  /** Whether this broker serves the group: an error code, or NONE. */
  private check(groupId: string): number {
    if (this.closed) return ErrorCode.NOT_COORDINATOR;
    const load = this.partitions.get(this.partitionFor(groupId));
    if (!load) return ErrorCode.NOT_COORDINATOR;
    return load.state === 'loading' ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NONE;
  }

  /** A partition's groups as they stand in its log. */
  private async load(partition: number, epoch: number): Promise<void> {
    const load: PartitionLoad = { state: 'loading', epoch };
    this.partitions.set(partition, load);
    const started = this.o.clock.now();
    const offsets = new Map<string, Map<string, CommittedOffset>>();
    const metadata = new Map<string, GroupMetadataValue | null>();
    let records = 0;
    try {
      for await (const r of this.o.log.readAll(partition)) {
        if (this.partitions.get(partition) !== load) return; // unloaded meanwhile
        if (r.key === null) continue;
        records++;
        const key = decodeKey(r.key);
        if (key.kind === 'offset') {
          let m = offsets.get(key.group);
          if (!m) offsets.set(key.group, (m = new Map()));
          const k = offsetMapKey(key.topic, key.partition);
          if (r.value === null) m.delete(k);
          else {
            const v = decodeOffsetValue(r.value);
            m.set(k, { offset: v.offset, leaderEpoch: v.leaderEpoch, metadata: v.metadata, commitTimestamp: v.commitTimestamp });
          }
        } else {
          metadata.set(key.group, r.value === null ? null : decodeGroupValue(r.value));
        }
      }
    } catch (err) {
      this.o.logger.error({ partition, err: err instanceof Error ? err.message : String(err) }, 'loading consumer groups failed');
      if (this.partitions.get(partition) === load) this.partitions.delete(partition);
      return;
    }
    if (this.partitions.get(partition) !== load) return;
    const now = this.o.clock.now();
    for (const id of new Set([...offsets.keys(), ...metadata.keys()])) {
      const committed = offsets.get(id) ?? new Map<string, CommittedOffset>();
      const meta = metadata.get(id) ?? null;
      if (meta === null && committed.size === 0) continue;
      const g = new Group(id, partition, now);
      for (const [k, v] of committed) g.offsets.set(k, v);
      if (meta !== null) {
        g.protocolType = meta.protocolType === '' ? null : meta.protocolType;
        g.generation = meta.generation;
        g.protocolName = meta.protocol;
        g.leaderId = meta.leader;
        if (meta.currentStateTimestamp >= 0) g.currentStateTimestamp = meta.currentStateTimestamp;
        for (const m of meta.members) {
          const member = new Member(m.memberId, m.groupInstanceId, m.clientId, m.clientHost, m.rebalanceTimeout >= 0 ? m.rebalanceTimeout : m.sessionTimeout, m.sessionTimeout, meta.protocolType, meta.protocol === null ? [] : [{ name: meta.protocol, metadata: m.subscription }], now);
          member.assignment = m.assignment;
          g.members.set(m.memberId, member);
          if (m.groupInstanceId !== null) g.staticMembers.set(m.groupInstanceId, m.memberId);
        }
        g.state = g.members.size > 0 ? 'Stable' : 'Empty';
      }
      this.groups.set(id, g);
      for (const m of g.members.values()) this.scheduleSession(g, m);
    }
    this.partitions.set(partition, { state: 'loaded', epoch });
    this.o.logger.info({ partition, epoch, records, groups: [...this.groups.values()].filter((g) => g.partition === partition).length, ms: now - started }, 'loaded consumer groups');
  }

  private unload(partition: number): void {
    this.partitions.delete(partition);
    for (const g of [...this.groups.values()]) {
      if (g.partition !== partition) continue;
      this.dropGroup(g, ErrorCode.NOT_COORDINATOR);
    }
    this.o.logger.info({ partition }, 'unloaded consumer groups (no longer the offsets partition leader)');
  }

  /** Forget a group here, answering whoever waits with `errorCode`. */
  private dropGroup(g: Group, errorCode: number): void {
    g.joinTimer?.cancel();
    g.joinTimer = null;
    for (const t of g.pendingMembers.values()) t.cancel();
    for (const m of g.members.values()) {
      m.sessionTimer?.cancel();
      this.answerJoin(m, joinError(errorCode, m.memberId));
      this.answerSync(m, syncError(errorCode));
    }
    g.state = 'Dead';
    if (this.groups.get(g.groupId) === g) this.groups.delete(g.groupId);
  }

  close(): void {
    this.closed = true;
    for (const p of [...this.partitions.keys()]) this.unload(p);
  }

  // ------------------------------------------------------------ JoinGroup

  async join(req: JoinRequest): Promise<JoinResult> {
    if (req.groupId === '') return joinError(ErrorCode.INVALID_GROUP_ID, req.memberId);
    const err = this.check(req.groupId);
    if (err !== ErrorCode.NONE) return joinError(err, req.memberId);
    if (req.sessionTimeoutMs < this.o.minSessionTimeoutMs || req.sessionTimeoutMs > this.o.maxSessionTimeoutMs) return joinError(ErrorCode.INVALID_SESSION_TIMEOUT, req.memberId);
    let g = this.groups.get(req.groupId);
    const isUnknown = req.memberId === '';
    if (!g) {
      if (!isUnknown) return joinError(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId);
      g = new Group(req.groupId, this.partitionFor(req.groupId), this.o.clock.now());
      this.groups.set(req.groupId, g);
    }
    if (g.state === 'Dead') return joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, req.memberId);
    if (!g.supportsProtocols(req.protocolType, req.protocols)) return joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, req.memberId);
    return isUnknown ? this.joinUnknown(g, req) : this.joinKnown(g, req);
  }

  private joinUnknown(g: Group, req: JoinRequest): Promise<JoinResult> | JoinResult {
    if (req.groupInstanceId !== null) {
      const oldId = g.staticMembers.get(req.groupInstanceId);
      const newId = `${req.groupInstanceId}-${randomUUID()}`;
      if (oldId !== undefined && g.members.has(oldId)) return this.replaceStaticMember(g, oldId, newId, req);
      if (g.members.size >= this.o.maxGroupSize) return joinError(ErrorCode.GROUP_MAX_SIZE_REACHED);
      return this.addMemberAndRebalance(g, newId, req);
    }
    const newId = `${req.clientId}-${randomUUID()}`;
    if (g.members.size + g.pendingMembers.size >= this.o.maxGroupSize) return joinError(ErrorCode.GROUP_MAX_SIZE_REACHED);
    if (req.requireKnownMemberId) {
      // KIP-394: hand out the id; the member must come back with it within its session timeout.
      g.pendingMembers.set(newId, this.o.clock.schedule(req.sessionTimeoutMs, () => this.expirePending(g, newId)));
      return joinError(ErrorCode.MEMBER_ID_REQUIRED, newId);
    }
    return this.addMemberAndRebalance(g, newId, req);
  }

  private joinKnown(g: Group, req: JoinRequest): Promise<JoinResult> | JoinResult {
    const pendingTimer = g.pendingMembers.get(req.memberId);
    if (pendingTimer) {
      pendingTimer.cancel();
      g.pendingMembers.delete(req.memberId);
      return this.addMemberAndRebalance(g, req.memberId, req);
    }
    if (g.isStaticFenced(req.memberId, req.groupInstanceId)) return joinError(ErrorCode.FENCED_INSTANCE_ID, req.memberId);
    const m = g.members.get(req.memberId);
    if (!m || g.state === 'Empty') return joinError(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId);
    switch (g.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(g, m, req);
      case 'CompletingRebalance':
        if (m.sameProtocols(req.protocols)) {
          // A retried join after the join phase completed: answer it again.
          return this.currentJoinResult(g, m, true);
        }
        return this.updateMemberAndRebalance(g, m, req);
      case 'Stable':
        if (m.memberId === g.leaderId || !m.sameProtocols(req.protocols)) return this.updateMemberAndRebalance(g, m, req);
        return this.currentJoinResult(g, m, false);
      default:
        return joinError(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId);
    }
  }

  private currentJoinResult(g: Group, m: Member, withMembers: boolean): JoinResult {
    const isLeader = m.memberId === g.leaderId;
    return {
      errorCode: ErrorCode.NONE,
      generationId: g.generation,
      protocolType: g.protocolType,
      protocolName: g.protocolName,
      leader: g.leaderId ?? '',
      memberId: m.memberId,
      members: withMembers && isLeader ? this.memberList(g) : [],
    };
  }

  private memberList(g: Group): JoinResult['members'] {
    const protocol = g.protocolName ?? '';
    return [...g.members.values()].map((x) => ({ memberId: x.memberId, groupInstanceId: x.groupInstanceId, metadata: x.metadataFor(protocol) }));
  }

  private addMemberAndRebalance(g: Group, memberId: string, req: JoinRequest): Promise<JoinResult> {
    const now = this.o.clock.now();
    const m = new Member(memberId, req.groupInstanceId, req.clientId, req.clientHost, req.rebalanceTimeoutMs, req.sessionTimeoutMs, req.protocolType, req.protocols, now);
    if (g.isEmpty) g.protocolType = req.protocolType;
    g.members.set(memberId, m);
    if (req.groupInstanceId !== null) g.staticMembers.set(req.groupInstanceId, memberId);
    if (g.leaderId === null) g.leaderId = memberId;
    if (g.initialDelay) g.initialDelay.newMemberAdded = true;
    const answer = this.awaitJoin(m);
    this.scheduleSession(g, m);
    this.maybePrepareRebalance(g, `member ${memberId} joined`);
    this.maybeCompleteJoin(g);
    return answer;
  }

  private updateMemberAndRebalance(g: Group, m: Member, req: JoinRequest): Promise<JoinResult> {
    m.protocols = req.protocols;
    m.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    m.sessionTimeoutMs = req.sessionTimeoutMs;
    // A member that re-sends its join replaces the earlier one, which gets nothing more.
    this.answerJoin(m, joinError(ErrorCode.UNKNOWN_MEMBER_ID, m.memberId));
    const answer = this.awaitJoin(m);
    this.scheduleSession(g, m);
    this.maybePrepareRebalance(g, `member ${m.memberId} rejoined`);
    this.maybeCompleteJoin(g);
    return answer;
  }

  /**
   * KIP-345: a static member rejoining without its member id takes over the old one's place. In a
   * stable group it gets its assignment back without a rebalance (the answer names the old
   * leader id, so even a former leader does not recompute assignments); otherwise it joins the
   * rebalance in progress. The old member id is fenced.
   */
  private async replaceStaticMember(g: Group, oldId: string, newId: string, req: JoinRequest): Promise<JoinResult> {
    const old = g.members.get(oldId)!;
    const m = new Member(newId, req.groupInstanceId, req.clientId, req.clientHost, req.rebalanceTimeoutMs, req.sessionTimeoutMs, req.protocolType, req.protocols, this.o.clock.now());
    m.assignment = old.assignment;
    old.sessionTimer?.cancel();
    this.answerJoin(old, joinError(ErrorCode.FENCED_INSTANCE_ID, oldId));
    this.answerSync(old, syncError(ErrorCode.FENCED_INSTANCE_ID));
    g.members.delete(oldId);
    g.members.set(newId, m);
    g.staticMembers.set(req.groupInstanceId!, newId);
    const previousLeader = g.leaderId;
    if (g.leaderId === oldId) g.leaderId = newId;
    this.scheduleSession(g, m);
    if (g.state !== 'Stable') {
      const answer = this.awaitJoin(m);
      this.maybePrepareRebalance(g, `static member ${req.groupInstanceId} rejoined`);
      this.maybeCompleteJoin(g);
      return answer;
    }
    const generation = g.generation;
    const code = coordinatorAppendError(await this.o.log.append(g.partition, [this.groupRecord(g)]), false);
    if (code !== ErrorCode.NONE) {
      // Could not record the replacement: put the old member back, as Kafka does.
      if (g.members.get(newId) === m && g.generation === generation) {
        m.sessionTimer?.cancel();
        g.members.delete(newId);
        g.members.set(oldId, old);
        g.staticMembers.set(req.groupInstanceId!, oldId);
        if (g.leaderId === newId) g.leaderId = oldId;
        this.scheduleSession(g, old);
      }
      return joinError(code, '');
    }
    if (g.members.get(newId) !== m) return joinError(ErrorCode.FENCED_INSTANCE_ID, newId);
    return {
      errorCode: ErrorCode.NONE,
      generationId: g.generation,
      protocolType: g.protocolType,
      protocolName: g.protocolName,
      leader: previousLeader ?? '',
      memberId: newId,
      members: [],
    };
  }

  private awaitJoin(m: Member): Promise<JoinResult> {
    return new Promise((resolve) => {
      m.awaitingJoin = resolve;
    });
  }

  private answerJoin(m: Member, r: JoinResult): void {
    const cb = m.awaitingJoin;
    m.awaitingJoin = null;
    cb?.(r);
  }

  private answerSync(m: Member, r: SyncResult): void {
    const cb = m.awaitingSync;
    m.awaitingSync = null;
    cb?.(r);
  }

  private maybePrepareRebalance(g: Group, reason: string): void {
    if (g.state === 'Stable' || g.state === 'CompletingRebalance' || g.state === 'Empty') this.prepareRebalance(g, reason);
  }

  private prepareRebalance(g: Group, reason: string): void {
    const now = this.o.clock.now();
    if (g.state === 'CompletingRebalance') {
      // The assignment being computed is void: members sync again after rejoining.
      for (const m of g.members.values()) {
        m.assignment = emptyBuffer;
        this.answerSync(m, syncError(ErrorCode.REBALANCE_IN_PROGRESS));
      }
    }
    const wasEmpty = g.state === 'Empty';
    g.joinTimer?.cancel();
    g.transition('PreparingRebalance', now);
    const rebalanceTimeout = g.maxRebalanceTimeoutMs();
    if (wasEmpty && this.o.initialRebalanceDelayMs > 0) {
      // group.initial.rebalance.delay.ms: let more members of a starting group arrive first.
      g.initialDelay = { remainingMs: Math.max(0, rebalanceTimeout - this.o.initialRebalanceDelayMs), newMemberAdded: false };
      g.joinTimer = this.o.clock.schedule(Math.min(this.o.initialRebalanceDelayMs, rebalanceTimeout), () => this.initialDelayElapsed(g));
    } else {
      g.initialDelay = null;
      g.joinTimer = this.o.clock.schedule(rebalanceTimeout, () => this.completeJoin(g));
    }
    this.o.logger.info({ group: g.groupId, generation: g.generation, reason }, 'preparing to rebalance group');
    this.maybeCompleteJoin(g); // e.g. the last member left: nobody to wait for
  }

  private initialDelayElapsed(g: Group): void {
    g.joinTimer = null;
    const d = g.initialDelay;
    if (!d || g.state !== 'PreparingRebalance') return;
    // Members kept arriving: wait one more delay, within the rebalance timeout.
    if (d.newMemberAdded && d.remainingMs > 0) {
      const step = Math.min(this.o.initialRebalanceDelayMs, d.remainingMs);
      g.initialDelay = { remainingMs: d.remainingMs - step, newMemberAdded: false };
      g.joinTimer = this.o.clock.schedule(step, () => this.initialDelayElapsed(g));
      return;
    }
    g.initialDelay = null;
    this.completeJoin(g);
  }

  private maybeCompleteJoin(g: Group): void {
    if (g.state === 'PreparingRebalance' && g.initialDelay === null && g.allMembersJoined()) this.completeJoin(g);
  }

  /** The join phase ends: members that did not rejoin are dropped, a new generation begins. */
  private completeJoin(g: Group): void {
    if (g.state !== 'PreparingRebalance' || this.groups.get(g.groupId) !== g) return;
    g.joinTimer?.cancel();
    g.joinTimer = null;
    g.initialDelay = null;
    for (const m of [...g.members.values()]) {
      if (m.awaitingJoin === null) this.removeMember(g, m, 'did not rejoin within the rebalance timeout');
    }
    const now = this.o.clock.now();
    g.generation++;
    if (g.isEmpty) {
      g.protocolName = null;
      g.leaderId = null;
      g.transition('Empty', now);
      this.o.logger.info({ group: g.groupId, generation: g.generation }, 'group is empty');
      void this.o.log.append(g.partition, [this.groupRecord(g)]).then((code) => {
        if (code !== ErrorCode.NONE) this.o.logger.warn({ group: g.groupId, code }, 'could not record the empty group');
      });
      return;
    }
    g.protocolName = g.selectProtocol();
    if (g.leaderId === null || !g.members.has(g.leaderId)) g.leaderId = g.members.keys().next().value!;
    g.transition('CompletingRebalance', now);
    this.o.logger.info({ group: g.groupId, generation: g.generation, protocol: g.protocolName, members: g.members.size, leader: g.leaderId }, 'group joined; waiting for the leader to assign');
    for (const m of g.members.values()) {
      this.answerJoin(m, this.currentJoinResult(g, m, true));
      m.lastHeartbeatMs = now;
      this.scheduleSession(g, m);
    }
  }

  private removeMember(g: Group, m: Member, reason: string): void {
    m.sessionTimer?.cancel();
    m.sessionTimer = null;
    this.answerJoin(m, joinError(ErrorCode.UNKNOWN_MEMBER_ID, m.memberId));
    this.answerSync(m, syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    g.members.delete(m.memberId);
    if (m.groupInstanceId !== null && g.staticMembers.get(m.groupInstanceId) === m.memberId) g.staticMembers.delete(m.groupInstanceId);
    if (g.leaderId === m.memberId) g.leaderId = g.members.keys().next().value ?? null;
    this.o.logger.info({ group: g.groupId, member: m.memberId, reason }, 'member removed from group');
  }

  /** A member left or expired: the rest rebalance (or the join in progress may now complete). */
  private memberGone(g: Group, m: Member, reason: string): void {
    this.removeMember(g, m, reason);
    if (g.state === 'Stable' || g.state === 'CompletingRebalance') this.prepareRebalance(g, reason);
    else if (g.state === 'PreparingRebalance') this.maybeCompleteJoin(g);
  }

  private expirePending(g: Group, memberId: string): void {
    if (!g.pendingMembers.delete(memberId)) return;
    if (g.state === 'PreparingRebalance') this.maybeCompleteJoin(g);
  }

  // ------------------------------------------------------------ sessions

  /** (Re)arm a member's session timer. Members waiting in a join or sync are kept alive. */
  private scheduleSession(g: Group, m: Member): void {
    m.sessionTimer?.cancel();
    m.sessionTimer = this.o.clock.schedule(m.sessionTimeoutMs, () => {
      m.sessionTimer = null;
      if (g.members.get(m.memberId) !== m || this.groups.get(g.groupId) !== g) return;
      if (m.awaitingJoin !== null || m.awaitingSync !== null) {
        this.scheduleSession(g, m);
        return;
      }
      this.memberGone(g, m, `session timeout (${m.sessionTimeoutMs} ms) expired`);
    });
  }

  // ------------------------------------------------------------ SyncGroup

  async sync(req: { groupId: string; generationId: number; memberId: string; groupInstanceId: string | null; protocolType: string | null; protocolName: string | null; assignments: readonly { memberId: string; assignment: Buffer }[] }): Promise<SyncResult> {
    const err = this.check(req.groupId);
    if (err !== ErrorCode.NONE) return syncError(err);
    const g = this.groups.get(req.groupId);
    if (!g) return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
    if (g.isStaticFenced(req.memberId, req.groupInstanceId)) return syncError(ErrorCode.FENCED_INSTANCE_ID);
    const m = g.members.get(req.memberId);
    if (!m) return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
    if (req.generationId !== g.generation) return syncError(ErrorCode.ILLEGAL_GENERATION);
    if ((req.protocolType !== null && req.protocolType !== g.protocolType) || (req.protocolName !== null && req.protocolName !== g.protocolName)) return syncError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    switch (g.state) {
      case 'Empty':
        return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
      case 'PreparingRebalance':
        return syncError(ErrorCode.REBALANCE_IN_PROGRESS);
      case 'Stable':
        this.scheduleSession(g, m);
        return { errorCode: ErrorCode.NONE, protocolType: g.protocolType, protocolName: g.protocolName, assignment: m.assignment };
      case 'Dead':
        return syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      case 'CompletingRebalance':
        break;
    }
    this.answerSync(m, syncError(ErrorCode.REBALANCE_IN_PROGRESS)); // a retried sync replaces the earlier one
    const answer = new Promise<SyncResult>((resolve) => {
      m.awaitingSync = resolve;
    });
    this.scheduleSession(g, m);
    if (req.memberId === g.leaderId) void this.storeAssignment(g, req.assignments);
    return answer;
  }

  private async storeAssignment(g: Group, assignments: readonly { memberId: string; assignment: Buffer }[]): Promise<void> {
    const generation = g.generation;
    const given = new Map(assignments.map((a) => [a.memberId, a.assignment]));
    const next = new Map<string, Buffer>();
    for (const id of g.members.keys()) next.set(id, given.get(id) ?? emptyBuffer);
    const code = coordinatorAppendError(await this.o.log.append(g.partition, [this.groupRecord(g, next)]), false);
    if (g.generation !== generation || g.state !== 'CompletingRebalance' || this.groups.get(g.groupId) !== g) return;
    if (code !== ErrorCode.NONE) {
      for (const m of g.members.values()) this.answerSync(m, syncError(code));
      this.prepareRebalance(g, `storing the assignment failed (error ${code})`);
      return;
    }
    g.transition('Stable', this.o.clock.now());
    for (const m of g.members.values()) {
      m.assignment = next.get(m.memberId) ?? emptyBuffer;
      this.answerSync(m, { errorCode: ErrorCode.NONE, protocolType: g.protocolType, protocolName: g.protocolName, assignment: m.assignment });
    }
    this.o.logger.info({ group: g.groupId, generation: g.generation }, 'group is stable');
  }

  // ------------------------------------------------------------ Heartbeat, LeaveGroup

  heartbeat(req: { groupId: string; generationId: number; memberId: string; groupInstanceId: string | null }): number {
    const err = this.check(req.groupId);
    if (err !== ErrorCode.NONE) return err;
    const g = this.groups.get(req.groupId);
    if (!g) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (g.isStaticFenced(req.memberId, req.groupInstanceId)) return ErrorCode.FENCED_INSTANCE_ID;
    const m = g.members.get(req.memberId);
    if (!m || g.state === 'Empty' || g.state === 'Dead') return g.state === 'Dead' ? ErrorCode.COORDINATOR_NOT_AVAILABLE : ErrorCode.UNKNOWN_MEMBER_ID;
    if (req.generationId !== g.generation) return ErrorCode.ILLEGAL_GENERATION;
    m.lastHeartbeatMs = this.o.clock.now();
    this.scheduleSession(g, m);
    return g.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  /** LeaveGroup: an error for the whole request, or one per member. */
  leave(groupId: string, members: readonly { memberId: string; groupInstanceId: string | null }[]): { errorCode: number; members: { memberId: string; groupInstanceId: string | null; errorCode: number }[] } {
    const err = this.check(groupId);
    if (err !== ErrorCode.NONE) return { errorCode: err, members: [] };
    const g = this.groups.get(groupId);
    if (!g || g.state === 'Dead') return { errorCode: ErrorCode.UNKNOWN_MEMBER_ID, members: members.map((m) => ({ ...m, errorCode: ErrorCode.UNKNOWN_MEMBER_ID })) };
    const out = members.map((req) => {
      let memberId = req.memberId;
      if (req.groupInstanceId !== null) {
        const current = g.staticMembers.get(req.groupInstanceId);
        if (current === undefined) return { ...req, errorCode: ErrorCode.UNKNOWN_MEMBER_ID };
        if (memberId !== '' && memberId !== current) return { ...req, errorCode: ErrorCode.FENCED_INSTANCE_ID };
        memberId = current;
      }
      const pending = g.pendingMembers.get(memberId);
      if (pending) {
        pending.cancel();
        g.pendingMembers.delete(memberId);
        if (g.state === 'PreparingRebalance') this.maybeCompleteJoin(g);
        return { ...req, errorCode: ErrorCode.NONE };
      }
      const m = g.members.get(memberId);
      if (!m) return { ...req, errorCode: ErrorCode.UNKNOWN_MEMBER_ID };
      this.memberGone(g, m, 'left the group');
      return { ...req, errorCode: ErrorCode.NONE };
    });
    return { errorCode: ErrorCode.NONE, members: out };
  }

  // ------------------------------------------------------------ offsets

  async commitOffsets(req: { groupId: string; generationId: number; memberId: string; groupInstanceId: string | null; offsets: readonly OffsetCommitRequestItem[] }): Promise<number[]> {
    const all = (code: number): number[] => req.offsets.map(() => code);
    const err = this.check(req.groupId);
    if (err !== ErrorCode.NONE) return all(err);
    let g = this.groups.get(req.groupId);
    if (!g) {
      if (req.generationId >= 0) return all(ErrorCode.ILLEGAL_GENERATION);
      g = new Group(req.groupId, this.partitionFor(req.groupId), this.o.clock.now());
      this.groups.set(req.groupId, g);
    } else {
      const code = this.commitCheck(g, req);
      if (code !== ErrorCode.NONE) return all(code);
    }
    const now = this.o.clock.now();
    const codes: number[] = req.offsets.map((o) => {
      if (!this.o.partitionExists(o.topic, o.partition)) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      if (o.metadata !== null && Buffer.byteLength(o.metadata) > this.o.offsetMetadataMaxBytes) return ErrorCode.OFFSET_METADATA_TOO_LARGE;
      return ErrorCode.NONE;
    });
    const accepted = req.offsets.flatMap((o, i) => (codes[i] === ErrorCode.NONE ? [{ i, o, v: { offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata ?? '', commitTimestamp: now } }] : []));
    if (accepted.length === 0) return codes;
    const written = coordinatorAppendError(await this.o.log.append(g.partition, accepted.map(({ o, v }) => ({ key: offsetKey(req.groupId, o.topic, o.partition), value: offsetValue(v) }))), true);
    for (const { i, o, v } of accepted) {
      codes[i] = written;
      if (written === ErrorCode.NONE && this.groups.get(req.groupId) === g) g.offsets.set(offsetMapKey(o.topic, o.partition), v);
    }
    return codes;
  }

  private commitCheck(g: Group, req: { generationId: number; memberId: string; groupInstanceId: string | null }): number {
    if (g.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (g.isStaticFenced(req.memberId, req.groupInstanceId)) return ErrorCode.FENCED_INSTANCE_ID;
    if (req.generationId < 0 && g.state === 'Empty') return ErrorCode.NONE; // a commit from outside the group (tools, assign-only consumers)
    if (g.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    if (!g.members.has(req.memberId)) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (req.generationId !== g.generation) return ErrorCode.ILLEGAL_GENERATION;
    return ErrorCode.NONE;
  }

  /** OffsetFetch: the committed offsets (all of them when `partitions` is null); -1 where none. */
  fetchOffsets(groupId: string, partitions: readonly { topic: string; partition: number }[] | null): { errorCode: number; offsets: { topic: string; partition: number; offset: number; leaderEpoch: number; metadata: string | null }[] } {
    const err = this.check(groupId);
    if (err !== ErrorCode.NONE) return { errorCode: err, offsets: [] };
    const g = this.groups.get(groupId);
    const want = partitions ?? [...(g?.offsets.keys() ?? [])].map(splitOffsetMapKey);
    return {
      errorCode: ErrorCode.NONE,
      offsets: want.map(({ topic, partition }) => {
        const c = g?.offsets.get(offsetMapKey(topic, partition));
        return c ? { topic, partition, offset: c.offset, leaderEpoch: c.leaderEpoch, metadata: c.metadata } : { topic, partition, offset: -1, leaderEpoch: -1, metadata: '' };
      }),
    };
  }

  /** OffsetDelete: forget committed offsets of topics the group no longer consumes. */
  async deleteOffsets(groupId: string, partitions: readonly { topic: string; partition: number }[]): Promise<{ errorCode: number; partitions: number[] }> {
    const err = this.check(groupId);
    if (err !== ErrorCode.NONE) return { errorCode: err, partitions: [] };
    const g = this.groups.get(groupId);
    if (!g || g.state === 'Dead') return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, partitions: [] };
    let subscribed: ReadonlySet<string> | null = new Set();
    if (g.state !== 'Empty') {
      subscribed = this.subscribedTopics(g);
      if (subscribed === null) return { errorCode: ErrorCode.NON_EMPTY_GROUP, partitions: [] };
    }
    const codes: number[] = partitions.map((p) => (subscribed!.has(p.topic) ? ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC : ErrorCode.NONE));
    const gone = partitions.filter((p, i) => codes[i] === ErrorCode.NONE && g.offsets.has(offsetMapKey(p.topic, p.partition)));
    if (gone.length > 0) {
      const code = coordinatorAppendError(await this.o.log.append(g.partition, gone.map((p) => ({ key: offsetKey(groupId, p.topic, p.partition), value: null }))), false);
      if (code !== ErrorCode.NONE) return { errorCode: code, partitions: [] };
      for (const p of gone) g.offsets.delete(offsetMapKey(p.topic, p.partition));
    }
    return { errorCode: ErrorCode.NONE, partitions: codes };
  }

  /** The topics the group's members subscribe to, or null when its protocol type is not understood. */
  private subscribedTopics(g: Group): ReadonlySet<string> | null {
    const out = new Set<string>();
    for (const m of g.members.values()) {
      const topics = this.o.subscribedTopics(g.protocolType ?? '', m.metadataFor(g.protocolName ?? m.protocols[0]?.name ?? ''));
      if (topics === null) return null;
      for (const t of topics) out.add(t);
    }
    return out;
  }

  /**
   * offsets.retention.minutes: offsets of an empty group expire that long after it became empty
   * (or, for a group that never had members, after their commit); a consumer group's offsets for
   * topics it no longer subscribes to expire that long after their commit. A group left with no
   * members and no offsets is deleted.
   */
  async expireOffsets(): Promise<number> {
    const now = this.o.clock.now();
    let expired = 0;
    for (const g of [...this.groups.values()]) {
      if (this.check(g.groupId) !== ErrorCode.NONE || g.state === 'Dead') continue;
      let gone: string[] = [];
      if (g.state === 'Empty') {
        gone = [...g.offsets].filter(([, c]) => (g.protocolType === null ? c.commitTimestamp : g.currentStateTimestamp) + this.o.offsetsRetentionMs <= now).map(([k]) => k);
      } else if (g.state === 'Stable' && g.protocolType === 'consumer') {
        const topics = this.subscribedTopics(g);
        if (topics) gone = [...g.offsets].filter(([k, c]) => !topics.has(splitOffsetMapKey(k).topic) && c.commitTimestamp + this.o.offsetsRetentionMs <= now).map(([k]) => k);
      }
      const deleteGroup = g.state === 'Empty' && g.offsets.size === gone.length;
      if (gone.length === 0 && !deleteGroup) continue;
      const records: { key: Buffer; value: null }[] = gone.map((k) => {
        const { topic, partition } = splitOffsetMapKey(k);
        return { key: offsetKey(g.groupId, topic, partition), value: null };
      });
      if (deleteGroup) records.push({ key: groupKey(g.groupId), value: null });
      const code = await this.o.log.append(g.partition, records);
      if (code !== ErrorCode.NONE || this.groups.get(g.groupId) !== g) continue;
      for (const k of gone) g.offsets.delete(k);
      expired += gone.length;
      if (deleteGroup && g.state === 'Empty' && g.offsets.size === 0) this.dropGroup(g, ErrorCode.COORDINATOR_NOT_AVAILABLE);
      this.o.logger.info({ group: g.groupId, offsets: gone.length, groupDeleted: deleteGroup }, 'expired committed offsets');
    }
    return expired;
  }

  // ------------------------------------------------------------ admin views

  listGroups(states: readonly string[]): { errorCode: number; groups: { groupId: string; protocolType: string; state: GroupState }[] } {
    if (this.closed) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groups: [] };
    const loading = [...this.partitions.values()].some((p) => p.state === 'loading');
    const wanted = new Set(states.map((s) => s.toLowerCase()));
    const groups = [...this.groups.values()]
      .filter((g) => g.state !== 'Dead' && this.check(g.groupId) === ErrorCode.NONE && (wanted.size === 0 || wanted.has(g.state.toLowerCase())))
      .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', state: g.state }));
    return { errorCode: loading ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NONE, groups };
  }

  describeGroup(groupId: string): DescribedGroup {
    const none = (errorCode: number, state: GroupState): DescribedGroup => ({ errorCode, groupId, state, protocolType: '', protocolData: '', members: [] });
    const err = this.check(groupId);
    if (err !== ErrorCode.NONE) return none(err, 'Dead');
    const g = this.groups.get(groupId);
    if (!g) return none(ErrorCode.NONE, 'Dead');
    const stable = g.state === 'Stable';
    return {
      errorCode: ErrorCode.NONE,
      groupId,
      state: g.state,
      protocolType: g.protocolType ?? '',
      protocolData: stable ? (g.protocolName ?? '') : '',
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: stable ? m.metadataFor(g.protocolName ?? '') : emptyBuffer,
        assignment: stable ? m.assignment : emptyBuffer,
      })),
    };
  }

  /** DeleteGroups: only groups without members; their offsets and metadata get tombstones. */
  async deleteGroup(groupId: string): Promise<number> {
    const err = this.check(groupId);
    if (err !== ErrorCode.NONE) return err;
    const g = this.groups.get(groupId);
    if (!g || g.state === 'Dead') return ErrorCode.GROUP_ID_NOT_FOUND;
    if (g.state !== 'Empty') return ErrorCode.NON_EMPTY_GROUP;
    const records: OffsetsRecord[] = [...g.offsets.keys()].map((k) => {
      const { topic, partition } = splitOffsetMapKey(k);
      return { key: offsetKey(groupId, topic, partition), value: null };
    });
    records.push({ key: groupKey(groupId), value: null });
    const code = coordinatorAppendError(await this.o.log.append(g.partition, records), false);
    if (code !== ErrorCode.NONE) return code;
    if (this.groups.get(groupId) === g) {
      if (g.state !== 'Empty') return ErrorCode.NON_EMPTY_GROUP; // a member joined while the tombstones were written
      this.dropGroup(g, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }
    return ErrorCode.NONE;
  }

  /** The groups served here, for /metrics. */
  views(): GroupView[] {
    return [...this.groups.values()]
      .filter((g) => g.state !== 'Dead' && this.check(g.groupId) === ErrorCode.NONE)
      .map((g) => ({
        groupId: g.groupId,
        state: g.state,
        generation: g.generation,
        members: g.members.size,
        offsets: [...g.offsets].map(([k, c]) => ({ ...splitOffsetMapKey(k), offset: c.offset })),
      }));
  }

  // ------------------------------------------------------------ records

  private groupRecord(g: Group, assignments?: ReadonlyMap<string, Buffer>): OffsetsRecord {
    const protocol = g.protocolName;
    return {
      key: groupKey(g.groupId),
      value: groupValue({
        protocolType: g.protocolType ?? '',
        generation: g.generation,
        protocol,
        leader: g.leaderId,
        currentStateTimestamp: g.currentStateTimestamp,
        members: [...g.members.values()].map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          rebalanceTimeout: m.rebalanceTimeoutMs,
          sessionTimeout: m.sessionTimeoutMs,
          subscription: m.metadataFor(protocol ?? ''),
          assignment: assignments?.get(m.memberId) ?? m.assignment,
        })),
      }),
    };
  }
}
