// Failover time of the three-controller quorum: kill -9 the leader, measure until a new
// leader has committed its LeaderChange entry (a node reports role leader in a newer epoch and
// has applied that epoch's LeaderChange). Restart the killed node and repeat.
// `npm run bench -- failover` (FAILOVER_TRIALS=N, default 20). Timeouts are those of
// cluster-configs/three-controllers (fetch 300 ms, election 150 ms, backoff max 150 ms).
import { ClusterFixture, waitFor } from '../../src/testing/cluster-fixture.js';

const trials = Number(process.env['FAILOVER_TRIALS'] ?? 20);

interface NodeView {
  role: string;
  epoch: number;
  leaderId: number | null;
  highWatermark: number;
  applied: { lastLeaderChange: { epoch: number; leaderId: number } | null };
}

async function views(f: ClusterFixture, skip: number | null): Promise<(NodeView | null)[]> {
  return Promise.all(
    f.adminPorts.map(async (_, i) =>
      i + 1 === skip ? null : ((await f.nodeStatus(i).catch(() => null)) as NodeView | null),
    ),
  );
}

/** A leader that has committed (applied) the LeaderChange of its own epoch. */
function committedLeader(vs: (NodeView | null)[]): NodeView | undefined {
  return vs.find((v) => v?.role === 'leader' && v.applied.lastLeaderChange?.epoch === v.epoch) ?? undefined;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const f = await ClusterFixture.controllers({ controllers: 3 });
const times: number[] = [];
try {
  await f.up();
  for (let trial = 1; trial <= trials; trial++) {
    // Steady state: a committed leader and every voter caught up.
    const leader = await waitFor('a committed leader', async () => committedLeader(await views(f, null)));
    await waitFor('all voters caught up', async () => {
      const r = await f.replication();
      return r.length === 3 && r.every((x) => x.lag === 0) ? true : undefined;
    });
    const oldLeader = leader.leaderId!;
    const oldEpoch = leader.epoch;
    const pid = await f.pidOf(oldLeader);
    const started = performance.now();
    await f.kill9(oldLeader, pid);
    await waitFor(
      'a new committed leader',
      async () => {
        const l = committedLeader(await views(f, oldLeader));
        return l && l.epoch > oldEpoch ? l : undefined;
      },
      20_000,
      2,
    );
    const ms = performance.now() - started;
    times.push(ms);
    console.log(
      `trial ${String(trial).padStart(2)}: leader ${oldLeader} killed, new leader committed after ${ms.toFixed(0)} ms`,
    );
    await f.up(); // brings the killed node back
  }
} finally {
  await f.destroy();
}
const sorted = [...times].sort((a, b) => a - b);
console.log('');
console.log(
  'quorum timeouts:  fetch 300 ms, election 150 ms, election backoff max 150 ms (cluster-configs/three-controllers)',
);
console.log(`trials:           ${times.length}`);
console.log(`median:           ${percentile(sorted, 50).toFixed(0)} ms   (target <= 500 ms)`);
console.log(`p99:              ${percentile(sorted, 99).toFixed(0)} ms   (target <= 1500 ms)`);
console.log(`min / max:        ${sorted[0]!.toFixed(0)} / ${sorted[sorted.length - 1]!.toFixed(0)} ms`);
