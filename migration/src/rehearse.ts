// `migrate rehearse` as a library call: read the ZooKeeper input (data directory or JSON dump),
// parse Kafka's layout, translate to records, build the report. Offline: touches no cluster
// and writes nothing (the caller decides where the report goes). An unreadable input throws
// MigrationInputError (exit code 2); otherwise the exit code says whether errors block the
// migration (3) or not (0).
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseKafkaLayout } from './kafka/parse-layout.js';
import type { KafkaZkModel } from './kafka/model.js';
import { hexZxid, type Problem } from './problems.js';
import { buildReport, type RehearseReport, type ReportSource } from './report.js';
import { translateToRecords, type MigrationPlan } from './translate.js';
import { readDataDir, resolveVersion2 } from './zk/data-dir-reader.js';
import { isoTime } from './zk/replay-problems.js';
import { readJsonDump } from './zk/json-dump-reader.js';
import { readLiveEnsemble } from './zk/live-reader.js';
import { LevelZnodeStore } from './zk/level-znode-store.js';
import type { ZnodeSource } from './zk/znode-tree.js';

export const RehearseExit = { migratable: 0, unreadable: 2, blocked: 3 } as const;

/**
 * A data directory is read into a LevelDB staging store: `<stagingDir>/tree` when given (kept,
 * and a later run on the same, unchanged data directory resumes from it instead of reading the
 * files again), else a temporary one removed afterwards. JSON dumps are parsed whole, in memory.
 */
export type ZkInput =
  | { readonly zkDataDir: string; readonly snapshot?: string; readonly stagingDir?: string }
  | { readonly zkDump: string }
  /** A running ensemble, read-only: `host:port[,host:port...][/chroot]`. */
  | { readonly zkConnect: string };

interface ZkRead {
  readonly tree: ZnodeSource;
  readonly source: ReportSource;
  readonly notes: readonly Problem[];
  /** What --force costs because of the files themselves (an older tree, a skipped snapshot). */
  readonly forced: readonly string[];
  /** True when the tree came from a kept staging store of an earlier run, not from the files. */
  readonly resumed: boolean;
  /** Releases the tree (closes, and removes a temporary staging store). */
  close(): Promise<void>;
}

/** What a staging store records once its tree is complete. */
interface StagingMeta {
  readonly fingerprint: string;
  readonly source: ReportSource;
  readonly notes: readonly Problem[];
  readonly forced: readonly string[];
}

/**
 * Names, sizes and modification times of the data directory's snapshot and log files, plus the
 * chosen snapshot: equal fingerprints mean the same input.
 */
async function dataDirFingerprint(dataDir: string, snapshot: string | undefined): Promise<string> {
  const dir = await resolveVersion2(dataDir);
  const parts: string[] = [`snapshot=${snapshot ?? ''}`];
  for (const name of (await readdir(dir)).sort()) {
    if (!/^(snapshot|log)\./.test(name)) continue;
    const st = await stat(join(dir, name));
    parts.push(`${name}:${st.size}:${st.mtimeMs}`);
  }
  return parts.join('|');
}

async function readDataDirStaged(input: {
  readonly zkDataDir: string;
  readonly snapshot?: string;
  readonly stagingDir?: string;
}): Promise<ZkRead> {
  const temporary = input.stagingDir === undefined;
  const dir =
    input.stagingDir !== undefined
      ? join(input.stagingDir, 'tree')
      : await mkdtemp(join(tmpdir(), 'raftka-migrate-staging-'));
  const store = await LevelZnodeStore.open(dir);
  const close = async (): Promise<void> => {
    await store.close();
    if (temporary) await rm(dir, { recursive: true, force: true });
  };
  try {
    const fingerprint = await dataDirFingerprint(input.zkDataDir, input.snapshot);
    const kept = await store.readMeta<StagingMeta>();
    if (kept && kept.fingerprint === fingerprint)
      return { tree: store, source: kept.source, notes: kept.notes, forced: kept.forced ?? [], resumed: true, close };
    await store.writeMeta(null); // incomplete until the read below finishes
    await store.clear();
    const r = await readDataDir(input.zkDataDir, { store, ...(input.snapshot ? { snapshot: input.snapshot } : {}) });
    const s = r.source;
    const source: ReportSource = {
      kind: 'zk-data-dir',
      path: s.path,
      snapshotZxid: hexZxid(s.snapshotZxid),
      lastZxid: hexZxid(s.lastZxid),
      lastZxidTime: isoTime(s.lastZxidTime),
      txnLogsReplayed: s.txnLogsReplayed,
    };
    const meta: StagingMeta = { fingerprint, source, notes: r.notes, forced: r.forced };
    await store.writeMeta(meta);
    return { tree: store, source, notes: r.notes, forced: r.forced, resumed: false, close };
  } catch (err) {
    if (!temporary) await store.clear().catch(() => undefined); // a failed read leaves nothing staged
    await close();
    throw err;
  }
}

/** A running ensemble's tree; the znodes that changed while it was read are warnings. */
async function readLive(connect: string): Promise<ZkRead> {
  const r = await readLiveEnsemble(connect);
  const notes: Problem[] = r.changed.map((path) => ({
    severity: 'warning',
    code: 'ZK_CHANGED_DURING_READ',
    path,
    message: `modified after the read began at zxid ${hexZxid(r.startZxid)} (the ensemble was at ${hexZxid(r.endZxid)} when it ended, after ${r.attempts} attempt(s)); rehearse again when the cluster is quiet`,
  }));
  return {
    tree: r.tree,
    notes,
    forced: [],
    resumed: false,
    close: async () => undefined,
    source: {
      kind: 'zk-live',
      path: connect,
      snapshotZxid: null,
      lastZxid: hexZxid(r.endZxid),
      lastZxidTime: null,
      txnLogsReplayed: [],
    },
  };
}

/** Item 1: the znode tree from any input kind. Throws MigrationInputError. */
export async function readZkInput(input: ZkInput): Promise<ZkRead> {
  if ('zkDataDir' in input) return readDataDirStaged(input);
  if ('zkConnect' in input) return readLive(input.zkConnect);
  const r = await readJsonDump(input.zkDump);
  return {
    tree: r.tree,
    notes: [],
    forced: [],
    resumed: false,
    close: async () => undefined,
    source: {
      kind: 'zk-dump',
      path: r.source.path,
      snapshotZxid: null,
      lastZxid: hexZxid(r.source.lastZxid),
      lastZxidTime: isoTime(r.source.lastZxidTime),
      txnLogsReplayed: [],
    },
  };
}

export interface RehearseResult {
  readonly report: RehearseReport;
  readonly model: KafkaZkModel;
  readonly plan: MigrationPlan;
  /** Reading and replaying the input, in milliseconds. */
  readonly readMs: number;
  /** The tree came from a kept staging store (`stagingDir`), not from reading the files again. */
  readonly resumed: boolean;
  readonly exitCode: 0 | 3;
}

export async function rehearse(input: ZkInput): Promise<RehearseResult> {
  const started = performance.now();
  const read = await readZkInput(input);
  const readMs = performance.now() - started;
  let model: KafkaZkModel;
  try {
    model = await parseKafkaLayout(read.tree);
  } finally {
    await read.close();
  }
  const translated = translateToRecords(model);
  // The files' own errors (an older tree than ZooKeeper's last state) block like the model's.
  const plan: MigrationPlan = {
    ...translated,
    blockingProblems: [...read.notes.filter((p) => p.severity === 'error'), ...translated.blockingProblems],
    forced: [...read.forced, ...translated.forced],
  };
  const report = buildReport(read.source, model, read.notes, plan);
  const blocked = report.problems.some((p) => p.severity === 'error');
  return {
    report,
    model,
    plan,
    readMs,
    resumed: read.resumed,
    exitCode: blocked ? RehearseExit.blocked : RehearseExit.migratable,
  };
}
