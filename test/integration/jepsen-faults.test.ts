// The jepsen-like clock, disk and kill-in-write nemeses and a campaign, end to end as a user runs
// them: `raftka jepsen campaign --runs 3 --time-limit 10 --nemesis clock-skew,clock-jump,
// slow-disk,disk-full,kill-snapshot,kill-roll --workload queue,txn` on cluster-configs/three-node.
// The campaign deals the six kinds over its three runs (two each, sometimes one more), so this
// one file shows every new kind in a valid run, and the campaign's summary: campaign.json (runs,
// ops, faults, anomalies, unknown outcomes, each run's command and report) and campaign.html.
// It also checks that the faults were real: the nodes' clocks read the offsets their libfaketime
// shims were given, a node was killed -9 while stopped inside a snapshot write or a segment
// roll, a log dir was filled to the brim. Needs root (tmpfs log dirs) and libfaketime (Debian
// package faketime, installed by .ci/run); skips with the reason otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '../../src/common/paths.js';
import type { Op } from '../../jepsen-like/src/history.js';
import { findFaketime } from '../../jepsen-like/src/nemesis/node-fault-kit.js';

/**
 * Dealt over the 3 runs (queue, txn, queue) as run 0: disk-full + kill-snapshot, run 1: clock-jump
 * + slow-disk, run 2: kill-roll + clock-skew (seed 1 adds no third kind).
 */
const kinds = ['disk-full', 'clock-jump', 'kill-roll', 'kill-snapshot', 'slow-disk', 'clock-skew'];

interface CampaignJson {
  totals: { runs: number; valid: number; invalid: number; unknown: number; ops: number; faults: number };
  runs: {
    workload: string;
    nemesis: string[];
    verdict: string;
    ops: number;
    faults: number;
    unknownOps: number;
    anomalies: Record<string, number>;
    command: string;
    dir: string;
    error: string | null;
  }[];
}

function campaign(store: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = ['jepsen', 'campaign', '--runs', '3', '--time-limit', '10', '--nemesis', kinds.join(',')];
  args.push('--workload', 'queue,txn', '--seed', '1', '--nemesis-interval-ms', '1500', '--store', store);
  return new Promise((resolve) => {
    execFile(process.execPath, [repoPath('bin', 'raftka.js'), ...args], { timeout: 560_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

const readOps = (dir: string): Op[] =>
  readFileSync(join(dir, 'history.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Op);

test('a campaign of 3 runs under clock, disk and kill-in-write faults: every run valid, one summary', {
  timeout: 600_000,
}, async (t) => {
  if (process.getuid?.() !== 0) return t.skip('disk-full mounts a tmpfs per node: needs root (CI runs as root)');
  const ft = findFaketime();
  if ('reason' in ft) return t.skip(ft.reason);
  const store = mkdtempSync(join(tmpdir(), 'raftka-jepsen-faults-'));
  t.after(() => rmSync(store, { recursive: true, force: true }));

  const r = await campaign(store);
  const m = /^campaign: (\S+)\/campaign\.html/m.exec(r.stdout);
  assert.ok(m, `${r.stdout}\n${r.stderr}`);
  const dir = m[1]!;
  const summary = JSON.parse(readFileSync(join(dir, 'campaign.json'), 'utf8')) as CampaignJson;
  assert.equal(
    r.code,
    0,
    JSON.stringify(
      summary.runs.map((x) => [x.verdict, x.anomalies, x.error]),
      null,
      1,
    ),
  );
  assert.equal(summary.totals.runs, 3);
  assert.equal(summary.totals.valid, 3);
  assert.deepEqual(
    summary.runs.map((x) => x.workload),
    ['queue', 'txn', 'queue'],
  );
  assert.deepEqual(
    summary.runs.map((x) => x.nemesis),
    [
      ['disk-full', 'kill-snapshot'],
      ['clock-jump', 'slow-disk'],
      ['kill-roll', 'clock-skew'],
    ],
  );
  assert.ok(summary.totals.ops > 100 && summary.totals.faults >= 3, JSON.stringify(summary.totals));
  for (const run of summary.runs) assert.match(run.command, /^raftka jepsen run --workload (queue|txn) --seed \d+ /);
  const html = readFileSync(join(dir, 'campaign.html'), 'utf8');
  for (const run of summary.runs) assert.ok(html.includes(`href="${run.dir}/report.html"`), run.dir);

  // What the faults did, from the runs' histories (stop events say what happened meanwhile).
  const events = summary.runs.flatMap((run) =>
    readOps(join(dir, run.dir))
      .filter((o) => o.process === -1)
      .map((o) => ({ run, f: o.f, ...(o.value as { kind: string; detail: string }) })),
  );
  const started = new Set(events.filter((e) => e.f === 'start-fault').map((e) => e.kind));
  assert.ok(started.size >= 4, `kinds started: ${[...started].join(', ')}`);
  const stops = events.filter((e) => e.f === 'stop-fault').map((e) => `${e.kind}: ${e.detail}`);
  if (started.has('disk-full'))
    assert.ok(
      events.some((e) => e.f === 'start-fault' && /filled to the brim: node \d+ \(\d/.test(e.detail)),
      'a log dir was filled',
    );
  assert.ok(
    stops.some((s) =>
      /^kill-(snapshot|roll): killed -9 inside a (metadata snapshot write|partition segment roll)/.test(s),
    ),
    stops.join('\n'),
  );
  // libfaketime really moved the nodes' wall clocks: before each heal the harness read every
  // target's clock (its HTTP Date header) at the offset the fault set.
  const clockStarts = events.filter((e) => e.f === 'start-fault' && e.kind.startsWith('clock-'));
  assert.ok(clockStarts.length > 0, `no clock fault started: ${[...started].join(', ')}`);
  const shown = events
    .filter((e) => e.f === 'stop-fault' && e.kind.startsWith('clock-'))
    .flatMap((e) =>
      [...e.detail.matchAll(/node (\d+) read ([+-]\d+) s/g)].map((m) => ({ node: m[1], read: Number(m[2]) })),
    );
  const set = clockStarts.flatMap((e) =>
    [...e.detail.matchAll(/node (\d+) ([+-]\d+) s/g)].map((m) => ({ node: m[1], offset: Number(m[2]) })),
  );
  assert.ok(
    set.some((x) => Math.abs(x.offset) > 2 && shown.some((y) => y.node === x.node && Math.abs(y.read - x.offset) <= 2)),
    `clock offsets set: ${JSON.stringify(set)}; read before the heals: ${JSON.stringify(shown)}`,
  );
});
