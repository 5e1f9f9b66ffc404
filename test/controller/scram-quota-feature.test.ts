import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { ErrorCode } from '../../src/common/errors.js';
import { MetadataLoader } from '../../src/metadata/loader.js';
import { alterUserScramCredentials, describeUserScramCredentials } from '../../src/controller/scram-control.js';
import { saltedPassword } from '../../src/security/scram.js';
import { ScramMechanism } from '../../src/protocol/scram-types.js';
import { alterClientQuotas, describeClientQuotas } from '../../src/controller/quota-control.js';
import { QuotaMatchType } from '../../src/protocol/quota-types.js';
import { bootstrapFeatureRecords, describeFeatures, updateFeatures } from '../../src/controller/feature-control.js';
import { FeatureUpgradeType } from '../../src/protocol/feature-types.js';
import { parseConfigAssignments, scramUpsertion } from '../../src/client/config-assignments.js';
import { imageRecords } from '../../src/metadata/image-records.js';

const salt = Buffer.from('salt-of-sixteen!');

test('SCRAM: keys follow RFC 5802, validation gives Kafka codes, a failed user writes nothing', () => {
  const loader = new MetadataLoader();
  const salted = saltedPassword(ScramMechanism.SCRAM_SHA_256, 'pencil', salt, 4096);
  assert.deepEqual(salted, pbkdf2Sync('pencil', salt, 4096, 32, 'sha256'));
  const ok = { name: 'alice', mechanism: ScramMechanism.SCRAM_SHA_256, iterations: 4096, salt, saltedPassword: salted };
  const r = alterUserScramCredentials(
    loader.image,
    [],
    [
      ok,
      { ...ok, name: 'few', iterations: 4095 },
      { ...ok, name: 'many', iterations: 16385 },
      { ...ok, name: 'mech', mechanism: 3 },
      { ...ok, name: '' },
      { ...ok, name: 'nosalt', salt: new Uint8Array(0) },
      { ...ok, name: 'twice' },
      { ...ok, name: 'twice' },
    ],
  );
  assert.deepEqual(
    r.response.map((x) => [x.user, x.errorCode]),
    [
      ['alice', 0],
      ['few', ErrorCode.UNACCEPTABLE_CREDENTIAL],
      ['many', ErrorCode.UNACCEPTABLE_CREDENTIAL],
      ['mech', ErrorCode.UNSUPPORTED_SASL_MECHANISM],
      ['', ErrorCode.UNACCEPTABLE_CREDENTIAL],
      ['nosalt', ErrorCode.UNACCEPTABLE_CREDENTIAL],
      ['twice', ErrorCode.DUPLICATE_RESOURCE],
    ],
  );
  assert.equal(r.records.length, 1, 'only alice is written; twice wrote nothing although its first op was valid');
  loader.replayAll(r.records);
  const stored = [...loader.image.scram.values()][0]!;
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  assert.deepEqual(Buffer.from(stored.storedKey), createHash('sha256').update(clientKey).digest());
  assert.deepEqual(Buffer.from(stored.serverKey), createHmac('sha256', salted).update('Server Key').digest());
  assert.deepEqual(describeUserScramCredentials(loader.image, null), [
    { user: 'alice', errorCode: 0, errorMessage: null, credentials: [{ mechanism: 1, iterations: 4096 }] },
  ]);
  assert.deepEqual(
    describeUserScramCredentials(loader.image, ['bob', 'alice', 'alice']).map((d) => [d.user, d.errorCode]),
    [
      ['bob', ErrorCode.RESOURCE_NOT_FOUND],
      ['alice', ErrorCode.DUPLICATE_RESOURCE],
    ],
  );
  const del = alterUserScramCredentials(
    loader.image,
    [
      { name: 'alice', mechanism: 1 },
      { name: 'alice', mechanism: 2 },
    ],
    [],
  );
  assert.deepEqual(
    del.response.map((x) => x.errorCode),
    [ErrorCode.RESOURCE_NOT_FOUND],
    'the SHA-512 deletion fails the user',
  );
  loader.replayAll(alterUserScramCredentials(loader.image, [{ name: 'alice', mechanism: 1 }], []).records);
  assert.equal(loader.image.scram.size, 0);
});

test('kafka-configs style assignments: brackets keep their commas; SCRAM upsertion salts client-side', () => {
  assert.deepEqual(parseConfigAssignments('a=1,SCRAM-SHA-256=[iterations=8192,password=p,w],b=2'), [
    { name: 'a', value: '1' },
    { name: 'SCRAM-SHA-256', value: '[iterations=8192,password=p,w]' },
    { name: 'b', value: '2' },
  ]);
  assert.throws(() => parseConfigAssignments('x=[1,2'), /unbalanced/);
  const u = scramUpsertion('carol', 'SCRAM-SHA-512', '[iterations=5000,password=pw]');
  assert.equal(u.iterations, 5000);
  assert.deepEqual(u.saltedPassword, pbkdf2Sync('pw', u.salt, 5000, 64, 'sha512'));
  assert.throws(() => scramUpsertion('carol', 'SCRAM-SHA-1', '[password=x]'), /unknown SCRAM mechanism/);
});

test('client quotas: entity and key validation, removal, describe filters', () => {
  const loader = new MetadataLoader();
  const alice = [{ entityType: 'user', entityName: 'alice' }];
  const aliceApp = [
    { entityType: 'client-id', entityName: 'app' },
    { entityType: 'user', entityName: 'alice' },
  ];
  const r = alterClientQuotas(
    loader.image,
    [
      { entity: alice, ops: [{ key: 'producer_byte_rate', value: 1024, remove: false }] },
      { entity: aliceApp, ops: [{ key: 'request_percentage', value: 12.5, remove: false }] },
      {
        entity: [{ entityType: 'client-id', entityName: null }],
        ops: [{ key: 'consumer_byte_rate', value: 2048, remove: false }],
      },
      {
        entity: [{ entityType: 'ip', entityName: '127.0.0.1' }],
        ops: [{ key: 'connection_creation_rate', value: 5, remove: false }],
      },
      { entity: [], ops: [] },
      { entity: [{ entityType: 'ip', entityName: 'nope' }], ops: [] },
      {
        entity: [
          { entityType: 'ip', entityName: null },
          { entityType: 'user', entityName: 'x' },
        ],
        ops: [],
      },
      { entity: alice, ops: [{ key: 'connection_creation_rate', value: 1, remove: false }] },
      { entity: alice, ops: [{ key: 'producer_byte_rate', value: 1.5, remove: false }] },
      { entity: alice, ops: [{ key: 'producer_byte_rate', value: -1, remove: false }] },
      { entity: [{ entityType: 'group', entityName: 'g' }], ops: [] },
    ],
    false,
  );
  assert.deepEqual(
    r.response.map((x) => x.errorCode),
    [0, 0, 0, 0, ...Array(7).fill(ErrorCode.INVALID_REQUEST)],
  );
  assert.equal(r.records.length, 4);
  loader.replayAll(r.records);
  const all = describeClientQuotas(loader.image, [], false);
  assert.equal(all.entries.length, 4);
  const users = describeClientQuotas(
    loader.image,
    [{ entityType: 'user', matchType: QuotaMatchType.ANY, match: null }],
    false,
  );
  assert.equal(users.entries.length, 2);
  const strict = describeClientQuotas(
    loader.image,
    [{ entityType: 'user', matchType: QuotaMatchType.EXACT, match: 'alice' }],
    true,
  );
  assert.deepEqual(
    strict.entries.map((e) => [...e.values]),
    [[['producer_byte_rate', 1024]]],
  );
  const defaults = describeClientQuotas(
    loader.image,
    [{ entityType: 'client-id', matchType: QuotaMatchType.DEFAULT, match: null }],
    true,
  );
  assert.deepEqual(
    defaults.entries.map((e) => [...e.values]),
    [[['consumer_byte_rate', 2048]]],
  );
  assert.equal(
    describeClientQuotas(loader.image, [{ entityType: 'user', matchType: QuotaMatchType.EXACT, match: null }], true)
      .errorCode,
    ErrorCode.INVALID_REQUEST,
  );
  assert.equal(
    alterClientQuotas(
      loader.image,
      [{ entity: alice, ops: [{ key: 'producer_byte_rate', value: 9, remove: false }] }],
      true,
    ).records.length,
    0,
    'validate-only writes nothing',
  );
  loader.replayAll(
    alterClientQuotas(
      loader.image,
      [{ entity: alice, ops: [{ key: 'producer_byte_rate', value: 0, remove: true }] }],
      false,
    ).records,
  );
  assert.equal(
    describeClientQuotas(loader.image, [{ entityType: 'user', matchType: QuotaMatchType.EXACT, match: 'alice' }], true)
      .entries.length,
    0,
  );
  assert.equal(
    alterClientQuotas(
      loader.image,
      [{ entity: alice, ops: [{ key: 'producer_byte_rate', value: 0, remove: true }] }],
      false,
    ).records.length,
    0,
    'removing an absent quota writes nothing',
  );
});

test('features: bootstrap metadata.version and group.version once; updates are validated all-or-nothing', () => {
  const loader = new MetadataLoader();
  const boot = bootstrapFeatureRecords(loader.image);
  assert.deepEqual(boot, [
    { type: 'featureLevel', name: 'metadata.version', featureLevel: 1 },
    { type: 'featureLevel', name: 'group.version', featureLevel: 1 },
  ]);
  loader.replayAll(boot);
  assert.deepEqual(bootstrapFeatureRecords(loader.image), []);
  assert.deepEqual(describeFeatures(loader.image), [
    { name: 'metadata.version', supportedMin: 1, supportedMax: 1, finalizedLevel: 1 },
    { name: 'group.version', supportedMin: 0, supportedMax: 1, finalizedLevel: 1 },
  ]);
  const up = (feature: string, maxVersionLevel: number, upgradeType: number = FeatureUpgradeType.UPGRADE) => ({
    feature,
    maxVersionLevel,
    upgradeType,
  });
  assert.deepEqual(
    updateFeatures(loader.image, [up('metadata.version', 2)], false).response.map((r) => r.errorCode),
    [ErrorCode.INVALID_UPDATE_VERSION],
  );
  assert.deepEqual(
    updateFeatures(loader.image, [up('metadata.version', 0, FeatureUpgradeType.UNSAFE_DOWNGRADE)], false).response.map(
      (r) => r.errorCode,
    ),
    [ErrorCode.INVALID_UPDATE_VERSION],
  );
  assert.deepEqual(
    updateFeatures(loader.image, [up('no.such.feature', 1)], false).response.map((r) => r.errorCode),
    [ErrorCode.INVALID_UPDATE_VERSION],
  );
  const mixed = updateFeatures(loader.image, [up('metadata.version', 1), up('bogus', 1)], false);
  assert.deepEqual(
    mixed.response.map((r) => r.errorCode),
    [ErrorCode.FEATURE_UPDATE_FAILED, ErrorCode.INVALID_UPDATE_VERSION],
  );
  assert.equal(mixed.records.length, 0);
  // group.version goes down to 0 only when asked for a downgrade, and back up; never above 1.
  assert.deepEqual(
    updateFeatures(loader.image, [up('group.version', 0)], false).response.map((r) => r.errorCode),
    [ErrorCode.INVALID_UPDATE_VERSION],
  );
  assert.deepEqual(
    updateFeatures(loader.image, [up('group.version', 2)], false).response.map((r) => r.errorCode),
    [ErrorCode.INVALID_UPDATE_VERSION],
  );
  const off = updateFeatures(loader.image, [up('group.version', 0, FeatureUpgradeType.SAFE_DOWNGRADE)], false);
  assert.deepEqual(
    off.response.map((r) => r.errorCode),
    [ErrorCode.NONE],
  );
  loader.replayAll(off.records);
  assert.equal(describeFeatures(loader.image).find((d) => d.name === 'group.version')?.finalizedLevel, 0);
  loader.replayAll(updateFeatures(loader.image, [up('group.version', 1)], false).records);
  assert.equal(describeFeatures(loader.image).find((d) => d.name === 'group.version')?.finalizedLevel, 1);
  const same = updateFeatures(loader.image, [up('metadata.version', 1)], false);
  assert.deepEqual([same.response[0]!.errorCode, same.records.length], [0, 0]);
  assert.ok(
    [...imageRecords(loader.image)].some((r) => r.type === 'featureLevel'),
    'features are part of snapshots',
  );
});
