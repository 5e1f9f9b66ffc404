// Rehearse on the sample fixture (a real ZooKeeper 3.8 data directory): the report agrees with
// expected.json from the data directory and from tree.json alike, and the records are a
// well-formed, deterministic metadata transaction that keeps what ZooKeeper had.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { decodeRecord, encodeRecord } from '../../src/metadata/records.js';
import { rehearse, RehearseExit } from '../../migration/src/rehearse.js';
import { assertAgrees, assertSourceAgrees, loadExpected, sampleDir, sampleTree } from './expected.js';

const expected = loadExpected(sampleDir);

test('rehearse --zk-data-dir on the sample agrees with expected.json', async () => {
  const r = await rehearse({ zkDataDir: sampleDir });
  assertAgrees(r.report, r.plan, expected);
  assertSourceAgrees(r.report, expected);
  assert.equal(
    r.exitCode,
    RehearseExit.blocked,
    'malformed topic config and missing partition state block the migration',
  );
  const severities = Object.fromEntries(r.report.problems.map((p) => [p.code, p.severity]));
  assert.deepEqual(severities, {
    topic_pending_deletion: 'warning',
    replica_on_unregistered_broker: 'warning',
    missing_partition_state: 'error',
    malformed_json: 'error',
  });
  assert.match(r.report.problems.find((p) => p.code === 'malformed_json')!.message, /topic config of audit-log/);
});

test('rehearse --zk-dump on tree.json agrees with expected.json and with the data directory', async () => {
  const fromDump = await rehearse({ zkDump: sampleTree });
  assertAgrees(fromDump.report, fromDump.plan, expected);
  assert.equal(fromDump.report.source.kind, 'zk-dump');
  assert.equal(fromDump.report.source.snapshotZxid, null);
  const fromDir = await rehearse({ zkDataDir: sampleDir });
  assert.deepEqual({ ...fromDump.report, source: null }, { ...fromDir.report, source: null });
  assert.deepEqual(fromDump.plan.records, fromDir.plan.records);
});

test('starting from any older snapshot gives the same report', async () => {
  const newest = await rehearse({ zkDataDir: sampleDir });
  for (const snapshot of ['snapshot.0', 'snapshot.92', 'snapshot.bb']) {
    const r = await rehearse({ zkDataDir: sampleDir, snapshot });
    assert.deepEqual({ ...r.report, source: null }, { ...newest.report, source: null }, snapshot);
  }
});

test('the records are one transaction, encodable, deterministic, and keep SCRAM keys, ACLs and producer ids', async () => {
  const { plan } = await rehearse({ zkDataDir: sampleDir });
  const recs = plan.records;
  assert.equal(recs[0]!.type, 'beginTransaction');
  assert.equal(recs.at(-1)!.type, 'endTransaction');
  assert.equal(recs.filter((r) => r.type === 'beginTransaction' || r.type === 'endTransaction').length, 2);
  assert.deepEqual(
    recs.filter((r) => r.type === 'zkMigrationState').map((r) => r.type === 'zkMigrationState' && r.zkMigrationState),
    [3],
  );
  for (const r of recs) assert.deepEqual(decodeRecord(encodeRecord(r)), r, r.type);
  assert.deepEqual(
    (await rehearse({ zkDataDir: sampleDir })).plan.records,
    recs,
    'same input, same records (ACL ids included)',
  );
  // Each topic record comes before its partitions and configs.
  const seen = new Set<string>();
  for (const r of recs) {
    if (r.type === 'topic') seen.add(r.topicId);
    if (r.type === 'partition') assert.ok(seen.has(r.topicId));
  }
  assert.equal(recs.filter((r) => r.type === 'topic').length, 5);
  assert.ok(!recs.some((r) => r.type === 'topic' && r.name === 'legacy.to-delete'));
  assert.ok(
    !recs.some((r) => r.type === 'config' && r.resourceName === 'audit-log'),
    'malformed config: nothing written for it',
  );
  assert.deepEqual(
    recs
      .filter((r) => r.type === 'config' && r.resourceType === 4 && r.resourceName === '')
      .map((r) => r.type === 'config' && `${r.name}=${r.value}`),
    ['log.cleaner.threads=2', 'log.retention.ms=604800000', 'min.insync.replicas=2'],
  );
  assert.equal(
    new Set(recs.filter((r) => r.type === 'accessControlEntry').map((r) => r.type === 'accessControlEntry' && r.id))
      .size,
    10,
  );
  // SCRAM: the stored and server keys are ZooKeeper's, and they match the clear-text passwords.
  for (const c of expected.scram_credentials) {
    const rec = recs.find(
      (r) =>
        r.type === 'userScramCredential' &&
        r.name === c.user &&
        r.mechanism === (c.mechanism === 'SCRAM-SHA-256' ? 1 : 2),
    );
    assert.ok(rec && rec.type === 'userScramCredential');
    const digest = c.mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512';
    const salted = pbkdf2Sync(c.password, Buffer.from(rec.salt), rec.iterations, digest === 'sha256' ? 32 : 64, digest);
    const storedKey = createHash(digest).update(createHmac(digest, salted).update('Client Key').digest()).digest();
    assert.deepEqual(Buffer.from(rec.storedKey), storedKey, `${c.user} ${c.mechanism} stored key`);
    assert.equal(Buffer.from(rec.serverKey).toString('base64'), c.server_key);
    assert.equal(Buffer.from(rec.salt).toString('base64'), c.salt);
  }
  assert.equal(plan.clusterId, expected.cluster_id);
  assert.deepEqual(plan.blockingProblems.map((p) => p.code).sort(), ['malformed_json', 'missing_partition_state']);
  assert.equal(plan.forced.length, 2);
});
