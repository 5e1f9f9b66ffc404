// The partitions this broker hosts, following the metadata image (Kafka's ReplicaManager): a
// partition whose replicas include this broker gets a log (opened and recovered, or created) and
// a role — leader or follower — from the image; one it no longer hosts, or whose topic is
// deleted, has its log removed. As leader it serves clients and followers, moves the high
// watermark as followers fetch, asks the controller to shrink or expand the ISR, and answers
// acks=all produces once the high watermark passes them. As follower it is fed by the
// ReplicaFetcher. Waits (Fetch long-polls, acks=all) are parked per partition and bounded.
import type { Logger } from 'pino';
import { ErrorCode } from '../common/errors.js';
import type { NodeConfig } from '../common/node-config.js';
import {
  configResourceKey,
  type MetadataImage,
  type PartitionRegistration,
  type TopicImage,
} from '../metadata/image.js';
import { ConfigResourceType } from '../metadata/records.js';
import type { AbortedTransaction, AppendInfo } from '../storage/log.js';
import { ControlRecordType } from '../protocol/txn-types.js';
import { defaultLogConfig, resolveLogConfig, type LogConfig } from '../storage/log-config.js';
import type { LogManager } from '../storage/log-manager.js';
import { partitionKey } from '../protocol/topic-partition.js';
import { type FetchWitness, Partition } from './partition.js';
import { BrokerDynamicConfig } from './dynamic-config.js';
import { isThrottledReplica, ReplicationQuota } from './replication-throttle.js';

/** Bound on requests parked waiting for data or for the high watermark. */
const waitersMax = 10_000;

type AppendResult =
  | ({ readonly errorCode: 0 } & AppendInfo & { readonly logStartOffset: number })
  | { readonly errorCode: number; readonly message: string };

type ReadOutcome =
  | {
      readonly errorCode: 0;
      readonly records: Buffer;
      readonly highWatermark: number;
      readonly logStartOffset: number;
      readonly lastStableOffset: number;
      /** read_committed: the aborted transactions overlapping the records (null for read_uncommitted). */
      readonly abortedTransactions: readonly AbortedTransaction[] | null;
    }
  | { readonly errorCode: number; readonly highWatermark: number; readonly logStartOffset: number };

/** What the leader needs from the rest of the broker: asking the controller for an ISR change. */
export interface IsrChanger {
  alterIsr(p: Partition, newIsr: readonly number[]): Promise<void>;
}

/** The broker-wide log defaults from the node config. */
export function brokerLogConfig(c: NodeConfig): LogConfig {
  return {
    ...defaultLogConfig,
    segmentBytes: c.logSegmentBytes,
    segmentMs: c.logRollMs,
    retentionMs: c.logRetentionMs,
    retentionBytes: c.logRetentionBytes,
    indexIntervalBytes: c.logIndexIntervalBytes,
    flushMessages: c.logFlushIntervalMessages,
    flushMs: c.logFlushIntervalMs,
    compact: c.logCleanupPolicy.includes('compact'),
    delete: c.logCleanupPolicy.includes('delete'),
    deleteRetentionMs: c.logCleanerDeleteRetentionMs,
    minCompactionLagMs: c.logCleanerMinCompactionLagMs,
    logAppendTime: c.logMessageTimestampType === 'LogAppendTime',
    maxMessageBytes: c.messageMaxBytes,
    compressionType: c.compressionType,
    minInsyncReplicas: c.minInsyncReplicas,
    producerIdExpirationMs: c.producerIdExpirationMs,
  };
}

/**
 * How long one applyImage may spend opening or creating partition logs before it lets the event
 * loop run (heartbeats, fetches) and continues on the next turn. Creating 5,000 partition logs
 * takes about a second here; done at once, a broker given 100,000 partitions missed its heartbeats
 * for longer than its session and was fenced.
 */
const logOpenSliceMs = 50;

export class ReplicaManager {
  private hosted = new Map<string, Partition>();
  /** Hosted partition keys by topic id (a deleted topic's partitions without a scan of all). */
  private readonly byTopic = new Map<string, Set<string>>();
  /** Partitions the image assigns here whose logs are not open yet (opened in slices). */
  private readonly toOpen = new Map<string, { readonly topicId: string; readonly partition: number }>();
  private openTimer: NodeJS.Immediate | null = null;
  /** The image partitions are hosted by (null until `startHosting`). */
  private image: MetadataImage | null = null;
  /** The newest image given, hosted or not (answers metadata requests). */
  private latest: MetadataImage | null = null;
  private hosting = false;
  /** Parked waits by partition key, and all of them (an image change wakes every one). */
  private waiters = new Map<string, Set<() => void>>();
  private anyWaiters = new Set<() => void>();
  private parked = 0;
  /** Told the key of every partition whose data, offsets or role changed (fetch sessions' change tracking). */
  private readonly changeListeners = new Set<(key: string) => void>();
  private isrChanger: IsrChanger | null = null;
  /** ISR changes the controller accepted for partitions this broker leads (Kafka's IsrShrinks/IsrExpands). */
  readonly isrChanges = { shrinks: 0, expands: 0 };
  private onRolesChanged: (() => void) | null = null;
  private onAllOpen: (() => void) | null = null;
  private readonly isrTimer: NodeJS.Timeout;
  /** This broker's dynamic configs in the image: the log defaults of topics without their own value. */
  readonly dynamicConfig: BrokerDynamicConfig;
  /** Bytes replicated for throttled replicas, as leader and as follower (replication-throttle.ts). */
  private readonly leaderQuota = new ReplicationQuota();
  private readonly followerQuota = new ReplicationQuota();

  constructor(
    private readonly brokerId: number,
    private readonly logs: LogManager,
    baseConfig: LogConfig,
    private readonly logger: Logger,
    private readonly replicaLagTimeMaxMs: number,
  ) {
    this.dynamicConfig = new BrokerDynamicConfig(brokerId, baseConfig, logger);
    this.isrTimer = setInterval(() => this.maybeChangeIsrs(), Math.max(50, Math.floor(replicaLagTimeMaxMs / 4)));
    this.isrTimer.unref();
  }

  /**
   * `listener` is told the partition key (`partitionKey`) of each change a waiting fetch would wake
   * for: an append, a high watermark or log start move, a new role, leader epoch or ISR, unhosting.
   */
  addChangeListener(listener: (key: string) => void): void {
    this.changeListeners.add(listener);
  }

  setIsrChanger(changer: IsrChanger): void {
    this.isrChanger = changer;
  }

  /** Called after an image changed which partitions this broker leads or follows. */
  setRolesListener(listener: () => void): void {
    this.onRolesChanged = listener;
  }

  /**
   * From now on, host the partitions the image assigns here. A broker calls this once it has
   * caught up with the metadata log; until then its image may be stale.
   */
  startHosting(): void {
    if (this.hosting) return;
    this.hosting = true;
    if (this.latest) this.applyImage(this.latest);
  }

  /** Called whenever an image has been followed with every assigned partition's log open. */
  setAllOpenListener(listener: () => void): void {
    this.onAllOpen = listener;
  }

  /** Whether an image has been followed and every partition it assigns here has its log open. */
  allLogsOpen(): boolean {
    return this.image !== null && this.toOpen.size === 0;
  }

  close(): void {
    clearInterval(this.isrTimer);
    if (this.openTimer) clearImmediate(this.openTimer);
    this.openTimer = null;
    this.wakeAll();
  }

  /**
   * Follow a new metadata image. Only topics whose image changed are looked at (the image is
   * copy-on-write: an unchanged topic is the same object), all of them when configs changed. Logs
   * of partitions new to this broker are opened in slices of `logOpenSliceMs`: those not reached
   * yet are not hosted until a later turn, as if their metadata came a little later.
   */
  applyImage(image: MetadataImage): void {
    this.latest = image;
    if (!this.hosting) return;
    const prev = this.image;
    this.image = image;
    const topicsChanged = prev === null || prev.topicsById !== image.topicsById;
    const configsChanged = prev === null || prev.configs !== image.configs;
    if (!topicsChanged && !configsChanged && this.toOpen.size === 0) return;
    const now = Date.now();
    const changed: string[] = [];
    if (topicsChanged || configsChanged) {
      // Topics gone (deleted, or recreated under a new id) first: their partitions and logs go.
      if (prev) for (const id of prev.topicsById.keys()) if (!image.topicsById.has(id)) this.dropTopic(id, changed);
      for (const topic of image.topicsById.values()) {
        if (!configsChanged && prev?.topicsById.get(topic.id) === topic) continue;
        this.followTopic(image, topic, now, changed);
      }
    }
    this.openSlice(image, now, changed);
    // Only waits on partitions whose leader, epoch, ISR or hosting changed need to look again.
    for (const key of changed) this.wake(key);
    if (changed.length > 0) this.onRolesChanged?.();
  }

  private topicLogConfig(image: MetadataImage, topic: string): LogConfig {
    return resolveLogConfig(
      this.dynamicConfig.logDefaults(image),
      image.configs.get(configResourceKey(ConfigResourceType.TOPIC, topic)),
    );
  }

  private followTopic(image: MetadataImage, topic: TopicImage, now: number, changed: string[]): void {
    const config = this.topicLogConfig(image, topic.name);
    // Partitions of this topic the image moved away from this broker.
    for (const key of this.byTopic.get(topic.id) ?? []) {
      const part = this.hosted.get(key)!;
      if (!topic.partitions.get(part.partition)?.replicas.includes(this.brokerId)) this.unhost(key, part, changed);
    }
    for (const [partition, p] of topic.partitions) {
      if (!p.replicas.includes(this.brokerId)) continue;
      const key = partitionKey(topic.name, partition);
      const part = this.hosted.get(key);
      if (!part) {
        this.toOpen.set(key, { topicId: topic.id, partition });
        continue;
      }
      if (part.log.config !== config) part.log = this.logs.getOrCreate(topic.name, partition, config);
      this.follow(key, part, p, now, changed);
    }
  }

  private follow(key: string, part: Partition, p: PartitionRegistration, now: number, changed: string[]): void {
    const isrBefore = part.isr;
    if (part.update(p, now)) {
      changed.push(key);
      this.logger.debug(
        { topic: part.topic, partition: part.partition, leader: p.leader, leaderEpoch: p.leaderEpoch },
        'partition role changed',
      );
    } else if (part.isr !== isrBefore) changed.push(key); // waits on acks=all look at the ISR size
  }

  private dropTopic(topicId: string, changed: string[]): void {
    for (const key of this.byTopic.get(topicId) ?? []) this.unhost(key, this.hosted.get(key)!, changed);
  }

  private unhost(key: string, part: Partition, changed: string[]): void {
    this.hosted.delete(key);
    const keys = this.byTopic.get(part.topicId);
    keys?.delete(key);
    if (keys?.size === 0) this.byTopic.delete(part.topicId);
    changed.push(key);
    this.logger.info({ topic: part.topic, partition: part.partition }, 'no longer hosting partition; removing its log');
    this.logs.delete(part.topic, part.partition);
  }

  /** Opens the logs of partitions waiting for them until the slice is spent; the rest next turn. */
  private openSlice(image: MetadataImage, now: number, changed: string[]): void {
    const sliceEnd = performance.now() + logOpenSliceMs;
    for (const [key, want] of this.toOpen) {
      if (performance.now() > sliceEnd) break;
      this.toOpen.delete(key);
      const topic = image.topicsById.get(want.topicId);
      const p = topic?.partitions.get(want.partition);
      if (!topic || !p?.replicas.includes(this.brokerId) || this.hosted.has(key)) continue;
      const part = new Partition(
        topic.name,
        topic.id,
        want.partition,
        this.brokerId,
        this.logs.getOrCreate(topic.name, want.partition, this.topicLogConfig(image, topic.name), topic.id),
      );
      this.hosted.set(key, part);
      part.log.onLogStartMoved = () => this.wake(key);
      const keys = this.byTopic.get(topic.id) ?? new Set<string>();
      keys.add(key);
      this.byTopic.set(topic.id, keys);
      part.update(p, now);
      changed.push(key);
    }
    if (this.toOpen.size === 0) this.onAllOpen?.();
    if (this.toOpen.size > 0 && !this.openTimer) {
      this.openTimer = setImmediate(() => {
        this.openTimer = null;
        if (this.latest) this.applyImage(this.latest);
      });
    }
  }

  /**
   * Remove data left on disk by partitions this broker does not host (deleted or moved while it
   * was down). Only once the broker has caught up with the metadata log: before that, the image
   * is a prefix of the log and may not yet name partitions whose data is perfectly good. Data in
   * `keepIn` (log dirs adopted from a ZooKeeper-mode broker at this start, whose topics the
   * migration may not have applied yet) is kept.
   */
  removeStrayLogs(keepIn: readonly string[] = []): void {
    for (const p of this.logs.knownPartitions()) {
      // Stray: the image does not place it here (a partition whose log is still to be opened is not stray).
      const assigned =
        this.image?.topicsByName.get(p.topic)?.partitions.get(p.partition)?.replicas.includes(this.brokerId) ?? false;
      if (assigned || this.hosted.has(partitionKey(p.topic, p.partition))) continue;
      if (keepIn.includes(this.logs.logDirOf(p.topic, p.partition) ?? '')) {
        this.logger.warn(p, 'kept the log of a partition not in the metadata yet, in a log dir adopted at this start');
        continue;
      }
      this.logger.info(p, 'removing the log of a partition this broker does not host');
      this.logs.delete(p.topic, p.partition);
    }
  }

  get(topic: string, partition: number): Partition | undefined {
    return this.hosted.get(partitionKey(topic, partition));
  }

  /** Partitions this broker follows, by leader id. */
  followedByLeader(): Map<number, Partition[]> {
    const out = new Map<number, Partition[]>();
    for (const p of this.hosted.values()) {
      if (p.isLeader || p.leader < 0) continue;
      const list = out.get(p.leader) ?? [];
      list.push(p);
      out.set(p.leader, list);
    }
    return out;
  }

  /** Kafka's answer for a partition this broker cannot serve as leader. */
  leaderError(topic: string, partition: number): number {
    const t = this.latest?.topicsByName.get(topic);
    if (!t?.partitions.has(partition)) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    const p = this.hosted.get(partitionKey(topic, partition));
    if (!p?.isLeader) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    return ErrorCode.NONE;
  }

  /** Append validated batches as the leader. `acks=-1` first checks min.insync.replicas. */
  appendAsLeader(topic: string, partition: number, records: Buffer, acks: number): AppendResult {
    const error = this.leaderError(topic, partition);
    if (error !== ErrorCode.NONE)
      return { errorCode: error, message: `this broker (${this.brokerId}) is not the leader of ${topic}-${partition}` };
    const p = this.hosted.get(partitionKey(topic, partition))!;
    if (acks === -1 && p.isr.length < p.log.config.minInsyncReplicas) {
      return {
        errorCode: ErrorCode.NOT_ENOUGH_REPLICAS,
        message: `the ISR of ${topic}-${partition} is [${p.isr.join(',')}], fewer than min.insync.replicas=${p.log.config.minInsyncReplicas}`,
      };
    }
    const info = p.log.appendAsLeader(records, p.leaderEpoch, Date.now());
    if ('errorCode' in info) return info; // refused by the producer state: nothing was written
    p.maybeAdvanceHighWatermark();
    this.wake(partitionKey(topic, partition));
    return { errorCode: 0, ...info, logStartOffset: p.log.logStartOffset };
  }

  /**
   * acks=all: wait until the high watermark passes `lastOffset`. REQUEST_TIMED_OUT after
   * `timeoutMs`; NOT_LEADER_OR_FOLLOWER if leadership moves; NOT_ENOUGH_REPLICAS_AFTER_APPEND if
   * the ISR shrinks below min.insync.replicas meanwhile.
   */
  async waitForCommit(
    topic: string,
    partition: number,
    lastOffset: number,
    leaderEpoch: number,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    const key = partitionKey(topic, partition);
    for (;;) {
      const p = this.hosted.get(key);
      if (!p?.isLeader || p.leaderEpoch !== leaderEpoch) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
      if (p.highWatermark > lastOffset) return ErrorCode.NONE;
      if (p.isr.length < p.log.config.minInsyncReplicas) return ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return ErrorCode.REQUEST_TIMED_OUT;
      if (signal.aborted) return ErrorCode.REQUEST_TIMED_OUT;
      await this.waitFor([key], remaining, signal);
    }
  }

  /** The high watermark a consumer may read up to. */
  highWatermark(p: Partition): number {
    return p.highWatermark;
  }

  /**
   * A client's read as the leader: up to the high watermark, or with `readCommitted` up to the last
   * stable offset, listing the aborted transactions the answer overlaps (Kafka's
   * collectAbortedTransactions up to the end of the records returned). The bytes go into buffers
   * from `alloc` (the Fetch handler's pooled lease), else fresh ones.
   */
  read(
    topic: string,
    partition: number,
    fetchOffset: number,
    maxBytes: number,
    minOneBatch: boolean,
    readCommitted = false,
    alloc?: (bytes: number) => Buffer,
  ): ReadOutcome {
    const error = this.leaderError(topic, partition);
    const p = this.hosted.get(partitionKey(topic, partition));
    if (error !== ErrorCode.NONE || !p) return { errorCode: error, highWatermark: -1, logStartOffset: -1 };
    const hw = p.highWatermark;
    const lso = p.log.lastStableOffset(hw);
    const r = p.log.read(fetchOffset, maxBytes, readCommitted ? lso : hw, minOneBatch, alloc);
    if (!r.ok)
      return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, highWatermark: hw, logStartOffset: p.log.logStartOffset };
    let abortedTransactions: AbortedTransaction[] | null = null;
    if (readCommitted)
      abortedTransactions = r.records.length > 0 ? p.log.abortedTransactions(fetchOffset, r.nextOffset) : [];
    return {
      errorCode: 0,
      records: r.records,
      highWatermark: hw,
      logStartOffset: p.log.logStartOffset,
      lastStableOffset: lso,
      abortedTransactions,
    };
  }

  /** The last stable offset of a partition this broker leads (ListOffsets with read_committed). */
  lastStableOffset(p: Partition): number {
    return p.log.lastStableOffset(p.highWatermark);
  }

  /**
   * Append a COMMIT or ABORT marker as the leader (WriteTxnMarkers); like an acks=all write it
   * needs an ISR of at least min.insync.replicas. The caller waits for the high watermark.
   */
  appendMarker(
    topic: string,
    partition: number,
    m: { producerId: number; producerEpoch: number; coordinatorEpoch: number; committed: boolean },
  ): AppendResult {
    const error = this.leaderError(topic, partition);
    if (error !== ErrorCode.NONE)
      return { errorCode: error, message: `this broker (${this.brokerId}) is not the leader of ${topic}-${partition}` };
    const key = partitionKey(topic, partition);
    const p = this.hosted.get(key)!;
    if (p.isr.length < p.log.config.minInsyncReplicas)
      return { errorCode: ErrorCode.NOT_ENOUGH_REPLICAS, message: `the ISR of ${topic}-${partition} is too small` };
    const type = m.committed ? ControlRecordType.COMMIT : ControlRecordType.ABORT;
    const info = p.log.appendControlMarker(
      m.producerId,
      m.producerEpoch,
      type,
      m.coordinatorEpoch,
      p.leaderEpoch,
      Date.now(),
    );
    if ('errorCode' in info) return info;
    p.maybeAdvanceHighWatermark();
    this.wake(key);
    return { errorCode: 0, ...info, logStartOffset: p.log.logStartOffset };
  }

  /**
   * Whether the producer (at this epoch) has a transaction open on this partition: its first
   * transactional batch was verified with the coordinator already (KIP-890 part 1).
   */
  hasOpenTransaction(p: Partition, producerId: number, producerEpoch: number): boolean {
    return p.log.openTransaction(producerId)?.epoch === producerEpoch;
  }

  /**
   * Leader side of a follower's fetch of one partition. `witness`: the follower's fetch session,
   * whose later fetches stand for fetches of this partition while they leave it out.
   */
  serveFollower(
    replicaId: number,
    f: { topic: string; partition: number; fetchOffset: number; lastFetchedEpoch: number; currentLeaderEpoch: number },
    maxBytes: number,
    nowMs: number,
    witness: FetchWitness | null = null,
  ): {
    errorCode: number;
    highWatermark: number;
    logStartOffset: number;
    logEndOffset: number;
    records: Buffer | null;
    diverging: { epoch: number; endOffset: number } | null;
  } {
    const p = this.hosted.get(partitionKey(f.topic, f.partition));
    const none = (errorCode: number) => ({
      errorCode,
      highWatermark: -1,
      logStartOffset: -1,
      logEndOffset: -1,
      records: null,
      diverging: null,
    });
    if (!p?.isLeader) return none(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    if (f.currentLeaderEpoch < p.leaderEpoch) return none(ErrorCode.FENCED_LEADER_EPOCH);
    if (f.currentLeaderEpoch > p.leaderEpoch) return none(ErrorCode.UNKNOWN_LEADER_EPOCH);
    if (!p.replicas.includes(replicaId)) return none(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    const log = p.log;
    const base = { highWatermark: p.highWatermark, logStartOffset: log.logStartOffset, logEndOffset: log.logEndOffset };
    if (f.lastFetchedEpoch >= 0) {
      const end = log.epochs.endOffsetFor(f.lastFetchedEpoch, log.logEndOffset);
      if (end.epoch !== f.lastFetchedEpoch || end.endOffset < f.fetchOffset) {
        return {
          errorCode: 0,
          ...base,
          records: null,
          diverging: {
            epoch: end.epoch,
            endOffset: end.epoch < 0 ? Math.min(f.fetchOffset, log.logStartOffset) : end.endOffset,
          },
        };
      }
    }
    if (f.fetchOffset < log.logStartOffset || f.fetchOffset > log.logEndOffset)
      return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, ...base, records: null, diverging: null };
    p.recordFollowerFetch(replicaId, f.fetchOffset, nowMs, witness);
    if (p.maybeAdvanceHighWatermark()) this.wake(partitionKey(f.topic, f.partition));
    this.maybeChangeIsr(p, nowMs);
    const throttled = this.throttleListed(p, 'leader');
    if (
      throttled &&
      !p.isr.includes(replicaId) &&
      this.leaderQuota.isExceeded(this.dynamicConfig.rate(this.latest, 'leader.replication.throttled.rate'), nowMs)
    )
      return { errorCode: 0, ...base, highWatermark: p.highWatermark, records: null, diverging: null };
    const r = log.read(f.fetchOffset, maxBytes, log.logEndOffset, true);
    if (throttled && r.ok) this.leaderQuota.record(r.records.length, nowMs);
    return { errorCode: 0, ...base, highWatermark: p.highWatermark, records: r.ok ? r.records : null, diverging: null };
  }

  /** Whether `p`'s topic lists this broker's replica in its leader or follower throttled replicas. */
  private throttleListed(p: Partition, side: 'leader' | 'follower'): boolean {
    const topicConfigs = this.latest?.configs.get(configResourceKey(ConfigResourceType.TOPIC, p.topic));
    return isThrottledReplica(topicConfigs?.get(`${side}.replication.throttled.replicas`), p.partition, this.brokerId);
  }

  /** Follower side: whether to leave `p` out of the next fetch (out of the ISR, throttled, over the rate). */
  followerThrottled(p: Partition, nowMs: number): boolean {
    return (
      !p.isr.includes(this.brokerId) &&
      this.throttleListed(p, 'follower') &&
      this.followerQuota.isExceeded(this.dynamicConfig.rate(this.latest, 'follower.replication.throttled.rate'), nowMs)
    );
  }

  /** Follower side: bytes fetched for `p`, counted against the follower throttle if `p` is throttled. */
  recordFollowerBytes(p: Partition, bytes: number, nowMs: number): void {
    if (bytes > 0 && this.throttleListed(p, 'follower')) this.followerQuota.record(bytes, nowMs);
  }

  /**
   * Follower side: the leader's answer for one partition. False when fetched records could not be
   * stored (a full disk): the log end did not move, so the next fetch asks for them again.
   */
  applyFetched(
    p: Partition,
    fetchedAt: number,
    r: {
      errorCode: number;
      highWatermark: number;
      logStartOffset: number;
      records: Buffer | null;
      diverging: { epoch: number; endOffset: number } | null;
    },
  ): boolean {
    if (p.isLeader || p.log.logEndOffset !== fetchedAt) return true; // the role or the log moved meanwhile
    const log = p.log;
    if (r.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE && r.logStartOffset > log.logEndOffset) {
      this.logger.warn(
        { topic: p.topic, partition: p.partition, from: log.logEndOffset, to: r.logStartOffset },
        'follower behind the leader log start; starting over there',
      );
      log.restartAt(r.logStartOffset);
      p.clampHighWatermark();
      return true;
    }
    if (r.errorCode !== 0) return true;
    if (r.diverging) {
      const own = log.epochs.endOffsetFor(r.diverging.epoch, log.logEndOffset);
      const to = Math.min(
        r.diverging.endOffset,
        own.epoch === r.diverging.epoch ? own.endOffset : r.diverging.endOffset,
      );
      this.logger.info(
        { topic: p.topic, partition: p.partition, from: log.logEndOffset, to, divergingEpoch: r.diverging.epoch },
        'follower log diverged from the leader; truncating',
      );
      log.truncateTo(Math.max(to, log.logStartOffset));
      p.clampHighWatermark();
      return true;
    }
    const stored = r.records && r.records.length > 0 ? log.appendAsFollower(r.records, Date.now()) : null;
    if (stored && 'errorCode' in stored) return false; // nothing stored; the log dir's state says why
    p.setFollowerHighWatermark(r.highWatermark);
    return true;
  }

  /** Resolves after new data or a high-watermark move on one of `partitions`, an image change, `timeoutMs` or `signal`. */
  waitForData(partitions: readonly string[], timeoutMs: number, signal: AbortSignal): Promise<void> {
    return this.waitFor(partitions, timeoutMs, signal);
  }

  private waitFor(partitions: readonly string[], timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.parked >= waitersMax || signal.aborted) return Promise.resolve();
    this.parked++;
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        for (const key of partitions) {
          const set = this.waiters.get(key);
          set?.delete(done);
          if (set?.size === 0) this.waiters.delete(key);
        }
        this.anyWaiters.delete(done);
        this.parked--;
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal.addEventListener('abort', done, { once: true });
      this.anyWaiters.add(done);
      for (const key of partitions) {
        const set = this.waiters.get(key) ?? new Set();
        set.add(done);
        this.waiters.set(key, set);
      }
    });
  }

  private wake(key: string): void {
    for (const l of this.changeListeners) l(key);
    const set = this.waiters.get(key);
    if (set) for (const w of [...set]) w();
  }

  private wakeAll(): void {
    for (const w of [...this.anyWaiters]) w();
  }

  private maybeChangeIsr(p: Partition, nowMs: number): void {
    if (!this.isrChanger || p.isrChangeInFlight) return;
    const next = p.desiredIsr(nowMs, this.replicaLagTimeMaxMs, (id) => this.isrEligible(id));
    if (!next) return;
    p.isrChangeInFlight = true;
    this.logger.info(
      { topic: p.topic, partition: p.partition, isr: p.isr, newIsr: next },
      'asking the controller to change the ISR',
    );
    const shrink = next.length < p.isr.length;
    this.isrChanger.alterIsr(p, next).then(
      () => {
        if (shrink) this.isrChanges.shrinks++;
        else this.isrChanges.expands++;
      },
      (err: unknown) => {
        p.isrChangeInFlight = false;
        this.logger.warn(
          { topic: p.topic, partition: p.partition, err: err instanceof Error ? err.message : String(err) },
          'ISR change failed; will retry',
        );
      },
    );
  }

  /**
   * Whether a caught-up follower may join an ISR (Kafka's isReplicaIsrEligible): registered, not
   * fenced, not shutting down. The controller would refuse the others with INELIGIBLE_REPLICA.
   */
  private isrEligible(brokerId: number): boolean {
    const b = this.latest?.brokers.get(brokerId);
    return b !== undefined && !b.fenced && !b.inControlledShutdown;
  }

  private maybeChangeIsrs(): void {
    const now = Date.now();
    for (const p of this.hosted.values()) if (p.isLeader) this.maybeChangeIsr(p, now);
  }

  /**
   * Kafka's ReplicaManager gauges: partitions hosted, led, led with an ISR below
   * min.insync.replicas, and the largest follower lag behind a leader's log end (records).
   */
  partitionCounts(): { hosted: number; leaders: number; underMinIsr: number; maxFollowerLag: number } {
    let leaders = 0;
    let underMinIsr = 0;
    let maxFollowerLag = 0;
    for (const p of this.hosted.values()) {
      if (p.isLeader) {
        leaders++;
        if (p.isr.length < p.log.config.minInsyncReplicas) underMinIsr++;
      } else maxFollowerLag = Math.max(maxFollowerLag, p.followerLag);
    }
    return { hosted: this.hosted.size, leaders, underMinIsr, maxFollowerLag };
  }

  /** Partitions this broker leads whose ISR is smaller than their replica set (Kafka's UnderReplicatedPartitions). */
  underReplicatedCount(): number {
    let n = 0;
    for (const p of this.hosted.values()) if (p.isLeader && p.isr.length < p.replicas.length) n++;
    return n;
  }

  /**
   * Over the partitions this broker leads: the largest distance from the high watermark back to the
   * last stable offset (records read_committed consumers cannot read yet), and how many hold an
   * open transaction.
   */
  transactionLag(): { maxLsoLag: number; withOpenTransactions: number } {
    let maxLsoLag = 0;
    let withOpenTransactions = 0;
    for (const p of this.hosted.values()) {
      if (!p.isLeader) continue;
      if (p.log.firstUnstableOffset !== null) withOpenTransactions++;
      maxLsoLag = Math.max(maxLsoLag, p.highWatermark - this.lastStableOffset(p));
    }
    return { maxLsoLag, withOpenTransactions };
  }

  /** The partitions hosted here (their logs feed the per-partition /metrics series and DescribeLogDirs). */
  hostedPartitions(): IterableIterator<Partition> {
    return this.hosted.values();
  }

  /** The newest metadata image this broker has (hosted or not yet). */
  currentImage(): MetadataImage | null {
    return this.latest;
  }
}
