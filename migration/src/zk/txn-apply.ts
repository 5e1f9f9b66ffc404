// Applies one logged transaction to a ZnodeStore (in memory or on disk), the way ZooKeeper's DataTree.processTxn
// does when it restores from a snapshot plus logs (FORMAT.md §4, §4.1). Txn fields are
// results, not requests: versions are absolute, a create carries the parent's new cversion.
// Replay is idempotent because snapshots are fuzzy: creating an existing node only raises the
// parent's cversion/pzxid; deleting or setting a missing node does nothing. A multi with any
// `error` sub-txn is a no-op. Sessions are tracked so closeSession can drop ephemerals.
import type { TxnBody, TxnEntry, TxnHeader } from './txn-log-reader.js';
import { parentOf, type ZnodeStore } from './znode-tree.js';

const containerOwner = -0x8000000000000000n; // 0x8000000000000000 as a signed long
const ttlOwnerBase = -0x100000000000000n; // 0xFF00000000000000 as a signed long

export interface ReplayState {
  readonly tree: ZnodeStore;
  readonly sessions: Map<bigint, number>;
}

async function applyBody(state: ReplayState, h: TxnHeader, body: TxnBody): Promise<void> {
  const tree = state.tree;
  switch (body.kind) {
    case 'create': {
      const parentPath = parentOf(body.path);
      const parent = parentPath === null ? undefined : await tree.get(parentPath);
      if (!parent) return; // NoNode: ZooKeeper skips it too
      const newCVersion = body.parentCVersion === -1 ? parent.stat.cversion + 1 : body.parentCVersion;
      if (await tree.exists(body.path)) {
        // Already in a fuzzy snapshot: only bring the parent's child counters forward.
        if (newCVersion > parent.stat.cversion) {
          parent.stat.cversion = newCVersion;
          parent.stat.pzxid = h.zxid;
          await tree.write(parent);
        }
        return;
      }
      let ephemeralOwner = 0n;
      if (body.ephemeralType === 'container') ephemeralOwner = containerOwner;
      else if (body.ephemeralType === 'ttl') ephemeralOwner = ttlOwnerBase | body.ttl;
      else if (body.ephemeral) ephemeralOwner = h.clientId;
      await tree.write({
        path: body.path,
        data: body.data,
        acl: body.acl,
        stat: {
          czxid: h.zxid,
          mzxid: h.zxid,
          pzxid: h.zxid,
          ctime: h.time,
          mtime: h.time,
          version: 0,
          cversion: 0,
          aversion: 0,
          ephemeralOwner,
        },
      });
      parent.stat.cversion = newCVersion;
      parent.stat.pzxid = h.zxid;
      await tree.write(parent);
      return;
    }
    case 'delete': {
      if (!(await tree.erase(body.path))) return;
      const parentPath = parentOf(body.path);
      const parent = parentPath === null ? undefined : await tree.get(parentPath);
      if (parent && h.zxid > parent.stat.pzxid) {
        parent.stat.pzxid = h.zxid;
        await tree.write(parent);
      }
      return;
    }
    case 'setData': {
      const n = await tree.get(body.path);
      if (!n) return;
      n.data = body.data;
      n.stat.version = body.version;
      n.stat.mzxid = h.zxid;
      n.stat.mtime = h.time;
      await tree.write(n);
      return;
    }
    case 'setACL': {
      const n = await tree.get(body.path);
      if (!n) return;
      n.acl = body.acl;
      n.stat.aversion = body.version;
      await tree.write(n);
      return;
    }
    case 'multi':
      if (body.txns.some((t) => t.kind === 'error')) return; // a failed multi changed nothing
      for (const t of body.txns) await applyBody(state, h, t);
      return;
    case 'createSession':
      state.sessions.set(h.clientId, body.timeoutMs);
      return;
    case 'closeSession': {
      state.sessions.delete(h.clientId);
      const paths = body.paths ?? (await tree.ephemeralPaths(h.clientId));
      for (const p of paths) await applyBody(state, h, { kind: 'delete', path: p });
      return;
    }
    case 'check':
    case 'error':
      return;
  }
}

export function applyTxn(state: ReplayState, entry: TxnEntry): Promise<void> {
  return applyBody(state, entry.header, entry.body);
}
