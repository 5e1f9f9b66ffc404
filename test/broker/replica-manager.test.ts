// ReplicaManager follows the image in slices: a broker given thousands of new partitions at once
// opens their logs over several event-loop turns (timers run in between, so heartbeats are not
// starved), ends up hosting every one, and never takes a partition still waiting for its log as
// stray data. Nothing is hosted before the broker has caught up with the metadata log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { ReplicaManager } from '../../src/broker/replica-manager.js';
import { MetadataLoader } from '../../src/metadata/loader.js';
import { buildRecordBatch } from '../../src/protocol/record-batch.js';
import type { MetadataRecord } from '../../src/metadata/records.js';
import { defaultLogConfig } from '../../src/storage/log-config.js';
import { quietLogManager } from './quiet-log-manager.js';
import { waitFor } from '../../src/testing/cluster-fixture.js';

test('thousands of new partitions are opened over several turns, timers run meanwhile, and all end up hosted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'raftka-rm-'));
  const logger = pino({ level: 'silent' });
  // A partition whose log exists on disk from before (found at start) and that the image assigns here.
  mkdirSync(join(dir, 't-39-99'), { recursive: true });
  const logs = quietLogManager(dir, logger);
  const rm = new ReplicaManager(1, logs, defaultLogConfig, logger, 10_000);
  try {
    const records: MetadataRecord[] = [];
    for (let t = 0; t < 40; t++) {
      const topicId = Buffer.alloc(16, t + 1).toString('base64url');
      records.push({ type: 'topic', name: `t-${t}`, topicId });
      for (let p = 0; p < 100; p++)
        records.push({
          type: 'partition',
          topicId,
          partitionId: p,
          replicas: [1, 2, 3],
          isr: [1, 2, 3],
          removingReplicas: [],
          addingReplicas: [],
          leader: 1 + (p % 3),
          leaderEpoch: 0,
          partitionEpoch: 0,
        });
    }
    const loader = new MetadataLoader();
    loader.replayAll(records);
    let timerTurns = 0;
    const ticker = setInterval(() => timerTurns++, 1);
    // Before the broker has caught up with the metadata log its image may be stale: nothing is hosted.
    rm.applyImage(loader.image);
    assert.equal(rm.get('t-0', 0), undefined, 'no partition hosted before startHosting');
    assert.equal(rm.allLogsOpen(), false);
    assert.equal(rm.leaderError('t-0', 0), 6, 'a produce to it is NOT_LEADER_OR_FOLLOWER');
    assert.equal(rm.currentImage(), loader.image, 'metadata answers still see the image');
    let allOpenCalls = 0;
    rm.setAllOpenListener(() => allOpenCalls++);
    const started = performance.now();
    rm.startHosting();
    const firstSlice = [...Array(4000).keys()].filter((i) => rm.get(`t-${Math.floor(i / 100)}`, i % 100)).length;
    assert.ok(firstSlice < 4000, `the first apply stops after its slice (${firstSlice} opened)`);
    // Stray-log removal while logs are still being opened keeps the assigned partition found on disk.
    rm.removeStrayLogs();
    assert.ok(existsSync(join(dir, 't-39-99')), 'an assigned partition waiting for its log is not stray');
    await waitFor(
      'every partition hosted',
      async () => (rm.get('t-39', 99) && rm.get('t-0', 0) ? true : undefined),
      60_000,
      5,
    );
    clearInterval(ticker);
    assert.ok(rm.allLogsOpen() && allOpenCalls >= 1, 'the broker is told when every log is open');
    for (let i = 0; i < 4000; i++)
      assert.ok(rm.get(`t-${Math.floor(i / 100)}`, i % 100), `t-${Math.floor(i / 100)}-${i % 100} hosted`);
    const ms = performance.now() - started;
    assert.ok(timerTurns >= 2, `timers ran ${timerTurns} times during ${ms.toFixed(0)} ms of opening`);
    assert.ok(rm.get('t-0', 0)!.isLeader && !rm.get('t-0', 1)!.isLeader, 'roles follow the image');
    // Changes reach only the topics they touch: a leader move, a partition moved away, a deleted topic.
    const id = (t: number): string => Buffer.alloc(16, t + 1).toString('base64url');
    const t5p3 = rm.get('t-5', 3)!;
    loader.replayAll([
      {
        type: 'partitionChange',
        topicId: id(0),
        partitionId: 1,
        isr: null,
        leader: 1,
        replicas: null,
        removingReplicas: null,
        addingReplicas: null,
      },
      {
        type: 'partitionChange',
        topicId: id(1),
        partitionId: 7,
        isr: [2, 3, 4],
        leader: 2,
        replicas: [2, 3, 4],
        removingReplicas: null,
        addingReplicas: null,
      },
      { type: 'removeTopic', topicId: id(2) },
    ]);
    rm.applyImage(loader.image);
    assert.ok(rm.get('t-0', 1)!.isLeader, 'the leader move reached t-0-1');
    assert.equal(rm.get('t-1', 7), undefined, 'a partition moved to other brokers is no longer hosted');
    assert.ok(!existsSync(join(dir, 't-1-7')), 'and its log is removed');
    assert.ok(rm.get('t-1', 6), 'its neighbours stay');
    assert.equal(rm.get('t-2', 0), undefined, 'a deleted topic is no longer hosted');
    assert.ok(!existsSync(join(dir, 't-2-0')));
    assert.equal(rm.get('t-5', 3), t5p3, 'an untouched topic keeps its partitions as they were');
    // Recreated under the same name with a new id: a fresh, empty log.
    rm.get('t-3', 0)!.log.appendAsLeader(
      buildRecordBatch([{ key: null, value: Buffer.from('old'), timestamp: 1 }]),
      0,
      0,
    );
    loader.replayAll([
      { type: 'removeTopic', topicId: id(3) },
      { type: 'topic', name: 't-3', topicId: id(99) },
      {
        type: 'partition',
        topicId: id(99),
        partitionId: 0,
        replicas: [1],
        isr: [1],
        removingReplicas: [],
        addingReplicas: [],
        leader: 1,
        leaderEpoch: 0,
        partitionEpoch: 0,
      },
    ]);
    rm.applyImage(loader.image);
    await waitFor(
      'the recreated topic hosted',
      async () => (rm.get('t-3', 0)?.topicId === id(99) ? true : undefined),
      10_000,
      5,
    );
    assert.equal(rm.get('t-3', 0)!.log.logEndOffset, 0, 'the old data is gone');
    assert.equal(rm.get('t-3', 1), undefined);
  } finally {
    rm.close();
    logs.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
