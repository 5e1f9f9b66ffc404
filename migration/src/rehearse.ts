// `migrate rehearse` as a library call: read the ZooKeeper input (data directory or JSON dump),
// parse Kafka's layout, translate to records, build the report. Offline: touches no cluster
// and writes nothing (the caller decides where the report goes). An unreadable input throws
// MigrationInputError (exit code 2); otherwise the exit code says whether errors block the
// migration (3) or not (0).
import { performance } from 'node:perf_hooks';
import { parseKafkaLayout } from './kafka/parse-layout.js';
import type { KafkaZkModel } from './kafka/model.js';
import { hexZxid, type Problem } from './problems.js';
import { buildReport, type RehearseReport, type ReportSource } from './report.js';
import { translateToRecords, type MigrationPlan } from './translate.js';
import { readDataDir } from './zk/data-dir-reader.js';
import { readJsonDump } from './zk/json-dump-reader.js';
import type { ZnodeSource } from './zk/znode-tree.js';

export const RehearseExit = { migratable: 0, unreadable: 2, blocked: 3 } as const;

export type ZkInput = { readonly zkDataDir: string; readonly snapshot?: string } | { readonly zkDump: string };

export interface ZkRead {
  readonly tree: ZnodeSource;
  readonly source: ReportSource;
  readonly notes: readonly Problem[];
}

/** Item 1: the znode tree from either input kind. Throws MigrationInputError. */
export async function readZkInput(input: ZkInput): Promise<ZkRead> {
  if ('zkDataDir' in input) {
    const r = await readDataDir(input.zkDataDir, input.snapshot ? { snapshot: input.snapshot } : {});
    const s = r.source;
    return { tree: r.tree, notes: r.notes, source: { kind: 'zk-data-dir', path: s.path, snapshotZxid: hexZxid(s.snapshotZxid), lastZxid: hexZxid(s.lastZxid), txnLogsReplayed: s.txnLogsReplayed } };
  }
  const r = await readJsonDump(input.zkDump);
  return { tree: r.tree, notes: [], source: { kind: 'zk-dump', path: r.source.path, snapshotZxid: null, lastZxid: hexZxid(r.source.lastZxid), txnLogsReplayed: [] } };
}

export interface RehearseResult {
  readonly report: RehearseReport;
  readonly model: KafkaZkModel;
  readonly plan: MigrationPlan;
  /** Reading and replaying the input, in milliseconds. */
  readonly readMs: number;
  readonly exitCode: 0 | 3;
}

export async function rehearse(input: ZkInput): Promise<RehearseResult> {
  const started = performance.now();
  const read = await readZkInput(input);
  const readMs = performance.now() - started;
  const model = await parseKafkaLayout(read.tree);
  const plan = translateToRecords(model);
  const report = buildReport(read.source, model, read.notes, plan);
  const blocked = report.problems.some((p) => p.severity === 'error');
  return { report, model, plan, readMs, exitCode: blocked ? RehearseExit.blocked : RehearseExit.migratable };
}
