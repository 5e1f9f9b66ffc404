// `raftka metadata-quorum --bootstrap-controller H:P describe --status | --replication [--json]`,
// printing what kafka-metadata-quorum.sh prints.
import type { CommandModule } from 'yargs';
import { describeQuorum, type QuorumDescription } from '../client/quorum-client.js';
import { parseEndpoint } from '../common/endpoint.js';
import { exitWithError } from './errors.js';
import { type CommandConfigArgs, controllerSecurityOf, commandConfigOption } from './command-config.js';
import { formatTable } from './table.js';

interface DescribeArgs extends CommandConfigArgs {
  'bootstrap-controller': string;
  status?: boolean;
  replication?: boolean;
  json?: boolean;
}

export function formatStatus(d: QuorumDescription): string {
  const rows: [string, string][] = [
    ['ClusterId', d.clusterId],
    ['LeaderId', String(d.leaderId)],
    ['LeaderEpoch', String(d.leaderEpoch)],
    ['HighWatermark', String(d.highWatermark)],
    ['MaxFollowerLag', String(d.maxFollowerLag)],
    ['MaxFollowerLagTimeMs', String(d.maxFollowerLagTimeMs)],
    ['CurrentVoters', `[${d.currentVoters.join(',')}]`],
    ['CurrentObservers', `[${d.currentObservers.join(',')}]`],
  ];
  return rows.map(([k, v]) => `${`${k}:`.padEnd(24)}${v}`).join('\n');
}

export function formatReplication(d: QuorumDescription): string {
  const header = ['NodeId', 'LogEndOffset', 'Lag', 'LastFetchTimestamp', 'LastCaughtUpTimestamp', 'Status'];
  const rows = d.replicas.map((r) => [
    String(r.nodeId),
    String(r.logEndOffset),
    String(r.lag),
    r.lastFetchTimestamp === null ? '-1' : String(r.lastFetchTimestamp),
    r.lastCaughtUpTimestamp === null ? '-1' : String(r.lastCaughtUpTimestamp),
    r.status,
  ]);
  return formatTable(header, rows);
}

const describe: CommandModule<{ 'bootstrap-controller': string }, DescribeArgs> = {
  command: 'describe',
  describe: 'Describe the metadata quorum (ask the active controller)',
  builder: (y) =>
    y
      .option('status', { type: 'boolean', describe: 'leader, epoch, high watermark, voters, observers' })
      .option('replication', { type: 'boolean', describe: 'per-replica log end offset, lag and fetch times' })
      .option('json', { type: 'boolean', describe: 'print JSON' })
      .check((a) => {
        if (Boolean(a.status) === Boolean(a.replication))
          throw new Error('give exactly one of --status or --replication');
        return true;
      }),
  handler: async (args) => {
    try {
      const d = await describeQuorum(parseEndpoint(args['bootstrap-controller']), controllerSecurityOf(args));
      if (args.json) {
        const { replicas, ...status } = d;
        console.log(JSON.stringify(args.status ? status : replicas, null, 2));
      } else {
        console.log(args.status ? formatStatus(d) : formatReplication(d));
      }
    } catch (err) {
      exitWithError(err);
    }
  },
};

export const metadataQuorumCommand: CommandModule = {
  command: 'metadata-quorum <command>',
  describe: 'Describe the KRaft metadata quorum',
  builder: (y) =>
    y
      .option('bootstrap-controller', { type: 'string', demandOption: true, describe: 'host:port of any controller' })
      .option('command-config', commandConfigOption)
      .command(describe as unknown as CommandModule)
      .demandCommand(1),
  handler: () => {},
};
