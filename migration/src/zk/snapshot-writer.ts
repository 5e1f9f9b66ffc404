// Writes a znode tree as an uncompressed ZooKeeper snapshot file (FORMAT.md §3, the inverse of
// snapshot-reader.ts): header (magic, version 2, dbid), session table, ACL cache, the nodes
// depth-first from the root (written as ""), the "/" end marker, then the Adler-32 seal and its
// "/" marker. No digest section (ZooKeeper reads such files when digests are off). Used by the
// migration bench to make a large snapshot, and by tests to round-trip the reader.
import { adler32 } from './jute.js';
import { childPath, type AclEntryZk, type Znode, type ZnodeSource } from './znode-tree.js';
import { snapshotMagic, snapshotVersion } from './snapshot-reader.js';

/**
 * Grows a byte buffer while jute values are appended (big-endian, as DataOutputStream). Not the
 * protocol Writer: jute longs are full 64-bit (session ids, container owners: bigint) and jute
 * strings carry an int32 length, where Kafka's int64 takes safe integers and strings an int16.
 */
class JuteWriter {
  private buf = Buffer.alloc(1 << 20);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  int(v: number): void {
    this.room(4);
    this.buf.writeInt32BE(v, this.length);
    this.length += 4;
  }

  long(v: bigint): void {
    this.room(8);
    this.buf.writeBigInt64BE(v, this.length);
    this.length += 8;
  }

  buffer(b: Uint8Array | null): void {
    if (b === null) return this.int(-1);
    this.int(b.length);
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  string(s: string): void {
    this.buffer(Buffer.from(s, 'utf8'));
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

/** The snapshot bytes of `tree` (every node reachable from "/"), with `sessions` (id → timeout ms). */
export async function writeSnapshot(
  tree: ZnodeSource,
  sessions: ReadonlyMap<bigint, number> = new Map(),
): Promise<Buffer> {
  const w = new JuteWriter();
  w.int(snapshotMagic);
  w.int(snapshotVersion);
  w.long(-1n);
  w.int(sessions.size);
  for (const [id, timeout] of sessions) {
    w.long(id);
    w.int(timeout);
  }
  // The ACL cache: each distinct ACL list once, referenced by number from the nodes.
  const refs = new Map<string, bigint>();
  const lists: AclEntryZk[][] = [];
  const refOf = (acl: readonly AclEntryZk[]): bigint => {
    const key = JSON.stringify(acl);
    let ref = refs.get(key);
    if (ref === undefined) {
      ref = BigInt(lists.length + 1);
      refs.set(key, ref);
      lists.push([...acl]);
    }
    return ref;
  };
  const nodes: Znode[] = [];
  const visit = async (path: string): Promise<void> => {
    const n = await tree.get(path);
    if (!n) return;
    nodes.push(n);
    refOf(n.acl);
    for (const name of await tree.children(path)) await visit(childPath(path, name));
  };
  await visit('/');
  w.int(lists.length);
  lists.forEach((acl, i) => {
    w.long(BigInt(i + 1));
    w.int(acl.length);
    for (const a of acl) {
      w.int(a.perms);
      w.string(a.scheme);
      w.string(a.id);
    }
  });
  for (const n of nodes) {
    w.string(n.path === '/' ? '' : n.path);
    w.buffer(n.data);
    w.long(refOf(n.acl));
    const s = n.stat;
    w.long(s.czxid);
    w.long(s.mzxid);
    w.long(s.ctime);
    w.long(s.mtime);
    w.int(s.version);
    w.int(s.cversion);
    w.int(s.aversion);
    w.long(s.ephemeralOwner);
    w.long(s.pzxid);
  }
  w.string('/');
  w.long(BigInt(adler32(w.bytes())));
  w.string('/');
  return Buffer.from(w.bytes());
}
