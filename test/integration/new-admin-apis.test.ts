// The Kafka APIs added for issue 15 item 2 / issue 16 item 6, on one two-node combined cluster
// (with a SASL_PLAINTEXT listener for SCRAM logins), at the wire and through the CLI:
// - AlterUserScramCredentials / DescribeUserScramCredentials: Kafka's error codes; a user created
//   with `raftka configs --bootstrap-server ... --add-config SCRAM-SHA-256=[...]` logs in over SASL
//   SCRAM right after (and describes itself there), and is refused once `--delete-config` ran;
// - DescribeTopicPartitions: paging with NextCursor, empty ELR lists; `raftka topics --describe`;
// - ElectLeaders: leadership moved away by a reassignment that drops the preferred replica, which a
//   second reassignment adds back as first replica; `raftka leader-election --election-type
//   preferred` brings leadership back; unclean on a led partition needs nothing;
// - UpdateFeatures and ApiVersions' feature levels (also through `raftka features --bootstrap-server`);
// - GetTelemetrySubscriptions / PushTelemetry: no metrics requested, Kafka's push codes.
// CLI runs that do not depend on each other start together: each costs a node process start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterFixture, freePorts, waitFor } from '../../src/testing/cluster-fixture.js';
import { raftkaCli } from '../../src/testing/raftka-cli.js';
import { KafkaConnection } from '../../src/client/kafka-connection.js';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { describeTopicPartitions } from '../../src/client/cluster-admin.js';
import { ErrorCode } from '../../src/common/errors.js';
import { parseProperties } from '../../src/common/properties.js';
import { apiVersionsApi } from '../../src/protocol/messages/api-versions.js';
import {
  alterUserScramCredentialsApi,
  describeUserScramCredentialsApi,
} from '../../src/protocol/messages/scram-credentials.js';
import { describeTopicPartitionsApi } from '../../src/protocol/messages/describe-topic-partitions.js';
import { electLeadersApi } from '../../src/protocol/messages/elect-leaders.js';
import { updateFeaturesApi } from '../../src/protocol/messages/update-features.js';
import { consumerGroupHeartbeatApi } from '../../src/protocol/messages/consumer-group-heartbeat.js';
import { findCoordinator } from '../../src/client/group-client.js';
import { getTelemetrySubscriptionsApi, pushTelemetryApi } from '../../src/protocol/messages/telemetry.js';
import { zeroUuid } from '../../src/protocol/primitives/uuid.js';
import { clientSecurityFromProperties } from '../../src/security/client-security.js';

const timeoutMs = 15_000;

test('SCRAM, DescribeTopicPartitions, ElectLeaders, UpdateFeatures and telemetry over the Kafka protocol', {
  timeout: 240_000, // a hang guard: about a minute alone, two on a loaded machine
}, async (t) => {
  const began = Date.now();
  const sasl = await freePorts(2);
  const f = await ClusterFixture.combined({
    nodes: 2,
    // Preferred leaders come back only when asked (the test elects them itself).
    extra: { 'auto.leader.rebalance.enable': 'false', 'sasl.enabled.mechanisms': 'SCRAM-SHA-256' },
    perNode: (k, layout) => ({
      listeners: [
        `PLAINTEXT://127.0.0.1:${layout.kafka[k]}`,
        `SASL_PLAINTEXT://127.0.0.1:${sasl[k]}`,
        `CONTROLLER://127.0.0.1:${layout.controller[k]}`,
      ].join(','),
    }),
  });
  t.after(() => f.destroy({ graceful: false }));
  await f.up();
  const bs = f.bootstrapServers;
  const cli = async (...args: string[]) => (await raftkaCli(args)).stdout;
  const c = await waitFor('a broker connection', () =>
    KafkaConnection.open({ host: '127.0.0.1', port: f.brokerPorts[0]! }, 'new-apis-test', timeoutMs),
  );
  t.after(() => c.close());
  const client = new KafkaClient(
    f.brokerPorts.map((port) => ({ host: '127.0.0.1', port })),
    { retries: 20 },
  );
  t.after(() => client.close());
  await client.createTopic('paged', 5, 2);
  await client.createTopic('elect', 1, 2);

  // --- ApiVersions advertises the new APIs and the feature levels.
  const versions = await c.send(apiVersionsApi, { clientSoftwareName: 't', clientSoftwareVersion: '1' }, timeoutMs, 3);
  const range = (key: number) => versions.apiKeys.find((k) => k.apiKey === key);
  for (const [key, max] of [
    [43, 2],
    [50, 0],
    [51, 0],
    [57, 2],
    [71, 0],
    [72, 0],
    [75, 0],
  ] as const)
    assert.deepEqual([range(key)?.minVersion, range(key)?.maxVersion], [0, max], `api ${key}`);
  assert.deepEqual(versions.supportedFeatures, [
    { name: 'metadata.version', minVersion: 1, maxVersion: 1 },
    { name: 'group.version', minVersion: 0, maxVersion: 1 },
  ]);
  assert.deepEqual(versions.finalizedFeatures, [
    { name: 'metadata.version', maxVersionLevel: 1, minVersionLevel: 1 },
    { name: 'group.version', maxVersionLevel: 1, minVersionLevel: 1 },
  ]);

  // --- SCRAM at the wire: Kafka's codes.
  const upsert = (name: string, mechanism: number, iterations: number) => ({
    name,
    mechanism,
    iterations,
    salt: Buffer.from('salt'),
    saltedPassword: Buffer.alloc(32, 1),
  });
  const alter = async (deletions: { name: string; mechanism: number }[], upsertions: ReturnType<typeof upsert>[]) =>
    (await c.send(alterUserScramCredentialsApi, { deletions, upsertions }, timeoutMs)).results.map((r) => [
      r.user,
      r.errorCode,
    ]);
  assert.deepEqual(await alter([], [upsert('low', 1, 1000)]), [['low', ErrorCode.UNACCEPTABLE_CREDENTIAL]]);
  assert.deepEqual(await alter([], [upsert('high', 1, 20_000)]), [['high', ErrorCode.UNACCEPTABLE_CREDENTIAL]]);
  assert.deepEqual(await alter([], [upsert('mech', 3, 4096)]), [['mech', ErrorCode.UNSUPPORTED_SASL_MECHANISM]]);
  assert.deepEqual(await alter([], [upsert('dup', 1, 4096), upsert('dup', 1, 8192)]), [
    ['dup', ErrorCode.DUPLICATE_RESOURCE],
  ]);
  // A failed deletion fails the user's other operations too (Kafka: the first error per user wins).
  assert.deepEqual(await alter([{ name: 'dup', mechanism: 1 }], [upsert('dup', 2, 4096)]), [
    ['dup', ErrorCode.RESOURCE_NOT_FOUND],
  ]);
  const described = await c.send(describeUserScramCredentialsApi, { users: [{ name: 'ghost' }] }, timeoutMs);
  assert.equal(described.results[0]?.errorCode, ErrorCode.RESOURCE_NOT_FOUND);

  // --- SCRAM through `raftka configs --bootstrap-server`, then a SASL SCRAM login as that user.
  const users = ['configs', '--bootstrap-server', bs, '--entity-type', 'users', '--entity-name', 'carol'];
  assert.match(
    await cli(...users, '--alter', '--add-config', 'SCRAM-SHA-256=[iterations=8192,password=carol-secret]'),
    /Completed updating config for user-principal 'carol'\./,
  );
  const props = join(f.root, 'carol.properties');
  writeFileSync(
    props,
    [
      'security.protocol=SASL_PLAINTEXT',
      'sasl.mechanism=SCRAM-SHA-256',
      'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="carol" password="carol-secret";',
    ].join('\n'),
  );
  const carol = clientSecurityFromProperties(parseProperties(readFileSync(props, 'utf8')), f.root);
  const loginAsCarol = (k: number) =>
    KafkaConnection.open({ host: '127.0.0.1', port: sasl[k]! }, 'carol', timeoutMs, carol);
  await waitFor('carol to log in over SASL SCRAM on both brokers', async () => {
    for (const k of [0, 1]) (await loginAsCarol(k)).close();
    return true;
  });
  // Logged in as carol over SASL, the SCRAM description (kafka-configs.sh's output line).
  assert.match(
    await cli(
      'configs',
      '--bootstrap-server',
      `127.0.0.1:${sasl[1]}`,
      '--command-config',
      props,
      ...users.slice(3),
      '--describe',
    ),
    /SCRAM credential configs for user-principal 'carol' are SCRAM-SHA-256=iterations=8192/,
  );

  // --- DescribeTopicPartitions at the wire: pages, cursor, ELR lists.
  const first = await waitFor('paged on broker 1', async () => {
    const r = await c.send(
      describeTopicPartitionsApi,
      { topics: [{ name: 'paged' }], responsePartitionLimit: 2, cursor: null },
      timeoutMs,
    );
    return r.topics[0]?.errorCode === 0 ? r : undefined;
  });
  assert.deepEqual(
    first.topics[0]!.partitions.map((p) => p.partitionIndex),
    [0, 1],
  );
  assert.deepEqual(first.nextCursor, { topicName: 'paged', partitionIndex: 2 });
  assert.deepEqual(first.topics[0]!.partitions[0]!.eligibleLeaderReplicas, []);
  assert.deepEqual(first.topics[0]!.partitions[0]!.lastKnownElr, []);
  assert.deepEqual(
    (await describeTopicPartitions(client, ['paged'], 2))[0]!.partitions.map((p) => p.partition),
    [0, 1, 2, 3, 4],
  );

  // --- Independent CLI runs together: delete carol's credential, describe a topic, describe and
  // (refused) upgrade features.
  const [, describe, features, refusedUpgrade] = await Promise.all([
    cli(...users, '--alter', '--delete-config', 'SCRAM-SHA-256'),
    cli('topics', '--bootstrap-server', bs, '--describe', '--topic', 'paged'),
    cli('features', '--bootstrap-server', bs, 'describe', '--json'),
    raftkaCli(['features', '--bootstrap-server', bs, 'upgrade', '--metadata', '2']).then(
      () => 'accepted',
      (err: { stderr?: string }) => err.stderr ?? '',
    ),
  ]);
  await waitFor('carol to be refused once her credential is gone', () =>
    loginAsCarol(1).then(
      (conn) => {
        conn.close();
        return undefined;
      },
      (err: unknown) => (/SASL_AUTHENTICATION_FAILED/.test(String(err)) ? true : undefined),
    ),
  );
  assert.match(describe, /Topic: paged\tTopicId: \S+\tPartitionCount: 5\tReplicationFactor: 2/);
  assert.equal(describe.split('\n').filter((l) => l.startsWith('\tTopic: paged\tPartition:')).length, 5);
  assert.deepEqual(JSON.parse(features), [
    { feature: 'group.version', supportedMinVersion: 0, supportedMaxVersion: 1, finalizedVersionLevel: 1 },
    { feature: 'metadata.version', supportedMinVersion: 1, supportedMaxVersion: 1, finalizedVersionLevel: 1 },
  ]);
  assert.match(refusedUpgrade, /INVALID_UPDATE_VERSION/);

  // --- group.version: downgraded to 0 the consumer group protocol is off on every broker
  // (ConsumerGroupHeartbeat answers UNSUPPORTED_VERSION, as Kafka's); upgraded to 1 it is back.
  const coordinator = await findCoordinator(client, 'gv-group');
  await client.metadata([]); // the brokers' addresses
  const toCoordinator = await client.connectionTo(coordinator.nodeId);
  const heartbeatJoin = () =>
    toCoordinator.send(
      consumerGroupHeartbeatApi,
      {
        groupId: 'gv-group',
        memberId: 'gv-member',
        memberEpoch: 0,
        rebalanceTimeoutMs: 10_000,
        subscribedTopicNames: ['paged'],
        topicPartitions: [], // a join owns nothing (null is refused, as Kafka does)
      },
      timeoutMs,
      1,
    );
  assert.match(
    await cli('features', '--bootstrap-server', bs, 'downgrade', '--feature', 'group.version=0'),
    /group.version was downgraded to 0/,
  );
  await waitFor('the coordinator to refuse the consumer group protocol', async () =>
    (await heartbeatJoin()).errorCode === ErrorCode.UNSUPPORTED_VERSION ? true : undefined,
  );
  t.diagnostic(`group.version 0 refused the protocol at ${Date.now() - began} ms`);
  const upgraded = await c.send(
    updateFeaturesApi,
    { timeoutMs, featureUpdates: [{ feature: 'group.version', maxVersionLevel: 1, upgradeType: 1 }] },
    timeoutMs,
    1,
  );
  assert.equal(upgraded.errorCode, ErrorCode.NONE);
  let lastAnswer = '';
  const joined = await waitFor('the coordinator to accept the consumer group protocol again', async () => {
    const r = await heartbeatJoin();
    lastAnswer = `${r.errorCode} ${r.errorMessage}`;
    return r.errorCode === ErrorCode.NONE ? r : undefined;
  }).catch((err: unknown) => {
    throw new Error(`${String(err)}; the last answer: ${lastAnswer}`);
  });
  assert.ok(joined.memberEpoch > 0, 'joined with an epoch');
  await toCoordinator.send(
    consumerGroupHeartbeatApi,
    { groupId: 'gv-group', memberId: 'gv-member', memberEpoch: -1 },
    timeoutMs,
    1,
  );

  // --- UpdateFeatures at the wire: validate-only (v2: no per-feature results), downgrade refused.
  const validateOnly = await c.send(
    updateFeaturesApi,
    { timeoutMs, featureUpdates: [{ feature: 'metadata.version', maxVersionLevel: 1 }], validateOnly: true },
    timeoutMs,
  );
  assert.deepEqual([validateOnly.errorCode, validateOnly.results], [0, []]);
  const downgrade = await c.send(
    updateFeaturesApi,
    { timeoutMs, featureUpdates: [{ feature: 'metadata.version', maxVersionLevel: 0, upgradeType: 2 }] },
    timeoutMs,
    1,
  );
  assert.equal(downgrade.errorCode, ErrorCode.INVALID_UPDATE_VERSION, 'metadata.version is never downgraded');

  // --- ElectLeaders: move leadership of elect-0 away from its first replica, then bring it back.
  const partition = async () => (await client.metadata(['elect'])).topics[0]?.partitions[0];
  const before = await waitFor('elect-0 to have a leader', async () => {
    const p = await partition();
    return p && p.leader >= 0 ? p : undefined;
  });
  const preferred = before.replicas[0]!;
  const other = before.replicas[1]!;
  assert.equal(before.leader, preferred, 'a new partition is led by its first replica');
  const reassign = async (replicas: number[]) => {
    const [r] = await client.alterPartitionReassignments([{ topic: 'elect', partition: 0, replicas }]);
    assert.equal(r?.errorCode, 0, `reassignment to ${replicas}`);
    await waitFor(`elect-0 on ${replicas}`, async () => {
      const p = await partition();
      const done = p && p.replicas.join() === replicas.join() && p.isr.length === replicas.length;
      return done && (await client.listPartitionReassignments(null)).length === 0 ? p : undefined;
    });
  };
  await reassign([other]);
  await reassign([preferred, other]);
  const moved = (await partition())!;
  assert.deepEqual([moved.leader, moved.replicas[0]], [other, preferred], 'led by the second replica now');
  assert.match(
    await cli(
      'leader-election',
      '--bootstrap-server',
      bs,
      '--election-type',
      'preferred',
      '--topic',
      'elect',
      '--partition',
      '0',
    ),
    /Successfully completed leader election \(PREFERRED\) for partitions elect-0/,
  );
  await waitFor('the preferred replica to lead elect-0 again', async () =>
    (await partition())?.leader === preferred ? true : undefined,
  );
  const again = await c.send(
    electLeadersApi,
    { electionType: 0, topicPartitions: [{ topic: 'elect', partitions: [0] }], timeoutMs },
    timeoutMs,
  );
  assert.equal(again.replicaElectionResults[0]!.partitionResult[0]!.errorCode, ErrorCode.ELECTION_NOT_NEEDED);
  const unclean = await c.send(
    electLeadersApi,
    { electionType: 1, topicPartitions: [{ topic: 'elect', partitions: [0, 7] }], timeoutMs },
    timeoutMs,
  );
  assert.deepEqual(
    unclean.replicaElectionResults[0]!.partitionResult.map((p) => [p.partitionId, p.errorCode]),
    [
      [0, ErrorCode.ELECTION_NOT_NEEDED],
      [7, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ],
  );
  // Every partition now has its preferred leader: an all-partitions election has nothing to report.
  const all = await c.send(electLeadersApi, { electionType: 0, topicPartitions: null, timeoutMs }, timeoutMs);
  assert.deepEqual([all.errorCode, all.replicaElectionResults], [0, []]);

  // --- Telemetry: an instance id, nothing requested; a push with another subscription id is refused.
  const sub = await c.send(getTelemetrySubscriptionsApi, { clientInstanceId: zeroUuid }, timeoutMs);
  assert.equal(sub.errorCode, 0);
  assert.notEqual(sub.clientInstanceId, zeroUuid);
  assert.deepEqual(sub.requestedMetrics, []);
  const push = (subscriptionId: number) =>
    c.send(
      pushTelemetryApi,
      {
        clientInstanceId: sub.clientInstanceId,
        subscriptionId,
        terminating: false,
        compressionType: 0,
        metrics: Buffer.alloc(0),
      },
      timeoutMs,
    );
  assert.equal((await push(sub.subscriptionId + 1)).errorCode, ErrorCode.UNKNOWN_SUBSCRIPTION_ID);
  assert.equal((await push(sub.subscriptionId)).errorCode, ErrorCode.THROTTLING_QUOTA_EXCEEDED, 'within the interval');
});
