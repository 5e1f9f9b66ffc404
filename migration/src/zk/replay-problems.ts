// What a ZooKeeper data directory's damage costs, in words an operator can act on (issue 17
// item 3): a skipped newest snapshot, a transaction log cut short or corrupt, a gap in the
// zxids. Each is a Problem (error: apply needs --force; warning: nothing was lost) that says
// which file, which transactions (zxid range, with times where known) and which znodes are
// affected, plus the line `--force` adds to its list. Pure; called by data-dir-reader.ts.
import { basename } from 'node:path';
import { hexZxid, type Problem } from '../problems.js';
import type { RecordPeek, TxnEntry } from './txn-log-reader.js';
import { txnPaths } from './txn-log-reader.js';

/** How many znode paths a message lists before "and N more". */
const pathsListedMax = 12;

/** A log that ended early: cut short (torn) or corrupt, with what its damaged record still shows. */
export interface LogDamage {
  readonly code: 'txn_log_truncated' | 'txn_log_corrupt';
  readonly file: string;
  readonly offset: number;
  readonly detail: string;
  readonly peek: RecordPeek;
}

/** Why replay stopped before the end of the logs. */
export type ReplayStop =
  | {
      readonly kind: 'damage';
      readonly damage: LogDamage;
      readonly resumesAt: bigint | null;
      readonly resumesIn: string | null;
    }
  | {
      readonly kind: 'gap';
      readonly file: string;
      readonly offset: number;
      readonly missingFrom: bigint;
      readonly missingTo: bigint;
    };

/** Where replay ended: the last transaction applied and its time (ms since the epoch), when known. */
export interface ReplayEnd {
  readonly lastZxid: bigint;
  readonly lastTime: bigint | null;
}

/** ISO 8601 of a ZooKeeper time (ms since the epoch); null when unknown (absent or 0). */
export const isoTime = (ms: bigint | null): string | null =>
  ms === null || ms <= 0n ? null : new Date(Number(ms)).toISOString();

const at = (z: bigint, t: bigint | null): string =>
  isoTime(t) === null ? hexZxid(z) : `${hexZxid(z)} (${isoTime(t)})`;

/** "/a, /b, … (and 3 more)": the distinct znodes, in the order first touched. */
export function listPaths(paths: Iterable<string>): string {
  const distinct = [...new Set(paths)];
  if (distinct.length === 0) return 'none known';
  const shown = distinct.slice(0, pathsListedMax).join(', ');
  return distinct.length > pathsListedMax ? `${shown} (and ${distinct.length - pathsListedMax} more)` : shown;
}

function damageText(d: LogDamage): string {
  const what = d.code === 'txn_log_truncated' ? 'is cut short' : 'is corrupt';
  const rec =
    d.peek.zxid !== null
      ? `; the damaged record is transaction ${at(d.peek.zxid, d.peek.time)}${d.peek.paths.length ? ` on ${listPaths(d.peek.paths)}` : ''}`
      : '';
  return `${basename(d.file)} ${what} at byte offset ${d.offset} (${d.detail})${rec}`;
}

function unappliedText(unapplied: readonly TxnEntry[]): string {
  if (unapplied.length === 0) return '';
  const first = unapplied[0]!.header;
  const last = unapplied[unapplied.length - 1]!.header;
  return ` Not applied either: ${unapplied.length} readable transaction(s) after it, ${at(first.zxid, first.time)} to ${at(last.zxid, last.time)}, touching ${listPaths(unapplied.flatMap((e) => txnPaths(e.body)))}.`;
}

/** The error for a replay that stopped early, and the line --force adds. */
export function stopProblem(
  stop: ReplayStop,
  end: ReplayEnd,
  unapplied: readonly TxnEntry[],
): { problem: Problem; forced: string } {
  const stoppedAt = `Replay stopped after transaction ${at(end.lastZxid, end.lastTime)}: the migration would describe ZooKeeper as of then.`;
  let head: string;
  let lost: string;
  if (stop.kind === 'gap') {
    head = `transactions ${hexZxid(stop.missingFrom)}..${hexZxid(stop.missingTo)} are missing before byte offset ${stop.offset} of ${basename(stop.file)} (a log file was lost or cut short); what they changed is unknown.`;
    lost = '';
  } else {
    head = `${damageText(stop.damage)}.`;
    const next = end.lastZxid + 1n;
    lost =
      stop.resumesAt !== null
        ? ` The next log (${stop.resumesIn}) continues only at ${hexZxid(stop.resumesAt)}: transactions ${hexZxid(next)}..${hexZxid(stop.resumesAt - 1n)} are lost.`
        : unapplied.length > 0
          ? ` Transactions from ${hexZxid(next)} up to the next readable record are lost.`
          : ` Transactions from ${hexZxid(next)} on that followed in the file are lost; how many is unknown.`;
  }
  const file = stop.kind === 'gap' ? stop.file : stop.damage.file;
  const code = stop.kind === 'gap' ? 'zxid_gap' : stop.damage.code;
  return {
    problem: {
      severity: 'error',
      code,
      path: file,
      message: `${head} ${stoppedAt}${lost}${unappliedText(unapplied)} --force migrates that older state.`,
    },
    forced: `ZooKeeper's state as of transaction ${at(end.lastZxid, end.lastTime)} is migrated; later transactions are not (${code} in ${basename(file)})`,
  };
}

/** A damaged log whose successor carries on without a gap: ZooKeeper crashed mid-write and started a new log. */
export function harmlessDamage(d: LogDamage, continuedBy: string, zxid: bigint): Problem {
  return {
    severity: 'warning',
    code: d.code,
    path: d.file,
    message: `${damageText(d)}. ${continuedBy} continues at ${hexZxid(zxid)} without a gap, so no transaction was lost (ZooKeeper restarted after a torn write, as FileTxnLog allows).`,
  };
}

/** A newest snapshot that had to be skipped: an error, since it could not be checked against the logs. */
export function skippedSnapshot(
  file: string,
  reason: string,
  snapshotZxid: bigint,
  used: string,
  end: ReplayEnd,
): { problem: Problem; forced: string } {
  const covered =
    end.lastZxid >= snapshotZxid
      ? `the logs reach ${at(end.lastZxid, end.lastTime)}, past its zxid ${hexZxid(snapshotZxid)}, so no transaction is known to be missing, but nothing could be checked against it`
      : `the logs end at ${at(end.lastZxid, end.lastTime)}, before its zxid ${hexZxid(snapshotZxid)}: transactions ${hexZxid(end.lastZxid + 1n)}..${hexZxid(snapshotZxid)} are missing`;
  return {
    problem: {
      severity: 'error',
      code: 'snapshot_skipped',
      path: file,
      message: `the newest snapshot ${basename(file)} is invalid (${reason}); the tree was rebuilt from ${used} and the logs instead: ${covered}. --force migrates that tree.`,
    },
    forced: `the tree is rebuilt from ${used} and the logs, not from the invalid ${basename(file)}`,
  };
}
