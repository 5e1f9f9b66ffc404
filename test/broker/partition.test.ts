// The leader's ISR decisions (Kafka's Partition): followers that stop catching up for
// replica.lag.time.max.ms leave, caught-up ones return, and only eligible brokers (not fenced or
// shutting down) are proposed for the ISR — the controller would refuse the rest.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Partition } from '../../src/broker/partition.js';
import { buildRecordBatch } from '../../src/protocol/record-batch.js';
import { defaultLogConfig } from '../../src/storage/log-config.js';
import { LogManager } from '../../src/storage/log-manager.js';

/** Partition t-0 on node 1 over a log in a temporary dir, removed when the test ends. */
function partitionOnDisk(t: TestContext): Partition {
  const dir = mkdtempSync(join(tmpdir(), 'raftka-partition-'));
  const logs = new LogManager({
    logDirs: [dir],
    logger: pino({ level: 'silent' }),
    retentionCheckIntervalMs: 60_000,
    flushCheckIntervalMs: 60_000,
    checkpointIntervalMs: 60_000,
    cleanerIntervalMs: null,
  });
  t.after(() => {
    logs.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return new Partition('t', 'AAAAAAAAAAAAAAAAAAAAAA', 0, 1, logs.getOrCreate('t', 0, defaultLogConfig));
}

test('desiredIsr shrinks lagging followers and adds caught-up, eligible ones only', (t) => {
  const p = partitionOnDisk(t);
  p.update({ leader: 1, leaderEpoch: 3, partitionEpoch: 5, replicas: [1, 2, 3], isr: [1, 2] }, 1000);
  p.log.appendAsLeader(buildRecordBatch([{ key: null, value: Buffer.from('x'), timestamp: 1 }]), 3, 1000);
  const lagMs = 10_000;
  // Both followers fetch everything; 3 is outside the ISR and caught up.
  p.recordFollowerFetch(2, 1, 2000);
  p.recordFollowerFetch(3, 1, 2000);
  p.maybeAdvanceHighWatermark();
  assert.equal(p.highWatermark, 1);
  assert.deepEqual(p.desiredIsr(2000, lagMs), [1, 2, 3], 'a caught-up follower is added');
  assert.equal(
    p.desiredIsr(2000, lagMs, (id) => id !== 3),
    null,
    'but not while it is fenced or shutting down',
  );
  // 2 stops fetching: after the lag time it leaves, whatever eligibility says.
  p.recordFollowerFetch(3, 1, 13_000);
  assert.deepEqual(
    p.desiredIsr(13_000, lagMs, (id) => id !== 3),
    [1],
    'a lagging member is removed',
  );
  assert.deepEqual(p.desiredIsr(13_000, lagMs), [1, 3]);
});

test('an idle follower stays in the ISR on its fetch session (the witness) and leaves when that stops', (t) => {
  const p = partitionOnDisk(t);
  p.update({ leader: 1, leaderEpoch: 3, partitionEpoch: 5, replicas: [1, 2], isr: [1, 2] }, 1000);
  p.log.appendAsLeader(buildRecordBatch([{ key: null, value: Buffer.from('x'), timestamp: 1 }]), 3, 1000);
  const lagMs = 10_000;
  let sessionFetchMs = 2000;
  const witness = { coveredAtMs: () => sessionFetchMs };
  p.recordFollowerFetch(2, 1, 2000, witness); // caught up, then never named again
  sessionFetchMs = 30_000;
  assert.equal(p.desiredIsr(30_000, lagMs), null, 'the session fetched at 30 s: still caught up');
  sessionFetchMs = -1; // the session dropped the partition
  assert.deepEqual(p.desiredIsr(40_001, lagMs), [1], 'no fetch since 30 s: it leaves');
  // A follower behind when last named is not made caught up by later session fetches.
  p.update({ leader: 1, leaderEpoch: 4, partitionEpoch: 6, replicas: [1, 2], isr: [1, 2] }, 50_000);
  p.recordFollowerFetch(2, 0, 50_000, { coveredAtMs: () => 70_000 });
  assert.deepEqual(p.desiredIsr(70_000, lagMs), [1]);
});
