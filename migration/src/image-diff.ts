// `migrate verify`'s comparison (issue 7): the image the migration records give (replayed from
// an empty image) against the live KRaft image. Pure; returns readable lines, sorted by entity.
//
// What must be equal: topics (names, ids, partition ids, replica sets, adding/removing
// replicas), topic and broker configs, ACLs, SCRAM credentials (salt, keys, iterations),
// client quotas, the ZkMigrationState. Entities in KRaft that ZooKeeper does not have are
// differences too. Two things legitimately move on after a migration and are judged by rule:
//  - a partition's leader, ISR and leader epoch: compared only while its partition epoch is
//    still the migrated one; once KRaft changed the partition (epoch higher), it is listed under
//    `changedSinceMigration`, not as a difference;
//  - producer ids: KRaft's next producer id must be at least the migrated one.
import type { MetadataImage, PartitionRegistration } from '../../src/metadata/image.js';

interface ImageDiff {
  /** Readable lines: `- ` only in ZooKeeper, `+ ` only in KRaft, `~ ` different. Empty: equal. */
  readonly differences: readonly string[];
  /** Partitions KRaft has changed since the migration (informational). */
  readonly changedSinceMigration: readonly string[];
}

const list = (a: readonly number[]): string => `[${a.join(',')}]`;
const sameList = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((v, i) => v === b[i]);
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));
const sorted = <V>(m: ReadonlyMap<string, V>): [string, V][] => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

function configName(key: string): string {
  const i = key.indexOf(':');
  const type = key.slice(0, i) === '2' ? 'topic' : 'broker';
  const name = key.slice(i + 1);
  return `${type} ${name === '' ? '<default>' : name}`;
}

function diffPartition(
  topic: string,
  id: number,
  zk: PartitionRegistration,
  kraft: PartitionRegistration,
  out: string[],
  changed: string[],
): void {
  const where = `partition ${topic}-${id}`;
  if (!sameList(zk.replicas, kraft.replicas))
    out.push(`~ ${where}: replicas ${list(zk.replicas)} in ZooKeeper, ${list(kraft.replicas)} in KRaft`);
  if (!sameList(zk.addingReplicas, kraft.addingReplicas))
    out.push(
      `~ ${where}: adding replicas ${list(zk.addingReplicas)} in ZooKeeper, ${list(kraft.addingReplicas)} in KRaft`,
    );
  if (!sameList(zk.removingReplicas, kraft.removingReplicas))
    out.push(
      `~ ${where}: removing replicas ${list(zk.removingReplicas)} in ZooKeeper, ${list(kraft.removingReplicas)} in KRaft`,
    );
  if (kraft.partitionEpoch > zk.partitionEpoch) {
    changed.push(
      `${where}: partition epoch ${zk.partitionEpoch} → ${kraft.partitionEpoch} (leader ${zk.leader} → ${kraft.leader}, ISR ${list(zk.isr)} → ${list(kraft.isr)})`,
    );
    return;
  }
  const state = (p: PartitionRegistration): string =>
    `leader ${p.leader}, leader epoch ${p.leaderEpoch}, ISR ${list(p.isr)}, partition epoch ${p.partitionEpoch}`;
  if (
    zk.leader !== kraft.leader ||
    zk.leaderEpoch !== kraft.leaderEpoch ||
    zk.partitionEpoch !== kraft.partitionEpoch ||
    !sameList(zk.isr, kraft.isr)
  ) {
    out.push(`~ ${where}: ${state(zk)} in ZooKeeper; ${state(kraft)} in KRaft`);
  }
}

function diffTopics(zk: MetadataImage, kraft: MetadataImage, out: string[], changed: string[]): void {
  for (const [name, t] of sorted(zk.topicsByName)) {
    const k = kraft.topicsByName.get(name);
    if (!k) {
      out.push(`- topic ${name} (id ${t.id}): missing in KRaft`);
      continue;
    }
    if (k.id !== t.id) out.push(`~ topic ${name}: id ${t.id} in ZooKeeper, ${k.id} in KRaft`);
    for (const [id, p] of [...t.partitions].sort(([a], [b]) => a - b)) {
      const kp = k.partitions.get(id);
      if (!kp) out.push(`- partition ${name}-${id}: missing in KRaft`);
      else diffPartition(name, id, p, kp, out, changed);
    }
    for (const id of [...k.partitions.keys()].sort((a, b) => a - b))
      if (!t.partitions.has(id)) out.push(`+ partition ${name}-${id}: only in KRaft`);
  }
  for (const [name, k] of sorted(kraft.topicsByName))
    if (!zk.topicsByName.has(name)) out.push(`+ topic ${name} (id ${k.id}): only in KRaft`);
}

function diffConfigs(zk: MetadataImage, kraft: MetadataImage, out: string[]): void {
  const keys = new Set([...zk.configs.keys(), ...kraft.configs.keys()]);
  for (const key of [...keys].sort()) {
    // A topic only in KRaft is reported once, as a topic; its configs would only repeat that.
    if (key.startsWith('2:') && !zk.topicsByName.has(key.slice(2))) continue;
    const a = zk.configs.get(key) ?? new Map<string, string>();
    const b = kraft.configs.get(key) ?? new Map<string, string>();
    for (const name of [...new Set([...a.keys(), ...b.keys()])].sort()) {
      const va = a.get(name);
      const vb = b.get(name);
      if (va === vb) continue;
      if (vb === undefined) out.push(`- config ${configName(key)} ${name}=${va}: missing in KRaft`);
      else if (va === undefined) out.push(`+ config ${configName(key)} ${name}=${vb}: only in KRaft`);
      else out.push(`~ config ${configName(key)} ${name}: ${va} in ZooKeeper, ${vb} in KRaft`);
    }
  }
}

function diffSecurity(zk: MetadataImage, kraft: MetadataImage, out: string[]): void {
  const aclText = (a: {
    resourceType: number;
    patternType: number;
    resourceName: string;
    principal: string;
    host: string;
    operation: number;
    permissionType: number;
  }): string =>
    `ACL ${a.principal} host ${a.host} op ${a.operation} ${a.permissionType === 3 ? 'ALLOW' : 'DENY'} on resource type ${a.resourceType} pattern ${a.patternType} "${a.resourceName}"`;
  const aclKey = (a: Parameters<typeof aclText>[0]): string =>
    JSON.stringify([a.resourceType, a.patternType, a.resourceName, a.principal, a.host, a.operation, a.permissionType]);
  const zkAcls = new Map([...zk.acls.values()].map((a) => [aclKey(a), a]));
  const kraftAcls = new Map([...kraft.acls.values()].map((a) => [aclKey(a), a]));
  for (const [k, a] of sorted(zkAcls)) if (!kraftAcls.has(k)) out.push(`- ${aclText(a)}: missing in KRaft`);
  for (const [k, a] of sorted(kraftAcls)) if (!zkAcls.has(k)) out.push(`+ ${aclText(a)}: only in KRaft`);

  for (const [k, c] of sorted(zk.scram)) {
    const kc = kraft.scram.get(k);
    const what = `SCRAM credential of ${c.name} (mechanism ${c.mechanism})`;
    if (!kc) out.push(`- ${what}: missing in KRaft`);
    else if (
      kc.iterations !== c.iterations ||
      !sameBytes(kc.salt, c.salt) ||
      !sameBytes(kc.storedKey, c.storedKey) ||
      !sameBytes(kc.serverKey, c.serverKey)
    )
      out.push(`~ ${what}: differs (iterations ${c.iterations} in ZooKeeper, ${kc.iterations} in KRaft, or salt/keys)`);
  }
  for (const [k, c] of sorted(kraft.scram))
    if (!zk.scram.has(k)) out.push(`+ SCRAM credential of ${c.name} (mechanism ${c.mechanism}): only in KRaft`);

  for (const key of [...new Set([...zk.quotas.keys(), ...kraft.quotas.keys()])].sort()) {
    const a = zk.quotas.get(key)?.values ?? new Map<string, number>();
    const b = kraft.quotas.get(key)?.values ?? new Map<string, number>();
    for (const name of [...new Set([...a.keys(), ...b.keys()])].sort()) {
      const va = a.get(name);
      const vb = b.get(name);
      if (va === vb) continue;
      if (vb === undefined) out.push(`- client quota ${key} ${name}=${va}: missing in KRaft`);
      else if (va === undefined) out.push(`+ client quota ${key} ${name}=${vb}: only in KRaft`);
      else out.push(`~ client quota ${key} ${name}: ${va} in ZooKeeper, ${vb} in KRaft`);
    }
  }
}

export function diffMigratedImage(zk: MetadataImage, kraft: MetadataImage): ImageDiff {
  const out: string[] = [];
  const changed: string[] = [];
  if (kraft.zkMigrationState !== zk.zkMigrationState)
    out.push(
      `~ ZkMigrationState: ${zk.zkMigrationState} expected, ${kraft.zkMigrationState} in KRaft${kraft.zkMigrationState === 0 ? ' (never migrated)' : ''}`,
    );
  diffTopics(zk, kraft, out, changed);
  diffConfigs(zk, kraft, out);
  diffSecurity(zk, kraft, out);
  const zkNext = zk.producerIds?.nextProducerId;
  const kraftNext = kraft.producerIds?.nextProducerId;
  if (zkNext !== undefined && (kraftNext === undefined || kraftNext < zkNext))
    out.push(
      `~ next producer id: at least ${zkNext} expected (above ZooKeeper's block), ${kraftNext ?? 'none'} in KRaft`,
    );
  return { differences: out, changedSinceMigration: changed };
}
