// `raftka jepsen run [--workload queue|metadata|txn] [--nemesis kill,pause,partition,ring,leader-isolation,client-isolation |
// --schedule kafka-2013|last-replica-standing] [--net proxy|netns] [--time-limit S] [--seed N] [--store DIR]
// [--unsafe] [--concurrency C] [--keys K] [--config-dir D | --nodes N] [--command-config F]`: one run of the jepsen-like harness
// against a fresh
// proxied cluster modelled on a cluster-config folder (default cluster-configs/three-node) or of N
// generated combined nodes (jepsen-like/). Prints the verdict, the store
// directory and the command that repeats the run. Exit 0 valid, 1 invalid, 2 the run broke.
// A folder whose links are mutual TLS (secure-three-node) keeps them; --command-config (as the
// --bootstrap-controller tools take it, security.protocol=SSL) is the metadata workload's certificate.
// `raftka jepsen campaign ...`: many runs in a row (jepsen-campaign-command.ts).
import { relative } from 'node:path';
import type { CommandModule } from 'yargs';
import { repoPath } from '../common/paths.js';
import { type CommandConfigArgs, commandConfigOption, controllerSecurityOf } from './command-config.js';
import { faultKinds, parseFaultKinds } from '../../jepsen-like/src/nemesis/nemesis.js';
import { scheduleNames, type ScheduleName } from '../../jepsen-like/src/nemesis/schedules.js';
import { runWorkload, type WorkloadName } from '../../jepsen-like/src/runner/run.js';
import { repeatCommand } from '../../jepsen-like/src/runner/run-command.js';
import { campaignCommand } from './jepsen-campaign-command.js';

interface RunArgs extends CommandConfigArgs {
  workload: string;
  nemesis: string;
  schedule?: string;
  'time-limit': number;
  seed?: number;
  store: string;
  unsafe: boolean;
  concurrency: number;
  keys: number;
  nodes?: number;
  'config-dir'?: string;
  'nemesis-interval-ms': number;
  'sub-via': string;
  net: string;
}

const runCommand: CommandModule<object, RunArgs> = {
  command: 'run',
  describe: 'Run a workload (queue, metadata, txn) under faults against a fresh cluster and check the history',
  builder: (y) =>
    y
      .option('workload', {
        type: 'string',
        default: 'queue',
        choices: ['queue', 'metadata', 'txn'],
        describe:
          'queue: sends and assign-mode polls, checked for lost/duplicated/reordered writes; metadata: topic configs and topic existence as registers, checked for linearizability; txn: transactions of sends and read_committed polls, checked Elle-style (G0, G1a, G1b, G1c, lost commits, torn transactions)',
      })
      .option('nemesis', {
        type: 'string',
        default: 'kill,partition',
        describe: `faults, comma-separated: ${faultKinds.join(', ')} (or none)`,
      })
      .option('schedule', {
        type: 'string',
        choices: [...scheduleNames],
        describe: 'a named data-loss schedule instead of random faults',
      })
      .option('time-limit', { type: 'number', default: 60, describe: 'seconds of workload' })
      .option('seed', { type: 'number', describe: 'seed of the workload and the nemesis (default: random)' })
      .option('store', { type: 'string', default: 'store', describe: 'where runs are written (store/<run>/)' })
      .option('unsafe', {
        type: 'boolean',
        default: false,
        describe:
          'queue, metadata: acks=1, min.insync.replicas=1, unclean.leader.election.enable=true; txn: transaction.unsafe.abort.as.commit=true (test-only: aborted transactions become visible)',
      })
      .option('concurrency', { type: 'number', default: 4 })
      .option('keys', { type: 'number', default: 3, describe: 'keys = partitions of the topic' })
      .option('config-dir', {
        type: 'string',
        describe:
          'the cluster-config folder the nodes are modelled on: combined nodes with ids 1..n; the harness gives them ephemeral ports and proxies every link (default: cluster-configs/three-node)',
      })
      .option('nodes', { type: 'number', describe: 'instead of --config-dir: N generated combined nodes' })
      .conflicts('nodes', 'config-dir')
      .option('command-config', {
        ...commandConfigOption,
        describe:
          "how the harness reaches a controller listener that is mutual TLS (--config-dir with CONTROLLER:SSL, e.g. secure-three-node): security.protocol=SSL with a client certificate of the folder's CA",
      })
      .option('sub-via', {
        type: 'string',
        default: 'assign',
        choices: ['assign', 'subscribe'],
        describe:
          'queue polls: assign (own positions per process) or subscribe (one consumer group, commit before each poll completes)',
      })
      .option('net', {
        type: 'string',
        default: 'proxy',
        choices: ['proxy', 'netns'],
        describe:
          'proxy: every node on 127.0.0.1, every link a TCP proxy (no privileges); netns: every node in a network namespace of its own on a bridge of the run, faults by nftables and tc netem (root, iproute2, nftables; falls back to proxy with the reason printed)',
      })
      .option('nemesis-interval-ms', {
        type: 'number',
        default: 4000,
        describe: 'how long each fault lasts (and half of it between faults)',
      })
      .check((a) => {
        const packet = parseFaultKinds(a.nemesis).filter((f) => ['loss', 'duplicate', 'reorder'].includes(f));
        if (a.net === 'proxy' && packet.length > 0)
          throw new Error(
            `--nemesis ${packet.join(',')} needs --net netns: a TCP proxy forwards a byte stream and cannot lose, duplicate or reorder packets`,
          );
        return true;
      }),
  handler: async (args) => {
    const seed = args.seed ?? Math.floor(Math.random() * 1_000_000);
    const nemesis = parseFaultKinds(args.nemesis);
    const schedule = (args.schedule ?? null) as ScheduleName | null;
    const configDir =
      args.nodes === undefined
        ? (args['config-dir'] ?? relative(process.cwd(), repoPath('cluster-configs', 'three-node')))
        : null;
    const command = repeatCommand({
      workload: args.workload,
      seed,
      timeLimitS: args['time-limit'],
      nemesis,
      schedule,
      unsafe: args.unsafe,
      concurrency: args.concurrency,
      keys: args.keys,
      configDir,
      nodes: args.nodes ?? 3,
      commandConfig: args['command-config'] ?? null,
      subVia: args['sub-via'],
      net: args.net,
      nemesisIntervalMs: args['nemesis-interval-ms'],
    });
    process.stderr.write(`seed ${seed}; to run again: ${command}\n`);
    const r = await runWorkload({
      workload: args.workload as WorkloadName,
      configDir,
      nodes: args.nodes ?? 3,
      timeLimitS: args['time-limit'],
      seed,
      store: args.store,
      nemesis,
      nemesisIntervalMs: args['nemesis-interval-ms'],
      net: args.net as 'proxy' | 'netns',
      schedule,
      unsafe: args.unsafe,
      concurrency: args.concurrency,
      keys: args.keys,
      subVia: args['sub-via'] as 'assign' | 'subscribe',
      opIntervalMs: 10,
      controllerSecurity: controllerSecurityOf(args),
      command,
      log: (line) => process.stderr.write(`[jepsen] ${line}\n`),
    });
    if (r.results) {
      const found = Object.entries(r.results.counts)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${k} ${n}`);
      process.stdout.write(
        `${r.results.valid ? 'valid' : 'INVALID'}: ${JSON.stringify(r.results.stats).slice(0, 400)}; anomalies: ${found.join(', ') || 'none'}\n`,
      );
    } else process.stdout.write(`the run broke: ${r.error}\n`);
    process.stdout.write(
      `store: ${r.dir} (history.jsonl, results.json, report.html, logs/)\nseed ${seed}; to run again: ${command}\n`,
    );
    process.exitCode = r.exitCode;
  },
};

export const jepsenCommand: CommandModule = {
  command: 'jepsen <command>',
  describe: 'Fault-injection runs with recorded histories and checkers (jepsen-like/)',
  builder: (y) =>
    y
      .command(runCommand as unknown as CommandModule)
      .command(campaignCommand as unknown as CommandModule)
      .demandCommand(1),
  handler: () => {},
};
