// The QuorumController against an in-memory Raft (src/testing/memory-metadata-raft.ts): writes
// become visible only once committed and replayed, standbys answer NOT_CONTROLLER, silent
// brokers are fenced, background failures are logged and retried (then the controller resigns),
// and activation aborts a transaction the previous leader left open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { ErrorCode } from '../../src/common/errors.js';
import { NotControllerError, QuorumController } from '../../src/controller/quorum-controller.js';
import type { CreatableTopic } from '../../src/controller/replication-control.js';
import { decodeRecord } from '../../src/metadata/records.js';
import { MemoryMetadataRaft } from '../../src/testing/memory-metadata-raft.js';

const clusterId = 'Wd5KtWmXRzmd8zDT3aX3bQ';
const sessionTimeoutMs = 9000;

interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

function setup(options: { leader?: boolean } = {}) {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const raft = new MemoryMetadataRaft(1);
  if (options.leader ?? true) raft.becomeLeader();
  const clock = { now: 0 };
  const eventErrors: unknown[] = [];
  const controller = new QuorumController({
    nodeId: 1,
    clusterId,
    raft,
    state: raft.state,
    logger: pino({ level: 'debug' }, sink),
    defaultPartitions: 1,
    defaultReplicationFactor: 1,
    deleteTopicEnable: true,
    uncleanLeaderElectionEnable: false,
    brokerSessionTimeoutMs: sessionTimeoutMs,
    leaderRebalanceIntervalMs: null,
    nowMs: () => clock.now,
    onEventError: (err) => eventErrors.push(err),
  });
  return { raft, controller, clock, lines, eventErrors };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await sleep(10);
  }
}

/** Register broker `id` and heartbeat it caught up, so it is unfenced. */
async function unfencedBroker(controller: QuorumController, id: number): Promise<number> {
  const reg = await controller.registerBroker({
    brokerId: id,
    clusterId,
    incarnationId: Buffer.alloc(16, id).toString('base64url'),
    listeners: [],
    rack: null,
  });
  assert.equal(reg.errorCode, ErrorCode.NONE);
  const beat = await controller.brokerHeartbeat({
    brokerId: id,
    brokerEpoch: reg.brokerEpoch,
    currentMetadataOffset: reg.brokerEpoch + 100,
    wantFence: false,
    wantShutDown: false,
  });
  assert.equal(beat.isFenced, false);
  return reg.brokerEpoch;
}

const topic = (name: string): CreatableTopic => ({
  name,
  numPartitions: 1,
  replicationFactor: 1,
  assignments: [],
  configs: new Map(),
});

test('a created topic is in the image only once its records are committed and replayed', async () => {
  const { raft, controller } = setup();
  try {
    await turn();
    await unfencedBroker(controller, 1);
    raft.holdCommits();
    const created = controller.createTopics([topic('orders')], false);
    let answered = false;
    void created.then(() => (answered = true));
    await sleep(20);
    assert.equal(answered, false, 'answered before commit');
    assert.equal(controller.image().topicsByName.has('orders'), false, 'visible before commit');
    assert.ok(raft.log.length > raft.state.appliedOffset, 'the records are proposed');
    raft.releaseCommits();
    const [result] = await created;
    assert.equal(result?.errorCode, ErrorCode.NONE);
    assert.equal(controller.image().topicsByName.get('orders')?.partitions.size, 1);
  } finally {
    controller.close();
  }
});

test('a controller that is not the active one answers NOT_CONTROLLER and writes nothing', async () => {
  const { raft, controller } = setup({ leader: false });
  try {
    raft.becomeFollower(2);
    await turn();
    await assert.rejects(
      controller.createTopics([topic('orders')], false),
      (err: unknown) => err instanceof NotControllerError && err.errorCode === ErrorCode.NOT_CONTROLLER,
    );
    assert.throws(() => controller.activeImage(), NotControllerError);
    assert.equal(controller.leaderId(), 2);
    assert.equal(raft.dataPayloads().length, 0);
  } finally {
    controller.close();
  }
});

test('failed controller events are counted as metadata errors; lost leadership is not; isActive follows the role', async () => {
  const { raft, controller, clock, eventErrors } = setup();
  try {
    await turn();
    await unfencedBroker(controller, 1);
    assert.equal(controller.isActive(), true);
    // Two proposals fail the way a broken disk or a bug fails them (not by lost leadership).
    const propose = raft.propose.bind(raft);
    let failuresLeft = 2;
    raft.propose = (payloads) => (failuresLeft-- > 0 ? Promise.reject(new Error('disk failed')) : propose(payloads));
    clock.now += sessionTimeoutMs;
    await until('broker 1 fenced', () => raft.state.image.brokers.get(1)?.fenced === true);
    assert.deepEqual(
      eventErrors.map((e) => (e as Error).message),
      ['disk failed', 'disk failed'],
      'the two failed fencing writes',
    );
    raft.becomeFollower(2);
    assert.equal(controller.isActive(), false);
    await assert.rejects(controller.createTopics([topic('audit')], false), NotControllerError);
    assert.equal(eventErrors.length, 2, 'NOT_CONTROLLER is no metadata error');
  } finally {
    controller.close();
  }
});

test('NOT_CONTROLLER says whether the controller ran the write and lost its leadership, or was a standby', async () => {
  const { raft, controller } = setup();
  try {
    await turn();
    await unfencedBroker(controller, 1);
    // Leadership goes while the write is being proposed: it ran here and did not commit.
    const propose = raft.propose.bind(raft);
    raft.propose = (payloads) => {
      raft.becomeFollower(2);
      return propose(payloads);
    };
    await assert.rejects(
      controller.createTopics([topic('moved')], false),
      (e: unknown) => e instanceof NotControllerError && e.lostLeadership,
    );
    raft.propose = propose;
    // Now a standby: refused before anything ran.
    await assert.rejects(
      controller.createTopics([topic('standby')], false),
      (e: unknown) => e instanceof NotControllerError && !e.lostLeadership,
    );
  } finally {
    controller.close();
  }
});

test('a broker whose session times out is fenced', async () => {
  const { raft, controller, clock } = setup();
  try {
    await turn();
    await unfencedBroker(controller, 1);
    clock.now += sessionTimeoutMs - 1;
    await sleep(250); // two session sweeps
    assert.equal(raft.state.image.brokers.get(1)?.fenced, false, 'fenced before its session timed out');
    clock.now += 1;
    await until('broker 1 fenced', () => raft.state.image.brokers.get(1)?.fenced === true);
  } finally {
    controller.close();
  }
});

test('a fencing write that fails is logged and retried while the controller stays active', async () => {
  const { raft, controller, clock, lines } = setup();
  try {
    await turn();
    await unfencedBroker(controller, 1);
    raft.failProposals(2);
    clock.now += sessionTimeoutMs;
    await until('broker 1 fenced', () => raft.state.image.brokers.get(1)?.fenced === true);
    const retries = lines.filter((l) => l.msg === 'fencing a broker failed; retrying');
    assert.deepEqual(
      retries.map((l) => [l['brokerId'], l['attempt']]),
      [
        [1, 1],
        [1, 2],
      ],
    );
    assert.ok(
      retries.every((l) => typeof (l['err'] as { message?: unknown } | undefined)?.message === 'string'),
      'the error is logged',
    );
    assert.deepEqual(raft.resignations, []);
  } finally {
    controller.close();
  }
});

test('a fencing that keeps failing makes the controller resign', async () => {
  const { raft, controller, clock, lines } = setup();
  try {
    await turn();
    await unfencedBroker(controller, 1);
    const epoch = raft.status().epoch;
    raft.failProposals(1000);
    clock.now += sessionTimeoutMs;
    await until('the controller resigned', () => raft.resignations.length > 0, 10_000);
    assert.deepEqual(raft.resignations, [epoch]);
    assert.ok(lines.some((l) => l.msg === 'resigning as the active controller' && l.level === 50));
    assert.equal(raft.state.image.brokers.get(1)?.fenced, false, 'the successor fences it');
  } finally {
    controller.close();
  }
});

test('activation aborts a metadata transaction the previous leader left open', async () => {
  const { raft, controller, lines } = setup({ leader: false });
  try {
    raft.becomeFollower(2);
    raft.appendCommitted([
      { type: 'beginTransaction', name: 'half a migration' },
      { type: 'topic', name: 'ghost', topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' },
    ]);
    await turn();
    assert.equal(raft.state.inTransaction, true);
    raft.becomeLeader();
    await turn();
    await unfencedBroker(controller, 1);
    const [result] = await controller.createTopics([topic('orders')], false);
    assert.equal(result?.errorCode, ErrorCode.NONE);
    assert.equal(raft.state.inTransaction, false);
    assert.equal(controller.image().topicsByName.has('ghost'), false);
    assert.equal(controller.image().topicsByName.has('orders'), true);
    const types = raft.dataPayloads().map((p) => decodeRecord(p).type);
    assert.equal(types[2], 'abortTransaction', `records: ${types.join(', ')}`);
    assert.ok(lines.some((l) => l.msg === 'aborting a metadata transaction the previous controller left open'));
  } finally {
    controller.close();
  }
});

test('a failed abort on activation is logged, blocks writes, is retried, and makes the controller resign after repeated failures', async () => {
  const { raft, controller, lines } = setup({ leader: false });
  try {
    raft.becomeFollower(2);
    raft.appendCommitted([{ type: 'beginTransaction', name: 'half a migration' }]);
    raft.becomeLeader();
    await turn();
    const epoch = raft.status().epoch;
    raft.failProposals(1);
    await assert.rejects(controller.createTopics([topic('orders')], false), NotControllerError);
    assert.equal(raft.state.inTransaction, true, 'no write ran inside the open transaction');
    assert.ok(lines.some((l) => l.msg === 'controller activation failed' && l['attempt'] === 1));
    // The next write (or session sweep) activates: the abort goes through.
    await controller.readBarrier();
    assert.equal(raft.state.inTransaction, false);
    assert.deepEqual(raft.resignations, []);

    // A new epoch where the abort keeps failing: after five attempts the controller resigns.
    raft.becomeFollower(2);
    raft.appendCommitted([{ type: 'beginTransaction', name: 'another' }]);
    raft.becomeLeader();
    await turn();
    raft.failProposals(1000);
    await until('the controller resigned', () => raft.resignations.length > 0, 10_000);
    assert.deepEqual(raft.resignations, [epoch + 2]);
  } finally {
    controller.close();
  }
});
