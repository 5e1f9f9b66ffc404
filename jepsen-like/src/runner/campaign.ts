// A campaign: many seeded jepsen-like runs in a row, or `parallel` at a time (issue 19 item 4). Run i takes the workloads
// in turn and a nemesis mix of its own — the given kinds dealt out in turn, half the time with
// one more drawn from the rest — and a seed drawn from the campaign's seed, so one
// campaign seed repeats the whole campaign and each run's own command repeats that run alone.
// Writes <store>/campaign-<time>-seed<S>/: the runs' folders, campaign.json (per run: workload,
// nemesis, seed, verdict, ops, faults, anomalies, allowed anomalies, unknown outcomes, the
// command, the report's path; totals) and campaign.html (the same as a table linking each
// report). Exit code: 1 when a safe run was invalid, else 2 when a run broke, else 0 (unsafe
// runs are expected to be invalid and only counted). Who calls: `raftka jepsen campaign`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SeededRandom } from '../../../src/testing/seeded-random.js';
import { pairOps, readHistory } from '../history.js';
import type { NetMode } from '../cluster/harness-cluster.js';
import type { FaultKind } from '../nemesis/nemesis.js';
import { repeatCommand } from './run-command.js';
import { runWorkload, type WorkloadName } from './run.js';

interface CampaignOptions {
  readonly runs: number;
  readonly timeLimitS: number;
  readonly nemesis: readonly FaultKind[];
  readonly workloads: readonly WorkloadName[];
  readonly seed: number;
  readonly unsafe: boolean;
  readonly store: string;
  readonly configDir: string | null;
  readonly nodes: number;
  readonly concurrency: number;
  readonly keys: number;
  readonly nemesisIntervalMs: number;
  /**
   * How many runs go at once (default 1). Each run has its own cluster, ports (or namespaces) and
   * folder; the plan (workload, mix, seed of run i) does not depend on it.
   */
  readonly parallel?: number;
  /** proxy (a TCP proxy per link) or netns (a namespace per node). */
  readonly net: NetMode;
  /** The command that repeats the campaign. */
  readonly command: string;
  readonly log?: (line: string) => void;
}

interface CampaignRun {
  readonly index: number;
  readonly workload: WorkloadName;
  readonly nemesis: readonly FaultKind[];
  readonly seed: number;
  readonly unsafe: boolean;
  /** valid, invalid, or unknown (the run broke: no verdict). */
  readonly verdict: 'valid' | 'invalid' | 'unknown';
  readonly ops: number;
  readonly faults: number;
  /** Completions of unknown outcome (`info`), as the checkers treat them. */
  readonly unknownOps: number;
  readonly anomalies: Readonly<Record<string, number>>;
  readonly allowedAnomalies: Readonly<Record<string, number>>;
  readonly seconds: number;
  readonly command: string;
  /** The run's folder and report, relative to the campaign folder. */
  readonly dir: string;
  readonly error: string | null;
}

interface CampaignOutcome {
  readonly exitCode: 0 | 1 | 2;
  readonly dir: string;
  readonly runs: readonly CampaignRun[];
}

/**
 * The mix of run i of `runs`: the kinds dealt out in turn (run i gets kind j when j ≡ i modulo
 * min(runs, kinds), so a short campaign still has every kind), half the time with one more.
 */
export function campaignMix(kinds: readonly FaultKind[], i: number, runs: number, rng: SeededRandom): FaultKind[] {
  if (kinds.length === 0) return [];
  const m = Math.min(runs, kinds.length);
  const main = kinds.filter((_, j) => j % m === i % m);
  const rest = kinds.filter((k) => !main.includes(k));
  return rest.length > 0 && rng.chance(0.5) ? [...main, rng.pick(rest)] : main;
}

/**
 * Calls `fn(i)` for every i in [0, count) from `lanes` lanes: each lane takes the next index not
 * yet started once its call ends, so at most `lanes` calls are in flight and indexes start in order.
 */
export async function inLanes(count: number, lanes: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(lanes, count)) }, async () => {
      while (next < count) await fn(next++);
    }),
  );
}

async function historyCounts(dir: string): Promise<{ ops: number; faults: number; unknownOps: number }> {
  const ops = await readHistory(join(dir, 'history.jsonl')).catch(() => []);
  const pairs = pairOps(ops);
  return {
    ops: pairs.length,
    faults: ops.filter((o) => o.process === -1 && o.f === 'start-fault').length,
    unknownOps: pairs.filter((p) => p.type === 'info').length,
  };
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const countsText = (c: Readonly<Record<string, number>>): string =>
  Object.entries(c)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || 'none';

function totals(runs: readonly CampaignRun[]) {
  const sum = (f: (r: CampaignRun) => number): number => runs.reduce((n, r) => n + f(r), 0);
  return {
    runs: runs.length,
    valid: runs.filter((r) => r.verdict === 'valid').length,
    invalid: runs.filter((r) => r.verdict === 'invalid').length,
    unknown: runs.filter((r) => r.verdict === 'unknown').length,
    ops: sum((r) => r.ops),
    faults: sum((r) => r.faults),
    unknownOps: sum((r) => r.unknownOps),
    anomalies: sum((r) => Object.values(r.anomalies).reduce((a, b) => a + b, 0)),
    allowedAnomalies: sum((r) => Object.values(r.allowedAnomalies).reduce((a, b) => a + b, 0)),
    seconds: sum((r) => r.seconds),
  };
}

function renderCampaign(o: CampaignOptions, runs: readonly CampaignRun[]): string {
  const t = totals(runs);
  const rows = runs
    .map(
      (r) =>
        `<tr><td>${r.index}</td><td>${esc(r.workload)}${r.unsafe ? ' (unsafe)' : ''}</td><td>${esc(r.nemesis.join(', ') || 'none')}</td><td>${r.seed}</td><td class="${r.verdict}">${r.verdict}</td><td>${r.ops}</td><td>${r.faults}</td><td>${r.unknownOps}</td><td>${esc(countsText(r.anomalies))}</td><td>${esc(countsText(r.allowedAnomalies))}</td><td>${r.seconds.toFixed(0)}</td><td><a href="${esc(`${r.dir}/report.html`)}">report</a></td></tr>` +
        (r.error ? `<tr><td></td><td colspan="11"><pre>${esc(r.error.slice(0, 600))}</pre></td></tr>` : ''),
    )
    .join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>raftka jepsen-like campaign, seed ${o.seed}</title>
<style>body{font-family:sans-serif;margin:24px} td,th{padding:2px 8px;text-align:left;font-size:13px} .valid{color:#2a7} .invalid{color:#c33} .unknown{color:#e90} pre{font-size:11px;background:#f4f4f4}</style></head>
<body>
<h1>raftka jepsen-like campaign, seed ${o.seed}</h1>
<p>${esc(o.command)}</p>
<p>${t.runs} runs: ${t.valid} valid, ${t.invalid} invalid, ${t.unknown} unknown (the run broke); ${t.ops} ops, ${t.faults} faults, ${t.unknownOps} ops of unknown outcome, ${t.anomalies} anomalies (${t.allowedAnomalies} allowed ones besides); ${(t.seconds / 60).toFixed(1)} minutes.</p>
<table><tr><th>run</th><th>workload</th><th>nemesis</th><th>seed</th><th>verdict</th><th>ops</th><th>faults</th><th>unknown ops</th><th>anomalies</th><th>allowed</th><th>s</th><th></th></tr>
${rows}
</table>
</body></html>
`;
}

function writeSummary(dir: string, o: CampaignOptions, runs: readonly CampaignRun[]): void {
  const summary = { seed: o.seed, command: o.command, unsafe: o.unsafe, totals: totals(runs), runs };
  writeFileSync(join(dir, 'campaign.json'), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(join(dir, 'campaign.html'), renderCampaign(o, runs));
}

export async function runCampaign(o: CampaignOptions): Promise<CampaignOutcome> {
  const log = o.log ?? (() => {});
  const dir = join(o.store, `campaign-${new Date().toISOString().replace(/[:.]/g, '-')}-seed${o.seed}`);
  mkdirSync(dir, { recursive: true });
  const rng = new SeededRandom(o.seed);
  // The whole plan first, in run order, so --parallel changes when runs start, not what they are.
  const plan = Array.from({ length: o.runs }, (_, i) => {
    const workload = o.workloads[i % o.workloads.length]!;
    const nemesis = campaignMix(o.nemesis, i, o.runs, rng);
    const seed = rng.nextInt(1_000_000);
    return {
      workload,
      seed,
      timeLimitS: o.timeLimitS,
      nemesis,
      schedule: null,
      unsafe: o.unsafe,
      concurrency: o.concurrency,
      keys: o.keys,
      configDir: o.configDir,
      nodes: o.nodes,
      commandConfig: null,
      subVia: 'assign',
      net: o.net,
      nemesisIntervalMs: o.nemesisIntervalMs,
    } as const;
  });
  const runs: CampaignRun[] = [];
  const parallel = Math.max(1, Math.min(o.parallel ?? 1, o.runs));
  const runOne = async (i: number): Promise<void> => {
    const spec = plan[i]!;
    const command = repeatCommand(spec);
    log(`run ${i + 1}/${o.runs}: ${command}`);
    const started = performance.now();
    const runLog = parallel === 1 ? log : (line: string) => log(`[run ${i + 1}] ${line}`);
    const r = await runWorkload({ ...spec, store: dir, opIntervalMs: 10, command, log: runLog });
    const counts = await historyCounts(r.dir);
    const found = Object.entries(r.results?.counts ?? {}).filter(([, n]) => n > 0);
    const allowed = new Set(r.results?.allowed ?? []);
    const run: CampaignRun = {
      index: i,
      workload: spec.workload,
      nemesis: spec.nemesis,
      seed: spec.seed,
      unsafe: o.unsafe,
      verdict: r.exitCode === 0 ? 'valid' : r.exitCode === 1 ? 'invalid' : 'unknown',
      ...counts,
      anomalies: Object.fromEntries(found.filter(([k]) => !allowed.has(k))),
      allowedAnomalies: Object.fromEntries(found.filter(([k]) => allowed.has(k))),
      seconds: (performance.now() - started) / 1000,
      command,
      dir: relative(dir, r.dir),
      error: r.error,
    };
    runs.push(run);
    runs.sort((a, b) => a.index - b.index);
    log(
      `run ${i + 1}/${o.runs}: ${run.verdict}; ops ${run.ops}, faults ${run.faults}, anomalies ${countsText(run.anomalies)}`,
    );
    writeSummary(dir, o, runs); // after every run, so an interrupted campaign keeps its summary
  };
  await inLanes(o.runs, parallel, runOne);
  const invalidSafe = runs.some((r) => r.verdict === 'invalid' && !r.unsafe);
  const broke = runs.some((r) => r.verdict === 'unknown');
  return { exitCode: invalidSafe ? 1 : broke ? 2 : 0, dir, runs };
}
