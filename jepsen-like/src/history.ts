// The operation history of a jepsen-like run (Jepsen's shapes, jepsen.md §1.4 and §2.1): every
// client operation is an `invoke` followed, on the same process, by its completion — `ok` (it
// happened), `fail` (it certainly did not) or `info` (unknown: a timeout, a lost connection). A
// process whose operation ended `info` is never used again; the runner starts a fresh one.
// Nemesis events are ops of process -1 (`start-fault` / `stop-fault`).
// Stored as JSONL (one op per line) in store/<run>/history.jsonl. Pure apart from the file helpers.
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';

export type OpType = 'invoke' | 'ok' | 'fail' | 'info';

/** queue workload micro-ops. A key is an integer mapped one-to-one onto a topic-partition. */
type SendMop = readonly ['send', number, number];
/** The completed send: the offset the value landed at (null when unknown). */
type SendDoneMop = readonly ['send', number, readonly [number | null, number]];
type PollMop = readonly ['poll'];
/** The completed poll: per key (as a string), the [offset, value] pairs read, in read order. */
type PollDoneMop = readonly ['poll', Readonly<Record<string, readonly (readonly [number, number])[]>>];
export type QueueMop = SendMop | SendDoneMop | PollMop | PollDoneMop;

/** metadata workload: a register per key (e.g. a topic config), null meaning absent. */
export type RegisterValue =
  | { readonly key: string; readonly value: string | null } // read (value null in the invoke) and write
  | { readonly key: string; readonly from: string | null; readonly to: string | null }; // cas

export interface Op {
  /** Position in the history, 0..n-1. */
  readonly index: number;
  /** Milliseconds since the run started. */
  readonly time: number;
  readonly process: number;
  readonly type: OpType;
  /** queue: send, poll, assign, subscribe, crash, debug-topic-partitions; register: read, write, cas; nemesis: start-fault, stop-fault. */
  readonly f: string;
  readonly value: unknown;
  readonly error?: string;
  /** Assignment changes a subscribe-mode consumer saw during the op. */
  readonly rebalanceLog?: readonly { readonly keys: readonly number[]; readonly time: number }[];
  readonly seekToBeginning?: boolean;
}

/** An invocation with its completion (an invoke without one counts as `info`, at +∞). */
export interface PairedOp {
  readonly invoke: Op;
  readonly completion: Op | null;
  /** The completion's type; `info` when there is none. */
  readonly type: Exclude<OpType, 'invoke'>;
}

/** Pairs each invoke with the next op of the same process. Nemesis ops (process -1) are skipped. */
export function pairOps(history: readonly Op[]): PairedOp[] {
  const open = new Map<number, Op>();
  const out: PairedOp[] = [];
  const slot = new Map<Op, number>();
  for (const op of history) {
    if (op.process < 0) continue;
    if (op.type === 'invoke') {
      const stale = open.get(op.process);
      if (stale) out[slot.get(stale)!] = { invoke: stale, completion: null, type: 'info' };
      open.set(op.process, op);
      slot.set(op, out.length);
      out.push({ invoke: op, completion: null, type: 'info' });
    } else {
      const inv = open.get(op.process);
      if (!inv) continue; // a completion without its invoke: nothing to pair
      open.delete(op.process);
      out[slot.get(inv)!] = { invoke: inv, completion: op, type: op.type };
    }
  }
  return out;
}

/** Appends ops to a JSONL file, numbering them. */
export class HistoryWriter {
  private readonly out: WriteStream;
  private next = 0;
  private readonly startedAt: number;

  constructor(path: string, startedAt = performance.now()) {
    this.out = createWriteStream(path, { flags: 'w' });
    this.startedAt = startedAt;
  }

  /** Milliseconds since the run started (the time an op recorded now would carry). */
  now(): number {
    return performance.now() - this.startedAt;
  }

  /** Records an op now; returns it as written. */
  record(op: Omit<Op, 'index' | 'time'> & { readonly time?: number }): Op {
    const full: Op = { ...op, index: this.next++, time: op.time ?? performance.now() - this.startedAt };
    this.out.write(`${JSON.stringify(full)}\n`);
    return full;
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => this.out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}

export async function readHistory(path: string): Promise<Op[]> {
  const ops: Op[] = [];
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) if (line.trim() !== '') ops.push(JSON.parse(line) as Op);
  return ops;
}
