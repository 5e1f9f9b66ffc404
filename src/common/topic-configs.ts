// Topic-level configs raftka knows (Kafka's names), each with a validator. The controller
// refuses an unknown name or a bad value (INVALID_CONFIG, with a message naming it; nothing is
// written); the broker's DescribeConfigs lists exactly these names.
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

export const topicConfigValidators: Readonly<Record<string, Validator>> = {
  'cleanup.policy': policies,
  'compression.type': oneOf('uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'),
  'delete.retention.ms': long(0),
  'file.delete.delay.ms': long(0),
  'flush.messages': long(1),
  'flush.ms': long(0),
  'index.interval.bytes': long(0),
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
