// Translates the parsed ZooKeeper model into the ordered KRaft metadata records that `migrate
// apply` sends as one metadata transaction (KIP-868): BeginTransaction, topics (each TopicRecord
// followed by its PartitionRecords and topic ConfigRecords), broker and default configs, SCRAM
// credentials, client quotas, ACLs, the producer-id block, a ZkMigrationState record, then
// EndTransaction. Pure and deterministic: the same model gives the same records (ACL ids are
// derived from the binding), so a second apply can recognise the work as done.
// Kept from ZooKeeper: topic ids, assignments, leaders, ISRs, leader and partition epochs (the
// state znode's version), adding/removing replicas. Not written: broker registrations (brokers
// register with the KRaft controller themselves) and feature levels (set by `storage format`).
// Blocking errors do not stop translation: the records are what `apply --force` would write
// (broken entities skipped, missing partition state replaced by Kafka's fallback), and
// `blockingProblems` / `forced` say what that costs. `apply` without --force must refuse when
// blockingProblems is non-empty, and must refuse a KRaft cluster whose id is not `clusterId`.
import type { MetadataRecord } from '../../src/metadata/records.js';
import { configResourceTypes, defaultEntity, scramMechanisms, ZkMigrationState } from './kafka/enums.js';
import type { AclBindingModel, KafkaZkModel } from './kafka/model.js';
import { stableUuid } from './kafka/stable-uuid.js';
import type { Problem } from './problems.js';

export interface MigrationPlan {
  /** The ZooKeeper cluster id; apply refuses a KRaft cluster formatted with another one. Null: no id (blocking). */
  readonly clusterId: string | null;
  /** BeginTransaction … EndTransaction, in the order they must be written. */
  readonly records: readonly MetadataRecord[];
  /** Error-severity problems: apply refuses unless --force. */
  readonly blockingProblems: readonly Problem[];
  /** What the records skip or invent because of those problems (what --force means here). */
  readonly forced: readonly string[];
}

export interface TranslateOptions {
  /** Name of the metadata transaction; defaults to "zk-migration <clusterId>". */
  readonly transactionName?: string;
  /** ZkMigrationState value to record; default POST_MIGRATION (raftka has no dual-write phase). */
  readonly migrationState?: number;
}

export function aclBindingId(a: AclBindingModel): string {
  return stableUuid(
    'raftka-zk-migration-acl',
    a.resourceType,
    a.patternType,
    a.resourceName,
    a.principal,
    a.host,
    a.operation,
    a.permissionType,
  );
}

const byKey = <V>(m: ReadonlyMap<string, V>): [string, V][] => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

function brokerEntityOrder(a: string, b: string): number {
  if (a === defaultEntity || b === defaultEntity) return a === b ? 0 : a === defaultEntity ? -1 : 1;
  return Number(a) - Number(b);
}

export function translateToRecords(model: KafkaZkModel, options: TranslateOptions = {}): MigrationPlan {
  const records: MetadataRecord[] = [];
  const forced: string[] = [];
  records.push({
    type: 'beginTransaction',
    name: options.transactionName ?? `zk-migration ${model.clusterId ?? 'unknown-cluster'}`,
  });

  for (const t of model.topics) {
    if (t.pendingDeletion) continue;
    if (t.skipReason !== null) {
      forced.push(`topic ${t.name} is not migrated (${t.skipReason})`);
      continue;
    }
    records.push({ type: 'topic', name: t.name, topicId: t.topicId });
    for (const p of t.partitions) {
      if (p.stateSource !== 'zk')
        forced.push(
          `partition ${t.name}-${p.partition}: state ${p.stateSource}, written with leader ${p.leader}, ISR [${p.isr.join(',')}], leader epoch ${p.leaderEpoch}`,
        );
      records.push({
        type: 'partition',
        topicId: t.topicId,
        partitionId: p.partition,
        replicas: p.replicas,
        isr: p.isr,
        removingReplicas: p.removingReplicas,
        addingReplicas: p.addingReplicas,
        leader: p.leader,
        leaderEpoch: p.leaderEpoch,
        partitionEpoch: p.partitionEpoch,
      });
    }
    if (t.configs === null)
      forced.push(`topic ${t.name}: its configs are unreadable and not migrated (it gets the cluster defaults)`);
    for (const [name, value] of byKey(t.configs ?? new Map<string, string>())) {
      records.push({ type: 'config', resourceType: configResourceTypes.topic, resourceName: t.name, name, value });
    }
  }

  for (const entity of [...model.brokerConfigs.keys()].sort(brokerEntityOrder)) {
    const resourceName = entity === defaultEntity ? '' : entity;
    for (const [name, value] of byKey(model.brokerConfigs.get(entity)!)) {
      records.push({ type: 'config', resourceType: configResourceTypes.broker, resourceName, name, value });
    }
  }

  for (const c of model.scramCredentials) {
    records.push({
      type: 'userScramCredential',
      name: c.user,
      mechanism: scramMechanisms[c.mechanism]!,
      salt: c.salt,
      storedKey: c.storedKey,
      serverKey: c.serverKey,
      iterations: c.iterations,
    });
  }

  for (const q of model.clientQuotas) {
    const entity = q.entity.map(([entityType, entityName]) => ({ entityType, entityName }));
    for (const [key, value] of byKey(q.quotas))
      records.push({ type: 'clientQuota', entity, key, value, remove: false });
  }

  for (const a of model.acls) {
    records.push({
      type: 'accessControlEntry',
      id: aclBindingId(a),
      resourceType: a.resourceTypeCode,
      resourceName: a.resourceName,
      patternType: a.patternTypeCode,
      principal: a.principal,
      host: a.host,
      operation: a.operationCode,
      permissionType: a.permissionTypeCode,
    });
  }

  const block = model.producerIdBlock;
  // ProducerIdsRecord.nextProducerId is the first id not yet handed out: above ZooKeeper's block_end.
  if (block)
    records.push({ type: 'producerIds', brokerId: block.brokerId, brokerEpoch: 0, nextProducerId: block.blockEnd + 1 });

  records.push({
    type: 'zkMigrationState',
    zkMigrationState: options.migrationState ?? ZkMigrationState.POST_MIGRATION,
  });
  records.push({ type: 'endTransaction' });
  return {
    clusterId: model.clusterId,
    records,
    blockingProblems: model.problems.filter((p) => p.severity === 'error'),
    forced,
  };
}
