// `raftka jepsen campaign --runs N --time-limit S --nemesis a,b,... --workload queue,txn [--seed S]
// [--unsafe] [--store DIR] [--config-dir D | --nodes N] [--concurrency C] [--keys K]
// [--nemesis-interval-ms MS] [--net proxy|netns] [--parallel P]`: many seeded jepsen-like runs in
// a row (or P at a time), rotating the workloads and
// nemesis mixes (jepsen-like/src/runner/campaign.ts); prints each run's verdict and where
// campaign.json / campaign.html are. Exit 1 when a safe run was invalid, 2 when a run broke, else 0.
// Registered under `raftka jepsen` by jepsen-command.ts.
import { relative } from 'node:path';
import type { CommandModule } from 'yargs';
import { repoPath } from '../common/paths.js';
import { faultKinds, parseFaultKinds } from '../../jepsen-like/src/nemesis/nemesis.js';
import { runCampaign } from '../../jepsen-like/src/runner/campaign.js';
import type { WorkloadName } from '../../jepsen-like/src/runner/run.js';
import type { NetMode } from '../../jepsen-like/src/cluster/harness-cluster.js';

interface CampaignArgs {
  runs: number;
  'time-limit': number;
  nemesis: string;
  workload: string;
  seed?: number;
  unsafe: boolean;
  store: string;
  'config-dir'?: string;
  nodes?: number;
  concurrency: number;
  keys: number;
  'nemesis-interval-ms': number;
  net: string;
  parallel: number;
}

const workloadNames: readonly WorkloadName[] = ['queue', 'metadata', 'txn'];

function parseWorkloads(text: string): WorkloadName[] {
  const names = text.split(',').filter((w) => w !== '');
  const bad = names.filter((w) => !(workloadNames as readonly string[]).includes(w));
  if (bad.length > 0 || names.length === 0) throw new Error(`unknown workload: ${bad.join(', ') || '(none)'}`);
  return names as WorkloadName[];
}

export const campaignCommand: CommandModule<object, CampaignArgs> = {
  command: 'campaign',
  describe:
    'Many seeded runs in a row (workloads and nemesis mixes rotating), one summary: campaign.json + campaign.html',
  builder: (y) =>
    y
      .option('runs', { type: 'number', default: 10, describe: 'how many runs' })
      .option('time-limit', { type: 'number', default: 60, describe: 'seconds of workload per run' })
      .option('nemesis', {
        type: 'string',
        default: 'kill,partition',
        describe: `the kinds the runs' mixes are drawn from: ${faultKinds.join(', ')}`,
      })
      .option('workload', {
        type: 'string',
        default: 'queue,txn',
        describe: 'workloads taken in turn: queue, metadata, txn',
      })
      .option('seed', { type: 'number', describe: 'seed of the whole campaign (default: random)' })
      .option('unsafe', {
        type: 'boolean',
        default: false,
        describe: "every run with the workload's unsafe settings (anomalies expected: counted, not failing)",
      })
      .option('store', { type: 'string', default: 'store', describe: 'where the campaign folder is written' })
      .option('config-dir', {
        type: 'string',
        describe: 'the cluster-config folder (default cluster-configs/three-node)',
      })
      .option('nodes', { type: 'number', describe: 'instead of --config-dir: N generated combined nodes' })
      .conflicts('nodes', 'config-dir')
      .option('concurrency', { type: 'number', default: 4 })
      .option('keys', { type: 'number', default: 3 })
      .option('nemesis-interval-ms', { type: 'number', default: 4000 })
      .option('parallel', {
        type: 'number',
        default: 1,
        describe: 'runs at once, each with its own cluster (needs --nodes N or --net netns)',
      })
      .option('net', {
        type: 'string',
        default: 'proxy',
        choices: ['proxy', 'netns'],
        describe: 'proxy: a TCP proxy per link; netns: a network namespace per node (root)',
      })
      .check((a) => {
        if (!Number.isInteger(a.parallel) || a.parallel < 1) throw new Error('--parallel must be a whole number >= 1');
        // A config folder's fixed ports would be bound by every cluster at once on 127.0.0.1.
        if (a.parallel > 1 && a.nodes === undefined && a.net !== 'netns')
          throw new Error('--parallel above 1 needs --nodes N (ports of its own per run) or --net netns');
        return parseFaultKinds(a.nemesis).length >= 0 && parseWorkloads(a.workload).length > 0 && a.runs > 0;
      }),
  handler: async (args) => {
    const seed = args.seed ?? Math.floor(Math.random() * 1_000_000);
    const configDir =
      args.nodes === undefined
        ? (args['config-dir'] ?? relative(process.cwd(), repoPath('cluster-configs', 'three-node')))
        : null;
    const command = [
      'raftka jepsen campaign',
      `--runs ${args.runs}`,
      `--time-limit ${args['time-limit']}`,
      `--nemesis ${args.nemesis}`,
      `--workload ${args.workload}`,
      `--seed ${seed}`,
      args.unsafe ? '--unsafe' : '',
      configDir === null ? `--nodes ${args.nodes}` : `--config-dir ${configDir}`,
      `--concurrency ${args.concurrency}`,
      `--keys ${args.keys}`,
      `--nemesis-interval-ms ${args['nemesis-interval-ms']}`,
      `--net ${args.net}`,
      args.parallel > 1 ? `--parallel ${args.parallel}` : '',
    ]
      .filter((s) => s !== '')
      .join(' ');
    process.stderr.write(`campaign seed ${seed}; to run again: ${command}\n`);
    const r = await runCampaign({
      runs: args.runs,
      timeLimitS: args['time-limit'],
      nemesis: parseFaultKinds(args.nemesis),
      workloads: parseWorkloads(args.workload),
      seed,
      unsafe: args.unsafe,
      store: args.store,
      configDir,
      nodes: args.nodes ?? 3,
      concurrency: args.concurrency,
      keys: args.keys,
      nemesisIntervalMs: args['nemesis-interval-ms'],
      net: args.net as NetMode,
      parallel: args.parallel,
      command,
      log: (line) => process.stderr.write(`[jepsen] ${line}\n`),
    });
    for (const run of r.runs)
      process.stdout.write(
        `run ${run.index}: ${run.workload} ${run.nemesis.join(',') || 'none'} seed ${run.seed}: ${run.verdict}, ${run.ops} ops, ${run.faults} faults, ${run.unknownOps} unknown\n`,
      );
    process.stdout.write(`campaign: ${r.dir}/campaign.html (campaign.json beside it)\n`);
    process.exitCode = r.exitCode;
  },
};
