// `raftka reassign-partitions --bootstrap-server H:P --reassignment-json-file F --execute |
// --verify | --cancel`, and `--list`, like kafka-reassign-partitions.sh. The file is Kafka's
// format: {"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[2,3,4]}]}.
import { readFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { KafkaClient } from '../client/kafka-client.js';
import { errorName } from '../common/errors.js';
import { parseEndpoints } from '../common/endpoint.js';
import { exitWithError } from './errors.js';
import { type CommandConfigArgs, clientSecurityOf, commandConfigOption } from './command-config.js';

interface ReassignArgs extends CommandConfigArgs {
  'bootstrap-server': string;
  'reassignment-json-file'?: string;
  execute?: boolean;
  verify?: boolean;
  cancel?: boolean;
  list?: boolean;
}

interface PlanEntry {
  topic: string;
  partition: number;
  replicas: number[];
}

function readPlan(path: string): PlanEntry[] {
  const doc = JSON.parse(readFileSync(path, 'utf8')) as { partitions?: unknown };
  if (!Array.isArray(doc.partitions)) throw new Error(`${path}: expected {"version":1,"partitions":[...]}`);
  return doc.partitions.map((p: unknown, i: number) => {
    const e = p as Partial<PlanEntry>;
    if (
      typeof e.topic !== 'string' ||
      !Number.isInteger(e.partition) ||
      !Array.isArray(e.replicas) ||
      !e.replicas.every(Number.isInteger)
    )
      throw new Error(`${path}: partitions[${i}] needs topic, partition and replicas`);
    return { topic: e.topic, partition: e.partition!, replicas: e.replicas };
  });
}

export const reassignPartitionsCommand: CommandModule<object, ReassignArgs> = {
  command: 'reassign-partitions',
  describe: 'Move partition replicas between brokers (start, verify, cancel, list)',
  builder: (y) =>
    y
      .option('bootstrap-server', { type: 'string', demandOption: true, describe: 'host:port[,host:port...]' })
      .option('command-config', commandConfigOption)
      .option('reassignment-json-file', { type: 'string' })
      .option('execute', { type: 'boolean' })
      .option('verify', { type: 'boolean' })
      .option('cancel', { type: 'boolean' })
      .option('list', { type: 'boolean' })
      .check((a) => {
        const actions = ['execute', 'verify', 'cancel', 'list'].filter((k) => a[k as keyof typeof a]);
        if (actions.length !== 1) throw new Error('give exactly one of --execute, --verify, --cancel, --list');
        if (!a.list && !a['reassignment-json-file']) throw new Error('--reassignment-json-file is required');
        return true;
      }),
  handler: async (args) => {
    const client = new KafkaClient(parseEndpoints(args['bootstrap-server']), {
      clientId: 'raftka-reassign',
      security: clientSecurityOf(args),
    });
    try {
      if (args.list) {
        const inProgress = await client.listPartitionReassignments(null);
        if (inProgress.length === 0) console.log('No partition reassignments found.');
        for (const r of inProgress)
          console.log(
            `${r.topic}-${r.partition}: replicas: ${r.replicas.join(',')}. adding: ${r.addingReplicas.join(',')}. removing: ${r.removingReplicas.join(',')}.`,
          );
        return;
      }
      const plan = readPlan(args['reassignment-json-file']!);
      const names = (e: { topic: string; partition: number }): string => `${e.topic}-${e.partition}`;
      if (args.verify) {
        const inProgress = new Set((await client.listPartitionReassignments(plan)).map(names));
        const md = await client.metadata([...new Set(plan.map((p) => p.topic))]);
        for (const e of plan) {
          const now = md.topics.find((t) => t.name === e.topic)?.partitions.find((p) => p.partition === e.partition);
          if (inProgress.has(names(e))) console.log(`Reassignment of partition ${names(e)} is still in progress.`);
          else if (now && now.replicas.join(',') === e.replicas.join(','))
            console.log(`Reassignment of partition ${names(e)} is completed.`);
          else
            console.log(
              `There is no active reassignment of partition ${names(e)}, but replica set is ${now?.replicas.join(',') ?? '?'} rather than ${e.replicas.join(',')}.`,
            );
        }
        return;
      }
      if (args.execute) {
        const md = await client.metadata([...new Set(plan.map((p) => p.topic))]);
        const current = plan.map((e) => ({
          topic: e.topic,
          partition: e.partition,
          replicas:
            md.topics.find((t) => t.name === e.topic)?.partitions.find((p) => p.partition === e.partition)?.replicas ??
            [],
        }));
        console.log('Current partition replica assignment\n');
        console.log(JSON.stringify({ version: 1, partitions: current }));
        console.log('\nSave this to use as the --reassignment-json-file option during rollback');
      }
      const results = await client.alterPartitionReassignments(
        plan.map((e) => ({ topic: e.topic, partition: e.partition, replicas: args.cancel ? null : e.replicas })),
      );
      const failed = results.filter((r) => r.errorCode !== 0);
      if (failed.length > 0)
        throw new Error(
          failed.map((r) => `${names(r)}: ${errorName(r.errorCode)}: ${r.errorMessage ?? ''}`).join('\n'),
        );
      console.log(
        `Successfully ${args.cancel ? 'cancelled' : 'started'} partition reassignment${results.length === 1 ? '' : 's'} for ${results.map(names).join(',')}`,
      );
    } catch (err) {
      exitWithError(err);
    } finally {
      client.close();
    }
  },
};
