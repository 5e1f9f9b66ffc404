// The metadata quorum runs on a thread of its own (src/raft/host/): a stalled main thread — the
// broker and controller side of a node — must not cost the quorum its leader. On a three-node
// combined cluster with the shipped fast-failover timeouts (300 ms fetch, 150 ms election), the
// test-only admin hook (raftka.test.stall.endpoint) busy-loops the active controller's main thread
// for 2 s, three times. Meanwhile the other nodes still follow the same leader in the same epoch
// (a stalled leader's followers would time out after 300 ms and elect another), and a topic
// created through another node commits once the controller runs again; afterwards DescribeQuorum
// names the leader and epoch from before, no node stood in an election, and the leader's /metrics
// shows the main loop's 2 s lag beside a quorum loop that kept running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KafkaClient } from '../../src/client/kafka-client.js';
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

interface NodeView {
  readonly epoch: number;
  readonly leaderId: number | null;
  readonly applied: { readonly topics: number };
}

test('a stalled main thread costs the quorum neither its leader nor an election', { timeout: 120_000 }, async (t) => {
  const t0 = performance.now();
  const mark = (what: string): void => t.diagnostic(`${what} at ${Math.round(performance.now() - t0)} ms`);
  const f = await ClusterFixture.combined({ nodes: 3, extra: { 'raftka.test.stall.endpoint': 'true' } });
  let client: KafkaClient | null = null;
  try {
    await f.up();
    mark('up');
    const view = async (k: number): Promise<NodeView> => (await f.nodeStatus(k)) as unknown as NodeView;
    const first = await view(0);
    assert.ok(first.leaderId !== null, 'up waits for a quorum leader');
    const before = { leaderId: first.leaderId, leaderEpoch: first.epoch };
    const leader = before.leaderId;
    const li = leader - 1; // node ids are 1..3, in node order
    const others = [0, 1, 2].filter((k) => k !== li);
    const elections = async (k: number): Promise<number> =>
      sample(await f.metrics(k), 'raftka_raft_elections_total') ?? Number.NaN;
    const electionsBefore = await Promise.all([0, 1, 2].map(elections));
    assert.ok(
      electionsBefore.every((n) => Number.isFinite(n)),
      `the quorum thread's counters reach /metrics: ${electionsBefore}`,
    );
    client = new KafkaClient([{ host: '127.0.0.1', port: f.brokerPorts[others[0]!]! }]);

    for (let i = 1; i <= stalls; i++) {
      const res = await fetch(`http://127.0.0.1:${f.adminPorts[li]}/test/stall?ms=${stallMs}`, { method: 'POST' });
      assert.equal(res.status, 202, await res.text());
      const stalledAt = performance.now();
      // The leader's main thread is busy: its admin answers only once the stall is over...
      const leaderAnswered = fetch(`http://127.0.0.1:${f.adminPorts[li]}/status`).then(() => performance.now());
      // ...while a topic is created through another node (it commits once the controller runs)...
      const created: Promise<unknown> = client.createTopic(`during-stall-${i}`, 1, 3).then(
        () => null,
        (err: unknown) => err,
      );
      // ...and, all through the stall, the other nodes follow the same leader in the same epoch.
      while (performance.now() - stalledAt < stallMs) {
        for (const k of others) {
          const v = await view(k);
          assert.deepEqual(
            [v.leaderId, v.epoch],
            [leader, before.leaderEpoch],
            `stall ${i}: node ${k + 1} at ${Math.round(performance.now() - stalledAt)} ms`,
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok((await leaderAnswered) - stalledAt >= stallMs * 0.75, `stall ${i}: the main thread was busy`);
      assert.equal(await created, null, `stall ${i}: the topic created meanwhile commits`);
      mark(`stall ${i} done`);
    }

    // One scrape of the leader for its election count and the loop figures (a scrape restarts the lag window).
    const text = await f.metrics(li);
    const after = await f.quorumStatus();
    assert.deepEqual([after.leaderId, after.leaderEpoch], [leader, before.leaderEpoch], 'same leader, same epoch');
    const electionsAfter = await Promise.all(
      [0, 1, 2].map(async (k) =>
        k === li ? (sample(text, 'raftka_raft_elections_total') ?? Number.NaN) : elections(k),
      ),
    );
    assert.deepEqual(electionsAfter, electionsBefore, 'no node stood in an election');
    const mainLag = sample(text, 'raftka_event_loop_lag_seconds', { loop: 'main', stat: 'max' });
    const quorumLag = sample(text, 'raftka_event_loop_lag_seconds', { loop: 'quorum', stat: 'max' });
    assert.ok(mainLag !== null && mainLag >= (stallMs / 1000) * 0.75, `main loop lag max ${mainLag}`);
    assert.ok(quorumLag !== null && quorumLag < mainLag / 2, `quorum loop lag max ${quorumLag}, main ${mainLag}`);
    assert.ok(sample(text, 'raftka_event_loop_utilization', { loop: 'quorum' }) !== null, 'quorum loop utilisation');
    // Every node, the stalled one too, applied the topics.
    await waitFor(
      'every node to apply the topics',
      async () =>
        (await Promise.all([0, 1, 2].map(view))).every((v) => v.applied.topics >= stalls) ? true : undefined,
      30_000,
      100,
    );
    mark('checked');
  } finally {
    client?.close();
    await f.destroy({ graceful: false });
  }
});
