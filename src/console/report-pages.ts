// The web console's report pages. Migrations: the ZooKeeper-migration state the metadata image
// records, and the `raftka migrate rehearse --output` JSON reports found in
// console.migration.reports.dir. Jepsen runs: the runs of console.jepsen.store.dir (each a folder
// with results.json and report.html), with a link to each report, served as-is after the path check
// of safe-path.ts. Reports are read as untrusted JSON: only the summary fields are shown.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { zkMigrationStateName } from './cluster-pages.js';
import type { ConsoleContext, Page } from './context.js';
import { formatBytes, formatTime } from './format.js';
import { html, type SafeHtml, uiHref } from './html.js';
import { errorBox, facts, table } from './layout.js';
import { existingChildPath, isPlainSegment } from './safe-path.js';

/** Entries a report folder listing reads (newest first after sorting). */
const reportEntriesMax = 500;
/** A report file bigger than this is listed without its summary. */
const reportReadBytesMax = 16 * 1024 * 1024;

type Json = Record<string, unknown>;

const obj = (v: unknown): Json | null =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null;
const str = (v: unknown): string | null =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null;
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function readJson(path: string): Json | Error {
  try {
    if (statSync(path).size > reportReadBytesMax) return new Error('too big to summarise');
    return obj(JSON.parse(readFileSync(path, 'utf8'))) ?? new Error('not a JSON object');
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

function listDir(dir: string): { name: string; mtimeMs: number; size: number; isDir: boolean }[] {
  return readdirSync(dir)
    .filter(isPlainSegment)
    .slice(0, reportEntriesMax)
    .flatMap((name) => {
      try {
        const s = statSync(join(dir, name));
        return [{ name, mtimeMs: s.mtimeMs, size: s.size, isDir: s.isDirectory() }];
      } catch {
        return [];
      }
    })
    .sort((a, b) => b.mtimeMs - a.mtimeMs);
}

/** Problems of a rehearse report counted by severity ("2 error, 1 warning"). */
function problemCounts(problems: unknown): string {
  if (!Array.isArray(problems)) return '-';
  if (problems.length === 0) return 'none';
  const by = new Map<string, number>();
  for (const p of problems) {
    const s = str(obj(p)?.['severity']) ?? 'unknown';
    by.set(s, (by.get(s) ?? 0) + 1);
  }
  return [...by].map(([s, n]) => `${n} ${s}`).join(', ');
}

function migrationReports(dir: string): ReturnType<typeof table> {
  const rows = listDir(dir)
    .filter((e) => !e.isDir && e.name.endsWith('.json'))
    .map((e) => {
      const r = readJson(join(dir, e.name));
      if (r instanceof Error)
        return [
          e.name,
          formatTime(e.mtimeMs),
          formatBytes(e.size),
          html`<span class="error">${r.message}</span>`,
          null,
          null,
          null,
          null,
        ];
      const source = obj(r['source']);
      const counts = obj(r['counts']);
      const count = (k: string): number | null => num(counts?.[k]);
      return [
        e.name,
        formatTime(e.mtimeMs),
        formatBytes(e.size),
        source ? `${str(source['kind']) ?? '?'} ${str(source['path']) ?? ''}` : null,
        str(r['clusterId']),
        count('brokers'),
        counts ? `${count('topics') ?? '-'} / ${count('partitions') ?? '-'}` : null,
        problemCounts(r['problems']),
      ];
    });
  return table(
    ['Report', 'Written', 'Size', 'Source', 'ZooKeeper cluster id', 'Brokers', 'Topics / partitions', 'Problems'],
    rows,
    'migration-reports',
  );
}

export function migrationsPage(ctx: ConsoleContext): Page {
  const image = ctx.state.image;
  const dir = ctx.config.consoleMigrationReportsDir;
  let reports: SafeHtml;
  if (dir === null)
    reports = html`<p class="note">Set <code>console.migration.reports.dir</code> to list the reports of <code>raftka migrate rehearse --output FILE</code>.</p>`;
  else {
    try {
      reports = html`<p class="note">Reports in ${dir}:</p>${migrationReports(dir)}`;
    } catch (err) {
      reports = errorBox(`reading ${dir}`, err);
    }
  }
  const body = html`${facts([
    [
      'ZooKeeper migration state',
      html`<span id="zk-migration-state">${zkMigrationStateName(image.zkMigrationState)}</span>`,
    ],
    ['Topics in the image', image.topicsByName.size],
  ])}
<h2>Rehearsal reports</h2>
${reports}`;
  return { title: 'Migrations', nav: 'migrations', body };
}

function jepsenRuns(store: string): ReturnType<typeof table> {
  const rows = listDir(store)
    .filter((e) => e.isDir)
    .map((e) => {
      const r = readJson(join(store, e.name, 'results.json'));
      const hasReport = existingChildPath(store, [e.name, 'report.html']) !== null;
      const report = hasReport
        ? html`<a href="${uiHref(`jepsen/${encodeURIComponent(e.name)}/report.html`)}">report</a>`
        : null;
      if (r instanceof Error)
        return [
          e.name,
          formatTime(e.mtimeMs),
          null,
          html`<span class="error">results.json: ${r.message}</span>`,
          null,
          null,
          report,
        ];
      const valid = r['valid'];
      const verdict = valid === true ? 'valid' : valid === false ? 'invalid' : `unknown${r['error'] ? ' (error)' : ''}`;
      return [
        e.name,
        formatTime(e.mtimeMs),
        str(r['workload']),
        html`<span class="verdict-${verdict.split(' ')[0]}">${verdict}</span>`,
        str(r['seed']),
        str(r['command']),
        report,
      ];
    });
  return table(['Run', 'Time', 'Workload', 'Verdict', 'Seed', 'Command', 'Report'], rows, 'jepsen-runs');
}

export function jepsenPage(ctx: ConsoleContext): Page {
  const store = ctx.config.consoleJepsenStoreDir;
  let body: SafeHtml;
  if (store === null)
    body = html`<p class="note">Set <code>console.jepsen.store.dir</code> to the store folder of <code>raftka jepsen</code> runs.</p>`;
  else {
    try {
      body = html`<p class="note">Runs in ${store}:</p>${jepsenRuns(store)}`;
    } catch (err) {
      body = errorBox(`reading ${store}`, err);
    }
  }
  return { title: 'Jepsen runs', nav: 'jepsen', body };
}

/** The report.html of run `run`, or null when the name or the file does not pass the path check. */
export function jepsenReportFile(ctx: ConsoleContext, run: string, file: string): string | null {
  const store = ctx.config.consoleJepsenStoreDir;
  if (store === null || file !== 'report.html') return null;
  return existingChildPath(store, [run, file]);
}
