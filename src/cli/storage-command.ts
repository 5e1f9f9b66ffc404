// `raftka storage random-uuid | format --config F --cluster-id ID [--ignore-formatted]`.
import type { CommandModule } from 'yargs';
import { loadNodeConfig } from '../common/config.js';
import { formatStorage, randomUuid } from '../server/storage-format.js';
import { exitWithError } from './errors.js';
import { parseOverrides } from './overrides.js';

interface FormatArgs {
  config: string;
  'cluster-id': string;
  'ignore-formatted'?: boolean;
  override?: string[];
}

const randomUuidCommand: CommandModule = {
  command: 'random-uuid',
  describe: 'Print a new random cluster id',
  handler: () => console.log(randomUuid()),
};

const formatCommand: CommandModule<object, FormatArgs> = {
  command: 'format',
  describe: "Write meta.properties into the node's log directories",
  builder: (y) =>
    y
      .option('config', { type: 'string', demandOption: true, describe: 'the node .properties file' })
      .option('cluster-id', { type: 'string', demandOption: true, describe: 'from raftka storage random-uuid' })
      .option('ignore-formatted', { type: 'boolean', describe: 'skip directories that are already formatted' })
      .option('override', { type: 'string', array: true, describe: 'key=value, wins over the file' }),
  handler: (args) => {
    try {
      const config = loadNodeConfig(args.config, parseOverrides(args.override));
      const result = formatStorage(config, args['cluster-id'], { ignoreFormatted: Boolean(args['ignore-formatted']) });
      for (const d of result.alreadyFormatted) console.log(`${d} is already formatted; skipped`);
      for (const d of result.adopted)
        console.log(
          `Adopted ${d} (a ZooKeeper-mode Kafka broker's log directory) for cluster ${args['cluster-id']} node ${config.nodeId}`,
        );
      for (const d of result.formatted)
        console.log(`Formatted ${d} for cluster ${args['cluster-id']} node ${config.nodeId}`);
    } catch (err) {
      exitWithError(err);
    }
  },
};

export const storageCommand: CommandModule = {
  command: 'storage <command>',
  describe: 'Format storage, make cluster ids',
  builder: (y) =>
    y
      .command(randomUuidCommand)
      .command(formatCommand as unknown as CommandModule)
      .demandCommand(1),
  handler: () => {},
};
