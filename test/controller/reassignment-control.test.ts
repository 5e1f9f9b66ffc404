import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../src/common/errors.js';
import { MetadataLoader } from '../../src/metadata/loader.js';
import { alterPartitionReassignments, listPartitionReassignments } from '../../src/controller/reassignment-control.js';
import { alterPartition } from '../../src/controller/alter-partition.js';

/** Brokers 1-4 registered and unfenced; topic t, partition 0 on [1,2,3], led by 1, ISR all three. */
function setup(): { loader: MetadataLoader; topicId: string } {
  const loader = new MetadataLoader();
  for (const id of [1, 2, 3, 4]) {
    loader.replayAll([
      {
        type: 'registerBroker',
        brokerId: id,
        incarnationId: Buffer.alloc(16, id).toString('base64url'),
        brokerEpoch: id,
        endpoints: [],
        rack: null,
        fenced: false,
        inControlledShutdown: false,
      },
    ]);
  }
  const topicId = 'AAAAAAAAAAAAAAAAAAAAAQ';
  loader.replayAll([
    { type: 'topic', name: 't', topicId },
    {
      type: 'partition',
      topicId,
      partitionId: 0,
      replicas: [1, 2, 3],
      isr: [1, 2, 3],
      removingReplicas: [],
      addingReplicas: [],
      leader: 1,
      leaderEpoch: 0,
      partitionEpoch: 0,
    },
  ]);
  return { loader, topicId };
}

test('a reassignment adds the new replica, completes once it is in sync, and moves leadership off a removed leader', () => {
  const { loader, topicId } = setup();
  const p = () => loader.image.topicsById.get(topicId)!.partitions.get(0)!;
  const started = alterPartitionReassignments(loader.image, [{ topic: 't', partition: 0, replicas: [2, 3, 4] }]);
  assert.deepEqual(
    started.response.map((r) => r.errorCode),
    [0],
  );
  loader.replayAll(started.records);
  assert.deepEqual([p().replicas, p().addingReplicas, p().removingReplicas], [[2, 3, 4, 1], [4], [1]]);
  assert.equal(listPartitionReassignments(loader.image, null).length, 1);
  // The leader (1) adds 4 to the ISR: the reassignment completes in the same write.
  const alter = alterPartition(loader.image, {
    brokerId: 1,
    brokerEpoch: 1,
    partitions: [
      { topicId, partitionIndex: 0, leaderEpoch: 0, partitionEpoch: p().partitionEpoch, newIsr: [1, 2, 3, 4] },
    ],
  });
  assert.equal(alter.response.partitions[0]!.errorCode, 0);
  loader.replayAll(alter.records);
  assert.deepEqual([p().replicas, p().isr, p().addingReplicas, p().removingReplicas], [[2, 3, 4], [2, 3, 4], [], []]);
  assert.equal(p().leader, 2, 'the removed leader gave way to an in-sync target replica');
  assert.equal(p().leaderEpoch, 1);
  assert.equal(listPartitionReassignments(loader.image, null).length, 0);
});

test('reassignment errors, removal-only targets and cancellation', () => {
  const { loader, topicId } = setup();
  const p = () => loader.image.topicsById.get(topicId)!.partitions.get(0)!;
  const bad = alterPartitionReassignments(loader.image, [
    { topic: 'nope', partition: 0, replicas: [1] },
    { topic: 't', partition: 0, replicas: [1, 1] },
    { topic: 't', partition: 0, replicas: [1, 9] },
    { topic: 't', partition: 0, replicas: null },
  ]);
  assert.deepEqual(
    bad.response.map((r) => r.errorCode),
    [
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      ErrorCode.NO_REASSIGNMENT_IN_PROGRESS,
    ],
  );
  assert.equal(bad.records.length, 0);
  loader.replayAll(alterPartitionReassignments(loader.image, [{ topic: 't', partition: 0, replicas: [1, 2] }]).records);
  assert.deepEqual([p().replicas, p().isr, p().leader], [[1, 2], [1, 2], 1], 'removal only: done at once');
  loader.replayAll(
    alterPartitionReassignments(loader.image, [{ topic: 't', partition: 0, replicas: [1, 2, 4] }]).records,
  );
  assert.deepEqual(p().addingReplicas, [4]);
  loader.replayAll(alterPartitionReassignments(loader.image, [{ topic: 't', partition: 0, replicas: null }]).records);
  assert.deepEqual(
    [p().replicas, p().addingReplicas, p().removingReplicas],
    [[1, 2], [], []],
    'cancel returns to the original replicas',
  );
});

test('KIP-860: keepReplicationFactor refuses a target of another length, counted against the target in progress', () => {
  const { loader, topicId } = setup();
  const p = () => loader.image.topicsById.get(topicId)!.partitions.get(0)!;
  const keep = (replicas: number[]) => ({ topic: 't', partition: 0, replicas, keepReplicationFactor: true });
  const refused = alterPartitionReassignments(loader.image, [keep([1, 2]), keep([1, 2, 3, 4]), keep([1, 1, 1])]);
  assert.deepEqual(
    refused.response.map((r) => [r.errorCode, r.errorMessage]),
    [
      [ErrorCode.INVALID_REPLICATION_FACTOR, 'The replication factor is changed from 3 to 2'],
      [ErrorCode.INVALID_REPLICATION_FACTOR, 'The replication factor is changed from 3 to 4'],
      // Same length: the factor check passes and the usual validation answers.
      [ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'replicas [1,1,1] must be distinct and not empty'],
    ],
  );
  assert.equal(refused.records.length, 0);
  // A move that keeps three replicas is allowed; while it runs, the partition has four replicas
  // but is headed for three, so a new three-replica target is allowed and a four-replica one is not.
  const moved = alterPartitionReassignments(loader.image, [keep([2, 3, 4])]);
  assert.equal(moved.response[0]!.errorCode, 0);
  loader.replayAll(moved.records);
  assert.equal(p().replicas.length, 4);
  const during = alterPartitionReassignments(loader.image, [keep([1, 3, 4]), keep([1, 2, 3, 4])]);
  assert.deepEqual(
    during.response.map((r) => r.errorCode),
    [0, ErrorCode.INVALID_REPLICATION_FACTOR],
  );
  // Without the flag (v0, or v1 allowing it) the factor may change.
  assert.equal(
    alterPartitionReassignments(loader.image, [{ topic: 't', partition: 0, replicas: [1] }]).response[0]!.errorCode,
    0,
  );
});
