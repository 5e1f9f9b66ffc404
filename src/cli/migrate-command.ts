// `raftka migrate rehearse (--zk-data-dir D | --zk-dump F) [--json] [--output FILE]`: the offline
// ZooKeeper-to-KRaft rehearsal of issue 7 (migration/). Parses flags, calls rehearse(), prints.
// Exit codes: 0 migratable (warnings allowed), 3 blocking errors, 2 input unreadable. The report
// file is written only after the input was read completely, so a failed read leaves nothing.
// `apply` and `verify` come with the controller's migration RPC.
import { writeFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { MigrationInputError } from '../../migration/src/errors.js';
import { formatReport } from '../../migration/src/report.js';
import { rehearse, RehearseExit, type ZkInput } from '../../migration/src/rehearse.js';

interface RehearseArgs {
  'zk-data-dir'?: string;
  'zk-dump'?: string;
  json?: boolean;
  output?: string;
}

const rehearseCommand: CommandModule<object, RehearseArgs> = {
  command: 'rehearse',
  describe: 'Read a ZooKeeper data directory or JSON dump offline and report what a migration would write',
  builder: (y) =>
    y
      .option('zk-data-dir', { type: 'string', describe: 'ZooKeeper dataDir (holding version-2/snapshot.* and log.*)' })
      .option('zk-dump', { type: 'string', describe: 'JSON dump of the znode tree (path → node)' })
      .option('json', { type: 'boolean', describe: 'print the JSON report instead of the summary' })
      .option('output', { type: 'string', describe: 'write the JSON report to FILE as well' })
      .check((a) => {
        if (Boolean(a['zk-data-dir']) === Boolean(a['zk-dump'])) throw new Error('give exactly one of --zk-data-dir, --zk-dump');
        return true;
      }),
  handler: async (args) => {
    const input: ZkInput = args['zk-data-dir'] ? { zkDataDir: args['zk-data-dir'] } : { zkDump: args['zk-dump']! };
    try {
      const result = await rehearse(input);
      const json = JSON.stringify(result.report, null, 2) + '\n';
      if (args.output) writeFileSync(args.output, json);
      process.stdout.write(args.json ? json : formatReport(result.report, result.readMs, result.plan.forced) + '\n');
      process.exitCode = result.exitCode;
    } catch (err) {
      if (!(err instanceof MigrationInputError)) throw err;
      process.stderr.write(`raftka: cannot read the ZooKeeper input: ${err.message}\n`);
      process.exitCode = RehearseExit.unreadable;
    }
  },
};

export const migrateCommand: CommandModule = {
  command: 'migrate <command>',
  describe: 'ZooKeeper-to-KRaft migration (rehearse offline)',
  builder: (y) => y.command(rehearseCommand as unknown as CommandModule).demandCommand(1),
  handler: () => {},
};
