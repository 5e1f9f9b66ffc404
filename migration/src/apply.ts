// `migrate apply` as a library call (issue 7): rehearse the input, refuse on blocking problems
// unless forced, then send the plan's records to the active controller in one ImportMigration
// RPC. The controller writes them as ONE metadata transaction (all or nothing) or refuses (a
// different cluster id, clashes with existing metadata); a rerun after success is answered
// "already migrated" and writes nothing. The tool holds no state the controller needs: if it
// dies before its request arrived nothing was written, and once it arrived the controller
// finishes (or, if the controller dies, its successor aborts) on its own.
// Before anything is sent, the target is checked (target-checks.ts: cluster id, broker ids that
// are controllers or unknown, replicas on brokers that will not exist, metadata.version); its
// errors block like the input's, unless --force.
// Progress is read from the quorum's high watermark, which grows by one per committed record;
// progress, retries and a controller change are reported as ApplyEvents (apply-events.ts).
import { ControllerClient } from '../../src/client/controller-client.js';
import { describeQuorum } from '../../src/client/quorum-client.js';
import { ErrorCode, errorName } from '../../src/common/errors.js';
import type { Endpoint } from '../../src/common/node-config.js';
import { frameRecords } from '../../src/metadata/record-frames.js';
import { encodeRecord } from '../../src/metadata/records.js';
import { plaintextRpc, type RpcClientSecurity } from '../../src/rpc/rpc-security.js';
import { RetryTracker, type ApplyEvent } from './apply-events.js';
import { ApplyJournal, type JournalEntry, type JournalPhase } from './apply-journal.js';
import type { Problem } from './problems.js';
import type { RehearseReport } from './report.js';
import { rehearse, type ZkInput } from './rehearse.js';
import { describeTarget } from './target.js';
import { withTarget } from './target-checks.js';

const ApplyExit = { done: 0, refused: 1, unreadable: 2, blocked: 3 } as const;

/** How long the import may take before the tool stops waiting (the controller goes on). */
const importTimeoutMsDefault = 600_000;
/** How often progress is polled while the controller writes. */
const progressIntervalMs = 250;

type ApplyOutcome = 'applied' | 'already-migrated' | 'blocked' | 'refused';

interface ApplyOptions {
  readonly controllers: readonly Endpoint[];
  /** How the controller listener is reached: plaintext (the default), or mutual TLS when it is SSL. */
  readonly security?: RpcClientSecurity;
  readonly force: boolean;
  readonly timeoutMs?: number;
  /** Told of progress (polled only when given), retries and a controller change while the import runs. */
  readonly onEvent?: (e: ApplyEvent) => void;
  /** The apply journal's LevelDB directory (`<staging dir>/journal`); no journal without it. */
  readonly journalDir?: string;
}

interface ApplyResult {
  readonly outcome: ApplyOutcome;
  readonly exitCode: 0 | 1 | 3;
  readonly clusterId: string | null;
  readonly counts: RehearseReport['counts'];
  /** Records between the transaction markers that apply sent. */
  readonly records: number;
  readonly recordsWritten: number;
  readonly blockingProblems: readonly Problem[];
  /** What the check against the KRaft cluster found (errors are among blockingProblems too). */
  readonly targetProblems: readonly Problem[];
  /** What --force skipped or invented. */
  readonly forced: readonly string[];
  readonly errorCode: number;
  readonly errorName: string;
  readonly errorMessage: string | null;
  readonly conflicts: readonly string[];
  readonly notes: readonly string[];
  readonly metadataOffset: number;
  readonly readMs: number;
  readonly importMs: number;
  /** The ZooKeeper tree came from the staging store of an earlier run (not read again). */
  readonly resumedTree: boolean;
  /** What the journal said of an earlier run that never got the controller's answer; null if none. */
  readonly interruptedRun: string | null;
  /** Failed tries of the import (a controller that failed while it ran, or could not be reached). */
  readonly retries: number;
  /** Set when a failure made another controller answer the import. */
  readonly controllerChange: { readonly from: string; readonly to: string; readonly reason: string } | null;
}

/** Throws MigrationInputError (unreadable input) and ControllerUnavailableError. */
export async function applyMigration(input: ZkInput, options: ApplyOptions): Promise<ApplyResult> {
  if (options.journalDir === undefined) return applyOnce(input, options, null);
  const journal = await ApplyJournal.open(options.journalDir);
  try {
    return await applyOnce(input, options, journal);
  } finally {
    await journal.close();
  }
}

function describeInterrupted(entries: readonly JournalEntry[]): string {
  const last = entries[entries.length - 1]!;
  const when =
    last.phase === 'sent'
      ? 'after sending its records to the controller'
      : 'after reading the input, before sending anything';
  return `an earlier apply (started ${entries[0]!.at}) stopped ${when} (${last.at}); this run finishes the job`;
}

async function applyOnce(input: ZkInput, options: ApplyOptions, journal: ApplyJournal | null): Promise<ApplyResult> {
  const run = `${new Date().toISOString()}/${process.pid}`;
  const interrupted = journal ? await journal.interruptedRun() : null;
  const note = async (phase: JournalPhase, records: number, extra: Partial<JournalEntry> = {}): Promise<void> => {
    await journal?.append({ at: new Date().toISOString(), run, phase, records, ...extra });
  };
  const offline = await rehearse(input);
  await note('read', offline.plan.records.length, { resumed: offline.resumed });
  const security = options.security ?? plaintextRpc;
  const rehearsed = withTarget(offline, await describeTarget(options.controllers, security));
  const { plan, report } = rehearsed;
  const offlineProblems = new Set(offline.report.problems);
  const base = {
    clusterId: plan.clusterId,
    counts: report.counts,
    records: plan.records.length - 2,
    recordsWritten: 0,
    blockingProblems: plan.blockingProblems,
    targetProblems: report.problems.filter((p) => !offlineProblems.has(p)),
    forced: options.force ? plan.forced : [],
    errorCode: ErrorCode.NONE,
    errorName: 'NONE',
    errorMessage: null,
    conflicts: [],
    notes: [],
    metadataOffset: -1,
    readMs: rehearsed.readMs,
    importMs: 0,
    resumedTree: rehearsed.resumed,
    interruptedRun: interrupted ? describeInterrupted(interrupted) : null,
    retries: 0,
    controllerChange: null,
  };
  if (plan.clusterId === null) {
    await note('blocked', plan.records.length, { detail: 'no /cluster/id' });
    return {
      ...base,
      outcome: 'blocked',
      exitCode: ApplyExit.blocked,
      errorMessage:
        'the ZooKeeper data has no /cluster/id; nothing to match the KRaft cluster against (not even --force can apply it)',
    };
  }
  if (plan.blockingProblems.length > 0 && !options.force) {
    await note('blocked', plan.records.length, { detail: `${plan.blockingProblems.length} blocking problems` });
    return {
      ...base,
      outcome: 'blocked',
      exitCode: ApplyExit.blocked,
      errorMessage: `${plan.blockingProblems.length} blocking problems; fix them, or give --force to skip the broken entities`,
    };
  }

  const frames = frameRecords(plan.records.map(encodeRecord));
  const client = new ControllerClient(options.controllers, security);
  const started = performance.now();
  const emit = options.onEvent ?? (() => {});
  const progress = options.onEvent ? watchProgress(options.controllers, security, plan.records.length, emit) : null;
  const tracker = new RetryTracker();
  try {
    await note('sent', plan.records.length);
    const res = await client.importMigration(
      { zkClusterId: plan.clusterId, records: frames, recordCount: plan.records.length },
      {
        timeoutMs: options.timeoutMs ?? importTimeoutMsDefault,
        stopWhenRefused: true,
        onRetry: (r) => {
          const e = tracker.onRetry(r);
          if (e === null) return;
          progress?.restart(); // a new attempt writes the records again
          emit(e);
        },
      },
    );
    const change = tracker.finish(client.answeredBy);
    if (change) emit(change);
    const errorCode = res.errorCode;
    const answer = {
      ...base,
      retries: tracker.retries,
      controllerChange:
        change?.event === 'controller-change' ? { from: change.from, to: change.to, reason: change.reason } : null,
      errorCode,
      errorName: errorName(errorCode),
      errorMessage: errorCode === ErrorCode.NONE ? null : res.errorMessage,
      conflicts: res.conflicts,
      notes: res.notes,
      recordsWritten: res.recordsWritten,
      metadataOffset: res.metadataOffset,
      importMs: performance.now() - started,
    };
    if (errorCode !== ErrorCode.NONE) {
      await note('refused', plan.records.length, { detail: `${answer.errorName}: ${answer.errorMessage ?? ''}` });
      return { ...answer, outcome: 'refused', exitCode: ApplyExit.refused };
    }
    const outcome = res.alreadyMigrated ? 'already-migrated' : 'applied';
    await note(outcome, plan.records.length, { metadataOffset: answer.metadataOffset });
    return { ...answer, outcome, exitCode: ApplyExit.done };
  } finally {
    progress?.stop();
    client.close();
  }
}

/**
 * Polls the high watermark while the import runs, reporting each change; `restart` counts from
 * the current high watermark again (a retried import writes every record again).
 */
function watchProgress(
  controllers: readonly Endpoint[],
  security: RpcClientSecurity,
  total: number,
  report: (e: ApplyEvent) => void,
): { stop(): void; restart(): void } {
  let stopped = false;
  let baseHw: number | null = null;
  let last = -1;
  const poll = async (): Promise<void> => {
    for (let i = 0; !stopped; i++) {
      try {
        const hw = (await describeQuorum(controllers[i % controllers.length]!, security)).highWatermark;
        baseHw ??= hw;
        const committed = Math.min(total, Math.max(0, hw - baseHw));
        if (!stopped && committed !== last) report({ event: 'progress', committed, total });
        last = committed;
      } catch {
        // No answer this time (a failover, say): the next poll tries another controller.
      }
      await new Promise((r) => setTimeout(r, progressIntervalMs));
    }
  };
  void poll();
  return {
    stop: () => {
      stopped = true;
    },
    restart: () => {
      baseHw = null;
    },
  };
}

/** The summary `migrate apply` prints. */
export function formatApplyResult(r: ApplyResult): string {
  const c = r.counts;
  const lines: string[] = [];
  if (r.interruptedRun !== null) lines.push(`Journal: ${r.interruptedRun}.`);
  if (r.resumedTree)
    lines.push('The ZooKeeper tree comes from the staging store of an earlier run (the data directory is unchanged).');
  const what = `${c.topics} topics (${c.partitions} partitions), ${c.topicConfigs} topic and ${c.brokerConfigs} broker config entities, ${c.aclBindings} ACLs, ${c.scramCredentials} SCRAM credentials, ${c.clientQuotas} quota entities`;
  switch (r.outcome) {
    case 'applied':
      lines.push(
        `Migrated ${what}: ${r.recordsWritten} records in one metadata transaction, committed at offset ${r.metadataOffset} (${(r.importMs / 1000).toFixed(1)} s).`,
      );
      break;
    case 'already-migrated':
      lines.push(`Already migrated: the cluster holds this ZooKeeper state (${what}); nothing written.`);
      break;
    case 'blocked':
      lines.push(`Not applied: ${r.errorMessage ?? 'blocking problems'}`);
      for (const p of r.blockingProblems) lines.push(`  error ${p.code} ${p.path}: ${p.message}`);
      break;
    case 'refused':
      lines.push(`Refused by the controller (${r.errorName}): ${r.errorMessage ?? ''}`);
      for (const conflict of r.conflicts) lines.push(`  ${conflict}`);
      lines.push('Nothing was written.');
      break;
  }
  if (r.forced.length > 0) {
    lines.push(`--force: ${r.forced.length} broken entities skipped or replaced:`);
    for (const f of r.forced) lines.push(`  ${f}`);
  }
  for (const p of r.targetProblems)
    if (p.severity === 'warning') lines.push(`warning (KRaft cluster) ${p.code} ${p.path}: ${p.message}`);
  if (r.controllerChange !== null)
    lines.push(
      `The import was retried after a controller change (${r.controllerChange.from} → ${r.controllerChange.to}: ${r.controllerChange.reason}).`,
    );
  for (const n of r.notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}
