// Membership of a consumer group with the consumer group protocol (KIP-848,
// group.protocol=consumer) for raftka's GroupConsumer: the member joins with epoch 0, heartbeats
// every group.consumer.heartbeat.interval.ms (the coordinator says how often) listing the
// partitions it owns, and learns its assignment from the answers. Reconciliation runs in the
// consumer's poll() (never in the heartbeat timer): partitions taken away are revoked first
// (their positions committed, onPartitionsRevoked called, forgotten), then the member heartbeats
// at once so the coordinator can give them to their next owner; new partitions are then taken
// (positions from the committed offsets, onPartitionsAssigned). Called by group-consumer.ts.
//
// Invariants:
// - The owned list a heartbeat carries is what the consumer holds at that moment: a partition
//   leaves it only after its revocation completed, so the coordinator never hands it on earlier.
// - FENCED_MEMBER_EPOCH or UNKNOWN_MEMBER_ID: every partition is lost (no commit) and the member
//   joins again with epoch 0 under the same member id.
// - One heartbeat in flight at a time; answers are applied in order.
import { ErrorCode } from '../common/errors.js';
import { randomUuid } from '../common/uuid.js';
import type { ConsumerGroupHeartbeatResponse } from '../protocol/messages/consumer-group-heartbeat.js';
import { consumerGroupHeartbeat, heartbeatVersion } from './consumer-group-client.js';
import { isCoordinatorMovedError, offsetCommit } from './group-client.js';
import { KafkaRequestError, type KafkaClient } from './kafka-client.js';
import { KafkaConnectionError } from './kafka-connection.js';

export interface TopicPartitionRef {
  readonly topic: string;
  readonly partition: number;
}

/** What the membership asks of its consumer. */
export interface MembershipHost {
  /** The partitions the consumer holds now. */
  owned(): readonly TopicPartitionRef[];
  /** Give partitions back: commit their positions unless `lost`, tell the application, forget them. */
  revoke(partitions: readonly TopicPartitionRef[], lost: boolean): Promise<void>;
  /** Take partitions: positions from the committed offsets, then tell the application. */
  assign(partitions: readonly TopicPartitionRef[]): Promise<void>;
}

export interface MembershipOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly instanceId: string | null;
  readonly rebalanceTimeoutMs: number;
  /** group.remote.assignor: the server-side assignor asked for (null: the coordinator's default). */
  readonly serverAssignor: string | null;
  readonly log: (message: string) => void;
}

/** Heartbeat interval until the coordinator names one. */
const initialHeartbeatIntervalMs = 1000;
/** Join attempts of one ensure() before its last error is thrown. */
const joinAttemptsMax = 30;
const joinBackoffMs = 200;

type State = 'unjoined' | 'joined' | 'fenced' | 'closed';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const key = (tp: TopicPartitionRef): string => `${tp.topic}\u0000${tp.partition}`;

export class ConsumerMembership {
  memberId: string = randomUuid();
  memberEpoch = -1;
  private state: State = 'unjoined';
  /** The assignment of the last answer that carried one, by topic name (null: none yet). */
  private target: TopicPartitionRef[] | null = null;
  private intervalMs = initialHeartbeatIntervalMs;
  private timer: NodeJS.Timeout | null = null;
  private inflight: Promise<void> | null = null;
  private readonly topicIds = new Map<string, string>();
  private readonly topicNames = new Map<string, string>();
  /** An answer the member cannot recover from; ensure() throws it. */
  private fatal: Error | null = null;

  constructor(
    private readonly client: KafkaClient,
    private readonly o: MembershipOptions,
    private readonly host: MembershipHost,
  ) {}

  /** Whether poll() should reconcile now: a new assignment differs from what is held, or the member was fenced. */
  needsReconcile(): boolean {
    if (this.state !== 'joined') return this.state !== 'closed';
    if (this.target === null) return false;
    const owned = new Set(this.host.owned().map(key));
    return this.target.length !== owned.size || this.target.some((tp) => !owned.has(key(tp)));
  }

  /** Joins when needed and brings the held partitions to the coordinator's assignment (revoking first). */
  async ensure(): Promise<void> {
    if (this.fatal) throw this.fatal;
    if (this.state === 'closed') return;
    if (this.state === 'fenced') {
      const lost = [...this.host.owned()];
      if (lost.length > 0) await this.host.revoke(lost, true);
      this.o.log(`member ${this.memberId} of group '${this.o.groupId}' was fenced; joining again`);
      this.memberEpoch = 0;
      this.target = null;
      this.state = 'unjoined';
    }
    if (this.state === 'unjoined') await this.join();
    const target = this.target;
    if (target === null) return;
    const want = new Set(target.map(key));
    const revoked = this.host.owned().filter((tp) => !want.has(key(tp)));
    if (revoked.length > 0) {
      await this.host.revoke(revoked, false);
      await this.heartbeatNow(); // the coordinator may now give them to their next owner
    }
    const owned = new Set(this.host.owned().map(key));
    const added = target.filter((tp) => !owned.has(key(tp)));
    if (added.length > 0) {
      await this.host.assign(added);
      await this.heartbeatNow();
    }
    if (this.fatal) throw this.fatal;
  }

  private async join(): Promise<void> {
    if ((await heartbeatVersion(this.client, this.o.groupId)) < 1) this.memberId = ''; // v0: the coordinator names it
    await this.refreshTopicIds();
    this.memberEpoch = 0;
    for (let attempt = 1; ; attempt++) {
      await this.heartbeatNow();
      if (this.fatal) throw this.fatal;
      if (this.state === 'joined') break;
      if (attempt >= joinAttemptsMax)
        throw new KafkaRequestError(ErrorCode.COORDINATOR_NOT_AVAILABLE, `could not join group '${this.o.groupId}'`);
      this.memberEpoch = 0;
      await sleep(joinBackoffMs);
    }
    this.schedule();
  }

  /** Sends a heartbeat now (after the one in flight, if any) and applies its answer. */
  async heartbeatNow(): Promise<void> {
    while (this.inflight) await this.inflight;
    const p = this.sendHeartbeat().finally(() => {
      this.inflight = null;
    });
    this.inflight = p;
    await p;
  }

  private schedule(): void {
    if (this.timer || this.state === 'closed') return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.state !== 'joined') return;
      void this.heartbeatNow().then(() => this.schedule());
    }, this.intervalMs);
    this.timer.unref();
  }

  private async sendHeartbeat(): Promise<void> {
    if (this.state === 'closed' || this.state === 'fenced') return;
    const joining = this.memberEpoch === 0;
    const owned = joining ? [] : this.ownedByTopicId();
    let res: ConsumerGroupHeartbeatResponse;
    try {
      res = await consumerGroupHeartbeat(this.client, {
        groupId: this.o.groupId,
        memberId: this.memberId,
        memberEpoch: this.memberEpoch,
        instanceId: this.o.instanceId,
        rebalanceTimeoutMs: joining ? this.o.rebalanceTimeoutMs : -1,
        subscribedTopicNames: [...this.o.topics],
        serverAssignor: this.o.serverAssignor,
        topicPartitions: owned,
      });
    } catch (err) {
      this.onError(err);
      return;
    }
    if (res.memberId) this.memberId = res.memberId;
    this.memberEpoch = res.memberEpoch;
    if (res.heartbeatIntervalMs > 0) this.intervalMs = res.heartbeatIntervalMs;
    if (this.state === 'unjoined') this.state = 'joined';
    if (res.assignment) this.target = await this.byName(res.assignment.topicPartitions);
  }

  private onError(err: unknown): void {
    const code = err instanceof KafkaRequestError ? err.errorCode : null;
    if (code === ErrorCode.FENCED_MEMBER_EPOCH || code === ErrorCode.UNKNOWN_MEMBER_ID) {
      if (this.state === 'joined') this.state = 'fenced';
      return;
    }
    const passing =
      err instanceof KafkaConnectionError ||
      (code !== null &&
        (isCoordinatorMovedError(code) ||
          code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS ||
          code === ErrorCode.REQUEST_TIMED_OUT));
    if (passing) {
      this.o.log(
        `heartbeat of group '${this.o.groupId}': ${err instanceof Error ? err.message : String(err)}; retrying`,
      );
      return;
    }
    this.fatal = err instanceof Error ? err : new Error(String(err));
  }

  private ownedByTopicId(): { topicId: string; partitions: number[] }[] {
    const byTopic = new Map<string, number[]>();
    for (const tp of this.host.owned()) {
      const id = this.topicIds.get(tp.topic);
      if (id === undefined) continue;
      const list = byTopic.get(id) ?? [];
      list.push(tp.partition);
      byTopic.set(id, list);
    }
    return [...byTopic].map(([topicId, partitions]) => ({ topicId, partitions: partitions.sort((a, b) => a - b) }));
  }

  private async refreshTopicIds(): Promise<void> {
    const md = await this.client.metadata([...this.o.topics]);
    for (const t of md.topics) {
      if (t.errorCode !== ErrorCode.NONE || t.topicId === '') continue;
      this.topicIds.set(t.name, t.topicId);
      this.topicNames.set(t.topicId, t.name);
    }
  }

  /** An answer's assignment by topic name; ids not known yet are looked up once (topics created since). */
  private async byName(
    list: readonly { topicId: string; partitions: readonly number[] }[],
  ): Promise<TopicPartitionRef[]> {
    if (list.some((t) => !this.topicNames.has(t.topicId))) await this.refreshTopicIds().catch(() => {});
    return list
      .flatMap((t) => {
        const topic = this.topicNames.get(t.topicId);
        return topic === undefined ? [] : t.partitions.map((partition) => ({ topic, partition }));
      })
      .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  }

  /**
   * Commits offsets with the member epoch. STALE_MEMBER_EPOCH (a heartbeat moved the epoch
   * meanwhile) is retried once after a heartbeat; other errors are thrown.
   */
  async commit(offsets: readonly { topic: string; partition: number; offset: number }[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await offsetCommit(this.client, {
          groupId: this.o.groupId,
          generationId: this.memberEpoch,
          memberId: this.memberId,
          groupInstanceId: this.o.instanceId,
          offsets,
        });
        return;
      } catch (err) {
        const code = err instanceof KafkaRequestError ? err.errorCode : null;
        if (code !== ErrorCode.STALE_MEMBER_EPOCH || attempt >= 2) throw err;
        await this.heartbeatNow();
      }
    }
  }

  /** Leaves the group (epoch -1; -2 for a static member, whose partitions wait for its return). */
  async leave(): Promise<void> {
    const wasJoined = this.state === 'joined';
    this.state = 'closed';
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.inflight) await this.inflight;
    if (!wasJoined) return;
    await consumerGroupHeartbeat(this.client, {
      groupId: this.o.groupId,
      memberId: this.memberId,
      memberEpoch: this.o.instanceId === null ? -1 : -2,
      instanceId: this.o.instanceId,
    });
  }
}
