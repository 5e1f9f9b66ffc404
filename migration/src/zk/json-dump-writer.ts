// The inverse of json-dump-reader.ts: a znode tree as the JSON dump format of tree.json (what a
// client reading the live server would see: client cversion = persisted*2 - children, derived
// data_length and num_children). Used by tests to compare a replayed tree with a live dump, and
// useful to inspect a data directory. Reads the tree in one pass over its nodes (the result is
// one object; meant for trees that fit in memory).
import { asBuffer } from '../../../src/common/bytes.js';
import { parentOf, type ZnodeSource } from './znode-tree.js';

interface DumpEntry {
  acl: { perms: number; scheme: string; id: string }[];
  aversion: number;
  ctime: number;
  cversion: number;
  cversion_persisted: number;
  czxid: string;
  data: string | null;
  data_encoding: 'utf8' | 'base64' | null;
  data_length: number;
  ephemeral_owner: string;
  mtime: number;
  mzxid: string;
  num_children: number;
  pzxid: string;
  version: number;
}

const hex = (v: bigint): string => `0x${BigInt.asUintN(64, v).toString(16)}`;

function encodeData(data: Uint8Array | null): Pick<DumpEntry, 'data' | 'data_encoding'> {
  if (data === null) return { data: null, data_encoding: null };
  const b = asBuffer(data);
  const text = b.toString('utf8');
  return Buffer.from(text, 'utf8').equals(b)
    ? { data: text, data_encoding: 'utf8' }
    : { data: b.toString('base64'), data_encoding: 'base64' };
}

export async function treeToDump(tree: ZnodeSource): Promise<Record<string, DumpEntry>> {
  const out: Record<string, DumpEntry> = {};
  for await (const n of tree.nodes()) {
    out[n.path] = {
      acl: n.acl.map((a) => ({ perms: a.perms, scheme: a.scheme, id: a.id })),
      aversion: n.stat.aversion,
      ctime: Number(n.stat.ctime),
      cversion: n.stat.cversion * 2,
      cversion_persisted: n.stat.cversion,
      czxid: hex(n.stat.czxid),
      ...encodeData(n.data),
      data_length: n.data?.length ?? 0,
      ephemeral_owner: hex(n.stat.ephemeralOwner),
      mtime: Number(n.stat.mtime),
      mzxid: hex(n.stat.mzxid),
      num_children: 0,
      pzxid: hex(n.stat.pzxid),
      version: n.stat.version,
    };
  }
  // Children counted from the paths: every node's parent is in the tree.
  for (const path of Object.keys(out)) {
    const parent = parentOf(path);
    if (parent === null) continue;
    out[parent]!.num_children++;
    out[parent]!.cversion--;
  }
  return out;
}
