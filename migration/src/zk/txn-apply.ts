// Applies one logged transaction to a MemoryZnodeTree, the way ZooKeeper's DataTree.processTxn
// does when it restores from a snapshot plus logs (FORMAT.md §4, §4.1). Txn fields are
// results, not requests: versions are absolute, a create carries the parent's new cversion.
// Replay is idempotent because snapshots are fuzzy: creating an existing node only raises the
// parent's cversion/pzxid; deleting or setting a missing node does nothing. A multi with any
// `error` sub-txn is a no-op. Sessions are tracked so closeSession can drop ephemerals.
import type { TxnBody, TxnEntry, TxnHeader } from './txn-log-reader.js';
import { parentOf, type MemoryZnodeTree } from './znode-tree.js';

const containerOwner = -0x8000000000000000n; // 0x8000000000000000 as a signed long
const ttlOwnerBase = -0x100000000000000n; // 0xFF00000000000000 as a signed long

export interface ReplayState {
  readonly tree: MemoryZnodeTree;
  readonly sessions: Map<bigint, number>;
}

function applyBody(state: ReplayState, h: TxnHeader, body: TxnBody): void {
  const tree = state.tree;
  switch (body.kind) {
    case 'create': {
      const parentPath = parentOf(body.path);
      const parent = parentPath === null ? undefined : tree.node(parentPath);
      if (!parent) return; // NoNode: ZooKeeper skips it too
      const newCVersion = body.parentCVersion === -1 ? parent.stat.cversion + 1 : body.parentCVersion;
      if (tree.has(body.path)) {
        // Already in a fuzzy snapshot: only bring the parent's child counters forward.
        if (newCVersion > parent.stat.cversion) {
          parent.stat.cversion = newCVersion;
          parent.stat.pzxid = h.zxid;
        }
        return;
      }
      let ephemeralOwner = 0n;
      if (body.ephemeralType === 'container') ephemeralOwner = containerOwner;
      else if (body.ephemeralType === 'ttl') ephemeralOwner = ttlOwnerBase | body.ttl;
      else if (body.ephemeral) ephemeralOwner = h.clientId;
      tree.put({
        path: body.path,
        data: body.data,
        acl: body.acl,
        stat: { czxid: h.zxid, mzxid: h.zxid, pzxid: h.zxid, ctime: h.time, mtime: h.time, version: 0, cversion: 0, aversion: 0, ephemeralOwner },
      });
      parent.stat.cversion = newCVersion;
      parent.stat.pzxid = h.zxid;
      return;
    }
    case 'delete': {
      if (!tree.remove(body.path)) return;
      const parentPath = parentOf(body.path);
      const parent = parentPath === null ? undefined : tree.node(parentPath);
      if (parent && h.zxid > parent.stat.pzxid) parent.stat.pzxid = h.zxid;
      return;
    }
    case 'setData': {
      const n = tree.node(body.path);
      if (!n) return;
      n.data = body.data;
      n.stat.version = body.version;
      n.stat.mzxid = h.zxid;
      n.stat.mtime = h.time;
      return;
    }
    case 'setACL': {
      const n = tree.node(body.path);
      if (!n) return;
      n.acl = body.acl;
      n.stat.aversion = body.version;
      return;
    }
    case 'multi':
      if (body.txns.some((t) => t.kind === 'error')) return; // a failed multi changed nothing
      for (const t of body.txns) applyBody(state, h, t);
      return;
    case 'createSession':
      state.sessions.set(h.clientId, body.timeoutMs);
      return;
    case 'closeSession': {
      state.sessions.delete(h.clientId);
      const paths = body.paths ?? ephemeralsOf(tree, h.clientId);
      for (const p of paths) applyBody(state, h, { kind: 'delete', path: p });
      return;
    }
    case 'check':
    case 'error':
      return;
  }
}

function ephemeralsOf(tree: MemoryZnodeTree, session: bigint): string[] {
  return tree.sortedPaths().filter((p) => tree.node(p)!.stat.ephemeralOwner === session);
}

export function applyTxn(state: ReplayState, entry: TxnEntry): void {
  applyBody(state, entry.header, entry.body);
}
