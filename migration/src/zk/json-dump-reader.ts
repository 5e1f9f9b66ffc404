// Reads a JSON dump of a znode tree (the format of zk-fixtures/sample/tree.json: an object from
// path to {data, data_encoding, czxid, mzxid, pzxid, ctime, mtime, version, cversion,
// cversion_persisted, aversion, ephemeral_owner, acl, ...}) into a MemoryZnodeTree. zxids and
// ephemeral_owner are hex strings. Only `data` and `data_encoding` are required; missing stat
// fields read as 0 so hand-made dumps work. Malformed JSON, a bad entry or a node without its
// parent is a MigrationInputError naming the file and the byte offset (of the JSON error, or of
// the entry's key). Reads the file only; writes nothing.
import { readFile } from 'node:fs/promises';
import { MigrationInputError } from '../errors.js';
import { MemoryZnodeTree, openAcl, parentOf, type AclEntryZk, type ZnodeStat } from './znode-tree.js';

interface DumpSource {
  readonly kind: 'zk-dump';
  readonly path: string;
  /** The highest zxid in any node's czxid/mzxid/pzxid (a dump records no log position). */
  readonly lastZxid: bigint;
  /** mtime (or ctime) of the node whose stat holds lastZxid; null when only a pzxid does. */
  readonly lastZxidTime: bigint | null;
}

export interface DumpRead {
  readonly tree: MemoryZnodeTree;
  readonly source: DumpSource;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Byte offset of a UTF-16 index into text. */
function byteOffset(text: string, index: number): number {
  return Buffer.byteLength(text.slice(0, index), 'utf8');
}

function parseJson(text: string, file: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const m = /position (\d+)/.exec(message);
    const offset = m ? byteOffset(text, Number(m[1])) : Buffer.byteLength(text, 'utf8');
    throw new MigrationInputError(file, offset, `malformed JSON: ${message}`);
  }
}

function isObject(v: Json | undefined): v is { [k: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export async function readJsonDump(file: string): Promise<DumpRead> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new MigrationInputError(file, -1, `cannot read: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseJsonDump(text, file);
}

export function parseJsonDump(text: string, file: string): DumpRead {
  const root = parseJson(text, file);
  if (!isObject(root)) throw new MigrationInputError(file, 0, 'a znode dump must be a JSON object from path to node');
  const tree = new MemoryZnodeTree();
  let lastZxid = 0n;
  let lastZxidTime: bigint | null = null;
  const at = (path: string): number => {
    const i = text.indexOf(`${JSON.stringify(path)}:`);
    const j = i >= 0 ? i : text.indexOf(JSON.stringify(path));
    return j >= 0 ? byteOffset(text, j) : 0;
  };
  const fail = (path: string, reason: string): never => {
    throw new MigrationInputError(file, at(path), `znode ${path}: ${reason}`);
  };
  const zxid = (path: string, e: { [k: string]: Json }, key: string): bigint => {
    const v = e[key];
    if (v === undefined || v === null) return 0n;
    if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
    if (typeof v === 'string' && /^(0x[0-9a-fA-F]+|-?\d+)$/.test(v)) return BigInt(v);
    return fail(path, `${key} must be a hex string like "0x1a" or an integer`);
  };
  const int = (path: string, e: { [k: string]: Json }, key: string): number | undefined => {
    const v = e[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) return fail(path, `${key} must be an integer`);
    return v;
  };

  for (const path of Object.keys(root).sort()) {
    const e = root[path];
    if (!isObject(e)) fail(path, 'entry must be an object');
    const entry = e as { [k: string]: Json };
    if (path !== '/' && (!path.startsWith('/') || path.endsWith('/') || path.includes('//')))
      fail(path, 'not a valid znode path');
    const raw = entry['data'];
    const encoding = entry['data_encoding'] ?? (raw === null ? null : 'utf8');
    let data: Uint8Array | null;
    if (raw === null || raw === undefined) data = null;
    else if (typeof raw !== 'string') data = fail(path, 'data must be a string or null');
    else if (encoding === 'utf8') data = Buffer.from(raw, 'utf8');
    else if (encoding === 'base64') data = Buffer.from(raw, 'base64');
    else data = fail(path, `unknown data_encoding ${JSON.stringify(encoding)}`);
    let acl: readonly AclEntryZk[] = openAcl;
    const aclJson = entry['acl'];
    if (Array.isArray(aclJson)) {
      acl = aclJson.map((a) => {
        if (
          !isObject(a) ||
          typeof a['perms'] !== 'number' ||
          typeof a['scheme'] !== 'string' ||
          typeof a['id'] !== 'string'
        )
          return fail(path, 'acl entries need perms, scheme and id');
        return { perms: a['perms'], scheme: a['scheme'], id: a['id'] };
      });
    }
    const numChildren = int(path, entry, 'num_children') ?? 0;
    const clientCVersion = int(path, entry, 'cversion');
    const stat: ZnodeStat = {
      czxid: zxid(path, entry, 'czxid'),
      mzxid: zxid(path, entry, 'mzxid'),
      pzxid: zxid(path, entry, 'pzxid'),
      ctime: zxid(path, entry, 'ctime'),
      mtime: zxid(path, entry, 'mtime'),
      version: int(path, entry, 'version') ?? 0,
      // The dump holds what clients see (persisted*2 - children) and, when known, the persisted value.
      cversion:
        int(path, entry, 'cversion_persisted') ??
        (clientCVersion === undefined ? 0 : (clientCVersion + numChildren) / 2),
      aversion: int(path, entry, 'aversion') ?? 0,
      ephemeralOwner: BigInt.asIntN(64, zxid(path, entry, 'ephemeral_owner')),
    };
    for (const [z, time] of [
      [stat.czxid, stat.ctime],
      [stat.mzxid, stat.mtime],
      [stat.pzxid, null],
    ] as const)
      if (z > lastZxid || (z === lastZxid && lastZxidTime === null && time !== null)) {
        lastZxid = z;
        lastZxidTime = time;
      }
    const parent = parentOf(path);
    if (parent !== null && !tree.has(parent)) fail(path, `its parent ${parent} is not in the dump`);
    tree.put({ path, data, acl, stat });
  }
  if (!tree.has('/')) throw new MigrationInputError(file, 0, 'the dump has no root node "/"');
  return { tree, source: { kind: 'zk-dump', path: file, lastZxid, lastZxidTime } };
}
