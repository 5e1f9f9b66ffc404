// Reads one ZooKeeper snapshot file (FORMAT.md §3) into a ZnodeStore: header, session
// table, ACL cache, nodes (parent before children), then the Adler-32 seals and the optional
// ZxidDigest. Both seals are checked; any mismatch, truncation or bad marker is a
// MigrationInputError naming the file and the byte offset. `.gz` and `.snappy` variants
// (zookeeper.snapshot.compression.method) are decompressed first; their offsets then refer to
// the decompressed stream, which is what ZooKeeper checksums too.
// Nodes reach the store in batches of snapshotBatchNodes, so a store on disk never holds the
// whole tree in memory; the caller clears the store when the snapshot turns out invalid (its
// seals are only checked at the end). Parents are checked against the path of ancestors
// ZooKeeper's depth-first write order keeps (the store is asked only when that fails).
// Called by data-dir-reader.ts; no file I/O of its own beyond the store.
import { gunzipSync } from 'fflate';
import snappy from 'snappy';
import { MigrationInputError } from '../errors.js';
import { adler32, JuteReader } from './jute.js';
import {
  MemoryZnodeTree,
  openAcl,
  parentOf,
  type AclEntryZk,
  type Znode,
  type ZnodeStat,
  type ZnodeStore,
} from './znode-tree.js';

/** Nodes parsed before they are written to the store together. */
const snapshotBatchNodes = 5_000;

export const snapshotMagic = 0x5a4b534e; // "ZKSN"
export const snapshotVersion = 2;

interface ZxidDigest {
  readonly zxid: bigint;
  readonly digestVersion: number;
  readonly treeDigest: bigint;
}

export interface LoadedSnapshot {
  readonly tree: ZnodeStore;
  /** Session id → timeout (ms). */
  readonly sessions: Map<bigint, number>;
  /** Null when the snapshot has no digest section (digests disabled, or before 3.6). */
  readonly digest: ZxidDigest | null;
}

type SnapshotCompression = 'none' | 'gz' | 'snappy';

function snapshotCompressionOf(fileName: string): SnapshotCompression {
  if (fileName.endsWith('.gz')) return 'gz';
  if (fileName.endsWith('.snappy')) return 'snappy';
  return 'none';
}

const xerialMagic = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]); // \x82SNAPPY\0
const xerialHeaderBytes = 16; // magic, int version, int compatible version

/** snappy-java's SnappyOutputStream framing (what ZooKeeper's SnapStream writes): a header, then [int length][raw snappy block]... */
function unframeXerialSnappy(bytes: Uint8Array, file: string): Uint8Array {
  const r: JuteReader = new JuteReader(bytes, file);
  if (bytes.length < xerialHeaderBytes || !xerialMagic.equals(bytes.subarray(0, 8)))
    r.fail('not a snappy-java stream (bad magic)', 0);
  r.offset = xerialHeaderBytes;
  const parts: Uint8Array[] = [];
  while (r.remaining > 0) {
    const at = r.offset;
    const block = r.buffer('snappy block');
    if (block === null) r.fail('bad snappy block length -1', at);
    try {
      parts.push(snappy.uncompressSync(block) as Buffer);
    } catch (err) {
      r.fail(`undecodable snappy block: ${err instanceof Error ? err.message : String(err)}`, at);
    }
  }
  return Buffer.concat(parts);
}

function decompress(bytes: Uint8Array, file: string): Uint8Array {
  switch (snapshotCompressionOf(file)) {
    case 'gz':
      try {
        return gunzipSync(bytes);
      } catch (err) {
        throw new MigrationInputError(
          file,
          -1,
          `undecodable gzip stream: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    case 'snappy':
      return unframeXerialSnappy(bytes, file);
    case 'none':
      return bytes;
  }
}

function readAcl(r: JuteReader): AclEntryZk {
  const perms = r.int('ACL perms');
  const scheme = r.ustring('ACL scheme') ?? '';
  const id = r.ustring('ACL id') ?? '';
  return { perms, scheme, id };
}

export function readAclList(r: JuteReader): AclEntryZk[] {
  return r.vector('ACL list', () => readAcl(r)) ?? [];
}

function readStatPersisted(r: JuteReader): ZnodeStat {
  const czxid = r.long('czxid');
  const mzxid = r.long('mzxid');
  const ctime = r.long('ctime');
  const mtime = r.long('mtime');
  const version = r.int('version');
  const cversion = r.int('cversion');
  const aversion = r.int('aversion');
  const ephemeralOwner = r.long('ephemeralOwner');
  const pzxid = r.long('pzxid');
  return { czxid, mzxid, pzxid, ctime, mtime, version, cversion, aversion, ephemeralOwner };
}

function checkSeal(r: JuteReader, which: string): void {
  const at = r.offset;
  const stored = r.long(`${which} checksum`);
  const computed = adler32(r.buf, 0, at);
  if (stored !== BigInt(computed))
    r.fail(`${which} checksum mismatch: file says ${stored.toString(16)}, bytes give ${computed.toString(16)}`, at);
  const markAt = r.offset;
  if (r.ustring(`${which} end marker`) !== '/') r.fail(`${which} is not followed by the "/" end marker`, markAt);
}

/**
 * Parses a whole snapshot file's bytes (compressed or not, by its name) into `tree` (an empty
 * store; a new MemoryZnodeTree by default).
 */
export async function readSnapshot(
  fileBytes: Uint8Array,
  file: string,
  tree: ZnodeStore = new MemoryZnodeTree(),
): Promise<LoadedSnapshot> {
  const bytes = decompress(fileBytes, file);
  const r: JuteReader = new JuteReader(bytes, file);
  if (bytes.length < 10) r.fail(`too short for a snapshot (${bytes.length} bytes)`, 0);
  const magic = r.int('magic');
  if (magic !== snapshotMagic) r.fail(`bad magic 0x${(magic >>> 0).toString(16)}, expected 0x5a4b534e ("ZKSN")`, 0);
  const version = r.int('version');
  if (version !== snapshotVersion) r.fail(`unsupported snapshot version ${version}`, 4);
  r.long('dbid');

  const sessions = new Map<bigint, number>();
  const sessionCount = r.int('session count');
  if (sessionCount < 0) r.fail(`bad session count ${sessionCount}`, r.offset - 4);
  for (let i = 0; i < sessionCount; i++) sessions.set(r.long('session id'), r.int('session timeout'));

  const acls = new Map<bigint, readonly AclEntryZk[]>();
  const aclCount = r.int('ACL cache count');
  if (aclCount < 0) r.fail(`bad ACL cache count ${aclCount}`, r.offset - 4);
  for (let i = 0; i < aclCount; i++) {
    const ref = r.long('ACL reference');
    acls.set(ref, readAclList(r));
  }

  // The batch not yet in the store (path → its byte offset, for errors), and the ancestors of
  // the last node read.
  let batch: Znode[] = [];
  const batchOffsets = new Map<string, number>();
  const ancestors: string[] = [];
  let sawRoot = false;
  const writeBatch = async (): Promise<void> => {
    const duplicate = await tree.firstExisting(batch.map((n) => n.path));
    if (duplicate !== undefined) r.fail(`node ${duplicate} appears twice`, batchOffsets.get(duplicate)!);
    await tree.writeBatch(batch);
    batch = [];
    batchOffsets.clear();
  };
  for (;;) {
    const at = r.offset;
    const raw = r.path('node path');
    if (raw === '/') break; // end of nodes; the root itself is written as ""
    const path = raw === '' ? '/' : raw;
    const data = r.buffer('node data');
    const refAt = r.offset;
    const ref = r.long('ACL reference');
    const acl = ref === -1n ? openAcl : acls.get(ref);
    if (acl === undefined) r.fail(`node ${path} refers to ACL ${ref}, which is not in the ACL cache`, refAt);
    const stat = readStatPersisted(r);
    if (path !== '/' && !path.startsWith('/')) r.fail(`bad node path "${path}"`, at);
    if (batchOffsets.has(path)) r.fail(`node ${path} appears twice`, at);
    const parent = parentOf(path);
    if (parent !== null) {
      while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== parent) ancestors.pop();
      if (ancestors.length === 0 && !batchOffsets.has(parent) && !(await tree.exists(parent)))
        r.fail(`node ${path} comes before its parent`, at);
    }
    ancestors.push(path);
    if (path === '/') sawRoot = true;
    batch.push({ path, data: data === null ? null : Uint8Array.from(data), acl, stat });
    batchOffsets.set(path, at);
    if (batch.length >= snapshotBatchNodes) await writeBatch();
  }
  await writeBatch();
  if (!sawRoot && !(await tree.exists('/'))) r.fail('snapshot has no root node', r.offset);
  checkSeal(r, 'first seal');

  let digest: ZxidDigest | null = null;
  if (r.remaining > 0) {
    digest = { zxid: r.long('digest zxid'), digestVersion: r.int('digest version'), treeDigest: r.long('tree digest') };
    checkSeal(r, 'second seal');
  }
  if (r.remaining > 0) r.fail(`${r.remaining} unexpected bytes after the end of the snapshot`);
  return { tree, sessions, digest };
}
