// The metadata quorum runs on a thread of its own (src/raft/host/): a stalled main thread — the
// broker and controller side of a node — must not cost the quorum its leader. On a three-node
// combined cluster with the shipped fast-failover timeouts (300 ms fetch, 150 ms election), the
// test-only admin hook (raftka.test.stall.endpoint) busy-loops the active controller's main thread
// for 2 s, three times. Meanwhile the quorum leader still answers DescribeQuorum, and a topic
// created through another node commits once the controller runs again; afterwards the leader and
// its epoch are the ones from before, no node stood in an election, and the leader's /metrics
// shows the main loop's 2 s lag beside a quorum loop that kept running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterFixture, waitFor } from '../../src/testing/cluster-fixture.js';

const stalls = 3;
const stallMs = 2_000;

/** The value of one series of a Prometheus text exposition (labels as written), or null. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | null {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return null;
}

test('a stalled main thread costs the quorum neither its leader nor an election', { timeout: 180_000 }, async (t) => {
  const t0 = performance.now();
  const mark = (what: string): void => t.diagnostic(`${what} at ${Math.round(performance.now() - t0)} ms`);
  const f = await ClusterFixture.combined({ nodes: 3, extra: { 'raftka.test.stall.endpoint': 'true' } });
  try {
    await f.up();
    mark('up');
    const before = await f.quorumStatus();
    const leader = before.leaderId;
    const li = leader - 1; // node ids are 1..3, listed in node order
    const other = (li + 1) % 3;
    const elections = async (k: number): Promise<number> =>
      sample(await f.metrics(k), 'raftka_raft_elections_total') ?? Number.NaN;
    const electionsBefore = await Promise.all([0, 1, 2].map(elections));
    assert.ok(
      electionsBefore.every((n) => Number.isFinite(n)),
      `the quorum thread's counters reach /metrics: ${electionsBefore}`,
    );

    for (let i = 1; i <= stalls; i++) {
      const res = await fetch(`http://127.0.0.1:${f.adminPorts[li]}/test/stall?ms=${stallMs}`, { method: 'POST' });
      assert.equal(res.status, 202, await res.text());
      const stalledAt = performance.now();
      // The main thread is busy: its admin answers only when the stall is over...
      const statusAnswer = fetch(`http://127.0.0.1:${f.adminPorts[li]}/status`).then(() => performance.now());
      // ...while its quorum thread answers DescribeQuorum, and another node creates a topic.
      const created = f.raftka(
        'topics',
        '--bootstrap-server',
        `127.0.0.1:${f.brokerPorts[other]}`,
        '--create',
        '--topic',
        `during-stall-${i}`,
        '--partitions',
        '1',
        '--replication-factor',
        '3',
      );
      const during = await f.quorumStatus(li);
      assert.deepEqual([during.leaderId, during.leaderEpoch], [leader, before.leaderEpoch], `stall ${i}`);
      assert.ok(
        (await statusAnswer) - stalledAt >= stallMs * 0.75,
        `stall ${i}: the main thread was busy (its /status waited for the stall)`,
      );
      assert.match(await created, new RegExp(`Created topic during-stall-${i}\\.`));
      mark(`stall ${i} done`);
    }

    const after = await f.quorumStatus();
    assert.deepEqual([after.leaderId, after.leaderEpoch], [leader, before.leaderEpoch], 'same leader, same epoch');
    // One scrape of the leader for the election count and the loop figures (a scrape restarts the lag window).
    const text = await f.metrics(li);
    const electionsAfter = await Promise.all(
      [0, 1, 2].map((k) => (k === li ? (sample(text, 'raftka_raft_elections_total') ?? Number.NaN) : elections(k))),
    );
    assert.deepEqual(electionsAfter, electionsBefore, 'no node stood in an election');
    // Every node applied the topics (the leader's main thread caught up after each stall).
    await waitFor(
      'every node to know the topics',
      async () => {
        const listed = await f.raftka('topics', '--bootstrap-server', `127.0.0.1:${f.brokerPorts[li]}`, '--list');
        return [1, 2, 3].every((i) => listed.includes(`during-stall-${i}`)) ? true : undefined;
      },
      30_000,
      200,
    );
    mark('topics everywhere');
    const mainLag = sample(text, 'raftka_event_loop_lag_seconds', { loop: 'main', stat: 'max' });
    const quorumLag = sample(text, 'raftka_event_loop_lag_seconds', { loop: 'quorum', stat: 'max' });
    assert.ok(mainLag !== null && mainLag >= (stallMs / 1000) * 0.75, `main loop lag max ${mainLag}`);
    assert.ok(quorumLag !== null && quorumLag < mainLag / 2, `quorum loop lag max ${quorumLag}, main ${mainLag}`);
    assert.ok(sample(text, 'raftka_event_loop_utilization', { loop: 'quorum' }) !== null, 'quorum loop utilisation');
  } finally {
    await f.destroy({ graceful: false });
  }
});
