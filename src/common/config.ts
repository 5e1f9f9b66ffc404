// Node configuration: Kafka-style `.properties` files → a typed, validated NodeConfig.
// Every known key, its type and its default (Kafka's) live in the one table below; an unknown
// key or a bad value is a ConfigError naming the key and the file. Cross-key rules (roles,
// listeners, voters, limits that depend on each other) are checked once, after parsing.
import { readFileSync } from 'node:fs';
import {
  controllerKafkaListeners,
  type Endpoint,
  type Listener,
  type NodeConfig,
  type ProcessRole,
  type QuorumVoter,
  replicationListenerName,
} from './node-config.js';
import { parseProperties } from './properties.js';
import { isSecurityConfigKey, parseListenerSecurity, parseRpcLinkSecurity } from './security-config.js';

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
  // TEST ONLY (jepsen-like slow-disk / kill-in-write): a control file for src/common/fault-hooks.ts.
  'raftka.test.fault.control.file': { kind: str, default: null },
  'raftka.test.stall.endpoint': { kind: bool, default: 'false' },
  'metrics.partition.enable': { kind: bool, default: 'false' },
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
  'producer.id.expiration.ms': { kind: positive, default: '86400000' },
  'log.message.timestamp.type': { kind: str, default: 'CreateTime' },
  'message.max.bytes': { kind: positive, default: '1048588' },
  'compression.type': { kind: str, default: 'producer' },
  'replica.fetch.max.bytes': { kind: positive, default: '1048576' },
  'replica.fetch.wait.max.ms': { kind: positive, default: '500' },
  'replica.lag.time.max.ms': { kind: positive, default: '30000' },
  'max.incremental.fetch.session.cache.slots': { kind: int(0), default: '1000' },
  'min.incremental.fetch.session.eviction.ms': { kind: int(0), default: '120000' },
  'quota.window.num': { kind: int(2), default: '11' },
  'quota.window.size.seconds': { kind: positive, default: '1' },
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
  'group.consumer.heartbeat.interval.ms': { kind: positive, default: '5000' },
  'group.consumer.session.timeout.ms': { kind: positive, default: '45000' },
  'group.consumer.assignors': { kind: list, default: 'uniform,range' },
  'group.consumer.max.size': { kind: positive, default: '2147483647' },
  'transaction.state.log.num.partitions': { kind: positive, default: '50' },
  'transaction.state.log.replication.factor': { kind: int(1, 32767), default: '3' },
  'transaction.state.log.min.isr': { kind: positive, default: '2' },
  'transaction.state.log.segment.bytes': { kind: positive, default: '104857600' },
  'transaction.state.log.load.buffer.size': { kind: positive, default: '5242880' },
  'transaction.max.timeout.ms': { kind: positive, default: '900000' },
  'transactional.id.expiration.ms': { kind: positive, default: '604800000' },
  'transaction.abort.timed.out.transaction.cleanup.interval.ms': { kind: positive, default: '10000' },
  'transaction.remove.expired.transaction.cleanup.interval.ms': { kind: positive, default: '3600000' },
  // UNSAFE, test-only (jepsen-like --workload txn --unsafe): ABORT markers are written as COMMIT markers.
  'transaction.unsafe.abort.as.commit': { kind: bool, default: 'false' },
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
  'authorizer.class.name': { kind: str, default: '' },
  'super.users': { kind: str, default: '' },
  'allow.everyone.if.no.acl.found': { kind: bool, default: 'false' },
  'console.lag.sample.ms': { kind: int(0), default: '5000' },
  'console.migration.reports.dir': { kind: str, default: null },
  'console.jepsen.store.dir': { kind: str, default: null },
};

/** The keys a node understands (for docs and tests). */
export const knownConfigKeys: readonly string[] = Object.keys(keys);

/** Kafka's default of a key this file knows, as text; null when it has none or the key is unknown. */
export function configDefault(key: string): string | null {
  return keys[key]?.default ?? null;
}

export function loadNodeConfig(
  path: string,
  overrides?: ReadonlyMap<string, string> | Readonly<Record<string, string>>,
): NodeConfig {
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
  const r = propertyReader(props, sourcePath);
  for (const key of props.keys()) if (!(key in keys) && !isSecurityConfigKey(key)) r.fail(`unknown property ${key}`);
  // Parts are read in this order so that, of several bad keys, the same one is reported as always.
  const processRoles = parseRoles(r);
  const nodeId = r.num('node.id');
  const quorum = parseQuorum(r);
  const listeners = parseListeners(r);
  checkRoles(r, processRoles, nodeId, quorum.quorumVoters, listeners);
  const logDirs = props.has('log.dirs') ? r.items('log.dirs') : [r.required('log.dir')];
  if (logDirs.length === 0) r.fail('invalid value for log.dirs: empty');
  const retentionMinutes = r.optNum('log.retention.minutes');
  const config: NodeConfig = {
    sourcePath,
    staticProperties: props,
    nodeId,
    processRoles,
    ...quorum,
    ...listeners,
    listenerSecurity: parseListenerSecurity(
      props,
      // Broker client listeners, and a controller's Kafka-protocol listeners (KIP-919: the
      // controller.listener.names after the first, which stays the gRPC quorum listener).
      listeners.listeners
        .filter((l) => !listeners.controllerListenerNames.includes(l.name))
        .concat(controllerKafkaListeners({ ...listeners, processRoles }))
        .map((l) => l.name),
      listeners.listenerSecurityProtocolMap,
      r.fail,
    ),
    controllerLinkSecurity: parseRpcLinkSecurity(
      props,
      listeners.controllerListenerNames[0] ?? 'CONTROLLER',
      listeners.listenerSecurityProtocolMap,
      r.fail,
    ),
    replicationLinkSecurity: parseRpcLinkSecurity(
      props,
      replicationListenerName,
      listeners.listenerSecurityProtocolMap,
      r.fail,
    ),
    ...parseAddresses(r, logDirs),
    metricsPartitionEnable: r.flag('metrics.partition.enable'),
    ...parseTopicDefaults(r),
    ...parseLogSettings(r, retentionMinutes),
    ...parseReplicaAndGroupSettings(r),
    ...parseTransactionSettings(r),
    ...parseQuorumTimings(r),
    ...parseMetadataLogSettings(r),
    ...parseAuthorizerSettings(r),
    ...parseConsoleSettings(r),
  };
  checkLimits(r, config);
  return config;
}

/** Typed reads of one file's properties; every failure is a ConfigError naming the file and key. */
interface PropertyReader {
  readonly props: ReadonlyMap<string, string>;
  fail(message: string): never;
  /** The value, else Kafka's default, else null. */
  raw(key: string): string | null;
  required(key: string): string;
  num(key: string): number;
  optNum(key: string): number | null;
  flag(key: string): boolean;
  /** A comma-separated list, items trimmed, empty items dropped. */
  items(key: string): string[];
  oneOf(key: string, allowed: readonly string[]): string;
  endpoint(key: string, text: string): Endpoint;
  /** host:port, or null when unset or blank. */
  optEndpoint(key: string): Endpoint | null;
  listenerList(key: string): Listener[];
}

function propertyReader(props: ReadonlyMap<string, string>, sourcePath: string): PropertyReader {
  const fail = (message: string): never => {
    throw new ConfigError(`${sourcePath}: ${message}`);
  };
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
    if (
      kind.type === 'int' &&
      ((kind.min !== undefined && n < kind.min) || (kind.max !== undefined && n > kind.max) || !Number.isSafeInteger(n))
    ) {
      return fail(`invalid value for ${key}: ${n} is out of range [${kind.min}, ${kind.max}]`);
    }
    return n;
  };
  const items = (key: string): string[] => {
    const v = raw(key);
    return v === null
      ? []
      : v
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '');
  };
  const endpoint = (key: string, text: string): Endpoint => {
    const i = text.lastIndexOf(':');
    const host = text.slice(0, i);
    const portText = text.slice(i + 1);
    if (i < 0 || !/^\d+$/.test(portText) || Number(portText) > 65535)
      return fail(`invalid value for ${key}: "${text}" is not host:port`);
    return { host: host.replace(/^\[(.*)\]$/, '$1'), port: Number(portText) };
  };
  return {
    props,
    fail,
    raw,
    required,
    items,
    endpoint,
    num: (key) => intOf(key, required(key)),
    optNum: (key) => {
      const v = raw(key);
      return v === null ? null : intOf(key, v);
    },
    flag: (key) => {
      const v = required(key).trim().toLowerCase();
      if (v !== 'true' && v !== 'false') return fail(`invalid value for ${key}: "${v}" is not true or false`);
      return v === 'true';
    },
    oneOf: (key, allowed) => {
      const v = required(key).trim();
      return allowed.includes(v) ? v : fail(`invalid value for ${key}: "${v}" (one of ${allowed.join(', ')})`);
    },
    optEndpoint: (key) => {
      const t = raw(key);
      return t === null || t.trim() === '' ? null : endpoint(key, t.trim());
    },
    listenerList: (key) =>
      items(key).map((item) => {
        const m = /^([A-Za-z0-9_-]+):\/\/(.*)$/.exec(item);
        if (!m) return fail(`invalid value for ${key}: "${item}" is not NAME://host:port`);
        return { name: m[1]!.toUpperCase(), ...endpoint(key, m[2]!) };
      }),
  };
}

function parseRoles(r: PropertyReader): ProcessRole[] {
  const roles = r.items('process.roles');
  if (roles.length === 0) r.fail('missing required property process.roles');
  for (const role of roles)
    if (role !== 'broker' && role !== 'controller')
      r.fail(`invalid value for process.roles: "${role}" (expected broker and/or controller)`);
  if (new Set(roles).size !== roles.length) r.fail('invalid value for process.roles: a role is listed twice');
  return roles as ProcessRole[];
}

function parseQuorum(r: PropertyReader): Pick<NodeConfig, 'quorumVoters' | 'quorumBootstrapServers'> {
  const quorumVoters: QuorumVoter[] = r.items('controller.quorum.voters').map((item) => {
    const m = /^(\d+)@(.+)$/.exec(item);
    if (!m) return r.fail(`invalid value for controller.quorum.voters: "${item}" is not id@host:port`);
    return { id: Number(m[1]), ...r.endpoint('controller.quorum.voters', m[2]!) };
  });
  if (new Set(quorumVoters.map((v) => v.id)).size !== quorumVoters.length)
    r.fail('invalid value for controller.quorum.voters: a node id is listed twice');
  const quorumBootstrapServers = r
    .items('controller.quorum.bootstrap.servers')
    .map((s) => r.endpoint('controller.quorum.bootstrap.servers', s));
  if (quorumVoters.length === 0 && quorumBootstrapServers.length === 0) {
    r.fail('one of controller.quorum.voters or controller.quorum.bootstrap.servers must be set');
  }
  if (quorumVoters.length === 0) {
    // Dynamic quorums (KIP-853) are not supported yet: voters must be listed statically.
    r.fail(
      'controller.quorum.voters must list the voters (controller.quorum.bootstrap.servers alone is not supported yet)',
    );
  }
  return { quorumVoters, quorumBootstrapServers };
}

type ListenerSettings = Pick<
  NodeConfig,
  'listeners' | 'advertisedListeners' | 'controllerListenerNames' | 'listenerSecurityProtocolMap'
>;

function parseListeners(r: PropertyReader): ListenerSettings {
  const listeners = r.listenerList('listeners');
  if (new Set(listeners.map((l) => l.name)).size !== listeners.length)
    r.fail('invalid value for listeners: a listener name is used twice');
  const advertisedListeners = r.props.has('advertised.listeners')
    ? r.listenerList('advertised.listeners')
    : listeners.filter(
        (l) =>
          !r
            .items('controller.listener.names')
            .map((n) => n.toUpperCase())
            .includes(l.name),
      );
  const controllerListenerNames = r.items('controller.listener.names').map((n) => n.toUpperCase());
  const securityMap = new Map<string, string>();
  for (const item of r.items('listener.security.protocol.map')) {
    const [name, protocol, ...rest] = item.split(':');
    if (!name || !protocol || rest.length > 0)
      r.fail(`invalid value for listener.security.protocol.map: "${item}" is not NAME:PROTOCOL`);
    securityMap.set(name!.toUpperCase(), protocol!.toUpperCase());
  }
  return { listeners, advertisedListeners, controllerListenerNames, listenerSecurityProtocolMap: securityMap };
}

/** What each role requires of the voters and the listeners. */
function checkRoles(
  r: PropertyReader,
  processRoles: readonly ProcessRole[],
  nodeId: number,
  quorumVoters: readonly QuorumVoter[],
  l: ListenerSettings,
): void {
  const isController = processRoles.includes('controller');
  const isBroker = processRoles.includes('broker');
  const { listeners, controllerListenerNames } = l;
  if (isController) {
    if (controllerListenerNames.length === 0) r.fail('controller.listener.names is required on a controller');
    if (!quorumVoters.some((v) => v.id === nodeId))
      r.fail(`node.id ${nodeId} is a controller but is not in controller.quorum.voters`);
    if (!listeners.some((x) => x.name === controllerListenerNames[0])) {
      r.fail(
        `listeners has no listener named in controller.listener.names for the quorum (${controllerListenerNames[0]}, the first name)`,
      );
    }
  } else if (listeners.some((x) => controllerListenerNames.includes(x.name))) {
    r.fail('a broker-only node must not listen on a controller listener (controller.listener.names)');
  }
  if (!isController && quorumVoters.some((v) => v.id === nodeId))
    r.fail(`node.id ${nodeId} is in controller.quorum.voters but process.roles has no controller`);
  if (isBroker && !isController && controllerListenerNames.length === 0)
    r.fail('controller.listener.names is required (brokers use it to reach the controllers)');
}

function parseAddresses(
  r: PropertyReader,
  logDirs: string[],
): Pick<
  NodeConfig,
  | 'interBrokerListenerName'
  | 'logDirs'
  | 'metadataLogDir'
  | 'adminListener'
  | 'replicaListener'
  | 'connectAddressMap'
  | 'testFaultControlFile'
  | 'testStallEndpoint'
> {
  return {
    interBrokerListenerName: r.required('inter.broker.listener.name').toUpperCase(),
    logDirs,
    metadataLogDir: r.raw('metadata.log.dir') ?? logDirs[0]!,
    adminListener: r.optEndpoint('admin.listener'),
    replicaListener: r.optEndpoint('replica.listener'),
    testStallEndpoint: r.flag('raftka.test.stall.endpoint'),
    connectAddressMap: new Map(
      (r.props.has('raftka.connect.address.map') ? r.items('raftka.connect.address.map') : []).map((pair) => {
        const parts = pair.split('=');
        if (parts.length !== 2) r.fail(`invalid value for raftka.connect.address.map: "${pair}" (host:port=host:port)`);
        const a = r.endpoint('raftka.connect.address.map', parts[0]!.trim());
        const b = r.endpoint('raftka.connect.address.map', parts[1]!.trim());
        return [`${a.host}:${a.port}`, `${b.host}:${b.port}`] as const;
      }),
    ),
    testFaultControlFile: r.raw('raftka.test.fault.control.file')?.trim() || null,
  };
}

function parseTopicDefaults(r: PropertyReader) {
  return {
    numPartitions: r.num('num.partitions'),
    defaultReplicationFactor: r.num('default.replication.factor'),
    minInsyncReplicas: r.num('min.insync.replicas'),
    uncleanLeaderElectionEnable: r.flag('unclean.leader.election.enable'),
    autoLeaderRebalanceEnable: r.flag('auto.leader.rebalance.enable'),
    leaderImbalanceCheckIntervalSeconds: r.num('leader.imbalance.check.interval.seconds'),
    autoCreateTopicsEnable: r.flag('auto.create.topics.enable'),
    deleteTopicEnable: r.flag('delete.topic.enable'),
    offsetsTopicReplicationFactor: r.num('offsets.topic.replication.factor'),
  };
}

/** Partition log settings; log.retention.minutes is read by the caller (see parseNodeConfig). */
function parseLogSettings(r: PropertyReader, retentionMinutes: number | null) {
  return {
    logSegmentBytes: r.num('log.segment.bytes'),
    logRetentionMs:
      r.optNum('log.retention.ms') ??
      (retentionMinutes !== null ? retentionMinutes * 60_000 : r.num('log.retention.hours') * 3_600_000),
    logRetentionBytes: r.num('log.retention.bytes'),
    logRetentionCheckIntervalMs: r.num('log.retention.check.interval.ms'),
    logRollMs: r.optNum('log.roll.ms') ?? r.num('log.roll.hours') * 3_600_000,
    logIndexIntervalBytes: r.num('log.index.interval.bytes'),
    logFlushIntervalMessages: r.num('log.flush.interval.messages'),
    logFlushIntervalMs: r.optNum('log.flush.interval.ms') ?? Number.MAX_SAFE_INTEGER,
    logFlushSchedulerIntervalMs: r.num('log.flush.scheduler.interval.ms'),
    logCleanupPolicy: r.items('log.cleanup.policy'),
    logCleanerEnable: r.flag('log.cleaner.enable'),
    logCleanerBackoffMs: r.num('log.cleaner.backoff.ms'),
    logCleanerDeleteRetentionMs: r.num('log.cleaner.delete.retention.ms'),
    logCleanerMinCompactionLagMs: r.num('log.cleaner.min.compaction.lag.ms'),
    producerIdExpirationMs: r.num('producer.id.expiration.ms'),
    logMessageTimestampType: r.oneOf('log.message.timestamp.type', ['CreateTime', 'LogAppendTime']),
    messageMaxBytes: r.num('message.max.bytes'),
    compressionType: r.oneOf('compression.type', ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer']),
  };
}

function parseReplicaAndGroupSettings(r: PropertyReader) {
  return {
    replicaFetchMaxBytes: r.num('replica.fetch.max.bytes'),
    replicaFetchWaitMaxMs: r.num('replica.fetch.wait.max.ms'),
    replicaLagTimeMaxMs: r.num('replica.lag.time.max.ms'),
    maxIncrementalFetchSessionCacheSlots: r.num('max.incremental.fetch.session.cache.slots'),
    minIncrementalFetchSessionEvictionMs: r.num('min.incremental.fetch.session.eviction.ms'),
    quotaWindowNum: r.num('quota.window.num'),
    quotaWindowSizeSeconds: r.num('quota.window.size.seconds'),
    groupInitialRebalanceDelayMs: r.num('group.initial.rebalance.delay.ms'),
    offsetsTopicNumPartitions: r.num('offsets.topic.num.partitions'),
    offsetsTopicSegmentBytes: r.num('offsets.topic.segment.bytes'),
    offsetsRetentionMs: r.num('offsets.retention.minutes') * 60_000,
    offsetsRetentionCheckIntervalMs: r.num('offsets.retention.check.interval.ms'),
    offsetsCommitTimeoutMs: r.num('offsets.commit.timeout.ms'),
    offsetsLoadBufferSize: r.num('offsets.load.buffer.size'),
    offsetMetadataMaxBytes: r.num('offset.metadata.max.bytes'),
    groupMinSessionTimeoutMs: r.num('group.min.session.timeout.ms'),
    groupMaxSessionTimeoutMs: r.num('group.max.session.timeout.ms'),
    groupMaxSize: r.num('group.max.size'),
    groupConsumerHeartbeatIntervalMs: r.num('group.consumer.heartbeat.interval.ms'),
    groupConsumerSessionTimeoutMs: r.num('group.consumer.session.timeout.ms'),
    groupConsumerAssignors: consumerAssignors(r),
    groupConsumerMaxSize: r.num('group.consumer.max.size'),
    socketRequestMaxBytes: r.num('socket.request.max.bytes'),
  };
}

function parseTransactionSettings(r: PropertyReader) {
  return {
    transactionStateLogNumPartitions: r.num('transaction.state.log.num.partitions'),
    transactionStateLogReplicationFactor: r.num('transaction.state.log.replication.factor'),
    transactionStateLogMinIsr: r.num('transaction.state.log.min.isr'),
    transactionStateLogSegmentBytes: r.num('transaction.state.log.segment.bytes'),
    transactionStateLogLoadBufferSize: r.num('transaction.state.log.load.buffer.size'),
    transactionMaxTimeoutMs: r.num('transaction.max.timeout.ms'),
    transactionalIdExpirationMs: r.num('transactional.id.expiration.ms'),
    transactionAbortTimedOutCleanupIntervalMs: r.num('transaction.abort.timed.out.transaction.cleanup.interval.ms'),
    transactionRemoveExpiredCleanupIntervalMs: r.num('transaction.remove.expired.transaction.cleanup.interval.ms'),
    transactionUnsafeAbortAsCommit: r.flag('transaction.unsafe.abort.as.commit'),
  };
}

function parseQuorumTimings(r: PropertyReader) {
  return {
    quorumElectionTimeoutMs: r.num('controller.quorum.election.timeout.ms'),
    quorumFetchTimeoutMs: r.num('controller.quorum.fetch.timeout.ms'),
    quorumElectionBackoffMaxMs: r.num('controller.quorum.election.backoff.max.ms'),
    quorumAppendLingerMs: r.num('controller.quorum.append.linger.ms'),
    quorumRequestTimeoutMs: r.num('controller.quorum.request.timeout.ms'),
    quorumRetryBackoffMs: r.num('controller.quorum.retry.backoff.ms'),
    brokerHeartbeatIntervalMs: r.num('broker.heartbeat.interval.ms'),
    brokerSessionTimeoutMs: r.num('broker.session.timeout.ms'),
  };
}

function parseMetadataLogSettings(r: PropertyReader) {
  return {
    metadataLogSegmentBytes: r.num('metadata.log.segment.bytes'),
    metadataLogMaxRecordBytesBetweenSnapshots: r.num('metadata.log.max.record.bytes.between.snapshots'),
    metadataLogMaxSnapshotIntervalMs: r.num('metadata.log.max.snapshot.interval.ms'),
    metadataMaxIdleIntervalMs: r.num('metadata.max.idle.interval.ms'),
    metadataMaxRetentionBytes: r.num('metadata.max.retention.bytes'),
    metadataMaxRetentionMs: r.num('metadata.max.retention.ms'),
  };
}

/** The names `authorizer.class.name` accepts: Kafka's KRaft authorizer, in full or short. */
export const standardAuthorizerNames: readonly string[] = [
  'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
  'StandardAuthorizer',
];

/** ACL enforcement: on only with the standard authorizer named; `super.users` is Kafka's `;`-separated principal list. */
function parseAuthorizerSettings(r: PropertyReader) {
  const name = (r.raw('authorizer.class.name') ?? '').trim();
  if (name !== '' && !standardAuthorizerNames.includes(name))
    r.fail(
      `authorizer.class.name "${name}" is not supported: raftka has one authorizer, ${standardAuthorizerNames[0]} (or ${standardAuthorizerNames[1]}); leave it empty for no authorization`,
    );
  const superUsers = (r.raw('super.users') ?? '')
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const p of superUsers)
    if (!/^[^:]+:.+$/.test(p))
      r.fail(`invalid value for super.users: "${p}" is not a principal (Type:name, e.g. User:admin)`);
  return {
    authorizerEnabled: name !== '',
    superUsers,
    allowEveryoneIfNoAclFound: r.flag('allow.everyone.if.no.acl.found'),
  };
}

/** The web console's settings (src/console/); a blank folder is none. */
function parseConsoleSettings(r: PropertyReader) {
  const dir = (key: string): string | null => {
    const v = r.raw(key)?.trim() ?? '';
    return v === '' ? null : v;
  };
  return {
    consoleLagSampleMs: r.num('console.lag.sample.ms'),
    consoleMigrationReportsDir: dir('console.migration.reports.dir'),
    consoleJepsenStoreDir: dir('console.jepsen.store.dir'),
  };
}

/** Limits that depend on each other, checked once all are parsed. */
function checkLimits(r: PropertyReader, config: NodeConfig): void {
  if (config.brokerHeartbeatIntervalMs >= config.brokerSessionTimeoutMs) {
    r.fail(
      `broker.heartbeat.interval.ms (${config.brokerHeartbeatIntervalMs}) must be below broker.session.timeout.ms (${config.brokerSessionTimeoutMs})`,
    );
  }
  if (config.quorumRetryBackoffMs >= config.quorumFetchTimeoutMs) {
    r.fail(
      `controller.quorum.retry.backoff.ms (${config.quorumRetryBackoffMs}) must be below controller.quorum.fetch.timeout.ms (${config.quorumFetchTimeoutMs})`,
    );
  }
}

/** The consumer group protocol's server-side assignors (KIP-848): raftka has `uniform` and `range`. */
const knownConsumerAssignors = ['uniform', 'range'];

function consumerAssignors(r: PropertyReader): string[] {
  // Kafka also accepts class names; the short names of its two built-in assignors are what raftka runs.
  const names = r
    .items('group.consumer.assignors')
    .map((n) =>
      n === 'org.apache.kafka.coordinator.group.assignor.UniformAssignor'
        ? 'uniform'
        : n === 'org.apache.kafka.coordinator.group.assignor.RangeAssignor'
          ? 'range'
          : n,
    );
  if (names.length === 0) r.fail('invalid value for group.consumer.assignors: empty');
  for (const n of names)
    if (!knownConsumerAssignors.includes(n))
      r.fail(
        `invalid value for group.consumer.assignors: unknown assignor ${n} (known: ${knownConsumerAssignors.join(', ')})`,
      );
  return names;
}
