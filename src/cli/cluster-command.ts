// `raftka cluster up | status | down --config-dir D [--data-dir DIR]`: run every node of a
// cluster-config folder as its own process (src/server/cluster-manager.ts does the work).
import type { Argv, CommandModule } from 'yargs';
import {
  clusterDown,
  clusterStatus,
  clusterUp,
  describeNodes,
  superviseForeground,
} from '../server/cluster-manager.js';
import { exitWithError } from './errors.js';
import { formatTable } from './table.js';

interface ClusterArgs {
  'config-dir': string;
  'data-dir'?: string;
}

const common = <T>(y: Argv<T>): Argv<T & ClusterArgs> =>
  y
    .option('config-dir', { type: 'string', demandOption: true, describe: 'folder with one .properties file per node' })
    .option('data-dir', {
      type: 'string',
      describe: 'where the nodes keep data, logs and pid files (default ./data/<folder>)',
    });

/** SIGINT/SIGTERM abort the signal; repeats are ignored while the nodes stop (there is a deadline). */
function stopRequested(): AbortSignal {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  process.on('SIGINT', abort);
  process.on('SIGTERM', abort);
  return controller.signal;
}

const up: CommandModule<object, ClusterArgs & { detach?: boolean; 'wait-timeout'?: number; 'cluster-id'?: string }> = {
  command: 'up',
  describe: 'Format (first time) and start every node that is not running; stay in the foreground unless --detach',
  builder: (y) =>
    common(y)
      .option('detach', { type: 'boolean', describe: 'return once the cluster is ready, leaving the nodes running' })
      .option('cluster-id', {
        type: 'string',
        describe:
          'format a cluster started for the first time with this id (e.g. the ZooKeeper cluster id before `migrate apply`); default a new one',
      })
      .option('wait-timeout', {
        type: 'number',
        describe:
          'ms to wait, once every node is healthy, for a quorum leader and every broker unfenced (default 60000)',
      }),
  handler: async (args) => {
    try {
      const detach = Boolean(args.detach);
      // In the foreground, Ctrl-C stops the nodes even while they are still starting.
      const signal = detach ? undefined : stopRequested();
      const result = await clusterUp({
        configDir: args['config-dir'],
        dataDir: args['data-dir'],
        detach,
        signal,
        readyTimeoutMs: args['wait-timeout'],
        clusterId: args['cluster-id'],
      });
      console.log(
        result.started.length > 0 ? `started ${result.started.join(', ')}` : 'every node was already running',
      );
      console.log(`cluster id ${result.clusterId}`);
      console.log(describeNodes(result.nodes, result.paths));
      for (const n of result.nodes)
        if (n.adminListener)
          console.log(`console: http://${urlHost(n.adminListener.host)}:${n.adminListener.port}/ui/ (${n.name})`);
      console.log('ready');
      if (signal === undefined) return;
      console.log('running in the foreground; Ctrl-C stops every node');
      const stopped = await superviseForeground(result.paths, { signal, report: (line) => console.log(line) });
      console.log(`stopped ${stopped.length} node(s)${forcedNote(stopped)}`);
      process.exit(0);
    } catch (err) {
      exitWithError(err);
    }
  },
};

/** A listener host as a URL host: IPv6 in brackets, the wildcard as localhost. */
function urlHost(host: string): string {
  if (host === '' || host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function forcedNote(stopped: readonly { node: { name: string }; forced: boolean }[]): string {
  const forced = stopped.filter((s) => s.forced).map((s) => s.node.name);
  return forced.length > 0 ? ` (killed after the timeout: ${forced.join(', ')})` : '';
}

const status: CommandModule<object, ClusterArgs & { json?: boolean }> = {
  command: 'status',
  describe: 'Show every node: id, roles, pid, state, broker state, quorum leader, listeners',
  builder: (y) => common(y).option('json', { type: 'boolean', describe: 'print JSON' }),
  handler: async (args) => {
    try {
      const nodes = await clusterStatus({ configDir: args['config-dir'], dataDir: args['data-dir'] });
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
        n.brokerState ?? '-',
        n.quorumLeaderId === null ? '-' : String(n.quorumLeaderId),
        n.listeners.map((l) => `${l.name}://${l.host}:${l.port}`).join(','),
        n.adminListener ? `${n.adminListener.host}:${n.adminListener.port}` : '-',
      ]);
      console.log(
        formatTable(
          ['NAME', 'NODE-ID', 'ROLES', 'PID', 'STATE', 'BROKER', 'QUORUM-LEADER', 'LISTENERS', 'ADMIN'],
          rows,
        ),
      );
    } catch (err) {
      exitWithError(err);
    }
  },
};

const down: CommandModule<object, ClusterArgs> = {
  command: 'down',
  describe: 'Stop every running node (SIGTERM, then SIGKILL after a timeout)',
  builder: (y) => common(y),
  handler: async (args) => {
    try {
      const stopped = await clusterDown({ configDir: args['config-dir'], dataDir: args['data-dir'] });
      console.log(
        stopped.length > 0
          ? `stopped ${stopped.map((s) => s.node.name).join(', ')}${forcedNote(stopped)}`
          : 'no node was running',
      );
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
