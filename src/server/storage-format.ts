// `raftka storage format`: give every log directory of a node its identity, meta.properties in
// Kafka's KRaft (v1) form: cluster.id, node.id, directory.id, version=1. A formatted directory
// is never reformatted unless asked to skip it (--ignore-formatted), so a typo cannot wipe the
// identity of a node that holds data. A log directory a ZooKeeper-mode Kafka broker left
// (meta.properties version 0: broker.id, cluster.id) is adopted: rewritten as version 1 with the
// same cluster id, the broker id as node.id and a new directory.id, by `storage format` and by
// the node at start (adoptZkModeDirectories).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { replaceFileDurably } from '../common/durable-files.js';
import { join } from 'node:path';
import type { NodeConfig } from '../common/node-config.js';
import { parseProperties } from '../common/properties.js';
import { isValidUuid, randomUuid } from '../common/uuid.js';

export { isValidUuid, randomUuid };

const metaPropertiesFile = 'meta.properties';
/** Where adoption keeps a ZooKeeper-mode broker's meta.properties. */
export const zkModeBackupFile = 'meta.properties.zk-mode';

export class FormatError extends Error {
  override readonly name = 'FormatError';
}

interface MetaProperties {
  readonly clusterId: string;
  /** node.id (version 1) or broker.id (version 0, a ZooKeeper-mode broker's). */
  readonly nodeId: number;
  readonly directoryId: string | null;
  /** 0: written by a ZooKeeper-mode Kafka broker, adopted at format or start; 1: KRaft's. */
  readonly version: 0 | 1;
}

export function readMetaProperties(dir: string): MetaProperties | null {
  const path = join(dir, metaPropertiesFile);
  if (!existsSync(path)) return null;
  const props = parseProperties(readFileSync(path, 'utf8'));
  const version = props.get('version') === '0' ? 0 : 1;
  const clusterId = props.get('cluster.id');
  const idKey = version === 0 ? 'broker.id' : 'node.id';
  const nodeId = Number(props.get(idKey));
  if (!clusterId || !Number.isInteger(nodeId)) throw new FormatError(`${path} is missing cluster.id or ${idKey}`);
  return { clusterId, nodeId, directoryId: props.get('directory.id') ?? null, version };
}

function writeMetaProperties(dir: string, clusterId: string, nodeId: number): void {
  const text = [
    '#',
    `#${new Date().toUTCString()}`,
    `cluster.id=${clusterId}`,
    `directory.id=${randomUuid()}`,
    `node.id=${nodeId}`,
    'version=1',
    '',
  ].join('\n');
  replaceFileDurably(join(dir, metaPropertiesFile), Buffer.from(text));
}

/**
 * Adopt the node's directories a ZooKeeper-mode Kafka broker left (meta.properties version 0):
 * each must name this node's id as broker.id and the cluster id of the node's other formatted
 * directories; it is rewritten as version 1, the original kept as `meta.properties.zk-mode`.
 * Returns the directories adopted.
 */
export function adoptZkModeDirectories(config: NodeConfig): string[] {
  const metas = nodeDirectories(config)
    .map((dir) => ({ dir, meta: readMetaProperties(dir) }))
    .filter((d) => d.meta !== null);
  const adopted: string[] = [];
  for (const { dir, meta } of metas) {
    if (meta!.version !== 0) continue;
    if (meta!.nodeId !== config.nodeId)
      throw new FormatError(
        `${dir} is ZooKeeper-mode broker ${meta!.nodeId}'s log directory, but this is node ${config.nodeId}`,
      );
    const other = metas.find((d) => d.meta!.clusterId !== meta!.clusterId);
    if (other)
      throw new FormatError(
        `${dir} belongs to cluster ${meta!.clusterId}, but ${other.dir} to ${other.meta!.clusterId}`,
      );
    // The original stays beside it, for a rollback to the ZooKeeper-mode broker (docs/migration-runbook.md).
    const backup = join(dir, zkModeBackupFile);
    if (!existsSync(backup)) replaceFileDurably(backup, readFileSync(join(dir, metaPropertiesFile)));
    writeMetaProperties(dir, meta!.clusterId, config.nodeId);
    adopted.push(dir);
  }
  return adopted;
}

interface FormatResult {
  readonly formatted: readonly string[];
  readonly alreadyFormatted: readonly string[];
  /** ZooKeeper-mode broker directories rewritten as version 1 (their data kept). */
  readonly adopted: readonly string[];
}

/** Every directory the node keeps data in: log.dirs and metadata.log.dir, each once. */
export function nodeDirectories(config: NodeConfig): string[] {
  return [...new Set([...config.logDirs, config.metadataLogDir])];
}

export function formatStorage(config: NodeConfig, clusterId: string, opts: { ignoreFormatted: boolean }): FormatResult {
  if (!isValidUuid(clusterId))
    throw new FormatError(
      `cluster id "${clusterId}" is not a 22-character base64url UUID (see raftka storage random-uuid)`,
    );
  const dirs = nodeDirectories(config);
  const metas = new Map(dirs.map((d) => [d, readMetaProperties(d)]));
  // A ZooKeeper-mode broker's directory (version 0) is not "formatted": it is adopted below.
  const alreadyFormatted = dirs.filter((d) => metas.get(d)?.version === 1);
  if (alreadyFormatted.length > 0 && !opts.ignoreFormatted) {
    throw new FormatError(
      `log directory ${alreadyFormatted[0]} is already formatted; use --ignore-formatted to skip formatted directories`,
    );
  }
  for (const dir of dirs) {
    const meta = metas.get(dir);
    if (meta && (meta.clusterId !== clusterId || meta.nodeId !== config.nodeId)) {
      const what = meta.version === 0 ? 'ZooKeeper-mode cluster' : 'cluster';
      throw new FormatError(
        `${dir} belongs to ${what} ${meta.clusterId} node ${meta.nodeId}, not cluster ${clusterId} node ${config.nodeId}`,
      );
    }
  }
  const adopted = adoptZkModeDirectories(config);
  const formatted: string[] = [];
  for (const dir of dirs.filter((d) => !metas.get(d))) {
    mkdirSync(dir, { recursive: true });
    writeMetaProperties(dir, clusterId, config.nodeId);
    formatted.push(dir);
  }
  return { formatted, alreadyFormatted, adopted };
}
