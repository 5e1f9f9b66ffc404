// The data-path versions of issue 15 item 1 against two combined raftka nodes, at the wire: what
// each new version MEANS, not only its fields. Metadata v12 asks by topic id (v11 may not; an
// unknown id is UNKNOWN_TOPIC_ID); Fetch v13 names topics by id; Produce v10+/Fetch v16 answer a
// partition led elsewhere with its leader and that leader's endpoint (KIP-951); ListOffsets gates
// its special timestamps by version; DeleteRecords v2, OffsetForLeaderEpoch v4, DescribeLogDirs v5;
// Produce v12 adds a transactional partition to its transaction (v11 only checks), v13 by topic id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterFixture, waitFor } from '../../src/testing/cluster-fixture.js';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { KafkaConnection } from '../../src/client/kafka-connection.js';
import { ErrorCode } from '../../src/common/errors.js';
import { metadataApi } from '../../src/protocol/messages/metadata.js';
import { produceApi } from '../../src/protocol/messages/produce.js';
import { fetchApi } from '../../src/protocol/messages/fetch.js';
import { listOffsetsApi } from '../../src/protocol/messages/list-offsets.js';
import { deleteRecordsApi } from '../../src/protocol/messages/delete-records.js';
import { offsetForLeaderEpochApi } from '../../src/protocol/messages/offset-for-leader-epoch.js';
import { describeLogDirsApi } from '../../src/protocol/messages/describe-log-dirs.js';
import { findCoordinatorApi } from '../../src/protocol/messages/find-coordinator.js';
import { initProducerIdApi } from '../../src/protocol/messages/init-producer-id.js';
import { endTxnApi } from '../../src/protocol/messages/end-txn.js';
import { buildRecordBatch } from '../../src/protocol/record-batch.js';

const topic = 'versions';
const unknownId = 'AAECAwQFBgcICQoLDA0ODw';

test('data-path API versions: topic ids, leader hints, special timestamps', { timeout: 120_000 }, async (t) => {
  const f = await ClusterFixture.combined({ nodes: 2 });
  t.after(() => f.destroy());
  await f.up();
  const client = new KafkaClient([{ host: '127.0.0.1', port: f.brokerPorts[0]! }]);
  t.after(() => client.close());
  await waitFor(
    'both brokers registered',
    async () => ((await client.metadata(null)).brokers.length === 2 ? true : undefined),
    30_000,
    100,
  );
  await client.createTopic(topic, 4, 1);
  const info = await waitFor(
    'every partition led',
    async () => {
      const t0 = (await client.metadata([topic])).topics[0];
      return t0 && t0.errorCode === 0 && t0.partitions.every((p) => p.leader > 0) ? t0 : undefined;
    },
    30_000,
    100,
  );
  // Node 1's Kafka port is brokerPorts[0]; a partition each node leads (RF 1 spreads 4 over 2).
  const local = info.partitions.find((p) => p.leader === 1);
  const remote = info.partitions.find((p) => p.leader === 2);
  assert.ok(local && remote, `partitions spread over both nodes: ${JSON.stringify(info.partitions)}`);
  const c = await KafkaConnection.open({ host: '127.0.0.1', port: f.brokerPorts[0]! }, 'versions', 10_000);
  t.after(() => c.close());
  let timestamp = 1_000;
  const records = () => buildRecordBatch([{ value: Buffer.from('v'), timestamp: (timestamp += 1_000) }]);
  const produceTo = (partition: number, version: number) =>
    c.send(
      produceApi,
      {
        transactionalId: null,
        acks: -1,
        timeoutMs: 10_000,
        topicData: [{ name: topic, partitionData: [{ index: partition, records: records() }] }],
      },
      15_000,
      version,
    );

  await t.test('Metadata v12/v13 by topic id; v11 may not name topics by id', async () => {
    const byId = await c.send(
      metadataApi,
      {
        topics: [
          { topicId: info.topicId, name: null },
          { topicId: unknownId, name: null },
        ],
        allowAutoTopicCreation: true,
      },
      10_000,
      13,
    );
    assert.equal(byId.errorCode, 0);
    const known = byId.topics.find((x) => x.topicId === info.topicId);
    assert.equal(known?.errorCode, 0);
    assert.equal(known?.name, topic);
    assert.equal(known?.partitions.length, 4);
    const unknown = byId.topics.find((x) => x.topicId === unknownId);
    assert.deepEqual([unknown?.errorCode, unknown?.name], [ErrorCode.UNKNOWN_TOPIC_ID, null]);
    const v11 = await c.send(metadataApi, { topics: [{ topicId: info.topicId, name: topic }] }, 10_000, 11);
    assert.deepEqual(
      v11.topics.map((x) => x.errorCode),
      [ErrorCode.INVALID_REQUEST],
    );
  });

  await t.test('Produce v11 to a partition led elsewhere names the leader and its endpoint; v9 does not', async () => {
    const moved = (await produceTo(remote.partition, 11)).responses[0]!.partitionResponses[0]!;
    assert.equal(moved.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    assert.deepEqual(moved.currentLeader, { leaderId: 2, leaderEpoch: remote.leaderEpoch });
    const res = await produceTo(remote.partition, 11);
    assert.deepEqual(res.nodeEndpoints, [{ nodeId: 2, host: '127.0.0.1', port: f.brokerPorts[1]!, rack: null }]);
    const old = (await produceTo(remote.partition, 9)).responses[0]!.partitionResponses[0]!;
    assert.deepEqual(old.currentLeader, { leaderId: -1, leaderEpoch: -1 }, 'v9 has no CurrentLeader');
    const ok = (await produceTo(local.partition, 11)).responses[0]!.partitionResponses[0]!;
    assert.deepEqual([ok.errorCode, ok.baseOffset], [0, 0]);
    assert.equal((await produceTo(local.partition, 10)).responses[0]!.partitionResponses[0]!.baseOffset, 1);
  });

  await t.test('Fetch v13+ by topic id: records, UNKNOWN_TOPIC_ID, and the leader of a moved partition', async () => {
    const fetchAt = (version: number, topicId: string, partition: number) =>
      c.send(
        fetchApi,
        {
          maxWaitMs: 0,
          minBytes: 0,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [{ topicId, partitions: [{ partition, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
          forgottenTopicsData: [],
          rackId: '',
        },
        10_000,
        version,
      );
    const got = await fetchAt(13, info.topicId, local.partition);
    assert.equal(got.responses[0]!.topicId, info.topicId);
    assert.equal(got.responses[0]!.partitions[0]!.errorCode, 0);
    assert.equal(got.responses[0]!.partitions[0]!.highWatermark, 2);
    assert.ok((got.responses[0]!.partitions[0]!.records?.length ?? 0) > 0);
    const latest = await fetchAt(18, info.topicId, local.partition);
    assert.equal(latest.responses[0]!.partitions[0]!.highWatermark, 2);
    const unknown = await fetchAt(13, unknownId, 0);
    assert.equal(unknown.responses[0]!.topicId, unknownId);
    assert.equal(unknown.responses[0]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_ID);
    const moved = await fetchAt(16, info.topicId, remote.partition);
    const p = moved.responses[0]!.partitions[0]!;
    assert.equal(p.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    assert.deepEqual(p.currentLeader, { leaderId: 2, leaderEpoch: remote.leaderEpoch });
    assert.deepEqual(
      moved.nodeEndpoints.map((e) => [e.nodeId, e.port]),
      [[2, f.brokerPorts[1]!]],
    );
  });

  await t.test('ListOffsets: each special timestamp from its version; no tiered storage', async () => {
    const at = async (version: number, timestamp: number) =>
      (
        await c.send(
          listOffsetsApi,
          {
            replicaId: -1,
            isolationLevel: 0,
            topics: [{ name: topic, partitions: [{ partitionIndex: local.partition, timestamp }] }],
            timeoutMs: 5000,
          },
          10_000,
          version,
        )
      ).topics[0]!.partitions[0]!;
    assert.equal((await at(6, -3)).errorCode, ErrorCode.UNSUPPORTED_VERSION, 'max timestamp needs v7');
    assert.deepEqual([(await at(7, -3)).errorCode, (await at(7, -3)).offset], [0, 1]);
    assert.equal((await at(7, -4)).errorCode, ErrorCode.UNSUPPORTED_VERSION, 'earliest local needs v8');
    assert.deepEqual([(await at(8, -4)).errorCode, (await at(8, -4)).offset], [0, 0]);
    assert.deepEqual([(await at(9, -5)).errorCode, (await at(9, -5)).offset], [0, -1]);
    assert.equal((await at(10, -6)).errorCode, ErrorCode.UNSUPPORTED_VERSION, 'earliest pending upload needs v11');
    assert.deepEqual([(await at(11, -6)).errorCode, (await at(11, -6)).offset], [0, -1]);
    assert.deepEqual([(await at(11, -1)).errorCode, (await at(11, -1)).offset], [0, 2]);
    assert.equal((await at(11, -7)).errorCode, ErrorCode.UNSUPPORTED_VERSION, 'no such special timestamp');
  });

  await t.test('Produce v12 adds its partition to the transaction (KIP-890 part 2); v13 by topic id', async () => {
    // A transactional id whose coordinator is node 2: node 1, the partition's leader, asks it over gRPC.
    const { transactionalId, coordinator } = await waitFor(
      'a transactional id coordinated by node 2',
      async () => {
        for (let i = 0; i < 40; i++) {
          const id = `implicit-add-${i}`;
          const r = await c.send(findCoordinatorApi, { key: id, keyType: 1 }, 10_000, 3);
          if (r.errorCode === 0 && r.nodeId === 2) return { transactionalId: id, coordinator: 2 };
        }
        return undefined;
      },
      30_000,
      200,
    );
    const tc = await client.connectionTo(coordinator);
    const producer = await waitFor(
      'a producer id',
      async () => {
        const r = await tc.send(
          initProducerIdApi,
          { transactionalId, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 },
          10_000,
          4,
        );
        return r.errorCode === 0 ? r : undefined;
      },
      30_000,
      200,
    );
    const txnBatch = () =>
      buildRecordBatch([{ value: Buffer.from('in a transaction'), timestamp: (timestamp += 1_000) }], {
        producerId: producer.producerId,
        producerEpoch: producer.producerEpoch,
        baseSequence: 0,
        transactional: true,
      });
    const produceTxn = async (version: number) =>
      (
        await c.send(
          produceApi,
          {
            transactionalId,
            acks: -1,
            timeoutMs: 10_000,
            topicData: [{ name: topic, partitionData: [{ index: local.partition, records: txnBatch() }] }],
          },
          15_000,
          version,
        )
      ).responses[0]!.partitionResponses[0]!;
    // No AddPartitionsToTxn was sent: v11 only asks the coordinator, which does not know the partition.
    assert.equal((await produceTxn(11)).errorCode, ErrorCode.INVALID_TXN_STATE);
    const added = await produceTxn(12);
    assert.equal(added.errorCode, 0, `v12 appends (error ${added.errorCode})`);
    const end = await tc.send(
      endTxnApi,
      { transactionalId, producerId: producer.producerId, producerEpoch: producer.producerEpoch, committed: true },
      10_000,
      3,
    );
    assert.equal(end.errorCode, 0, 'the coordinator commits a transaction it learnt of from the produce');
    // The commit marker lands after the record: read_committed sees past both.
    await waitFor(
      'the last stable offset past the commit marker',
      async () => {
        const r = await c.send(
          listOffsetsApi,
          {
            replicaId: -1,
            isolationLevel: 1,
            topics: [{ name: topic, partitions: [{ partitionIndex: local.partition, timestamp: -1 }] }],
          },
          10_000,
          11,
        );
        return r.topics[0]!.partitions[0]!.offset >= added.baseOffset + 2 ? true : undefined;
      },
      15_000,
      100,
    );
    const byId = (topicId: string) =>
      c.send(
        produceApi,
        {
          transactionalId: null,
          acks: -1,
          timeoutMs: 10_000,
          topicData: [{ topicId, partitionData: [{ index: local.partition, records: records() }] }],
        },
        15_000,
        13,
      );
    const ok = await byId(info.topicId);
    assert.equal(ok.responses[0]!.topicId, info.topicId);
    assert.deepEqual([ok.responses[0]!.partitionResponses[0]!.errorCode], [0]);
    const unknown = await byId(unknownId);
    assert.equal(unknown.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_ID);
  });

  await t.test('DeleteRecords v2, OffsetForLeaderEpoch v4 and DescribeLogDirs v5', async () => {
    const del = await c.send(
      deleteRecordsApi,
      { topics: [{ name: topic, partitions: [{ partitionIndex: local.partition, offset: 1 }] }], timeoutMs: 5000 },
      10_000,
      2,
    );
    assert.deepEqual([del.topics[0]!.partitions[0]!.errorCode, del.topics[0]!.partitions[0]!.lowWatermark], [0, 1]);
    const epochs = await c.send(
      offsetForLeaderEpochApi,
      {
        replicaId: -1,
        topics: [
          {
            topic,
            partitions: [{ partition: local.partition, currentLeaderEpoch: -1, leaderEpoch: local.leaderEpoch }],
          },
        ],
      },
      10_000,
      4,
    );
    const e = epochs.topics[0]!.partitions[0]!;
    const end = (
      await c.send(
        listOffsetsApi,
        { replicaId: -1, topics: [{ name: topic, partitions: [{ partitionIndex: local.partition, timestamp: -1 }] }] },
        10_000,
        11,
      )
    ).topics[0]!.partitions[0]!.offset;
    assert.deepEqual([e.errorCode, e.leaderEpoch, e.endOffset], [0, local.leaderEpoch, end]);
    const dirs = await c.send(describeLogDirsApi, { topics: [{ topic, partitions: [local.partition] }] }, 10_000, 5);
    assert.equal(dirs.results.length, 1);
    assert.deepEqual([dirs.results[0]!.errorCode, dirs.results[0]!.isCordoned], [0, false]);
    assert.ok(dirs.results[0]!.totalBytes > 0);
  });
});
