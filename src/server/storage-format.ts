// `raftka storage format`: give every log directory of a node its identity, meta.properties in
// Kafka's KRaft (v1) form: cluster.id, node.id, directory.id, version=1. A formatted directory
// is never reformatted unless asked to skip it (--ignore-formatted), so a typo cannot wipe the
// identity of a node that holds data.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { replaceFileDurably } from '../common/durable-files.js';
import { join } from 'node:path';
import type { NodeConfig } from '../common/node-config.js';
import { parseProperties } from '../common/properties.js';
import { isValidUuid, randomUuid } from '../common/uuid.js';

export { isValidUuid, randomUuid };

const metaPropertiesFile = 'meta.properties';

export class FormatError extends Error {
  override readonly name = 'FormatError';
}

interface MetaProperties {
  readonly clusterId: string;
  readonly nodeId: number;
  readonly directoryId: string | null;
}

export function readMetaProperties(dir: string): MetaProperties | null {
  const path = join(dir, metaPropertiesFile);
  if (!existsSync(path)) return null;
  const props = parseProperties(readFileSync(path, 'utf8'));
  const clusterId = props.get('cluster.id');
  const nodeId = Number(props.get('node.id'));
  if (!clusterId || !Number.isInteger(nodeId)) throw new FormatError(`${path} is missing cluster.id or node.id`);
  return { clusterId, nodeId, directoryId: props.get('directory.id') ?? null };
}

interface FormatResult {
  readonly formatted: readonly string[];
  readonly alreadyFormatted: readonly string[];
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
  const alreadyFormatted = dirs.filter((d) => existsSync(join(d, metaPropertiesFile)));
  if (alreadyFormatted.length > 0 && !opts.ignoreFormatted) {
    throw new FormatError(
      `log directory ${alreadyFormatted[0]} is already formatted; use --ignore-formatted to skip formatted directories`,
    );
  }
  for (const dir of alreadyFormatted) {
    const meta = readMetaProperties(dir);
    if (meta && (meta.clusterId !== clusterId || meta.nodeId !== config.nodeId)) {
      throw new FormatError(
        `${dir} belongs to cluster ${meta.clusterId} node ${meta.nodeId}, not cluster ${clusterId} node ${config.nodeId}`,
      );
    }
  }
  const formatted: string[] = [];
  for (const dir of dirs.filter((d) => !alreadyFormatted.includes(d))) {
    mkdirSync(dir, { recursive: true });
    const text = [
      '#',
      `#${new Date().toUTCString()}`,
      `cluster.id=${clusterId}`,
      `directory.id=${randomUuid()}`,
      `node.id=${config.nodeId}`,
      'version=1',
      '',
    ].join('\n');
    replaceFileDurably(join(dir, metaPropertiesFile), Buffer.from(text));
    formatted.push(dir);
  }
  return { formatted, alreadyFormatted };
}
