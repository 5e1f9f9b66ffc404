// Committed offsets of the groups one coordinator serves (Kafka's GroupMetadataManager):
// OffsetCommit, OffsetFetch, OffsetDelete and the offsets.retention.minutes expiry. Offsets are
// answered as committed only after their records are committed in the group's offsets partition
// (acks=all), so a coordinator failover never loses an acknowledged commit.
import { ErrorCode } from '../../common/errors.js';
import type { ClassicRebalance } from './classic-rebalance.js';
import {
  CoordinatorPart,
  type CoordinatorContext,
  type FetchedOffset,
  type OffsetCommitRequestItem,
} from './coordinator-types.js';
import { Group, offsetMapKey, splitOffsetMapKey } from './group.js';
import { coordinatorAppendError } from './offsets-log.js';
import { subscribedTopics } from './consumer-heartbeat.js';
import { groupKey, offsetKey, offsetValue } from './offsets-records.js';

export class GroupOffsets extends CoordinatorPart {
  constructor(
    context: CoordinatorContext,
    private readonly rebalance: ClassicRebalance,
  ) {
    super(context);
  }

  private dropGroup(g: Group, errorCode: number): void {
    this.rebalance.dropGroup(g, errorCode);
  }

  async commitOffsets(req: {
    groupId: string;
    generationId: number;
    memberId: string;
    groupInstanceId: string | null;
    offsets: readonly OffsetCommitRequestItem[];
    /**
     * The answer when the group does not exist and the commit names a generation: OffsetCommit
     * v9+ says GROUP_ID_NOT_FOUND, older versions ILLEGAL_GENERATION (Kafka's rule).
     */
    unknownGroupError?: number;
  }): Promise<number[]> {
    const all = (code: number): number[] => req.offsets.map(() => code);
    const err = this.check(req.groupId);
    if (err !== ErrorCode.NONE) return all(err);
    let g = this.groups.get(req.groupId);
    if (!g) {
      if (req.generationId >= 0) return all(req.unknownGroupError ?? ErrorCode.ILLEGAL_GENERATION);
      g = new Group(req.groupId, this.partitionFor(req.groupId), this.o.clock.now());
      this.groups.set(req.groupId, g);
    } else {
      const code = this.commitCheck(g, req);
      if (code !== ErrorCode.NONE) return all(code);
    }
    const now = this.o.clock.now();
    const codes: number[] = req.offsets.map((o) => {
      if (!this.o.partitionExists(o.topic, o.partition)) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      if (o.metadata !== null && Buffer.byteLength(o.metadata) > this.o.offsetMetadataMaxBytes)
        return ErrorCode.OFFSET_METADATA_TOO_LARGE;
      return ErrorCode.NONE;
    });
    const accepted = req.offsets.flatMap((o, i) =>
      codes[i] === ErrorCode.NONE
        ? [
            {
              i,
              o,
              v: { offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata ?? '', commitTimestamp: now },
            },
          ]
        : [],
    );
    if (accepted.length === 0) return codes;
    const appended = await this.o.log.append(
      g.partition,
      accepted.map(({ o, v }) => ({ key: offsetKey(req.groupId, o.topic, o.partition), value: offsetValue(v) })),
    );
    const written = coordinatorAppendError(appended.errorCode, true);
    for (const { i, o, v } of accepted) {
      codes[i] = written;
      // A transaction committed meanwhile with a later batch keeps its offset (Kafka's rule).
      if (written === ErrorCode.NONE && this.groups.get(req.groupId) === g)
        g.putOffsetIfNewer(offsetMapKey(o.topic, o.partition), { ...v, batchOffset: appended.baseOffset });
    }
    return codes;
  }

  private commitCheck(
    g: Group,
    req: { generationId: number; memberId: string; groupInstanceId: string | null },
  ): number {
    if (g.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (g.consumer !== null) return consumerMemberCheck(g, req.memberId, req.generationId);
    if (g.isStaticFenced(req.memberId, req.groupInstanceId)) return ErrorCode.FENCED_INSTANCE_ID;
    if (req.generationId < 0 && g.state === 'Empty') return ErrorCode.NONE; // a commit from outside the group (tools, assign-only consumers)
    if (g.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    if (!g.members.has(req.memberId)) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (req.generationId !== g.generation) return ErrorCode.ILLEGAL_GENERATION;
    return ErrorCode.NONE;
  }

  /**
   * OffsetFetch: the committed offsets (all of them when `partitions` is null); -1 where none.
   * With `requireStable` (v7+), a requested partition with a transactional commit waiting for its
   * marker answers UNSTABLE_OFFSET_COMMIT, as Kafka does (the client retries).
   */
  fetchOffsets(
    groupId: string,
    partitions: readonly { topic: string; partition: number }[] | null,
    requireStable = false,
  ): { errorCode: number; offsets: FetchedOffset[] } {
    const err = this.check(groupId);
    if (err !== ErrorCode.NONE) return { errorCode: err, offsets: [] };
    const g = this.groups.get(groupId);
    const stable = partitions !== null && requireStable; // Kafka checks only partitions asked by name
    const want = partitions ?? [...(g?.offsets.keys() ?? [])].map(splitOffsetMapKey);
    return {
      errorCode: ErrorCode.NONE,
      offsets: want.map(({ topic, partition }): FetchedOffset => {
        const key = offsetMapKey(topic, partition);
        if (stable && g?.hasPendingTxnOffset(key) === true)
          return {
            topic,
            partition,
            offset: -1,
            leaderEpoch: -1,
            metadata: '',
            errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT,
          };
        const c = g?.offsets.get(key);
        return c
          ? {
              topic,
              partition,
              offset: c.offset,
              leaderEpoch: c.leaderEpoch,
              metadata: c.metadata,
              errorCode: ErrorCode.NONE,
            }
          : { topic, partition, offset: -1, leaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE };
      }),
    };
  }

  /** OffsetDelete: forget committed offsets of topics the group no longer consumes. */
  async deleteOffsets(
    groupId: string,
    partitions: readonly { topic: string; partition: number }[],
  ): Promise<{ errorCode: number; partitions: number[] }> {
    const err = this.check(groupId);
    if (err !== ErrorCode.NONE) return { errorCode: err, partitions: [] };
    const g = this.groups.get(groupId);
    if (!g || g.state === 'Dead') return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, partitions: [] };
    let subscribed: ReadonlySet<string> | null = new Set();
    if (g.consumer !== null) subscribed = this.consumerSubscribedTopics(g);
    else if (g.state !== 'Empty') {
      subscribed = this.subscribedTopics(g);
      if (subscribed === null) return { errorCode: ErrorCode.NON_EMPTY_GROUP, partitions: [] };
    }
    const codes: number[] = partitions.map((p) =>
      subscribed!.has(p.topic) ? ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC : ErrorCode.NONE,
    );
    const gone = partitions.filter(
      (p, i) => codes[i] === ErrorCode.NONE && g.offsets.has(offsetMapKey(p.topic, p.partition)),
    );
    if (gone.length > 0) {
      const appended = await this.o.log.append(
        g.partition,
        gone.map((p) => ({ key: offsetKey(groupId, p.topic, p.partition), value: null })),
      );
      const code = coordinatorAppendError(appended.errorCode, false);
      if (code !== ErrorCode.NONE) return { errorCode: code, partitions: [] };
      for (const p of gone) g.offsets.delete(offsetMapKey(p.topic, p.partition));
    }
    return { errorCode: ErrorCode.NONE, partitions: codes };
  }

  /** The topics a consumer group's members (KIP-848) consume now. */
  private consumerSubscribedTopics(g: Group): ReadonlySet<string> {
    const catalog = this.o.consumer.topics();
    const out = new Set<string>();
    for (const m of g.consumer?.members.values() ?? []) for (const t of subscribedTopics(m, catalog)) out.add(t.name);
    return out;
  }

  /** The topics the group's members subscribe to, or null when its protocol type is not understood. */
  private subscribedTopics(g: Group): ReadonlySet<string> | null {
    const out = new Set<string>();
    for (const m of g.members.values()) {
      const topics = this.o.subscribedTopics(
        g.protocolType ?? '',
        m.metadataFor(g.protocolName ?? m.protocols[0]?.name ?? ''),
      );
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
      if (g.state === 'Empty' && g.hasNoMembers) {
        gone = [...g.offsets]
          .filter(
            ([, c]) =>
              (g.protocolType === null ? c.commitTimestamp : g.currentStateTimestamp) + this.o.offsetsRetentionMs <=
              now,
          )
          .map(([k]) => k);
      } else if (g.state === 'Stable' && g.protocolType === 'consumer') {
        const topics = this.subscribedTopics(g);
        if (topics)
          gone = [...g.offsets]
            .filter(
              ([k, c]) =>
                !topics.has(splitOffsetMapKey(k).topic) && c.commitTimestamp + this.o.offsetsRetentionMs <= now,
            )
            .map(([k]) => k);
      }
      // A group with transactional commits still open stays (Kafka's GroupMetadata.hasOffsets).
      const deleteGroup =
        g.state === 'Empty' && g.hasNoMembers && g.offsets.size === gone.length && g.pendingTxnOffsets.size === 0;
      if (gone.length === 0 && !deleteGroup) continue;
      const records: { key: Buffer; value: null }[] = gone.map((k) => {
        const { topic, partition } = splitOffsetMapKey(k);
        return { key: offsetKey(g.groupId, topic, partition), value: null };
      });
      if (deleteGroup) records.push({ key: groupKey(g.groupId), value: null });
      const { errorCode } = await this.o.log.append(g.partition, records);
      if (errorCode !== ErrorCode.NONE || this.groups.get(g.groupId) !== g) continue;
      for (const k of gone) g.offsets.delete(k);
      expired += gone.length;
      if (
        deleteGroup &&
        g.state === 'Empty' &&
        g.hasNoMembers &&
        g.offsets.size === 0 &&
        g.pendingTxnOffsets.size === 0
      )
        this.dropGroup(g, ErrorCode.COORDINATOR_NOT_AVAILABLE);
      this.o.logger.info(
        { group: g.groupId, offsets: gone.length, groupDeleted: deleteGroup },
        'expired committed offsets',
      );
    }
    return expired;
  }
}

/**
 * A consumer group's (KIP-848) check of an offset commit or a member's fetch: an admin commit
 * (epoch < 0, no member id) needs the group empty; a member must be known (UNKNOWN_MEMBER_ID) and
 * name its current epoch (STALE_MEMBER_EPOCH), as Kafka's ConsumerGroup.validateOffsetCommit.
 */
export function consumerMemberCheck(g: Group, memberId: string, memberEpoch: number): number {
  const cg = g.consumer;
  if (cg === null) return ErrorCode.NONE;
  if (memberEpoch < 0 && memberId === '') return cg.members.size === 0 ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
  const m = cg.members.get(memberId);
  if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
  return memberEpoch === m.memberEpoch ? ErrorCode.NONE : ErrorCode.STALE_MEMBER_EPOCH;
}
