// `raftka cluster up | status | down --config-dir D [--data-dir DIR]`.
import type { Argv, CommandModule } from 'yargs';
import { clusterDown, clusterStatus, clusterUp, describeNodes, resolvePaths, superviseForeground } from '../server/cluster-manager.js';
import { exitWithError } from './errors.js';
import { formatTable } from './table.js';

interface ClusterArgs {
  'config-dir': string;
  'data-dir'?: string;
}

const common = <T>(y: Argv<T>): Argv<T & ClusterArgs> =>
  y
    .option('config-dir', { type: 'string', demandOption: true, describe: 'folder with one .properties file per node' })
    .option('data-dir', { type: 'string', describe: 'where the nodes keep data, logs and pid files (default ./data/<folder>)' });

const up: CommandModule<object, ClusterArgs & { detach?: boolean }> = {
  command: 'up',
  describe: 'Format (first time) and start every node that is not running',
  builder: (y) => common(y).option('detach', { type: 'boolean', describe: 'return once every node is up, leaving them running' }),
  handler: async (args) => {
    try {
      const paths = resolvePaths(args['config-dir'], args['data-dir']);
      const result = await clusterUp(paths);
      console.log(result.started.length > 0 ? `started ${result.started.join(', ')}` : 'every node was already running');
      console.log(`cluster id ${result.clusterId}`);
      console.log(describeNodes(result.nodes, paths));
      if (args.detach) return;
      console.log('running in the foreground; Ctrl-C stops every node');
      await superviseForeground(paths, (line) => console.log(line));
      process.exit(0);
    } catch (err) {
      exitWithError(err);
    }
  },
};

const status: CommandModule<object, ClusterArgs & { json?: boolean }> = {
  command: 'status',
  describe: 'Show every node: id, roles, pid, state, listeners',
  builder: (y) => common(y).option('json', { type: 'boolean', describe: 'print JSON' }),
  handler: async (args) => {
    try {
      const paths = resolvePaths(args['config-dir'], args['data-dir']);
      const nodes = await clusterStatus(paths);
      if (args.json) {
        console.log(JSON.stringify(nodes, null, 2));
        return;
      }
      const rows = nodes.map((n) => [
        n.name,
        String(n.nodeId),
        n.roles.join(','),
        n.pid === null ? '-' : String(n.pid),
        n.state === 'running' && !n.healthy ? 'running (unhealthy)' : n.state,
        n.listeners.map((l) => `${l.name}://${l.host}:${l.port}`).join(','),
        n.adminListener ? `${n.adminListener.host}:${n.adminListener.port}` : '-',
      ]);
      console.log(formatTable(['NAME', 'NODE-ID', 'ROLES', 'PID', 'STATE', 'LISTENERS', 'ADMIN'], rows));
    } catch (err) {
      exitWithError(err);
    }
  },
};

const down: CommandModule<object, ClusterArgs> = {
  command: 'down',
  describe: 'Stop every running node',
  builder: (y) => common(y),
  handler: async (args) => {
    try {
      const stopped = await clusterDown(resolvePaths(args['config-dir'], args['data-dir']));
      console.log(stopped.length > 0 ? `stopped ${stopped.join(', ')}` : 'no node was running');
    } catch (err) {
      exitWithError(err);
    }
  },
};

export const clusterCommand: CommandModule = {
  command: 'cluster <command>',
  describe: 'Run every node of a cluster-config folder as its own process',
  builder: (y) =>
    y
      .command(up as unknown as CommandModule)
      .command(status as unknown as CommandModule)
      .command(down as unknown as CommandModule)
      .demandCommand(1),
  handler: () => {},
};
