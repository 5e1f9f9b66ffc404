// `raftka migrate rehearse (--zk-data-dir D | --zk-dump F) [--bootstrap-controller H:P] [--json]
// [--output FILE]`: the ZooKeeper-to-KRaft rehearsal of issue 7 (migration/). Parses flags, calls
// rehearse() (and, with --bootstrap-controller, checks the running KRaft cluster: issue 17 item
// 2), prints. Exit codes: 0 migratable (warnings allowed), 3 blocking errors, 2 input unreadable,
// 1 no controller answered. The report file is written only after the input was read
// completely, so a failed read leaves nothing.
// Every command takes `--staging-dir D`: the data directory's tree is read into D/tree (LevelDB)
// and kept, so a rerun on the unchanged input resumes from it; apply keeps its journal in
// D/journal. Without it the tree goes to a temporary store, removed at the end.
// `raftka migrate apply ... --bootstrap-controller H:P [--force] [--json]`: exit 0 applied or
// already migrated, 1 refused by the controller (or none answered), 2 input unreadable, 3
// blocking problems (of the input or of the target) without --force. While the import runs it
// reports progress, retries and a controller change on stderr: a bar and lines on a terminal,
// JSON lines with --json (issue 17 item 6). `raftka migrate verify ... --bootstrap-controller H:P
// [--json]`: exit 0 equal, 1 different (with the diff), 2 input unreadable.
// Every command that contacts the controllers takes `--command-config FILE` as the other
// --bootstrap-controller tools do (command-config.ts): security.protocol=SSL reaches a controller
// listener that is mutual TLS (CONTROLLER:SSL) with the file's client certificate.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { formatApplyEvent, type ApplyEvent } from '../../migration/src/apply-events.js';
import { applyMigration, formatApplyResult } from '../../migration/src/apply.js';
import { MigrationInputError } from '../../migration/src/errors.js';
import { formatVerifyResult, verifyMigration } from '../../migration/src/verify.js';
import { parseEndpoint } from '../common/endpoint.js';
import { formatReport } from '../../migration/src/report.js';
import { rehearse, RehearseExit, type ZkInput } from '../../migration/src/rehearse.js';
import { describeTarget } from '../../migration/src/target.js';
import { withTarget } from '../../migration/src/target-checks.js';
import { type CommandConfigArgs, commandConfigOption, controllerSecurityOf } from './command-config.js';

const stagingDirHelp =
  'keep the ZooKeeper tree (LevelDB) and the apply journal in this directory; a rerun on the same data directory resumes from it';

const zkConnectHelp =
  'a running ZooKeeper ensemble, read-only: host:port[,host:port...][/chroot] (needs python3-kazoo)';

/** Exactly one ZooKeeper input flag. */
function checkOneInput(a: { 'zk-data-dir'?: string; 'zk-dump'?: string; 'zk-connect'?: string }): true {
  const given = [a['zk-data-dir'], a['zk-dump'], a['zk-connect']].filter(Boolean).length;
  if (given !== 1) throw new Error('give exactly one of --zk-data-dir, --zk-dump, --zk-connect');
  return true;
}

interface RehearseArgs extends CommandConfigArgs {
  'zk-data-dir'?: string;
  'zk-dump'?: string;
  'zk-connect'?: string;
  'staging-dir'?: string;
  'bootstrap-controller'?: string;
  json?: boolean;
  output?: string;
}

const rehearseCommand: CommandModule<object, RehearseArgs> = {
  command: 'rehearse',
  describe:
    'Read a ZooKeeper data directory or JSON dump and report what a migration would write (and, with --bootstrap-controller, what the KRaft cluster says to it)',
  builder: (y) =>
    y
      .option('zk-data-dir', { type: 'string', describe: 'ZooKeeper dataDir (holding version-2/snapshot.* and log.*)' })
      .option('zk-dump', { type: 'string', describe: 'JSON dump of the znode tree (path → node)' })
      .option('zk-connect', { type: 'string', describe: zkConnectHelp })
      .option('staging-dir', { type: 'string', describe: stagingDirHelp })
      .option('bootstrap-controller', {
        type: 'string',
        describe:
          'host:port of the target KRaft controllers (comma-separated): check cluster id, broker ids, replicas and metadata.version against it',
      })
      .option('command-config', commandConfigOption)
      .option('json', { type: 'boolean', describe: 'print the JSON report instead of the summary' })
      .option('output', { type: 'string', describe: 'write the JSON report to FILE as well' })
      .check(checkOneInput),
  handler: (args) =>
    runLive(async () => {
      const offline = await rehearse(inputOf(args));
      const result = args['bootstrap-controller']
        ? withTarget(offline, await describeTarget(controllersOf(args), controllerSecurityOf(args)))
        : offline;
      const json = `${JSON.stringify(result.report, null, 2)}\n`;
      if (args.output) writeFileSync(args.output, json);
      const resumed = result.resumed
        ? `\nThe ZooKeeper tree came from the staging store in ${args['staging-dir']} (the data directory is unchanged since it was read).`
        : '';
      process.stdout.write(
        args.json ? json : `${formatReport(result.report, result.readMs, result.plan.forced) + resumed}\n`,
      );
      return result.exitCode;
    }),
};

interface LiveArgs extends CommandConfigArgs {
  'zk-data-dir'?: string;
  'zk-dump'?: string;
  'zk-connect'?: string;
  'staging-dir'?: string;
  'bootstrap-controller': string;
  json?: boolean;
  force?: boolean;
  'timeout-ms'?: number;
}

/** Inputs ≥ this many records get a progress bar (on a terminal). */
const progressRecordsMin = 1_000;

function inputOptions<T>(y: Argv<T>): Argv<T & LiveArgs> {
  return y
    .option('zk-data-dir', { type: 'string', describe: 'ZooKeeper dataDir (holding version-2/snapshot.* and log.*)' })
    .option('zk-dump', { type: 'string', describe: 'JSON dump of the znode tree (path → node)' })
    .option('zk-connect', { type: 'string', describe: zkConnectHelp })
    .option('bootstrap-controller', {
      type: 'string',
      demandOption: true,
      describe: 'host:port of controllers (comma-separated)',
    })
    .option('command-config', commandConfigOption)
    .option('staging-dir', { type: 'string', describe: stagingDirHelp })
    .option('json', { type: 'boolean', describe: 'print the result as JSON' })
    .check(checkOneInput) as Argv<T & LiveArgs>;
}

function inputOf(args: RehearseArgs | LiveArgs): ZkInput {
  const staging = args['staging-dir'];
  if (args['zk-data-dir'])
    return staging !== undefined
      ? { zkDataDir: args['zk-data-dir'], stagingDir: staging }
      : { zkDataDir: args['zk-data-dir'] };
  if (args['zk-connect']) return { zkConnect: args['zk-connect'] };
  return { zkDump: args['zk-dump']! };
}
const controllersOf = (args: { 'bootstrap-controller'?: string }) =>
  (args['bootstrap-controller'] ?? '').split(',').map((s) => parseEndpoint(s.trim()));

/** Runs a live command; unreadable input exits 2, anything else that throws exits 1. */
async function runLive(body: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await body();
  } catch (err) {
    if (err instanceof MigrationInputError) {
      process.stderr.write(`raftka: cannot read the ZooKeeper input: ${err.message}\n`);
      process.exitCode = RehearseExit.unreadable;
    } else {
      process.stderr.write(`raftka: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    }
  }
}

/**
 * Where apply's events go: JSON lines on stderr with --json; else on a terminal a progress bar
 * (inputs of progressRecordsMin records or more) and a line per retry or controller change,
 * which are printed off a terminal too. Returns the handler and what ends the bar's line.
 */
function applyEvents(json: boolean): { onEvent: (e: ApplyEvent) => void; done: () => void } {
  const tty = process.stderr.isTTY === true;
  let barShown = false;
  const endBar = (): void => {
    if (barShown) process.stderr.write('\n');
    barShown = false;
  };
  const onEvent = (e: ApplyEvent): void => {
    if (json) {
      process.stderr.write(`${JSON.stringify({ at: new Date().toISOString(), ...e })}\n`);
      return;
    }
    if (e.event !== 'progress') {
      endBar();
      process.stderr.write(`${formatApplyEvent(e)}\n`);
      return;
    }
    if (!tty || e.total < progressRecordsMin) return;
    const pct = Math.floor((100 * e.committed) / e.total);
    const bar = '#'.repeat(Math.floor(pct / 4)).padEnd(25, '.');
    process.stderr.write(`\r[${bar}] ${String(pct).padStart(3)}%  ${e.committed}/${e.total} records committed`);
    barShown = true;
  };
  return { onEvent, done: endBar };
}

const applyCommand: CommandModule<object, LiveArgs> = {
  command: 'apply',
  describe: 'Write the ZooKeeper metadata into a running KRaft cluster as one metadata transaction',
  builder: (y) =>
    inputOptions(y)
      .option('force', { type: 'boolean', describe: 'apply despite blocking problems, skipping the broken entities' })
      .option('timeout-ms', { type: 'number', describe: 'how long to wait for the controller to commit' }),
  handler: (args) =>
    runLive(async () => {
      const events = applyEvents(Boolean(args.json));
      const r = await applyMigration(inputOf(args), {
        controllers: controllersOf(args),
        security: controllerSecurityOf(args),
        force: Boolean(args.force),
        ...(args['timeout-ms'] !== undefined ? { timeoutMs: args['timeout-ms'] } : {}),
        onEvent: events.onEvent,
        ...(args['staging-dir'] !== undefined ? { journalDir: join(args['staging-dir'], 'journal') } : {}),
      }).finally(events.done);
      process.stdout.write(args.json ? `${JSON.stringify(r, null, 2)}\n` : `${formatApplyResult(r)}\n`);
      return r.exitCode;
    }),
};

const verifyCommand: CommandModule<object, LiveArgs> = {
  command: 'verify',
  describe: 'Compare the live KRaft metadata with the ZooKeeper state (exit 0 equal, 1 different)',
  builder: (y) => inputOptions(y),
  handler: (args) =>
    runLive(async () => {
      const r = await verifyMigration(inputOf(args), controllersOf(args), controllerSecurityOf(args));
      process.stdout.write(args.json ? `${JSON.stringify(r, null, 2)}\n` : `${formatVerifyResult(r)}\n`);
      return r.exitCode;
    }),
};

export const migrateCommand: CommandModule = {
  command: 'migrate <command>',
  describe: 'ZooKeeper-to-KRaft migration: rehearse offline, apply, verify',
  builder: (y) =>
    y
      .command(rehearseCommand as unknown as CommandModule)
      .command(applyCommand as unknown as CommandModule)
      .command(verifyCommand as unknown as CommandModule)
      .demandCommand(1),
  handler: () => {},
};
