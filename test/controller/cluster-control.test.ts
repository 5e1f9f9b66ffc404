import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../src/common/errors.js';
import { MetadataLoader } from '../../src/metadata/loader.js';
import {
  BrokerSessions,
  brokerHeartbeat,
  fenceBroker,
  registerBroker,
  type BrokerHeartbeatRequest,
} from '../../src/controller/cluster-control.js';
import { moveAwayFrom } from '../../src/controller/replication-control.js';

const clusterId = 'Wd5KtWmXRzmd8zDT3aX3bQ';
const inc = (n: number) => Buffer.alloc(16, n).toString('base64url');
const sessionTimeoutMs = 9000;

function register(
  loader: MetadataLoader,
  sessions: BrokerSessions,
  brokerId: number,
  nextOffset: number,
  nowMs = 0,
  incarnation = brokerId,
) {
  const d = registerBroker(
    loader.image,
    { brokerId, clusterId, incarnationId: inc(incarnation), listeners: [], rack: null },
    { clusterId, nextOffset, nowMs, sessionTimeoutMs, sessions },
  );
  loader.replayAll(d.records);
  return d.response;
}

function beat(
  loader: MetadataLoader,
  sessions: BrokerSessions,
  req: Partial<BrokerHeartbeatRequest> & { brokerId: number; brokerEpoch: number },
  nowMs = 0,
) {
  const d = brokerHeartbeat(
    loader.image,
    { currentMetadataOffset: 0, wantFence: false, wantShutDown: false, ...req },
    { nowMs, sessions, uncleanAllowed: () => false },
  );
  loader.replayAll(d.records);
  return d.response;
}

/** Brokers 1 and 2 registered and unfenced; topic t with one partition led by 1, ISR [1, 2]. */
function twoBrokersOnePartition(): { loader: MetadataLoader; sessions: BrokerSessions; topicId: string } {
  const loader = new MetadataLoader();
  const sessions = new BrokerSessions();
  for (const id of [1, 2]) {
    register(loader, sessions, id, id);
    beat(loader, sessions, { brokerId: id, brokerEpoch: id, currentMetadataOffset: 10 });
  }
  const topicId = 'AAAAAAAAAAAAAAAAAAAAAQ';
  loader.replayAll([
    { type: 'topic', name: 't', topicId },
    {
      type: 'partition',
      topicId,
      partitionId: 0,
      replicas: [1, 2],
      isr: [1, 2],
      removingReplicas: [],
      addingReplicas: [],
      leader: 1,
      leaderEpoch: 0,
      partitionEpoch: 0,
    },
  ]);
  return { loader, sessions, topicId };
}

test('a broker registers fenced, is unfenced once caught up, and its epoch is the registration offset', () => {
  const loader = new MetadataLoader();
  const sessions = new BrokerSessions();
  const r = register(loader, sessions, 1, 42);
  assert.deepEqual(r, { errorCode: ErrorCode.NONE, errorMessage: null, brokerEpoch: 42 });
  assert.equal(loader.image.brokers.get(1)?.fenced, true);
  assert.deepEqual(beat(loader, sessions, { brokerId: 1, brokerEpoch: 42, currentMetadataOffset: 41 }), {
    errorCode: 0,
    isCaughtUp: false,
    isFenced: true,
    shouldShutDown: false,
  });
  assert.deepEqual(beat(loader, sessions, { brokerId: 1, brokerEpoch: 42, currentMetadataOffset: 42 }), {
    errorCode: 0,
    isCaughtUp: true,
    isFenced: false,
    shouldShutDown: false,
  });
  assert.equal(loader.image.brokers.get(1)?.fenced, false);
});

test('registration and heartbeat errors', () => {
  const loader = new MetadataLoader();
  const sessions = new BrokerSessions();
  const other = registerBroker(
    loader.image,
    { brokerId: 1, clusterId: 'AAAAAAAAAAAAAAAAAAAAAA', incarnationId: inc(1), listeners: [], rack: null },
    { clusterId, nextOffset: 1, nowMs: 0, sessionTimeoutMs, sessions },
  );
  assert.equal(other.response.errorCode, ErrorCode.INCONSISTENT_CLUSTER_ID);
  assert.equal(other.records.length, 0);
  register(loader, sessions, 1, 5, 0);
  // Another incarnation while the first still heartbeats: refused; after its session expired: taken.
  assert.equal(register(loader, sessions, 1, 6, 1000, 99).errorCode, ErrorCode.DUPLICATE_BROKER_REGISTRATION);
  assert.equal(register(loader, sessions, 1, 7, 20_000, 99).brokerEpoch, 7);
  assert.equal(beat(loader, sessions, { brokerId: 1, brokerEpoch: 5 }).errorCode, ErrorCode.STALE_BROKER_EPOCH);
  assert.equal(beat(loader, sessions, { brokerId: 2, brokerEpoch: 5 }).errorCode, ErrorCode.BROKER_ID_NOT_REGISTERED);
});

test('session expiry fences a broker and moves its leaderships to the ISR', () => {
  const { loader, sessions, topicId } = twoBrokersOnePartition();
  beat(loader, sessions, { brokerId: 2, brokerEpoch: 2, currentMetadataOffset: 10 }, 8000);
  assert.deepEqual(sessions.expired(loader.image, 8999, sessionTimeoutMs), []);
  const expired = sessions.expired(loader.image, 9000, sessionTimeoutMs);
  assert.deepEqual(expired, [1]);
  loader.replayAll(fenceBroker(loader.image, 1, () => false));
  const p = loader.image.topicsById.get(topicId)!.partitions.get(0)!;
  assert.deepEqual([loader.image.brokers.get(1)?.fenced, p.leader, p.isr], [true, 2, [2]]);
  assert.deepEqual(
    fenceBroker(loader.image, 1, () => false),
    [],
    'fencing twice writes nothing',
  );
});

test('controlled shutdown moves leaderships away first, then fences and lets the broker go', () => {
  const { loader, sessions, topicId } = twoBrokersOnePartition();
  const first = beat(loader, sessions, { brokerId: 1, brokerEpoch: 1, currentMetadataOffset: 10, wantShutDown: true });
  assert.equal(first.shouldShutDown, false);
  assert.equal(loader.image.brokers.get(1)?.inControlledShutdown, true);
  assert.equal(loader.image.topicsById.get(topicId)!.partitions.get(0)!.leader, 2);
  const second = beat(loader, sessions, { brokerId: 1, brokerEpoch: 1, currentMetadataOffset: 12, wantShutDown: true });
  assert.deepEqual([second.shouldShutDown, second.isFenced, loader.image.brokers.get(1)?.fenced], [true, true, true]);
});

test('fencing a broker of many partitions can be done in bounded slices', () => {
  const { loader, topicId } = twoBrokersOnePartition();
  loader.replayAll(
    Array.from({ length: 9 }, (_, i) => ({
      type: 'partition' as const,
      topicId,
      partitionId: i + 1,
      replicas: [1, 2],
      isr: [1, 2],
      removingReplicas: [],
      addingReplicas: [],
      leader: 1,
      leaderEpoch: 0,
      partitionEpoch: 0,
    })),
  );
  const first = fenceBroker(loader.image, 1, () => false, 4);
  assert.equal(first.length, 1 + 4);
  loader.replayAll(first);
  let rounds = 0;
  for (;;) {
    const more = moveAwayFrom(loader.image, 1, () => false, 4);
    loader.replayAll(more);
    rounds++;
    if (more.length < 4) break;
  }
  assert.equal(rounds, 2); // 4 + 4 + 2 of the 10 partitions
  for (const p of loader.image.topicsById.get(topicId)!.partitions.values())
    assert.deepEqual([p.leader, p.isr], [2, [2]]);
});

test('a controlled shutdown in slices leaves the broker in no ISR before it is let go', () => {
  const { loader, sessions, topicId } = twoBrokersOnePartition();
  loader.replayAll([
    {
      type: 'partition',
      topicId,
      partitionId: 1,
      replicas: [2, 1],
      isr: [2, 1],
      removingReplicas: [],
      addingReplicas: [],
      leader: 2,
      leaderEpoch: 0,
      partitionEpoch: 0,
    },
    {
      type: 'partition',
      topicId,
      partitionId: 2,
      replicas: [1, 2],
      isr: [1, 2],
      removingReplicas: [],
      addingReplicas: [],
      leader: 1,
      leaderEpoch: 0,
      partitionEpoch: 0,
    },
  ]);
  let last = null;
  for (let i = 0; i < 10; i++) {
    const d = brokerHeartbeat(
      loader.image,
      { brokerId: 1, brokerEpoch: 1, currentMetadataOffset: 20, wantFence: false, wantShutDown: true },
      { nowMs: 0, sessions, uncleanAllowed: () => false, movesMax: 1 },
    );
    loader.replayAll(d.records);
    last = d.response;
    if (d.response.shouldShutDown) break;
  }
  assert.equal(last?.shouldShutDown, true);
  for (const p of loader.image.topicsById.get(topicId)!.partitions.values()) {
    assert.notEqual(p.leader, 1);
    assert.ok(!p.isr.includes(1), JSON.stringify(p));
  }
  assert.equal(loader.image.brokers.get(1)?.fenced, true);
});

test('a partition that went offline with its last ISR member is led again when that broker comes back', () => {
  const { loader, sessions, topicId } = twoBrokersOnePartition();
  // Both fenced (2 first, then 1): the partition goes offline with ISR [1].
  loader.replayAll(fenceBroker(loader.image, 2, () => false));
  loader.replayAll(fenceBroker(loader.image, 1, () => false));
  const p = () => loader.image.topicsById.get(topicId)!.partitions.get(0)!;
  assert.deepEqual([p().leader, p().isr], [-1, [1]]);
  // Broker 2 returns: it is not in the ISR, so the partition stays offline (no unclean election).
  register(loader, sessions, 2, 50, 20_000, 22);
  beat(loader, sessions, { brokerId: 2, brokerEpoch: 50, currentMetadataOffset: 60 }, 20_000);
  assert.equal(p().leader, -1);
  // Broker 1 returns: it was the last ISR member, so it leads again.
  register(loader, sessions, 1, 70, 20_000, 11);
  beat(loader, sessions, { brokerId: 1, brokerEpoch: 70, currentMetadataOffset: 80 }, 20_000);
  assert.equal(p().leader, 1);
});
