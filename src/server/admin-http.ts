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
