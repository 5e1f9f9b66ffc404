// Three real controller processes on 127.0.0.1 (ephemeral ports), driven through the CLI:
// elect a leader, kill -9 it, see a new leader elected and the high watermark advance, restart
// the killed node and see it catch up with identical committed records on all three.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterFixture, isAlive, waitFor } from '../../src/testing/cluster-fixture.js';
import { readMetadataLog } from '../../src/raft/driver/dump-log.js';

test('three controllers survive kill -9 of the leader and converge to one log', { timeout: 120_000 }, async () => {
  const f = await ClusterFixture.controllers({ controllers: 3 });
  try {
    await f.up();
    const first = await waitFor('a leader with a moving high watermark', async () => {
      const s = await f.quorumStatus();
      return s.leaderId > 0 && s.highWatermark > 1 ? s : undefined;
    });
    assert.deepEqual([...first.currentVoters].sort(), [1, 2, 3]);
    const before = await f.status();
    assert.equal(before.filter((n) => n.state === 'running').length, 3);

    // kill -9 the leader.
    const killedPid = await f.kill9(first.leaderId);
    assert.equal(isAlive(killedPid), false);
    const survivor = [1, 2, 3].find((id) => id !== first.leaderId)! - 1;
    const second = await waitFor('a new leader in a newer epoch, committing', async () => {
      const s = await f.quorumStatus(survivor);
      return s.leaderId !== first.leaderId && s.leaderEpoch > first.leaderEpoch && s.highWatermark > first.highWatermark
        ? s
        : undefined;
    });
    const afterKill = await f.status();
    assert.equal(afterKill.find((n) => n.nodeId === first.leaderId)?.state, 'stopped');

    // Bring it back: `cluster up` starts only the node that is not running.
    await f.up();
    const afterRestart = await f.status();
    for (const n of afterRestart) assert.equal(n.state, 'running', `node ${n.nodeId}`);
    for (const n of before.filter((x) => x.nodeId !== first.leaderId)) {
      assert.equal(afterRestart.find((x) => x.nodeId === n.nodeId)?.pid, n.pid, `node ${n.nodeId} kept running`);
    }
    const hw = (await f.quorumStatus(survivor)).highWatermark;
    assert.ok(hw > second.highWatermark, 'the high watermark keeps advancing');
    await waitFor('every voter caught up with the leader', async () => {
      const r = await f.replication(survivor);
      const ends = new Set(r.map((x) => x.logEndOffset));
      return r.length === 3 && ends.size === 1 && r[0]!.logEndOffset >= hw ? r : undefined;
    });
    const metrics = await f.metrics(survivor);
    assert.match(metrics, /raftka_raft_high_watermark\{node_id="\d"\} \d+/);
    assert.match(metrics, /raftka_raft_append_to_commit_seconds_bucket/);

    // Stop everything and compare the logs on disk: identical up to the shortest.
    await f.down();
    const logs = [0, 1, 2].map((i) => readMetadataLog(f.metadataDir(i)));
    const common = Math.min(...logs.map((l) => l.endOffset));
    assert.ok(common >= hw, `all three logs hold at least the high watermark ${hw} (shortest ends at ${common})`);
    for (let i = 1; i < 3; i++) {
      for (let o = logs[0]!.startOffset; o < common; o++) {
        const a = logs[0]!.entryAt(o);
        const b = logs[i]!.entryAt(o);
        assert.ok(a && b, `offset ${o} present on nodes 1 and ${i + 1}`);
        assert.equal(a.epoch, b.epoch, `epoch at ${o}`);
        assert.equal(a.kind, b.kind, `kind at ${o}`);
        assert.deepEqual(Buffer.from(a.payload), Buffer.from(b.payload), `payload at ${o}`);
      }
    }
    const kinds = new Set(logs[0]!.entries.map((e) => e.kind));
    assert.ok(kinds.has('leader-change') && kinds.has('noop'));
  } finally {
    await f.destroy();
  }
});
