// Topic-level configs raftka knows (Kafka's names), each with a validator, and the broker configs
// each one inherits its default from (Kafka's ServerTopicConfigSynonyms). The controller refuses an
// unknown name or a bad value (INVALID_CONFIG, with a message naming it; nothing is written); the
// broker's DescribeConfigs lists exactly these names.
type Validator = (value: string) => string | null; // null when valid, else why not

const long =
  (min: number): Validator =>
  (v) =>
    /^-?\d+$/.test(v.trim()) && Number(v) >= min && Number.isSafeInteger(Number(v))
      ? null
      : `must be an integer >= ${min}`;
const ratio: Validator = (v) =>
  /^\d*\.?\d+$/.test(v.trim()) && Number(v) >= 0 && Number(v) <= 1 ? null : 'must be a number in [0, 1]';
const bool: Validator = (v) => (/^(true|false)$/i.test(v.trim()) ? null : 'must be true or false');
const oneOf =
  (...allowed: string[]): Validator =>
  (v) =>
    allowed.includes(v.trim()) ? null : `must be one of ${allowed.join(', ')}`;
const policies: Validator = (v) => {
  const parts = v.split(',').map((s) => s.trim());
  return parts.length > 0 && parts.every((p) => p === 'delete' || p === 'compact')
    ? null
    : 'must be delete, compact or both';
};

/** `*`, or `partition:brokerId` pairs (Kafka's throttled replica lists). */
const throttledReplicas: Validator = (v) =>
  v.trim() === '*' || v.trim() === '' || v.split(',').every((p) => /^\s*\d+:\d+\s*$/.test(p))
    ? null
    : 'must be * or a list of partitionId:brokerId';

export const topicConfigValidators: Readonly<Record<string, Validator>> = {
  'cleanup.policy': policies,
  'compression.type': oneOf('uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'),
  'delete.retention.ms': long(0),
  'file.delete.delay.ms': long(0),
  'flush.messages': long(1),
  'flush.ms': long(0),
  'follower.replication.throttled.replicas': throttledReplicas,
  'index.interval.bytes': long(0),
  'leader.replication.throttled.replicas': throttledReplicas,
  'max.compaction.lag.ms': long(1),
  'max.message.bytes': long(0),
  'message.timestamp.type': oneOf('CreateTime', 'LogAppendTime'),
  'message.timestamp.before.max.ms': long(0),
  'message.timestamp.after.max.ms': long(0),
  'min.cleanable.dirty.ratio': ratio,
  'min.compaction.lag.ms': long(0),
  'min.insync.replicas': long(1),
  preallocate: bool,
  'retention.bytes': long(-1),
  'retention.ms': long(-1),
  'segment.bytes': long(14),
  'segment.index.bytes': long(4),
  'segment.jitter.ms': long(0),
  'segment.ms': long(1),
  'unclean.leader.election.enable': bool,
};

/** Null when every config is known and valid, else the first problem. */
export function validateTopicConfigs(configs: ReadonlyMap<string, string>): string | null {
  for (const [name, value] of configs) {
    const validate = topicConfigValidators[name];
    if (!validate) return `unknown topic config ${name}`;
    const problem = validate(value);
    if (problem) return `invalid value "${value}" for topic config ${name}: ${problem}`;
  }
  return null;
}

/**
 * A topic config's broker-level synonyms (Kafka's ServerTopicConfigSynonyms), in precedence order:
 * a topic without its own value takes the first one set. `appliedByRaftka`: raftka's logs act on it.
 */
export interface TopicConfigSynonym {
  readonly topicName: string;
  readonly brokerNames: readonly string[];
  readonly appliedByRaftka: boolean;
}

const syn = (topicName: string, brokerNames: readonly string[], appliedByRaftka = true): TopicConfigSynonym => ({
  topicName,
  brokerNames,
  appliedByRaftka,
});

export const topicConfigBrokerSynonyms: readonly TopicConfigSynonym[] = [
  syn('segment.bytes', ['log.segment.bytes']),
  syn('segment.ms', ['log.roll.ms', 'log.roll.hours']),
  syn('segment.jitter.ms', ['log.roll.jitter.ms', 'log.roll.jitter.hours'], false),
  syn('segment.index.bytes', ['log.index.size.max.bytes'], false),
  syn('flush.messages', ['log.flush.interval.messages']),
  syn('flush.ms', ['log.flush.interval.ms']), // raftka's log.flush.scheduler.interval.ms is only the check's tick
  syn('retention.bytes', ['log.retention.bytes']),
  syn('retention.ms', ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours']),
  syn('max.message.bytes', ['message.max.bytes']),
  syn('index.interval.bytes', ['log.index.interval.bytes']),
  syn('delete.retention.ms', ['log.cleaner.delete.retention.ms']),
  syn('min.compaction.lag.ms', ['log.cleaner.min.compaction.lag.ms']),
  syn('max.compaction.lag.ms', ['log.cleaner.max.compaction.lag.ms'], false),
  syn('file.delete.delay.ms', ['log.segment.delete.delay.ms'], false),
  syn('min.cleanable.dirty.ratio', ['log.cleaner.min.cleanable.ratio']),
  syn('cleanup.policy', ['log.cleanup.policy']),
  syn('unclean.leader.election.enable', ['unclean.leader.election.enable']),
  syn('min.insync.replicas', ['min.insync.replicas']),
  syn('compression.type', ['compression.type']),
  syn('preallocate', ['log.preallocate'], false),
  syn('message.timestamp.type', ['log.message.timestamp.type']),
  syn('message.timestamp.before.max.ms', ['log.message.timestamp.before.max.ms'], false),
  syn('message.timestamp.after.max.ms', ['log.message.timestamp.after.max.ms'], false),
];
