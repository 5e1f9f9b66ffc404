// Node configuration: Kafka-style `.properties` files → a typed, validated NodeConfig.
// Every known key, its type and its default (Kafka's) live in the one table below; an unknown
// key or a bad value is a ConfigError naming the key and the file. Cross-key rules (roles,
// listeners, voters, limits that depend on each other) are checked once, after parsing.
import { readFileSync } from 'node:fs';
import type { Endpoint, Listener, NodeConfig, ProcessRole, QuorumVoter } from './node-config.js';
import { parseProperties } from './properties.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Kind =
  | { readonly type: 'int'; readonly min?: number; readonly max?: number }
  | { readonly type: 'boolean' }
  | { readonly type: 'string' }
  | { readonly type: 'list' };

interface KeySpec {
  readonly kind: Kind;
  /** Kafka's default as text (parsed like a file value); null = no default. */
  readonly default: string | null;
}

const int = (min = 0, max = Number.MAX_SAFE_INTEGER): Kind => ({ type: 'int', min, max });
const positive = int(1);
const bool: Kind = { type: 'boolean' };
const str: Kind = { type: 'string' };
const list: Kind = { type: 'list' };

const keys: Readonly<Record<string, KeySpec>> = {
  'node.id': { kind: int(0, 2 ** 31 - 1), default: null },
  'process.roles': { kind: list, default: null },
  'controller.quorum.voters': { kind: list, default: '' },
  'controller.quorum.bootstrap.servers': { kind: list, default: '' },
  listeners: { kind: list, default: 'PLAINTEXT://:9092' },
  'advertised.listeners': { kind: list, default: null },
  'controller.listener.names': { kind: list, default: '' },
  'listener.security.protocol.map': {
    kind: list,
    default: 'PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT',
  },
  'inter.broker.listener.name': { kind: str, default: 'PLAINTEXT' },
  'log.dirs': { kind: list, default: null },
  'log.dir': { kind: str, default: '/tmp/kraft-combined-logs' },
  'metadata.log.dir': { kind: str, default: null },
  'admin.listener': { kind: str, default: null },
  'replica.listener': { kind: str, default: null },
  'raftka.connect.address.map': { kind: list, default: null },
  'num.partitions': { kind: positive, default: '1' },
  'default.replication.factor': { kind: int(1, 32767), default: '1' },
  'min.insync.replicas': { kind: positive, default: '1' },
  'unclean.leader.election.enable': { kind: bool, default: 'false' },
  'auto.leader.rebalance.enable': { kind: bool, default: 'true' },
  'leader.imbalance.check.interval.seconds': { kind: positive, default: '300' },
  'auto.create.topics.enable': { kind: bool, default: 'true' },
  'delete.topic.enable': { kind: bool, default: 'true' },
  'offsets.topic.replication.factor': { kind: int(1, 32767), default: '3' },
  'log.segment.bytes': { kind: int(14), default: '1073741824' },
  'log.retention.ms': { kind: int(-1), default: null },
  'log.retention.minutes': { kind: int(-1), default: null },
  'log.retention.hours': { kind: int(-1), default: '168' },
  'log.retention.bytes': { kind: int(-1), default: '-1' },
  'log.retention.check.interval.ms': { kind: positive, default: '300000' },
  'log.roll.ms': { kind: positive, default: null },
  'log.roll.hours': { kind: positive, default: '168' },
  'log.index.interval.bytes': { kind: int(0), default: '4096' },
  'log.flush.interval.messages': { kind: positive, default: String(Number.MAX_SAFE_INTEGER) },
  'log.flush.interval.ms': { kind: positive, default: null },
  'log.flush.scheduler.interval.ms': { kind: positive, default: '1000' },
  'log.cleanup.policy': { kind: list, default: 'delete' },
  'log.cleaner.enable': { kind: bool, default: 'true' },
  'log.cleaner.backoff.ms': { kind: positive, default: '15000' },
  'log.cleaner.delete.retention.ms': { kind: int(0), default: '86400000' },
  'log.cleaner.min.compaction.lag.ms': { kind: int(0), default: '0' },
  'log.message.timestamp.type': { kind: str, default: 'CreateTime' },
  'message.max.bytes': { kind: positive, default: '1048588' },
  'compression.type': { kind: str, default: 'producer' },
  'replica.fetch.max.bytes': { kind: positive, default: '1048576' },
  'replica.fetch.wait.max.ms': { kind: positive, default: '500' },
  'replica.lag.time.max.ms': { kind: positive, default: '30000' },
  'group.initial.rebalance.delay.ms': { kind: int(0), default: '3000' },
  'offsets.topic.num.partitions': { kind: positive, default: '50' },
  'offsets.topic.segment.bytes': { kind: positive, default: '104857600' },
  'offsets.retention.minutes': { kind: positive, default: '10080' },
  'offsets.retention.check.interval.ms': { kind: positive, default: '600000' },
  'offsets.commit.timeout.ms': { kind: positive, default: '5000' },
  'offsets.load.buffer.size': { kind: positive, default: '5242880' },
  'offset.metadata.max.bytes': { kind: positive, default: '4096' },
  'group.min.session.timeout.ms': { kind: positive, default: '6000' },
  'group.max.session.timeout.ms': { kind: positive, default: '1800000' },
  'group.max.size': { kind: positive, default: '2147483647' },
  'socket.request.max.bytes': { kind: positive, default: '104857600' },
  'controller.quorum.election.timeout.ms': { kind: positive, default: '1000' },
  'controller.quorum.fetch.timeout.ms': { kind: positive, default: '2000' },
  'controller.quorum.election.backoff.max.ms': { kind: positive, default: '1000' },
  'controller.quorum.append.linger.ms': { kind: int(0), default: '25' },
  'controller.quorum.request.timeout.ms': { kind: positive, default: '2000' },
  'controller.quorum.retry.backoff.ms': { kind: positive, default: '20' },
  'broker.heartbeat.interval.ms': { kind: positive, default: '2000' },
  'broker.session.timeout.ms': { kind: positive, default: '9000' },
  'metadata.log.segment.bytes': { kind: int(12), default: '1073741824' },
  'metadata.log.max.record.bytes.between.snapshots': { kind: positive, default: '20971520' },
  'metadata.log.max.snapshot.interval.ms': { kind: int(0), default: '3600000' },
  'metadata.max.idle.interval.ms': { kind: positive, default: '500' },
  'metadata.max.retention.bytes': { kind: int(-1), default: '104857600' },
  'metadata.max.retention.ms': { kind: int(-1), default: '604800000' },
};

/** The keys a node understands (for docs and tests). */
export const knownConfigKeys: readonly string[] = Object.keys(keys);

export function loadNodeConfig(path: string, overrides?: ReadonlyMap<string, string> | Readonly<Record<string, string>>): NodeConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${path}: cannot read the config file: ${err instanceof Error ? err.message : String(err)}`);
  }
  const props = parseProperties(text);
  const extra = overrides instanceof Map ? overrides : new Map(Object.entries(overrides ?? {}));
  for (const [k, v] of extra) props.set(k, v);
  return parseNodeConfig(props, path);
}

export function parseNodeConfig(props: ReadonlyMap<string, string>, sourcePath: string): NodeConfig {
  const fail = (message: string): never => {
    throw new ConfigError(`${sourcePath}: ${message}`);
  };
  for (const key of props.keys()) if (!(key in keys)) fail(`unknown property ${key}`);

  const raw = (key: string): string | null => {
    const spec = keys[key];
    if (!spec) return fail(`internal: no spec for ${key}`);
    return props.get(key) ?? spec.default;
  };
  const required = (key: string): string => raw(key) ?? fail(`missing required property ${key}`);
  const intOf = (key: string, text: string): number => {
    const kind = keys[key]!.kind;
    const t = text.trim();
    if (!/^-?\d+$/.test(t)) return fail(`invalid value for ${key}: "${text}" is not an integer`);
    const n = Number(t);
    if (kind.type === 'int' && ((kind.min !== undefined && n < kind.min) || (kind.max !== undefined && n > kind.max) || !Number.isSafeInteger(n))) {
      return fail(`invalid value for ${key}: ${n} is out of range [${kind.min}, ${kind.max}]`);
    }
    return n;
  };
  const num = (key: string): number => intOf(key, required(key));
  const optNum = (key: string): number | null => {
    const v = raw(key);
    return v === null ? null : intOf(key, v);
  };
  const flag = (key: string): boolean => {
    const v = required(key).trim().toLowerCase();
    if (v !== 'true' && v !== 'false') return fail(`invalid value for ${key}: "${v}" is not true or false`);
    return v === 'true';
  };
  const items = (key: string): string[] => {
    const v = raw(key);
    return v === null ? [] : v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  };
  const endpoint = (key: string, text: string): Endpoint => {
    const i = text.lastIndexOf(':');
    const host = text.slice(0, i);
    const portText = text.slice(i + 1);
    if (i < 0 || !/^\d+$/.test(portText) || Number(portText) > 65535) return fail(`invalid value for ${key}: "${text}" is not host:port`);
    return { host: host.replace(/^\[(.*)\]$/, '$1'), port: Number(portText) };
  };
  const listenerList = (key: string): Listener[] =>
    items(key).map((item) => {
      const m = /^([A-Za-z0-9_-]+):\/\/(.*)$/.exec(item);
      if (!m) return fail(`invalid value for ${key}: "${item}" is not NAME://host:port`);
      return { name: m[1]!.toUpperCase(), ...endpoint(key, m[2]!) };
    });

  // Roles.
  const roles = items('process.roles');
  if (roles.length === 0) fail('missing required property process.roles');
  for (const r of roles) if (r !== 'broker' && r !== 'controller') fail(`invalid value for process.roles: "${r}" (expected broker and/or controller)`);
  if (new Set(roles).size !== roles.length) fail('invalid value for process.roles: a role is listed twice');
  const processRoles = roles as ProcessRole[];
  const isController = processRoles.includes('controller');
  const isBroker = processRoles.includes('broker');

  const nodeId = num('node.id');
  const quorumVoters: QuorumVoter[] = items('controller.quorum.voters').map((item) => {
    const m = /^(\d+)@(.+)$/.exec(item);
    if (!m) return fail(`invalid value for controller.quorum.voters: "${item}" is not id@host:port`);
    return { id: Number(m[1]), ...endpoint('controller.quorum.voters', m[2]!) };
  });
  if (new Set(quorumVoters.map((v) => v.id)).size !== quorumVoters.length) fail('invalid value for controller.quorum.voters: a node id is listed twice');
  const quorumBootstrapServers = items('controller.quorum.bootstrap.servers').map((s) => endpoint('controller.quorum.bootstrap.servers', s));
  if (quorumVoters.length === 0 && quorumBootstrapServers.length === 0) {
    fail('one of controller.quorum.voters or controller.quorum.bootstrap.servers must be set');
  }
  if (quorumVoters.length === 0) {
    // Dynamic quorums (KIP-853) are not supported yet: voters must be listed statically.
    fail('controller.quorum.voters must list the voters (controller.quorum.bootstrap.servers alone is not supported yet)');
  }

  const listeners = listenerList('listeners');
  if (new Set(listeners.map((l) => l.name)).size !== listeners.length) fail('invalid value for listeners: a listener name is used twice');
  const advertisedListeners = props.has('advertised.listeners') ? listenerList('advertised.listeners') : listeners.filter((l) => !items('controller.listener.names').map((n) => n.toUpperCase()).includes(l.name));
  const controllerListenerNames = items('controller.listener.names').map((n) => n.toUpperCase());
  const securityMap = new Map<string, string>();
  for (const item of items('listener.security.protocol.map')) {
    const [name, protocol, ...rest] = item.split(':');
    if (!name || !protocol || rest.length > 0) fail(`invalid value for listener.security.protocol.map: "${item}" is not NAME:PROTOCOL`);
    securityMap.set(name!.toUpperCase(), protocol!.toUpperCase());
  }

  if (isController) {
    if (controllerListenerNames.length === 0) fail('controller.listener.names is required on a controller');
    if (!quorumVoters.some((v) => v.id === nodeId)) fail(`node.id ${nodeId} is a controller but is not in controller.quorum.voters`);
    if (!listeners.some((l) => controllerListenerNames.includes(l.name))) {
      fail(`listeners has no listener named in controller.listener.names (${controllerListenerNames.join(',')})`);
    }
  } else if (listeners.some((l) => controllerListenerNames.includes(l.name))) {
    fail('a broker-only node must not listen on a controller listener (controller.listener.names)');
  }
  if (!isController && quorumVoters.some((v) => v.id === nodeId)) fail(`node.id ${nodeId} is in controller.quorum.voters but process.roles has no controller`);
  if (isBroker && !isController && controllerListenerNames.length === 0) fail('controller.listener.names is required (brokers use it to reach the controllers)');

  const logDirs = props.has('log.dirs') ? items('log.dirs') : [required('log.dir')];
  if (logDirs.length === 0) fail('invalid value for log.dirs: empty');
  const adminText = raw('admin.listener');
  const retentionMinutes = optNum('log.retention.minutes');
  const oneOf = (key: string, allowed: readonly string[]): string => {
    const v = required(key).trim();
    return allowed.includes(v) ? v : fail(`invalid value for ${key}: "${v}" (one of ${allowed.join(', ')})`);
  };
  const config: NodeConfig = {
    sourcePath,
    nodeId,
    processRoles,
    quorumVoters,
    quorumBootstrapServers,
    listeners,
    advertisedListeners,
    controllerListenerNames,
    listenerSecurityProtocolMap: securityMap,
    interBrokerListenerName: required('inter.broker.listener.name').toUpperCase(),
    logDirs,
    metadataLogDir: raw('metadata.log.dir') ?? logDirs[0]!,
    adminListener: adminText === null || adminText.trim() === '' ? null : endpoint('admin.listener', adminText.trim()),
    replicaListener: (() => {
      const t = raw('replica.listener');
      return t === null || t.trim() === '' ? null : endpoint('replica.listener', t.trim());
    })(),
    connectAddressMap: new Map(
      (props.has('raftka.connect.address.map') ? items('raftka.connect.address.map') : []).map((pair) => {
        const parts = pair.split('=');
        if (parts.length !== 2) fail(`invalid value for raftka.connect.address.map: "${pair}" (host:port=host:port)`);
        const a = endpoint('raftka.connect.address.map', parts[0]!.trim());
        const b = endpoint('raftka.connect.address.map', parts[1]!.trim());
        return [`${a.host}:${a.port}`, `${b.host}:${b.port}`] as const;
      }),
    ),
    numPartitions: num('num.partitions'),
    defaultReplicationFactor: num('default.replication.factor'),
    minInsyncReplicas: num('min.insync.replicas'),
    uncleanLeaderElectionEnable: flag('unclean.leader.election.enable'),
    autoLeaderRebalanceEnable: flag('auto.leader.rebalance.enable'),
    leaderImbalanceCheckIntervalSeconds: num('leader.imbalance.check.interval.seconds'),
    autoCreateTopicsEnable: flag('auto.create.topics.enable'),
    deleteTopicEnable: flag('delete.topic.enable'),
    offsetsTopicReplicationFactor: num('offsets.topic.replication.factor'),
    logSegmentBytes: num('log.segment.bytes'),
    logRetentionMs: optNum('log.retention.ms') ?? (retentionMinutes !== null ? retentionMinutes * 60_000 : num('log.retention.hours') * 3_600_000),
    logRetentionBytes: num('log.retention.bytes'),
    logRetentionCheckIntervalMs: num('log.retention.check.interval.ms'),
    logRollMs: optNum('log.roll.ms') ?? num('log.roll.hours') * 3_600_000,
    logIndexIntervalBytes: num('log.index.interval.bytes'),
    logFlushIntervalMessages: num('log.flush.interval.messages'),
    logFlushIntervalMs: optNum('log.flush.interval.ms') ?? Number.MAX_SAFE_INTEGER,
    logFlushSchedulerIntervalMs: num('log.flush.scheduler.interval.ms'),
    logCleanupPolicy: items('log.cleanup.policy'),
    logCleanerEnable: flag('log.cleaner.enable'),
    logCleanerBackoffMs: num('log.cleaner.backoff.ms'),
    logCleanerDeleteRetentionMs: num('log.cleaner.delete.retention.ms'),
    logCleanerMinCompactionLagMs: num('log.cleaner.min.compaction.lag.ms'),
    logMessageTimestampType: oneOf('log.message.timestamp.type', ['CreateTime', 'LogAppendTime']),
    messageMaxBytes: num('message.max.bytes'),
    compressionType: oneOf('compression.type', ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer']),
    replicaFetchMaxBytes: num('replica.fetch.max.bytes'),
    replicaFetchWaitMaxMs: num('replica.fetch.wait.max.ms'),
    replicaLagTimeMaxMs: num('replica.lag.time.max.ms'),
    groupInitialRebalanceDelayMs: num('group.initial.rebalance.delay.ms'),
    offsetsTopicNumPartitions: num('offsets.topic.num.partitions'),
    offsetsTopicSegmentBytes: num('offsets.topic.segment.bytes'),
    offsetsRetentionMs: num('offsets.retention.minutes') * 60_000,
    offsetsRetentionCheckIntervalMs: num('offsets.retention.check.interval.ms'),
    offsetsCommitTimeoutMs: num('offsets.commit.timeout.ms'),
    offsetsLoadBufferSize: num('offsets.load.buffer.size'),
    offsetMetadataMaxBytes: num('offset.metadata.max.bytes'),
    groupMinSessionTimeoutMs: num('group.min.session.timeout.ms'),
    groupMaxSessionTimeoutMs: num('group.max.session.timeout.ms'),
    groupMaxSize: num('group.max.size'),
    socketRequestMaxBytes: num('socket.request.max.bytes'),
    quorumElectionTimeoutMs: num('controller.quorum.election.timeout.ms'),
    quorumFetchTimeoutMs: num('controller.quorum.fetch.timeout.ms'),
    quorumElectionBackoffMaxMs: num('controller.quorum.election.backoff.max.ms'),
    quorumAppendLingerMs: num('controller.quorum.append.linger.ms'),
    quorumRequestTimeoutMs: num('controller.quorum.request.timeout.ms'),
    quorumRetryBackoffMs: num('controller.quorum.retry.backoff.ms'),
    brokerHeartbeatIntervalMs: num('broker.heartbeat.interval.ms'),
    brokerSessionTimeoutMs: num('broker.session.timeout.ms'),
    metadataLogSegmentBytes: num('metadata.log.segment.bytes'),
    metadataLogMaxRecordBytesBetweenSnapshots: num('metadata.log.max.record.bytes.between.snapshots'),
    metadataLogMaxSnapshotIntervalMs: num('metadata.log.max.snapshot.interval.ms'),
    metadataMaxIdleIntervalMs: num('metadata.max.idle.interval.ms'),
    metadataMaxRetentionBytes: num('metadata.max.retention.bytes'),
    metadataMaxRetentionMs: num('metadata.max.retention.ms'),
  };

  // Limits that depend on each other.
  if (config.brokerHeartbeatIntervalMs >= config.brokerSessionTimeoutMs) {
    fail(`broker.heartbeat.interval.ms (${config.brokerHeartbeatIntervalMs}) must be below broker.session.timeout.ms (${config.brokerSessionTimeoutMs})`);
  }
  if (config.quorumRetryBackoffMs >= config.quorumFetchTimeoutMs) {
    fail(`controller.quorum.retry.backoff.ms (${config.quorumRetryBackoffMs}) must be below controller.quorum.fetch.timeout.ms (${config.quorumFetchTimeoutMs})`);
  }
  return config;
}
