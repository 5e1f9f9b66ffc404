// `raftka leader-election --bootstrap-server H:P --election-type preferred|unclean
// (--topic T --partition P | --all-topic-partitions | --path-to-json-file F)`, like
// kafka-leader-election.sh, over the Kafka protocol (ElectLeaders, key 43). The JSON file is
// Kafka's: {"partitions":[{"topic":"t","partition":0}]}. Output is Kafka's three kinds of line;
// the exit status is 1 when any partition could not be elected.
import { readFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { electLeaders, type ElectionOutcome } from '../client/cluster-admin.js';
import { KafkaClient } from '../client/kafka-client.js';
import { ErrorCode, errorName } from '../common/errors.js';
import { parseEndpoints } from '../common/endpoint.js';
import { ElectionType } from '../protocol/messages/elect-leaders.js';
import { exitWithError } from './errors.js';
import { type CommandConfigArgs, clientSecurityOf, commandConfigOption } from './command-config.js';

interface LeaderElectionArgs extends CommandConfigArgs {
  'bootstrap-server': string;
  'election-type': string;
  topic?: string;
  partition?: number;
  'all-topic-partitions'?: boolean;
  'path-to-json-file'?: string;
  json?: boolean;
}

function readPartitions(path: string): { topic: string; partition: number }[] {
  const doc = JSON.parse(readFileSync(path, 'utf8')) as { partitions?: unknown };
  if (!Array.isArray(doc.partitions))
    throw new Error(`${path}: expected {"partitions":[{"topic":...,"partition":...}]}`);
  return doc.partitions.map((p: unknown, i: number) => {
    const e = p as { topic?: unknown; partition?: unknown };
    if (typeof e.topic !== 'string' || !Number.isInteger(e.partition))
      throw new Error(`${path}: partitions[${i}] needs topic and partition`);
    return { topic: e.topic, partition: e.partition as number };
  });
}

/** Kafka's three kinds of line; returns how many partitions failed. */
function report(outcomes: readonly ElectionOutcome[], typeName: string): number {
  const name = (o: ElectionOutcome): string => `${o.topic}-${o.partition}`;
  const done = outcomes.filter((o) => o.errorCode === ErrorCode.NONE);
  const noop = outcomes.filter((o) => o.errorCode === ErrorCode.ELECTION_NOT_NEEDED);
  const failed = outcomes.filter(
    (o) => o.errorCode !== ErrorCode.NONE && o.errorCode !== ErrorCode.ELECTION_NOT_NEEDED,
  );
  if (done.length > 0)
    console.log(`Successfully completed leader election (${typeName}) for partitions ${done.map(name).join(', ')}`);
  if (noop.length > 0) console.log(`Valid replica already elected for partitions ${noop.map(name).join(', ')}`);
  for (const o of failed)
    console.log(
      `Error completing leader election (${typeName}) for partition: ${name(o)}: ${errorName(o.errorCode)}: ${o.errorMessage ?? ''}`,
    );
  return failed.length;
}

export const leaderElectionCommand: CommandModule<object, LeaderElectionArgs> = {
  command: 'leader-election',
  describe: 'Elect preferred or unclean leaders for partitions (ElectLeaders)',
  builder: (y) =>
    y
      .option('bootstrap-server', { type: 'string', demandOption: true })
      .option('command-config', commandConfigOption)
      .option('election-type', { type: 'string', choices: ['preferred', 'unclean'], demandOption: true })
      .option('topic', { type: 'string' })
      .option('partition', { type: 'number' })
      .option('all-topic-partitions', { type: 'boolean' })
      .option('path-to-json-file', { type: 'string' })
      .option('json', { type: 'boolean', describe: 'print the per-partition results as JSON' })
      .check((a) => {
        const ways = [a.topic !== undefined, Boolean(a['all-topic-partitions']), a['path-to-json-file'] !== undefined];
        if (ways.filter(Boolean).length !== 1)
          throw new Error(
            'give exactly one of --topic (with --partition), --all-topic-partitions, --path-to-json-file',
          );
        if (a.topic !== undefined && !Number.isInteger(a.partition)) throw new Error('--topic needs --partition');
        if (a.partition !== undefined && a.topic === undefined) throw new Error('--partition needs --topic');
        return true;
      }),
  handler: async (args) => {
    const client = new KafkaClient(parseEndpoints(args['bootstrap-server']), {
      clientId: 'raftka-leader-election',
      security: clientSecurityOf(args),
    });
    try {
      const partitions = args['all-topic-partitions']
        ? null
        : args['path-to-json-file'] !== undefined
          ? readPartitions(args['path-to-json-file'])
          : [{ topic: args.topic!, partition: args.partition! }];
      const unclean = args['election-type'] === 'unclean';
      const outcomes = await electLeaders(client, unclean ? ElectionType.UNCLEAN : ElectionType.PREFERRED, partitions);
      if (args.json) {
        console.log(JSON.stringify(outcomes.map((o) => ({ ...o, error: errorName(o.errorCode) }))));
        if (outcomes.some((o) => o.errorCode !== ErrorCode.NONE && o.errorCode !== ErrorCode.ELECTION_NOT_NEEDED))
          process.exitCode = 1;
        return;
      }
      const failed = report(outcomes, unclean ? 'UNCLEAN' : 'PREFERRED');
      if (failed > 0) throw new Error(`${failed} replica(s) could not be elected`);
    } catch (err) {
      exitWithError(err);
    } finally {
      client.close();
    }
  },
};
