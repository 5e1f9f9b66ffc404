// The group coordinator's options and the shapes of its requests and answers, plus the view of
// the coordinator that its parts (classic-rebalance.ts, group-offsets.ts) share, with their base
// class. No protocol logic here.
import type { Logger } from 'pino';
import type { TopicCatalog } from './assignors.js';
import type { Clock } from './clock.js';
import type { Group, GroupState, Protocol } from './group.js';
import type { ConsumerGroupStateName } from './consumer-group.js';
import type { OffsetsLog } from './offsets-log.js';

export interface GroupCoordinatorOptions {
  readonly log: OffsetsLog;
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * Partitions of `__consumer_offsets`, read at every lookup: the existing topic's count when it
   * exists (a cluster migrated from ZooKeeper keeps the count it had), else offsets.topic.num.partitions.
   */
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
  /** The consumer group protocol (KIP-848): its settings and the topics it can assign. */
  readonly consumer: ConsumerProtocolOptions;
}

export interface ConsumerProtocolOptions {
  /** group.consumer.heartbeat.interval.ms: told to every member. */
  readonly heartbeatIntervalMs: number;
  /** group.consumer.session.timeout.ms: a member without a heartbeat that long is removed. */
  readonly sessionTimeoutMs: number;
  /** group.consumer.assignors: the server-side assignors offered; the first is the default. */
  readonly assignors: readonly string[];
  /** group.consumer.max.size: members of one consumer group at most. */
  readonly maxSize: number;
  /** The topics of the node's metadata image, read at every heartbeat. */
  readonly topics: () => TopicCatalog;
  /**
   * Whether the protocol is on now (the finalized group.version is 1 or more); absent: always.
   * Off, ConsumerGroupHeartbeat and ConsumerGroupDescribe answer UNSUPPORTED_VERSION, as Kafka's.
   */
  readonly enabled?: () => boolean;
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
  /**
   * JoinGroup v9+ (KIP-814): a static leader rejoining a stable group is told it leads, with the
   * member list, and to skip the assignment; older versions name the old leader id instead.
   */
  readonly supportsSkipAssignment?: boolean;
  /** JoinGroup v8+ (KIP-800): why the member (re-)joins; logged with the rebalance. */
  readonly reason?: string | null;
}

export interface OffsetCommitRequestItem {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly leaderEpoch: number;
  readonly metadata: string | null;
}

/** TxnOffsetCommit (key 28), as the coordinator needs it. */
export interface TxnOffsetCommitRequest {
  readonly transactionalId: string;
  readonly groupId: string;
  readonly producerId: number;
  readonly producerEpoch: number;
  /** v3+; -1 when absent (older clients): then the member is not checked. */
  readonly generationId: number;
  /** v3+; '' when absent. */
  readonly memberId: string;
  /** v3+; null when absent. */
  readonly groupInstanceId: string | null;
  readonly topics: readonly {
    readonly name: string;
    readonly partitions: readonly {
      readonly partition: number;
      readonly committedOffset: number;
      readonly committedLeaderEpoch: number;
      readonly committedMetadata: string | null;
    }[];
  }[];
}

/** TxnOffsetCommit's answer: an error code per requested partition, in the request's order. */
export interface TxnOffsetCommitResult {
  readonly topics: readonly {
    readonly name: string;
    readonly partitions: readonly { partition: number; errorCode: number }[];
  }[];
}

/** One partition of an OffsetFetch answer; errorCode is UNSTABLE_OFFSET_COMMIT when requireStable meets a pending commit. */
export interface FetchedOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly leaderEpoch: number;
  readonly metadata: string | null;
  readonly errorCode: number;
}

export interface DescribedGroup {
  readonly errorCode: number;
  readonly groupId: string;
  readonly state: GroupState;
  readonly protocolType: string;
  readonly protocolData: string;
  readonly members: readonly {
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    clientHost: string;
    metadata: Buffer;
    assignment: Buffer;
  }[];
}

/** What /metrics shows of a group this broker coordinates. */
export interface GroupView {
  readonly groupId: string;
  readonly state: GroupState | ConsumerGroupStateName;
  /** The generation, or a consumer group's epoch. */
  readonly generation: number;
  readonly members: number;
  readonly offsets: readonly { topic: string; partition: number; offset: number }[];
}

/** Rebalances this coordinator ran since start (Kafka's group-rebalance-count and group-completed-rebalance-count). */
export interface RebalanceTally {
  /** Groups that went into PreparingRebalance. */
  started: number;
  /** Groups that reached Stable with their members' assignment stored. */
  completed: number;
}

/** What the coordinator's parts share: its options, the groups served here, and its checks. */
export interface CoordinatorContext {
  readonly o: GroupCoordinatorOptions;
  readonly rebalances: RebalanceTally;
  /** The groups of the offsets partitions led and loaded here. */
  readonly groups: Map<string, Group>;
  /** Whether this broker serves the group: an error code, or NONE. */
  check(groupId: string): number;
  partitionFor(groupId: string): number;
}

/** Base of the coordinator's parts: the options, the groups and the checks, from the context. */
export abstract class CoordinatorPart {
  protected readonly o: GroupCoordinatorOptions;
  protected readonly groups: Map<string, Group>;
  protected readonly rebalances: RebalanceTally;

  constructor(private readonly context: CoordinatorContext) {
    this.o = context.o;
    this.groups = context.groups;
    this.rebalances = context.rebalances;
  }

  protected check(groupId: string): number {
    return this.context.check(groupId);
  }

  protected partitionFor(groupId: string): number {
    return this.context.partitionFor(groupId);
  }
}
