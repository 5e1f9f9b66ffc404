// ZooKeeper-migration import on the active controller (issue 7): decides, as a pure function of
// the committed image, whether the records `raftka migrate apply` sent may be written.
//  - refuse: the records are malformed (replay would assert on them and stop every node), the
//    ZooKeeper cluster id is not ours (INCONSISTENT_CLUSTER_ID), the cluster was migrated from a
//    different ZooKeeper state, or they clash with metadata created in KRaft (say which);
//  - already-migrated: the image holds this migration (ZkMigrationState set, every migrated
//    topic, partition, ACL and SCRAM credential present under the same names and ids), so a
//    rerun writes nothing. Leaders, ISRs and configs may have moved on since; they are not
//    compared, and a rerun never rolls them back;
//  - write: the body records, minus a ProducerIdsRecord that would move producer ids backwards.
// QuorumController writes the result as one metadata transaction, in slices.
import { ErrorCode } from '../common/errors.js';
import { configResourceKey, quotaEntityKey, scramKey, type MetadataImage } from '../metadata/image.js';
import { ConfigResourceType, type MetadataRecord, type RecordType } from '../metadata/records.js';

/** ZkMigrationStateRecord NONE: the cluster was never migrated. */
const zkMigrationStateNone = 0;
/** Bound on conflicts named in one answer (the count says how many more there were). */
const migrationConflictsListedMax = 100;

const bodyTypes: ReadonlySet<RecordType> = new Set<RecordType>([
  'topic',
  'partition',
  'config',
  'userScramCredential',
  'clientQuota',
  'accessControlEntry',
  'producerIds',
  'zkMigrationState',
]);

interface MigrationImportRequest {
  readonly zkClusterId: string;
  /** Decoded records, BeginTransaction … EndTransaction. */
  readonly records: readonly MetadataRecord[];
}

type MigrationImportDecision =
  | {
      readonly kind: 'refuse';
      readonly errorCode: number;
      readonly errorMessage: string;
      readonly conflicts: readonly string[];
    }
  | { readonly kind: 'already-migrated' }
  | {
      readonly kind: 'write';
      readonly transactionName: string;
      /** Indexes into request.records of the body records to write, in order. */
      readonly keep: readonly number[];
      readonly notes: readonly string[];
    };

/** Collects problems, naming at most migrationConflictsListedMax of them. */
class ProblemList {
  readonly listed: string[] = [];
  count = 0;
  add(p: string): void {
    if (this.count++ < migrationConflictsListedMax) this.listed.push(p);
  }
  summary(): string[] {
    return this.count > this.listed.length
      ? [...this.listed, `... and ${this.count - this.listed.length} more`]
      : this.listed;
  }
}

/**
 * How to make a KRaft cluster carry ZooKeeper's cluster id, with commands that exist (the refusal
 * below and `migrate rehearse --bootstrap-controller` say it).
 */
export function clusterIdAdvice(zkClusterId: string): string {
  return `create the KRaft cluster with ZooKeeper's id: \`raftka cluster up --config-dir D --cluster-id ${zkClusterId}\` for a cluster-config folder started for the first time, or \`raftka storage format --config F --cluster-id ${zkClusterId}\` on every node before its first start`;
}

export function decideMigrationImport(
  image: MetadataImage,
  clusterId: string,
  req: MigrationImportRequest,
): MigrationImportDecision {
  const refuse = (
    errorCode: number,
    errorMessage: string,
    conflicts: readonly string[] = [],
  ): MigrationImportDecision => ({ kind: 'refuse', errorCode, errorMessage, conflicts });
  const recs = req.records;
  const first = recs[0];
  if (first?.type !== 'beginTransaction' || recs[recs.length - 1]?.type !== 'endTransaction' || recs.length < 3) {
    return refuse(ErrorCode.INVALID_REQUEST, 'migration records must be BeginTransaction, the records, EndTransaction');
  }
  if (req.zkClusterId !== clusterId) {
    return refuse(
      ErrorCode.INCONSISTENT_CLUSTER_ID,
      `the ZooKeeper cluster id ${req.zkClusterId || '(none)'} is not this KRaft cluster's id ${clusterId}; ${clusterIdAdvice(req.zkClusterId || '<the ZooKeeper id>')}`,
    );
  }
  const malformed = checkShape(recs);
  if (malformed.count > 0)
    return refuse(ErrorCode.INVALID_REQUEST, 'the migration records are not consistent', malformed.summary());

  if (image.zkMigrationState !== zkMigrationStateNone) {
    const missing = compareWithMigrated(image, recs);
    if (missing.count === 0) return { kind: 'already-migrated' };
    return refuse(
      ErrorCode.INVALID_REQUEST,
      `this cluster was already migrated (ZkMigrationState ${image.zkMigrationState}) from a different ZooKeeper state`,
      missing.summary(),
    );
  }

  const conflicts = findConflicts(image, recs);
  if (conflicts.problems.count > 0) {
    const code = conflicts.topics ? ErrorCode.TOPIC_ALREADY_EXISTS : ErrorCode.INVALID_REQUEST;
    return refuse(
      code,
      `${conflicts.problems.count} migrated entities clash with metadata that exists in KRaft`,
      conflicts.problems.summary(),
    );
  }

  const keep: number[] = [];
  const notes: string[] = [];
  for (let i = 1; i < recs.length - 1; i++) {
    const r = recs[i]!;
    if (r.type === 'producerIds' && image.producerIds && image.producerIds.nextProducerId > r.nextProducerId) {
      notes.push(
        `producer ids: KRaft already hands out from ${image.producerIds.nextProducerId}, above ZooKeeper's ${r.nextProducerId}; kept KRaft's`,
      );
      continue;
    }
    keep.push(i);
  }
  return { kind: 'write', transactionName: first.name, keep, notes };
}

/** What replay would assert on, and what a migration must hold: one state record, known topics. */
function checkShape(recs: readonly MetadataRecord[]): ProblemList {
  const problems = new ProblemList();
  const namesById = new Map<string, string>();
  const idsByName = new Map<string, string>();
  const partitions = new Set<string>();
  let states = 0;
  let producerIds = 0;
  for (let i = 1; i < recs.length - 1; i++) {
    const r = recs[i]!;
    if (!bodyTypes.has(r.type)) {
      problems.add(`record ${i}: a ${r.type} record has no place in a migration`);
      continue;
    }
    switch (r.type) {
      case 'topic':
        if (namesById.has(r.topicId) || idsByName.has(r.name))
          problems.add(`record ${i}: topic ${r.name} (${r.topicId}) appears twice`);
        namesById.set(r.topicId, r.name);
        idsByName.set(r.name, r.topicId);
        break;
      case 'partition': {
        const key = `${r.topicId}:${r.partitionId}`;
        if (!namesById.has(r.topicId))
          problems.add(
            `record ${i}: partition ${r.partitionId} of topic id ${r.topicId}, which no earlier TopicRecord declares`,
          );
        else if (partitions.has(key))
          problems.add(`record ${i}: partition ${namesById.get(r.topicId)}-${r.partitionId} appears twice`);
        else if (r.replicas.length === 0)
          problems.add(`record ${i}: partition ${namesById.get(r.topicId)}-${r.partitionId} has no replicas`);
        partitions.add(key);
        break;
      }
      case 'config':
        if (r.resourceType === ConfigResourceType.TOPIC && !idsByName.has(r.resourceName))
          problems.add(`record ${i}: config of topic ${r.resourceName}, which the migration does not create`);
        break;
      case 'zkMigrationState':
        states++;
        if (r.zkMigrationState === zkMigrationStateNone) problems.add(`record ${i}: ZkMigrationState NONE`);
        break;
      case 'producerIds':
        producerIds++;
        break;
      default:
        break;
    }
  }
  if (states !== 1) problems.add(`a migration writes exactly one ZkMigrationState record, found ${states}`);
  if (producerIds > 1) problems.add(`a migration writes at most one ProducerIds record, found ${producerIds}`);
  return problems;
}

/** The migrated entities the image lacks (same names and ids), when it says it was migrated. */
function compareWithMigrated(image: MetadataImage, recs: readonly MetadataRecord[]): ProblemList {
  const problems = new ProblemList();
  for (const r of recs) {
    switch (r.type) {
      case 'topic': {
        const t = image.topicsByName.get(r.name);
        if (!t) problems.add(`topic ${r.name} is not in the image`);
        else if (t.id !== r.topicId) problems.add(`topic ${r.name} has id ${t.id} in KRaft, ${r.topicId} in ZooKeeper`);
        break;
      }
      case 'partition': {
        const t = image.topicsById.get(r.topicId);
        if (t && !t.partitions.has(r.partitionId))
          problems.add(`partition ${t.name}-${r.partitionId} is not in the image`);
        break;
      }
      case 'accessControlEntry':
        if (!image.acls.has(r.id))
          problems.add(`ACL ${r.principal} ${r.operation} on ${r.resourceName} is not in the image`);
        break;
      case 'userScramCredential':
        if (!image.scram.has(scramKey(r.name, r.mechanism)))
          problems.add(`SCRAM credential of ${r.name} (mechanism ${r.mechanism}) is not in the image`);
        break;
      default:
        break;
    }
  }
  return problems;
}

/** Migrated entities that clash with metadata created in KRaft. */
function findConflicts(
  image: MetadataImage,
  recs: readonly MetadataRecord[],
): { problems: ProblemList; topics: boolean } {
  const problems = new ProblemList();
  let topics = false;
  for (const r of recs) {
    switch (r.type) {
      case 'topic': {
        const byName = image.topicsByName.get(r.name);
        const byId = image.topicsById.get(r.topicId);
        if (byName) problems.add(`topic ${r.name} already exists in KRaft (id ${byName.id})`);
        else if (byId) problems.add(`topic id ${r.topicId} of ${r.name} is taken by KRaft topic ${byId.name}`);
        topics ||= byName !== undefined || byId !== undefined;
        break;
      }
      case 'config': {
        if (r.resourceType === ConfigResourceType.TOPIC || r.value === null) break; // topics are new (checked above)
        const current = image.configs.get(configResourceKey(r.resourceType, r.resourceName))?.get(r.name);
        if (current !== undefined && current !== r.value)
          problems.add(
            `broker config ${r.resourceName === '' ? '<default>' : r.resourceName} ${r.name} is ${current} in KRaft, ${r.value} in ZooKeeper`,
          );
        break;
      }
      case 'accessControlEntry':
        if (image.acls.has(r.id)) problems.add(`ACL id ${r.id} exists in KRaft`);
        break;
      case 'userScramCredential':
        if (image.scram.has(scramKey(r.name, r.mechanism)))
          problems.add(`SCRAM credential of ${r.name} (mechanism ${r.mechanism}) exists in KRaft`);
        break;
      case 'clientQuota': {
        const current = image.quotas.get(quotaEntityKey(r.entity))?.values.get(r.key);
        if (current !== undefined && current !== r.value)
          problems.add(
            `client quota ${quotaEntityKey(r.entity)} ${r.key} is ${current} in KRaft, ${r.value} in ZooKeeper`,
          );
        break;
      }
      default:
        break;
    }
  }
  return { problems, topics };
}
