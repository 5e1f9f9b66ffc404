// ElectLeaders on the controller (src/controller/leader-election.ts): preferred and unclean
// elections, Kafka's error codes, and the every-partition form that leaves out partitions that
// need nothing. Also the broker's DescribeTopicPartitions paging over the same image.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../src/common/errors.js';
import { MetadataLoader } from '../../src/metadata/loader.js';
import { electLeaders, electionTypePreferred, electionTypeUnclean } from '../../src/controller/leader-election.js';
import { describeTopicPartitions } from '../../src/broker/topic-partitions-api.js';
import { BrokerAuthorization } from '../../src/broker/authorization.js';

const tid = (n: number): string => Buffer.alloc(16, n).toString('base64url');

/** Brokers 1, 2 live, 3 fenced; topic t: p0 led by 2 (preferred 1 in ISR), p1 led by 1 (preferred),
 * p2 leaderless with ISR [3] and replica 2 outside it, p3 preferred 3 (fenced) led by 2. */
function image() {
  const loader = new MetadataLoader();
  loader.replayAll([
    ...[1, 2, 3].map((id) => ({
      type: 'registerBroker' as const,
      brokerId: id,
      incarnationId: tid(id),
      brokerEpoch: 10 + id,
      endpoints: [],
      rack: null,
      fenced: id === 3,
      inControlledShutdown: false,
    })),
    { type: 'topic', name: 't', topicId: tid(9) },
    ...[
      { replicas: [1, 2], isr: [1, 2], leader: 2 },
      { replicas: [1, 2], isr: [1, 2], leader: 1 },
      { replicas: [3, 2], isr: [3], leader: -1 },
      { replicas: [3, 2], isr: [2, 3], leader: 2 },
    ].map((p, partitionId) => ({
      type: 'partition' as const,
      topicId: tid(9),
      partitionId,
      replicas: p.replicas,
      isr: p.isr,
      removingReplicas: [],
      addingReplicas: [],
      leader: p.leader,
      leaderEpoch: 0,
      partitionEpoch: 0,
    })),
  ]);
  return loader;
}

test('preferred election: moves p0 back to its first replica; Kafka codes for the others', () => {
  const loader = image();
  const d = electLeaders(loader.image, electionTypePreferred, [{ topic: 't', partitions: [0, 1, 2, 3, 9] }]);
  assert.deepEqual(
    d.response.map((r) => [r.partition, r.errorCode]),
    [
      [0, ErrorCode.NONE],
      [1, ErrorCode.ELECTION_NOT_NEEDED],
      [2, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE],
      [3, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE],
      [9, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ],
  );
  assert.equal(d.records.length, 1);
  loader.replayAll(d.records);
  assert.equal(loader.image.topicsByName.get('t')!.partitions.get(0)!.leader, 1);
  const missing = electLeaders(loader.image, electionTypePreferred, [{ topic: 'nope', partitions: [0] }]);
  assert.equal(missing.response[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
});

test('unclean election: a leaderless partition takes a live replica outside the ISR; led ones need none', () => {
  const loader = image();
  const d = electLeaders(loader.image, electionTypeUnclean, [{ topic: 't', partitions: [0, 2] }]);
  assert.deepEqual(
    d.response.map((r) => [r.partition, r.errorCode]),
    [
      [0, ErrorCode.ELECTION_NOT_NEEDED],
      [2, ErrorCode.NONE],
    ],
  );
  loader.replayAll(d.records);
  const p2 = loader.image.topicsByName.get('t')!.partitions.get(2)!;
  assert.equal(p2.leader, 2);
  assert.deepEqual(p2.isr, [2]);
});

test('unclean election with no live replica: ELIGIBLE_LEADERS_NOT_AVAILABLE', () => {
  const loader = image();
  loader.replayAll([{ type: 'fenceBroker', brokerId: 2, brokerEpoch: 12 }]);
  const d = electLeaders(loader.image, electionTypeUnclean, [{ topic: 't', partitions: [2] }]);
  assert.equal(d.response[0]!.errorCode, ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE);
  assert.equal(d.records.length, 0);
});

test('every partition (null): partitions that need no election are left out of the answer', () => {
  const d = electLeaders(image().image, electionTypePreferred, null);
  assert.deepEqual(
    d.response.map((r) => [r.partition, r.errorCode]),
    [
      [0, ErrorCode.NONE],
      [2, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE],
      [3, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE],
    ],
  );
});

test('DescribeTopicPartitions pages by partitions with a cursor, ELR lists empty', () => {
  const img = image().image;
  const az = BrokerAuthorization.none.forRequest(
    {
      principal: 'User:ANONYMOUS',
      clientHost: '127.0.0.1',
    } as never,
    'DescribeTopicPartitions',
  );
  const first = describeTopicPartitions(img, { topics: [], responsePartitionLimit: 3, cursor: null }, az);
  assert.deepEqual(
    first.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)]),
    [['t', [0, 1, 2]]],
  );
  assert.deepEqual(first.nextCursor, { topicName: 't', partitionIndex: 3 });
  const p2 = first.topics[0]!.partitions[2]!;
  assert.deepEqual([p2.leaderId, p2.eligibleLeaderReplicas, p2.lastKnownElr, p2.offlineReplicas], [-1, [], [], [3]]);
  const rest = describeTopicPartitions(
    img,
    { topics: [{ name: 't' }, { name: 'u' }], responsePartitionLimit: 3, cursor: first.nextCursor },
    az,
  );
  assert.deepEqual(
    rest.topics.map((t) => [t.name, t.errorCode, (t.partitions ?? []).map((p) => p.partitionIndex)]),
    [
      ['t', ErrorCode.NONE, [3]],
      ['u', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, []],
    ],
  );
  assert.equal(rest.nextCursor, null);
  const bad = describeTopicPartitions(
    img,
    { topics: [{ name: 'u' }], responsePartitionLimit: 3, cursor: { topicName: 't', partitionIndex: 0 } },
    az,
  );
  assert.equal(bad.topics[0]!.errorCode, ErrorCode.INVALID_REQUEST);
});
