// The partitions this broker hosts, following the metadata image: a partition whose replicas
// include this broker gets a log (opened and recovered, or created); one it no longer hosts, or
// whose topic is deleted, has its log removed. Appends and reads go through here with the
// leader/epoch checks Kafka makes. Until follower replication exists (the replication issue),
// the leader's high watermark is its log end offset: a leader acknowledges alone.
import type { Logger } from 'pino';
import { ErrorCode } from '../common/errors.js';
import type { NodeConfig } from '../common/node-config.js';
import { configResourceKey, type MetadataImage, type TopicImage } from '../metadata/image.js';
import { ConfigResourceType } from '../metadata/records.js';
import type { AppendInfo, Log } from '../storage/log.js';
import { defaultLogConfig, resolveLogConfig, type LogConfig } from '../storage/log-config.js';
import type { LogManager } from '../storage/log-manager.js';
import { partitionKey } from '../storage/log-manager.js';

/** Bound on fetch requests parked waiting for data (each holds its request until woken). */
const fetchWaitersMax = 10_000;

export interface HostedPartition {
  readonly topic: string;
  readonly topicId: string;
  readonly partition: number;
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly log: Log;
}

export type AppendResult = ({ readonly errorCode: 0 } & AppendInfo & { readonly logStartOffset: number }) | { readonly errorCode: number; readonly message: string };

export type ReadOutcome =
  | { readonly errorCode: 0; readonly records: Buffer; readonly highWatermark: number; readonly logStartOffset: number; readonly lastStableOffset: number }
  | { readonly errorCode: number; readonly highWatermark: number; readonly logStartOffset: number };

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
  };
}

export class ReplicaManager {
  private hosted = new Map<string, HostedPartition>();
  private image: MetadataImage | null = null;
  /** Parked fetches by partition key, and all of them (an image change wakes every one). */
  private waiters = new Map<string, Set<() => void>>();
  private anyWaiters = new Set<() => void>();
  private parked = 0;

  constructor(
    private readonly brokerId: number,
    private readonly logs: LogManager,
    private readonly baseConfig: LogConfig,
    private readonly logger: Logger,
  ) {}

  /** Follow a new metadata image (cheap when topics and configs did not change). */
  applyImage(image: MetadataImage): void {
    const prev = this.image;
    this.image = image;
    if (prev && prev.topicsById === image.topicsById && prev.configs === image.configs) return;
    const next = new Map<string, HostedPartition>();
    for (const topic of image.topicsById.values()) this.hostTopic(image, topic, next);
    for (const [key, old] of this.hosted) {
      if (!next.has(key)) {
        this.logger.info({ topic: old.topic, partition: old.partition }, 'no longer hosting partition; removing its log');
        this.logs.delete(old.topic, old.partition);
      }
    }
    this.hosted = next;
    this.wakeWaiters();
  }

  /**
   * Remove data left on disk by partitions this broker does not host (deleted or moved while it
   * was down). Only once the broker has caught up with the metadata log: before that, the image
   * is a prefix of the log and may not yet name partitions whose data is perfectly good.
   */
  removeStrayLogs(): void {
    for (const p of this.logs.knownPartitions()) {
      if (!this.hosted.has(partitionKey(p.topic, p.partition))) {
        this.logger.info(p, 'removing the log of a partition this broker does not host');
        this.logs.delete(p.topic, p.partition);
      }
    }
  }

  private hostTopic(image: MetadataImage, topic: TopicImage, into: Map<string, HostedPartition>): void {
    const config = resolveLogConfig(this.baseConfig, image.configs.get(configResourceKey(ConfigResourceType.TOPIC, topic.name)));
    for (const [partition, p] of topic.partitions) {
      if (!p.replicas.includes(this.brokerId)) continue;
      const key = partitionKey(topic.name, partition);
      const old = this.hosted.get(key);
      const log = old && old.log.config === config ? old.log : this.logs.getOrCreate(topic.name, partition, config);
      into.set(key, { topic: topic.name, topicId: topic.id, partition, leader: p.leader, leaderEpoch: p.leaderEpoch, log });
    }
  }

  get(topic: string, partition: number): HostedPartition | undefined {
    return this.hosted.get(partitionKey(topic, partition));
  }

  /** Kafka's answer for a partition this broker cannot serve as leader. */
  leaderError(topic: string, partition: number): number {
    const t = this.image?.topicsByName.get(topic);
    if (!t || !t.partitions.has(partition)) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    const p = this.hosted.get(partitionKey(topic, partition));
    if (!p || p.leader !== this.brokerId) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    return ErrorCode.NONE;
  }

  /** Append validated batches as the leader. */
  appendAsLeader(topic: string, partition: number, records: Buffer): AppendResult {
    const error = this.leaderError(topic, partition);
    if (error !== ErrorCode.NONE) return { errorCode: error, message: `this broker (${this.brokerId}) is not the leader of ${topic}-${partition}` };
    const p = this.hosted.get(partitionKey(topic, partition))!;
    const info = p.log.appendAsLeader(records, p.leaderEpoch, Date.now());
    this.wakePartition(partitionKey(topic, partition));
    return { errorCode: 0, ...info, logStartOffset: p.log.logStartOffset };
  }

  /** The high watermark a consumer may read up to. */
  highWatermark(p: HostedPartition): number {
    return p.log.logEndOffset;
  }

  read(topic: string, partition: number, fetchOffset: number, maxBytes: number, minOneBatch: boolean): ReadOutcome {
    const error = this.leaderError(topic, partition);
    const p = this.hosted.get(partitionKey(topic, partition));
    if (error !== ErrorCode.NONE || !p) return { errorCode: error, highWatermark: -1, logStartOffset: -1 };
    const hw = this.highWatermark(p);
    const r = p.log.read(fetchOffset, maxBytes, hw, minOneBatch);
    if (!r.ok) return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, highWatermark: hw, logStartOffset: p.log.logStartOffset };
    return { errorCode: 0, records: r.records, highWatermark: hw, logStartOffset: p.log.logStartOffset, lastStableOffset: hw };
  }

  /**
   * Resolves after the next append to one of `partitions` (keys from partitionKey), the next
   * image change, `timeoutMs`, or `signal` aborting (the client went away), whichever is first.
   * At most fetchWaitersMax waits are parked; beyond that it resolves at once.
   */
  waitForData(partitions: readonly string[], timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.parked >= fetchWaitersMax || signal.aborted) return Promise.resolve();
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

  private wakePartition(key: string): void {
    const set = this.waiters.get(key);
    if (set) for (const w of [...set]) w();
  }

  private wakeWaiters(): void {
    for (const w of [...this.anyWaiters]) w();
  }

  currentImage(): MetadataImage | null {
    return this.image;
  }
}
