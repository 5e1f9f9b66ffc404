// /brokers/topics/<t> (assignment + topic id), .../partitions/<p>/state (leader, ISR, epochs),
// /config/topics/<t> and /admin/delete_topics/<t> → TopicModel[]. Reports, each at its znode:
// replica_on_unregistered_broker (warning), missing_partition_state, malformed_json,
// invalid_znode, leader_not_in_isr, isr_not_in_replicas, unknown_config_key (warning),
// leader_recovering (warning), topic_id_missing (warning), topic_pending_deletion (warning),
// duplicate_topic_id, orphan_topic_config (warning). Problems of a topic pending deletion are
// warnings: it is not migrated. Partition state that is missing or malformed falls back to what
// Kafka's own migration invents (leader = first replica, ISR = replicas, epochs 0).
import { isValidUuid } from '../../../src/common/uuid.js';
import type { Severity } from '../problems.js';
import { childPath } from '../zk/znode-tree.js';
import { knownTopicConfigs } from '../../../src/protocol/kafka-config-names.js';
import type { BrokerInfo, PartitionModel, TopicModel } from './model.js';
import { configMapOf, intOf, isIntArray, isObject, type JsonObject, type ParseContext } from './parse-context.js';
import { stableUuid } from './stable-uuid.js';

const topicsRoot = '/brokers/topics';

function fallbackState(
  p: number,
  replicas: readonly number[],
  source: 'missing' | 'malformed',
  zkVersion: number,
): PartitionModel {
  return {
    partition: p,
    replicas,
    addingReplicas: [],
    removingReplicas: [],
    leader: replicas[0] ?? -1,
    leaderEpoch: 0,
    isr: replicas,
    partitionEpoch: source === 'missing' ? 0 : zkVersion,
    leaderRecoveryState: 0,
    controllerEpoch: -1,
    stateSource: source,
  };
}

async function parsePartition(
  ctx: ParseContext,
  topic: string,
  p: number,
  replicas: readonly number[],
  sev: Severity,
): Promise<PartitionModel> {
  const statePath = `${topicsRoot}/${topic}/partitions/${p}/state`;
  const entity = `partition state of ${topic}-${p}`;
  const node = await ctx.zk.get(statePath);
  const st = await ctx.object(statePath, entity, sev);
  if (st === undefined) {
    ctx.report(
      sev,
      'missing_partition_state',
      statePath,
      `${entity} is missing; Kafka's own migration would invent leader ${replicas[0] ?? -1}, ISR [${replicas.join(',')}], leader epoch 0 (what --force writes)`,
    );
    return fallbackState(p, replicas, 'missing', 0);
  }
  const version = node?.stat.version ?? 0;
  if (st === null) return fallbackState(p, replicas, 'malformed', version);
  const leader = intOf(st['leader']);
  const leaderEpoch = intOf(st['leader_epoch']);
  const isr = st['isr'];
  if (leader === null || leaderEpoch === null || !isIntArray(isr)) {
    ctx.report(
      sev,
      'invalid_znode',
      statePath,
      `${entity}: needs integer leader and leader_epoch and an integer array isr`,
    );
    return fallbackState(p, replicas, 'malformed', version);
  }
  if (leader !== -1 && !isr.includes(leader))
    ctx.report(sev, 'leader_not_in_isr', statePath, `${entity}: leader ${leader} is not in the ISR [${isr.join(',')}]`);
  const outside = isr.filter((r) => !replicas.includes(r));
  if (outside.length > 0)
    ctx.report(
      sev,
      'isr_not_in_replicas',
      statePath,
      `${entity}: ISR members ${outside.join(',')} are not replicas [${replicas.join(',')}]`,
    );
  const recovery = intOf(st['leader_recovery_state']) ?? 0;
  if (recovery !== 0)
    ctx.report(
      'warning',
      'leader_recovering',
      statePath,
      `${entity}: leader is still recovering after an unclean election (leader_recovery_state ${recovery}); KRaft records carry no recovery state, so it is migrated as recovered`,
    );
  return {
    partition: p,
    replicas,
    addingReplicas: [],
    removingReplicas: [],
    leader,
    leaderEpoch,
    isr,
    partitionEpoch: version,
    leaderRecoveryState: recovery,
    controllerEpoch: intOf(st['controller_epoch']) ?? -1,
    stateSource: 'zk',
  };
}

function replicaMap(obj: JsonObject, key: string): Map<string, number[]> | null {
  const v = obj[key];
  if (v === undefined || v === null) return new Map();
  if (!isObject(v)) return null;
  const out = new Map<string, number[]>();
  for (const [k, reps] of Object.entries(v)) {
    if (!isIntArray(reps)) return null;
    out.set(k, reps);
  }
  return out;
}

async function parseTopicConfig(ctx: ParseContext, topic: string, sev: Severity): Promise<Map<string, string> | null> {
  const path = `/config/topics/${topic}`;
  const entity = `topic config of ${topic}`;
  const obj = await ctx.object(path, entity, sev);
  if (obj === undefined) return new Map();
  if (obj === null) return null;
  const cfg = configMapOf(ctx, path, entity, obj, sev);
  for (const k of cfg?.keys() ?? [])
    if (!knownTopicConfigs.has(k))
      ctx.report('warning', 'unknown_config_key', path, `${entity}: unknown topic config key ${k} (migrated as is)`);
  return cfg;
}

async function parseTopic(
  ctx: ParseContext,
  name: string,
  brokers: ReadonlyMap<number, BrokerInfo>,
  clusterId: string,
  pending: boolean,
): Promise<TopicModel> {
  const path = `${topicsRoot}/${name}`;
  const sev: Severity = pending ? 'warning' : 'error';
  const skipped = (reason: string, topicId = ''): TopicModel => ({
    name,
    topicId,
    partitions: [],
    configs: new Map(),
    pendingDeletion: pending,
    skipReason: reason,
  });
  const obj = await ctx.object(path, `topic ${name}`, sev);
  if (obj === undefined) {
    ctx.report(sev, 'invalid_znode', path, `topic ${name}: the topic znode holds no assignment`);
    return skipped('no assignment');
  }
  if (obj === null) return skipped('unreadable topic znode');
  const assignment = replicaMap(obj, 'partitions');
  const adding = replicaMap(obj, 'adding_replicas');
  const removing = replicaMap(obj, 'removing_replicas');
  if (!assignment || !adding || !removing || assignment.size === 0) {
    ctx.report(
      sev,
      'invalid_znode',
      path,
      `topic ${name}: "partitions" must map partition ids to replica lists (and adding/removing_replicas likewise)`,
    );
    return skipped('unreadable assignment');
  }
  let topicId = obj['topic_id'];
  if (topicId === undefined || topicId === null) {
    topicId = stableUuid('raftka-zk-migration-topic', clusterId, name);
    ctx.report(
      'warning',
      'topic_id_missing',
      path,
      `topic ${name} has no topic id (written before Kafka 2.8); it gets the id ${topicId}`,
    );
  } else if (typeof topicId !== 'string' || !isValidUuid(topicId)) {
    ctx.report(sev, 'invalid_znode', path, `topic ${name}: topic_id ${JSON.stringify(topicId)} is not a Kafka UUID`);
    return skipped('bad topic id');
  }
  const ids = [...assignment.keys()].map((k) => (/^\d+$/.test(k) ? Number(k) : NaN)).sort((a, b) => a - b);
  if (ids.some((id, i) => id !== i)) {
    ctx.report(
      sev,
      'invalid_znode',
      path,
      `topic ${name}: partition ids must be 0..${ids.length - 1}, got ${[...assignment.keys()].join(',')}`,
    );
    return skipped('partition ids with gaps', topicId);
  }
  const partitions: PartitionModel[] = [];
  for (const p of ids) {
    const replicas = assignment.get(String(p))!;
    if (replicas.length === 0 || new Set(replicas).size !== replicas.length) {
      ctx.report(
        sev,
        'invalid_znode',
        path,
        `topic ${name} partition ${p}: replicas [${replicas.join(',')}] must be non-empty and distinct`,
      );
      return skipped('bad replica list', topicId);
    }
    const unregistered = replicas.filter((r) => !brokers.has(r));
    if (unregistered.length > 0) {
      ctx.report(
        'warning',
        'replica_on_unregistered_broker',
        path,
        `topic ${name} partition ${p}: replicas [${replicas.join(',')}] include broker ${unregistered.join(',')}, which is not registered in /brokers/ids (it may just be down)`,
      );
    }
    const part = await parsePartition(ctx, name, p, replicas, sev);
    partitions.push({
      ...part,
      addingReplicas: adding.get(String(p)) ?? [],
      removingReplicas: removing.get(String(p)) ?? [],
    });
  }
  return {
    name,
    topicId,
    partitions,
    configs: await parseTopicConfig(ctx, name, sev),
    pendingDeletion: pending,
    skipReason: null,
  };
}

export async function parseTopics(
  ctx: ParseContext,
  brokers: ReadonlyMap<number, BrokerInfo>,
  clusterId: string,
): Promise<TopicModel[]> {
  const names = await ctx.zk.children(topicsRoot);
  const marked = new Set(await ctx.zk.children('/admin/delete_topics'));
  const topics: TopicModel[] = [];
  for (const name of names) {
    const pending = marked.has(name);
    if (pending)
      ctx.report(
        'warning',
        'topic_pending_deletion',
        childPath('/admin/delete_topics', name),
        `topic ${name} is marked for deletion; it is not migrated`,
      );
    topics.push(await parseTopic(ctx, name, brokers, clusterId, pending));
  }
  const known = new Set(names);
  for (const t of await ctx.zk.children('/config/topics')) {
    if (!known.has(t))
      ctx.report(
        'warning',
        'orphan_topic_config',
        `/config/topics/${t}`,
        `config for topic ${t}, which does not exist; not migrated`,
      );
  }
  // Two live topics with one id cannot both exist in KRaft: keep the first by name, skip the rest.
  const byId = new Map<string, string>();
  return topics.map((t) => {
    if (t.pendingDeletion || t.skipReason !== null) return t;
    const first = byId.get(t.topicId);
    if (first === undefined) {
      byId.set(t.topicId, t.name);
      return t;
    }
    ctx.report(
      'error',
      'duplicate_topic_id',
      `${topicsRoot}/${t.name}`,
      `topic ${t.name} has the same topic id ${t.topicId} as topic ${first}`,
    );
    return { ...t, skipReason: `duplicate topic id of ${first}` };
  });
}
