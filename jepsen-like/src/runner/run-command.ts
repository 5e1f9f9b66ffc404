// The `raftka jepsen run ...` command line that repeats one run, printed and stored in its
// results. Who calls: the CLI's `jepsen run` (src/cli/jepsen-command.ts) and campaigns
// (campaign.ts), so a campaign's run repeats alone with the same seed and settings.
export interface RepeatableRun {
  readonly workload: string;
  readonly seed: number;
  readonly timeLimitS: number;
  readonly nemesis: readonly string[];
  readonly schedule: string | null;
  readonly unsafe: boolean;
  readonly concurrency: number;
  readonly keys: number;
  /** null: `nodes` generated nodes. */
  readonly configDir: string | null;
  readonly nodes: number;
  /** The metadata workload's client config for a folder with mutual-TLS links (null: none). */
  readonly commandConfig: string | null;
  readonly subVia: string;
  /** proxy (a TCP proxy per link) or netns (a namespace per node). */
  readonly net: string;
  readonly nemesisIntervalMs: number;
}

export function repeatCommand(r: RepeatableRun): string {
  return [
    'raftka jepsen run',
    `--workload ${r.workload}`,
    `--seed ${r.seed}`,
    `--time-limit ${r.timeLimitS}`,
    r.schedule ? `--schedule ${r.schedule}` : `--nemesis ${r.nemesis.join(',') || 'none'}`,
    r.unsafe ? '--unsafe' : '',
    `--concurrency ${r.concurrency}`,
    `--keys ${r.keys}`,
    r.configDir === null ? `--nodes ${r.nodes}` : `--config-dir ${r.configDir}`,
    r.commandConfig !== null ? `--command-config ${r.commandConfig}` : '',
    `--sub-via ${r.subVia}`,
    `--net ${r.net}`,
    `--nemesis-interval-ms ${r.nemesisIntervalMs}`,
  ]
    .filter((s) => s !== '')
    .join(' ');
}
