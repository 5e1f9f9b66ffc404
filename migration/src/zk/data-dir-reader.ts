// Rebuilds the latest znode tree from a ZooKeeper data directory (FORMAT.md §4.1, as
// FileTxnSnapLog.restore does): take the newest snapshot that parses and whose seals match
// (falling back to older ones: an error problem naming the skipped file and why), then replay
// every logged txn with a zxid above the snapshot's, from the newest log that starts at or
// before it onwards. Zxids must follow each other without gaps (a new epoch restarts the
// counter). Replay stops, with an error problem (issue 17 item 3; apply needs --force), at a zxid
// gap or at a log that is cut short or corrupt, unless the next log carries on without a gap (a
// torn write before a restart: a warning). Reads files only; writes nothing but the tree, into
// the store it is given (a LevelDB staging store, or memory). An unreadable input (no valid
// snapshot, no directory) is a MigrationInputError with file and byte offset.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MigrationInputError } from '../errors.js';
import type { Problem } from '../problems.js';
import {
  harmlessDamage,
  skippedSnapshot,
  stopProblem,
  type LogDamage,
  type ReplayEnd,
  type ReplayStop,
} from './replay-problems.js';
import { readSnapshot, type LoadedSnapshot } from './snapshot-reader.js';
import { applyTxn, type ReplayState } from './txn-apply.js';
import { peekRecord, readTxnLog, type TxnEntry } from './txn-log-reader.js';
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
  /** When the transaction lastZxid was logged (ms since the epoch); null when no log holds it. */
  readonly lastZxidTime: bigint | null;
  readonly txnLogsReplayed: readonly string[];
  readonly txnsApplied: number;
}

export interface DataDirRead {
  readonly tree: ZnodeStore;
  readonly sessions: Map<bigint, number>;
  readonly source: DataDirSource;
  /**
   * Problems of the files themselves: a skipped snapshot, a log cut short or corrupt, a zxid gap
   * (errors: the tree may be older than ZooKeeper's last state), a damaged log that the next one
   * carries on without a gap (warning).
   */
  readonly notes: readonly Problem[];
  /** What taking the tree as it is costs (apply --force's list). */
  readonly forced: readonly string[];
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
  if (snapshots.length === 0)
    throw new MigrationInputError(dir, -1, 'no snapshot.<zxid> file in the ZooKeeper data directory');

  let chosen: ZkFile | undefined;
  let loaded: LoadedSnapshot | undefined;
  let firstError: MigrationInputError | undefined;
  const skipped: { readonly file: ZkFile; readonly err: MigrationInputError }[] = [];
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
      skipped.push({ file: s, err });
    }
  }
  if (!chosen || !loaded) throw firstError ?? new MigrationInputError(dir, -1, 'no valid snapshot');

  const snapZxid = chosen.zxid;
  const state: ReplayState = { tree: loaded.tree, sessions: loaded.sessions };
  const firstLog = logs.reduce<number>((best, l, i) => (l.zxid <= snapZxid ? i : best), 0);
  // Like FileTxnLog.getLogFiles: the newest log starting at or before the snapshot, and all later ones.
  const toReplay = logs.slice(firstLog);
  const replay = await replayLogs(dir, toReplay, snapZxid, state);
  const notes: Problem[] = [...replay.notes];
  const forced: string[] = [...replay.forced];
  for (const s of skipped) {
    const r = skippedSnapshot(s.err.file, s.err.message, s.file.zxid, chosen.name, replay.end);
    notes.push(r.problem);
    forced.push(r.forced);
  }
  return {
    tree: state.tree,
    sessions: state.sessions,
    source: {
      kind: 'zk-data-dir',
      path: dataDir,
      snapshotFile: chosen.name,
      snapshotZxid: snapZxid,
      lastZxid: replay.end.lastZxid,
      lastZxidTime: replay.end.lastTime,
      txnLogsReplayed: toReplay.map((l) => l.name),
      txnsApplied: replay.applied,
    },
    notes,
    forced,
  };
}

interface ReplayResult {
  readonly end: ReplayEnd;
  readonly applied: number;
  readonly notes: readonly Problem[];
  readonly forced: readonly string[];
}

/**
 * Applies every txn above the snapshot's zxid, in order, until the logs end, a zxid gap shows or
 * a damaged log is not carried on by the next one without a gap; what was not applied after that
 * point is still read (where readable) so the error can name it.
 */
async function replayLogs(
  dir: string,
  toReplay: readonly ZkFile[],
  snapZxid: bigint,
  state: ReplayState,
): Promise<ReplayResult> {
  let last = snapZxid;
  let lastTime: bigint | null = null;
  let applied = 0;
  let pending: LogDamage | null = null; // judged by whether the next log carries on without a gap
  let stop: ReplayStop | null = null;
  const unapplied: TxnEntry[] = [];
  const notes: Problem[] = [];
  for (const l of toReplay) {
    const file = join(dir, l.name);
    const bytes = await readFile(file);
    const { entries, end } = readTxnLog(bytes, file);
    const more: TxnEntry[] = [];
    if (end.reason === 'corrupt' && end.next !== null) more.push(...readTxnLog(bytes, file, end.next).entries);
    for (const e of entries) {
      const z = e.header.zxid;
      if (stop !== null) {
        if (z > last) unapplied.push(e);
        continue;
      }
      if (z <= last) {
        if (z === last) lastTime = e.header.time;
        continue;
      }
      if (!followsDirectly(last, z)) {
        stop = pending
          ? { kind: 'damage', damage: pending, resumesAt: z, resumesIn: l.name }
          : { kind: 'gap', file, offset: e.offset, missingFrom: last + 1n, missingTo: z - 1n };
        pending = null;
        unapplied.push(e);
        continue;
      }
      if (pending) notes.push(harmlessDamage(pending, l.name, z));
      pending = null;
      await applyTxn(state, e);
      last = z;
      lastTime = e.header.time;
      applied++;
    }
    if (end.reason !== 'torn' && end.reason !== 'corrupt') continue;
    const lostAfter = more.filter((e) => e.header.zxid > last);
    unapplied.push(...lostAfter);
    if (stop !== null) continue;
    const damage: LogDamage = {
      code: end.reason === 'torn' ? 'txn_log_truncated' : 'txn_log_corrupt',
      file,
      offset: end.offset,
      detail: end.detail,
      peek: peekRecord(bytes, end.reason === 'torn' ? end.offset : end.record, file),
    };
    // Readable transactions after a corrupt one that were never applied: lost for sure.
    if (lostAfter.length > 0) stop = { kind: 'damage', damage, resumesAt: null, resumesIn: null };
    else pending ??= damage;
  }
  if (stop === null && pending !== null) stop = { kind: 'damage', damage: pending, resumesAt: null, resumesIn: null };
  const end: ReplayEnd = { lastZxid: last, lastTime };
  if (stop === null) return { end, applied, notes, forced: [] };
  const r = stopProblem(stop, end, unapplied);
  return { end, applied, notes: [...notes, r.problem], forced: [r.forced] };
}
