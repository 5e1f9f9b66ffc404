// The web console's page shell (navigation, header, stylesheet) and small building blocks shared
// by the page modules: tables, error boxes, definition lists. Server-rendered, no JavaScript.
import { html, SafeHtml, uiHref } from './html.js';
import type { ConsoleContext, NavKey, Page } from './context.js';

const navItems: readonly { key: NavKey; label: string; path: string }[] = [
  { key: 'cluster', label: 'Cluster', path: '' },
  { key: 'brokers', label: 'Brokers', path: 'brokers' },
  { key: 'topics', label: 'Topics', path: 'topics' },
  { key: 'messages', label: 'Messages', path: 'messages' },
  { key: 'groups', label: 'Consumer groups', path: 'groups' },
  { key: 'migrations', label: 'Migrations', path: 'migrations' },
  { key: 'jepsen', label: 'Jepsen runs', path: 'jepsen' },
];

export function renderPage(ctx: ConsoleContext, page: Page): string {
  const nav = navItems.map(
    (n) =>
      html`<a href="${uiHref(n.path)}"${n.key === page.nav ? new SafeHtml(' class="active" aria-current="page"') : ''}>${n.label}</a>`,
  );
  const scripts = (page.scripts ?? []).map((s) => html`<script src="/ui/assets/${s}" defer></script>`);
  const doc = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title} · raftka</title>
<link rel="stylesheet" href="/ui/assets/console.css">
${page.scripts && page.scripts.length > 0 ? html`<link rel="stylesheet" href="/ui/assets/uPlot.min.css">` : ''}
${scripts}
</head>
<body>
<header><span class="brand">raftka</span><nav>${nav}</nav>
<span class="node">node ${ctx.config.nodeId} · cluster ${ctx.clusterId}</span></header>
<main>
<h1>${page.title}</h1>
${page.body}
</main>
</body>
</html>
`;
  return doc.text;
}

type Cell = SafeHtml | string | number | null;

/** A table; null cells show "-". `id` lets tests and scripts find it. */
export function table(headers: readonly string[], rows: readonly (readonly Cell[])[], id?: string): SafeHtml {
  if (rows.length === 0) return html`<p class="empty">None.</p>`;
  return html`<table${id ? html` id="${id}"` : ''}><thead><tr>${headers.map((h) => html`<th>${h}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html`<tr>${r.map((c) => html`<td>${c === null ? '-' : c}</td>`)}</tr>\n`)}</tbody></table>`;
}

export function errorBox(what: string, err: unknown): SafeHtml {
  return html`<p class="error">${what}: ${err instanceof Error ? err.message : String(err)}</p>`;
}

export function facts(items: readonly (readonly [string, Cell])[]): SafeHtml {
  return html`<dl class="facts">${items.map(([k, v]) => html`<dt>${k}</dt><dd>${v === null ? '-' : v}</dd>`)}</dl>`;
}

export function link(path: string, text: string | number, query?: Parameters<typeof uiHref>[1]): SafeHtml {
  return html`<a href="${uiHref(path, query)}">${text}</a>`;
}

/** Runs a read; on failure the page shows the error in place of that section. */
export async function section(what: string, body: () => Promise<SafeHtml>): Promise<SafeHtml> {
  try {
    return await body();
  } catch (err) {
    return errorBox(what, err);
  }
}
