// Real processes on 127.0.0.1: (1) with a tiny snapshot interval, the leader snapshots and
// deletes old segments, and a follower that was down while that happened catches up by
// downloading the snapshot (FetchSnapshot); (2) a broker-only node follows the quorum as an
// observer: it replicates the log, is listed as an observer and never votes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { ClusterFixture, waitFor } from '../../src/testing/cluster-fixture.js';
import { readMetadataLog } from '../../src/raft/driver/dump-log.js';

interface NodeView {
  role: string;
  epoch: number;
  leaderId: number | null;
  highWatermark: number;
  logStartOffset: number;
  logEndOffset: number;
  isVoter: boolean;
  applied: { appliedOffset: number; logDigest: number; imageDigest: number };
}

test('a follower that missed snapshotted history catches up through FetchSnapshot', { timeout: 120_000 }, async () => {
  const f = await ClusterFixture.controllers({
    controllers: 3,
    extra: {
      'metadata.max.idle.interval.ms': '10', // many NoOps, so snapshots come quickly
      'metadata.log.max.record.bytes.between.snapshots': '4000',
      'metadata.log.segment.bytes': '2048',
    },
  });
  try {
    await f.up();
    const leaderId = (
      await waitFor('a leader', async () => {
        const s = await f.quorumStatus();
        return s.leaderId > 0 && s.highWatermark > 0 ? s : undefined;
      })
    ).leaderId;
    const followerIndex = [0, 1, 2].find((i) => i + 1 !== leaderId)!;
    const followerId = followerIndex + 1;
    await f.kill9(followerId);
    // What the stopped follower holds on disk: its log ends here.
    const downAt = { logEndOffset: readMetadataLog(f.metadataDir(followerIndex)).endOffset };

    // The leader snapshots past everything the follower had, drops the old segments and all but
    // the newest snapshot. The core's log start moves before the driver deletes the files, and a
    // segment goes only once the next one starts at or below the snapshot: wait for the files on
    // disk, not just the status.
    const leaderIndex = leaderId - 1;
    const leaderFiles = await waitFor(
      'the leader to compact past the stopped follower',
      async () => {
        const v = (await f.nodeStatus(leaderIndex)) as unknown as NodeView;
        if (v.logStartOffset <= downAt.logEndOffset) return undefined;
        const files = readdirSync(f.metadataDir(leaderIndex));
        const segments = files.filter((n) => n.endsWith('.log')).map((n) => Number(n.slice(0, 20)));
        // A new snapshot is written before the older one is deleted, so two may briefly coexist.
        const snapshots = files.filter((n) => n.endsWith('.checkpoint')).length;
        return segments.length > 0 && Math.min(...segments) > 0 && snapshots === 1 ? files : undefined;
      },
      60_000,
    );
    assert.ok(
      leaderFiles.some((n) => n.endsWith('.checkpoint')),
      'the leader keeps its newest snapshot',
    );

    await f.up(); // restart the follower
    const caughtUp = await waitFor(
      'the follower to load a snapshot and catch up',
      async () => {
        const v = (await f.nodeStatus(followerIndex)) as unknown as NodeView;
        const log = readFileSync(`${f.dataDir}/controller-${followerIndex}.log`, 'utf8');
        const loaded = log.includes('"msg":"loaded snapshot from the leader"');
        return loaded &&
          v.logStartOffset > downAt.logEndOffset &&
          v.highWatermark > v.logStartOffset &&
          v.leaderId === leaderId
          ? v
          : undefined;
      },
      30_000,
    );
    assert.ok(caughtUp.applied.appliedOffset >= caughtUp.logStartOffset);
    // The state built from the snapshot goes on agreeing with the leader's, entry for entry.
    await waitFor(
      'follower and leader to agree at one applied offset',
      async () => {
        const [a, b] = (await Promise.all([
          f.nodeStatus(followerIndex),
          f.nodeStatus(leaderIndex),
        ])) as unknown as NodeView[];
        return a!.applied.appliedOffset === b!.applied.appliedOffset &&
          a!.applied.logDigest === b!.applied.logDigest &&
          a!.applied.imageDigest === b!.applied.imageDigest
          ? true
          : undefined;
      },
      20_000,
      1,
    );
  } finally {
    await f.destroy();
  }
});

test('a broker-only node is an observer: it replicates the metadata log but never votes', {
  timeout: 120_000,
}, async () => {
  const f = await ClusterFixture.controllers({ controllers: 3, brokers: 1 });
  try {
    await f.up();
    const status = await waitFor('the broker listed as an observer', async () => {
      const s = await f.quorumStatus();
      return s.currentObservers.includes(100) ? s : undefined;
    });
    assert.deepEqual([...status.currentVoters].sort(), [1, 2, 3]);
    const broker = (await waitFor('the broker to follow the leader', async () => {
      const v = (await f.nodeStatus(3)) as unknown as NodeView;
      return v.leaderId === status.leaderId && v.highWatermark > 0 ? v : undefined;
    })) as NodeView;
    assert.equal(broker.isVoter, false);
    const replicas = await f.replication();
    assert.equal(replicas.find((r) => r.nodeId === 100)?.status, 'Observer');
    // Kill the leader: the broker follows the new one and is never a candidate.
    await f.kill9(status.leaderId);
    const next = await waitFor('the broker to follow a new leader', async () => {
      const v = (await f.nodeStatus(3)) as unknown as NodeView;
      return v.leaderId !== null && v.leaderId !== status.leaderId && v.epoch > status.leaderEpoch ? v : undefined;
    });
    assert.ok(['follower', 'unattached'].includes(next.role));
  } finally {
    await f.destroy();
  }
});
