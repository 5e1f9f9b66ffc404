// Kafka's config names: which broker names AlterConfigs accepts, and which hold secrets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKnownBrokerConfig, isSensitiveConfig } from '../../src/protocol/kafka-config-names.js';

test("Kafka's dynamic broker configs are known, by name or by family", () => {
  for (const k of [
    'log.cleaner.threads',
    'sasl.kerberos.min.time.before.relogin',
    'listener.name.ext.ssl.key.password',
  ])
    assert.ok(isKnownBrokerConfig(k), k);
  for (const k of ['node.id', 'log.dirs', 'made.up']) assert.equal(isKnownBrokerConfig(k), false, k);
});

test('passwords, JAAS configs and PEM keys are sensitive, with or without a listener prefix', () => {
  for (const k of [
    'ssl.keystore.password',
    'ssl.key.password',
    'ssl.truststore.password',
    'ssl.keystore.key',
    'ssl.truststore.certificates',
    'sasl.jaas.config',
    'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config',
    'listener.name.external.ssl.keystore.password',
  ])
    assert.ok(isSensitiveConfig(k), k);
  for (const k of ['ssl.keystore.location', 'sasl.enabled.mechanisms', 'min.insync.replicas'])
    assert.equal(isSensitiveConfig(k), false, k);
});
