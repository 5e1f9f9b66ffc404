// What `raftka cluster up/status` asks a running node over its admin listener: /healthz (the
// process serves) and /status (its quorum view and, on a broker, its lifecycle state), and when
// a node counts as ready: the quorum has a leader, and a broker is registered and unfenced.
// node:http without keep-alive rather than fetch: fetch loads undici (~150 ms) and its idle
// keep-alive sockets hold a short-lived CLI open after it is done.
import { request as httpRequest } from 'node:http';
import type { Endpoint, ProcessRole } from '../common/node-config.js';

const probeTimeoutMs = 1_000;
const statusBytesMax = 1024 * 1024;

/** Where to reach a server bound to `host` (a wildcard is reached on loopback). */
export function connectHost(host: string): string {
  if (host === '' || host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}

function get(admin: Endpoint, path: string): Promise<{ status: number; body: string } | null> {
  return new Promise((resolveGet) => {
    const req = httpRequest(
      { host: connectHost(admin.host), port: admin.port, path, agent: false, timeout: probeTimeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= statusBytesMax) chunks.push(c);
        });
        res.on('end', () => resolveGet({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', () => resolveGet(null));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolveGet(null));
    req.end();
  });
}

/** GET /healthz answered 200. */
export async function probeHealthy(admin: Endpoint): Promise<boolean> {
  return (await get(admin, '/healthz'))?.status === 200;
}

/** The part of a node's /status that says whether it is ready. */
export interface NodeReadiness {
  /** The quorum leader this node knows, null while there is none. */
  readonly quorumLeaderId: number | null;
  /** The broker's lifecycle state (registering, fenced, running, shutting-down), null on a controller. */
  readonly brokerState: string | null;
}

/** GET /status, reduced to what readiness needs; null when the node does not answer. */
export async function probeReadiness(admin: Endpoint): Promise<NodeReadiness | null> {
  const res = await get(admin, '/status');
  if (res?.status !== 200) return null;
  try {
    const s = JSON.parse(res.body) as { leaderId?: unknown; broker?: { state?: unknown } | null };
    return {
      quorumLeaderId: typeof s.leaderId === 'number' ? s.leaderId : null,
      brokerState: typeof s.broker?.state === 'string' ? s.broker.state : null,
    };
  } catch {
    return null;
  }
}

/**
 * Why a node with `roles` is not ready yet, or null when it is: the quorum has a leader and, on a
 * broker, the broker is registered and unfenced (clients can place replicas on it).
 */
export function notReadyBecause(roles: readonly ProcessRole[], r: NodeReadiness | null): string | null {
  if (r === null) return 'its admin listener does not answer /status';
  if (r.quorumLeaderId === null) return 'the metadata quorum has no leader yet';
  if (roles.includes('broker') && r.brokerState !== 'running')
    return `the broker is ${r.brokerState ?? 'not started'}, not running (unfenced) yet`;
  return null;
}
