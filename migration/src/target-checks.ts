// The ZooKeeper view checked against the KRaft cluster it is going into (issue 17 item 2), pure:
// the cluster ids must match (else the controller refuses the import); every broker id
// ZooKeeper knows (registered in /brokers/ids or named in a replica set) must be a registered
// broker of the KRaft cluster, else its partitions would name replicas and leaders that serve no
// data (a controller-only node, or a node that never registered); metadata.version must be
// finalized at a level this tool writes records for; finalized features of ZooKeeper's /feature
// should be finalized in KRaft too. Each finding is a Problem (code + path) like the rehearse
// report's; errors block `apply` unless --force. Called by rehearse-target.ts and apply.ts.
import { supportedFeatures } from '../../src/controller/feature-control.js';
import { clusterIdAdvice } from '../../src/controller/migration-control.js';
import type { KafkaZkModel } from './kafka/model.js';
import { compareProblems, type Problem } from './problems.js';
import { RehearseExit, type RehearseResult } from './rehearse.js';
import type { TargetDescription } from './target-description.js';
import type { MigrationPlan } from './translate.js';

export type { TargetDescription };

const metadataVersion = 'metadata.version';
/** The lowest metadata.version whose records (metadata transactions, ZkMigrationState) apply writes. */
const migrationMetadataVersionMin = 1;
/** How many topic names a message lists before "and N more". */
const topicsListedMax = 5;

const plural = (n: number, one: string, many = `${one}s`): string =>
  `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

function topicList(names: readonly string[]): string {
  const shown = names.slice(0, topicsListedMax).join(', ');
  return names.length > topicsListedMax ? `${shown} and ${names.length - topicsListedMax} more` : shown;
}

interface Usage {
  readonly topics: string[];
  partitions: number;
  leaderOf: number;
}

/** Per broker id: the migrated partitions with a replica on it, and how many it leads. */
function replicaUsage(model: KafkaZkModel): Map<number, Usage> {
  const usage = new Map<number, Usage>();
  for (const t of model.topics) {
    if (t.pendingDeletion || t.skipReason !== null) continue;
    for (const p of t.partitions) {
      for (const r of new Set(p.replicas)) {
        let u = usage.get(r);
        if (!u) {
          u = { topics: [], partitions: 0, leaderOf: 0 };
          usage.set(r, u);
        }
        if (u.topics[u.topics.length - 1] !== t.name) u.topics.push(t.name);
        u.partitions++;
        if (p.leader === r) u.leaderOf++;
      }
    }
  }
  return usage;
}

function brokerProblems(model: KafkaZkModel, target: TargetDescription): Problem[] {
  const registered = new Set(target.brokers.map((b) => b.id));
  const controllers = new Set(target.controllerIds);
  const usage = replicaUsage(model);
  const ids = [...new Set([...model.brokers.keys(), ...usage.keys()])].sort((a, b) => a - b);
  const problems: Problem[] = [];
  for (const id of ids) {
    if (registered.has(id)) continue;
    const u = usage.get(id);
    const impact = u
      ? ` ${plural(u.partitions, 'partition')} of ${plural(u.topics.length, 'topic')} (${topicList(u.topics)}) have a replica on it; it leads ${u.leaderOf} of them, which would answer LEADER_NOT_AVAILABLE until a broker ${id} registers.`
      : ' No migrated partition has a replica on it.';
    const known = model.brokers.has(id);
    const what = known ? `ZooKeeper broker ${id}` : `Broker ${id} (not in /brokers/ids, named in replica sets)`;
    if (controllers.has(id))
      problems.push({
        severity: 'error',
        code: 'broker_id_is_controller',
        path: known ? `/brokers/ids/${id}` : `/brokers/topics/${u!.topics[0]}`,
        message: `${what} is node ${id} of the KRaft cluster, a controller and not a broker (process.roles has no broker).${impact} Give the KRaft controllers ids that no ZooKeeper broker uses, or run node ${id} as broker,controller.`,
      });
    else
      problems.push({
        severity: 'error',
        code: known ? 'broker_not_registered' : 'replicas_on_missing_broker',
        path: known ? `/brokers/ids/${id}` : `/brokers/topics/${u!.topics[0]}`,
        message: `${what} is not a registered broker of the KRaft cluster (registered: ${[...registered].join(', ') || 'none'}).${impact} Start broker ${id} in the KRaft cluster first.`,
      });
  }
  return problems;
}

/** ZooKeeper's /feature finalized levels: {features: {name: {max_version_level} | level}}. */
function zkFinalizedFeatures(featureZnode: unknown): Map<string, number> {
  const out = new Map<string, number>();
  if (typeof featureZnode !== 'object' || featureZnode === null) return out;
  const features = (featureZnode as { features?: unknown }).features;
  if (typeof features !== 'object' || features === null) return out;
  for (const [name, v] of Object.entries(features as Record<string, unknown>)) {
    const level = typeof v === 'number' ? v : (v as { max_version_level?: unknown } | null)?.max_version_level;
    if (typeof level === 'number' && Number.isInteger(level)) out.set(name, level);
  }
  return out;
}

function featureProblems(model: KafkaZkModel, target: TargetDescription): Problem[] {
  const problems: Problem[] = [];
  const level = target.features[metadataVersion];
  const supported = supportedFeatures.get(metadataVersion)!;
  if (level === undefined)
    problems.push({
      severity: 'error',
      code: 'metadata_version_unset',
      path: '/feature',
      message: `the KRaft cluster has no finalized ${metadataVersion} (its first controller never became active): wait for the quorum to elect a leader, then rehearse again`,
    });
  else if (level < migrationMetadataVersionMin || level > supported.max)
    problems.push({
      severity: 'error',
      code: 'metadata_version_unsupported',
      path: '/feature',
      message: `the KRaft cluster runs ${metadataVersion} ${level}; this raftka writes migration records for levels ${migrationMetadataVersionMin}..${supported.max}: use the raftka release the cluster runs`,
    });
  for (const [name, zkLevel] of zkFinalizedFeatures(model.featureZnode)) {
    const kraft = target.features[name];
    if (kraft === undefined || kraft < zkLevel)
      problems.push({
        severity: 'warning',
        code: 'feature_level_lower',
        path: '/feature',
        message: `ZooKeeper finalized ${name} at level ${zkLevel}; the KRaft cluster has it ${kraft === undefined ? 'not finalized' : `at ${kraft}`} (raftka features upgrade can raise it after the migration)`,
      });
  }
  return problems;
}

/** Every problem of the ZooKeeper view against the target; sorted like the report's. */
export function checkTarget(model: KafkaZkModel, target: TargetDescription): Problem[] {
  const problems: Problem[] = [];
  if (model.clusterId !== null && model.clusterId !== target.clusterId)
    problems.push({
      severity: 'error',
      code: 'cluster_id_mismatch',
      path: '/cluster/id',
      message: `ZooKeeper's cluster id ${model.clusterId} is not the KRaft cluster's ${target.clusterId}, so the controller would refuse the import; ${clusterIdAdvice(model.clusterId)}`,
    });
  problems.push(...brokerProblems(model, target), ...featureProblems(model, target));
  return problems;
}

/** The line apply --force adds for the target's errors. */
export function targetForced(problems: readonly Problem[]): string[] {
  const brokers = problems.filter((p) => p.severity === 'error' && p.path.startsWith('/brokers/'));
  return brokers.length > 0
    ? [
        `partitions are written with replicas and leaders on ${plural(brokers.length, 'node')} that ${brokers.length === 1 ? 'is' : 'are'} not a broker of the KRaft cluster (no leader until such a broker registers)`,
      ]
    : [];
}

/** A rehearsal with the target's problems added: report, blocking problems, --force's list, exit code. */
export function withTarget(result: RehearseResult, target: TargetDescription): RehearseResult {
  const found = checkTarget(result.model, target);
  const problems = [...result.report.problems, ...found].sort(compareProblems);
  const plan: MigrationPlan = {
    ...result.plan,
    blockingProblems: [...result.plan.blockingProblems, ...found.filter((p) => p.severity === 'error')],
    forced: [...result.plan.forced, ...targetForced(found)],
  };
  const blocked = problems.some((p) => p.severity === 'error');
  return {
    ...result,
    plan,
    report: { ...result.report, problems, target },
    exitCode: blocked ? RehearseExit.blocked : RehearseExit.migratable,
  };
}
