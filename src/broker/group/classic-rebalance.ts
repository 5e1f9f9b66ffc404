// The classic rebalance protocol of one coordinator (Kafka's GroupCoordinator, classic groups):
// JoinGroup, SyncGroup, Heartbeat and LeaveGroup drive a group through Empty →
// PreparingRebalance → CompletingRebalance → Stable, with member sessions, KIP-394 pending
// members and KIP-345 static members. GroupCoordinator owns the groups and calls in here.
//
// Invariants:
// - Generations only grow; a member is fenced by ILLEGAL_GENERATION / UNKNOWN_MEMBER_ID /
//   FENCED_INSTANCE_ID as in Kafka.
// - An assignment is answered only after its group record is committed in the offsets partition.
// - After every await, state is checked again: other requests may have moved the group meanwhile.
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../../common/errors.js';
import { CoordinatorPart, type JoinRequest } from './coordinator-types.js';
import { emptyBuffer, Group, joinError, Member, syncError, type JoinResult, type SyncResult } from './group.js';
import { coordinatorAppendError, type OffsetsRecord } from './offsets-log.js';
import { groupKey, groupValue } from './offsets-records.js';
import { consumerGroupKey } from './consumer-records.js';

/** A client's JoinGroup (v8+) / LeaveGroup (v5+) reason is logged up to this many characters. */
const clientReasonLoggedCharsMax = 200;

/** " (reason: …)" for a client-given reason, or nothing. */
function reasonSuffix(reason: string | null): string {
  return reason ? ` (reason: ${reason.slice(0, clientReasonLoggedCharsMax)})` : '';
}

export class ClassicRebalance extends CoordinatorPart {
  /** Forget a group here, answering whoever waits with `errorCode`. */
  dropGroup(g: Group, errorCode: number): void {
    g.joinTimer?.cancel();
    g.joinTimer = null;
    for (const t of g.pendingMembers.values()) t.cancel();
    for (const m of g.members.values()) {
      m.sessionTimer?.cancel();
      this.answerJoin(m, joinError(errorCode, m.memberId));
      this.answerSync(m, syncError(errorCode));
    }
    g.consumer?.cancelTimers();
    g.state = 'Dead';
    if (this.groups.get(g.groupId) === g) this.groups.delete(g.groupId);
  }

  /**
   * An empty consumer group joined by a classic member becomes a classic group: its consumer
   * records get tombstones (appended before the classic group record the rebalance writes).
   */
  private takeOverEmptyConsumerGroup(g: Group): void {
    g.consumer = null;
    const records = [consumerGroupKey(3, g.groupId), consumerGroupKey(6, g.groupId)].map((key) => ({
      key,
      value: null,
    }));
    void this.o.log.append(g.partition, records).then((r) => {
      if (r.errorCode !== ErrorCode.NONE)
        this.o.logger.warn({ group: g.groupId, errorCode: r.errorCode }, 'consumer group tombstones not written');
    });
    this.o.logger.info({ group: g.groupId }, 'empty consumer group converted to a classic group');
  }

  // ------------------------------------------------------------ JoinGroup

  async join(req: JoinRequest): Promise<JoinResult> {
    if (req.groupId === '') return joinError(ErrorCode.INVALID_GROUP_ID, req.memberId);
    const err = this.check(req.groupId);
    if (err !== ErrorCode.NONE) return joinError(err, req.memberId);
    if (req.sessionTimeoutMs < this.o.minSessionTimeoutMs || req.sessionTimeoutMs > this.o.maxSessionTimeoutMs)
      return joinError(ErrorCode.INVALID_SESSION_TIMEOUT, req.memberId);
    let g = this.groups.get(req.groupId);
    const isUnknown = req.memberId === '';
    if (!g) {
      if (!isUnknown) return joinError(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId);
      g = new Group(req.groupId, this.partitionFor(req.groupId), this.o.clock.now());
      this.groups.set(req.groupId, g);
    }
    if (g.state === 'Dead') return joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, req.memberId);
    if (g.consumer !== null) {
      // A consumer group (KIP-848) with members refuses classic members; an empty one becomes classic.
      if (g.consumer.members.size > 0) return joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, req.memberId);
      this.takeOverEmptyConsumerGroup(g);
    }
    if (!g.supportsProtocols(req.protocolType, req.protocols))
      return joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, req.memberId);
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
    if (g.members.size + g.pendingMembers.size >= this.o.maxGroupSize)
      return joinError(ErrorCode.GROUP_MAX_SIZE_REACHED);
    if (req.requireKnownMemberId) {
      // KIP-394: hand out the id; the member must come back with it within its session timeout.
      g.pendingMembers.set(
        newId,
        this.o.clock.schedule(req.sessionTimeoutMs, () => this.expirePending(g, newId)),
      );
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
    if (g.isStaticFenced(req.memberId, req.groupInstanceId))
      return joinError(ErrorCode.FENCED_INSTANCE_ID, req.memberId);
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
        if (m.memberId === g.leaderId || !m.sameProtocols(req.protocols))
          return this.updateMemberAndRebalance(g, m, req);
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
    return [...g.members.values()].map((x) => ({
      memberId: x.memberId,
      groupInstanceId: x.groupInstanceId,
      metadata: x.metadataFor(protocol),
    }));
  }

  private addMemberAndRebalance(g: Group, memberId: string, req: JoinRequest): Promise<JoinResult> {
    const now = this.o.clock.now();
    const m = new Member(
      memberId,
      req.groupInstanceId,
      req.clientId,
      req.clientHost,
      req.rebalanceTimeoutMs,
      req.sessionTimeoutMs,
      req.protocolType,
      req.protocols,
      now,
    );
    if (g.isEmpty) g.protocolType = req.protocolType;
    g.members.set(memberId, m);
    if (req.groupInstanceId !== null) g.staticMembers.set(req.groupInstanceId, memberId);
    if (g.leaderId === null) g.leaderId = memberId;
    if (g.initialDelay) g.initialDelay.newMemberAdded = true;
    const answer = this.awaitJoin(m);
    this.scheduleSession(g, m);
    this.maybePrepareRebalance(g, `member ${memberId} joined${reasonSuffix(req.reason ?? null)}`);
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
    this.maybePrepareRebalance(g, `member ${m.memberId} rejoined${reasonSuffix(req.reason ?? null)}`);
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
    const m = new Member(
      newId,
      req.groupInstanceId,
      req.clientId,
      req.clientHost,
      req.rebalanceTimeoutMs,
      req.sessionTimeoutMs,
      req.protocolType,
      req.protocols,
      this.o.clock.now(),
    );
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
    const code = coordinatorAppendError((await this.o.log.append(g.partition, [this.groupRecord(g)])).errorCode, false);
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
    // KIP-814: a v9+ leader learns it leads (and who the members are) but keeps the assignment.
    const skipAssignment = req.supportsSkipAssignment === true && g.leaderId === newId;
    return {
      errorCode: ErrorCode.NONE,
      generationId: g.generation,
      protocolType: g.protocolType,
      protocolName: g.protocolName,
      leader: (req.supportsSkipAssignment === true ? g.leaderId : previousLeader) ?? '',
      skipAssignment,
      memberId: newId,
      members: skipAssignment ? this.memberList(g) : [],
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
    if (g.state === 'Stable' || g.state === 'CompletingRebalance' || g.state === 'Empty')
      this.prepareRebalance(g, reason);
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
    this.rebalances.started++;
    const rebalanceTimeout = g.maxRebalanceTimeoutMs();
    if (wasEmpty && this.o.initialRebalanceDelayMs > 0) {
      // group.initial.rebalance.delay.ms: let more members of a starting group arrive first.
      g.initialDelay = {
        remainingMs: Math.max(0, rebalanceTimeout - this.o.initialRebalanceDelayMs),
        newMemberAdded: false,
      };
      g.joinTimer = this.o.clock.schedule(Math.min(this.o.initialRebalanceDelayMs, rebalanceTimeout), () =>
        this.initialDelayElapsed(g),
      );
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
      void this.o.log.append(g.partition, [this.groupRecord(g)]).then(({ errorCode: code }) => {
        if (code !== ErrorCode.NONE) this.o.logger.warn({ group: g.groupId, code }, 'could not record the empty group');
      });
      return;
    }
    g.protocolName = g.selectProtocol();
    if (g.leaderId === null || !g.members.has(g.leaderId)) g.leaderId = g.members.keys().next().value!;
    g.transition('CompletingRebalance', now);
    this.o.logger.info(
      {
        group: g.groupId,
        generation: g.generation,
        protocol: g.protocolName,
        members: g.members.size,
        leader: g.leaderId,
      },
      'group joined; waiting for the leader to assign',
    );
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
    if (m.groupInstanceId !== null && g.staticMembers.get(m.groupInstanceId) === m.memberId)
      g.staticMembers.delete(m.groupInstanceId);
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
  scheduleSession(g: Group, m: Member): void {
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

  async sync(req: {
    groupId: string;
    generationId: number;
    memberId: string;
    groupInstanceId: string | null;
    protocolType: string | null;
    protocolName: string | null;
    assignments: readonly { memberId: string; assignment: Buffer }[];
  }): Promise<SyncResult> {
    const err = this.check(req.groupId);
    if (err !== ErrorCode.NONE) return syncError(err);
    const g = this.groups.get(req.groupId);
    if (!g) return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
    if (g.isStaticFenced(req.memberId, req.groupInstanceId)) return syncError(ErrorCode.FENCED_INSTANCE_ID);
    const m = g.members.get(req.memberId);
    if (!m) return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
    if (req.generationId !== g.generation) return syncError(ErrorCode.ILLEGAL_GENERATION);
    if (
      (req.protocolType !== null && req.protocolType !== g.protocolType) ||
      (req.protocolName !== null && req.protocolName !== g.protocolName)
    )
      return syncError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    switch (g.state) {
      case 'Empty':
        return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
      case 'PreparingRebalance':
        return syncError(ErrorCode.REBALANCE_IN_PROGRESS);
      case 'Stable':
        this.scheduleSession(g, m);
        return {
          errorCode: ErrorCode.NONE,
          protocolType: g.protocolType,
          protocolName: g.protocolName,
          assignment: m.assignment,
        };
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

  private async storeAssignment(
    g: Group,
    assignments: readonly { memberId: string; assignment: Buffer }[],
  ): Promise<void> {
    const generation = g.generation;
    const given = new Map(assignments.map((a) => [a.memberId, a.assignment]));
    const next = new Map<string, Buffer>();
    for (const id of g.members.keys()) next.set(id, given.get(id) ?? emptyBuffer);
    const code = coordinatorAppendError(
      (await this.o.log.append(g.partition, [this.groupRecord(g, next)])).errorCode,
      false,
    );
    if (g.generation !== generation || g.state !== 'CompletingRebalance' || this.groups.get(g.groupId) !== g) return;
    if (code !== ErrorCode.NONE) {
      for (const m of g.members.values()) this.answerSync(m, syncError(code));
      this.prepareRebalance(g, `storing the assignment failed (error ${code})`);
      return;
    }
    g.transition('Stable', this.o.clock.now());
    this.rebalances.completed++;
    for (const m of g.members.values()) {
      m.assignment = next.get(m.memberId) ?? emptyBuffer;
      this.answerSync(m, {
        errorCode: ErrorCode.NONE,
        protocolType: g.protocolType,
        protocolName: g.protocolName,
        assignment: m.assignment,
      });
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
    if (!m || g.state === 'Empty' || g.state === 'Dead')
      return g.state === 'Dead' ? ErrorCode.COORDINATOR_NOT_AVAILABLE : ErrorCode.UNKNOWN_MEMBER_ID;
    if (req.generationId !== g.generation) return ErrorCode.ILLEGAL_GENERATION;
    m.lastHeartbeatMs = this.o.clock.now();
    this.scheduleSession(g, m);
    return g.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  /** LeaveGroup: an error for the whole request, or one per member. */
  leave(
    groupId: string,
    members: readonly { memberId: string; groupInstanceId: string | null; reason?: string | null }[],
  ): { errorCode: number; members: { memberId: string; groupInstanceId: string | null; errorCode: number }[] } {
    const err = this.check(groupId);
    if (err !== ErrorCode.NONE) return { errorCode: err, members: [] };
    const g = this.groups.get(groupId);
    if (!g || g.state === 'Dead')
      return {
        errorCode: ErrorCode.UNKNOWN_MEMBER_ID,
        members: members.map((m) => ({ ...m, errorCode: ErrorCode.UNKNOWN_MEMBER_ID })),
      };
    const out = members.map(({ reason, ...req }) => {
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
      this.memberGone(g, m, `left the group${reasonSuffix(reason ?? null)}`);
      return { ...req, errorCode: ErrorCode.NONE };
    });
    return { errorCode: ErrorCode.NONE, members: out };
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
