// The transactional checker: an Elle-style analysis (jepsen.md; Jepsen's Kafka transactional
// workload) of histories whose ops are transactions (f = 'txn') of send and poll micro-ops,
// polls reading with read_committed. Per key (a topic-partition) the version order of the log
// comes from offsets — of `ok` sends and of every poll. A transaction counts as committed when
// it is `ok`, or `info` and some poll saw one of its writes; `fail` means aborted.
// Called by the runner on txn-workload histories; pure, near-linear in the history (cycle
// search runs only inside strongly connected components).
//
// Dependencies between committed transactions (Adya's, as Elle infers them from logs):
// - ww: T1's write on a key is followed, in that key's offset order, by T2's next write;
// - wr: T2 polled a value T1 wrote.
// Anomalies, each with a witness (the ops, and for cycles the smallest cycle found):
// - G0: a cycle of ww edges only (write cycle);
// - G1c: a cycle of ww and wr edges with at least one wr (circular information flow);
// - G1a: a poll saw a value whose transaction aborted (aborted read);
// - G1b: one poll of a key returned a write of T and read across the offset of another write of
//   T to that key without returning it: it saw an intermediate state of T (read_committed makes
//   a committed transaction's records visible whole; a poll that merely stops between two of
//   T's records, as a fetch cut by its size may, is not flagged);
// - lost-commit: a committed transaction none of whose writes was ever seen, although polls read
//   past the offset of each of them;
// - torn-transaction: a committed transaction some of whose writes were seen and another, whose
//   offset polls read past, never was;
// - duplicate: one value at two offsets of a key;
// - inconsistent-offsets: one key and offset with two different values.
import { Findings } from './findings.js';
import { pairOps, type Op, type PairedOp } from '../history.js';

export const txnAnomalies = [
  'G0',
  'G1a',
  'G1b',
  'G1c',
  'lost-commit',
  'torn-transaction',
  'duplicate',
  'inconsistent-offsets',
] as const;
export type TxnAnomaly = (typeof txnAnomalies)[number];

type Edge = 'ww' | 'wr';

interface CycleStep {
  /** History index of the transaction's invoke. */
  readonly txn: number;
  /** The dependency to the next step's transaction (the last step points back to the first). */
  readonly edge: Edge;
  /** The key and value that carry it. */
  readonly key: number;
  readonly value: number;
}

interface TxnExample {
  readonly explanation: string;
  /** History indexes of the ops involved (invokes and completions). */
  readonly ops: readonly number[];
  readonly cycle?: readonly CycleStep[];
}

interface TxnCheckOptions {
  /**
   * Anomaly classes reported but not making the run invalid. Kafka orders a partition's records
   * by when they were appended, not when their transaction committed, so two concurrent
   * transactions writing two partitions in opposite orders form a ww cycle (G0) that Kafka's
   * read_committed permits; a workload whose consistency model allows that passes G0 (and G1c).
   */
  readonly allowed?: readonly TxnAnomaly[];
}

export interface TxnResult {
  readonly valid: boolean;
  /** Classes found that the options allow. */
  readonly allowed: readonly TxnAnomaly[];
  readonly counts: Readonly<Record<TxnAnomaly, number>>;
  readonly examples: Readonly<Partial<Record<TxnAnomaly, readonly TxnExample[]>>>;
  readonly stats: {
    readonly txns: number;
    readonly committed: number;
    readonly aborted: number;
    readonly unknown: number;
    readonly writes: number;
    readonly recordsPolled: number;
  };
}

type Pair = readonly [number, number];

interface Write {
  readonly txn: Txn;
  readonly key: number;
  readonly value: number;
  /** Known from the send's answer or from a poll that saw it. */
  offset: number | null;
  seen: boolean;
}

interface Txn {
  readonly id: number;
  readonly pair: PairedOp;
  readonly writes: Write[];
  /** Per key, the records its polls read, in read order. */
  readonly reads: Map<number, Pair[]>;
  committed: boolean;
}

const kv = (key: number, value: number): string => `${key}:${value}`;
const opsOf = (t: Txn): number[] =>
  t.pair.completion ? [t.pair.invoke.index, t.pair.completion.index] : [t.pair.invoke.index];

function parseTxn(pair: PairedOp): Txn {
  const t: Txn = { id: pair.invoke.index, pair, writes: [], reads: new Map(), committed: pair.type === 'ok' };
  const mops = pair.invoke.value as readonly (readonly unknown[])[];
  const done = pair.completion && pair.type === 'ok' ? (pair.completion.value as readonly (readonly unknown[])[]) : [];
  mops.forEach((mop, i) => {
    if (mop[0] !== 'send') return;
    const d = done[i];
    const offset = d && d[0] === 'send' ? (d[2] as readonly [number | null, number])[0] : null;
    t.writes.push({ txn: t, key: mop[1] as number, value: mop[2] as number, offset, seen: false });
  });
  const completed = (pair.completion?.value ?? []) as readonly (readonly unknown[])[];
  if (!Array.isArray(completed)) return t;
  for (const mop of completed) {
    if (mop[0] !== 'poll' || typeof mop[1] !== 'object' || mop[1] === null) continue;
    for (const [k, records] of Object.entries(mop[1] as Record<string, readonly Pair[]>))
      t.reads.set(Number(k), [...(t.reads.get(Number(k)) ?? []), ...records]);
  }
  return t;
}

/** Every value's write, the offsets each key's values were seen at, and which transactions committed. */
function resolveWrites(txns: readonly Txn[], found: Findings<TxnAnomaly, TxnExample>): Map<string, Write> {
  const writes = new Map<string, Write>();
  for (const t of txns) for (const w of t.writes) writes.set(kv(w.key, w.value), w);
  // key → offset → value (first seen) and the first op that put it there
  const atOffset = new Map<number, Map<number, { value: number; txn: Txn }>>();
  const offsetOf = new Map<string, { offset: number; txn: Txn }>();
  const note = (key: number, offset: number, value: number, by: Txn): void => {
    let offsets = atOffset.get(key);
    if (!offsets) atOffset.set(key, (offsets = new Map()));
    const there = offsets.get(offset);
    if (there && there.value !== value)
      found.add('inconsistent-offsets', {
        explanation: `key ${key} offset ${offset} holds ${there.value} and ${value}`,
        ops: [...opsOf(there.txn), ...opsOf(by)],
      });
    else if (!there) offsets.set(offset, { value, txn: by });
    const id = kv(key, value);
    const before = offsetOf.get(id);
    if (before && before.offset !== offset)
      found.add('duplicate', {
        explanation: `value ${value} of key ${key} is at offsets ${before.offset} and ${offset}`,
        ops: [...opsOf(before.txn), ...opsOf(by)],
      });
    else if (!before) offsetOf.set(id, { offset, txn: by });
  };
  for (const t of txns) for (const w of t.writes) if (w.offset !== null) note(w.key, w.offset, w.value, t);
  for (const t of txns)
    for (const [key, records] of t.reads)
      for (const [offset, value] of records) {
        note(key, offset, value, t);
        const w = writes.get(kv(key, value));
        if (!w) continue;
        w.seen = true;
        w.offset ??= offset;
        if (w.txn.pair.type === 'info') w.txn.committed = true;
      }
  return writes;
}

/** G1a and G1b: what each poll saw of other transactions. */
function checkReads(txns: readonly Txn[], writes: Map<string, Write>, found: Findings<TxnAnomaly, TxnExample>): void {
  for (const t of txns) {
    for (const [key, records] of t.reads) {
      for (const [, value] of records) {
        const w = writes.get(kv(key, value));
        if (w && w.txn.pair.type === 'fail')
          found.add('G1a', {
            explanation: `txn ${t.id} read value ${value} of key ${key}, written by aborted txn ${w.txn.id}`,
            ops: [...opsOf(t), ...opsOf(w.txn)],
          });
      }
      if (records.length === 0) continue;
      const first = records[0]![0];
      const last = records.at(-1)![0];
      const returned = new Set(records.map(([, v]) => v));
      const reported = new Set<Txn>();
      for (const [, value] of records) {
        const w = writes.get(kv(key, value));
        if (!w || w.txn === t || reported.has(w.txn)) continue;
        const skipped = w.txn.writes.find(
          (x) => x.key === key && x.offset !== null && x.offset > first && x.offset < last && !returned.has(x.value),
        );
        if (!skipped) continue;
        reported.add(w.txn);
        found.add('G1b', {
          explanation: `txn ${t.id} read value ${value} of key ${key} written by txn ${w.txn.id} and read offsets ${first}..${last}, but not that txn's write ${skipped.value} at offset ${skipped.offset}`,
          ops: [...opsOf(t), ...opsOf(w.txn)],
        });
      }
    }
  }
}

/** lost-commit and torn-transaction: committed writes polls read past but never saw. */
function checkVisibility(txns: readonly Txn[], found: Findings<TxnAnomaly, TxnExample>): void {
  const highestRead = new Map<number, number>();
  for (const t of txns)
    for (const [key, records] of t.reads)
      for (const [offset] of records) highestRead.set(key, Math.max(highestRead.get(key) ?? -1, offset));
  for (const t of txns) {
    if (!t.committed || t.writes.length === 0) continue;
    const missing = t.writes.filter((w) => !w.seen && w.offset !== null && w.offset < (highestRead.get(w.key) ?? -1));
    if (missing.length === 0) continue;
    const seen = t.writes.filter((w) => w.seen);
    const what = missing.map((w) => `${w.value}@${w.key}:${w.offset}`).join(', ');
    if (seen.length === 0 && missing.length === t.writes.length)
      found.add('lost-commit', {
        explanation: `committed txn ${t.id}: no write was ever read although polls read past each (${what})`,
        ops: opsOf(t),
      });
    else if (seen.length > 0)
      found.add('torn-transaction', {
        explanation: `committed txn ${t.id}: ${seen.length} write(s) read, but ${what} never, although polls read past them`,
        ops: opsOf(t),
      });
  }
}

interface Graph {
  readonly nodes: Txn[];
  /** Outgoing edges per node index: [target, edge, key, value]. */
  readonly out: [number, Edge, number, number][][];
}

function buildGraph(txns: readonly Txn[], writes: Map<string, Write>): Graph {
  const nodes = txns.filter((t) => t.committed);
  const index = new Map(nodes.map((t, i) => [t, i]));
  const out: Graph['out'] = nodes.map(() => []);
  const seenEdge = new Set<string>();
  const add = (from: Txn, to: Txn, edge: Edge, key: number, value: number): void => {
    const a = index.get(from);
    const b = index.get(to);
    if (a === undefined || b === undefined || a === b) return;
    const id = `${a}>${b}>${edge}`;
    if (seenEdge.has(id)) return;
    seenEdge.add(id);
    out[a]!.push([b, edge, key, value]);
  };
  // ww: consecutive committed writes of each key in offset order.
  const byKey = new Map<number, Write[]>();
  for (const w of writes.values())
    if (w.txn.committed && w.offset !== null) {
      const list = byKey.get(w.key);
      if (list) list.push(w);
      else byKey.set(w.key, [w]);
    }
  for (const [key, list] of byKey) {
    list.sort((a, b) => a.offset! - b.offset!);
    for (let i = 1; i < list.length; i++) add(list[i - 1]!.txn, list[i]!.txn, 'ww', key, list[i]!.value);
  }
  // wr: a committed poll saw a committed write.
  for (const t of nodes)
    for (const [key, records] of t.reads)
      for (const [, value] of records) {
        const w = writes.get(kv(key, value));
        if (w?.txn.committed) add(w.txn, t, 'wr', key, value);
      }
  return { nodes, out };
}

/** Strongly connected components with more than one node (iterative Tarjan), over edges `allowed`. */
function components(g: Graph, allowed: (e: Edge) => boolean): number[][] {
  const n = g.nodes.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const result: number[][] = [];
  let next = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    const work: [number, number][] = [[root, 0]];
    index[root] = low[root] = next++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length > 0) {
      const frame = work.at(-1)!;
      const [v, i] = frame;
      const edges = g.out[v]!;
      if (i < edges.length) {
        frame[1]++;
        const [w, edge] = edges[i]!;
        if (!allowed(edge)) continue;
        if (index[w] === -1) {
          index[w] = low[w] = next++;
          stack.push(w);
          onStack[w] = 1;
          work.push([w, 0]);
        } else if (onStack[w]) low[v] = Math.min(low[v]!, index[w]!);
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work.at(-1)![0];
        low[parent] = Math.min(low[parent]!, low[v]!);
      }
      if (low[v] === index[v]) {
        const scc: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          scc.push(w);
        } while (w !== v);
        if (scc.length > 1) result.push(scc);
      }
    }
  }
  return result;
}

/**
 * The shortest cycle inside `scc` over edges `allowed` that uses at least one edge `must` (null:
 * any): BFS from each node of the component, over (node, used-must) states.
 */
function shortestCycle(
  g: Graph,
  scc: readonly number[],
  allowed: (e: Edge) => boolean,
  must: Edge | null,
): CycleStep[] | null {
  const inScc = new Set(scc);
  let best: CycleStep[] | null = null;
  for (const start of scc) {
    // state = node * 2 + (used the must edge ? 1 : 0)
    const prev = new Map<number, [number, Edge, number, number]>();
    const queue: number[] = [start * 2 + (must === null ? 1 : 0)];
    prev.set(queue[0]!, [-1, 'ww', 0, 0]);
    let found: number | null = null;
    for (let head = 0; head < queue.length && found === null; head++) {
      const state = queue[head]!;
      const v = state >> 1;
      for (const [w, edge, key, value] of g.out[v]!) {
        if (!allowed(edge) || !inScc.has(w)) continue;
        const next = w * 2 + (state & 1 || edge === must ? 1 : 0);
        if (w === start && next & 1) {
          prev.set(-1, [state, edge, key, value]);
          found = -1;
          break;
        }
        if (w === start || prev.has(next)) continue;
        prev.set(next, [state, edge, key, value]);
        queue.push(next);
      }
    }
    if (found === null) continue;
    const steps: CycleStep[] = [];
    let at = -1;
    while (true) {
      const [from, edge, key, value] = prev.get(at)!;
      if (from === -1) break;
      steps.push({ txn: g.nodes[from >> 1]!.id, edge, key, value });
      at = from;
    }
    steps.reverse();
    // Witnesses start at their lowest transaction, so the same cycle always reads the same.
    const lowest = steps.reduce((m, st, i) => (st.txn < steps[m]!.txn ? i : m), 0);
    const rotated = [...steps.slice(lowest), ...steps.slice(0, lowest)];
    if (best === null || rotated.length < best.length) best = rotated;
    if (best.length === 2) break;
  }
  return best;
}

function describeCycle(steps: readonly CycleStep[]): string {
  return `${steps.map((s) => `txn ${s.txn} -${s.edge}(${s.key}:${s.value})->`).join(' ')} txn ${steps[0]!.txn}`;
}

function checkCycles(g: Graph, found: Findings<TxnAnomaly, TxnExample>): void {
  const byId = new Map(g.nodes.map((t) => [t.id, t]));
  const witness = (kind: TxnAnomaly, steps: CycleStep[]): void =>
    found.add(kind, {
      explanation: describeCycle(steps),
      ops: steps.flatMap((s) => opsOf(byId.get(s.txn)!)),
      cycle: steps,
    });
  for (const scc of components(g, (e) => e === 'ww')) {
    const steps = shortestCycle(g, scc, (e) => e === 'ww', null);
    if (steps) witness('G0', steps);
  }
  for (const scc of components(g, () => true)) {
    const steps = shortestCycle(g, scc, () => true, 'wr');
    if (steps) witness('G1c', steps);
  }
}

export function checkTxn(history: readonly Op[], options: TxnCheckOptions = {}): TxnResult {
  const txns = pairOps(history)
    .filter((p) => p.invoke.f === 'txn')
    .map(parseTxn);
  const found = new Findings<TxnAnomaly, TxnExample>(txnAnomalies);
  const writes = resolveWrites(txns, found);
  checkReads(txns, writes, found);
  checkVisibility(txns, found);
  checkCycles(buildGraph(txns, writes), found);
  const allowedSet = new Set(options.allowed ?? []);
  const valid = txnAnomalies.every((a) => found.counts[a] === 0 || allowedSet.has(a));
  let recordsPolled = 0;
  for (const t of txns) for (const records of t.reads.values()) recordsPolled += records.length;
  return {
    valid,
    allowed: txnAnomalies.filter((a) => found.counts[a] > 0 && allowedSet.has(a)),
    counts: found.counts,
    examples: found.examples,
    stats: {
      txns: txns.length,
      committed: txns.filter((t) => t.committed).length,
      aborted: txns.filter((t) => t.pair.type === 'fail').length,
      unknown: txns.filter((t) => t.pair.type === 'info' && !t.committed).length,
      writes: writes.size,
      recordsPolled,
    },
  };
}
