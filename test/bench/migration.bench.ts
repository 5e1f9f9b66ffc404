// ZooKeeper-to-KRaft migration at 100,000 partitions (issue 7): a synthetic ZooKeeper tree (JSON
// dump, 1,000 topics × 100 partitions, RF 3, ~200,000 znodes) is rehearsed offline, then applied
// into a running 3-controller + 3-broker cluster as one metadata transaction, then verified.
// The same tree is also written as a real ZooKeeper snapshot file and rehearsed from that data
// directory, which goes through the LevelDB staging store (and once more, resumed from a kept one).
// Targets on the 2-core machine: rehearse ≤ 15 s, apply ≤ 30 s.
// `npm run bench -- migration` (MIGRATION_TOPICS=N, default 1000; 100 partitions each).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyMigration } from '../../migration/src/apply.js';
import { rehearse } from '../../migration/src/rehearse.js';
import { syntheticDump } from '../../migration/src/synthetic.js';
import { verifyMigration } from '../../migration/src/verify.js';
import { readJsonDump } from '../../migration/src/zk/json-dump-reader.js';
import { writeSnapshot } from '../../migration/src/zk/snapshot-writer.js';
import { ClusterFixture, waitFor } from '../../src/testing/cluster-fixture.js';

const topics = Number(process.env['MIGRATION_TOPICS'] ?? 1000);
const secs = (ms: number): string => (ms / 1000).toFixed(1);

const f = await ClusterFixture.controllers({ controllers: 3, brokers: 3 });
const dumpDir = mkdtempSync(join(tmpdir(), 'raftka-migration-bench-'));
try {
  await f.up();
  const clusterId = (await f.quorumStatus()).clusterId;
  await waitFor(
    'an active controller',
    async () => ((await f.quorumStatus()).leaderId > 0 ? true : undefined),
    60_000,
    200,
  );
  const controllers = f.controllerPorts.map((port) => ({ host: '127.0.0.1', port }));

  let started = performance.now();
  const text = syntheticDump({
    clusterId,
    brokers: [100, 101, 102],
    topics,
    partitionsPerTopic: 100,
    replicationFactor: 3,
  });
  const dump = join(dumpDir, 'synthetic-tree.json');
  writeFileSync(dump, text);
  console.log(
    `generated a ${topics * 100}-partition ZooKeeper dump (${(text.length / 1024 / 1024).toFixed(1)} MiB) in ${secs(performance.now() - started)} s`,
  );

  started = performance.now();
  const r = await rehearse({ zkDump: dump });
  const rehearseMs = performance.now() - started;
  console.log(
    `rehearse: ${secs(rehearseMs)} s (read ${secs(r.readMs)} s), ${r.report.counts.partitions} partitions, ${r.report.counts.records} records, exit ${r.exitCode} (target <= 15 s)`,
  );

  // The same tree as a ZooKeeper data directory (one snapshot), through the staging store.
  const zkDir = join(dumpDir, 'zk');
  mkdirSync(join(zkDir, 'version-2'), { recursive: true });
  const snapshotBytes = await writeSnapshot((await readJsonDump(dump)).tree);
  writeFileSync(join(zkDir, 'version-2', `snapshot.${(r.report.source.lastZxid ?? '0x1').slice(2)}`), snapshotBytes);
  const staging = join(dumpDir, 'staging');
  for (const pass of ['read', 'resumed']) {
    started = performance.now();
    const rd = await rehearse({ zkDataDir: zkDir, stagingDir: staging });
    console.log(
      `rehearse --zk-data-dir (${(snapshotBytes.length / 1024 / 1024).toFixed(1)} MiB snapshot, LevelDB staging store, ${pass}): ${secs(performance.now() - started)} s (read ${secs(rd.readMs)} s), ${rd.report.counts.partitions} partitions, resumed ${rd.resumed}, same records as the dump: ${rd.plan.records.length === r.plan.records.length} (target <= 15 s)`,
    );
  }

  started = performance.now();
  const applied = await applyMigration({ zkDump: dump }, { controllers, force: false });
  const applyMs = performance.now() - started;
  console.log(
    `apply: ${secs(applyMs)} s end to end (controller import ${secs(applied.importMs)} s), outcome ${applied.outcome}, ${applied.recordsWritten} records in one transaction (target <= 30 s)`,
  );
  if (applied.outcome !== 'applied') console.log(`  ${applied.errorName}: ${applied.errorMessage ?? ''}`);

  started = performance.now();
  const again = await applyMigration({ zkDump: dump }, { controllers, force: false });
  console.log(`second apply: ${secs(performance.now() - started)} s, outcome ${again.outcome}`);

  started = performance.now();
  const v = await verifyMigration({ zkDump: dump }, controllers);
  console.log(
    `verify: ${secs(performance.now() - started)} s, ${v.equal ? 'equal' : `${v.differences.length} differences`}`,
  );
} finally {
  await f.destroy();
  rmSync(dumpDir, { recursive: true, force: true });
}
