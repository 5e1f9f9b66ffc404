// `raftka topics --bootstrap-controller H:P --create | --list | --describe | --delete | --alter`,
// shaped like kafka-topics.sh, talking gRPC to the controllers until the Kafka protocol exists.
import type { CommandModule } from 'yargs';
import { ControllerClient } from '../client/controller-client.js';
import { errorName } from '../common/errors.js';
import { uuidFromBytes } from '../metadata/records.js';
import type { WireMessage } from '../raft/driver/raft-wire.js';
import { parseEndpoint } from './endpoint.js';
import { exitWithError } from './errors.js';

interface TopicsArgs {
  'bootstrap-controller': string;
  create?: boolean;
  list?: boolean;
  describe?: boolean;
  delete?: boolean;
  alter?: boolean;
  topic?: string;
  partitions?: number;
  'replication-factor'?: number;
  config?: string[];
  'validate-only'?: boolean;
  json?: boolean;
}

const list = (v: unknown): WireMessage[] => (Array.isArray(v) ? (v as WireMessage[]) : []);
const topicIdOf = (v: unknown): string => (v instanceof Uint8Array && v.length === 16 ? uuidFromBytes(v) : '');

/** kafka-topics.sh --describe lines for one topic. */
export function formatTopic(t: WireMessage): string {
  const partitions = list(t['partitions']);
  const configs = Object.entries((t['configs'] ?? {}) as Record<string, string>).sort().map(([k, v]) => `${k}=${v}`).join(',');
  const head = `Topic: ${String(t['name'])}\tTopicId: ${topicIdOf(t['topicId'])}\tPartitionCount: ${partitions.length}\tReplicationFactor: ${list(partitions[0]?.['replicas']).length}\tConfigs: ${configs}`;
  const rows = partitions.map(
    (p) => `\tTopic: ${String(t['name'])}\tPartition: ${Number(p['partition'])}\tLeader: ${Number(p['leader']) < 0 ? 'none' : Number(p['leader'])}\tReplicas: ${(p['replicas'] as number[]).join(',')}\tIsr: ${(p['isr'] as number[]).join(',')}`,
  );
  return [head, ...rows].join('\n');
}

function checkResults(res: WireMessage, verb: string): void {
  const failures: string[] = [];
  for (const r of list(res['topics'])) {
    const code = Number(r['errorCode']);
    if (code !== 0) failures.push(`${verb} topic ${String(r['name'])} failed: ${errorName(code)}: ${String(r['errorMessage'])}`);
    else console.log(`${verb === 'create' ? 'Created' : verb === 'delete' ? 'Deleted' : 'Altered'} topic ${String(r['name'])}.`);
  }
  if (failures.length > 0) throw new Error(failures.join('\n'));
}

export const topicsCommand: CommandModule<object, TopicsArgs> = {
  command: 'topics',
  describe: 'Create, list, describe, delete topics (through the controllers)',
  builder: (y) =>
    y
      .option('bootstrap-controller', { type: 'string', demandOption: true, describe: 'host:port of any controller' })
      .option('create', { type: 'boolean' })
      .option('list', { type: 'boolean' })
      .option('describe', { type: 'boolean' })
      .option('delete', { type: 'boolean' })
      .option('alter', { type: 'boolean', describe: 'with --partitions: add partitions' })
      .option('topic', { type: 'string' })
      .option('partitions', { type: 'number' })
      .option('replication-factor', { type: 'number' })
      .option('config', { type: 'string', array: true, describe: 'key=value topic config (repeatable)' })
      .option('validate-only', { type: 'boolean' })
      .option('json', { type: 'boolean' })
      .check((a) => {
        const actions = ['create', 'list', 'describe', 'delete', 'alter'].filter((k) => a[k as keyof typeof a]);
        if (actions.length !== 1) throw new Error('give exactly one of --create, --list, --describe, --delete, --alter');
        if ((a.create || a.delete || a.alter) && !a.topic) throw new Error('--topic is required');
        if (a.alter && a.partitions === undefined) throw new Error('--alter needs --partitions');
        return true;
      }),
  handler: async (args) => {
    const client = new ControllerClient([parseEndpoint(args['bootstrap-controller'])]);
    try {
      if (args.create) {
        const configs = Object.fromEntries((args.config ?? []).map((kv) => {
          const i = kv.indexOf('=');
          if (i <= 0) throw new Error(`--config expects key=value, got "${kv}"`);
          return [kv.slice(0, i), kv.slice(i + 1)];
        }));
        const res = await client.call('CreateTopics', {
          topics: [{ name: args.topic, numPartitions: args.partitions ?? -1, replicationFactor: args['replication-factor'] ?? -1, configs }],
          validateOnly: Boolean(args['validate-only']),
        });
        checkResults(res, 'create');
      } else if (args.delete) {
        checkResults(await client.call('DeleteTopics', { names: [args.topic] }), 'delete');
      } else if (args.alter) {
        checkResults(await client.call('CreatePartitions', { topics: [{ name: args.topic, count: args.partitions }], validateOnly: Boolean(args['validate-only']) }), 'alter');
      } else {
        const res = await client.call('DescribeTopics', { names: args.topic ? [args.topic] : [] }, { anyController: true });
        const topics = list(res['topics']);
        if (args.list) {
          if (args.json) console.log(JSON.stringify(topics.map((t) => t['name'])));
          else for (const t of topics) console.log(String(t['name']));
        } else if (args.json) {
          console.log(
            JSON.stringify(
              {
                metadataOffset: Number(res['metadataOffset']),
                imageDigest: Number(res['imageDigest']),
                brokers: list(res['brokers']),
                topics: topics.map((t) => ({ ...t, topicId: topicIdOf(t['topicId']), errorCode: Number(t['errorCode']) })),
              },
              null,
              2,
            ),
          );
        } else {
          for (const t of topics) {
            if (Number(t['errorCode']) !== 0) throw new Error(`topic ${String(t['name'])}: ${errorName(Number(t['errorCode']))}`);
            console.log(formatTopic(t));
          }
        }
      }
    } catch (err) {
      exitWithError(err);
    } finally {
      client.close();
    }
  },
};
