// The cluster-config folder a run is modelled on (`--config-dir`, cluster-configs/three-node by
// default). The harness keeps each node's identity and settings (quorum timeouts, log and topic
// defaults, anything else the folder sets) and replaces what it must own to proxy every link:
// ports, listeners and their names, quorum addresses, storage paths. The folder's nodes must be
// combined (broker and controller in one process) with node ids 1..n, as three-node's are: the
// harness aims faults at nodes that are both a voter and a replica.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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

export interface ConfigFolder {
  readonly folder: string;
  /** Per node, index k for node id k + 1: the folder's settings the harness keeps. */
  readonly settings: readonly Readonly<Record<string, string>>[];
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
  const settings = byId.map((n) => {
    const kept: Record<string, string> = {};
    for (const [k, v] of parseProperties(readFileSync(n.configPath, 'utf8'))) if (!harnessOwnedKeys.has(k)) kept[k] = v;
    return kept;
  });
  return { folder, settings };
}
