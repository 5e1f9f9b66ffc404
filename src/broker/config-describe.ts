// DescribeConfigs answers: every topic-level config with its effective value, and this broker's
// settings, each with where its value comes from (Kafka's ConfigSource: 1 dynamic topic, 2
// dynamic broker, 3 dynamic cluster default, 4 static broker (the node's .properties), 5 Kafka's
// default) and its synonyms, highest precedence first (Kafka's ConfigHelper). Called by
// admin-apis.ts with the broker's dynamic layers (dynamic-config.ts).
import {
  brokerSynonyms,
  ConfigSource,
  type ConfigSynonym,
  type DynamicLayers,
  dynamicBrokerConfigNames,
  resolveBrokerConfig,
  type ResolvedConfig,
  synonymValueAs,
} from '../common/dynamic-broker-config.js';
import { knownConfigKeys } from '../common/config.js';
import type { NodeConfig } from '../common/node-config.js';
import { topicConfigBrokerSynonyms, topicConfigValidators } from '../common/topic-configs.js';
import type { LogConfig } from '../storage/log-config.js';

/** A topic config's value as this broker's logs use it, where raftka computes one (the unit may differ from the synonym's). */
function effectiveTopicValue(log: LogConfig, name: string): string | undefined {
  const values: Readonly<Record<string, string | number | boolean>> = {
    'cleanup.policy': [log.delete ? 'delete' : '', log.compact ? 'compact' : ''].filter((x) => x !== '').join(','),
    'compression.type': log.compressionType,
    'delete.retention.ms': log.deleteRetentionMs,
    'flush.messages': log.flushMessages,
    'flush.ms': log.flushMs,
    'index.interval.bytes': log.indexIntervalBytes,
    'max.message.bytes': log.maxMessageBytes,
    'message.timestamp.type': log.logAppendTime ? 'LogAppendTime' : 'CreateTime',
    'min.cleanable.dirty.ratio': log.minCleanableDirtyRatio,
    'min.compaction.lag.ms': log.minCompactionLagMs,
    'min.insync.replicas': log.minInsyncReplicas,
    'retention.bytes': log.retentionBytes,
    'retention.ms': log.retentionMs,
    'segment.bytes': log.segmentBytes,
    'segment.ms': log.segmentMs,
  };
  const v = values[name];
  return v === undefined ? undefined : String(v);
}

/** Topic configs without a broker synonym: Kafka's LogConfig defaults. */
const topicOnlyDefaults: Readonly<Record<string, string>> = {
  'follower.replication.throttled.replicas': '',
  'leader.replication.throttled.replicas': '',
};

/**
 * One topic config: its own value (DYNAMIC_TOPIC_CONFIG), else what its broker synonyms give on
 * this broker. `log` is the topic's resolved log config (null when this broker hosts none of it).
 */
function describeTopicConfig(
  name: string,
  override: string | undefined,
  layers: DynamicLayers,
  staticProps: ReadonlyMap<string, string>,
  log: LogConfig | null,
): ResolvedConfig {
  const brokerNames = topicConfigBrokerSynonyms.find((s) => s.topicName === name)?.brokerNames ?? [];
  const inherited = brokerSynonyms(brokerNames, layers, staticProps);
  const synonyms: ConfigSynonym[] =
    override === undefined ? inherited : [{ name, value: override, source: ConfigSource.DYNAMIC_TOPIC }, ...inherited];
  const first = synonyms[0];
  const fromLayers = first ? synonymValueAs(brokerNames[0] ?? name, first) : (topicOnlyDefaults[name] ?? null);
  const value = override ?? (log ? effectiveTopicValue(log, name) : undefined) ?? fromLayers;
  return { name, value, source: first?.source ?? ConfigSource.DEFAULT, synonyms, readOnly: false };
}

export function describeTopicConfigs(
  overrides: ReadonlyMap<string, string> | undefined,
  layers: DynamicLayers,
  staticProps: ReadonlyMap<string, string>,
  log: LogConfig | null,
): ResolvedConfig[] {
  return Object.keys(topicConfigValidators)
    .sort()
    .map((name) => describeTopicConfig(name, overrides?.get(name), layers, staticProps, log));
}

/**
 * This broker's settings: every key its file understands and every config Kafka lets you change
 * dynamically, plus whatever the dynamic layers hold, each resolved through the layers.
 */
export function describeBrokerConfigs(c: NodeConfig, layers: DynamicLayers): ResolvedConfig[] {
  const names = new Set([
    ...knownConfigKeys,
    ...dynamicBrokerConfigNames,
    ...c.staticProperties.keys(),
    ...layers.perBroker.keys(),
    ...layers.clusterDefault.keys(),
  ]);
  const out = [...names].sort().map((name) => resolveBrokerConfig(name, layers, c.staticProperties));
  // broker.id is node.id in KRaft; Kafka describes both.
  const nodeId = out.find((e) => e.name === 'node.id');
  if (nodeId && !names.has('broker.id')) out.push({ ...nodeId, name: 'broker.id', synonyms: [] });
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
