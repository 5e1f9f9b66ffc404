// `raftka server start --config F [--override key=value ...]`: run one node in the foreground
// until SIGTERM/SIGINT. Logs are pino JSON on stdout.
import type { CommandModule } from 'yargs';
import { loadNodeConfig } from '../common/config.js';
import { createLogger } from '../common/logging.js';
import { type RunningNode, startNode } from '../server/node.js';
import type { NodeConfig } from '../common/node-config.js';
import { parseOverrides } from './overrides.js';
import { exitWithError } from './errors.js';

interface StartArgs {
  config: string;
  override?: string[];
}

const start: CommandModule<object, StartArgs> = {
  command: 'start',
  describe: 'Start a node from a .properties file',
  builder: (y) =>
    y
      .option('config', { type: 'string', demandOption: true, describe: 'the node .properties file' })
      .option('override', { type: 'string', array: true, describe: 'key=value, wins over the file' }),
  handler: async (args) => {
    let config: NodeConfig;
    try {
      config = loadNodeConfig(args.config, parseOverrides(args.override));
    } catch (err) {
      exitWithError(err);
    }
    const logger = createLogger({ nodeId: config.nodeId });
    const fatal = (err: unknown): never => {
      logger.fatal({ err }, 'fatal error, stopping');
      process.exit(1);
    };
    process.on('uncaughtException', fatal);
    process.on('unhandledRejection', fatal);
    // Node's own warnings (MaxListenersExceededWarning, deprecations) as log lines, not text on stderr.
    process.removeAllListeners('warning');
    process.on('warning', (w) => logger.warn({ warning: w.name, detail: w.message, stack: w.stack }, 'node warning'));
    let node: RunningNode;
    try {
      node = await startNode(config, logger, fatal);
    } catch (err) {
      logger.fatal({ err }, 'node failed to start');
      exitWithError(err);
    }
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stop requested');
      node.shutdown().then(
        () => process.exit(0),
        (err: unknown) => fatal(err),
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  },
};

export const serverCommand: CommandModule = {
  command: 'server <command>',
  describe: 'Run a raftka node',
  builder: (y) => y.command(start as unknown as CommandModule).demandCommand(1),
  handler: () => {},
};
