// Rebuilds the latest znode tree from a ZooKeeper data directory (FORMAT.md §4.1, as
// FileTxnSnapLog.restore does): take the newest snapshot that parses and whose seals match
// (falling back to older ones, with a warning naming the skipped file and why), then replay
// every logged txn with a zxid above the snapshot's, from the newest log that starts at or
// before it onwards. Zxids must follow each other without gaps (a new epoch restarts the
// counter); a gap or a torn record in any log but the newest is an error. Reads files only;
// writes nothing but the tree, into the store it is given (a LevelDB staging store, or memory).
// Errors are MigrationInputError with file and byte offset.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MigrationInputError } from '../errors.js';
import { hexZxid, type Problem } from '../problems.js';
import { readSnapshot, type LoadedSnapshot } from './snapshot-reader.js';
import { applyTxn, type ReplayState } from './txn-apply.js';
import { readTxnLog } from './txn-log-reader.js';
import { MemoryZnodeTree, type ZnodeStore } from './znode-tree.js';

/** FileSnap tries this many snapshots, newest first, before giving up. */
const snapshotCandidatesMax = 100;

interface ZkFile {
  readonly name: string;
  readonly zxid: bigint;
}

interface DataDirSource {
  readonly kind: 'zk-data-dir';
  readonly path: string;
  readonly snapshotFile: string;
  readonly snapshotZxid: bigint;
  readonly lastZxid: bigint;
  readonly txnLogsReplayed: readonly string[];
  readonly txnsApplied: number;
}

export interface DataDirRead {
  readonly tree: ZnodeStore;
  readonly sessions: Map<bigint, number>;
  readonly source: DataDirSource;
  /** Warnings about the files themselves (a skipped snapshot, a torn last record). */
  readonly notes: readonly Problem[];
}

export interface DataDirOptions {
  /** Start from this snapshot (file name) instead of the newest valid one; for tests and forensics. */
  readonly snapshot?: string;
  /** Where the tree goes: an empty store (LevelZnodeStore for big inputs); a MemoryZnodeTree by default. */
  readonly store?: ZnodeStore;
}

const snapshotName = /^snapshot\.([0-9a-f]+)(\.gz|\.snappy)?$/;
const logName = /^log\.([0-9a-f]+)$/;

function sortByZxid(files: ZkFile[]): ZkFile[] {
  return files.sort((a, b) => (a.zxid < b.zxid ? -1 : a.zxid > b.zxid ? 1 : 0));
}

async function listZkFiles(dir: string): Promise<{ snapshots: ZkFile[]; logs: ZkFile[] }> {
  const snapshots: ZkFile[] = [];
  const logs: ZkFile[] = [];
  for (const name of await readdir(dir)) {
    const s = snapshotName.exec(name);
    if (s) snapshots.push({ name, zxid: BigInt(`0x${s[1]!}`) });
    const l = logName.exec(name);
    if (l) logs.push({ name, zxid: BigInt(`0x${l[1]!}`) });
  }
  return { snapshots: sortByZxid(snapshots), logs: sortByZxid(logs) };
}

/** `<D>/version-2` when it exists, else D itself when it holds snapshots. */
export async function resolveVersion2(dataDir: string): Promise<string> {
  const candidate = join(dataDir, 'version-2');
  try {
    if ((await stat(candidate)).isDirectory()) return candidate;
  } catch {
    // fall through: maybe D is the version-2 directory itself
  }
  try {
    if ((await stat(dataDir)).isDirectory()) return dataDir;
  } catch {
    // reported below
  }
  throw new MigrationInputError(dataDir, -1, 'no such ZooKeeper data directory');
}

async function loadSnapshot(dir: string, f: ZkFile, store: ZnodeStore): Promise<LoadedSnapshot> {
  // No SnapStream.isValidSnapshot quick check: the full parse checks the end markers and both
  // seals anyway, and it reports where a truncated file actually stops.
  const file = join(dir, f.name);
  return readSnapshot(await readFile(file), file, store);
}

/** Epoch change or the next counter: the only two ways a following zxid may look. */
function followsDirectly(prev: bigint, next: bigint): boolean {
  return next === prev + 1n || (next >> 32n > prev >> 32n && (next & 0xffffffffn) <= 1n);
}

export async function readDataDir(dataDir: string, options: DataDirOptions = {}): Promise<DataDirRead> {
  const dir = await resolveVersion2(dataDir);
  const { snapshots, logs } = await listZkFiles(dir);
  const notes: Problem[] = [];
  if (snapshots.length === 0)
    throw new MigrationInputError(dir, -1, 'no snapshot.<zxid> file in the ZooKeeper data directory');

  let chosen: ZkFile | undefined;
  let loaded: LoadedSnapshot | undefined;
  let firstError: MigrationInputError | undefined;
  const candidates = options.snapshot
    ? snapshots.filter((s) => s.name === options.snapshot)
    : [...snapshots].reverse().slice(0, snapshotCandidatesMax);
  if (candidates.length === 0) throw new MigrationInputError(join(dir, options.snapshot ?? ''), -1, 'no such snapshot');
  const store = options.store ?? new MemoryZnodeTree();
  for (const s of candidates) {
    try {
      loaded = await loadSnapshot(dir, s, store);
      chosen = s;
      break;
    } catch (err) {
      if (!(err instanceof MigrationInputError)) throw err;
      await store.clear(); // what the invalid snapshot wrote before its seal failed
      firstError ??= err;
      notes.push({
        severity: 'warning',
        code: 'snapshot_skipped',
        path: err.file,
        message: `skipped invalid snapshot ${s.name} (${err.message}); using an older one`,
      });
    }
  }
  if (!chosen || !loaded) throw firstError ?? new MigrationInputError(dir, -1, 'no valid snapshot');

  const snapZxid = chosen.zxid;
  const state: ReplayState = { tree: loaded.tree, sessions: loaded.sessions };
  const firstLog = logs.reduce<number>((best, l, i) => (l.zxid <= snapZxid ? i : best), 0);
  const toReplay = logs.slice(firstLog);
  let last = snapZxid;
  let applied = 0;
  // Like FileTxnLog.getLogFiles: the newest log starting at or before the snapshot, and all later ones.
  const replayed = toReplay.map((l) => l.name);
  for (let i = 0; i < toReplay.length; i++) {
    const l = toReplay[i]!;
    const file = join(dir, l.name);
    const { entries, end } = readTxnLog(await readFile(file), file);
    for (const e of entries) {
      const z = e.header.zxid;
      if (z <= last) continue;
      if (!followsDirectly(last, z)) {
        throw new MigrationInputError(
          file,
          e.offset,
          `transactions ${hexZxid(last + 1n)}..${hexZxid(z - 1n)} are missing (a log file was lost or cut short)`,
        );
      }
      await applyTxn(state, e);
      last = z;
      applied++;
    }
    if (end.reason === 'torn') {
      if (i < toReplay.length - 1)
        throw new MigrationInputError(
          file,
          end.offset,
          `torn record (${end.detail}) in a log that is followed by newer logs`,
        );
      notes.push({
        severity: 'warning',
        code: 'txn_log_torn_tail',
        path: file,
        message: `the last record at byte offset ${end.offset} is incomplete (${end.detail}); it was never acknowledged and is ignored, as ZooKeeper does`,
      });
    }
  }
  return {
    tree: state.tree,
    sessions: state.sessions,
    source: {
      kind: 'zk-data-dir',
      path: dataDir,
      snapshotFile: chosen.name,
      snapshotZxid: snapZxid,
      lastZxid: last,
      txnLogsReplayed: replayed,
      txnsApplied: applied,
    },
    notes,
  };
}
