// The cluster-config folder a run is modelled on (`--config-dir`, cluster-configs/three-node by
// default). The harness keeps each node's identity and settings (quorum timeouts, log and topic
// defaults, anything else the folder sets) and replaces what it must own to proxy every link:
// ports, listeners and their names, quorum addresses, storage paths. The folder's nodes must be
// combined (broker and controller in one process) with node ids 1..n, as three-node's are: the
// harness aims faults at nodes that are both a voter and a replica.
// Security of the links between nodes is kept: when the folder maps its controller listener or
// REPLICATION to SSL (mutual TLS, as cluster-configs/secure-three-node does), the harness's nodes
// do too, with the folder's certificates (relative `*.location` settings are made absolute against
// the node file's directory, where the node would have read them). The proxies forward TLS bytes
// unchanged. The Kafka listener is the harness's own PLAINTEXT one (its clients and client proxies).
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parseProperties } from '../../../src/common/properties.js';
import { loadClusterNodes } from '../../../src/server/cluster-manager.js';

/** Keys the harness sets itself (or that only make sense with the folder's own addresses). */
export const harnessOwnedKeys: ReadonlySet<string> = new Set([
  'node.id',
  'process.roles',
  'controller.quorum.voters',
  'controller.quorum.bootstrap.servers',
  'listeners',
  'advertised.listeners',
  'controller.listener.names',
  'listener.security.protocol.map',
  'inter.broker.listener.name',
  'admin.listener',
  'replica.listener',
  'log.dirs',
  'log.dir',
  'metadata.log.dir',
  'raftka.connect.address.map',
]);

/** Security protocols of the links between nodes: PLAINTEXT, or SSL (mutual TLS). */
export interface LinkProtocols {
  readonly controller: string;
  readonly replication: string;
}

export interface ConfigFolder {
  readonly folder: string;
  /** Per node, index k for node id k + 1: the folder's settings the harness keeps. */
  readonly settings: readonly Readonly<Record<string, string>>[];
  /** The folder's controller and REPLICATION link protocols (the first node's; every node must agree). */
  readonly links: LinkProtocols;
}

/** Whether any link between nodes is mutual TLS. */
export function linksAreTls(links: LinkProtocols): boolean {
  return links.controller === 'SSL' || links.replication === 'SSL';
}

/** `listener.security.protocol.map` for the harness's listeners (PLAINTEXT, CONTROLLER, REPLICATION). */
export function harnessProtocolMap(links: LinkProtocols): string {
  return `PLAINTEXT:PLAINTEXT,CONTROLLER:${links.controller},REPLICATION:${links.replication}`;
}

/**
 * Reads and validates `folder` (every node file must be a valid node config); throws when its
 * nodes are not combined nodes with ids 1..n.
 */
export function readConfigFolder(folder: string): ConfigFolder {
  const nodes = loadClusterNodes({ configDir: folder, dataDir: join(folder, '.harness-validation-only') });
  const refuse = (why: string): never => {
    throw new Error(
      `${folder}: the jepsen-like harness runs folders of combined nodes (process.roles=broker,controller) with node ids 1..n, like cluster-configs/three-node; ${why}`,
    );
  };
  for (const n of nodes) {
    const roles = n.config.processRoles;
    if (!roles.includes('broker') || !roles.includes('controller'))
      refuse(`${n.name} has process.roles=${roles.join(',')}`);
  }
  const byId = [...nodes].sort((a, b) => a.config.nodeId - b.config.nodeId);
  byId.forEach((n, k) => {
    if (n.config.nodeId !== k + 1) refuse(`the node ids are ${byId.map((x) => x.config.nodeId).join(', ')}`);
  });
  const linksOf = (n: (typeof byId)[number]): LinkProtocols => {
    const map = n.config.listenerSecurityProtocolMap;
    const controllerName = n.config.controllerListenerNames[0] ?? 'CONTROLLER';
    return {
      controller: map.get(controllerName) ?? 'PLAINTEXT',
      replication: map.get('REPLICATION') ?? 'PLAINTEXT',
    };
  };
  const links = linksOf(byId[0]!);
  for (const n of byId) {
    const l = linksOf(n);
    if (l.controller !== links.controller || l.replication !== links.replication)
      refuse(`${n.name}'s links between nodes are secured differently from ${byId[0]!.name}'s`);
  }
  const settings = byId.map((n) => {
    const kept: Record<string, string> = {};
    const dir = dirname(n.configPath);
    for (const [k, v] of parseProperties(readFileSync(n.configPath, 'utf8'))) {
      if (harnessOwnedKeys.has(k)) continue;
      kept[k] = k.endsWith('.location') && v !== '' && !isAbsolute(v) ? resolve(dir, v) : v;
    }
    return kept;
  });
  return { folder, settings, links };
}
