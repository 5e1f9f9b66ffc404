// The authorization matrix over the Kafka protocol, on one node with
// authorizer.class.name=StandardAuthorizer: every connection is User:ANONYMOUS (no authentication
// configured), and ACLs are granted and revoked through the controller's gRPC path, as `raftka acls`
// does. For each API the principal first lacks the ACL and gets Kafka's error, then gets it and the
// request goes through; Produce also with a LITERAL, a PREFIXED and a `User:*` ACL, a DENY that
// overrides an ALLOW, the log end offset unchanged by denied writes; a denied CreateTopics creates
// nothing; Metadata (and DescribeTopicPartitions) hide what the principal may not describe; the
// SCRAM, ElectLeaders and UpdateFeatures APIs need their cluster ACL. Every grant and revoke must show in
// the broker's answers within a second of the controller's commit.
import { test } from 'node:test';
import { appendFileSync } from 'node:fs';
import { join as pathJoin } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import assert from 'node:assert/strict';
import { ClusterFixture, waitFor } from '../../src/testing/cluster-fixture.js';
import { ControllerClient } from '../../src/client/controller-client.js';
import { KafkaConnection } from '../../src/client/kafka-connection.js';
import { KafkaClient, KafkaRequestError } from '../../src/client/kafka-client.js';
import { ErrorCode } from '../../src/common/errors.js';
import {
  AclOperation as Op,
  AclPatternType,
  AclPermission,
  AclResourceType as Res,
} from '../../src/protocol/acl-types.js';
import { buildRecordBatch } from '../../src/protocol/record-batch.js';
import { produceApi } from '../../src/protocol/messages/produce.js';
import { listOffsetsApi } from '../../src/protocol/messages/list-offsets.js';
import { metadataApi } from '../../src/protocol/messages/metadata.js';
import { createTopicsApi } from '../../src/protocol/messages/create-topics.js';
import { deleteTopicsApi } from '../../src/protocol/messages/delete-topics.js';
import { createPartitionsApi } from '../../src/protocol/messages/create-partitions.js';
import { deleteRecordsApi } from '../../src/protocol/messages/delete-records.js';
import { describeConfigsApi } from '../../src/protocol/messages/describe-configs.js';
import { incrementalAlterConfigsApi } from '../../src/protocol/messages/incremental-alter-configs.js';
import { describeClusterApi } from '../../src/protocol/messages/describe-cluster.js';
import { offsetForLeaderEpochApi } from '../../src/protocol/messages/offset-for-leader-epoch.js';
import { createAclsApi, deleteAclsApi, describeAclsApi } from '../../src/protocol/messages/acls.js';
import {
  alterPartitionReassignmentsApi,
  listPartitionReassignmentsApi,
} from '../../src/protocol/messages/partition-reassignments.js';
import { describeLogDirsApi } from '../../src/protocol/messages/describe-log-dirs.js';
import { alterReplicaLogDirsApi } from '../../src/protocol/messages/alter-replica-log-dirs.js';
import {
  alterUserScramCredentialsApi,
  describeUserScramCredentialsApi,
} from '../../src/protocol/messages/scram-credentials.js';
import { describeTopicPartitionsApi } from '../../src/protocol/messages/describe-topic-partitions.js';
import { electLeadersApi } from '../../src/protocol/messages/elect-leaders.js';
import { updateFeaturesApi } from '../../src/protocol/messages/update-features.js';
import { findCoordinatorApi } from '../../src/protocol/messages/find-coordinator.js';
import { joinGroupApi } from '../../src/protocol/messages/join-group.js';
import { heartbeatApi } from '../../src/protocol/messages/heartbeat.js';
import { syncGroupApi } from '../../src/protocol/messages/sync-group.js';
import { leaveGroupApi } from '../../src/protocol/messages/leave-group.js';
import { txnOffsetCommitApi } from '../../src/protocol/messages/txn-offset-commit.js';
import { offsetCommitApi } from '../../src/protocol/messages/offset-commit.js';
import { offsetFetchApi } from '../../src/protocol/messages/offset-fetch.js';
import { offsetDeleteApi } from '../../src/protocol/messages/offset-delete.js';
import { listGroupsApi } from '../../src/protocol/messages/list-groups.js';
import { describeGroupsApi } from '../../src/protocol/messages/describe-groups.js';
import { deleteGroupsApi } from '../../src/protocol/messages/delete-groups.js';
import { initProducerIdApi } from '../../src/protocol/messages/init-producer-id.js';
import { addPartitionsToTxnApi } from '../../src/protocol/messages/add-partitions-to-txn.js';
import { addOffsetsToTxnApi } from '../../src/protocol/messages/add-offsets-to-txn.js';
import { endTxnApi } from '../../src/protocol/messages/end-txn.js';
import { writeTxnMarkersApi } from '../../src/protocol/messages/write-txn-markers.js';
import { describeProducersApi } from '../../src/protocol/messages/describe-producers.js';
import { describeTransactionsApi } from '../../src/protocol/messages/describe-transactions.js';
import { listTransactionsApi } from '../../src/protocol/messages/list-transactions.js';
import { CoordinatorKeyType } from '../../src/protocol/txn-types.js';
import { zeroUuid } from '../../src/protocol/primitives/uuid.js';

const anonymous = 'User:ANONYMOUS';
const timeoutMs = 10_000;

interface Rule {
  readonly type: number;
  readonly name: string;
  readonly op: number;
  readonly prefixed?: boolean;
  readonly principal?: string;
  readonly deny?: boolean;
}

const on = (type: number, name: string, op: number, more: Partial<Rule> = {}): Rule => ({ type, name, op, ...more });
const cluster = (op: number): Rule => on(Res.CLUSTER, 'kafka-cluster', op);

test('authorization matrix: every API refuses without its ACL and answers with it', { timeout: 180_000 }, async (t) => {
  const f = await ClusterFixture.combined({
    nodes: 1,
    extra: {
      'authorizer.class.name': 'StandardAuthorizer',
      'offsets.topic.num.partitions': '1',
      'transaction.state.log.num.partitions': '1',
      'transaction.state.log.replication.factor': '1',
      'transaction.state.log.min.isr': '1',
      'group.initial.rebalance.delay.ms': '0',
    },
  });
  t.after(() => f.destroy());
  await f.up();
  const ctl = new ControllerClient([{ host: '127.0.0.1', port: f.controllerPorts[0]! }]);
  t.after(() => ctl.close());
  const c = await KafkaConnection.open({ host: '127.0.0.1', port: f.brokerPorts[0]! }, 'authz-test', timeoutMs);
  t.after(() => c.close());

  const binding = (r: Rule) => ({
    resourceType: r.type,
    resourceName: r.name,
    patternType: r.prefixed ? AclPatternType.PREFIXED : AclPatternType.LITERAL,
    principal: r.principal ?? anonymous,
    host: '*',
    operation: r.op,
    permissionType: r.deny ? AclPermission.DENY : AclPermission.ALLOW,
  });
  const grant = async (...rules: Rule[]) => {
    const res = await ctl.createAcls({ acls: rules.map(binding) }, { timeoutMs });
    assert.ok(
      res.results.every((r) => r.errorCode === 0),
      JSON.stringify(res.results),
    );
  };
  const revoke = async (...rules: Rule[]) => {
    const res = await ctl.deleteAcls({ acls: rules.map(binding) }, { timeoutMs });
    assert.ok(
      res.results.every((r) => r.errorCode === 0),
      JSON.stringify(res.results),
    );
  };
  // The controller answers once the change is committed: from then on the broker must follow within a second.
  const propagation: number[] = [];
  const settle = async <T>(what: string, probe: () => Promise<T>, done: (v: T) => boolean): Promise<T> => {
    const start = performance.now();
    const v = await waitFor(
      what,
      async () => {
        const x = await probe();
        return done(x) ? x : undefined;
      },
      5_000,
      10,
    );
    propagation.push(performance.now() - start);
    return v;
  };
  /** Without `rules` the probe answers `denied`; with them (granted now) it stops doing so and answers `allowed`. */
  const matrix = async (
    api: string,
    rules: Rule[],
    probe: () => Promise<number>,
    denied: number,
    allowed: number | ((code: number) => boolean),
  ) => {
    // Refused without the ACL (a revocation just before must have reached the broker too).
    await settle(`${api} to be refused without its ACL`, probe, (x) => x === denied);
    await grant(...rules);
    const code = await settle(`${api} to be allowed`, probe, (x) => x !== denied);
    if (typeof allowed === 'number') assert.equal(code, allowed, `${api} with its ACL`);
    else assert.ok(allowed(code), `${api} with its ACL answered ${code}`);
  };

  for (const name of ['orders-1', 'audit', 'doomed', 'hidden', 'ledger'])
    assert.equal(
      (
        await ctl.createTopics(
          { topics: [{ name, numPartitions: 1, replicationFactor: 1, configs: {} }] },
          { timeoutMs },
        )
      ).topics[0]?.errorCode,
      0,
    );

  // --- Produce: LITERAL, PREFIXED, User:*, DENY over ALLOW; denied writes leave the log untouched.
  const batch = () => buildRecordBatch([{ key: null, value: Buffer.from('x'), timestamp: Date.now() }]);
  const produce = async (topic: string, transactionalId: string | null = null) => {
    const r = await c.send(
      produceApi,
      {
        transactionalId,
        acks: -1,
        timeoutMs,
        topicData: [{ name: topic, partitionData: [{ index: 0, records: batch() }] }],
      },
      timeoutMs,
    );
    return r.responses[0]!.partitionResponses[0]!.errorCode;
  };
  const listOffset = async (topic: string) => {
    const r = await c.send(
      listOffsetsApi,
      {
        replicaId: -1,
        isolationLevel: 0,
        topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1 }] }],
      },
      timeoutMs,
    );
    const p = r.topics[0]!.partitions[0]!;
    return { errorCode: p.errorCode, offset: p.offset };
  };
  const endOffset = async (topic: string) => {
    const r = await listOffset(topic);
    assert.equal(r.errorCode, 0);
    return r.offset;
  };
  await grant(on(Res.TOPIC, 'orders-1', Op.DESCRIBE)); // to read the log end offset
  await settle(
    'DESCRIBE on orders-1',
    () => listOffset('orders-1'),
    (r) => r.errorCode === 0,
  );
  assert.equal(await produce('orders-1'), ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  assert.equal(await endOffset('orders-1'), 0, 'a denied produce appends nothing');
  const ways: [string, Rule][] = [
    ['LITERAL', on(Res.TOPIC, 'orders-1', Op.WRITE)],
    ['PREFIXED', on(Res.TOPIC, 'orders-', Op.WRITE, { prefixed: true })],
    ['User:*', on(Res.TOPIC, 'orders-1', Op.WRITE, { principal: 'User:*' })],
    ['ALL', on(Res.TOPIC, '*', Op.ALL)],
  ];
  let expected = 0;
  for (const [how, rule] of ways) {
    await grant(rule);
    assert.equal(
      await settle(
        `produce with a ${how} ACL`,
        () => produce('orders-1'),
        (x) => x !== ErrorCode.TOPIC_AUTHORIZATION_FAILED,
      ),
      ErrorCode.NONE,
      how,
    );
    assert.equal(await endOffset('orders-1'), ++expected);
    await revoke(rule);
    await settle(
      `produce refused once the ${how} ACL is gone`,
      () => produce('orders-1'),
      (x) => x !== ErrorCode.NONE,
    );
    assert.equal(await endOffset('orders-1'), expected, `${how}: the refused produce appended nothing`);
  }
  const allowAll = on(Res.TOPIC, 'orders-', Op.WRITE, { prefixed: true, principal: 'User:*' });
  const denyMe = on(Res.TOPIC, 'orders-1', Op.WRITE, { deny: true });
  await grant(allowAll);
  await settle(
    'produce allowed',
    () => produce('orders-1'),
    (x) => x === ErrorCode.NONE,
  );
  await grant(denyMe);
  await settle(
    'the DENY to override the ALLOW',
    () => produce('orders-1'),
    (x) => x === ErrorCode.TOPIC_AUTHORIZATION_FAILED,
  );
  const before = await endOffset('orders-1');
  assert.equal(await produce('orders-1'), ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  assert.equal(await endOffset('orders-1'), before);
  await revoke(denyMe);
  await settle(
    'the ALLOW to hold again',
    () => produce('orders-1'),
    (x) => x === ErrorCode.NONE,
  );

  // --- Metadata: hidden topics are left out or refused, existing or not; auto-creation needs CREATE.
  const metadata = async (topics: string[] | null, allowAutoTopicCreation = false) =>
    (
      await c.send(
        metadataApi,
        { topics: topics === null ? null : topics.map((name) => ({ name })), allowAutoTopicCreation },
        timeoutMs,
      )
    ).topics;
  const all = (await metadata(null)).map((x) => x.name);
  assert.ok(all.includes('orders-1') && !all.includes('hidden') && !all.includes('audit'), all.join(','));
  const named = await metadata(['hidden', 'no-such-topic']);
  assert.deepEqual(
    named.map((x) => [x.name, x.errorCode, x.partitions.length]),
    [
      ['hidden', ErrorCode.TOPIC_AUTHORIZATION_FAILED, 0],
      ['no-such-topic', ErrorCode.TOPIC_AUTHORIZATION_FAILED, 0],
    ],
  );
  await grant(on(Res.TOPIC, 'auto-', Op.DESCRIBE, { prefixed: true }));
  await settle(
    'DESCRIBE on auto-*',
    () => metadata(['auto-1']),
    (x) => x[0]?.errorCode !== ErrorCode.TOPIC_AUTHORIZATION_FAILED,
  );
  assert.equal((await metadata(['auto-1'], true))[0]?.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'no CREATE');
  assert.equal((await metadata(['auto-1']))[0]?.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'not created');
  await grant(on(Res.TOPIC, 'auto-', Op.CREATE, { prefixed: true }));
  await settle(
    'auto-creation with CREATE',
    () => metadata(['auto-1'], true),
    (x) => x[0]?.errorCode !== ErrorCode.TOPIC_AUTHORIZATION_FAILED,
  );
  await waitFor('auto-1 to exist', async () => ((await metadata(['auto-1']))[0]?.errorCode === 0 ? true : undefined));

  // --- CreateTopics: a refused topic is not created.
  const createTopic = async (name: string) =>
    (
      await c.send(
        createTopicsApi,
        {
          topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
          timeoutMs,
          validateOnly: false,
        },
        timeoutMs,
      )
    ).topics[0]!.errorCode;
  await grant(on(Res.TOPIC, 'plain-', Op.DESCRIBE, { prefixed: true }));
  await settle(
    'DESCRIBE on plain-*',
    () => metadata(['plain-x']),
    (x) => x[0]?.errorCode !== ErrorCode.TOPIC_AUTHORIZATION_FAILED,
  );
  assert.equal(await createTopic('plain-x'), ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  assert.equal((await metadata(['plain-x']))[0]?.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'nothing created');
  await matrix(
    'CreateTopics',
    [cluster(Op.CREATE)],
    () => createTopic('made-by-cluster-create'),
    ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    0,
  );

  // --- The other topic APIs.
  const topicCode = (r: { topics: readonly { partitions: readonly { errorCode: number }[] }[] }) =>
    r.topics[0]!.partitions[0]!.errorCode;
  const client = new KafkaClient([{ host: '127.0.0.1', port: f.brokerPorts[0]! }], { retries: 0 });
  t.after(() => client.close());
  await matrix(
    'Fetch',
    [on(Res.TOPIC, 'orders-1', Op.READ)],
    // raftka's own client: a refusal is a KafkaRequestError with Kafka's code; records when allowed.
    () =>
      client.fetch('orders-1', 0, 0, { maxWaitMs: 0 }).then(
        (p) => (p.records.length > 0 ? 0 : -1),
        (err: unknown) => (err instanceof KafkaRequestError ? err.errorCode : -2),
      ),
    ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    0,
  );
  await revoke(on(Res.TOPIC, 'orders-1', Op.READ));
  await matrix(
    'ListOffsets',
    [on(Res.TOPIC, 'audit', Op.DESCRIBE)],
    async () => (await listOffset('audit')).errorCode,
    ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    0,
  );
  await revoke(on(Res.TOPIC, 'audit', Op.DESCRIBE));
  const describeTopicPartitions = async (names: string[]) =>
    (await c.send(describeTopicPartitionsApi, { topics: names.map((name) => ({ name })) }, timeoutMs)).topics;
  await matrix(
    'DescribeTopicPartitions',
    [on(Res.TOPIC, 'audit', Op.DESCRIBE)],
    async () => (await describeTopicPartitions(['audit']))[0]!.errorCode,
    ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    0,
  );
  assert.ok(
    !(await describeTopicPartitions([])).some((t) => t.name === 'ledger'),
    'an all-topics DescribeTopicPartitions leaves out topics the principal may not describe',
  );
  await revoke(on(Res.TOPIC, 'audit', Op.DESCRIBE));
  await matrix(
    'OffsetForLeaderEpoch',
    [on(Res.TOPIC, 'audit', Op.DESCRIBE)],
    async () =>
      (
        await c.send(
          offsetForLeaderEpochApi,
          {
            replicaId: -1,
            topics: [{ topic: 'audit', partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }] }],
          },
          timeoutMs,
        )
      ).topics[0]!.partitions[0]!.errorCode,
    ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    0,
  );
  await matrix(
    'CreatePartitions',
    [on(Res.TOPIC, 'audit', Op.ALTER)],
    async () =>
      (
        await c.send(
          createPartitionsApi,
          { topics: [{ name: 'audit', count: 2, assignments: null }], timeoutMs, validateOnly: true },
          timeoutMs,
        )
      ).results[0]!.errorCode,
    ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    0,
  );
  await matrix(
    'DeleteRecords',
    [on(Res.TOPIC, 'orders-1', Op.DELETE)],
    async () =>
      topicCode(
        await c.send(
          deleteRecordsApi,
          { topics: [{ name: 'orders-1', partitions: [{ partitionIndex: 0, offset: 1 }] }], timeoutMs },
          timeoutMs,
        ),
      ),
    ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    0,
  );
  await matrix(
    'DeleteTopics',
    [on(Res.TOPIC, 'doomed', Op.DELETE)],
    async () =>
      (
        await c.send(
          deleteTopicsApi,
          { topicNames: ['doomed'], topics: [{ name: 'doomed', topicId: zeroUuid }], timeoutMs },
          timeoutMs,
        )
      ).responses[0]!.errorCode,
    ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    0,
  );
  const describeConfigs = async (resourceType: number, resourceName: string) =>
    (
      await c.send(
        describeConfigsApi,
        {
          resources: [{ resourceType, resourceName, configurationKeys: null }],
          includeSynonyms: false,
          includeDocumentation: false,
        },
        timeoutMs,
      )
    ).results[0]!.errorCode;
  await matrix(
    'DescribeConfigs (topic)',
    [on(Res.TOPIC, 'audit', Op.DESCRIBE_CONFIGS)],
    () => describeConfigs(2, 'audit'),
    ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    0,
  );
  await matrix(
    'DescribeConfigs (broker)',
    [cluster(Op.DESCRIBE_CONFIGS)],
    () => describeConfigs(4, '1'),
    ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
    0,
  );
  await matrix(
    'IncrementalAlterConfigs (topic)',
    [on(Res.TOPIC, 'audit', Op.ALTER_CONFIGS)],
    async () =>
      (
        await c.send(
          incrementalAlterConfigsApi,
          {
            resources: [
              {
                resourceType: 2,
                resourceName: 'audit',
                configs: [{ name: 'retention.ms', configOperation: 0, value: '60000' }],
              },
            ],
            validateOnly: false,
          },
          timeoutMs,
        )
      ).responses[0]!.errorCode,
    ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    0,
  );

  // --- Cluster APIs: DescribeCluster is answered to anyone (Kafka's brokers), the rest need their ACL.
  const describeCluster = await c.send(
    describeClusterApi,
    { includeClusterAuthorizedOperations: true, endpointType: 1 },
    timeoutMs,
  );
  assert.equal(describeCluster.errorCode, 0);
  const aclFilter = {
    resourceTypeFilter: Res.ANY,
    resourceNameFilter: null,
    patternTypeFilter: AclPatternType.ANY,
    principalFilter: null,
    hostFilter: null,
    operation: Op.ANY,
    permissionType: AclPermission.ANY,
  };
  await matrix(
    'DescribeAcls',
    [cluster(Op.DESCRIBE)],
    async () => (await c.send(describeAclsApi, aclFilter, timeoutMs)).errorCode,
    ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
    0,
  );
  assert.ok(
    (await c.send(describeClusterApi, { includeClusterAuthorizedOperations: true, endpointType: 1 }, timeoutMs))
      .clusterAuthorizedOperations &
      (1 << Op.DESCRIBE),
  );
  assert.equal(describeCluster.clusterAuthorizedOperations, 0, 'no DESCRIBE on the cluster: no operations shown');
  await revoke(cluster(Op.DESCRIBE));
  await matrix(
    'ListPartitionReassignments',
    [cluster(Op.DESCRIBE)],
    async () => (await c.send(listPartitionReassignmentsApi, { timeoutMs, topics: null }, timeoutMs)).errorCode,
    ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
    0,
  );
  await revoke(cluster(Op.DESCRIBE));
  await matrix(
    'DescribeLogDirs',
    [cluster(Op.DESCRIBE)],
    async () => {
      const r = await c.send(describeLogDirsApi, { topics: null }, timeoutMs);
      assert.equal(r.results.length, r.errorCode === 0 ? 1 : 0, 'results only when allowed');
      return r.errorCode;
    },
    ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
    0,
  );
  await revoke(cluster(Op.DESCRIBE));
  await matrix(
    'AlterReplicaLogDirs',
    [cluster(Op.ALTER)],
    async () =>
      (
        await c.send(
          alterReplicaLogDirsApi,
          { dirs: [{ path: '/not-a-log-dir', topics: [{ name: 'audit', partitions: [0] }] }] },
          timeoutMs,
        )
      ).results[0]!.partitions[0]!.errorCode,
    ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
    ErrorCode.LOG_DIR_NOT_FOUND,
  );
  await revoke(cluster(Op.ALTER));
  await matrix(
    'DescribeUserScramCredentials',
    [cluster(Op.DESCRIBE)],
    async () => (await c.send(describeUserScramCredentialsApi, { users: null }, timeoutMs)).errorCode,
    ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
    0,
  );
  await revoke(cluster(Op.DESCRIBE));
  const made = binding(on(Res.TOPIC, 'made-over-kafka', Op.READ));
  await matrix(
    'CreateAcls',
    [cluster(Op.ALTER)],
    async () =>
      (await c.send(createAclsApi, { creations: [{ ...made, resourcePatternType: made.patternType }] }, timeoutMs))
        .results[0]!.errorCode,
    ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
    0,
  );
  assert.equal(
    (await c.send(deleteAclsApi, { filters: [{ ...aclFilter, resourceNameFilter: 'made-over-kafka' }] }, timeoutMs))
      .filterResults[0]!.errorCode,
    0,
  );
  assert.equal((await c.send(alterPartitionReassignmentsApi, { timeoutMs, topics: [] }, timeoutMs)).errorCode, 0);
  // The other APIs that need ALTER on the cluster, allowed now and refused once it is revoked.
  const alterScram = async () =>
    (
      await c.send(
        alterUserScramCredentialsApi,
        { deletions: [{ name: 'nobody', mechanism: 1 }], upsertions: [] },
        timeoutMs,
      )
    ).results[0]!.errorCode;
  const electLeaders = async () =>
    (
      await c.send(
        electLeadersApi,
        { electionType: 0, topicPartitions: [{ topic: 'audit', partitions: [0] }], timeoutMs },
        timeoutMs,
      )
    ).errorCode;
  const updateFeatures = async () =>
    (
      await c.send(
        updateFeaturesApi,
        { timeoutMs, featureUpdates: [{ feature: 'metadata.version', maxVersionLevel: 1 }], validateOnly: true },
        timeoutMs,
      )
    ).errorCode;
  assert.equal(await alterScram(), ErrorCode.RESOURCE_NOT_FOUND, 'AlterUserScramCredentials with ALTER on the cluster');
  assert.equal(await electLeaders(), 0, 'ElectLeaders with ALTER on the cluster');
  assert.equal(await updateFeatures(), 0, 'UpdateFeatures with ALTER on the cluster');
  await revoke(cluster(Op.ALTER));
  await settle(
    'ALTER on the cluster revoked',
    async () => (await c.send(alterPartitionReassignmentsApi, { timeoutMs, topics: [] }, timeoutMs)).errorCode,
    (x) => x !== 0,
  );
  assert.equal(
    (await c.send(deleteAclsApi, { filters: [aclFilter] }, timeoutMs)).filterResults[0]!.errorCode,
    ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  );
  assert.equal(await alterScram(), ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
  assert.equal(await electLeaders(), ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
  assert.equal(await updateFeatures(), ErrorCode.CLUSTER_AUTHORIZATION_FAILED);

  // --- Groups.
  const group = 'app';
  const findCoordinator = async (key: string, keyType: number) => {
    const r = await c.send(findCoordinatorApi, { keyType, coordinatorKeys: [key] }, timeoutMs);
    return r.coordinators![0]!.errorCode;
  };
  await matrix(
    'FindCoordinator (group)',
    [on(Res.GROUP, group, Op.DESCRIBE)],
    () => findCoordinator(group, CoordinatorKeyType.GROUP),
    ErrorCode.GROUP_AUTHORIZATION_FAILED,
    (x) => x === 0 || x === ErrorCode.COORDINATOR_NOT_AVAILABLE,
  );
  await waitFor('the group coordinator', async () =>
    (await findCoordinator(group, CoordinatorKeyType.GROUP)) === 0 ? true : undefined,
  );
  await revoke(on(Res.GROUP, group, Op.DESCRIBE));
  const join = async () =>
    (
      await c.send(
        joinGroupApi,
        {
          groupId: group,
          sessionTimeoutMs: 10_000,
          rebalanceTimeoutMs: 10_000,
          memberId: '',
          groupInstanceId: null,
          protocolType: 'consumer',
          protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
          reason: null,
        },
        timeoutMs,
      )
    ).errorCode;
  const heartbeat = async () =>
    (
      await c.send(
        heartbeatApi,
        { groupId: group, generationId: 1, memberId: 'nobody', groupInstanceId: null },
        timeoutMs,
      )
    ).errorCode;
  const sync = async () =>
    (
      await c.send(
        syncGroupApi,
        {
          groupId: group,
          generationId: 1,
          memberId: 'nobody',
          groupInstanceId: null,
          protocolType: 'consumer',
          protocolName: 'range',
          assignments: [],
        },
        timeoutMs,
      )
    ).errorCode;
  const leave = async () =>
    (
      await c.send(
        leaveGroupApi,
        { groupId: group, members: [{ memberId: 'nobody', groupInstanceId: null, reason: null }] },
        timeoutMs,
      )
    ).errorCode;
  assert.equal(await heartbeat(), ErrorCode.GROUP_AUTHORIZATION_FAILED);
  assert.equal(await sync(), ErrorCode.GROUP_AUTHORIZATION_FAILED);
  assert.equal(await leave(), ErrorCode.GROUP_AUTHORIZATION_FAILED);
  await matrix(
    'JoinGroup',
    [on(Res.GROUP, group, Op.READ)],
    join,
    ErrorCode.GROUP_AUTHORIZATION_FAILED,
    ErrorCode.MEMBER_ID_REQUIRED,
  );
  assert.equal(await heartbeat(), ErrorCode.UNKNOWN_MEMBER_ID, 'Heartbeat with READ on the group');
  assert.equal(await sync(), ErrorCode.UNKNOWN_MEMBER_ID, 'SyncGroup with READ on the group');
  assert.notEqual(await leave(), ErrorCode.GROUP_AUTHORIZATION_FAILED, 'LeaveGroup with READ on the group');
  const commit = async () =>
    (
      await c.send(
        offsetCommitApi,
        {
          groupId: group,
          generationIdOrMemberEpoch: -1,
          memberId: '',
          groupInstanceId: null,
          topics: [
            {
              name: 'orders-1',
              partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: '' }],
            },
          ],
        },
        timeoutMs,
      )
    ).topics[0]!.partitions[0]!.errorCode;
  await matrix('OffsetCommit', [on(Res.TOPIC, 'orders-1', Op.READ)], commit, ErrorCode.TOPIC_AUTHORIZATION_FAILED, 0);
  const offsetFetch = async () => {
    // v8+ (several groups per request): the group's refusal is its own error, a topic's its partitions'.
    const r = await c.send(
      offsetFetchApi,
      { groups: [{ groupId: group, topics: [{ name: 'orders-1', partitionIndexes: [0] }] }], requireStable: false },
      timeoutMs,
      9,
    );
    return r.groups[0]!.errorCode || r.groups[0]!.topics[0]!.partitions[0]!.errorCode;
  };
  await revoke(on(Res.GROUP, group, Op.READ));
  await matrix(
    'OffsetFetch',
    [on(Res.GROUP, group, Op.DESCRIBE)],
    offsetFetch,
    ErrorCode.GROUP_AUTHORIZATION_FAILED,
    0,
  );
  const listed = async () =>
    (await c.send(listGroupsApi, { statesFilter: [], typesFilter: [] }, timeoutMs)).groups.map((g) => g.groupId);
  assert.ok((await listed()).includes(group), 'DESCRIBE on the group lists it');
  const describeGroup = async () =>
    (await c.send(describeGroupsApi, { groups: [group], includeAuthorizedOperations: true }, timeoutMs)).groups[0]!;
  assert.equal((await describeGroup()).errorCode, 0);
  await revoke(on(Res.GROUP, group, Op.DESCRIBE));
  await settle(
    'DESCRIBE on the group revoked',
    async () => (await describeGroup()).errorCode,
    (x) => x === ErrorCode.GROUP_AUTHORIZATION_FAILED,
  );
  assert.ok(!(await listed()).includes(group), 'ListGroups leaves out a group it may not describe');
  await matrix(
    'OffsetDelete',
    [on(Res.GROUP, group, Op.DELETE)],
    async () => {
      const r = await c.send(
        offsetDeleteApi,
        { groupId: group, topics: [{ name: 'orders-1', partitions: [{ partitionIndex: 0 }] }] },
        timeoutMs,
      );
      return r.errorCode || r.topics[0]!.partitions[0]!.errorCode;
    },
    ErrorCode.GROUP_AUTHORIZATION_FAILED,
    0,
  );
  await revoke(on(Res.GROUP, group, Op.DELETE));
  await matrix(
    'DeleteGroups',
    [on(Res.GROUP, group, Op.DELETE)],
    async () => (await c.send(deleteGroupsApi, { groupsNames: [group] }, timeoutMs)).results[0]!.errorCode,
    ErrorCode.GROUP_AUTHORIZATION_FAILED,
    0,
  );

  // --- Idempotent and transactional producers (no WRITE on any topic to begin with).
  await revoke(allowAll);
  const initProducerId = async (transactionalId: string | null) =>
    (
      await c.send(
        initProducerIdApi,
        { transactionalId, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 },
        timeoutMs,
      )
    ).errorCode;
  await matrix(
    'InitProducerId (idempotent)',
    [cluster(Op.IDEMPOTENT_WRITE)],
    () => initProducerId(null),
    ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
    0,
  );
  await revoke(cluster(Op.IDEMPOTENT_WRITE));
  await settle(
    'no WRITE anywhere',
    () => initProducerId(null),
    (x) => x === ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  );
  await matrix(
    'InitProducerId (WRITE on some topic, KIP-679)',
    [on(Res.TOPIC, 'orders-1', Op.WRITE)],
    () => initProducerId(null),
    ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
    0,
  );
  const txnId = 'tx-1';
  await matrix(
    'FindCoordinator (transaction)',
    [on(Res.TRANSACTIONAL_ID, txnId, Op.DESCRIBE)],
    () => findCoordinator(txnId, CoordinatorKeyType.TRANSACTION),
    ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
    (x) => x === 0 || x === ErrorCode.COORDINATOR_NOT_AVAILABLE,
  );
  await waitFor('the transaction coordinator', async () =>
    (await findCoordinator(txnId, CoordinatorKeyType.TRANSACTION)) === 0 ? true : undefined,
  );
  assert.equal(await produce('orders-1', txnId), ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  const describeTxn = async () =>
    (await c.send(describeTransactionsApi, { transactionalIds: [txnId] }, timeoutMs)).transactionStates[0]!.errorCode;
  assert.notEqual(await describeTxn(), ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 'DESCRIBE on the id');
  await revoke(on(Res.TRANSACTIONAL_ID, txnId, Op.DESCRIBE));
  assert.equal(
    await settle('DESCRIBE on tx-1 revoked', describeTxn, (x) => x !== 0),
    ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  );
  let producer = { id: -1, epoch: -1 };
  await matrix(
    'InitProducerId (transactional)',
    [on(Res.TRANSACTIONAL_ID, txnId, Op.WRITE)],
    async () => {
      const r = await c.send(
        initProducerIdApi,
        { transactionalId: txnId, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 },
        timeoutMs,
      );
      producer = { id: r.producerId, epoch: r.producerEpoch };
      return r.errorCode;
    },
    ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
    (x) => x === 0 || x === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS || x === ErrorCode.COORDINATOR_NOT_AVAILABLE,
  );
  await waitFor('a transactional producer id', async () => {
    const r = await c.send(
      initProducerIdApi,
      { transactionalId: txnId, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 },
      timeoutMs,
    );
    producer = { id: r.producerId, epoch: r.producerEpoch };
    return r.errorCode === 0 ? true : undefined;
  });
  const addPartitions = async () => {
    const r = await c.send(
      addPartitionsToTxnApi,
      {
        v3AndBelowTransactionalId: txnId,
        v3AndBelowProducerId: producer.id,
        v3AndBelowProducerEpoch: producer.epoch,
        v3AndBelowTopics: [{ name: 'audit', partitions: [0] }],
        transactions: [],
      },
      timeoutMs,
      3,
    );
    return r.resultsByTopicV3AndBelow![0]!.resultsByPartition[0]!.partitionErrorCode;
  };
  await matrix(
    'AddPartitionsToTxn',
    [on(Res.TOPIC, 'audit', Op.WRITE)],
    addPartitions,
    ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    0,
  );
  await matrix(
    'AddOffsetsToTxn',
    [on(Res.GROUP, 'txn-app', Op.READ)],
    async () =>
      (
        await c.send(
          addOffsetsToTxnApi,
          { transactionalId: txnId, producerId: producer.id, producerEpoch: producer.epoch, groupId: 'txn-app' },
          timeoutMs,
        )
      ).errorCode,
    ErrorCode.GROUP_AUTHORIZATION_FAILED,
    0,
  );
  await matrix(
    'DescribeProducers',
    [on(Res.TOPIC, 'audit', Op.READ)],
    async () =>
      topicCode(await c.send(describeProducersApi, { topics: [{ name: 'audit', partitionIndexes: [0] }] }, timeoutMs)),
    ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    0,
  );
  const txnOffsetCommit = async () => {
    const r = await c.send(
      txnOffsetCommitApi,
      {
        transactionalId: txnId,
        groupId: 'txn-app',
        producerId: producer.id,
        producerEpoch: producer.epoch,
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [
          {
            name: 'ledger',
            partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: '' }],
          },
        ],
      },
      timeoutMs,
    );
    return r.topics[0]!.partitions[0]!.errorCode;
  };
  await matrix(
    'TxnOffsetCommit',
    [on(Res.TOPIC, 'ledger', Op.READ)],
    txnOffsetCommit,
    ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    0,
  );
  const listTxn = async () =>
    (
      await c.send(
        listTransactionsApi,
        { stateFilters: [], producerIdFilters: [], durationFilter: -1, transactionalIdPattern: null },
        timeoutMs,
      )
    ).transactionStates.map((x) => x.transactionalId);
  await revoke(on(Res.TRANSACTIONAL_ID, txnId, Op.WRITE));
  await settle(
    'WRITE on tx-1 revoked',
    async () => (await listTxn()).includes(txnId),
    (x) => !x,
  );
  const endTxn = async () =>
    (
      await c.send(
        endTxnApi,
        { transactionalId: txnId, producerId: producer.id, producerEpoch: producer.epoch, committed: false },
        timeoutMs,
      )
    ).errorCode;
  await matrix(
    'EndTxn',
    [on(Res.TRANSACTIONAL_ID, txnId, Op.WRITE)],
    endTxn,
    ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
    0,
  );
  assert.ok((await listTxn()).includes(txnId), 'WRITE implies DESCRIBE: listed');
  await matrix(
    'WriteTxnMarkers',
    [cluster(Op.CLUSTER_ACTION)],
    async () => {
      const r = await c.send(
        writeTxnMarkersApi,
        {
          markers: [
            {
              producerId: 999_999,
              producerEpoch: 0,
              transactionResult: false,
              topics: [{ name: 'audit', partitionIndexes: [0] }],
              coordinatorEpoch: 0,
            },
          ],
        },
        timeoutMs,
      );
      return r.markers[0]!.topics[0]!.partitions[0]!.errorCode;
    },
    ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
    (x) => x !== ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  );

  // --- A real client: kafkajs is refused, then served by PREFIXED ACLs (a consumer group included).
  assert.equal(
    (
      await ctl.createTopics(
        { topics: [{ name: 'shop-events', numPartitions: 1, replicationFactor: 1, configs: {} }] },
        { timeoutMs },
      )
    ).topics[0]?.errorCode,
    0,
  );
  const kafka = new Kafka({
    clientId: 'authz-test',
    brokers: [f.bootstrapServers],
    logLevel: logLevel.NOTHING,
    retry: { retries: 2, initialRetryTime: 100 },
  });
  const producerJs = kafka.producer({ allowAutoTopicCreation: false });
  await producerJs.connect();
  t.after(() => producerJs.disconnect());
  await assert.rejects(producerJs.send({ topic: 'shop-events', messages: [{ value: 'refused' }] }), (err: unknown) => {
    // kafkajs names error 29 by Kafka's message for it.
    assert.match(String(err), /Not authorized to access topics: \[Topic authorization failed\]/);
    return true;
  });
  const shop: Rule[] = [
    on(Res.TOPIC, 'shop-', Op.WRITE, { prefixed: true }),
    on(Res.TOPIC, 'shop-', Op.READ, { prefixed: true }),
    on(Res.GROUP, 'shop-', Op.READ, { prefixed: true }),
  ];
  await grant(...shop);
  await waitFor('kafkajs to produce', async () => {
    await producerJs.send({ topic: 'shop-events', messages: [1, 2, 3, 4, 5].map((n) => ({ value: `order ${n}` })) });
    return true;
  });
  const consumerJs = kafka.consumer({
    groupId: 'shop-app',
    sessionTimeout: 10_000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 200,
  });
  await consumerJs.connect();
  t.after(() => consumerJs.disconnect());
  await consumerJs.subscribe({ topic: 'shop-events', fromBeginning: true });
  const read: string[] = [];
  await consumerJs.run({
    autoCommitInterval: 100,
    eachMessage: async ({ message }) => void read.push(String(message.value)),
  });
  await waitFor(
    'the kafkajs consumer group to read the five orders',
    async () => (read.length >= 5 ? true : undefined),
    30_000,
  );
  assert.deepEqual(
    read.slice(0, 5),
    [1, 2, 3, 4, 5].map((n) => `order ${n}`),
  );
  await consumerJs.disconnect();

  // Denials were logged and counted.
  const metrics = await f.metrics(0);
  assert.match(metrics, /raftka_authorization_denied_total\{operation="WRITE",resource_type="TOPIC"[^}]*\} [1-9]/);
  const slowest = Math.max(...propagation);
  t.diagnostic(`${propagation.length} ACL changes seen by the broker, slowest after ${slowest.toFixed(0)} ms`);

  // --- super.users: the same node restarted with User:ANONYMOUS as a super user may do what no ACL allows.
  const describeAcls = async (conn: KafkaConnection) =>
    (await conn.send(describeAclsApi, aclFilter, timeoutMs)).errorCode;
  assert.equal(await describeAcls(c), ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
  c.close();
  appendFileSync(pathJoin(f.configDir, 'node-0.properties'), `super.users=User:admin;${anonymous}\n`);
  await f.down();
  await f.up();
  const su = await KafkaConnection.open({ host: '127.0.0.1', port: f.brokerPorts[0]! }, 'authz-test', timeoutMs);
  t.after(() => su.close());
  assert.equal(await describeAcls(su), 0);
  const hiddenWrite = await su.send(
    produceApi,
    {
      transactionalId: null,
      acks: -1,
      timeoutMs,
      topicData: [{ name: 'hidden', partitionData: [{ index: 0, records: batch() }] }],
    },
    timeoutMs,
  );
  assert.equal(
    hiddenWrite.responses[0]!.partitionResponses[0]!.errorCode,
    0,
    'a super user writes where no ACL allows',
  );
  assert.ok(slowest < 1000, `an ACL change took ${slowest.toFixed(0)} ms to apply (${propagation.length} changes)`);
});
