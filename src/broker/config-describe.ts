// DescribeConfigs answers: every topic-level config with its effective value and where it comes
// from (Kafka's ConfigSource: 1 dynamic topic, 2 dynamic broker, 3 dynamic cluster default,
// 4 static broker (the node's .properties), 5 Kafka's default), and the broker's own settings.
import { appliedDynamicBrokerConfigs } from '../common/config.js';
import type { NodeConfig } from '../common/node-config.js';
import { topicConfigValidators } from '../common/topic-configs.js';

const ConfigSource = {
  DYNAMIC_TOPIC: 1,
  DYNAMIC_BROKER: 2,
  DYNAMIC_DEFAULT_BROKER: 3,
  STATIC_BROKER: 4,
  DEFAULT: 5,
} as const;

interface DescribedConfig {
  readonly name: string;
  readonly value: string | null;
  readonly readOnly: boolean;
  readonly source: number;
}

/** A topic config's broker-level default, from the node config. */
function topicDefault(c: NodeConfig, name: string): string | null {
  const values: Readonly<Record<string, string | number | boolean>> = {
    'cleanup.policy': c.logCleanupPolicy.join(','),
    'compression.type': c.compressionType,
    'delete.retention.ms': c.logCleanerDeleteRetentionMs,
    'file.delete.delay.ms': 60000,
    'flush.messages': c.logFlushIntervalMessages,
    'flush.ms': c.logFlushIntervalMs,
    'index.interval.bytes': c.logIndexIntervalBytes,
    'max.compaction.lag.ms': Number.MAX_SAFE_INTEGER,
    'max.message.bytes': c.messageMaxBytes,
    'message.timestamp.type': c.logMessageTimestampType,
    'message.timestamp.before.max.ms': Number.MAX_SAFE_INTEGER,
    'message.timestamp.after.max.ms': Number.MAX_SAFE_INTEGER,
    'min.cleanable.dirty.ratio': 0.5,
    'min.compaction.lag.ms': c.logCleanerMinCompactionLagMs,
    'min.insync.replicas': c.minInsyncReplicas,
    preallocate: false,
    'retention.bytes': c.logRetentionBytes,
    'retention.ms': c.logRetentionMs,
    'segment.bytes': c.logSegmentBytes,
    'segment.index.bytes': 10485760,
    'segment.jitter.ms': 0,
    'segment.ms': c.logRollMs,
    'unclean.leader.election.enable': c.uncleanLeaderElectionEnable,
  };
  const v = values[name];
  return v === undefined ? null : String(v);
}

export function describeTopicConfigs(
  c: NodeConfig,
  overrides: ReadonlyMap<string, string> | undefined,
): DescribedConfig[] {
  return Object.keys(topicConfigValidators)
    .sort()
    .map((name) => {
      const o = overrides?.get(name);
      return o !== undefined
        ? { name, value: o, readOnly: false, source: ConfigSource.DYNAMIC_TOPIC }
        : { name, value: topicDefault(c, name), readOnly: false, source: ConfigSource.DEFAULT };
    });
}

/** Broker settings a client may look at, with dynamic overrides (this broker, then the cluster default) on top. */
export function describeBrokerConfigs(
  c: NodeConfig,
  own: ReadonlyMap<string, string> | undefined,
  clusterDefault: ReadonlyMap<string, string> | undefined,
): DescribedConfig[] {
  const statics: Readonly<Record<string, string | number | boolean>> = {
    'broker.id': c.nodeId,
    'node.id': c.nodeId,
    'process.roles': c.processRoles.join(','),
    'log.dirs': c.logDirs.join(','),
    'num.partitions': c.numPartitions,
    'default.replication.factor': c.defaultReplicationFactor,
    'min.insync.replicas': c.minInsyncReplicas,
    'unclean.leader.election.enable': c.uncleanLeaderElectionEnable,
    'auto.create.topics.enable': c.autoCreateTopicsEnable,
    'delete.topic.enable': c.deleteTopicEnable,
    'log.retention.ms': c.logRetentionMs,
    'log.segment.bytes': c.logSegmentBytes,
    'message.max.bytes': c.messageMaxBytes,
    'compression.type': c.compressionType,
    'offsets.topic.replication.factor': c.offsetsTopicReplicationFactor,
    'offsets.topic.num.partitions': c.offsetsTopicNumPartitions,
  };
  // Dynamic configs set without a static counterpart here (Kafka's other dynamic broker configs).
  const names = new Set([...Object.keys(statics), ...(own?.keys() ?? []), ...(clusterDefault?.keys() ?? [])]);
  return [...names].sort().map((name) => {
    const mine = own?.get(name);
    if (mine !== undefined) return { name, value: mine, readOnly: false, source: ConfigSource.DYNAMIC_BROKER };
    const cluster = clusterDefault?.get(name);
    if (cluster !== undefined)
      return { name, value: cluster, readOnly: false, source: ConfigSource.DYNAMIC_DEFAULT_BROKER };
    return {
      name,
      value: String(statics[name]),
      readOnly: !appliedDynamicBrokerConfigs.has(name),
      source: ConfigSource.STATIC_BROKER,
    };
  });
}
