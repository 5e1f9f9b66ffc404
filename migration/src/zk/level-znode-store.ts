// The staging znode store on disk (issue 7 item 6): the tree read from a ZooKeeper data
// directory lives in a LevelDB database (`level`) instead of one JavaScript object, so a
// snapshot with millions of znodes needs memory for one write batch, not for the whole tree.
//
// Layout (keys are UTF-8 strings; ZooKeeper paths never contain NUL):
//   n<path>               → the node: v8-serialized { data, acl, stat } (bigints and bytes as they are)
//   c<parent>\0<name>     → ''  (child index; children of P are the range c<P>\0 .. c<P>\x01)
//   e<owner hex>\0<path>  → ''  (ephemeral index, for closeSession txns that list no paths)
//   m:meta                → JSON written by the owner (what was read into the store, and whether it finished)
// Paths come back in byte order of their UTF-8 keys, which is the order of MemoryZnodeTree for
// every path without characters outside the Basic Multilingual Plane.
//
// Writes go through a write-back cache of at most `pendingNodesMax` changed nodes, flushed as
// one LevelDB batch; reads see the cache first, then a read-ahead cache (readAheadNodes). Listing calls (children, nodes, erase of a
// subtree, ephemeralPaths) flush first. Calls must not overlap (the readers await each one).
// Invariant, as in MemoryZnodeTree: a node's parent exists
// when the node is written (callers check) and the child index matches the nodes.
import { deserialize, serialize } from 'node:v8';
import { Level } from 'level';
import {
  childPath,
  nameOf,
  parentOf,
  type AclEntryZk,
  type Znode,
  type ZnodeStat,
  type ZnodeStore,
} from './znode-tree.js';

/** Changed nodes held in memory before they are written to LevelDB as one batch. */
export const pendingNodesMax = 10_000;
/**
 * A read that misses takes this many nodes from its key on, in one LevelDB iterator: readers go
 * through the tree in path order (a topic's partitions and their states are neighbours), so one
 * seek serves the next few hundred reads instead of one point read each.
 */
const readAheadNodes = 512;
/** Read-ahead nodes kept (still encoded); the cache is emptied when it would grow past this. */
const readAheadCachedMax = 50_000;

interface StoredNode {
  readonly data: Uint8Array | null;
  readonly acl: readonly AclEntryZk[];
  readonly stat: ZnodeStat;
}

type BatchOp = { type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string };

const nodeKey = (path: string): string => `n${path}`;
const childKey = (parent: string, name: string): string => `c${parent}\0${name}`;
const ephemeralKey = (owner: bigint, path: string): string => `e${BigInt.asUintN(64, owner).toString(16)}\0${path}`;
const metaKey = 'm:meta';

function encode(n: Znode): Uint8Array {
  const stored: StoredNode = { data: n.data, acl: n.acl, stat: n.stat };
  return serialize(stored);
}

function decode(path: string, bytes: Uint8Array): Znode {
  const s = deserialize(bytes) as StoredNode;
  return { path, data: s.data === null ? null : new Uint8Array(s.data), acl: s.acl, stat: s.stat };
}

export class LevelZnodeStore implements ZnodeStore {
  /** path → the node as it should be (null: deleted), not yet written. */
  private readonly pending = new Map<string, Znode | null>();
  /** Child-index and ephemeral-index changes that go with `pending`, in order. */
  private readonly pendingIndex: BatchOp[] = [];
  /** Nodes in the store (LevelDB and pending together). */
  private count = 0;
  /** Encoded nodes read ahead from LevelDB and not changed since; see readAheadNodes. */
  private readonly readAhead = new Map<string, Uint8Array>();

  private constructor(private readonly db: Level<string, Uint8Array>) {}

  /** Opens (creating if needed) the store in `dir`. */
  static async open(dir: string): Promise<LevelZnodeStore> {
    const db = new Level<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' });
    await db.open();
    const store = new LevelZnodeStore(db);
    for await (const _ of db.keys({ gte: 'n', lt: 'o' })) store.count++;
    return store;
  }

  get size(): number {
    return this.count;
  }

  async get(path: string): Promise<Znode | undefined> {
    const p = this.pending.get(path);
    if (p !== undefined) return p ?? undefined;
    let bytes = this.readAhead.get(path);
    if (bytes === undefined) {
      if (this.readAhead.size + readAheadNodes > readAheadCachedMax) this.readAhead.clear();
      for await (const [k, v] of this.db.iterator({ gte: nodeKey(path), lt: 'o', limit: readAheadNodes }))
        this.readAhead.set(k.slice(1), v);
      bytes = this.readAhead.get(path);
    }
    return bytes === undefined ? undefined : decode(path, bytes);
  }

  async exists(path: string): Promise<boolean> {
    return (await this.get(path)) !== undefined;
  }

  async firstExisting(paths: readonly string[]): Promise<string | undefined> {
    const unknown: string[] = [];
    for (const path of paths) {
      const p = this.pending.get(path);
      if (p) return path;
      if (p === undefined) unknown.push(path);
    }
    const found = await this.db.getMany(unknown.map(nodeKey));
    const i = found.findIndex((v) => v !== undefined);
    return i < 0 ? undefined : unknown[i];
  }

  async children(path: string): Promise<string[]> {
    await this.flush();
    const prefix = `c${path}\0`;
    const out: string[] = [];
    for await (const k of this.db.keys({ gte: prefix, lt: `c${path}\x01` })) out.push(k.slice(prefix.length));
    return out;
  }

  async *nodes(): AsyncIterable<Znode> {
    await this.flush();
    for await (const [k, v] of this.db.iterator({ gte: 'n', lt: 'o' })) yield decode(k.slice(1), v);
  }

  /** New nodes, checked by the caller (parents exist, none exists yet): written without reads. */
  async writeBatch(nodes: readonly Znode[]): Promise<void> {
    for (const n of nodes) this.stage(n, true);
    await this.maybeFlush();
  }

  async write(node: Znode): Promise<void> {
    const isNew = !(await this.exists(node.path));
    if (!isNew) {
      const old = await this.get(node.path);
      if (old && old.stat.ephemeralOwner !== 0n && old.stat.ephemeralOwner !== node.stat.ephemeralOwner)
        this.pendingIndex.push({ type: 'del', key: ephemeralKey(old.stat.ephemeralOwner, node.path) });
    }
    this.stage(node, isNew);
    await this.maybeFlush();
  }

  async erase(path: string): Promise<boolean> {
    const node = await this.get(path);
    if (!node) return false;
    for (const name of await this.children(path)) await this.erase(childPath(path, name));
    this.pending.set(path, null);
    this.readAhead.delete(path);
    this.count--;
    const parent = parentOf(path);
    if (parent !== null) this.pendingIndex.push({ type: 'del', key: childKey(parent, nameOf(path)) });
    if (node.stat.ephemeralOwner !== 0n)
      this.pendingIndex.push({ type: 'del', key: ephemeralKey(node.stat.ephemeralOwner, path) });
    await this.maybeFlush();
    return true;
  }

  async ephemeralPaths(owner: bigint): Promise<string[]> {
    await this.flush();
    const prefix = ephemeralKey(owner, '');
    const out: string[] = [];
    for await (const k of this.db.keys({ gte: prefix, lt: `${prefix.slice(0, -1)}\x01` }))
      out.push(k.slice(prefix.length));
    return out.sort();
  }

  /** Removes every node (a snapshot that turned out invalid half-way). */
  async clear(): Promise<void> {
    this.pending.clear();
    this.readAhead.clear();
    this.pendingIndex.length = 0;
    await this.db.clear();
    this.count = 0;
  }

  async readMeta<T>(): Promise<T | undefined> {
    const v = await this.db.get(metaKey);
    return v === undefined ? undefined : (JSON.parse(Buffer.from(v).toString('utf8')) as T);
  }

  async writeMeta(meta: unknown): Promise<void> {
    await this.flush();
    await this.db.put(metaKey, Buffer.from(JSON.stringify(meta), 'utf8'));
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0 && this.pendingIndex.length === 0) return;
    const ops: BatchOp[] = [];
    for (const [path, n] of this.pending)
      ops.push(
        n === null ? { type: 'del', key: nodeKey(path) } : { type: 'put', key: nodeKey(path), value: encode(n) },
      );
    ops.push(...this.pendingIndex);
    this.pending.clear();
    this.pendingIndex.length = 0;
    // Read-ahead may hold what LevelDB had under a key that was pending: older than the batch.
    this.readAhead.clear();
    await this.db.batch(ops);
  }

  async close(): Promise<void> {
    await this.flush();
    await this.db.close();
  }

  private stage(n: Znode, isNew: boolean): void {
    this.pending.set(n.path, n);
    this.readAhead.delete(n.path);
    if (!isNew) return;
    this.count++;
    const parent = parentOf(n.path);
    if (parent !== null)
      this.pendingIndex.push({ type: 'put', key: childKey(parent, nameOf(n.path)), value: new Uint8Array(0) });
    if (n.stat.ephemeralOwner !== 0n)
      this.pendingIndex.push({
        type: 'put',
        key: ephemeralKey(n.stat.ephemeralOwner, n.path),
        value: new Uint8Array(0),
      });
  }

  private async maybeFlush(): Promise<void> {
    if (this.pending.size + this.pendingIndex.length >= pendingNodesMax) await this.flush();
  }
}
