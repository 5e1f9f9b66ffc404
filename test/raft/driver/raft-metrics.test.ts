// The Raft driver's counters on a real driver (disk store in a temp dir, gRPC transport, timers):
// records appended as leader, a follower's fetch timeout firing when its leader never answers,
// and an apply listener's failure counted as a metadata error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry, type Counter } from 'prom-client';
import { MetadataState } from '../../../src/metadata/metadata-state.js';
import { encodeRecord } from '../../../src/metadata/records.js';
import { MetadataLogStore } from '../../../src/raft/driver/metadata-log-store.js';
import { RaftDriver } from '../../../src/raft/driver/raft-driver.js';
import { RaftMetrics } from '../../../src/raft/driver/raft-metrics.js';
import { waitFor } from '../../../src/testing/cluster-fixture.js';

const logger = pino({ level: 'silent' });

/** Start a driver for node 1 with `voters`; `leaderId` is the leader its quorum-state remembers. */
async function startDriver(voters: number[], leaderId: number | null) {
  const root = mkdtempSync(join(tmpdir(), 'raftka-raft-metrics-'));
  const dir = join(root, '__cluster_metadata-0');
  if (leaderId !== null) {
    const seed = await MetadataLogStore.open(dir, { segmentBytes: 1 << 20 });
    await seed.writeQuorumState({ epoch: 1, leaderId, votedId: null });
    await seed.close();
  }
  const metrics = new RaftMetrics(new Registry());
  const driver = await RaftDriver.start({
    core: {
      nodeId: 1,
      clusterId: 'Wd5KtWmXRzmd8zDT3aX3bQ',
      voters,
      electionTimeoutMs: 50,
      fetchTimeoutMs: 100,
      electionBackoffMaxMs: 50,
      requestTimeoutMs: 100,
      retryBackoffMs: 20,
      maxIdleIntervalMs: 500,
      fetchMaxBytes: 1 << 20,
      snapshotChunkBytes: 1 << 20,
    },
    stateMachine: new MetadataState(),
    store: await MetadataLogStore.open(dir, { segmentBytes: 1 << 20 }),
    // Node 2 is nowhere: port 1 refuses every connection.
    voterEndpoints: new Map([
      [1, { host: '127.0.0.1', port: 1 }],
      [2, { host: '127.0.0.1', port: 1 }],
    ]),
    logger,
    metrics,
    snapshotBytesBetween: 1 << 20,
    snapshotIntervalMs: 3_600_000,
    onFatal: (err) => assert.fail(String(err)),
  });
  return {
    driver,
    metrics,
    async stop(): Promise<void> {
      await driver.shutdown();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

async function count(counter: Counter<string>, labels: Record<string, string> = {}): Promise<number> {
  const values = (await counter.get()).values;
  return values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value ?? 0;
}

test('a follower whose leader never answers counts one fetch timeout and stops following', async () => {
  const node = await startDriver([1, 2], 2);
  try {
    assert.equal(node.driver.status().role, 'follower');
    assert.equal(await count(node.metrics.fetchTimeouts), 0);
    await waitFor(
      'the fetch timeout',
      async () => ((await count(node.metrics.fetchTimeouts)) > 0 ? true : undefined),
      5000,
      10,
    );
    assert.notEqual(node.driver.status().role, 'follower');
    assert.equal(await count(node.metrics.fetchTimeouts), 1);
    assert.equal(await count(node.metrics.appendedRecords, { source: 'fetch' }), 0);
  } finally {
    await node.stop();
  }
});

test('a lone voter counts the records it appends as leader, and a failing apply listener as a metadata error', async () => {
  const node = await startDriver([1], null);
  try {
    node.driver.onApplied(() => {
      throw new Error('publisher broke');
    });
    await waitFor('leadership', async () => (node.driver.status().role === 'leader' ? true : undefined), 5000, 10);
    await node.driver.propose([encodeRecord({ type: 'noOp' }), encodeRecord({ type: 'noOp' })]);
    await waitFor(
      'the appends counted',
      async () => ((await count(node.metrics.appendedRecords, { source: 'leader' })) >= 3 ? true : undefined),
      5000,
      10,
    );
    await waitFor(
      'the apply error counted',
      async () => ((await count(node.metrics.metadataErrors, { source: 'apply' })) > 0 ? true : undefined),
      5000,
      10,
    );
    assert.equal(await count(node.metrics.metadataErrors, { source: 'controller' }), 0);
    assert.equal(await count(node.metrics.fetchTimeouts), 0);
  } finally {
    await node.stop();
  }
});
