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
  private waiters = new Set<() => void>();

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
    // Data left on disk by partitions this broker no longer hosts (deleted while it was down).
    if (!prev) {
      for (const p of this.logs.knownPartitions()) {
        if (!next.has(partitionKey(p.topic, p.partition))) {
          this.logger.info(p, 'removing the log of a partition this broker does not host');
          this.logs.delete(p.topic, p.partition);
        }
      }
    }
    this.hosted = next;
    this.wakeWaiters();
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
    this.wakeWaiters();
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

  /** Resolves after the next append or image change, or after `timeoutMs`. */
  waitForData(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
    });
  }

  private wakeWaiters(): void {
    for (const w of [...this.waiters]) w();
  }

  currentImage(): MetadataImage | null {
    return this.image;
  }
}
