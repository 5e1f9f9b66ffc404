// The web console served under /ui/ by every node's admin listener (src/server/admin-http.ts):
// routes a GET to its page, renders it in the shell of layout.ts, serves the console's own
// assets and uPlot (from node_modules, never a CDN), serves a jepsen-like run's report.html after
// the path check, and samples the lag of the groups whose page was opened lately every
// console.lag.sample.ms. Built by src/server/node-admin.ts; close() stops the sampler and the client.
import type { RpcClientSecurity } from '../rpc/rpc-security.js';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import { repoPath } from '../common/paths.js';
import type { NodeConfig } from '../common/node-config.js';
import type { MetadataState } from '../metadata/metadata-state.js';
import type { QuorumStatus } from '../raft/core/raft-core.js';
import { brokersPage, clusterPage } from './cluster-pages.js';
import { ConsoleClient } from './console-client.js';
import type { ConsoleContext, Page } from './context.js';
import { groupPage, groupsPage } from './group-pages.js';
import { groupLag, lagSample } from './group-lag.js';
import { html } from './html.js';
import { LagHistory } from './lag-history.js';
import { renderPage } from './layout.js';
import { jepsenPage, jepsenReportFile, migrationsPage } from './report-pages.js';
import { messagesPage, topicPage, topicsPage } from './topic-pages.js';

/** An HTTP answer for the admin server to send. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Buffer;
}

export interface WebConsole {
  /** Answers a GET of `rawPath` (still URL-encoded, without the query) under /ui/, or of `/`. */
  handle(rawPath: string, query: URLSearchParams): Promise<HttpAnswer>;
  close(): void;
}

interface WebConsoleOptions {
  readonly config: NodeConfig;
  readonly clusterId: string;
  readonly state: MetadataState;
  readonly quorumStatus: () => QuorumStatus;
  readonly logger: Logger;
  /** How DescribeQuorum reaches the controller listener (plaintext or mutual TLS). */
  readonly controllerSecurity: RpcClientSecurity;
}

const require = createRequire(import.meta.url);

/** Every asset the console serves, by name: nothing else under /ui/assets/ is readable. */
const assets: Readonly<Record<string, { readonly path: () => string; readonly type: string }>> = {
  'console.css': { path: () => repoPath('src/console/assets/console.css'), type: 'text/css; charset=utf-8' },
  'lag-chart.js': { path: () => repoPath('src/console/assets/lag-chart.js'), type: 'text/javascript; charset=utf-8' },
  'uPlot.iife.min.js': {
    path: () => require.resolve('uplot/dist/uPlot.iife.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'uPlot.min.css': { path: () => require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

/** Pages may load scripts and styles from this listener only (uPlot sets element styles). */
const pageHeaders = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

function redirect(to: string): HttpAnswer {
  return { status: 302, headers: { location: to, 'content-type': 'text/plain' }, body: `see ${to}\n` };
}

function notFound(what: string): Page {
  return { title: 'Not found', nav: 'cluster', body: html`<p class="error">${what}</p>`, status: 404 };
}

export function createWebConsole(options: WebConsoleOptions): WebConsole {
  const ctx: ConsoleContext = {
    config: options.config,
    clusterId: options.clusterId,
    state: options.state,
    quorumStatus: options.quorumStatus,
    client: new ConsoleClient(() => options.state.image, options.config),
    lagHistory: new LagHistory(),
    logger: options.logger.child({ component: 'web-console' }),
    controllerSecurity: options.controllerSecurity,
  };
  const assetCache = new Map<string, Buffer>();
  const sampler = startLagSampler(ctx);

  const asset = (name: string): HttpAnswer => {
    const a = Object.hasOwn(assets, name) ? assets[name] : undefined;
    if (!a) return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'no such asset\n' };
    let body = assetCache.get(name);
    if (!body) {
      body = readFileSync(a.path());
      assetCache.set(name, body);
    }
    return { status: 200, headers: { 'content-type': a.type, 'cache-control': 'max-age=3600' }, body };
  };

  const page = async (segments: readonly string[], query: URLSearchParams): Promise<Page | HttpAnswer> => {
    const [first = '', second, third, ...rest] = segments;
    const one = second !== undefined && third === undefined;
    switch (first) {
      case '':
        return segments.length <= 1 ? clusterPage(ctx) : notFound('No such page.');
      case 'brokers':
        return brokersPage(ctx);
      case 'topics':
        return second === undefined || second === ''
          ? topicsPage(ctx)
          : one
            ? topicPage(ctx, second)
            : notFound('No such page.');
      case 'messages':
        return messagesPage(ctx, query);
      case 'groups':
        return second === undefined || second === ''
          ? groupsPage(ctx)
          : one
            ? groupPage(ctx, second)
            : notFound('No such page.');
      case 'migrations':
        return migrationsPage(ctx);
      case 'jepsen': {
        if (second === undefined || second === '') return jepsenPage(ctx);
        const file = third !== undefined && rest.length === 0 ? jepsenReportFile(ctx, second, third) : null;
        if (file === null) return notFound('No such report (a run folder and its report.html only).');
        return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: readFileSync(file) };
      }
      case 'assets':
        return second !== undefined && third === undefined ? asset(second) : notFound('No such asset.');
      default:
        return notFound('No such page.');
    }
  };

  return {
    async handle(rawPath, query) {
      if (rawPath === '/' || rawPath === '/ui') return redirect('/ui/');
      if (!rawPath.startsWith('/ui/'))
        return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'not found\n' };
      let segments: string[];
      try {
        segments = rawPath.slice('/ui/'.length).split('/').map(decodeURIComponent);
      } catch {
        return { status: 400, headers: { 'content-type': 'text/plain' }, body: 'bad path encoding\n' };
      }
      const out = await page(segments, query);
      if (!('title' in out)) return out;
      return { status: out.status ?? 200, headers: pageHeaders, body: renderPage(ctx, out) };
    },
    close() {
      if (sampler) clearInterval(sampler);
      ctx.client.dispose();
    },
  };
}

/** Every console.lag.sample.ms, a lag sample of each watched group (one round at a time). */
function startLagSampler(ctx: ConsoleContext): NodeJS.Timeout | null {
  const everyMs = ctx.config.consoleLagSampleMs;
  if (everyMs <= 0) return null;
  let running = false;
  const timer = setInterval(() => {
    const groups = ctx.lagHistory.watched(Date.now());
    if (running || groups.length === 0) return;
    running = true;
    void (async () => {
      for (const g of groups) {
        try {
          const lag = await ctx.client.use((c) => groupLag(c, g));
          ctx.lagHistory.record(g, lagSample(lag.rows, Date.now()));
        } catch (err) {
          ctx.logger.debug({ group: g, err: err instanceof Error ? err.message : String(err) }, 'lag sample failed');
        }
      }
    })().finally(() => {
      running = false;
    });
  }, everyMs);
  timer.unref();
  return timer;
}
