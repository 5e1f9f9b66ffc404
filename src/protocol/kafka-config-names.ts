// Config names Apache Kafka 3.x accepts per topic (LogConfig) and as dynamic broker configs
// (DynamicBrokerConfig, plus the static ones operators commonly set through `<default>`). A key
// outside these lists is reported as unknown_config_key (a warning: it is still migrated, as
// Kafka's own migration copies config znodes verbatim), because it usually is a typo that never
// took effect. Lists, not validators: values are checked by the controller on apply. Which
// broker configs AlterConfigs/IncrementalAlterConfigs accept, and which a broker applies, is
// Kafka's dynamic list in src/common/dynamic-broker-config.ts.
export const knownTopicConfigs: ReadonlySet<string> = new Set([
  'cleanup.policy',
  'compression.type',
  'compression.gzip.level',
  'compression.lz4.level',
  'compression.zstd.level',
  'delete.retention.ms',
  'file.delete.delay.ms',
  'flush.messages',
  'flush.ms',
  'follower.replication.throttled.replicas',
  'leader.replication.throttled.replicas',
  'index.interval.bytes',
  'local.retention.bytes',
  'local.retention.ms',
  'max.compaction.lag.ms',
  'max.message.bytes',
  'message.downconversion.enable',
  'message.format.version',
  'message.timestamp.after.max.ms',
  'message.timestamp.before.max.ms',
  'message.timestamp.difference.max.ms',
  'message.timestamp.type',
  'min.cleanable.dirty.ratio',
  'min.compaction.lag.ms',
  'min.insync.replicas',
  'preallocate',
  'remote.storage.enable',
  'retention.bytes',
  'retention.ms',
  'segment.bytes',
  'segment.index.bytes',
  'segment.jitter.ms',
  'segment.ms',
  'unclean.leader.election.enable',
]);

const knownBrokerConfigs: ReadonlySet<string> = new Set([
  // replication throttles and dynamic thread pools
  'leader.replication.throttled.rate',
  'follower.replication.throttled.rate',
  'replica.alter.log.dirs.io.max.bytes.per.second',
  'num.io.threads',
  'num.network.threads',
  'num.replica.fetchers',
  'num.recovery.threads.per.data.dir',
  'background.threads',
  'log.cleaner.threads',
  'log.cleaner.io.max.bytes.per.second',
  'log.cleaner.dedupe.buffer.size',
  'log.cleaner.io.buffer.size',
  'log.cleaner.io.buffer.load.factor',
  'log.cleaner.backoff.ms',
  'log.cleaner.min.cleanable.ratio',
  'log.cleaner.delete.retention.ms',
  'log.cleaner.min.compaction.lag.ms',
  'log.cleaner.max.compaction.lag.ms',
  'log.cleanup.policy',
  // log defaults
  'log.retention.ms',
  'log.retention.minutes',
  'log.retention.hours',
  'log.retention.bytes',
  'log.segment.bytes',
  'log.roll.ms',
  'log.roll.hours',
  'log.roll.jitter.ms',
  'log.roll.jitter.hours',
  'log.index.size.max.bytes',
  'log.index.interval.bytes',
  'log.flush.interval.messages',
  'log.flush.interval.ms',
  'log.segment.delete.delay.ms',
  'log.preallocate',
  'log.message.timestamp.type',
  'log.message.timestamp.difference.max.ms',
  'log.message.timestamp.before.max.ms',
  'log.message.timestamp.after.max.ms',
  'log.message.downconversion.enable',
  'log.local.retention.ms',
  'log.local.retention.bytes',
  'message.max.bytes',
  'min.insync.replicas',
  'unclean.leader.election.enable',
  'compression.type',
  'compression.gzip.level',
  'compression.lz4.level',
  'compression.zstd.level',
  'num.partitions',
  'default.replication.factor',
  'auto.create.topics.enable',
  'delete.topic.enable',
  // listeners, security, quotas on connections
  'listeners',
  'advertised.listeners',
  'listener.security.protocol.map',
  'max.connections',
  'max.connections.per.ip',
  'max.connections.per.ip.overrides',
  'max.connection.creation.rate',
  'ssl.keystore.location',
  'ssl.keystore.password',
  'ssl.key.password',
  'ssl.keystore.type',
  'ssl.truststore.location',
  'ssl.truststore.password',
  'ssl.truststore.type',
  'ssl.endpoint.identification.algorithm',
  'ssl.client.auth',
  'ssl.cipher.suites',
  'ssl.enabled.protocols',
  'sasl.enabled.mechanisms',
  'sasl.jaas.config',
  'sasl.kerberos.service.name',
  'sasl.login.refresh.window.factor',
  'metric.reporters',
  'producer.id.expiration.ms',
  'transaction.partition.verification.enable',
  'remote.log.manager.copy.max.bytes.per.second',
  'remote.log.manager.fetch.max.bytes.per.second',
]);

/** Per-listener and security settings are open-ended families; accept them by prefix. */
const brokerConfigPrefixes = ['listener.name.', 'ssl.', 'sasl.'];

export function isKnownBrokerConfig(key: string): boolean {
  return knownBrokerConfigs.has(key) || brokerConfigPrefixes.some((p) => key.startsWith(p));
}

/** Kafka's PASSWORD-typed configs, after any `listener.name.<listener>.[<mechanism>.]` prefix. */
const sensitiveSuffixes = ['password', 'sasl.jaas.config', 'ssl.keystore.key', 'ssl.truststore.certificates'];

/**
 * Whether a config holds a secret: DescribeConfigs answers such a config with a null value and
 * isSensitive, as Kafka does, whatever it is set to.
 */
export function isSensitiveConfig(name: string): boolean {
  return sensitiveSuffixes.some((s) => name === s || name.endsWith(`.${s}`));
}
