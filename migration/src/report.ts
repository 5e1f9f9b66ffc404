// The rehearse report (issue 7 item 5; documented in migration/README.md): a JSON-ready object
// built from the source description, the parsed model, the reader's notes and the translated
// plan, plus a readable text rendering for the terminal. Pure. Lists are sorted so two runs on
// the same input give byte-identical JSON.
import { defaultEntity } from './kafka/enums.js';
import type { KafkaZkModel } from './kafka/model.js';
import { compareProblems, type Problem } from './problems.js';
import type { TargetDescription } from './target-description.js';
import type { MigrationPlan } from './translate.js';

export interface ReportSource {
  readonly kind: 'zk-data-dir' | 'zk-dump' | 'zk-live';
  /** The data directory, the dump file, or the connect string of a live ensemble. */
  readonly path: string;
  /** Hex ("0xde"); null for a JSON dump or a live ensemble. */
  readonly snapshotZxid: string | null;
  /** Hex; for a dump, the highest zxid in any node's stat; live, the server's zxid the read is consistent at. */
  readonly lastZxid: string;
  /** When lastZxid was written (ISO 8601), from its log record (a dump: the node's mtime/ctime); null when unknown. */
  readonly lastZxidTime: string | null;
  readonly txnLogsReplayed: readonly string[];
}

interface ReportPartition {
  readonly partition: number;
  readonly replicas: readonly number[];
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
}

interface ReportTopic {
  readonly name: string;
  readonly topicId: string;
  readonly partitions: readonly ReportPartition[];
  readonly configs: Readonly<Record<string, string>>;
}

interface ReportAcl {
  readonly resourceType: string;
  readonly patternType: string;
  readonly resourceName: string;
  readonly principal: string;
  readonly host: string;
  readonly operation: string;
  readonly permissionType: string;
}

export interface RehearseReport {
  readonly source: ReportSource;
  readonly clusterId: string | null;
  readonly counts: {
    readonly brokers: number;
    readonly topics: number;
    readonly partitions: number;
    readonly topicConfigs: number;
    readonly brokerConfigs: number;
    readonly aclBindings: number;
    readonly scramCredentials: number;
    readonly clientQuotas: number;
    readonly records: number;
  };
  readonly topics: readonly ReportTopic[];
  readonly brokerConfigs: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly acls: readonly ReportAcl[];
  readonly scramUsers: readonly { readonly user: string; readonly mechanism: string; readonly iterations: number }[];
  readonly clientQuotas: readonly {
    readonly entity: Readonly<Record<string, string | null>>;
    readonly quotas: Readonly<Record<string, number>>;
  }[];
  readonly producerIdBlock: { readonly blockStart: number; readonly blockEnd: number } | null;
  readonly pendingTopicDeletions: readonly string[];
  readonly problems: readonly Problem[];
  /** The KRaft cluster checked against (rehearse --bootstrap-controller, apply); absent offline. */
  readonly target?: TargetDescription;
}

const sortedObject = <V>(m: ReadonlyMap<string, V>): Record<string, V> =>
  Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

function aclKey(a: ReportAcl): string {
  return [a.resourceType, a.patternType, a.resourceName, a.principal, a.operation, a.permissionType, a.host].join(
    '\u0000',
  );
}

export function buildReport(
  source: ReportSource,
  model: KafkaZkModel,
  notes: readonly Problem[],
  plan: MigrationPlan,
): RehearseReport {
  const migrated = model.topics.filter((t) => !t.pendingDeletion && t.skipReason === null);
  const topics: ReportTopic[] = migrated.map((t) => ({
    name: t.name,
    topicId: t.topicId,
    partitions: t.partitions.map((p) => ({
      partition: p.partition,
      replicas: p.replicas,
      leader: p.leader,
      leaderEpoch: p.leaderEpoch,
      isr: p.isr,
    })),
    configs: sortedObject(t.configs ?? new Map<string, string>()),
  }));
  const brokerEntities = [...model.brokerConfigs.keys()].sort((a, b) =>
    a === defaultEntity ? -1 : b === defaultEntity ? 1 : Number(a) - Number(b),
  );
  const acls: ReportAcl[] = model.acls
    .map((a) => ({
      resourceType: a.resourceType,
      patternType: a.patternType,
      resourceName: a.resourceName,
      principal: a.principal,
      host: a.host,
      operation: a.operation,
      permissionType: a.permissionType,
    }))
    .sort((a, b) => (aclKey(a) < aclKey(b) ? -1 : aclKey(a) > aclKey(b) ? 1 : 0));
  return {
    source,
    clusterId: model.clusterId,
    counts: {
      brokers: model.brokers.size,
      topics: topics.length,
      partitions: topics.reduce((n, t) => n + t.partitions.length, 0),
      topicConfigs: topics.filter((t) => Object.keys(t.configs).length > 0).length,
      brokerConfigs: model.brokerConfigs.size,
      aclBindings: acls.length,
      scramCredentials: model.scramCredentials.length,
      clientQuotas: model.clientQuotas.length,
      records: plan.records.length,
    },
    topics,
    brokerConfigs: Object.fromEntries(brokerEntities.map((e) => [e, sortedObject(model.brokerConfigs.get(e)!)])),
    acls,
    scramUsers: model.scramCredentials.map((c) => ({ user: c.user, mechanism: c.mechanism, iterations: c.iterations })),
    clientQuotas: model.clientQuotas.map((q) => ({
      entity: Object.fromEntries(q.entity),
      quotas: sortedObject(q.quotas),
    })),
    producerIdBlock: model.producerIdBlock
      ? { blockStart: model.producerIdBlock.blockStart, blockEnd: model.producerIdBlock.blockEnd }
      : null,
    pendingTopicDeletions: model.topics.filter((t) => t.pendingDeletion).map((t) => t.name),
    problems: [...notes, ...model.problems].sort(compareProblems),
  };
}

/** The terminal summary of `raftka migrate rehearse` without --json. */
export function formatReport(r: RehearseReport, readMs: number, forced: readonly string[]): string {
  const s = r.source;
  const c = r.counts;
  const errors = r.problems.filter((p) => p.severity === 'error');
  const warnings = r.problems.length - errors.length;
  const lines = [
    `Source:            ${s.kind} ${s.path}`,
    s.kind === 'zk-data-dir'
      ? `                   snapshot zxid ${s.snapshotZxid}, replayed ${s.txnLogsReplayed.join(', ') || 'no logs'}`
      : s.kind === 'zk-live'
        ? '                   read live from the ensemble'
        : '                   a JSON dump (no log position)',
    `Read up to:        zxid ${s.lastZxid}${s.lastZxidTime ? `, written ${s.lastZxidTime}` : ' (time unknown)'}`,
    `Read in:           ${readMs.toFixed(0)} ms`,
    `Cluster id:        ${r.clusterId ?? '(none)'}`,
    ...(r.target
      ? [
          `Target (KRaft):    cluster ${r.target.clusterId}, controllers ${r.target.controllerIds.join(', ') || 'none'}, brokers ${r.target.brokers.map((b) => `${b.id}${b.fenced ? ' (fenced)' : ''}`).join(', ') || 'none'}, metadata.version ${r.target.features['metadata.version'] ?? 'not finalized'}`,
        ]
      : []),
    `Brokers:           ${c.brokers}`,
    `Topics:            ${c.topics} (${c.partitions} partitions)${r.pendingTopicDeletions.length ? `, plus ${r.pendingTopicDeletions.length} pending deletion, not migrated: ${r.pendingTopicDeletions.join(', ')}` : ''}`,
    `Topic configs:     ${c.topicConfigs}`,
    `Broker configs:    ${c.brokerConfigs}${Object.keys(r.brokerConfigs).length ? ` (${Object.keys(r.brokerConfigs).join(', ')})` : ''}`,
    `ACL bindings:      ${c.aclBindings}`,
    `SCRAM credentials: ${c.scramCredentials}`,
    `Client quotas:     ${c.clientQuotas}`,
    `Producer ids:      ${r.producerIdBlock ? `block ${r.producerIdBlock.blockStart}-${r.producerIdBlock.blockEnd}, next id after migration ${r.producerIdBlock.blockEnd + 1}` : 'no block allocated'}`,
    `Records to write:  ${c.records} (one metadata transaction)`,
    '',
    `Problems: ${errors.length} error(s), ${warnings} warning(s)`,
    ...r.problems.map(
      (p) => `  ${p.severity.toUpperCase().padEnd(7)} ${p.code.padEnd(30)} ${p.path}\n          ${p.message}`,
    ),
  ];
  if (errors.length > 0) {
    lines.push('', 'NOT migratable as is: fix the errors above, or apply with --force, which will:');
    for (const f of forced) lines.push(`  - ${f}`);
  } else {
    lines.push('', 'Migratable.');
  }
  return lines.join('\n');
}
