// The security of a node's gRPC links (KRaft quorum and controller RPCs on the controller
// listener, replica fetch and transaction traffic on the REPLICATION listener), from the node's
// config: listener.security.protocol.map says PLAINTEXT or SSL for each; SSL is mutual TLS with
// the listener's ssl.* settings (listener.name.<name>.ssl.* or the node's ssl.*): the node's
// certificate is its server certificate and its client certificate, the truststore is the
// cluster's CA. A peer is accepted when its certificate verifies against that CA; when
// `authorizer.class.name` is set, its principal (ssl.principal.mapping.rules over the subject)
// must also be in super.users, as Kafka's controllers ask CLUSTER_ACTION of their peers.
// Refusals are logged (rate-limited) and counted on both sides. Who calls: src/server/node.ts
// once per node; the CLI (rpcClientSecurityFromClient) for --bootstrap-controller.
import { dirname } from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { NodeConfig } from '../common/node-config.js';
import type { RpcLinkSecurity } from '../common/security-config.js';
import {
  plaintextRpc,
  type RpcClientSecurity,
  type RpcRefusal,
  type RpcServerSecurity,
  tlsRpcClient,
} from '../rpc/rpc-security.js';
import type { ClientSecurity } from './client-security.js';
import { mapPrincipal, parsePrincipalMappingRules } from './principal-mapping.js';
import { subjectDistinguishedName, userPrincipal } from './principal.js';
import { clientTlsOptions, loadPemMaterial, serverTlsOptions } from './tls-context.js';

/** Per peer and reason, one warning at most this often (a refused node retries many times a second). */
const refusalLogIntervalMs = 10_000;
/** Bound on the remembered (peer, reason) pairs of the rate limit. */
const refusalLogKeysMax = 1024;

/** Logs a refusal at once, then at most once per refusalLogIntervalMs per key with the count in between. */
class RefusalLog {
  private readonly last = new Map<string, { atMs: number; suppressed: number }>();

  constructor(private readonly logger: Logger) {}

  warn(key: string, fields: Record<string, unknown>, message: string): void {
    const now = Date.now();
    const seen = this.last.get(key);
    if (seen && now - seen.atMs < refusalLogIntervalMs) {
      seen.suppressed++;
      return;
    }
    if (!seen && this.last.size >= refusalLogKeysMax) this.last.clear();
    this.last.set(key, { atMs: now, suppressed: 0 });
    this.logger.warn({ ...fields, ...(seen && seen.suppressed > 0 ? { suppressed: seen.suppressed } : {}) }, message);
  }
}

/** The node's gRPC link security: servers (null: plaintext) and clients, per link. */
export interface NodeRpcSecurity {
  readonly controllerServer: RpcServerSecurity | null;
  readonly controllerClient: RpcClientSecurity;
  readonly replicationServer: RpcServerSecurity | null;
  readonly replicationClient: RpcClientSecurity;
}

/** Builds it once per node: reads the PEM files (a bad file stops the node with a clear message). */
export function nodeRpcSecurity(config: NodeConfig, logger: Logger, registry: Registry): NodeRpcSecurity {
  const log = new RefusalLog(logger.child({ component: 'rpc-security' }));
  const refused = new Counter({
    name: 'raftka_rpc_refused_connections_total',
    help: 'Connections to a gRPC link listener (controller, REPLICATION) refused by mutual TLS, by listener and reason',
    labelNames: ['listener', 'reason'],
    registers: [registry],
  });
  const refusedByPeer = new Counter({
    name: 'raftka_rpc_calls_refused_by_peer_total',
    help: 'Calls of this node on a gRPC link that the peer refused or whose TLS failed, by listener',
    labelNames: ['listener'],
    registers: [registry],
  });
  const links = [config.controllerLinkSecurity, config.replicationLinkSecurity];
  for (const link of links) {
    if (link.ssl) for (const reason of refusalReasons) refused.inc({ listener: link.listener, reason }, 0);
    refusedByPeer.inc({ listener: link.listener }, 0);
  }
  const server = (link: RpcLinkSecurity): RpcServerSecurity | null =>
    link.ssl ? linkServer(config, link, log, (r) => refused.inc({ listener: link.listener, reason: r.reason })) : null;
  const client = (link: RpcLinkSecurity): RpcClientSecurity => {
    const onRefused = (target: string, detail: string): void => {
      refusedByPeer.inc({ listener: link.listener });
      log.warn(
        `client ${target} ${detail.slice(0, 40)}`,
        { listener: link.listener, peer: target, reason: detail },
        link.ssl
          ? `a node refused this node's ${link.listener} connection, or its certificate is not trusted here`
          : `a node refused this node's plaintext ${link.listener} connection (is that link SSL in listener.security.protocol.map?)`,
      );
    };
    if (!link.ssl) return { ...plaintextRpc, onRefused };
    return tlsRpcClient(clientTlsOptions(loadPemMaterial(link.ssl, dirname(config.sourcePath)), true), onRefused);
  };
  return {
    controllerServer: server(config.controllerLinkSecurity),
    controllerClient: client(config.controllerLinkSecurity),
    replicationServer: server(config.replicationLinkSecurity),
    replicationClient: client(config.replicationLinkSecurity),
  };
}

const refusalReasons: readonly RpcRefusal['reason'][] = [
  'plaintext',
  'no_certificate',
  'untrusted_certificate',
  'principal',
  'handshake',
];

function linkServer(
  config: NodeConfig,
  link: RpcLinkSecurity,
  log: RefusalLog,
  count: (refusal: RpcRefusal) => void,
): RpcServerSecurity {
  const ssl = link.ssl!;
  const rules = parsePrincipalMappingRules(ssl.principalMappingRules);
  const superUsers = new Set(config.superUsers);
  return {
    tls: serverTlsOptions(ssl, dirname(config.sourcePath)),
    name: `node ${config.nodeId} (${link.listener} listener)`,
    checkPeer: (socket: TLSSocket) => {
      if (!config.authorizerEnabled) return null;
      const cert = socket.getPeerX509Certificate();
      if (!cert) return 'no client certificate';
      let principal: string;
      try {
        principal = userPrincipal(mapPrincipal(rules, subjectDistinguishedName(cert)));
      } catch (err) {
        return err instanceof Error ? err.message : String(err);
      }
      return superUsers.has(principal)
        ? null
        : `principal ${principal} is not in super.users (with an authorizer, only super users may use the links between nodes)`;
    },
    onRefused: (refusal) => {
      count(refusal);
      const host = refusal.remote.slice(0, refusal.remote.lastIndexOf(':'));
      log.warn(
        `server ${host} ${refusal.reason}`,
        { listener: link.listener, peer: refusal.remote, reason: refusal.reason, detail: refusal.detail },
        `refused a connection on the ${link.listener} listener`,
      );
    },
  };
}

/**
 * A CLI tool's security towards a controller listener (--bootstrap-controller), from its
 * --command-config: security.protocol=SSL is mutual TLS with the keystore and truststore given
 * there; PLAINTEXT is plaintext; SASL is not spoken on the links between nodes.
 */
export function rpcClientSecurityFromClient(client: ClientSecurity): RpcClientSecurity {
  if (client.sasl) throw new Error(`security.protocol=${client.protocol}: controller listeners take PLAINTEXT or SSL`);
  return client.tls ? tlsRpcClient(client.tls) : plaintextRpc;
}
