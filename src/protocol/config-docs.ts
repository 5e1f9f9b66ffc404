// The type and a one-line documentation of each config raftka describes, as DescribeConfigs v3+
// reports them (ConfigType always, Documentation when the request sets IncludeDocumentation).
// Types are Kafka's (the ConfigDef type of the same name: LogConfig for topic configs, KafkaConfig
// for broker ones); the sentences are ours and say what the setting does in raftka. A name not
// listed here is UNKNOWN with no documentation, as Kafka answers for a name it does not define.
// Called by the broker's DescribeConfigs handler (src/broker/admin-apis.ts).

/** DescribeConfigsResponse ConfigType ids. */
export const ConfigType = {
  UNKNOWN: 0,
  BOOLEAN: 1,
  STRING: 2,
  INT: 3,
  SHORT: 4,
  LONG: 5,
  DOUBLE: 6,
  LIST: 7,
  CLASS: 8,
  PASSWORD: 9,
} as const;

const { BOOLEAN, STRING, INT, SHORT, LONG, DOUBLE, LIST, PASSWORD } = ConfigType;

type Doc = readonly [type: number, documentation: string];

const topicConfigs: Readonly<Record<string, Doc>> = {
  'cleanup.policy': [
    LIST,
    'How old segments are removed: "delete" by retention, "compact" keeping the last record per key, or both.',
  ],
  'compression.type': [STRING, 'Codec the broker stores batches in; "producer" keeps what the producer sent.'],
  'delete.retention.ms': [LONG, 'How long tombstones stay in a compacted topic after compaction reaches them.'],
  'file.delete.delay.ms': [LONG, 'Delay before a deleted segment file is removed from disk.'],
  'flush.messages': [LONG, 'Records appended between forced fsyncs of the partition log.'],
  'flush.ms': [LONG, 'Longest time a record stays in the page cache before the log is fsynced.'],
  'index.interval.bytes': [INT, 'Bytes appended between two entries of the offset index.'],
  'max.compaction.lag.ms': [LONG, 'Longest time a record may stay uncompacted in a compacted topic.'],
  'max.message.bytes': [INT, 'Largest record batch the topic accepts, after compression.'],
  'message.timestamp.type': [
    STRING,
    "Whether record timestamps are the producer's (CreateTime) or the broker's append time (LogAppendTime).",
  ],
  'message.timestamp.before.max.ms': [
    LONG,
    'How far in the past a CreateTime timestamp may be before the batch is refused.',
  ],
  'message.timestamp.after.max.ms': [
    LONG,
    'How far in the future a CreateTime timestamp may be before the batch is refused.',
  ],
  'min.cleanable.dirty.ratio': [DOUBLE, 'Share of uncompacted bytes that makes a compacted log eligible for cleaning.'],
  'min.compaction.lag.ms': [LONG, 'Shortest time a record stays uncompacted in a compacted topic.'],
  'min.insync.replicas': [INT, 'In-sync replicas an acks=all write needs, else it fails with NOT_ENOUGH_REPLICAS.'],
  preallocate: [BOOLEAN, 'Whether a new segment file is preallocated on disk.'],
  'retention.bytes': [
    LONG,
    'Largest size a partition log may reach before its oldest segments are deleted (-1: no limit).',
  ],
  'retention.ms': [LONG, 'How long a segment is kept before it is deleted (-1: forever).'],
  'segment.bytes': [INT, 'Size at which the active segment is rolled.'],
  'segment.index.bytes': [INT, 'Size of the offset and time index files of a segment.'],
  'segment.jitter.ms': [LONG, 'Random jitter subtracted from segment.ms so segments do not all roll at once.'],
  'segment.ms': [LONG, 'Age at which the active segment is rolled even if it is not full.'],
  'unclean.leader.election.enable': [
    BOOLEAN,
    'Whether a replica outside the ISR may become leader when no ISR member is left, losing records.',
  ],
};

const brokerConfigs: Readonly<Record<string, Doc>> = {
  'broker.id': [INT, "This broker's id (the node.id in KRaft mode)."],
  'node.id': [INT, "This node's id in the cluster and in the metadata quorum."],
  'process.roles': [LIST, 'The roles this node plays: broker, controller, or both.'],
  'log.dirs': [STRING, "Directories holding this broker's partition logs."],
  'num.partitions': [INT, 'Partitions of an automatically created topic.'],
  'default.replication.factor': [INT, 'Replication factor of an automatically created topic.'],
  'min.insync.replicas': [INT, 'Default min.insync.replicas of topics without their own.'],
  'unclean.leader.election.enable': [BOOLEAN, 'Default unclean.leader.election.enable of topics without their own.'],
  'auto.create.topics.enable': [BOOLEAN, 'Whether a Metadata request or a produce to a missing topic creates it.'],
  'delete.topic.enable': [BOOLEAN, 'Whether DeleteTopics may delete topics.'],
  'log.retention.ms': [LONG, 'Default retention.ms of topics without their own.'],
  'log.retention.minutes': [INT, 'Default retention in minutes (log.retention.ms wins when set).'],
  'log.retention.hours': [INT, 'Default retention in hours (log.retention.ms and .minutes win when set).'],
  'log.retention.bytes': [LONG, 'Default retention.bytes of topics without their own.'],
  'log.segment.bytes': [INT, 'Default segment.bytes of topics without their own.'],
  'log.roll.ms': [LONG, 'Default segment.ms of topics without their own.'],
  'log.roll.hours': [INT, 'Default segment age in hours (log.roll.ms wins when set).'],
  'log.cleanup.policy': [LIST, 'Default cleanup.policy of topics without their own.'],
  'log.flush.interval.messages': [LONG, 'Default flush.messages of topics without their own.'],
  'log.flush.interval.ms': [LONG, 'Default flush.ms of topics without their own.'],
  'log.index.interval.bytes': [INT, 'Default index.interval.bytes of topics without their own.'],
  'log.message.timestamp.type': [STRING, 'Default message.timestamp.type of topics without their own.'],
  'log.cleaner.delete.retention.ms': [LONG, 'Default delete.retention.ms of topics without their own.'],
  'log.cleaner.min.compaction.lag.ms': [LONG, 'Default min.compaction.lag.ms of topics without their own.'],
  'message.max.bytes': [INT, 'Default max.message.bytes of topics without their own.'],
  'compression.type': [STRING, 'Default compression.type of topics without their own.'],
  'offsets.topic.replication.factor': [
    SHORT,
    'Replication factor of __consumer_offsets (capped at the number of brokers).',
  ],
  'offsets.topic.num.partitions': [INT, 'Partitions of __consumer_offsets.'],
  'max.connections': [INT, 'Most connections the broker accepts at once.'],
  'max.connections.per.ip': [INT, 'Most connections the broker accepts from one address.'],
  'leader.replication.throttled.rate': [LONG, 'Bytes per second a leader sends to throttled follower replicas.'],
  'follower.replication.throttled.rate': [LONG, 'Bytes per second a follower fetches for throttled replicas.'],
  'replica.fetch.max.bytes': [INT, 'Bytes a follower asks for per partition in one replica fetch.'],
  'sasl.kerberos.min.time.before.relogin': [
    LONG,
    'Kerberos login thread sleep between refresh attempts (stored; raftka has no Kerberos).',
  ],
  'ssl.keystore.password': [PASSWORD, 'Password of the listener key store.'],
  'ssl.key.password': [PASSWORD, 'Password of the private key in the key store.'],
  'ssl.truststore.password': [PASSWORD, 'Password of the listener trust store.'],
};

/** The ConfigType and documentation of a topic (resourceType 2) or broker (4) config. */
export function configDoc(
  resourceType: number,
  name: string,
): { readonly configType: number; readonly documentation: string | null } {
  const table = resourceType === 2 ? topicConfigs : brokerConfigs;
  const d = Object.hasOwn(table, name) ? table[name] : undefined;
  return d ? { configType: d[0], documentation: d[1] } : { configType: ConfigType.UNKNOWN, documentation: null };
}
