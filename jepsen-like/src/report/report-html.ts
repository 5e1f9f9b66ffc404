// report.html of a run: one self-contained page (inline SVG, no scripts, no downloads) with
// throughput (ok / info / fail completions per second) and latency (each operation's invoke→
// completion time, polls left out) over the run, the fault windows shaded, the verdict, counts per anomaly, and
// each anomaly's witnesses with the history ops they name. Pure: history + results in, HTML out.
import { pairOps, type Op } from '../history.js';

/** What a checker found, in the shape the report shows (QueueResult is one). */
export interface CheckSummary {
  readonly valid: boolean;
  readonly counts: Readonly<Record<string, number>>;
  readonly examples: Readonly<
    Record<
      string,
      | readonly { readonly key?: number | string; readonly explanation: string; readonly ops: readonly number[] }[]
      | undefined
    >
  >;
  readonly allowed: readonly string[];
  readonly stats: object;
}

interface FaultWindow {
  readonly kind: string;
  readonly detail: string;
  readonly start: number;
  readonly end: number;
}

/** Start/stop nemesis ops (process -1) paired into windows, in ms since the run started. */
export function faultWindows(history: readonly Op[]): FaultWindow[] {
  const open = new Map<string, Op>();
  const out: FaultWindow[] = [];
  const end = history.length > 0 ? history[history.length - 1]!.time : 0;
  for (const op of history) {
    if (op.process !== -1) continue;
    const v = op.value as { kind: string; detail: string; targets: number[] };
    const key = `${v.kind}:${v.targets.join(',')}`;
    if (op.f === 'start-fault') open.set(key, op);
    else {
      const s = open.get(key);
      if (s) {
        open.delete(key);
        // A stop that says what happened meanwhile (a kill inside a write, a restart) adds it.
        const started = (s.value as { detail: string }).detail;
        const detail = v.detail === started ? started : `${started} → ${v.detail}`;
        out.push({ kind: v.kind, detail, start: s.time, end: op.time });
      }
    }
  }
  for (const s of open.values())
    out.push({
      kind: (s.value as { kind: string }).kind,
      detail: (s.value as { detail: string }).detail,
      start: s.time,
      end,
    });
  return out.sort((a, b) => a.start - b.start);
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const width = 900;
const height = 180;
const pad = 40;

function axis(maxX: number, maxY: number, unit: string): string {
  const ticks: string[] = [];
  for (let i = 0; i <= 5; i++) {
    const x = pad + ((width - 2 * pad) * i) / 5;
    ticks.push(
      `<text x="${x}" y="${height - 5}" font-size="10" text-anchor="middle">${((maxX * i) / 5 / 1000).toFixed(0)} s</text>`,
    );
  }
  return `<line x1="${pad}" y1="${height - pad / 2}" x2="${width - pad}" y2="${height - pad / 2}" stroke="#888"/>${ticks.join('')}<text x="4" y="12" font-size="10">${esc(`${maxY.toFixed(0)} ${unit}`)}</text>`;
}

function shade(windows: readonly FaultWindow[], maxX: number): string {
  const palette: Record<string, string> = {
    kill: '#f4a6a6',
    pause: '#f8d58c',
    partition: '#a6c8f4',
    ring: '#b8a6f4',
    'leader-isolation': '#a6f4e0',
    'client-isolation': '#d0d0d0',
    'clock-skew': '#c8e6a0',
    'clock-jump': '#a0d070',
    'disk-full': '#d8b090',
    'slow-disk': '#e8d0b0',
    'kill-snapshot': '#f08080',
    'kill-roll': '#e07090',
  };
  return windows
    .map((w) => {
      const x = pad + ((width - 2 * pad) * w.start) / maxX;
      const wd = Math.max(1, ((width - 2 * pad) * (w.end - w.start)) / maxX);
      return `<rect x="${x}" y="0" width="${wd}" height="${height - pad / 2}" fill="${palette[w.kind] ?? '#e0c0e0'}" opacity="0.5"><title>${esc(`${w.kind}: ${w.detail}`)}</title></rect>`;
    })
    .join('');
}

export function renderReport(
  title: string,
  history: readonly Op[],
  results: CheckSummary,
  meta: Readonly<Record<string, string>>,
): string {
  const pairs = pairOps(history);
  const maxX = Math.max(1, ...history.map((o) => o.time));
  const windows = faultWindows(history);
  // Throughput: completions per one-second bucket, by type.
  const buckets = Math.ceil(maxX / 1000) + 1;
  const series: Record<'ok' | 'info' | 'fail', number[]> = {
    ok: new Array<number>(buckets).fill(0),
    info: new Array<number>(buckets).fill(0),
    fail: new Array<number>(buckets).fill(0),
  };
  const latencies: { t: number; ms: number; type: string }[] = [];
  for (const p of pairs) {
    if (!p.completion) continue;
    const t = p.completion.time;
    series[p.type][Math.floor(t / 1000)]!++;
    if (p.invoke.f !== 'poll' && p.invoke.f !== 'assign')
      latencies.push({ t: p.invoke.time, ms: t - p.invoke.time, type: p.type });
  }
  const maxRate = Math.max(1, ...series.ok, ...series.info, ...series.fail);
  const line = (ys: number[], color: string): string =>
    `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${ys.map((y, i) => `${pad + ((width - 2 * pad) * i * 1000) / maxX},${height - pad / 2 - ((height - pad) * y) / maxRate}`).join(' ')}"/>`;
  const maxLat = Math.max(1, ...latencies.map((l) => l.ms));
  const dots = latencies
    .map(
      (l) =>
        `<circle cx="${pad + ((width - 2 * pad) * l.t) / maxX}" cy="${height - pad / 2 - ((height - pad) * l.ms) / maxLat}" r="1.5" fill="${l.type === 'ok' ? '#2a7' : l.type === 'info' ? '#e90' : '#c33'}"/>`,
    )
    .join('');
  const byIndex = new Map(history.map((o) => [o.index, o]));
  const anomalies = Object.entries(results.examples)
    .map(
      ([kind, examples]) =>
        `<h3>${esc(kind)}: ${results.counts[kind] ?? 0}${results.allowed.includes(kind) ? ' (allowed)' : ''}</h3>` +
        (examples ?? [])
          .map(
            (e) =>
              `<p>${e.key === undefined ? '' : `key ${esc(String(e.key))}: `}${esc(e.explanation)}</p><pre>${esc(e.ops.map((i) => JSON.stringify(byIndex.get(i))).join('\n'))}</pre>`,
          )
          .join(''),
    )
    .join('');
  const metaRows = Object.entries(meta)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`)
    .join('');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:sans-serif;margin:24px;max-width:960px} pre{background:#f4f4f4;padding:6px;overflow-x:auto;font-size:11px} .valid{color:#2a7} .invalid{color:#c33} th{text-align:left;padding-right:12px}</style></head>
<body>
<h1>${esc(title)}: <span class="${results.valid ? 'valid' : 'invalid'}">${results.valid ? 'valid' : 'INVALID'}</span></h1>
<table>${metaRows}</table>
<h2>Throughput (completions per second: ok green, info orange, fail red)</h2>
<svg width="${width}" height="${height}">${shade(windows, maxX)}${axis(maxX, maxRate, 'ops/s')}${line(series.ok, '#2a7')}${line(series.info, '#e90')}${line(series.fail, '#c33')}</svg>
<h2>Latency of writes and reads (invoke to completion; polls left out)</h2>
<svg width="${width}" height="${height}">${shade(windows, maxX)}${axis(maxX, maxLat, 'ms')}${dots}</svg>
<h2>Faults</h2>
<ul>${windows.map((w) => `<li>${(w.start / 1000).toFixed(1)}–${(w.end / 1000).toFixed(1)} s ${esc(w.kind)}: ${esc(w.detail)}</li>`).join('')}</ul>
<h2>Anomalies</h2>
<pre>${esc(JSON.stringify(results.counts, null, 2))}</pre>
${anomalies || '<p>none</p>'}
<h2>Statistics</h2>
<pre>${esc(JSON.stringify(results.stats, null, 2))}</pre>
</body></html>
`;
}
