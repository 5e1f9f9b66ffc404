// The `raftka` command line (DESIGN.md "Command line"). Each subcommand lives in its own file
// under src/cli/ and only parses flags, calls a library function and prints.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import type { CommandModule } from 'yargs';
import { clusterCommand } from './cluster-command.js';
import { dumpLogCommand } from './dump-log-command.js';
import { metadataQuorumCommand } from './metadata-quorum-command.js';
import { serverCommand } from './server-command.js';
import { storageCommand } from './storage-command.js';
import { topicsCommand } from './topics-command.js';
import { configsCommand } from './configs-command.js';
import { aclsCommand } from './acls-command.js';
import { migrateCommand } from './migrate-command.js';
import { featuresCommand } from './features-command.js';
import { consoleProducerCommand } from './console-producer-command.js';
import { consoleConsumerCommand } from './console-consumer-command.js';
import { reassignPartitionsCommand } from './reassign-partitions-command.js';
import { consumerGroupsCommand } from './consumer-groups-command.js';
import { jepsenCommand } from './jepsen-command.js';
import { transactionsCommand } from './transactions-command.js';
import { certsCommand } from './certs-command.js';
import { leaderElectionCommand } from './leader-election-command.js';

// Each command file exports one CommandModule; add new ones to this list.
const commands: CommandModule[] = [
  storageCommand,
  serverCommand,
  clusterCommand,
  metadataQuorumCommand,
  dumpLogCommand as unknown as CommandModule,
  topicsCommand as unknown as CommandModule,
  configsCommand as unknown as CommandModule,
  aclsCommand as unknown as CommandModule,
  featuresCommand as unknown as CommandModule,
  consoleProducerCommand as unknown as CommandModule,
  consoleConsumerCommand as unknown as CommandModule,
  reassignPartitionsCommand as unknown as CommandModule,
  leaderElectionCommand as unknown as CommandModule,
  consumerGroupsCommand as unknown as CommandModule,
  transactionsCommand as unknown as CommandModule,
  migrateCommand,
  certsCommand,
  jepsenCommand,
];

await yargs(hideBin(process.argv))
  .scriptName('raftka')
  .command(commands)
  .demandCommand(1, 'name a command; see raftka --help')
  .strict()
  .help()
  .parseAsync();
