// `raftka topics (--bootstrap-server H:P | --bootstrap-controller H:P) --create | --list |
// --describe | --delete | --alter`, shaped like kafka-topics.sh: over the Kafka protocol to any
// broker, or over gRPC to the controllers (useful before any broker runs).
import type { CommandModule } from 'yargs';
import { ControllerClient, type ControllerResponse } from '../client/controller-client.js';
import { errorName } from '../common/errors.js';
import { uuidFromBytes } from '../common/uuid.js';
import type { TopicDescription__Output, TopicResults__Output } from '../rpc/controller-rpc.js';
import { parseEndpoint, parseEndpoints } from '../common/endpoint.js';
import { describeTopicPartitions, servesDescribeTopicPartitions } from '../client/cluster-admin.js';
import { KafkaClient } from '../client/kafka-client.js';
import { exitWithError } from './errors.js';
import {
  type CommandConfigArgs,
  controllerSecurityOf,
  commandConfigOption,
  clientSecurityOf,
} from './command-config.js';

interface TopicsArgs extends CommandConfigArgs {
  'bootstrap-controller'?: string;
  'bootstrap-server'?: string;
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
  'under-replicated-partitions'?: boolean;
  'unavailable-partitions'?: boolean;
  json?: boolean;
}

/**
 * kafka-topics.sh --describe filters: partitions whose ISR is smaller than their replica set, or
 * that have no live leader. Like Kafka, only the matching partition lines are printed.
 */
function filterPartitions(
  t: DescribedTopic,
  args: TopicsArgs,
  liveBrokers: ReadonlySet<number>,
): DescribedTopic | null {
  if (!args['under-replicated-partitions'] && !args['unavailable-partitions']) return t;
  const partitions = t.partitions.filter(
    (p) =>
      (args['under-replicated-partitions'] && p.isr.length < p.replicas.length) ||
      (args['unavailable-partitions'] && (p.leader < 0 || !liveBrokers.has(p.leader))),
  );
  return partitions.length > 0 ? { ...t, partitions } : null;
}

function printDescribed(topics: readonly DescribedTopic[], args: TopicsArgs): void {
  const filtered = args['under-replicated-partitions'] || args['unavailable-partitions'];
  if (args.json) console.log(JSON.stringify({ topics }, null, 2));
  else
    for (const t of topics) {
      const lines = formatTopic(t).split('\n');
      console.log((filtered ? lines.slice(1) : lines).join('\n'));
    }
}

const topicIdOf = (v: Uint8Array): string => (v.length === 16 ? uuidFromBytes(v) : '');

/** What --describe prints for one topic, from either the controllers or a broker. */
interface DescribedTopic {
  readonly name: string;
  readonly topicId: string;
  readonly configs: Readonly<Record<string, string>>;
  readonly partitions: readonly {
    partition: number;
    leader: number;
    replicas: readonly number[];
    isr: readonly number[];
  }[];
}

/** kafka-topics.sh --describe lines for one topic. */
function formatTopic(t: DescribedTopic): string {
  const configs = Object.entries(t.configs)
    .sort()
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const head = `Topic: ${t.name}\tTopicId: ${t.topicId}\tPartitionCount: ${t.partitions.length}\tReplicationFactor: ${t.partitions[0]?.replicas.length ?? 0}\tConfigs: ${configs}`;
  const rows = t.partitions.map(
    (p) =>
      `\tTopic: ${t.name}\tPartition: ${p.partition}\tLeader: ${p.leader < 0 ? 'none' : p.leader}\tReplicas: ${p.replicas.join(',')}\tIsr: ${p.isr.join(',')}`,
  );
  return [head, ...rows].join('\n');
}

function describedFromWire(t: TopicDescription__Output): DescribedTopic {
  return {
    name: t.name,
    topicId: topicIdOf(t.topicId),
    configs: t.configs,
    partitions: t.partitions.map((p) => ({
      partition: p.partition,
      leader: p.leader,
      replicas: p.replicas,
      isr: p.isr,
    })),
  };
}

function parseConfigFlags(items: readonly string[]): Map<string, string> {
  return new Map(
    items.map((kv) => {
      const i = kv.indexOf('=');
      if (i <= 0) throw new Error(`--config expects key=value, got "${kv}"`);
      return [kv.slice(0, i), kv.slice(i + 1)] as const;
    }),
  );
}

/** The same verbs over the Kafka protocol, through any broker. */
async function viaBroker(args: TopicsArgs): Promise<void> {
  const client = new KafkaClient(parseEndpoints(args['bootstrap-server']!), {
    clientId: 'raftka-topics',
    security: clientSecurityOf(args),
  });
  try {
    if (args.create) {
      await client.createTopic(
        args.topic!,
        args.partitions ?? -1,
        args['replication-factor'] ?? -1,
        parseConfigFlags(args.config ?? []),
        Boolean(args['validate-only']),
      );
      console.log(`Created topic ${args.topic}.`);
    } else if (args.delete) {
      await client.deleteTopic(args.topic!);
      console.log(`Deleted topic ${args.topic}.`);
    } else if (args.alter) {
      await client.createPartitions(args.topic!, args.partitions!, Boolean(args['validate-only']));
      console.log(`Altered topic ${args.topic}.`);
    } else {
      // --describe asks DescribeTopicPartitions (paged) when the broker offers it, as kafka-topics.sh
      // 3.7+ does; Metadata then only names the live brokers.
      const paged = !args.list && (await servesDescribeTopicPartitions(client));
      const md = await client.metadata(paged ? [] : args.topic ? [args.topic] : null);
      const found = paged ? await describeTopicPartitions(client, args.topic ? [args.topic] : []) : md.topics;
      const topics = found.filter((t) => !t.name.startsWith('__')).sort((a, b) => a.name.localeCompare(b.name));
      if (args.list) {
        if (args.json) console.log(JSON.stringify(topics.map((t) => t.name)));
        else for (const t of topics) console.log(t.name);
        return;
      }
      const described: DescribedTopic[] = [];
      const live = new Set(md.brokers.map((b) => b.nodeId));
      for (const t of topics) {
        if (t.errorCode !== 0) throw new Error(`topic ${t.name}: ${errorName(t.errorCode)}`);
        const configs = (await client.describeTopicConfigs(t.name)).filter(
          (c) => c.configSource === 1 && c.value !== null,
        );
        const d = filterPartitions(
          {
            name: t.name,
            topicId: t.topicId,
            configs: Object.fromEntries(configs.map((c) => [c.name, c.value!])),
            partitions: t.partitions,
          },
          args,
          live,
        );
        if (d) described.push(d);
      }
      printDescribed(described, args);
    }
  } finally {
    client.close();
  }
}

function checkResults(res: TopicResults__Output, verb: string): void {
  const failures: string[] = [];
  for (const r of res.topics) {
    const code = r.errorCode;
    if (code !== 0) failures.push(`${verb} topic ${r.name} failed: ${errorName(code)}: ${r.errorMessage}`);
    else console.log(`${verb === 'create' ? 'Created' : verb === 'delete' ? 'Deleted' : 'Altered'} topic ${r.name}.`);
  }
  if (failures.length > 0) throw new Error(failures.join('\n'));
}

export const topicsCommand: CommandModule<object, TopicsArgs> = {
  command: 'topics',
  describe: 'Create, list, describe, delete topics (through a broker or the controllers)',
  builder: (y) =>
    y
      .option('bootstrap-controller', { type: 'string', describe: 'host:port of any controller (gRPC)' })
      .option('bootstrap-server', { type: 'string', describe: 'host:port[,host:port...] of brokers (Kafka protocol)' })
      .option('command-config', commandConfigOption)
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
      .option('under-replicated-partitions', {
        type: 'boolean',
        describe: 'with --describe: only partitions whose ISR is smaller than their replicas',
      })
      .option('unavailable-partitions', {
        type: 'boolean',
        describe: 'with --describe: only partitions without a live leader',
      })
      .option('json', { type: 'boolean' })
      .check((a) => {
        if (Boolean(a['bootstrap-controller']) === Boolean(a['bootstrap-server']))
          throw new Error('give exactly one of --bootstrap-server or --bootstrap-controller');
        const actions = ['create', 'list', 'describe', 'delete', 'alter'].filter((k) => a[k as keyof typeof a]);
        if (actions.length !== 1)
          throw new Error('give exactly one of --create, --list, --describe, --delete, --alter');
        if ((a.create || a.delete || a.alter) && !a.topic) throw new Error('--topic is required');
        if (a.alter && a.partitions === undefined) throw new Error('--alter needs --partitions');
        return true;
      }),
  handler: async (args) => {
    if (args['bootstrap-server']) {
      try {
        await viaBroker(args);
      } catch (err) {
        exitWithError(err);
      }
      return;
    }
    const client = new ControllerClient([parseEndpoint(args['bootstrap-controller']!)], controllerSecurityOf(args));
    try {
      if (args.create) {
        const configs = Object.fromEntries(parseConfigFlags(args.config ?? []));
        const res = await client.createTopics({
          topics: [
            {
              name: args.topic,
              numPartitions: args.partitions ?? -1,
              replicationFactor: args['replication-factor'] ?? -1,
              configs,
            },
          ],
          validateOnly: Boolean(args['validate-only']),
        });
        checkResults(res, 'create');
      } else if (args.delete) {
        checkResults(await client.deleteTopics({ names: [args.topic!] }), 'delete');
      } else if (args.alter) {
        checkResults(
          await client.createPartitions({
            topics: [{ name: args.topic, count: args.partitions }],
            validateOnly: Boolean(args['validate-only']),
          }),
          'alter',
        );
      } else {
        const res: ControllerResponse<'DescribeTopics'> = await client.describeTopics(
          { names: args.topic ? [args.topic] : [] },
          { anyController: true },
        );
        const topics = res.topics;
        if (args.list) {
          if (args.json) console.log(JSON.stringify(topics.map((t) => t.name)));
          else for (const t of topics) console.log(t.name);
        } else if (args.json) {
          console.log(
            JSON.stringify(
              {
                metadataOffset: res.metadataOffset,
                imageDigest: res.imageDigest,
                brokers: res.brokers,
                topics: topics.map((t) => ({ ...t, topicId: topicIdOf(t.topicId), errorCode: t.errorCode })),
              },
              null,
              2,
            ),
          );
        } else {
          const live = new Set(res.brokers.filter((b) => !b.fenced).map((b) => b.id));
          const described: DescribedTopic[] = [];
          for (const t of topics) {
            if (t.errorCode !== 0) throw new Error(`topic ${t.name}: ${errorName(t.errorCode)}`);
            const d = filterPartitions(describedFromWire(t), args, live);
            if (d) described.push(d);
          }
          printDescribed(described, { ...args, json: false });
        }
      }
    } catch (err) {
      exitWithError(err);
    } finally {
      client.close();
    }
  },
};
