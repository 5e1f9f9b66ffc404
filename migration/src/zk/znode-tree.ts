// The znode tree the readers produce: path → data bytes, ACL and the persisted stat fields
// (FORMAT.md §3: StatPersisted; dataLength and numChildren are derived, cversion is the
// on-disk "persisted" value, not the one a client sees).
//
// Two faces:
// - ZnodeSource: read-only and asynchronous (get by path, children of a path, every node in
//   path order). The Kafka layout parser only uses this, so the tree could live in a LevelDB
//   staging store (issue 7 item 6) without the parser changing.
// - MemoryZnodeTree: the mutable in-memory implementation the snapshot loader and the
//   txn-log replay write into. Invariants: every node's parent exists (except "/"); the
//   children index always matches the node map.
// - ZnodeStore: the mutable, asynchronous face the readers write through. MemoryZnodeTree is
//   one (JSON dumps, which are parsed whole anyway, and tests); LevelZnodeStore, on disk, is the
//   other (ZooKeeper data directories: a snapshot's tree never has to fit in one object).
export interface AclEntryZk {
  readonly perms: number;
  readonly scheme: string;
  readonly id: string;
}

export interface ZnodeStat {
  czxid: bigint;
  mzxid: bigint;
  pzxid: bigint;
  ctime: bigint;
  mtime: bigint;
  version: number;
  /** The persisted cversion (counts child creations), as in the snapshot. */
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
}

export interface Znode {
  readonly path: string;
  data: Uint8Array | null;
  acl: readonly AclEntryZk[];
  stat: ZnodeStat;
}

export interface ZnodeSource {
  get(path: string): Promise<Znode | undefined>;
  /** Child names (not paths) of path, sorted; empty when path has none or does not exist. */
  children(path: string): Promise<string[]>;
  /** Every node, sorted by path. */
  nodes(): AsyncIterable<Znode>;
  readonly size: number;
}

/**
 * A mutable tree the readers write into: MemoryZnodeTree, or LevelZnodeStore on disk. Nodes
 * handed out by get() may be changed by the caller, who then writes them back with write().
 */
export interface ZnodeStore extends ZnodeSource {
  exists(path: string): Promise<boolean>;
  /** The first of `paths` that is already in the store, if any. */
  firstExisting(paths: readonly string[]): Promise<string | undefined>;
  /** Adds new nodes whose parents the caller has checked (in the store or earlier in `nodes`). */
  writeBatch(nodes: readonly Znode[]): Promise<void>;
  /** Adds or replaces one node; its parent must exist. */
  write(node: Znode): Promise<void>;
  /** Removes a node and anything under it; false when it was not there. */
  erase(path: string): Promise<boolean>;
  /** Paths of the ephemeral nodes owned by a session, sorted. */
  ephemeralPaths(owner: bigint): Promise<string[]>;
  /** Removes every node. */
  clear(): Promise<void>;
}

export const openAcl: readonly AclEntryZk[] = Object.freeze([{ perms: 31, scheme: 'world', id: 'anyone' }]);

export function parentOf(path: string): string | null {
  if (path === '/') return null;
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function childPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

export function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export class MemoryZnodeTree implements ZnodeStore {
  private readonly byPath = new Map<string, Znode>();
  private readonly kids = new Map<string, Set<string>>();

  get size(): number {
    return this.byPath.size;
  }

  has(path: string): boolean {
    return this.byPath.has(path);
  }

  node(path: string): Znode | undefined {
    return this.byPath.get(path);
  }

  async get(path: string): Promise<Znode | undefined> {
    return this.byPath.get(path);
  }

  childNames(path: string): string[] {
    const set = this.kids.get(path);
    return set ? [...set].sort() : [];
  }

  childCount(path: string): number {
    return this.kids.get(path)?.size ?? 0;
  }

  async children(path: string): Promise<string[]> {
    return this.childNames(path);
  }

  sortedPaths(): string[] {
    return [...this.byPath.keys()].sort();
  }

  async *nodes(): AsyncIterable<Znode> {
    for (const p of this.sortedPaths()) yield this.byPath.get(p)!;
  }

  /** Adds or replaces a node. Returns false (and changes nothing) when its parent is missing. */
  put(node: Znode): boolean {
    const parent = parentOf(node.path);
    if (parent !== null && !this.byPath.has(parent)) return false;
    this.byPath.set(node.path, node);
    if (parent !== null) {
      let set = this.kids.get(parent);
      if (!set) this.kids.set(parent, (set = new Set()));
      set.add(nameOf(node.path));
    }
    return true;
  }

  /** Removes a node and anything under it; false when it was not there. */
  remove(path: string): boolean {
    if (!this.byPath.has(path)) return false;
    for (const name of this.childNames(path)) this.remove(childPath(path, name));
    this.byPath.delete(path);
    this.kids.delete(path);
    const parent = parentOf(path);
    if (parent !== null) this.kids.get(parent)?.delete(nameOf(path));
    return true;
  }

  async exists(path: string): Promise<boolean> {
    return this.byPath.has(path);
  }

  async firstExisting(paths: readonly string[]): Promise<string | undefined> {
    return paths.find((p) => this.byPath.has(p));
  }

  async writeBatch(nodes: readonly Znode[]): Promise<void> {
    for (const n of nodes) if (!this.put(n)) throw new Error(`znode ${n.path} written before its parent`);
  }

  async write(node: Znode): Promise<void> {
    if (!this.put(node)) throw new Error(`znode ${node.path} written before its parent`);
  }

  async erase(path: string): Promise<boolean> {
    return this.remove(path);
  }

  async ephemeralPaths(owner: bigint): Promise<string[]> {
    return this.sortedPaths().filter((p) => this.byPath.get(p)!.stat.ephemeralOwner === owner);
  }

  async clear(): Promise<void> {
    this.byPath.clear();
    this.kids.clear();
  }
}
