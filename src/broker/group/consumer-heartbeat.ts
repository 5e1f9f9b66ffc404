// The consumer group protocol of KIP-848 on the coordinator (Kafka 4.x's GroupMetadataManager,
// consumer part): ConsumerGroupHeartbeat joins (epoch 0), heartbeats and leaves (-1; -2 for a
// static member that comes back), the group epoch grows with every membership, subscription or
// subscribed-topic change, the target assignment is computed by a server-side assignor
// (assignors.ts) and each member is moved towards its part by reconciliation.ts, which revokes
// before it assigns. Every change is written to `__consumer_offsets` in Kafka's layout
// (consumer-records.ts) and answered after the records commit. Called by group-coordinator.ts.
//
// Invariants:
// - A partition is never held by two members: it is given only when nobody holds it, assigned or
//   pending revocation, and a member's revocation completes only when its heartbeat stops listing it.
// - Member epochs only grow; an older or newer epoch is FENCED_MEMBER_EPOCH, except the member's
//   previous epoch with owned partitions it still has (its last answer was lost).
// - A member that misses group.consumer.session.timeout.ms, or keeps partitions it must revoke
//   past its rebalance timeout, is removed and its partitions freed.
// - State is changed before the records are appended (appends land in call order, so the log
//   replays to the same state); the answer waits for the append.
import { randomUuid } from '../../common/uuid.js';
import { ErrorCode } from '../../common/errors.js';
import { serverAssignors, type AssignableTopic, type AssignorMemberSpec, type TopicCatalog } from './assignors.js';
import { CoordinatorPart } from './coordinator-types.js';
import { ConsumerGroupState, ConsumerMember, leftStaticEpoch } from './consumer-group.js';
import {
  consumerGroupKey,
  consumerMemberKey,
  currentAssignmentValue,
  fromTopicPartitions,
  groupMetadataValue,
  memberMetadataValue,
  targetMemberValue,
  targetMetadataValue,
  toTopicPartitions,
} from './consumer-records.js';
import { Group } from './group.js';
import { coordinatorAppendError, type OffsetsRecord } from './offsets-log.js';
import { groupKey } from './offsets-records.js';
import {
  memberStateCode,
  reconcile,
  sameAssignment,
  type ReconciledMember,
  type TopicAssignment,
} from './reconciliation.js';

export interface ConsumerHeartbeatRequest {
  readonly apiVersion: number;
  readonly groupId: string;
  readonly memberId: string;
  readonly memberEpoch: number;
  readonly instanceId: string | null;
  readonly rackId: string | null;
  readonly rebalanceTimeoutMs: number;
  readonly subscribedTopicNames: readonly string[] | null;
  readonly subscribedTopicRegex: string | null;
  readonly serverAssignor: string | null;
  readonly topicPartitions: readonly { topicId: string; partitions: readonly number[] }[] | null;
  readonly clientId: string;
  readonly clientHost: string;
}

export interface ConsumerHeartbeatResult {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly memberId: string | null;
  readonly memberEpoch: number;
  readonly heartbeatIntervalMs: number;
  readonly assignment: { topicId: string; partitions: number[] }[] | null;
}

/** Regular expressions longer than this are refused (INVALID_REGULAR_EXPRESSION). */
const subscribedRegexCharsMax = 1000;

export class ConsumerHeartbeat extends CoordinatorPart {
  private fail(
    errorCode: number,
    errorMessage: string | null,
    memberId: string | null = null,
  ): ConsumerHeartbeatResult {
    return { errorCode, errorMessage, memberId, memberEpoch: -1, heartbeatIntervalMs: 0, assignment: null };
  }

  /** The request's own mistakes (Kafka's throwIfConsumerGroupHeartbeatRequestIsInvalid), or null. */
  private invalid(req: ConsumerHeartbeatRequest): ConsumerHeartbeatResult | null {
    const bad = (why: string) => this.fail(ErrorCode.INVALID_REQUEST, why);
    if (req.groupId === '') return this.fail(ErrorCode.INVALID_GROUP_ID, 'GroupId can not be empty.');
    if (req.instanceId === '') return bad('InstanceId can not be empty.');
    if (req.rackId === '') return bad('RackId can not be empty.');
    if (req.apiVersion >= 1 && req.memberId === '') return bad('MemberId can not be empty.');
    if (req.memberEpoch === 0) {
      if (req.rebalanceTimeoutMs === -1) return bad('RebalanceTimeoutMs must be provided in first request.');
      if (req.topicPartitions === null || req.topicPartitions.length > 0)
        return bad('TopicPartitions must be empty when (re-)joining.');
      if (req.subscribedTopicNames === null && req.subscribedTopicRegex === null)
        return bad('SubscribedTopicNames or SubscribedTopicRegex must be set in first request.');
    } else if (req.memberEpoch > 0 || req.memberEpoch === -1 || req.memberEpoch === leftStaticEpoch) {
      if (req.apiVersion === 0 && req.memberId === '') return bad('MemberId can not be empty.');
      if (req.memberEpoch === leftStaticEpoch && req.instanceId === null)
        return bad('InstanceId can not be null when MemberEpoch is -2.');
    } else return bad(`MemberEpoch ${req.memberEpoch} is invalid.`);
    if (req.serverAssignor !== null && !this.o.consumer.assignors.includes(req.serverAssignor))
      return this.fail(ErrorCode.UNSUPPORTED_ASSIGNOR, `ServerAssignor ${req.serverAssignor} is not supported.`);
    if (req.subscribedTopicRegex !== null && compileRegex(req.subscribedTopicRegex) === null)
      return this.fail(
        ErrorCode.INVALID_REGULAR_EXPRESSION,
        `SubscribedTopicRegex ${req.subscribedTopicRegex} is invalid.`,
      );
    return null;
  }

  async heartbeat(req: ConsumerHeartbeatRequest): Promise<ConsumerHeartbeatResult> {
    const refused = this.invalid(req);
    if (refused) return refused;
    const err = this.check(req.groupId);
    if (err !== ErrorCode.NONE) return this.fail(err, null);
    if (req.memberEpoch < 0) return this.leave(req);
    // Only a join creates a group; a member of a group that is gone (deleted, expired) joins again.
    if (req.memberEpoch > 0 && !this.groups.get(req.groupId)?.consumer)
      return this.fail(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${req.memberId} is not a member of group ${req.groupId}.`);
    const records: OffsetsRecord[] = [];
    const g = this.consumerGroupFor(req.groupId, records);
    if (g === null) return this.fail(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${req.groupId} is not a consumer group.`);
    const cg = g.consumer!;
    const joined = this.memberFor(g, cg, req, records);
    if ('errorCode' in joined) return joined;
    const { member, isNew } = joined;
    const subscriptionChanged = this.updateMember(g, member, req, records) || isNew;
    const catalog = this.o.consumer.topics();
    const signature = subscriptionSignature(cg, catalog);
    cg.subscriptionSignature ??= signature;
    if (subscriptionChanged || signature !== cg.subscriptionSignature) {
      cg.groupEpoch++;
      cg.subscriptionSignature = signature;
      records.push({ key: consumerGroupKey(3, g.groupId), value: groupMetadataValue(cg.groupEpoch) });
    }
    if (cg.groupEpoch > cg.assignmentEpoch) this.computeTarget(g, cg, catalog, records);
    const before = member.assigned;
    const owned = req.topicPartitions === null ? null : fromTopicPartitions(req.topicPartitions);
    this.reconcileMember(g, cg, member, owned, catalog, records);
    this.scheduleSession(g, member);
    const code = await this.append(g, records);
    if (code !== ErrorCode.NONE) return this.fail(code, null);
    const sendAssignment =
      req.memberEpoch === 0 ||
      !sameAssignment(before, member.assigned) ||
      (owned !== null && !sameAssignment(owned, member.assigned));
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId: member.memberId,
      memberEpoch: member.memberEpoch,
      heartbeatIntervalMs: this.o.consumer.heartbeatIntervalMs,
      assignment: sendAssignment ? toTopicPartitions(member.assigned) : null,
    };
  }

  /**
   * The group to run the heartbeat in: a consumer group, created when missing; an empty classic
   * group is taken over (its classic metadata gets a tombstone). Null for a classic group with members.
   */
  private consumerGroupFor(groupId: string, records: OffsetsRecord[]): Group | null {
    let g = this.groups.get(groupId);
    if (!g) {
      g = new Group(groupId, this.partitionFor(groupId), this.o.clock.now());
      this.groups.set(groupId, g);
    }
    if (g.consumer !== null) return g;
    if (g.members.size > 0 || g.state !== 'Empty' || g.pendingMembers.size > 0) return null;
    if (g.protocolType !== null) records.push({ key: groupKey(groupId), value: null });
    g.protocolType = null;
    g.protocolName = null;
    g.generation = 0;
    g.leaderId = null;
    g.consumer = new ConsumerGroupState();
    this.o.logger.info({ group: groupId }, 'empty classic group converted to a consumer group (KIP-848)');
    return g;
  }

  /** The member the heartbeat is from: joined anew (epoch 0) or found and its epoch checked. */
  private memberFor(
    g: Group,
    cg: ConsumerGroupState,
    req: ConsumerHeartbeatRequest,
    records: OffsetsRecord[],
  ): { member: ConsumerMember; isNew: boolean } | ConsumerHeartbeatResult {
    if (req.memberEpoch > 0) {
      const m = cg.members.get(req.memberId);
      if (!m)
        return this.fail(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${req.memberId} is not a member of group ${g.groupId}.`);
      if (req.memberEpoch !== m.memberEpoch) {
        const owned = req.topicPartitions === null ? null : fromTopicPartitions(req.topicPartitions);
        const lostAnswer = req.memberEpoch === m.previousMemberEpoch && owned !== null && isSubset(owned, m.assigned);
        if (!lostAnswer)
          return this.fail(
            ErrorCode.FENCED_MEMBER_EPOCH,
            `The consumer group member has a smaller or larger member epoch (${req.memberEpoch}) than the one known by the group coordinator (${m.memberEpoch}).`,
          );
      }
      return { member: m, isNew: false };
    }
    const memberId = req.memberId === '' ? randomUuid() : req.memberId;
    if (req.instanceId !== null) {
      const previousId = cg.staticMembers.get(req.instanceId);
      const previous = previousId === undefined ? undefined : cg.members.get(previousId);
      if (previous && previous.memberId !== memberId) {
        if (previous.memberEpoch !== leftStaticEpoch)
          return this.fail(
            ErrorCode.UNRELEASED_INSTANCE_ID,
            `Static member ${previous.memberId} with instance id ${req.instanceId} is not released.`,
          );
        // The instance is back under a new member id: it takes over the old member's place and partitions.
        const m = new ConsumerMember(memberId);
        Object.assign(m, { ...previous, memberId, sessionTimer: null, revocationTimer: null });
        m.memberEpoch = Math.max(previous.previousMemberEpoch, 0);
        const target = cg.target.get(previous.memberId);
        this.removeMember(g, cg, previous, records);
        if (target) cg.target.set(memberId, target);
        cg.members.set(memberId, m);
        cg.staticMembers.set(req.instanceId, memberId);
        if (target) records.push({ key: consumerMemberKey(7, g.groupId, memberId), value: targetMemberValue(target) });
        return { member: m, isNew: false };
      }
    }
    const existing = cg.members.get(memberId);
    if (existing) {
      // Joining again with epoch 0: the member holds nothing any more.
      Object.assign(existing, { state: 'stable', memberEpoch: 0, assigned: new Map(), pendingRevocation: new Map() });
      existing.revocationTimer?.cancel();
      existing.revocationTimer = null;
      return { member: existing, isNew: true };
    }
    if (cg.members.size >= this.o.consumer.maxSize)
      return this.fail(
        ErrorCode.GROUP_MAX_SIZE_REACHED,
        `The consumer group has reached its maximum capacity of ${this.o.consumer.maxSize} members.`,
      );
    const m = new ConsumerMember(memberId);
    cg.members.set(memberId, m);
    if (req.instanceId !== null) cg.staticMembers.set(req.instanceId, memberId);
    return { member: m, isNew: true };
  }

  /** Takes the request's (non-null) fields into the member; whether its subscription changed. */
  private updateMember(g: Group, m: ConsumerMember, req: ConsumerHeartbeatRequest, records: OffsetsRecord[]): boolean {
    const before = JSON.stringify(memberMetadata(m));
    const subscriptionBefore = JSON.stringify([m.subscribedTopicNames, m.subscribedTopicRegex, m.serverAssignor]);
    if (req.instanceId !== null) m.instanceId = req.instanceId;
    if (req.rackId !== null) m.rackId = req.rackId;
    if (req.rebalanceTimeoutMs !== -1) m.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    if (req.subscribedTopicNames !== null) m.subscribedTopicNames = [...new Set(req.subscribedTopicNames)].sort();
    if (req.subscribedTopicRegex !== null)
      m.subscribedTopicRegex = req.subscribedTopicRegex === '' ? null : req.subscribedTopicRegex;
    if (req.serverAssignor !== null) m.serverAssignor = req.serverAssignor;
    m.clientId = req.clientId;
    m.clientHost = req.clientHost;
    if (JSON.stringify(memberMetadata(m)) !== before)
      records.push({ key: consumerMemberKey(5, g.groupId, m.memberId), value: memberMetadataValue(memberMetadata(m)) });
    return JSON.stringify([m.subscribedTopicNames, m.subscribedTopicRegex, m.serverAssignor]) !== subscriptionBefore;
  }

  /** A new target assignment for the group epoch, by the assignor most members ask for (else the first configured). */
  private computeTarget(g: Group, cg: ConsumerGroupState, catalog: TopicCatalog, records: OffsetsRecord[]): void {
    const assignor = serverAssignors.get(preferredAssignor(cg, this.o.consumer.assignors))!;
    const specs: AssignorMemberSpec[] = [...cg.members.values()].map((m) => ({
      memberId: m.memberId,
      topicIds: new Set(subscribedTopics(m, catalog).map((t) => t.id)),
    }));
    const topics = new Map<string, AssignableTopic>();
    for (const m of cg.members.values()) for (const t of subscribedTopics(m, catalog)) topics.set(t.id, t);
    const plan = assignor.assign(specs, topics, cg.target);
    for (const [memberId, a] of plan) {
      const previous = cg.target.get(memberId);
      if (previous && sameAssignment(previous, a)) continue;
      cg.target.set(memberId, a);
      records.push({ key: consumerMemberKey(7, g.groupId, memberId), value: targetMemberValue(a) });
    }
    cg.assignmentEpoch = cg.groupEpoch;
    records.push({ key: consumerGroupKey(6, g.groupId), value: targetMetadataValue(cg.assignmentEpoch) });
    this.rebalances.started++;
    this.o.logger.info(
      { group: g.groupId, epoch: cg.groupEpoch, assignor: assignor.name, members: cg.members.size },
      'consumer group target assignment computed',
    );
  }

  private reconcileMember(
    g: Group,
    cg: ConsumerGroupState,
    m: ConsumerMember,
    owned: TopicAssignment | null,
    catalog: TopicCatalog,
    records: OffsetsRecord[],
  ): void {
    const owners = cg.ownerEpochs(m.memberId);
    const subscribed = new Set(subscribedTopics(m, catalog).map((t) => t.id));
    const next = reconcile(m, {
      targetEpoch: cg.assignmentEpoch,
      target: cg.target.get(m.memberId) ?? new Map(),
      subscribed: (topicId) => subscribed.has(topicId),
      ownerEpoch: (topicId, p) => owners.get(`${topicId}\u0000${p}`) ?? -1,
      owned,
    });
    if (next !== m && !sameMember(next, m)) {
      Object.assign(m, next);
      records.push(currentAssignmentRecord(g.groupId, m));
      if (m.state === 'stable' && m.memberEpoch === cg.assignmentEpoch && cg.stateName() === 'Stable')
        this.rebalances.completed++;
    }
    if (m.state !== 'unrevoked_partitions') {
      m.revocationTimer?.cancel();
      m.revocationTimer = null;
    } else if (m.revocationTimer === null) {
      const timeoutMs = m.rebalanceTimeoutMs > 0 ? m.rebalanceTimeoutMs : this.o.consumer.sessionTimeoutMs;
      m.revocationTimer = this.o.clock.schedule(timeoutMs, () =>
        this.expire(g, m, `did not revoke its partitions within its rebalance timeout (${timeoutMs} ms)`),
      );
    }
  }

  /** Restarts the member's session: group.consumer.session.timeout.ms without a heartbeat removes it. */
  scheduleSession(g: Group, m: ConsumerMember): void {
    m.sessionTimer?.cancel();
    const timeoutMs = this.o.consumer.sessionTimeoutMs;
    m.sessionTimer = this.o.clock.schedule(timeoutMs, () =>
      this.expire(g, m, `missed its session timeout (${timeoutMs} ms)`),
    );
  }

  private expire(g: Group, m: ConsumerMember, why: string): void {
    const cg = g.consumer;
    if (this.groups.get(g.groupId) !== g || cg === null || cg.members.get(m.memberId) !== m) return;
    this.o.logger.info({ group: g.groupId, member: m.memberId }, `consumer group member removed: ${why}`);
    const records: OffsetsRecord[] = [];
    this.removeMember(g, cg, m, records);
    this.bumpEpoch(g, cg, records);
    void this.append(g, records);
  }

  /** MemberEpoch -1 leaves (the member's partitions are freed); -2, a static member's, keeps them for its return. */
  private async leave(req: ConsumerHeartbeatRequest): Promise<ConsumerHeartbeatResult> {
    const g = this.groups.get(req.groupId);
    const cg = g?.consumer ?? null;
    const m =
      cg === null
        ? undefined
        : (cg.members.get(req.memberId) ??
          (req.instanceId === null ? undefined : cg.members.get(cg.staticMembers.get(req.instanceId) ?? '')));
    if (!g || cg === null || !m)
      return this.fail(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${req.memberId} is not a member of group ${req.groupId}.`);
    const records: OffsetsRecord[] = [];
    if (req.memberEpoch === leftStaticEpoch) {
      m.previousMemberEpoch = m.memberEpoch;
      m.memberEpoch = leftStaticEpoch;
      records.push(currentAssignmentRecord(g.groupId, m));
    } else {
      this.removeMember(g, cg, m, records);
      this.bumpEpoch(g, cg, records);
    }
    const code = await this.append(g, records);
    if (code !== ErrorCode.NONE) return this.fail(code, null);
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId: m.memberId,
      memberEpoch: req.memberEpoch,
      heartbeatIntervalMs: 0,
      assignment: null,
    };
  }

  private removeMember(g: Group, cg: ConsumerGroupState, m: ConsumerMember, records: OffsetsRecord[]): void {
    m.cancelTimers();
    cg.members.delete(m.memberId);
    if (m.instanceId !== null && cg.staticMembers.get(m.instanceId) === m.memberId)
      cg.staticMembers.delete(m.instanceId);
    if (cg.target.delete(m.memberId)) records.push({ key: consumerMemberKey(7, g.groupId, m.memberId), value: null });
    records.push({ key: consumerMemberKey(8, g.groupId, m.memberId), value: null });
    records.push({ key: consumerMemberKey(5, g.groupId, m.memberId), value: null });
  }

  private bumpEpoch(g: Group, cg: ConsumerGroupState, records: OffsetsRecord[]): void {
    cg.groupEpoch++;
    records.push({ key: consumerGroupKey(3, g.groupId), value: groupMetadataValue(cg.groupEpoch) });
  }

  private async append(g: Group, records: readonly OffsetsRecord[]): Promise<number> {
    if (records.length === 0) return ErrorCode.NONE;
    const r = await this.o.log.append(g.partition, records);
    const code = coordinatorAppendError(r.errorCode, false);
    if (code !== ErrorCode.NONE)
      this.o.logger.warn({ group: g.groupId, errorCode: r.errorCode }, 'writing consumer group records failed');
    return code;
  }
}

function memberMetadata(m: ConsumerMember) {
  return {
    instanceId: m.instanceId,
    rackId: m.rackId,
    clientId: m.clientId,
    clientHost: m.clientHost,
    subscribedTopicNames: m.subscribedTopicNames,
    subscribedTopicRegex: m.subscribedTopicRegex,
    rebalanceTimeoutMs: m.rebalanceTimeoutMs,
    serverAssignor: m.serverAssignor,
  };
}

function currentAssignmentRecord(groupId: string, m: ConsumerMember): OffsetsRecord {
  return {
    key: consumerMemberKey(8, groupId, m.memberId),
    value: currentAssignmentValue({
      memberEpoch: m.memberEpoch,
      previousMemberEpoch: m.previousMemberEpoch,
      state: memberStateCode[m.state],
      assigned: m.assigned,
      pendingRevocation: m.pendingRevocation,
    }),
  };
}

function sameMember(a: ReconciledMember, b: ReconciledMember): boolean {
  return (
    a.state === b.state &&
    a.memberEpoch === b.memberEpoch &&
    a.previousMemberEpoch === b.previousMemberEpoch &&
    sameAssignment(a.assigned, b.assigned) &&
    sameAssignment(a.pendingRevocation, b.pendingRevocation)
  );
}

function isSubset(a: TopicAssignment, b: TopicAssignment): boolean {
  for (const [t, s] of a) for (const p of s) if (!b.get(t)?.has(p)) return false;
  return true;
}

/** A subscribed regex as Kafka matches it (the whole topic name), or null when it does not compile. */
export function compileRegex(source: string): RegExp | null {
  if (source.length > subscribedRegexCharsMax) return null;
  try {
    return new RegExp(`^(?:${source})$`, 'u');
  } catch {
    return null;
  }
}

/** The existing topics a member subscribes to: its names and the non-internal topics its regex matches. */
export function subscribedTopics(m: ConsumerMember, catalog: TopicCatalog): AssignableTopic[] {
  const out = new Map<string, AssignableTopic>();
  for (const name of m.subscribedTopicNames) {
    const t = catalog.byName.get(name);
    if (t) out.set(t.id, t);
  }
  const re = m.subscribedTopicRegex === null ? null : compileRegex(m.subscribedTopicRegex);
  if (re) for (const t of catalog.byName.values()) if (!t.name.startsWith('__') && re.test(t.name)) out.set(t.id, t);
  return [...out.values()];
}

/** The subscribed topics of all members as they stand: name, id and partition count of each. */
function subscriptionSignature(cg: ConsumerGroupState, catalog: TopicCatalog): string {
  const topics = new Map<string, AssignableTopic>();
  for (const m of cg.members.values()) for (const t of subscribedTopics(m, catalog)) topics.set(t.name, t);
  return [...topics.values()]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((t) => `${t.name}/${t.id}/${t.partitions}`)
    .join(',');
}

export function preferredAssignor(cg: ConsumerGroupState, configured: readonly string[]): string {
  const votes = new Map<string, number>();
  for (const m of cg.members.values())
    if (m.serverAssignor !== null) votes.set(m.serverAssignor, (votes.get(m.serverAssignor) ?? 0) + 1);
  let best: string | null = null;
  for (const [name, n] of votes) if (best === null || n > votes.get(best)!) best = name;
  return best ?? configured[0]!;
}
