// Test helpers: where the copied ZooKeeper fixture lives, and the check that a rehearse report
// (and its records) agrees with a generator's expected.json (every field named in issue 7's
// first "Done when" bullet). Shared by the sample tests and the generated-seed test.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { repoPath } from '../../src/common/paths.js';
import type { RehearseReport } from '../../migration/src/report.js';
import type { MigrationPlan } from '../../migration/src/translate.js';

export const sampleDir = repoPath('test', 'fixtures', 'zk-sample');
export const sampleTree = repoPath('test', 'fixtures', 'zk-sample', 'tree.json');

interface ExpectedState {
  leader: number;
  isr: number[];
  leader_epoch: number;
  partition_epoch: number;
}
interface ExpectedPartition {
  replicas: number[];
  adding_replicas: number[];
  removing_replicas: number[];
  state: ExpectedState | null;
  kafka_migration_default?: ExpectedState;
}
interface ExpectedTopic {
  topic_id: string;
  partitions: Record<string, ExpectedPartition>;
  configs: Record<string, string> | null;
}
export interface Expected {
  cluster_id: string;
  topics: Record<string, ExpectedTopic>;
  topics_pending_deletion: Record<string, ExpectedTopic>;
  broker_configs: Record<string, Record<string, string>>;
  acls: {
    host: string;
    operation: string;
    pattern_type: string;
    permission_type: string;
    principal: string;
    resource_name: string;
    resource_type: string;
  }[];
  scram_credentials: {
    user: string;
    mechanism: string;
    iterations: number;
    salt: string;
    stored_key: string;
    server_key: string;
    password: string;
  }[];
  client_quotas: { entity: Record<string, string | null>; quotas: Record<string, number> }[];
  producer_ids: { block_start: number; block_end: number; broker: number; next_producer_id: number };
  inconsistencies: { kind: string; path: string }[];
  counts: Record<string, number>;
  brokers: Record<string, unknown>;
  source: { latest_snapshot_zxid: string; last_zxid: string; txn_logs_to_replay: string[] };
}

export function loadExpected(dir: string): Expected {
  return JSON.parse(readFileSync(`${dir}/expected.json`, 'utf8')) as Expected;
}

const sorted = <T>(xs: readonly T[]): string[] =>
  xs.map((x) => JSON.stringify(x, Object.keys(x as object).sort())).sort();

/** Every field of the report that expected.json knows, and the partition epochs in the records. */
export function assertAgrees(report: RehearseReport, plan: MigrationPlan, exp: Expected): void {
  assert.equal(report.clusterId, exp.cluster_id);
  assert.deepEqual(
    report.topics.map((t) => t.name),
    Object.keys(exp.topics).sort(),
  );
  for (const t of report.topics) {
    const e = exp.topics[t.name]!;
    assert.equal(t.topicId, e.topic_id, `${t.name} topic id`);
    assert.deepEqual(t.configs, e.configs ?? {}, `${t.name} configs`);
    assert.equal(t.partitions.length, Object.keys(e.partitions).length, `${t.name} partition count`);
    for (const p of t.partitions) {
      const ep = e.partitions[String(p.partition)]!;
      // A malformed state znode has no expected values (expected.json: state_error malformed_json).
      const st = ep.state ?? ep.kafka_migration_default;
      if (!st) continue;
      assert.deepEqual(
        { replicas: p.replicas, leader: p.leader, leaderEpoch: p.leaderEpoch, isr: p.isr },
        { replicas: ep.replicas, leader: st.leader, leaderEpoch: st.leader_epoch, isr: st.isr },
        `${t.name}-${p.partition}`,
      );
      const rec = plan.records.find(
        (r) => r.type === 'partition' && r.topicId === t.topicId && r.partitionId === p.partition,
      );
      assert.ok(rec && rec.type === 'partition', `${t.name}-${p.partition} has a PartitionRecord`);
      assert.equal(rec.partitionEpoch, st.partition_epoch, `${t.name}-${p.partition} partition epoch`);
      assert.deepEqual([rec.addingReplicas, rec.removingReplicas], [ep.adding_replicas, ep.removing_replicas]);
    }
  }
  assert.deepEqual(report.pendingTopicDeletions, Object.keys(exp.topics_pending_deletion).sort());
  assert.deepEqual(
    report.brokerConfigs,
    Object.fromEntries(Object.entries(exp.broker_configs).map(([k, v]) => [k === '' ? '<default>' : k, v])),
  );
  assert.deepEqual(
    sorted(report.acls),
    sorted(
      exp.acls.map((a) => ({
        resourceType: a.resource_type,
        patternType: a.pattern_type,
        resourceName: a.resource_name,
        principal: a.principal,
        host: a.host,
        operation: a.operation,
        permissionType: a.permission_type,
      })),
    ),
  );
  assert.deepEqual(
    sorted(report.scramUsers),
    sorted(exp.scram_credentials.map((c) => ({ user: c.user, mechanism: c.mechanism, iterations: c.iterations }))),
  );
  assert.deepEqual(
    sorted(
      report.clientQuotas.map((q) => ({
        entity: JSON.stringify(q.entity, Object.keys(q.entity).sort()),
        quotas: JSON.stringify(q.quotas, Object.keys(q.quotas).sort()),
      })),
    ),
    sorted(
      exp.client_quotas.map((q) => ({
        entity: JSON.stringify(q.entity, Object.keys(q.entity).sort()),
        quotas: JSON.stringify(q.quotas, Object.keys(q.quotas).sort()),
      })),
    ),
  );
  assert.deepEqual(report.producerIdBlock, {
    blockStart: exp.producer_ids.block_start,
    blockEnd: exp.producer_ids.block_end,
  });
  const pid = plan.records.find((r) => r.type === 'producerIds');
  assert.ok(
    pid &&
      pid.type === 'producerIds' &&
      pid.nextProducerId === exp.producer_ids.next_producer_id &&
      pid.nextProducerId > exp.producer_ids.block_end,
  );
  const c = exp.counts;
  assert.deepEqual(
    {
      brokers: report.counts.brokers,
      topics: report.counts.topics,
      partitions: report.counts.partitions,
      topicConfigs: report.counts.topicConfigs,
      brokerConfigs: report.counts.brokerConfigs,
      aclBindings: report.counts.aclBindings,
      scramCredentials: report.counts.scramCredentials,
      clientQuotas: report.counts.clientQuotas,
    },
    {
      brokers: c['brokers'],
      topics: c['topics_migrated'],
      partitions: c['partitions_migrated'],
      topicConfigs: Object.values(exp.topics).filter((t) => t.configs && Object.keys(t.configs).length > 0).length,
      brokerConfigs: c['broker_config_entities'],
      aclBindings: c['acl_bindings'],
      scramCredentials: c['scram_credentials'],
      clientQuotas: c['client_quota_entities'],
    },
  );
  assert.equal(report.counts.records, plan.records.length);
  // Every listed inconsistency at its path, and nothing else.
  assert.deepEqual(
    report.problems.map((p) => `${p.code} ${p.path}`).sort(),
    exp.inconsistencies.map((i) => `${i.kind} ${i.path}`).sort(),
  );
}

export function assertSourceAgrees(report: RehearseReport, exp: Expected): void {
  assert.equal(report.source.kind, 'zk-data-dir');
  assert.equal(report.source.snapshotZxid, exp.source.latest_snapshot_zxid);
  assert.equal(report.source.lastZxid, exp.source.last_zxid);
  assert.deepEqual(report.source.txnLogsReplayed, exp.source.txn_logs_to_replay);
}
