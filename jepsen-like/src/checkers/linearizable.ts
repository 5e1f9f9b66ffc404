// Linearizability checker: Wing & Gong's search with Lowe's memoisation (WGL, as Porcupine's
// checkSingle and Knossos's wgl do; jepsen.md §2.2), run separately per key (Porcupine's
// partitioning: a register per key is independent of the others).
//
// Each operation is an interval [call, return] (closed: ops touching at one instant are
// concurrent; calls sort before returns on ties). `fail` ops certainly did not happen and are
// dropped; `info` ops (and invokes without completion) may take effect at any time after their
// call, or never: their return is +∞, and their outputs are unknown (an info read constrains
// nothing and is dropped). The search linearizes one call at a time in list order, remembering
// every (set of linearized ops, model state) it has tried; a return reached before its call was
// linearized means backtracking. A per-key bound on visited states makes a pathological history
// end as `unknown` instead of running forever.
import { pairOps, type Op } from '../history.js';
import type { RegisterInput, RegisterModel } from './register-model.js';

/** States tried per key before the search gives up with `unknown`. */
export const statesVisitedMax = 5_000_000;

export interface LinearizableOp<I> {
  readonly id: number;
  readonly call: number;
  /** +∞ for ops whose outcome is unknown. */
  readonly ret: number;
  readonly input: I;
  /** History indexes (invoke, completion). */
  readonly ops: readonly number[];
}

export interface KeyResult {
  readonly key: string;
  readonly valid: boolean | 'unknown';
  readonly opsChecked: number;
  readonly statesVisited: number;
  /** When not linearizable: the longest linearizable prefix found and the ops that could not follow it. */
  readonly witness?: {
    readonly linearized: readonly number[];
    readonly stuck: readonly number[];
    readonly state: string;
    readonly explanation: string;
  };
}

export interface LinearizabilityResult {
  readonly valid: boolean | 'unknown';
  readonly keys: readonly KeyResult[];
}

interface Entry {
  readonly op: number; // index into ops
  readonly isCall: boolean;
  readonly time: number;
  prev: Entry | null;
  next: Entry | null;
  match: Entry | null; // call ↔ return
}

/** 52 random bits per op id (Zobrist hashing of the linearized set). */
function zobrist(n: number, seed = 0x9e3779b9): Float64Array {
  const out = new Float64Array(n);
  let x = seed >>> 0;
  const next = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  for (let i = 0; i < n; i++) out[i] = (next() & 0xfffff) * 0x100000000 + next();
  return out;
}

/** Checks one key's ops against a model. */
export function checkKey<S, I>(key: string, ops: readonly LinearizableOp<I>[], model: RegisterModel<S, I>): KeyResult {
  const n = ops.length;
  if (n === 0) return { key, valid: true, opsChecked: 0, statesVisited: 0 };
  // Sorted events, calls before returns on ties (closed intervals).
  const events: Entry[] = [];
  ops.forEach((o, i) => {
    const call: Entry = { op: i, isCall: true, time: o.call, prev: null, next: null, match: null };
    const ret: Entry = { op: i, isCall: false, time: o.ret, prev: null, next: null, match: null };
    call.match = ret;
    ret.match = call;
    events.push(call, ret);
  });
  events.sort((a, b) => a.time - b.time || (a.isCall === b.isCall ? a.op - b.op : a.isCall ? -1 : 1));
  const head: Entry = { op: -1, isCall: false, time: -Infinity, prev: null, next: null, match: null };
  let last = head;
  for (const e of events) {
    last.next = e;
    e.prev = last;
    last = e;
  }
  const lift = (call: Entry): void => {
    call.prev!.next = call.next;
    if (call.next) call.next.prev = call.prev;
    const ret = call.match!;
    ret.prev!.next = ret.next;
    if (ret.next) ret.next.prev = ret.prev;
  };
  const unlift = (call: Entry): void => {
    const ret = call.match!;
    ret.prev!.next = ret;
    if (ret.next) ret.next.prev = ret;
    call.prev!.next = call;
    if (call.next) call.next.prev = call;
  };

  const words = Math.ceil(n / 32);
  const bits = new Uint32Array(words);
  const z = zobrist(n);
  let hash = 0;
  const cache = new Map<string, Uint32Array[]>();
  const seen = (stateKey: string): boolean => {
    const k = `${hash}|${stateKey}`;
    const bucket = cache.get(k);
    if (bucket) {
      for (const b of bucket) {
        let same = true;
        for (let i = 0; i < words; i++) if (b[i] !== bits[i]) {
          same = false;
          break;
        }
        if (same) return true;
      }
      bucket.push(bits.slice());
    } else cache.set(k, [bits.slice()]);
    return false;
  };
  const flip = (i: number): void => {
    bits[i >>> 5] = bits[i >>> 5]! ^ (1 << (i & 31));
    // XOR on 52-bit integers, done as two halves.
    const hi = Math.floor(hash / 0x100000000) ^ Math.floor(z[i]! / 0x100000000);
    const lo = (hash >>> 0) ^ (z[i]! >>> 0);
    hash = (hi >>> 0) * 0x100000000 + (lo >>> 0);
  };

  let state = model.init();
  const stack: { call: Entry; state: S }[] = [];
  let entry = head.next;
  let visited = 0;
  let best: { linearized: number[]; stuckAt: Entry | null; state: S } = { linearized: [], stuckAt: null, state };
  while (head.next !== null) {
    if (++visited > statesVisitedMax) return { key, valid: 'unknown', opsChecked: n, statesVisited: visited };
    if (entry === null) break; // cannot happen: the list always ends in a return
    if (entry.isCall) {
      const [ok, next] = model.step(state, ops[entry.op]!.input);
      if (ok) {
        flip(entry.op);
        if (!seen(model.key(next))) {
          stack.push({ call: entry, state });
          state = next;
          lift(entry);
          if (stack.length > best.linearized.length) best = { linearized: stack.map((s) => s.call.op), stuckAt: null, state };
          entry = head.next;
          continue;
        }
        flip(entry.op);
      }
      entry = entry.next;
    } else {
      // A return whose call is not linearized: undo the last choice.
      if (stack.length === 0) {
        if (best.stuckAt === null) best = { ...best, stuckAt: entry };
        return { key, valid: false, opsChecked: n, statesVisited: visited, witness: witness(ops, best, model, entry) };
      }
      if (stack.length === best.linearized.length && best.stuckAt === null) best = { ...best, stuckAt: entry };
      const top = stack.pop()!;
      flip(top.call.op);
      unlift(top.call);
      state = top.state;
      entry = top.call.next;
    }
  }
  return { key, valid: true, opsChecked: n, statesVisited: visited };
}

function witness<S, I>(ops: readonly LinearizableOp<I>[], best: { linearized: number[]; stuckAt: Entry | null; state: S }, model: RegisterModel<S, I>, fallback: Entry): NonNullable<KeyResult['witness']> {
  const lin = new Set(best.linearized);
  const stuckAt = best.stuckAt ?? fallback;
  // Ops not linearized whose call came before the return the search could not get past.
  const stuck = ops.filter((o, i) => !lin.has(i) && o.call <= stuckAt.time).map((o) => o.id);
  return {
    linearized: best.linearized.map((i) => ops[i]!.id),
    stuck,
    state: model.describe(best.state),
    explanation: `after ${best.linearized.length} ops linearized (register ${model.describe(best.state)}), no order of the ${stuck.length} ops pending at t=${stuckAt.time.toFixed(1)} ms fits the model; first of them: ${stuck.slice(0, 3).map((id) => model.describeInput(ops.find((o) => o.id === id)!.input)).join('; ')}`,
  };
}

/**
 * Splits a register history (f read/write/cas, value {key, ...}) by key and checks each key.
 * Completed reads carry the value read; `fail` ops are dropped; `info` reads are dropped.
 */
export function checkLinearizable(history: readonly Op[], model: RegisterModel<string | null, RegisterInput>): LinearizabilityResult {
  const byKey = new Map<string, LinearizableOp<RegisterInput>[]>();
  let id = 0;
  for (const p of pairOps(history)) {
    const f = p.invoke.f;
    if (f !== 'read' && f !== 'write' && f !== 'cas') continue;
    if (p.type === 'fail') continue;
    const v = (p.type === 'ok' ? p.completion!.value : p.invoke.value) as Record<string, string | null>;
    const key = String(v['key']);
    let input: RegisterInput;
    if (f === 'read') {
      if (p.type !== 'ok') continue;
      input = { f: 'read', value: v['value'] ?? null };
    } else if (f === 'write') input = { f: 'write', value: v['value'] ?? null };
    else input = { f: 'cas', from: v['from'] ?? null, to: v['to'] ?? null, known: p.type === 'ok' };
    const list = byKey.get(key) ?? [];
    byKey.set(key, list);
    list.push({
      id: id++,
      call: p.invoke.time,
      ret: p.type === 'ok' ? p.completion!.time : Infinity,
      input,
      ops: p.completion ? [p.invoke.index, p.completion.index] : [p.invoke.index],
    });
  }
  const keys = [...byKey.keys()].sort().map((k) => {
    const r = checkKey(k, byKey.get(k)!, model);
    if (!r.witness) return r;
    // Witness ids → history indexes.
    const ops = new Map(byKey.get(k)!.map((o) => [o.id, o.ops]));
    return { ...r, witness: { ...r.witness, linearized: r.witness.linearized.flatMap((i) => ops.get(i)!), stuck: r.witness.stuck.flatMap((i) => ops.get(i)!) } };
  });
  const valid = keys.every((k) => k.valid === true) ? true : keys.some((k) => k.valid === false) ? false : 'unknown';
  return { valid, keys };
}
