// The admin HTTP server of a node: Prometheus `/metrics`, `/healthz` (the process is up) and
// `/readyz` (the node knows the quorum leader and has caught up to the high watermark), plus
// `/status` with the node's quorum view as JSON for tools and tests, and the web console under
// `/ui/` (src/console/; `/` redirects there).
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import type { Endpoint } from '../common/node-config.js';
import type { HttpAnswer } from '../console/web-console.js';

interface AdminHandlers {
  readonly registry: Registry;
  ready(): boolean;
  status(): unknown;
  /** The web console: answers `/` and everything under `/ui`. */
  readonly ui?: (rawPath: string, query: URLSearchParams) => Promise<HttpAnswer>;
  /** Tests only (raftka.test.stall.endpoint): `POST /test/stall?ms=N` busy-loops the main thread. */
  readonly stallEndpoint?: boolean;
}

/** The longest stall POST /test/stall runs. */
const stallMsMax = 10_000;

/** Keep this (the main) thread's event loop busy for `ms`, as a burst of broker work would. */
function busyLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin: nothing else runs on this thread meanwhile, which is the point
  }
}

export async function startAdminHttp(
  endpoint: Endpoint,
  handlers: AdminHandlers,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt < 0 ? url : url.slice(0, queryAt);
    const send = (code: number, type: string, body: string): void => {
      res.writeHead(code, { 'content-type': type });
      res.end(body);
    };
    if (req.method === 'POST' && path === '/test/stall' && handlers.stallEndpoint) {
      const ms = Number(new URLSearchParams(queryAt < 0 ? '' : url.slice(queryAt + 1)).get('ms') ?? '2000');
      if (!Number.isFinite(ms) || ms < 0 || ms > stallMsMax) return send(400, 'text/plain', `ms: 0..${stallMsMax}\n`);
      // Answer first, then stall: the caller learns the stall began without waiting for its end.
      res.writeHead(202, { 'content-type': 'text/plain' });
      res.end(`stalling the main thread for ${ms} ms\n`, () => setImmediate(() => busyLoop(ms)));
      return;
    }
    if (req.method !== 'GET') return send(405, 'text/plain', 'method not allowed\n');
    switch (path) {
      case '/healthz':
        return send(200, 'text/plain', 'ok\n');
      case '/readyz':
        return handlers.ready() ? send(200, 'text/plain', 'ready\n') : send(503, 'text/plain', 'not ready\n');
      case '/status':
        return send(200, 'application/json', `${JSON.stringify(handlers.status())}\n`);
      case '/metrics':
        handlers.registry.metrics().then(
          (text) => send(200, handlers.registry.contentType, text),
          (err: unknown) => send(500, 'text/plain', `${String(err)}\n`),
        );
        return;
      default: {
        const ui = handlers.ui;
        if (!ui || (path !== '/' && path !== '/ui' && !path.startsWith('/ui/')))
          return send(404, 'text/plain', 'not found\n');
        ui(path, new URLSearchParams(queryAt < 0 ? '' : url.slice(queryAt + 1))).then(
          (a) => {
            res.writeHead(a.status, a.headers);
            res.end(a.body);
          },
          (err: unknown) => send(500, 'text/plain', `${err instanceof Error ? err.message : String(err)}\n`),
        );
        return;
      }
    }
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(endpoint.port, endpoint.host, () => {
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : endpoint.port);
    });
  });
  return { server, port };
}
