// The per-partition log settings: broker defaults (Kafka's `log.*` keys: the node's file, then the
// dynamic cluster default and per-broker configs on top) overridden by the topic's own configs
// (Kafka's topic-level names). Resolved once per partition and again when the topic's or the
// broker's dynamic configs change in the metadata image.
import { topicConfigBrokerSynonyms } from '../common/topic-configs.js';
export interface LogConfig {
  readonly segmentBytes: number;
  readonly segmentMs: number;
  /** -1: keep forever. */
  readonly retentionMs: number;
  /** -1: no size bound. */
  readonly retentionBytes: number;
  readonly indexIntervalBytes: number;
  /** fsync after this many appended messages (Number.MAX_SAFE_INTEGER: leave it to the OS). */
  readonly flushMessages: number;
  readonly flushMs: number;
  readonly compact: boolean;
  readonly delete: boolean;
  readonly deleteRetentionMs: number;
  readonly minCompactionLagMs: number;
  readonly minCleanableDirtyRatio: number;
  readonly logAppendTime: boolean;
  readonly maxMessageBytes: number;
  /** The topic's `compression.type` (`producer` keeps what the producer sent). */
  readonly compressionType: string;
  /** acks=all needs an ISR at least this big (`min.insync.replicas`). */
  readonly minInsyncReplicas: number;
  /** A producer idle this long with no open transaction is forgotten (`producer.id.expiration.ms`). */
  readonly producerIdExpirationMs: number;
}

export const defaultLogConfig: LogConfig = {
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 3600_000,
  retentionMs: 7 * 24 * 3600_000,
  retentionBytes: -1,
  indexIntervalBytes: 4096,
  flushMessages: Number.MAX_SAFE_INTEGER,
  flushMs: Number.MAX_SAFE_INTEGER,
  compact: false,
  delete: true,
  deleteRetentionMs: 24 * 3600_000,
  minCompactionLagMs: 0,
  minCleanableDirtyRatio: 0.5,
  logAppendTime: false,
  maxMessageBytes: 1048588,
  compressionType: 'producer',
  minInsyncReplicas: 1,
  producerIdExpirationMs: 86_400_000,
};

/** Broker-wide defaults from the node config, then topic overrides (already validated by the controller). */
export function resolveLogConfig(base: LogConfig, topicConfigs: ReadonlyMap<string, string> | undefined): LogConfig {
  if (!topicConfigs || topicConfigs.size === 0) return base;
  const n = (key: string, fallback: number): number => {
    const v = topicConfigs.get(key);
    return v === undefined ? fallback : Number(v);
  };
  const policy = topicConfigs.get('cleanup.policy');
  const policies = policy === undefined ? null : policy.split(',').map((s) => s.trim());
  return {
    segmentBytes: n('segment.bytes', base.segmentBytes),
    segmentMs: n('segment.ms', base.segmentMs),
    retentionMs: n('retention.ms', base.retentionMs),
    retentionBytes: n('retention.bytes', base.retentionBytes),
    indexIntervalBytes: n('index.interval.bytes', base.indexIntervalBytes),
    flushMessages: n('flush.messages', base.flushMessages),
    flushMs: n('flush.ms', base.flushMs),
    compact: policies ? policies.includes('compact') : base.compact,
    delete: policies ? policies.includes('delete') : base.delete,
    deleteRetentionMs: n('delete.retention.ms', base.deleteRetentionMs),
    minCompactionLagMs: n('min.compaction.lag.ms', base.minCompactionLagMs),
    minCleanableDirtyRatio: n('min.cleanable.dirty.ratio', base.minCleanableDirtyRatio),
    logAppendTime:
      (topicConfigs.get('message.timestamp.type') ?? (base.logAppendTime ? 'LogAppendTime' : 'CreateTime')) ===
      'LogAppendTime',
    maxMessageBytes: n('max.message.bytes', base.maxMessageBytes),
    compressionType: topicConfigs.get('compression.type') ?? base.compressionType,
    minInsyncReplicas: n('min.insync.replicas', base.minInsyncReplicas),
    producerIdExpirationMs: base.producerIdExpirationMs,
  };
}

/**
 * The broker-wide defaults with dynamic broker configs (Kafka's names, per broker over cluster
 * default, already validated) on top: each applies as its topic-level synonym would.
 */
export function withDynamicBrokerDefaults(base: LogConfig, dynamic: ReadonlyMap<string, string>): LogConfig {
  if (dynamic.size === 0) return base;
  const asTopic = new Map<string, string>();
  for (const s of topicConfigBrokerSynonyms) {
    const v = dynamic.get(s.brokerNames[0]!);
    if (v !== undefined && s.appliedByRaftka) asTopic.set(s.topicName, v.trim());
  }
  const expiration = dynamic.get('producer.id.expiration.ms');
  const resolved = resolveLogConfig(base, asTopic);
  return expiration === undefined ? resolved : { ...resolved, producerIdExpirationMs: Number(expiration) };
}
