// The group coordinator (Kafka's GroupCoordinator + GroupMetadataManager, classic protocol): for
// the groups whose `__consumer_offsets` partition this broker leads, it runs the rebalance
// protocol (JoinGroup, SyncGroup, Heartbeat, LeaveGroup), stores group metadata and committed
// offsets in that partition in Kafka's record layouts, and answers the admin views.
// This file holds the groups, follows partition leadership (loading, unloading) and answers the
// admin views; the rebalance protocol is classic-rebalance.ts, committed offsets group-offsets.ts,
// transactional offset commits txn-offsets.ts, the log replay on leadership group-loading.ts. Called by group-apis.ts (Kafka requests), node.ts.
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
// - A transaction marker that lands while its partition is loading is applied once the load is
//   done (the load reads the log as it was when it started).
import { ErrorCode } from '../../common/errors.js';
import { ClassicRebalance } from './classic-rebalance.js';
import type { ConsumerGroupStateName } from './consumer-group.js';
import {
  ConsumerHeartbeat,
  preferredAssignor,
  type ConsumerHeartbeatRequest,
  type ConsumerHeartbeatResult,
} from './consumer-heartbeat.js';
import type { TopicCatalog } from './assignors.js';
import { consumerGroupKey } from './consumer-records.js';
import { consumerMemberCheck } from './group-offsets.js';
import type {
  CoordinatorContext,
  DescribedGroup,
  GroupCoordinatorOptions,
  GroupView,
  FetchedOffset,
  RebalanceTally,
  JoinRequest,
  OffsetCommitRequestItem,
  TxnOffsetCommitRequest,
  TxnOffsetCommitResult,
} from './coordinator-types.js';
import {
  emptyBuffer,
  splitOffsetMapKey,
  type Group,
  type GroupState,
  type JoinResult,
  type SyncResult,
} from './group.js';
import { groupsFromReplay, replayOffsetsPartition, type PartitionReplay } from './group-loading.js';
import { GroupOffsets } from './group-offsets.js';
import { coordinatorAppendError, type OffsetsRecord } from './offsets-log.js';
import { groupKey, offsetKey, partitionForGroup } from './offsets-records.js';
import { TxnOffsets } from './txn-offsets.js';

/** Transaction markers kept while a partition loads; more restart the load (which then reads them). */
const markersDuringLoadMax = 10_000;

type PartitionLoad =
  | { state: 'loading'; epoch: number; markers: { producerId: number; committed: boolean }[] }
  | { state: 'loaded'; epoch: number };

export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  private readonly partitions = new Map<number, PartitionLoad>();
  private closed = false;
  private readonly rebalance: ClassicRebalance;
  private readonly offsets: GroupOffsets;
  private readonly txnOffsets: TxnOffsets;
  private readonly consumerProtocol: ConsumerHeartbeat;
  /** Rebalances started and completed here since start (read by /metrics). */
  readonly rebalances: RebalanceTally = { started: 0, completed: 0 };

  constructor(private readonly o: GroupCoordinatorOptions) {
    const context: CoordinatorContext = {
      o,
      rebalances: this.rebalances,
      groups: this.groups,
      check: (groupId) => this.check(groupId),
      partitionFor: (groupId) => this.partitionFor(groupId),
    };
    this.rebalance = new ClassicRebalance(context);
    this.offsets = new GroupOffsets(context, this.rebalance);
    this.txnOffsets = new TxnOffsets(context);
    this.consumerProtocol = new ConsumerHeartbeat(context);
  }

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
    const load: PartitionLoad = { state: 'loading', epoch, markers: [] };
    this.partitions.set(partition, load);
    const started = this.o.clock.now();
    let replay: PartitionReplay | null;
    try {
      replay = await replayOffsetsPartition(this.o.log, partition, () => this.partitions.get(partition) === load);
    } catch (err) {
      this.o.logger.error(
        { partition, err: err instanceof Error ? err.message : String(err) },
        'loading consumer groups failed',
      );
      if (this.partitions.get(partition) === load) this.partitions.delete(partition);
      return;
    }
    if (replay === null || this.partitions.get(partition) !== load) return;
    const now = this.o.clock.now();
    for (const g of groupsFromReplay(replay, partition, now)) {
      this.groups.set(g.groupId, g);
      for (const m of g.members.values()) this.rebalance.scheduleSession(g, m);
      for (const m of g.consumer?.members.values() ?? []) this.consumerProtocol.scheduleSession(g, m);
    }
    for (const m of load.markers) this.txnOffsets.completeTransaction(partition, m.producerId, m.committed);
    this.partitions.set(partition, { state: 'loaded', epoch });
    this.o.logger.info(
      {
        partition,
        epoch,
        records: replay.records,
        markersDuringLoad: load.markers.length,
        groups: [...this.groups.values()].filter((g) => g.partition === partition).length,
        ms: now - started,
      },
      'loaded consumer groups',
    );
  }

  private unload(partition: number): void {
    this.partitions.delete(partition);
    for (const g of [...this.groups.values()]) {
      if (g.partition !== partition) continue;
      this.rebalance.dropGroup(g, ErrorCode.NOT_COORDINATOR);
    }
    this.o.logger.info({ partition }, 'unloaded consumer groups (no longer the offsets partition leader)');
  }

  close(): void {
    this.closed = true;
    for (const p of [...this.partitions.keys()]) this.unload(p);
  }

  // ------------------------------------------------------------ the rebalance protocol (classic-rebalance.ts)

  join(req: JoinRequest): Promise<JoinResult> {
    return this.rebalance.join(req);
  }

  sync(req: Parameters<ClassicRebalance['sync']>[0]): Promise<SyncResult> {
    return this.rebalance.sync(req);
  }

  heartbeat(req: Parameters<ClassicRebalance['heartbeat']>[0]): number {
    return this.rebalance.heartbeat(req);
  }

  /** LeaveGroup: an error for the whole request, or one per member. */
  leave(
    groupId: string,
    members: readonly { memberId: string; groupInstanceId: string | null }[],
  ): ReturnType<ClassicRebalance['leave']> {
    return this.rebalance.leave(groupId, members);
  }

  // ------------------------------------------------------------ the consumer protocol (consumer-heartbeat.ts)

  /** ConsumerGroupHeartbeat (KIP-848): join, heartbeat or leave a consumer group. */
  consumerHeartbeat(req: ConsumerHeartbeatRequest): Promise<ConsumerHeartbeatResult> {
    return this.consumerProtocol.heartbeat(req);
  }

  /**
   * OffsetFetch v9+ from a member of a consumer group names its member id and epoch: checked as
   * a commit's are (UNKNOWN_MEMBER_ID, STALE_MEMBER_EPOCH). NONE for classic groups and admin fetches.
   */
  checkFetchingMember(groupId: string, memberId: string | null, memberEpoch: number): number {
    const g = this.groups.get(groupId);
    if (!g || g.consumer === null || (memberId === null && memberEpoch < 0)) return ErrorCode.NONE;
    return consumerMemberCheck(g, memberId ?? '', memberEpoch);
  }

  /** The topics the consumer protocol assigns (the node's image), for describing assignments by name. */
  consumerTopics(): TopicCatalog {
    return this.o.consumer.topics();
  }

  /** Whether the consumer group protocol is on (group.version >= 1). */
  consumerProtocolEnabled(): boolean {
    return this.o.consumer.enabled?.() ?? true;
  }

  /** The assignor a consumer group's next target assignment uses. */
  consumerAssignorOf(g: Group): string {
    return g.consumer === null ? '' : preferredAssignor(g.consumer, this.o.consumer.assignors);
  }

  /** ConsumerGroupDescribe (KIP-848): a consumer group as it stands, or an error code. */
  describeConsumerGroup(groupId: string): { errorCode: number; errorMessage: string | null; group: Group | null } {
    const err = this.check(groupId);
    if (err !== ErrorCode.NONE) return { errorCode: err, errorMessage: null, group: null };
    const g = this.groups.get(groupId);
    if (!g || g.state === 'Dead')
      return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `Group ${groupId} not found.`, group: null };
    if (g.consumer === null)
      return {
        errorCode: ErrorCode.GROUP_ID_NOT_FOUND,
        errorMessage: `Group ${groupId} is not a consumer group.`,
        group: null,
      };
    return { errorCode: ErrorCode.NONE, errorMessage: null, group: g };
  }

  // ------------------------------------------------------------ offsets (group-offsets.ts)

  commitOffsets(req: {
    groupId: string;
    generationId: number;
    memberId: string;
    groupInstanceId: string | null;
    offsets: readonly OffsetCommitRequestItem[];
    unknownGroupError?: number;
  }): Promise<number[]> {
    return this.offsets.commitOffsets(req);
  }

  /**
   * OffsetFetch: the committed offsets (all of them when `partitions` is null); -1 where none.
   * `requireStable` (v7+): UNSTABLE_OFFSET_COMMIT for a partition with a transactional commit pending.
   */
  fetchOffsets(
    groupId: string,
    partitions: readonly { topic: string; partition: number }[] | null,
    requireStable = false,
  ): { errorCode: number; offsets: FetchedOffset[] } {
    return this.offsets.fetchOffsets(groupId, partitions, requireStable);
  }

  // ------------------------------------------------------------ transactional offsets (txn-offsets.ts)

  /** TxnOffsetCommit: the offsets are written as one transactional batch and stay pending until the marker. */
  txnOffsetCommit(req: TxnOffsetCommitRequest): Promise<TxnOffsetCommitResult> {
    return this.txnOffsets.txnOffsetCommit(req);
  }

  /**
   * A COMMIT (`committed`) or ABORT marker of `producerId` was appended to (or replicated into)
   * offsets partition `offsetsPartition`: the producer's pending offsets there become committed
   * or are dropped. Nothing to do where the partition is not served here.
   */
  completeTransaction(offsetsPartition: number, producerId: number, committed: boolean): void {
    const load = this.partitions.get(offsetsPartition);
    if (load === undefined || this.closed) return;
    if (load.state === 'loaded') {
      const groups = this.txnOffsets.completeTransaction(offsetsPartition, producerId, committed);
      if (groups > 0)
        this.o.logger.debug(
          { partition: offsetsPartition, producerId, committed, groups },
          'transactional offsets completed',
        );
      return;
    }
    if (load.markers.length < markersDuringLoadMax) {
      load.markers.push({ producerId, committed });
      return;
    }
    this.o.logger.warn(
      { partition: offsetsPartition, markers: load.markers.length },
      'too many transaction markers while loading consumer groups; loading again',
    );
    this.partitions.delete(offsetsPartition);
    void this.load(offsetsPartition, load.epoch);
  }

  /** OffsetDelete: forget committed offsets of topics the group no longer consumes. */
  deleteOffsets(
    groupId: string,
    partitions: readonly { topic: string; partition: number }[],
  ): ReturnType<GroupOffsets['deleteOffsets']> {
    return this.offsets.deleteOffsets(groupId, partitions);
  }

  /** offsets.retention.minutes (see GroupOffsets.expireOffsets). */
  expireOffsets(): Promise<number> {
    return this.offsets.expireOffsets();
  }

  // ------------------------------------------------------------ admin views

  listGroups(states: readonly string[]): {
    errorCode: number;
    groups: { groupId: string; protocolType: string; state: GroupState | ConsumerGroupStateName; type: GroupType }[];
  } {
    if (this.closed) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groups: [] };
    const loading = [...this.partitions.values()].some((p) => p.state === 'loading');
    const wanted = new Set(states.map((s) => s.toLowerCase()));
    const groups = [...this.groups.values()]
      .filter(
        (g) =>
          g.state !== 'Dead' &&
          this.check(g.groupId) === ErrorCode.NONE &&
          (wanted.size === 0 || wanted.has(stateOf(g).toLowerCase())),
      )
      .map((g) => ({
        groupId: g.groupId,
        protocolType: g.consumer !== null ? 'consumer' : (g.protocolType ?? ''),
        state: stateOf(g),
        type: g.consumer !== null ? ('consumer' as const) : ('classic' as const),
      }));
    return { errorCode: loading ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NONE, groups };
  }

  describeGroup(groupId: string): DescribedGroup {
    const none = (errorCode: number, state: GroupState): DescribedGroup => ({
      errorCode,
      groupId,
      state,
      protocolType: '',
      protocolData: '',
      members: [],
    });
    const err = this.check(groupId);
    if (err !== ErrorCode.NONE) return none(err, 'Dead');
    const g = this.groups.get(groupId);
    // DescribeGroups v6+ says so; the handler answers older versions NONE (state Dead).
    if (!g) return none(ErrorCode.GROUP_ID_NOT_FOUND, 'Dead');
    // Kafka answers DescribeGroups only for classic groups; consumer groups have ConsumerGroupDescribe.
    if (g.consumer !== null) return none(ErrorCode.GROUP_ID_NOT_FOUND, 'Dead');
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
    if (g.state !== 'Empty' || !g.hasNoMembers) return ErrorCode.NON_EMPTY_GROUP;
    const records: OffsetsRecord[] = [...g.offsets.keys()].map((k) => {
      const { topic, partition } = splitOffsetMapKey(k);
      return { key: offsetKey(groupId, topic, partition), value: null };
    });
    records.push({ key: groupKey(groupId), value: null });
    if (g.consumer !== null)
      for (const key of [consumerGroupKey(3, groupId), consumerGroupKey(6, groupId)])
        records.push({ key, value: null });
    const code = coordinatorAppendError((await this.o.log.append(g.partition, records)).errorCode, false);
    if (code !== ErrorCode.NONE) return code;
    if (this.groups.get(groupId) === g) {
      if (g.state !== 'Empty' || !g.hasNoMembers) return ErrorCode.NON_EMPTY_GROUP; // a member joined while the tombstones were written
      this.rebalance.dropGroup(g, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }
    return ErrorCode.NONE;
  }

  /** The groups served here, for /metrics. */
  views(): GroupView[] {
    return [...this.groups.values()]
      .filter((g) => g.state !== 'Dead' && this.check(g.groupId) === ErrorCode.NONE)
      .map((g) => ({
        groupId: g.groupId,
        state: stateOf(g),
        generation: g.consumer?.groupEpoch ?? g.generation,
        members: g.consumer?.members.size ?? g.members.size,
        offsets: [...g.offsets].map(([k, c]) => ({ ...splitOffsetMapKey(k), offset: c.offset })),
      }));
  }
}

/** A group's type, as ListGroups v5 and KIP-848 name it. */
export type GroupType = 'classic' | 'consumer';

/** A group's state: the classic protocol's, or a consumer group's (KIP-848). */
function stateOf(g: Group): GroupState | ConsumerGroupStateName {
  return g.consumer !== null && g.state !== 'Dead' ? g.consumer.stateName() : g.state;
}
