// `raftka cluster up --detach` returns only once the cluster is usable: a quorum leader and every
// broker registered and unfenced. Creating a replication-factor-3 topic straight after it must
// succeed, five times in a row, each on a fresh data dir; `cluster status` shows each broker's
// state and the quorum leader; every line the nodes log is a JSON object.
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterFixture } from '../../src/testing/cluster-fixture.js';

interface StatusRow {
  name: string;
  logFile: string;
  brokerState: string | null;
  quorumLeaderId: number | null;
}

const rounds = 5;

test('cluster up --detach, then at once a topic with replication factor 3', { timeout: 600_000 }, async (t) => {
  for (let round = 1; round <= rounds; round++) {
    const f = await ClusterFixture.combined({ nodes: 3 });
    try {
      const out = await f.up();
      assert.match(out, /^ready$/m, `round ${round}: up says ready`);
      const created = await f.raftka(
        'topics',
        '--bootstrap-server',
        f.bootstrapServers,
        '--create',
        '--topic',
        `ready-${round}`,
        '--partitions',
        '3',
        '--replication-factor',
        '3',
      );
      assert.match(created, new RegExp(`Created topic ready-${round}\\.`), `round ${round}`);
      if (round === 1) {
        const rows = JSON.parse(
          await f.raftka('cluster', 'status', '--config-dir', f.configDir, '--data-dir', f.dataDir, '--json'),
        ) as StatusRow[];
        assert.equal(rows.length, 3);
        assert.ok(
          rows.every((r) => r.brokerState === 'running'),
          JSON.stringify(rows),
        );
        const leaders = new Set(rows.map((r) => r.quorumLeaderId));
        assert.equal(leaders.size, 1, 'every node names the same quorum leader');
        assert.ok([...leaders][0] !== null);
        const table = await f.raftka('cluster', 'status', '--config-dir', f.configDir, '--data-dir', f.dataDir);
        assert.match(table.split('\n')[0]!, /\bBROKER\s+QUORUM-LEADER\b/);
        // Every line a node logged is one JSON object (pino), with the node's id.
        for (const r of rows) {
          const lines = readFileSync(r.logFile, 'utf8')
            .split('\n')
            .filter((l) => l.length > 0);
          assert.ok(lines.length > 0);
          for (const l of lines) {
            const o = JSON.parse(l) as { nodeId?: unknown };
            assert.equal(typeof o.nodeId, 'number', `${r.name}: ${l}`);
          }
        }
      }
    } finally {
      await f.destroy({ graceful: false }); // a graceful stop is tested elsewhere; five of them cost half a minute
    }
    t.diagnostic(`round ${round} ok`);
  }
});
