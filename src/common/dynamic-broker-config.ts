// Kafka's dynamic broker configs (KIP-226): which broker configs may be set per broker or as the
// cluster default (a BROKER config resource named "" in the metadata log), how their values are
// checked, and how a config's effective value is found through Kafka's layers:
//   topic config > per-broker dynamic > cluster-default dynamic > static (the node's file) > default.
// Pure. Used by the controller (validating IncrementalAlterConfigs/AlterConfigs, the unclean
// election default), the broker's effective view (src/broker/dynamic-config.ts) and DescribeConfigs.
//
// The lists follow Apache Kafka's DynamicBrokerConfig.AllDynamicConfigs (+ the replication quota
// rates of DynamicConfig.Broker). A name Kafka knows as a static-only config is refused (Kafka's
// "Cannot update these configs dynamically"); a name Kafka does not know at all is accepted and
// stored, as Kafka accepts custom configs.
import { configDefault, knownConfigKeys } from './config.js';
import { topicConfigBrokerSynonyms } from './topic-configs.js';

/** Kafka's DescribeConfigs ConfigSource. */
export const ConfigSource = {
  DYNAMIC_TOPIC: 1,
  DYNAMIC_BROKER: 2,
  DYNAMIC_DEFAULT_BROKER: 3,
  STATIC_BROKER: 4,
  DEFAULT: 5,
} as const;

export const configSourceNames: Readonly<Record<number, string>> = {
  1: 'DYNAMIC_TOPIC_CONFIG',
  2: 'DYNAMIC_BROKER_CONFIG',
  3: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
  4: 'STATIC_BROKER_CONFIG',
  5: 'DEFAULT_CONFIG',
};

type ValueType =
  | { readonly t: 'int' | 'long'; readonly min?: number; readonly max?: number }
  | { readonly t: 'double'; readonly min?: number; readonly max?: number }
  | { readonly t: 'boolean' }
  | { readonly t: 'string'; readonly oneOf?: readonly string[] }
  | { readonly t: 'list'; readonly oneOf?: readonly string[] }
  | { readonly t: 'password' };

interface DynamicSpec {
  readonly type: ValueType;
  /** Kafka's default as text; null = none. */
  readonly default: string | null;
  /** Only per broker (Kafka's PerBrokerConfigs: listener and SSL settings). */
  readonly perBroker?: boolean;
  /** Only with a `listener.name.<listener>.` prefix (Kafka's DynamicSecurityConfigs). */
  readonly listenerPrefixOnly?: boolean;
}

const longMax = '9223372036854775807';
const int = (min?: number, max?: number): ValueType => ({ t: 'int', min, max });
const long = (min?: number): ValueType => ({ t: 'long', min });
const double = (min?: number, max?: number): ValueType => ({ t: 'double', min, max });
const bool: ValueType = { t: 'boolean' };
const str: ValueType = { t: 'string' };
const list: ValueType = { t: 'list' };
const password: ValueType = { t: 'password' };
const d = (type: ValueType, dflt: string | null, more: Partial<DynamicSpec> = {}): DynamicSpec => ({
  type,
  default: dflt,
  ...more,
});
const perBroker = (type: ValueType, dflt: string | null = null): DynamicSpec => d(type, dflt, { perBroker: true });
const sslStore = (type: ValueType, dflt: string | null = null): DynamicSpec =>
  d(type, dflt, { perBroker: true, listenerPrefixOnly: true });

const dynamicSpecs: Readonly<Record<string, DynamicSpec>> = {
  // DynamicLogConfig: the log defaults topics inherit (the first broker synonym of each topic config).
  'log.segment.bytes': d(int(14), '1073741824'),
  'log.roll.ms': d(long(1), null),
  'log.roll.jitter.ms': d(long(0), null),
  'log.index.size.max.bytes': d(int(4), '10485760'),
  'log.flush.interval.messages': d(long(1), longMax),
  'log.flush.interval.ms': d(long(), null),
  'log.retention.bytes': d(long(), '-1'),
  'log.retention.ms': d(long(), null),
  'message.max.bytes': d(int(0), '1048588'),
  'log.index.interval.bytes': d(int(0), '4096'),
  'log.cleaner.delete.retention.ms': d(long(0), '86400000'),
  'log.cleaner.min.compaction.lag.ms': d(long(0), '0'),
  'log.cleaner.max.compaction.lag.ms': d(long(1), longMax),
  'log.segment.delete.delay.ms': d(long(0), '60000'),
  'log.cleaner.min.cleanable.ratio': d(double(0, 1), '0.5'),
  'log.cleanup.policy': d({ t: 'list', oneOf: ['compact', 'delete'] }, 'delete'),
  'unclean.leader.election.enable': d(bool, 'false'),
  'min.insync.replicas': d(int(1), '1'),
  'compression.type': d(
    { t: 'string', oneOf: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] },
    'producer',
  ),
  'compression.gzip.level': d(int(-1, 9), '-1'),
  'compression.lz4.level': d(int(1, 17), '9'),
  'compression.zstd.level': d(int(-131072, 22), '3'),
  'log.preallocate': d(bool, 'false'),
  'log.message.timestamp.type': d({ t: 'string', oneOf: ['CreateTime', 'LogAppendTime'] }, 'CreateTime'),
  'log.message.timestamp.difference.max.ms': d(long(0), longMax),
  'log.message.timestamp.before.max.ms': d(long(0), longMax),
  'log.message.timestamp.after.max.ms': d(long(0), longMax),
  'log.message.downconversion.enable': d(bool, 'true'),
  'log.local.retention.ms': d(long(-2), '-2'),
  'log.local.retention.bytes': d(long(-2), '-2'),
  // LogCleaner
  'log.cleaner.threads': d(int(0), '1'),
  'log.cleaner.dedupe.buffer.size': d(long(), '134217728'),
  'log.cleaner.io.buffer.load.factor': d(double(), '0.9'),
  'log.cleaner.io.buffer.size': d(int(0), '524288'),
  'log.cleaner.io.max.bytes.per.second': d(double(), '1.7976931348623157E308'),
  'log.cleaner.backoff.ms': d(long(0), '15000'),
  // DynamicThreadPool, metrics
  'num.io.threads': d(int(1), '8'),
  'num.replica.fetchers': d(int(1), '1'),
  'num.recovery.threads.per.data.dir': d(int(1), '2'),
  'background.threads': d(int(1), '10'),
  'metric.reporters': d(list, ''),
  // DynamicListenerConfig and SocketServer (per broker, except the three cluster-level ones)
  'advertised.listeners': perBroker(str),
  listeners: perBroker(str, 'PLAINTEXT://:9092'),
  'listener.security.protocol.map': perBroker(
    str,
    'SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT',
  ),
  'principal.builder.class': perBroker(str),
  'ssl.protocol': perBroker(str, 'TLSv1.3'),
  'ssl.provider': perBroker(str),
  'ssl.cipher.suites': perBroker(list, ''),
  'ssl.enabled.protocols': perBroker(list, 'TLSv1.2,TLSv1.3'),
  'ssl.keystore.type': sslStore(str, 'JKS'),
  'ssl.keystore.location': sslStore(str),
  'ssl.keystore.password': sslStore(password),
  'ssl.key.password': sslStore(password),
  'ssl.keystore.certificate.chain': sslStore(password),
  'ssl.keystore.key': sslStore(password),
  'ssl.truststore.type': sslStore(str, 'JKS'),
  'ssl.truststore.location': sslStore(str),
  'ssl.truststore.password': sslStore(password),
  'ssl.truststore.certificates': sslStore(password),
  'ssl.keymanager.algorithm': perBroker(str, 'SunX509'),
  'ssl.trustmanager.algorithm': perBroker(str, 'PKIX'),
  'ssl.endpoint.identification.algorithm': perBroker(str, 'https'),
  'ssl.secure.random.implementation': perBroker(str),
  'ssl.client.auth': perBroker({ t: 'string', oneOf: ['required', 'requested', 'none'] }, 'none'),
  'ssl.engine.factory.class': perBroker(str),
  'sasl.mechanism.inter.broker.protocol': perBroker(str, 'GSSAPI'),
  'sasl.jaas.config': perBroker(password),
  'sasl.enabled.mechanisms': perBroker(list, 'GSSAPI'),
  'sasl.kerberos.service.name': perBroker(str),
  'sasl.kerberos.kinit.cmd': perBroker(str, '/usr/bin/kinit'),
  'sasl.kerberos.ticket.renew.window.factor': perBroker(double(), '0.8'),
  'sasl.kerberos.ticket.renew.jitter': perBroker(double(), '0.05'),
  'sasl.kerberos.min.time.before.relogin': perBroker(long(), '60000'),
  'sasl.kerberos.principal.to.local.rules': perBroker(list, 'DEFAULT'),
  'sasl.login.refresh.window.factor': perBroker(double(0.5, 1), '0.8'),
  'sasl.login.refresh.window.jitter': perBroker(double(0, 0.25), '0.05'),
  'sasl.login.refresh.min.period.seconds': perBroker(int(0, 900), '60'),
  'sasl.login.refresh.buffer.seconds': perBroker(int(0, 3600), '300'),
  'max.connections': d(int(0), '2147483647'),
  'max.connection.creation.rate': d(int(0), '2147483647'),
  'num.network.threads': d(int(1), '3'),
  'max.connections.per.ip': d(int(0), '2147483647'),
  'max.connections.per.ip.overrides': d(str, ''),
  // DynamicProducerStateManagerConfig
  'producer.id.expiration.ms': d(int(1), '86400000'),
  'transaction.partition.verification.enable': d(bool, 'true'),
  // DynamicRemoteLogConfig
  'remote.log.index.file.cache.total.size.bytes': d(long(1), '1073741824'),
  'remote.fetch.max.wait.ms': d(int(1), '500'),
  'remote.log.manager.copy.max.bytes.per.second': d(long(1), longMax),
  'remote.log.manager.fetch.max.bytes.per.second': d(long(1), longMax),
  'remote.list.offsets.request.timeout.ms': d(long(1), '30000'),
  // DynamicConfig.Broker: replication quotas (only ever dynamic)
  'leader.replication.throttled.rate': d(long(0), longMax),
  'follower.replication.throttled.rate': d(long(0), longMax),
  'replica.alter.log.dirs.io.max.bytes.per.second': d(long(0), longMax),
  'config.providers': d(list, ''),
};

/** Every config name Kafka lets you change per broker or cluster-wide (without listener prefixes). */
export const dynamicBrokerConfigNames: readonly string[] = Object.keys(dynamicSpecs).sort();

/**
 * Dynamic broker configs raftka acts on; the rest of Kafka's list is accepted, stored and
 * described, and has no effect (docs/configs.md says why for each).
 */
export const effectiveDynamicBrokerConfigs: ReadonlySet<string> = new Set([
  ...topicConfigBrokerSynonyms
    .filter((s) => s.appliedByRaftka)
    .map((s) => s.brokerNames[0]!)
    .filter((n) => n in dynamicSpecs),
  'producer.id.expiration.ms',
  'leader.replication.throttled.rate',
  'follower.replication.throttled.rate',
]);

/** Kafka's static-only broker configs raftka's config file knows, plus common Kafka ones it does not use. */
const staticKafkaNames: ReadonlySet<string> = new Set([
  ...knownConfigKeys.filter((k) => !(k in dynamicSpecs)),
  'broker.id',
  'broker.rack',
  'zookeeper.connect',
  'log.roll.jitter.hours',
  'num.replica.alter.log.dirs.threads',
  'replica.fetch.min.bytes',
  'replica.fetch.response.max.bytes',
  'replica.socket.timeout.ms',
  'replica.high.watermark.checkpoint.interval.ms',
  'controlled.shutdown.enable',
  'queued.max.requests',
  'socket.send.buffer.bytes',
  'socket.receive.buffer.bytes',
  'connections.max.idle.ms',
  'connections.max.reauth.ms',
]);

const listenerPrefix = /^listener\.name\.[^.]*\.(.*)$/;
const clusterLevelListenerConfigs = new Set(['max.connections', 'max.connection.creation.rate', 'num.network.threads']);

/** The config a `listener.name.<l>.<base>` name sets (`base`), else the name itself. */
function baseName(name: string): string {
  return listenerPrefix.exec(name)?.[1] ?? name;
}

/** Kafka's ConfigDef parse of one value: null when valid, else Kafka's message. */
function checkValue(name: string, value: string, type: ValueType): string | null {
  const bad = (why: string): string => `Invalid value ${value} for configuration ${name}: ${why}`;
  const v = value.trim();
  switch (type.t) {
    case 'int':
    case 'long': {
      if (!/^-?\d+$/.test(v)) return bad(`Not a number of type ${type.t.toUpperCase()}`);
      const n = Number(v);
      if (type.t === 'int' && (n > 2147483647 || n < -2147483648)) return bad('Not a number of type INT');
      if (type.min !== undefined && n < type.min) return bad(`Value must be at least ${type.min}`);
      if (type.max !== undefined && n > type.max) return bad(`Value must be no more than ${type.max}`);
      return null;
    }
    case 'double': {
      const n = Number(v);
      if (v === '' || !Number.isFinite(n)) return bad('Not a number of type DOUBLE');
      if (type.min !== undefined && n < type.min) return bad(`Value must be at least ${type.min}`);
      if (type.max !== undefined && n > type.max) return bad(`Value must be no more than ${type.max}`);
      return null;
    }
    case 'boolean':
      return /^(true|false)$/i.test(v) ? null : bad('Expected value to be either true or false');
    case 'string':
      return type.oneOf && !type.oneOf.includes(v) ? bad(`String must be one of: ${type.oneOf.join(', ')}`) : null;
    case 'list': {
      if (!type.oneOf) return null;
      const items = v.split(',').map((s) => s.trim());
      return items.every((i) => type.oneOf!.includes(i))
        ? null
        : bad(`String must be one of: ${type.oneOf.join(', ')}`);
    }
    case 'password':
      return null;
  }
}

/** Whether a broker config holds a list (IncrementalAlterConfigs APPEND/SUBTRACT need one). */
export function isListBrokerConfig(name: string): boolean | null {
  const spec = dynamicSpecs[baseName(name)];
  return spec ? spec.type.t === 'list' : null;
}

/**
 * Kafka's checks of a dynamic broker config change (DynamicBrokerConfig.validateConfigs): null
 * when every name may be set here and every value parses, else Kafka's message. Kafka answers
 * these with INVALID_REQUEST (KAFKA-13609).
 */
export function validateDynamicBrokerConfigs(
  configs: ReadonlyMap<string, string>,
  isPerBroker: boolean,
): string | null {
  const names = [...configs.keys()];
  const setOf = (xs: string[]): string => `Set(${xs.join(', ')})`;
  const nonDynamic = names.filter((n) => staticKafkaNames.has(n) && !(n in dynamicSpecs));
  if (nonDynamic.length > 0) return `Cannot update these configs dynamically: ${setOf(nonDynamic)}`;
  const unprefixed = names.filter((n) => dynamicSpecs[n]?.listenerPrefixOnly === true);
  if (unprefixed.length > 0)
    return `These security configs can be dynamically updated only per-listener using the listener prefix: ${setOf(unprefixed)}`;
  for (const [name, value] of configs) {
    const spec = dynamicSpecs[baseName(name)];
    const problem = spec ? checkValue(name, value, spec.type) : null;
    if (problem) return problem;
  }
  if (!isPerBroker) {
    const perBrokerOnly = names.filter((n) => {
      const m = listenerPrefix.exec(n);
      return m ? !clusterLevelListenerConfigs.has(m[1]!) : dynamicSpecs[n]?.perBroker === true;
    });
    if (perBrokerOnly.length > 0)
      return `Cannot update these configs at default cluster level, broker id must be specified: ${setOf(perBrokerOnly)}`;
  }
  return null;
}

/**
 * What a broker applies of a stored dynamic config set (Kafka's fromPersistentProps): without
 * static-only names, unprefixed SSL store settings, per-broker names at the cluster level and
 * unparsable values — those are `ignored`, with why (a ZooKeeper migration copies znodes verbatim).
 */
export function applicableDynamicConfigs(
  stored: ReadonlyMap<string, string> | undefined,
  isPerBroker: boolean,
): { readonly applied: ReadonlyMap<string, string>; readonly ignored: readonly string[] } {
  const applied = new Map<string, string>();
  const ignored: string[] = [];
  for (const [name, value] of stored ?? []) {
    const problem = validateDynamicBrokerConfigs(new Map([[name, value]]), isPerBroker);
    if (problem) ignored.push(problem);
    else applied.set(name, value);
  }
  return { applied, ignored };
}

/** A node's dynamic broker configs: its own, then the cluster default (both already applicable). */
export interface DynamicLayers {
  readonly perBroker: ReadonlyMap<string, string>;
  readonly clusterDefault: ReadonlyMap<string, string>;
}

export const noDynamicLayers: DynamicLayers = { perBroker: new Map(), clusterDefault: new Map() };

/** The dynamic value of a broker config, per broker first: undefined when neither layer sets it. */
export function dynamicValue(layers: DynamicLayers, name: string): string | undefined {
  return layers.perBroker.get(name) ?? layers.clusterDefault.get(name);
}

/** Kafka's default of a broker config (raftka's file table, then the dynamic table); null = none. */
export function brokerConfigDefault(name: string): string | null {
  return configDefault(name) ?? dynamicSpecs[baseName(name)]?.default ?? null;
}

export interface ConfigSynonym {
  readonly name: string;
  readonly value: string | null;
  readonly source: number;
}

export interface ResolvedConfig {
  readonly name: string;
  readonly value: string | null;
  readonly source: number;
  /** Every layer that sets the config or one of its synonyms, highest precedence first (Kafka's order). */
  readonly synonyms: readonly ConfigSynonym[];
  readonly readOnly: boolean;
}

/** Kafka's brokerConfigSynonyms: the names that set the same thing, in precedence order. */
export function brokerConfigSynonyms(name: string): readonly string[] {
  const s = topicConfigBrokerSynonyms.find((x) => x.brokerNames.includes(name));
  if (s && s.brokerNames.length > 1) return s.brokerNames;
  const m = listenerPrefix.exec(name);
  return m ? [name, m[1]!] : [name];
}

/** The layers' synonyms of broker names `names`: by source (dynamic broker, default, static, default), then name order. */
export function brokerSynonyms(
  names: readonly string[],
  layers: DynamicLayers,
  staticProps: ReadonlyMap<string, string>,
): ConfigSynonym[] {
  const out: ConfigSynonym[] = [];
  const add = (source: number, get: (n: string) => string | null | undefined): void => {
    for (const name of names) {
      const value = get(name);
      if (value !== undefined && value !== null) out.push({ name, value, source });
    }
  };
  add(ConfigSource.DYNAMIC_BROKER, (n) => layers.perBroker.get(n));
  add(ConfigSource.DYNAMIC_DEFAULT_BROKER, (n) => layers.clusterDefault.get(n));
  add(ConfigSource.STATIC_BROKER, (n) => staticProps.get(n));
  add(ConfigSource.DEFAULT, brokerConfigDefault);
  return out;
}

/** A synonym's value in the unit of `target` (log.retention.hours=1 → log.retention.ms 3600000). */
export function synonymValueAs(target: string, synonym: ConfigSynonym): string | null {
  if (synonym.value === null || synonym.name === target) return synonym.value;
  const factor = synonym.name.endsWith('.hours') ? 3_600_000 : synonym.name.endsWith('.minutes') ? 60_000 : 1;
  return factor === 1 || !/^-?\d+$/.test(synonym.value.trim())
    ? synonym.value
    : String(Number(synonym.value) * (Number(synonym.value) < 0 ? 1 : factor));
}

/** A broker config as DescribeConfigs reports it on this node. */
export function resolveBrokerConfig(
  name: string,
  layers: DynamicLayers,
  staticProps: ReadonlyMap<string, string>,
): ResolvedConfig {
  const synonyms = brokerSynonyms(brokerConfigSynonyms(name), layers, staticProps);
  const first = synonyms[0];
  return {
    name,
    value: first ? synonymValueAs(name, first) : null,
    source: first?.source ?? ConfigSource.DEFAULT,
    synonyms,
    readOnly: !(baseName(name) in dynamicSpecs),
  };
}
