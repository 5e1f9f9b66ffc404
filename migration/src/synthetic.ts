// A synthetic ZooKeeper-mode Kafka cluster as a JSON znode dump (the tree.json format), for the
// 100,000-partition benchmark and the apply tests. Deterministic for the same options, and free
// of blocking problems: every topic has a valid assignment and state, leaders are in their ISR,
// ids are unique. Per topic: `partitionsPerTopic` partitions of `replicationFactor` replicas
// spread round-robin over `brokers`; every tenth topic has configs. Plus broker configs, a few
// ACLs, a client quota and a producer-id block. Built as text (no intermediate object tree) so a
// million znodes stay cheap.
import { stableUuid } from './kafka/stable-uuid.js';

interface SyntheticOptions {
  readonly clusterId: string;
  readonly brokers: readonly number[];
  readonly topics: number;
  readonly partitionsPerTopic: number;
  readonly replicationFactor: number;
  /** Topic name prefix (default "synthetic"); names are `<prefix>-<index>`. */
  readonly prefix?: string;
}

function syntheticTopicId(clusterId: string, name: string): string {
  return stableUuid('raftka-synthetic-topic', clusterId, name);
}

export function syntheticDump(o: SyntheticOptions): string {
  if (o.replicationFactor > o.brokers.length) throw new RangeError('replication factor above the broker count');
  const parts: string[] = [];
  const node = (path: string, data: string | null, version = 0): void => {
    parts.push(
      `${JSON.stringify(path)}:{"data":${data === null ? 'null' : JSON.stringify(data)},"data_encoding":${data === null ? 'null' : '"utf8"'},"version":${version}}`,
    );
  };
  for (const p of [
    '/',
    '/admin',
    '/admin/delete_topics',
    '/brokers',
    '/brokers/ids',
    '/brokers/topics',
    '/cluster',
    '/config',
    '/config/topics',
    '/config/brokers',
    '/config/users',
    '/config/clients',
    '/kafka-acl',
    '/kafka-acl/Topic',
    '/kafka-acl/Cluster',
  ])
    node(p, null);
  node('/cluster/id', JSON.stringify({ version: '1', id: o.clusterId }));
  node('/controller_epoch', '1', 1);
  node(
    '/latest_producer_id_block',
    JSON.stringify({ version: 1, broker: o.brokers[0], block_start: '0', block_end: '999' }),
    1,
  );
  for (const b of o.brokers) {
    node(
      `/brokers/ids/${b}`,
      JSON.stringify({
        features: {},
        listener_security_protocol_map: { PLAINTEXT: 'PLAINTEXT' },
        endpoints: [`PLAINTEXT://kafka-${b}.example.com:9092`],
        jmx_port: -1,
        port: 9092,
        host: `kafka-${b}.example.com`,
        version: 5,
        timestamp: '1717171700000',
      }),
      0,
    );
  }
  node(
    '/config/brokers/<default>',
    JSON.stringify({ version: 1, config: { 'log.retention.ms': '604800000', 'min.insync.replicas': '2' } }),
  );
  node('/config/clients/synthetic-app', JSON.stringify({ version: 1, config: { consumer_byte_rate: '1048576' } }));
  const prefix = o.prefix ?? 'synthetic';
  node(
    '/kafka-acl/Cluster/kafka-cluster',
    JSON.stringify({
      version: 1,
      acls: [{ principal: 'User:kafka', permissionType: 'Allow', operation: 'ClusterAction', host: '*' }],
    }),
  );
  node(
    `/kafka-acl/Topic/${prefix}-0`,
    JSON.stringify({
      version: 1,
      acls: [
        { principal: 'User:app', permissionType: 'Allow', operation: 'Read', host: '*' },
        { principal: 'User:app', permissionType: 'Allow', operation: 'Write', host: '*' },
      ],
    }),
  );

  const n = o.brokers.length;
  let cursor = 0;
  for (let t = 0; t < o.topics; t++) {
    const name = `${prefix}-${t}`;
    const assignment: Record<string, number[]> = {};
    for (let p = 0; p < o.partitionsPerTopic; p++, cursor++) {
      assignment[String(p)] = Array.from({ length: o.replicationFactor }, (_, r) => o.brokers[(cursor + r) % n]!);
    }
    node(
      `/brokers/topics/${name}`,
      JSON.stringify({
        version: 3,
        topic_id: syntheticTopicId(o.clusterId, name),
        partitions: assignment,
        adding_replicas: {},
        removing_replicas: {},
      }),
    );
    node(`/brokers/topics/${name}/partitions`, null);
    for (let p = 0; p < o.partitionsPerTopic; p++) {
      const replicas = assignment[String(p)]!;
      node(`/brokers/topics/${name}/partitions/${p}`, null);
      node(
        `/brokers/topics/${name}/partitions/${p}/state`,
        `{"controller_epoch":1,"leader":${replicas[0]},"version":1,"leader_epoch":${p % 3},"isr":[${replicas.join(',')}]}`,
        p % 5,
      );
    }
    node(
      `/config/topics/${name}`,
      JSON.stringify({
        version: 1,
        config: t % 10 === 0 ? { 'retention.ms': String(86_400_000 + t), 'cleanup.policy': 'delete' } : {},
      }),
    );
  }
  return `{${parts.join(',\n')}}\n`;
}
