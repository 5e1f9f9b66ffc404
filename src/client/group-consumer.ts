// A consumer-group member on raftka's own client, with Kafka's classic protocol (group.protocol=
// classic, the default; eager or, KIP-429, cooperative rebalancing) or the consumer group protocol
// of KIP-848 (group.protocol=consumer: the coordinator assigns, consumer-membership.ts reconciles
// inside poll()). Classic: it joins a group for a list of topics, the leader assigns partitions
// with range, roundrobin or cooperative-sticky (group-assignment.ts), and poll() reads the assigned
// partitions from their leaders starting at the committed offsets (or auto.offset.reset when there
// are none). Heartbeats run in the background; a rebalance, a lost membership or a moved
// coordinator makes the next poll() rejoin. Callers: the console consumer (`raftka
// console-consumer --group`), tests, jepsen-like workloads.
//
// Invariants:
// - One KafkaClient per consumer (created here, closed by close()): the coordinator connection
//   carries JoinGroup, which waits a whole rebalance, and must not be shared with another member.
// - Positions are "the next offset to return"; commit() commits them, so a committed offset never
//   passes a record poll() has not returned.
// - Eager protocol: before rejoining, every partition is revoked (positions committed first when
//   auto-commit is on, while the old generation can still commit).
// - Cooperative protocol (KIP-429: every assignor offered is cooperative-sticky): a member rejoins
//   holding its partitions and names them in its subscription; after SyncGroup it revokes only
//   those its new assignment lacks (committing them first), keeps the positions of the rest, and
//   rejoins at once when it revoked any, so the next generation can hand them on. A member that
//   lost its membership (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION) gives everything back uncommitted.
// - With read_committed, starting positions are stable committed offsets (OffsetFetch requireStable,
//   KIP-447), and groupMetadata() gives a transactional producer the member's generation: together
//   they make a consume-transform-produce loop exactly-once.
// - Only poll(), subscribe() and close() change the membership; the heartbeat loop just notices
//   that a rejoin is needed. Heartbeat answers about an older generation are ignored.
// - close() commits (auto-commit), calls onPartitionsRevoked with what it held, then leaves, as Kafka's consumer does.
// - Not implemented (yet): max.poll.interval.ms (leaving the group when poll() stops being called),
//   pattern subscriptions; a JoinGroup in progress holds up poll() (Kafka's consumer keeps fetching
//   its kept partitions meanwhile).
import type { ClientSecurity } from '../security/client-security.js';
import { ErrorCode } from '../common/errors.js';
import type { Endpoint } from '../common/node-config.js';
import { decodeAssignment } from '../protocol/consumer-protocol.js';
import { IsolationLevel, type IsolationLevelId } from '../protocol/txn-types.js';
import { deliverableRecords, isolationLevelId, type IsolationLevelName } from './read-committed.js';
import type { ConsumedRecord } from './consumer.js';
import {
  heartbeat,
  isCoordinatorMovedError,
  joinGroup,
  leaveGroup,
  MemberIdRequiredError,
  offsetCommit,
  offsetFetch,
  syncGroup,
  toTopicPartitions,
  type CommittedOffset,
  type JoinedMember,
} from './group-client.js';
import { KafkaClient, KafkaRequestError, type FetchedPartition } from './kafka-client.js';
import { KafkaConnectionError } from './kafka-connection.js';
import { describe, isRoutine, isTransient } from './consumer-errors.js';
import { ConsumerMembership } from './consumer-membership.js';
import {
  leaderAssignments,
  rebalanceProtocolOf,
  subscribers,
  subscriptionMetadata,
  type AssignorName,
  type RebalanceProtocol,
} from './group-assignment.js';

export type { AssignorName } from './group-assignment.js';
type AutoOffsetReset = 'earliest' | 'latest';

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** What GroupConsumer.groupMetadata() returns. */
export interface ConsumerGroupMetadata {
  readonly groupId: string;
  /** -1 before the member has joined. */
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
}

export interface GroupConsumerOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly clientId?: string;
  /** session.timeout.ms; Kafka's consumer default is 45000, ours 10000 (faster failover in tests). */
  readonly sessionTimeoutMs?: number;
  /** How long the coordinator waits for members to rejoin (Kafka: max.poll.interval.ms, 300000). */
  readonly rebalanceTimeoutMs?: number;
  /** heartbeat.interval.ms; default a third of the session timeout. */
  readonly heartbeatIntervalMs?: number;
  /** group.instance.id: static membership; close() then does not leave the group. */
  readonly groupInstanceId?: string | null;
  /** TLS and SASL for every connection (a --command-config file); PLAINTEXT when absent. */
  readonly security?: ClientSecurity;
  /** auto.offset.reset for partitions without a committed offset; default latest (Kafka's). */
  readonly autoOffsetReset?: AutoOffsetReset;
  /** enable.auto.commit; default true (Kafka's). */
  readonly autoCommit?: boolean;
  /** auto.commit.interval.ms; default 5000. */
  readonly autoCommitIntervalMs?: number;
  /**
   * partition.assignment.strategy, in preference order; default range then roundrobin. Only
   * cooperative-sticky alone makes the member cooperative (KIP-429); listed with an eager one it
   * rebalances eagerly, which is the way to move a running group to it (Kafka's upgrade path).
   */
  readonly assignors?: readonly AssignorName[];
  /** isolation.level; default read_uncommitted (Kafka's). */
  readonly isolationLevel?: IsolationLevelName;
  /** max.partition.fetch.bytes; default 1 MiB. */
  readonly maxPartitionFetchBytes?: number;
  /** allow.auto.create.topics for the leader's metadata lookups; default true (Kafka's). */
  readonly allowAutoTopicCreation?: boolean;
  /** How often the leader checks whether its topics' partition counts changed (metadata.max.age.ms, 300000). */
  readonly metadataMaxAgeMs?: number;
  readonly requestTimeoutMs?: number;
  /** Called with the partitions taken away (before rejoining) and given (after SyncGroup). */
  readonly onPartitionsRevoked?: (partitions: readonly TopicPartition[]) => void | Promise<void>;
  readonly onPartitionsAssigned?: (partitions: readonly TopicPartition[]) => void | Promise<void>;
  /** Where the consumer reports what it survived (failed auto-commits, rejoins); silent by default. */
  readonly log?: (message: string) => void;
  /** group.protocol: 'classic' (JoinGroup/SyncGroup, the default) or 'consumer' (KIP-848, ConsumerGroupHeartbeat). */
  readonly groupProtocol?: 'classic' | 'consumer';
  /** group.remote.assignor for group.protocol=consumer ('uniform', 'range'); default: the coordinator's. */
  readonly remoteAssignor?: string | null;
}

/** JoinGroup/SyncGroup rounds one ensureActiveGroup() may take before giving up with the last error. */
const joinAttemptsMax = 30;
/** Pause before rejoining after a coordinator or connection failure (doubles up to the max). */
const rejoinBackoffMs = 100;
const rejoinBackoffMaxMs = 2000;
/** How long poll() naps between checks when it has no partitions (or fetched nothing from several). */
const idleNapMs = 100;
/** Pause between OffsetFetch attempts while a transactional offset commit is pending (read_committed). */
const unstableOffsetBackoffMs = 100;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type Phase = 'unjoined' | 'stable' | 'closed';

/** What a failure in the group protocol means for the member. */
type Recovery = 'rejoin-now' | 'rejoin-after-backoff' | 'fatal';

const protocolType = 'consumer';

export class GroupConsumer {
  readonly groupId: string;
  private readonly client: KafkaClient;
  private readonly topics: readonly string[];
  private readonly sessionTimeoutMs: number;
  private readonly rebalanceTimeoutMs: number;
  private readonly heartbeatIntervalMs: number;
  private readonly groupInstanceId: string | null;
  private readonly autoOffsetReset: AutoOffsetReset;
  private readonly autoCommit: boolean;
  private readonly autoCommitIntervalMs: number;
  private readonly assignorNames: readonly AssignorName[];
  private readonly rebalanceProtocol: RebalanceProtocol;
  private readonly maxPartitionFetchBytes: number;
  private readonly isolationLevel: IsolationLevelId;
  private readonly allowAutoTopicCreation: boolean;
  private readonly metadataMaxAgeMs: number;
  private readonly log: (message: string) => void;
  private readonly onRevoked: GroupConsumerOptions['onPartitionsRevoked'];
  private readonly onAssigned: GroupConsumerOptions['onPartitionsAssigned'];

  private phase: Phase = 'unjoined';
  /** close() was called: no new operation starts, a join in progress ends quietly. */
  private closing = false;
  private member = { memberId: '', generationId: -1 };
  private leader = false;
  /** Partition counts the leader assigned from; a change makes it rejoin. */
  private assignedFromCounts = new Map<string, number>();
  private nextMetadataCheckMs = 0;
  private assigned: TopicPartition[] = [];
  /** topic → partition → next offset to return; a held partition without one is reset (auto.offset.reset) at its next fetch. */
  private readonly positions = new Map<string, Map<number, number>>();
  private nextAutoCommitMs = 0;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  /** An error the heartbeat loop met that the member cannot recover from; poll() throws it. */
  private fatal: Error | null = null;
  /** The poll() (or subscribe()) in progress; close() waits for it. */
  private busy: Promise<unknown> | null = null;
  /** group.protocol=consumer: the KIP-848 membership (null for the classic protocol). */
  private readonly membership: ConsumerMembership | null;

  constructor(bootstrap: readonly Endpoint[], options: GroupConsumerOptions) {
    if (options.topics.length === 0) throw new Error('a group consumer needs at least one topic');
    this.groupId = options.groupId;
    this.topics = [...new Set(options.topics)];
    this.client = new KafkaClient(bootstrap, {
      clientId: options.clientId ?? 'raftka-consumer',
      requestTimeoutMs: options.requestTimeoutMs,
      ...(options.security ? { security: options.security } : {}),
    });
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? 10_000;
    this.rebalanceTimeoutMs = options.rebalanceTimeoutMs ?? 30_000;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? Math.max(1, Math.floor(this.sessionTimeoutMs / 3));
    if (this.heartbeatIntervalMs >= this.sessionTimeoutMs)
      throw new Error(
        `heartbeat.interval.ms (${this.heartbeatIntervalMs}) must be lower than session.timeout.ms (${this.sessionTimeoutMs})`,
      );
    this.groupInstanceId = options.groupInstanceId ?? null;
    this.autoOffsetReset = options.autoOffsetReset ?? 'latest';
    this.autoCommit = options.autoCommit ?? true;
    this.autoCommitIntervalMs = options.autoCommitIntervalMs ?? 5000;
    this.assignorNames = options.assignors ?? ['range', 'roundrobin'];
    if (this.assignorNames.length === 0) throw new Error('at least one assignor is needed');
    this.rebalanceProtocol = rebalanceProtocolOf(this.assignorNames);
    this.maxPartitionFetchBytes = options.maxPartitionFetchBytes ?? 1024 * 1024;
    this.isolationLevel = isolationLevelId(options.isolationLevel ?? 'read_uncommitted');
    this.allowAutoTopicCreation = options.allowAutoTopicCreation ?? true;
    this.metadataMaxAgeMs = options.metadataMaxAgeMs ?? 300_000;
    this.log = options.log ?? (() => {});
    this.onRevoked = options.onPartitionsRevoked;
    this.onAssigned = options.onPartitionsAssigned;
    this.membership =
      options.groupProtocol === 'consumer'
        ? new ConsumerMembership(
            this.client,
            {
              groupId: this.groupId,
              topics: this.topics,
              instanceId: this.groupInstanceId,
              rebalanceTimeoutMs: this.rebalanceTimeoutMs,
              serverAssignor: options.remoteAssignor ?? null,
              log: this.log,
            },
            {
              owned: () => this.assigned,
              revoke: (partitions, lost) => this.revokeSome(partitions, lost),
              assign: (partitions) => this.assignSome(partitions),
            },
          )
        : null;
  }

  get memberId(): string {
    return this.membership?.memberId ?? this.member.memberId;
  }

  /** The generation; with group.protocol=consumer the member epoch. */
  get generationId(): number {
    return this.membership?.memberEpoch ?? this.member.generationId;
  }

  /**
   * The member's group, generation, member id and instance id (Java's consumer.groupMetadata()):
   * what a transactional producer sends with the offsets it commits in a transaction, so the
   * coordinator refuses them from a member that a rebalance has replaced.
   */
  groupMetadata(): ConsumerGroupMetadata {
    return {
      groupId: this.groupId,
      generationId: this.generationId,
      memberId: this.memberId,
      groupInstanceId: this.groupInstanceId,
    };
  }

  /** Whether this member computed the last assignment. */
  get isLeader(): boolean {
    return this.leader;
  }

  /** The partitions this member holds now, by topic then partition. */
  assignment(): TopicPartition[] {
    return [...this.assigned];
  }

  /** The next offset poll() returns for a partition this member holds (undefined otherwise, or before its reset). */
  position(topic: string, partition: number): number | undefined {
    return this.positions.get(topic)?.get(partition);
  }

  /**
   * Makes poll() continue from `offset` on a partition this member holds (and commit() commit
   * it); returns false when the member does not hold the partition.
   */
  seek(topic: string, partition: number, offset: number): boolean {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`seek to offset ${offset}`);
    if (!this.assigned.some((tp) => tp.topic === topic && tp.partition === partition)) return false;
    this.setPosition({ topic, partition }, offset);
    return true;
  }

  /** Joins the group and waits for the first assignment (poll() does this too when needed). */
  async subscribe(): Promise<void> {
    await this.exclusive(() => this.ensureActiveGroup());
  }

  /**
   * Records from the assigned partitions, waiting up to maxWaitMs when none is new. Rejoins the
   * group first when a rebalance is under way, and auto-commits when due.
   */
  async poll(maxWaitMs: number): Promise<ConsumedRecord[]> {
    return this.exclusive(async () => {
      await this.ensureActiveGroup();
      if (this.closing) return [];
      await this.maybeAutoCommit();
      await this.maybeCheckMetadata();
      return this.fetchAssigned(maxWaitMs);
    });
  }

  /**
   * Commits the positions of what poll() has returned, with this member's generation.
   * REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID and coordinator errors make
   * the next poll() rejoin; the error is thrown either way (as Kafka's CommitFailedException).
   */
  async commit(): Promise<void> {
    if (this.closing) throw new Error('the consumer is closed');
    await this.commitPositions();
  }

  /**
   * Leaves cleanly: waits for a poll() in progress, commits when auto-commit is on, then sends
   * LeaveGroup — unless the member is static (group.instance.id), whose partitions stay reserved
   * for it until its session times out, as in Kafka. Closes the client.
   */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.busy?.catch(() => {});
    this.stopHeartbeats();
    this.phase = 'closed';
    try {
      // Also while a rebalance is pending: the old generation can still commit until it ends.
      if (this.autoCommit && this.generationId >= 0)
        await this.commitPositions().catch((err: unknown) => this.log(`commit on close failed: ${describe(err)}`));
      const held = this.assigned;
      this.assigned = [];
      if (held.length > 0) await this.onRevoked?.(held);
      if (this.membership) {
        await this.membership.leave().catch((err: unknown) => this.log(`leaving the group failed: ${describe(err)}`));
      } else if (this.groupInstanceId === null && this.member.memberId !== '') {
        await leaveGroup(this.client, {
          groupId: this.groupId,
          memberId: this.member.memberId,
          groupInstanceId: null,
        }).catch((err: unknown) => this.log(`LeaveGroup failed: ${describe(err)}`));
      }
    } finally {
      this.positions.clear();
      this.assigned = [];
      this.client.close();
    }
  }

  /** Runs one public operation at a time (close() waits for it). */
  private async exclusive<T>(op: () => Promise<T>): Promise<T> {
    if (this.busy) throw new Error('GroupConsumer: poll() and subscribe() must not overlap');
    if (this.closing) throw new Error('the consumer is closed');
    const p = op();
    this.busy = p;
    try {
      return await p;
    } finally {
      this.busy = null;
    }
  }

  // ---- membership -------------------------------------------------------------------------------

  private async ensureActiveGroup(): Promise<void> {
    if (this.membership) {
      if (this.closing) return;
      await this.membership.ensure();
      this.phase = 'stable';
      return;
    }
    let backoffMs = rejoinBackoffMs;
    // A close() meanwhile ends the loop quietly; a member that did join is then left by close().
    for (let attempt = 1; this.phase !== 'stable' && !this.closing; attempt++) {
      if (this.fatal) throw this.fatal;
      try {
        if (this.rebalanceProtocol === 'eager') await this.revokeAll();
        else await this.prepareCooperativeJoin();
        const assigned = await this.joinAndSync();
        this.phase = 'stable';
        this.scheduleHeartbeat();
        if (this.rebalanceProtocol === 'cooperative') {
          await this.completeCooperativeJoin(assigned);
          continue;
        }
        this.assigned = assigned;
        await this.initPositions(assigned);
        // Even when a heartbeat has already seen the next rebalance: revoked then pairs with assigned.
        await this.onAssigned?.(this.assignment());
      } catch (err) {
        if (this.closing) return;
        this.phase = 'unjoined';
        this.stopHeartbeats();
        const recovery = this.recover(err);
        if (recovery === 'fatal' || attempt >= joinAttemptsMax) throw err;
        if (!isRoutine(err)) this.log(`rejoining group '${this.groupId}' after: ${describe(err)}`);
        if (recovery === 'rejoin-after-backoff') {
          await sleep(backoffMs);
          backoffMs = Math.min(backoffMs * 2, rejoinBackoffMaxMs);
        }
      }
    }
  }

  /** Eager protocol: give everything back before joining (committing first when auto-commit is on). */
  private async revokeAll(): Promise<void> {
    if (this.assigned.length === 0) return;
    if (this.autoCommit && this.member.generationId >= 0) {
      await this.commitPositions().catch((err: unknown) =>
        this.log(`commit before rebalance failed: ${describe(err)}`),
      );
    }
    const revoked = this.assigned;
    this.assigned = [];
    this.positions.clear();
    await this.onRevoked?.(revoked);
  }

  /**
   * Cooperative protocol, before JoinGroup: commit what poll() returned (auto-commit, as before an
   * eager rejoin), and give everything back uncommitted when the membership was lost (the
   * partitions may be another member's already: Kafka's onPartitionsLost).
   */
  private async prepareCooperativeJoin(): Promise<void> {
    if (this.assigned.length === 0) return;
    if (this.autoCommit && this.member.generationId >= 0)
      await this.commitPositions().catch((err: unknown) =>
        this.log(`commit before rejoining failed: ${describe(err)}`),
      );
    if (this.member.generationId < 0) await this.revokeSome(this.assigned, true);
  }

  /**
   * Cooperative protocol, after SyncGroup: revoke only what the assignment lacks (positions
   * committed first), keep the rest with their positions, take what is new, and rejoin at once
   * when something was revoked so the next generation can give it to its new owner (KIP-429).
   */
  private async completeCooperativeJoin(assigned: readonly TopicPartition[]): Promise<void> {
    const now = new Set(assigned.map(tpKey));
    const held = new Set(this.assigned.map(tpKey));
    const revoked = this.assigned.filter((tp) => !now.has(tpKey(tp)));
    const added = assigned.filter((tp) => !held.has(tpKey(tp)));
    if (revoked.length > 0) await this.revokeSome(revoked, false);
    this.assigned = [...assigned];
    await this.initPositions(added);
    // Kafka calls it after every cooperative rebalance, with what is new (maybe nothing).
    await this.onAssigned?.(added);
    if (revoked.length > 0 && this.phase === 'stable') {
      this.log(`gave back ${revoked.length} partition(s) of group '${this.groupId}'; rejoining`);
      this.phase = 'unjoined';
      this.stopHeartbeats();
    }
  }

  /** Gives back some partitions (committing their positions unless lost); group.protocol=consumer and cooperative. */
  private async revokeSome(partitions: readonly TopicPartition[], lost: boolean): Promise<void> {
    const gone = new Set(partitions.map(tpKey));
    if (!lost && this.autoCommit) {
      await this.commitPositions(gone).catch((err: unknown) =>
        this.log(`commit before revoking failed: ${describe(err)}`),
      );
    }
    for (const tp of partitions) this.positions.get(tp.topic)?.delete(tp.partition);
    this.assigned = this.assigned.filter((tp) => !gone.has(tpKey(tp)));
    await this.onRevoked?.(partitions);
  }

  /** group.protocol=consumer: takes partitions, starting from their committed offsets. */
  private async assignSome(partitions: readonly TopicPartition[]): Promise<void> {
    const added = [...partitions];
    this.assigned = [...this.assigned, ...added].sort((a, b) =>
      a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition,
    );
    const committed = await offsetFetch(this.client, this.groupId, toTopicPartitions(added), false);
    for (const c of committed) if (c.offset >= 0) this.setPosition(c, c.offset);
    this.nextAutoCommitMs = Date.now() + this.autoCommitIntervalMs;
    await this.onAssigned?.(added);
  }

  /** One JoinGroup/SyncGroup round; returns the member's new assignment, by topic then partition. */
  private async joinAndSync(): Promise<TopicPartition[]> {
    const metadata = subscriptionMetadata(this.assignorNames, this.topics, this.assigned, this.member.generationId);
    const join = await joinGroup(this.client, {
      groupId: this.groupId,
      memberId: this.member.memberId,
      groupInstanceId: this.groupInstanceId,
      sessionTimeoutMs: this.sessionTimeoutMs,
      rebalanceTimeoutMs: this.rebalanceTimeoutMs,
      protocolType,
      protocols: this.assignorNames.map((name) => ({ name, metadata })),
    });
    this.member = { memberId: join.memberId, generationId: join.generationId };
    this.leader = join.leader === join.memberId;
    const assignments = this.leader ? await this.assignAsLeader(join.protocolName, join.members) : [];
    const bytes = await syncGroup(this.client, {
      groupId: this.groupId,
      generationId: join.generationId,
      memberId: join.memberId,
      groupInstanceId: this.groupInstanceId,
      protocolType,
      protocolName: join.protocolName,
      assignments,
    });
    const mine = decodeAssignment(bytes).assignedPartitions;
    return mine
      .flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })))
      .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  }

  /** The leader's job: every member's partitions, from their subscriptions and the topics' partition counts. */
  private async assignAsLeader(
    protocolName: string | null,
    joined: readonly JoinedMember[],
  ): Promise<{ memberId: string; assignment: Buffer }[]> {
    const members = subscribers(joined);
    const counts = await this.partitionCounts([...new Set(members.flatMap((m) => m.topics))]);
    this.assignedFromCounts = counts;
    this.nextMetadataCheckMs = Date.now() + this.metadataMaxAgeMs;
    return leaderAssignments(protocolName, members, counts);
  }

  private async partitionCounts(topics: readonly string[]): Promise<Map<string, number>> {
    if (topics.length === 0) return new Map();
    const md = await this.client.metadata(topics, this.allowAutoTopicCreation);
    const asked = new Set(topics);
    return new Map(
      md.topics
        .filter((t) => asked.has(t.name) && t.errorCode === ErrorCode.NONE && t.partitions.length > 0)
        .map((t) => [t.name, t.partitions.length]),
    );
  }

  /**
   * Starting positions from the committed offsets; partitions without one are left to
   * auto.offset.reset at their first fetch (where a leader that is moving is just retried later).
   */
  private async initPositions(partitions: readonly TopicPartition[]): Promise<void> {
    if (partitions.length === 0) return;
    const committed = await this.fetchCommitted(partitions);
    for (const c of committed) if (c.offset >= 0) this.setPosition(c, c.offset);
    this.nextAutoCommitMs = Date.now() + this.autoCommitIntervalMs;
  }

  /**
   * The committed offsets of the assigned partitions. With read_committed they must be stable
   * (OffsetFetch requireStable, KIP-447): an offset committed in a transaction whose marker has not
   * landed yet answers UNSTABLE_OFFSET_COMMIT and is asked again, as Kafka's consumer does, so a
   * member never starts from the offset before a transaction that is committing (it would read
   * that transaction's input again). Bounded by the request timeout; then the rejoin logic retries.
   */
  private async fetchCommitted(assigned: readonly TopicPartition[]): Promise<CommittedOffset[]> {
    const partitions = toTopicPartitions(assigned);
    const requireStable = this.isolationLevel === IsolationLevel.READ_COMMITTED;
    const deadline = Date.now() + this.client.requestTimeoutMs;
    for (;;) {
      try {
        return await offsetFetch(this.client, this.groupId, partitions, requireStable);
      } catch (err) {
        const unstable = err instanceof KafkaRequestError && err.errorCode === ErrorCode.UNSTABLE_OFFSET_COMMIT;
        if (!unstable || Date.now() >= deadline || this.closing) throw err;
        await sleep(unstableOffsetBackoffMs);
      }
    }
  }

  private async resetOffset(tp: TopicPartition): Promise<number> {
    return (
      await this.client.listOffset(
        tp.topic,
        tp.partition,
        this.autoOffsetReset === 'earliest' ? -2 : -1,
        this.isolationLevel,
      )
    ).offset;
  }

  private setPosition(tp: TopicPartition, offset: number): void {
    let m = this.positions.get(tp.topic);
    if (!m) this.positions.set(tp.topic, (m = new Map()));
    m.set(tp.partition, offset);
  }

  /**
   * Adjusts the member after a failed group call and says how to go on. MEMBER_ID_REQUIRED gives
   * the id to join with; UNKNOWN_MEMBER_ID forgets the member id and ILLEGAL_GENERATION the
   * generation; coordinator moves and broken connections wait a little first (group-client has
   * already forgotten the coordinator). Anything else (INCONSISTENT_GROUP_PROTOCOL,
   * INVALID_SESSION_TIMEOUT, FENCED_INSTANCE_ID, GROUP_AUTHORIZATION_FAILED, ...) is fatal.
   */
  private recover(err: unknown): Recovery {
    if (err instanceof MemberIdRequiredError) {
      this.member = { memberId: err.memberId, generationId: -1 };
      return 'rejoin-now';
    }
    if (err instanceof KafkaConnectionError) return 'rejoin-after-backoff';
    if (!(err instanceof KafkaRequestError)) return 'fatal';
    switch (err.errorCode) {
      case ErrorCode.UNKNOWN_MEMBER_ID:
        this.member = { memberId: '', generationId: -1 };
        return 'rejoin-now';
      case ErrorCode.ILLEGAL_GENERATION:
        this.member = { memberId: this.member.memberId, generationId: -1 };
        return 'rejoin-now';
      case ErrorCode.REBALANCE_IN_PROGRESS:
        return 'rejoin-now';
      case ErrorCode.NOT_COORDINATOR:
      case ErrorCode.COORDINATOR_NOT_AVAILABLE:
      case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
      case ErrorCode.REQUEST_TIMED_OUT:
      case ErrorCode.UNSTABLE_OFFSET_COMMIT:
        return 'rejoin-after-backoff';
      default:
        return 'fatal';
    }
  }

  // ---- heartbeats -------------------------------------------------------------------------------

  private scheduleHeartbeat(): void {
    if (this.heartbeatTimer || this.phase !== 'stable' || this.closing) return;
    this.heartbeatTimer = setTimeout(() => {
      this.heartbeatTimer = null;
      void this.heartbeatOnce();
    }, this.heartbeatIntervalMs);
    // Heartbeats alone do not keep a process alive; its poll loop does.
    this.heartbeatTimer.unref();
  }

  private stopHeartbeats(): void {
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private async heartbeatOnce(): Promise<void> {
    if (this.phase !== 'stable' || this.closing) return;
    const sent = this.member;
    try {
      await heartbeat(this.client, {
        groupId: this.groupId,
        generationId: sent.generationId,
        memberId: sent.memberId,
        groupInstanceId: this.groupInstanceId,
      });
    } catch (err) {
      // An answer about a generation we have already left behind says nothing about the current one.
      if (this.member !== sent || this.phase !== 'stable' || this.closing) return;
      const recovery = this.recover(err);
      if (recovery === 'fatal') this.fatal = err instanceof Error ? err : new Error(String(err));
      else if (!isRoutine(err))
        this.log(`heartbeat of group '${this.groupId}': ${describe(err)}; rejoining at the next poll`);
      this.phase = 'unjoined';
      return;
    }
    this.scheduleHeartbeat();
  }

  // ---- offsets ------------------------------------------------------------------------------------

  /** Commits the positions (of `only` when given: keys `topic\0partition`). */
  private async commitPositions(only?: ReadonlySet<string>): Promise<void> {
    const offsets = [...this.positions]
      .flatMap(([topic, m]) => [...m].map(([partition, offset]) => ({ topic, partition, offset })))
      .filter((o) => only === undefined || only.has(`${o.topic}\u0000${o.partition}`));
    if (offsets.length === 0) return;
    if (this.membership) return this.membership.commit(offsets);
    const sent = this.member;
    if (sent.generationId < 0)
      throw new KafkaRequestError(
        ErrorCode.ILLEGAL_GENERATION,
        `member of group '${this.groupId}' has no generation to commit with`,
      );
    try {
      await offsetCommit(this.client, {
        groupId: this.groupId,
        generationId: sent.generationId,
        memberId: sent.memberId,
        groupInstanceId: this.groupInstanceId,
        offsets,
      });
    } catch (err) {
      if (this.phase === 'stable' && this.member === sent && err instanceof KafkaRequestError) {
        const code = err.errorCode;
        if (
          code === ErrorCode.REBALANCE_IN_PROGRESS ||
          code === ErrorCode.ILLEGAL_GENERATION ||
          code === ErrorCode.UNKNOWN_MEMBER_ID ||
          isCoordinatorMovedError(code)
        ) {
          this.recover(err);
          this.phase = 'unjoined';
          this.stopHeartbeats();
        }
      }
      throw err;
    }
  }

  private async maybeAutoCommit(): Promise<void> {
    if (!this.autoCommit || Date.now() < this.nextAutoCommitMs) return;
    this.nextAutoCommitMs = Date.now() + this.autoCommitIntervalMs;
    await this.commitPositions().catch((err: unknown) => this.log(`auto-commit failed: ${describe(err)}`));
    // A commit that found the group rebalancing leaves the member unjoined: rejoin before fetching.
    await this.ensureActiveGroup();
  }

  /** The leader rejoins when a topic's partition count changed since it assigned (Kafka does the same). */
  private async maybeCheckMetadata(): Promise<void> {
    if (this.membership || !this.leader || Date.now() < this.nextMetadataCheckMs) return;
    this.nextMetadataCheckMs = Date.now() + this.metadataMaxAgeMs;
    let counts: Map<string, number>;
    try {
      counts = await this.partitionCounts([...new Set([...this.assignedFromCounts.keys(), ...this.topics])]);
    } catch (err) {
      if (!isTransient(err)) throw err;
      this.log(`metadata check of group '${this.groupId}' failed: ${describe(err)}`);
      return;
    }
    const changed = [...new Set([...counts.keys(), ...this.assignedFromCounts.keys()])].some(
      (t) => counts.get(t) !== this.assignedFromCounts.get(t),
    );
    if (!changed) return;
    this.log(`partition counts of group '${this.groupId}' topics changed; rebalancing`);
    this.phase = 'unjoined';
    this.stopHeartbeats();
    await this.ensureActiveGroup();
  }

  // ---- fetching -----------------------------------------------------------------------------------

  private async fetchAssigned(maxWaitMs: number): Promise<ConsumedRecord[]> {
    const partitions = this.assignment();
    if (partitions.length === 0) {
      await this.nap(maxWaitMs);
      return [];
    }
    const out: ConsumedRecord[] = [];
    // Like Consumer: long-poll only when there is a single partition to wait on.
    const wait = partitions.length === 1 ? maxWaitMs : 0;
    for (const tp of partitions) {
      try {
        await this.fetchPartition(tp, wait, out);
      } catch (err) {
        if (!isTransient(err)) throw err;
        this.log(`${tp.topic}-${tp.partition}: ${describe(err)}; trying again at the next poll`);
      }
    }
    if (out.length === 0 && wait === 0) await this.nap(Math.min(maxWaitMs, idleNapMs));
    return out;
  }

  /** One partition's new records into `out`, moving its position past them (and past control batches). */
  private async fetchPartition(tp: TopicPartition, wait: number, out: ConsumedRecord[]): Promise<void> {
    let position = this.position(tp.topic, tp.partition);
    if (position === undefined) {
      position = await this.resetOffset(tp);
      this.setPosition(tp, position);
    }
    let r: FetchedPartition;
    try {
      r = await this.client.fetch(tp.topic, tp.partition, position, {
        maxWaitMs: wait,
        maxBytes: this.maxPartitionFetchBytes,
        isolationLevel: this.isolationLevel,
      });
    } catch (err) {
      if (!(err instanceof KafkaRequestError) || err.errorCode !== ErrorCode.OFFSET_OUT_OF_RANGE) throw err;
      // Retention (or a truncation) moved the log past us: auto.offset.reset at the next fetch.
      this.log(
        `${tp.topic}-${tp.partition}: offset ${position} is out of range; resetting to the ${this.autoOffsetReset} offset`,
      );
      this.positions.get(tp.topic)?.delete(tp.partition);
      return;
    }
    const d = deliverableRecords(r.records, r.abortedTransactions, position, this.isolationLevel);
    for (const rec of d.records) out.push({ ...rec, topic: tp.topic, partition: tp.partition });
    this.setPosition(tp, d.nextOffset);
  }

  /** Waits up to `ms`, returning early when a rebalance needs the member to rejoin. */
  private async nap(ms: number): Promise<void> {
    const until = Date.now() + Math.max(0, ms);
    while (this.phase === 'stable' && !this.closing && Date.now() < until && !this.membership?.needsReconcile())
      await sleep(Math.min(idleNapMs, until - Date.now()));
  }
}

const tpKey = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`;
