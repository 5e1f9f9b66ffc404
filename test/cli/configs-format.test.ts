// `configs --describe --bootstrap-server` prints what kafka-configs.sh prints: the heading, then
// the entries set at the described level (all with --all), each with its synonyms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describedConfigsJson, formatDescribedConfigs } from '../../src/cli/configs-format.js';

const entries = [
  {
    name: 'min.insync.replicas',
    value: '2',
    configSource: 3,
    isSensitive: false,
    synonyms: [
      { name: 'min.insync.replicas', value: '2', source: 3 },
      { name: 'min.insync.replicas', value: '1', source: 5 },
    ],
  },
  { name: 'log.cleaner.threads', value: '2', configSource: 2, isSensitive: false, synonyms: [] },
  { name: 'listener.name.x.ssl.key.password', value: null, configSource: 2, isSensitive: true, synonyms: [] },
  {
    name: 'node.id',
    value: '1',
    configSource: 4,
    isSensitive: false,
    synonyms: [{ name: 'node.id', value: '1', source: 4 }],
  },
];

test("kafka-configs.sh's describe output, filtered by the described level", () => {
  assert.deepEqual(formatDescribedConfigs('brokers', '', entries, false), [
    'Default configs for brokers in the cluster are:',
    '  min.insync.replicas=2 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:min.insync.replicas=2, DEFAULT_CONFIG:min.insync.replicas=1}',
  ]);
  assert.deepEqual(formatDescribedConfigs('brokers', '1', entries, false), [
    'Dynamic configs for broker 1 are:',
    '  listener.name.x.ssl.key.password=null sensitive=true synonyms={}',
    '  log.cleaner.threads=2 sensitive=false synonyms={}',
  ]);
  const all = formatDescribedConfigs('brokers', '1', entries, true);
  assert.equal(all[0], 'All configs for broker 1 are:');
  assert.equal(all.length, 5);
  assert.deepEqual(formatDescribedConfigs('topics', 't', entries, false), ['Dynamic configs for topic t are:']);
  assert.deepEqual(describedConfigsJson(entries, 4), {
    'node.id': {
      value: '1',
      source: 'STATIC_BROKER_CONFIG',
      sensitive: false,
      synonyms: [{ name: 'node.id', value: '1', source: 'STATIC_BROKER_CONFIG' }],
    },
  });
});
