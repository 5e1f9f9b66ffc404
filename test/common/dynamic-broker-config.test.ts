// Kafka's precedence for broker and topic configs (topic > per-broker dynamic > cluster-default
// dynamic > static file > default), the validation of dynamic broker configs, what a broker
// applies of a stored (e.g. migrated) set, and the log defaults and DescribeConfigs entries made
// from them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applicableDynamicConfigs,
  ConfigSource,
  type DynamicLayers,
  resolveBrokerConfig,
  validateDynamicBrokerConfigs,
} from '../../src/common/dynamic-broker-config.js';
import { parseNodeConfig } from '../../src/common/config.js';
import { defaultLogConfig, resolveLogConfig, withDynamicBrokerDefaults } from '../../src/storage/log-config.js';
import { brokerLogConfig } from '../../src/broker/replica-manager.js';
import { BrokerDynamicConfig } from '../../src/broker/dynamic-config.js';
import { describeBrokerConfigs, describeTopicConfigs } from '../../src/broker/config-describe.js';
import { emptyImage, type MetadataImage } from '../../src/metadata/image.js';

const m = (o: Record<string, string>): Map<string, string> => new Map(Object.entries(o));
const layers = (perBroker: Record<string, string>, clusterDefault: Record<string, string>): DynamicLayers => ({
  perBroker: m(perBroker),
  clusterDefault: m(clusterDefault),
});

const node = parseNodeConfig(
  m({
    'node.id': '1',
    'process.roles': 'broker,controller',
    'controller.quorum.voters': '1@127.0.0.1:9093',
    listeners: 'PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093',
    'controller.listener.names': 'CONTROLLER',
    'log.dirs': '/tmp/x',
    'log.retention.hours': '2',
    'min.insync.replicas': '1',
  }),
  'node.properties',
);

test('a broker config resolves per broker, then cluster default, then the file, then the default', () => {
  const statics = node.staticProperties;
  const mir = (l: DynamicLayers) => {
    const r = resolveBrokerConfig('min.insync.replicas', l, statics);
    return [r.value, r.source];
  };
  assert.deepEqual(mir(layers({ 'min.insync.replicas': '3' }, { 'min.insync.replicas': '2' })), [
    '3',
    ConfigSource.DYNAMIC_BROKER,
  ]);
  assert.deepEqual(mir(layers({}, { 'min.insync.replicas': '2' })), ['2', ConfigSource.DYNAMIC_DEFAULT_BROKER]);
  assert.deepEqual(mir(layers({}, {})), ['1', ConfigSource.STATIC_BROKER]);
  const r = resolveBrokerConfig('message.max.bytes', layers({}, {}), statics);
  assert.deepEqual([r.value, r.source, r.readOnly], ['1048588', ConfigSource.DEFAULT, false]);
  assert.equal(resolveBrokerConfig('node.id', layers({}, {}), statics).readOnly, true);
  // Synonyms in Kafka's order: by source, then by name precedence; hours converted for the value.
  const ret = resolveBrokerConfig('log.retention.ms', layers({}, {}), statics);
  assert.equal(ret.value, String(2 * 3_600_000));
  assert.deepEqual(
    ret.synonyms.map((s) => [s.source, s.name, s.value]),
    [
      [ConfigSource.STATIC_BROKER, 'log.retention.hours', '2'],
      [ConfigSource.DEFAULT, 'log.retention.hours', '168'],
    ],
  );
  const dyn = resolveBrokerConfig('log.retention.ms', layers({}, { 'log.retention.ms': '1000' }), statics);
  assert.deepEqual([dyn.value, dyn.source, dyn.synonyms.length], ['1000', ConfigSource.DYNAMIC_DEFAULT_BROKER, 3]);
});

test("dynamic broker configs are checked as Kafka checks them, with Kafka's messages", () => {
  const v = (o: Record<string, string>, perBroker: boolean) => validateDynamicBrokerConfigs(m(o), perBroker);
  assert.equal(v({ 'min.insync.replicas': '2', 'log.retention.ms': '-1' }, false), null);
  assert.equal(v({ 'num.partitions': '3' }, false), 'Cannot update these configs dynamically: Set(num.partitions)');
  assert.equal(
    v({ 'auto.create.topics.enable': 'false' }, true),
    'Cannot update these configs dynamically: Set(auto.create.topics.enable)',
  );
  assert.equal(
    v({ 'log.retention.hours': '1' }, false),
    'Cannot update these configs dynamically: Set(log.retention.hours)',
    'only the first synonym is dynamic',
  );
  assert.equal(
    v({ 'min.insync.replicas': '0' }, false),
    'Invalid value 0 for configuration min.insync.replicas: Value must be at least 1',
  );
  assert.equal(
    v({ 'compression.type': 'brotli' }, false),
    'Invalid value brotli for configuration compression.type: String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer',
  );
  assert.equal(
    v({ 'ssl.enabled.protocols': 'TLSv1.3' }, false),
    'Cannot update these configs at default cluster level, broker id must be specified: Set(ssl.enabled.protocols)',
  );
  assert.equal(v({ 'ssl.enabled.protocols': 'TLSv1.3' }, true), null);
  assert.equal(v({ 'listener.name.external.max.connections': '10' }, false), null, 'a cluster-level listener config');
  assert.match(v({ 'ssl.truststore.location': '/t' }, true) ?? '', /only per-listener using the listener prefix/);
  assert.equal(v({ 'some.custom.config': 'x' }, false), null, 'Kafka keeps configs it does not know');
});

test('a broker applies what Kafka applies of a stored set and ignores the rest', () => {
  const r = applicableDynamicConfigs(
    m({ 'min.insync.replicas': '2', 'num.partitions': '7', 'message.max.bytes': 'big', listeners: 'X://:1' }),
    false,
  );
  assert.deepEqual([...r.applied], [['min.insync.replicas', '2']]);
  assert.equal(r.ignored.length, 3);
});

test('log defaults: topic config > per-broker dynamic > cluster default > file > default', () => {
  const file = brokerLogConfig(node);
  assert.equal(file.retentionMs, 2 * 3_600_000);
  const dflt = withDynamicBrokerDefaults(file, m({ 'min.insync.replicas': '2', 'message.max.bytes': '2097164' }));
  assert.deepEqual([dflt.minInsyncReplicas, dflt.maxMessageBytes, dflt.retentionMs], [2, 2097164, 2 * 3_600_000]);
  const withTopic = resolveLogConfig(dflt, m({ 'min.insync.replicas': '1', 'retention.ms': '5' }));
  assert.deepEqual([withTopic.minInsyncReplicas, withTopic.retentionMs, withTopic.maxMessageBytes], [1, 5, 2097164]);
  const policy = withDynamicBrokerDefaults(
    defaultLogConfig,
    m({ 'log.cleanup.policy': 'compact', 'log.retention.ms': '9' }),
  );
  assert.deepEqual([policy.compact, policy.delete, policy.retentionMs], [true, false, 9]);
  assert.equal(withDynamicBrokerDefaults(file, new Map()), file, 'no dynamic configs: the same object');
});

test("the broker's view follows the image: per broker over cluster default, cached while unchanged", () => {
  const dyn = new BrokerDynamicConfig(1, brokerLogConfig(node));
  const image = (configs: Record<string, Record<string, string>>): MetadataImage => ({
    ...emptyImage,
    configs: new Map(Object.entries(configs).map(([k, v]) => [k, m(v)])),
  });
  const a = image({
    '4:': { 'min.insync.replicas': '2', 'num.partitions': '9' },
    '4:1': { 'min.insync.replicas': '3' },
  });
  assert.equal(dyn.logDefaults(a).minInsyncReplicas, 3);
  assert.equal(dyn.logDefaults(a), dyn.logDefaults(a), 'same image, same object');
  assert.deepEqual([...dyn.layers(a).clusterDefault.keys()], ['min.insync.replicas'], 'num.partitions is not dynamic');
  const b = image({ '4:': { 'min.insync.replicas': '2' }, '4:2': { 'min.insync.replicas': '3' } });
  assert.equal(dyn.logDefaults(b).minInsyncReplicas, 2, "another broker's settings do not apply here");
  assert.equal(dyn.logDefaults(image({})).minInsyncReplicas, 1);
  const throttled = image({ '4:1': { 'follower.replication.throttled.rate': '1000' } });
  assert.equal(dyn.rate(throttled, 'follower.replication.throttled.rate'), 1000);
  assert.equal(dyn.rate(throttled, 'leader.replication.throttled.rate'), null);
});

test('DescribeConfigs entries carry the source and the synonyms, highest precedence first', () => {
  const l = layers({}, { 'log.retention.ms': '1000', 'min.insync.replicas': '2' });
  const log = resolveLogConfig(
    withDynamicBrokerDefaults(brokerLogConfig(node), m({ 'log.retention.ms': '1000' })),
    undefined,
  );
  const topic = describeTopicConfigs(m({ 'retention.bytes': '10' }), l, node.staticProperties, log);
  const get = (name: string) => topic.find((e) => e.name === name)!;
  assert.deepEqual(
    [get('retention.ms').value, get('retention.ms').source],
    ['1000', ConfigSource.DYNAMIC_DEFAULT_BROKER],
  );
  assert.deepEqual(
    get('retention.ms').synonyms.map((s) => [s.source, s.name]),
    [
      [ConfigSource.DYNAMIC_DEFAULT_BROKER, 'log.retention.ms'],
      [ConfigSource.STATIC_BROKER, 'log.retention.hours'],
      [ConfigSource.DEFAULT, 'log.retention.hours'],
    ],
  );
  assert.deepEqual([get('retention.bytes').value, get('retention.bytes').source], ['10', ConfigSource.DYNAMIC_TOPIC]);
  assert.equal(get('retention.bytes').synonyms[1]?.name, 'log.retention.bytes');
  assert.deepEqual([get('segment.bytes').value, get('segment.bytes').source], ['1073741824', ConfigSource.DEFAULT]);
  assert.equal(get('min.insync.replicas').source, ConfigSource.DYNAMIC_DEFAULT_BROKER);
  const broker = describeBrokerConfigs(node, layers({ 'log.cleaner.threads': '2' }, {}));
  const b = (name: string) => broker.find((e) => e.name === name)!;
  assert.equal(b('log.cleaner.threads').source, ConfigSource.DYNAMIC_BROKER);
  assert.equal(b('min.insync.replicas').source, ConfigSource.STATIC_BROKER);
  assert.equal(b('leader.replication.throttled.rate').source, ConfigSource.DEFAULT);
  assert.equal(b('broker.id').value, '1');
});
