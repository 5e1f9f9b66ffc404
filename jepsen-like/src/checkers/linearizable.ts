// Linearizability checker: Wing & Gong's search with Lowe's memoisation (WGL, as Porcupine's
// checkSingle and Knossos's wgl do; jepsen.md §2.2), run separately per key (Porcupine's
// partitioning: a register per key is independent of the others, P-compositionality §2.4).
// Called by the runner on metadata-workload histories; pure.
//
// Each operation is an interval [call, return] (closed: ops touching at one instant are
// concurrent; calls sort before returns on ties). `fail` ops certainly did not happen and are
// dropped; `info` ops (and invokes without completion) may take effect at any time after their
// call, or never: their return is +∞ (so "never" is the same as "after everything else"), and
// their outputs are unknown (an info read constrains nothing and is dropped).
//
// The search linearizes one call at a time in list order, remembering every (set of linearized
// ops, model state) it has reached; a return met before its call was linearized means
// backtracking. The set is kept as a bitset indexed by the rank of each op's return: every op
// whose return ranks below the first return still in the list is necessarily linearized, so the
// memo key is that rank plus the nonzero bitset words from there on — exact (no hash collisions)
// and small (about the concurrency plus the ops of unknown outcome), whatever the history's length.
// Two named bounds (search steps, memo bytes) make a pathological history end as `unknown`
// instead of running forever or exhausting memory.
import { pairOps, type Op } from '../history.js';
import type { RegisterInput, RegisterModel } from './register-model.js';

/** Search steps (candidate tries and backtracks) per key before giving up with `unknown`. */
const statesVisitedMax = 5_000_000;
/** Memory the memo may take per key before giving up with `unknown` (estimated per entry as key length + overhead). */
const cacheBytesMax = 256 * 1024 * 1024;
/** Estimated bytes a memo entry costs beyond its key's characters (string header, set slot). */
const cacheEntryOverheadBytes = 80;
/** Pending ops a witness names at most (the blocked op first). */
const witnessPendingMax = 16;

interface LinearizableOptions {
  readonly statesVisitedMax?: number;
  readonly cacheBytesMax?: number;
}

interface LinearizableOp<I> {
  readonly id: number;
  readonly call: number;
  /** +∞ for ops whose outcome is unknown. */
  readonly ret: number;
  readonly input: I;
  /** History indexes (invoke, completion). */
  readonly ops: readonly number[];
}

interface KeyWitness {
  /** The longest linearizable prefix the search found, in linearization order. */
  readonly linearized: readonly number[];
  /** The op whose return the search could not get past (first), then the other ops pending then. */
  readonly stuck: readonly number[];
  /** The model state after the prefix. */
  readonly state: string;
  readonly explanation: string;
}

interface KeyResult {
  readonly key: string;
  readonly valid: boolean | 'unknown';
  readonly opsChecked: number;
  readonly statesVisited: number;
  /** When not linearizable: where no linearization extends. */
  readonly witness?: KeyWitness;
  /** When `unknown`: the bound that was hit. */
  readonly limit?: 'statesVisitedMax' | 'cacheBytesMax';
}

export interface LinearizabilityResult {
  readonly valid: boolean | 'unknown';
  readonly keys: readonly KeyResult[];
}

interface Entry {
  readonly op: number; // index into ops
  readonly isCall: boolean;
  readonly time: number;
  /** Rank of the op's return among all returns (the op's bit in the linearized set). */
  rank: number;
  prev: Entry | null;
  next: Entry | null;
  match: Entry | null; // call ↔ return
}

/** The sorted call/return events as a doubly linked list behind a sentinel head. */
function eventList<I>(ops: readonly LinearizableOp<I>[]): Entry {
  const events: Entry[] = [];
  ops.forEach((o, i) => {
    const call: Entry = { op: i, isCall: true, time: o.call, rank: -1, prev: null, next: null, match: null };
    const ret: Entry = { op: i, isCall: false, time: o.ret, rank: -1, prev: null, next: null, match: null };
    call.match = ret;
    ret.match = call;
    events.push(call, ret);
  });
  // Calls before returns on ties (closed intervals); op order breaks the rest for determinism.
  events.sort((a, b) => a.time - b.time || (a.isCall === b.isCall ? a.op - b.op : a.isCall ? -1 : 1));
  const head: Entry = { op: -1, isCall: false, time: -Infinity, rank: -1, prev: null, next: null, match: null };
  let last = head;
  let rank = 0;
  for (const e of events) {
    if (!e.isCall) {
      e.rank = rank++;
      e.match!.rank = e.rank;
    }
    last.next = e;
    e.prev = last;
    last = e;
  }
  return head;
}

/** Unlinks a call and its return (dancing links: undo in reverse order with `unlift`). */
function lift(call: Entry): void {
  call.prev!.next = call.next;
  if (call.next) call.next.prev = call.prev;
  const ret = call.match!;
  ret.prev!.next = ret.next;
  if (ret.next) ret.next.prev = ret.prev;
}

function unlift(call: Entry): void {
  const ret = call.match!;
  ret.prev!.next = ret;
  if (ret.next) ret.next.prev = ret;
  call.prev!.next = call;
  if (call.next) call.next.prev = call;
}

/** Checks one key's ops against a model. */
function checkKey<S, I>(
  key: string,
  ops: readonly LinearizableOp<I>[],
  model: RegisterModel<S, I>,
  options: LinearizableOptions = {},
): KeyResult {
  const n = ops.length;
  if (n === 0) return { key, valid: true, opsChecked: 0, statesVisited: 0 };
  const stepsMax = options.statesVisitedMax ?? statesVisitedMax;
  const bytesMax = options.cacheBytesMax ?? cacheBytesMax;
  const head = eventList(ops);

  // Returns at +∞ rank last, so ranks below `finiteOps` are completed ops and the rest are ops
  // whose outcome is unknown; each group has its own bitset. Linearized completed ops ranking
  // above the first pending return sit in a window about as wide as the concurrency (`doneTop`
  // bounds it from above), so building a key does not scan the whole history.
  const finiteOps = ops.filter((o) => o.ret !== Infinity).length;
  const done = new Uint32Array(Math.ceil(finiteOps / 32));
  const unknown = new Uint32Array(Math.ceil((n - finiteOps) / 32));
  let doneTop = -1; // no word of `done` above this is nonzero
  const flip = (rank: number): void => {
    if (rank < finiteOps) {
      const w = rank >>> 5;
      done[w] = done[w]! ^ (1 << (rank & 31));
      if (w > doneTop) doneTop = w;
    } else {
      const r = rank - finiteOps;
      unknown[r >>> 5] = unknown[r >>> 5]! ^ (1 << (r & 31));
    }
  };
  // The memo key of the current linearized set with model state `stateKey`; null when every op is
  // linearized (nothing left to remember). The set part holds only digits and , : | so the key
  // is unambiguous whatever the state's key contains.
  const memoKey = (stateKey: string): string | null => {
    let first = head.next;
    while (first?.isCall) first = first.next;
    if (first === null) return null;
    let k = `${first.rank}`;
    const from = first.rank >>> 5;
    while (doneTop > from && done[doneTop] === 0) doneTop--;
    for (let w = from; w <= doneTop; w++) if (done[w] !== 0) k += `,${w}:${done[w]}`;
    k += '|';
    for (let w = 0; w < unknown.length; w++) if (unknown[w] !== 0) k += `,${w}:${unknown[w]}`;
    return `${k}\u0001${stateKey}`;
  };
  const cache = new Set<string>();
  let cacheBytes = 0;

  let state = model.init();
  // The linearized ops as a linked stack: a witness keeps a frame, not a copy of the prefix.
  let top = null as Frame<S> | null;
  let entry = head.next;
  let visited = 0;
  let best = null as Best<S> | null;
  while (head.next !== null) {
    if (++visited > stepsMax)
      return { key, valid: 'unknown', opsChecked: n, statesVisited: visited - 1, limit: 'statesVisitedMax' };
    // The list always ends in a return while it is not empty, and a return stops the walk.
    const e = entry!;
    if (e.isCall) {
      const [ok, next] = model.step(state, ops[e.op]!.input);
      if (ok) {
        flip(e.rank);
        lift(e);
        const k = memoKey(model.key(next));
        if (k === null || !cache.has(k)) {
          if (k !== null) {
            cacheBytes += k.length + cacheEntryOverheadBytes;
            if (cacheBytes > bytesMax)
              return { key, valid: 'unknown', opsChecked: n, statesVisited: visited, limit: 'cacheBytesMax' };
            cache.add(k);
          }
          top = { call: e, before: state, after: next, depth: (top?.depth ?? 0) + 1, parent: top };
          state = next;
          entry = head.next;
          continue;
        }
        unlift(e);
        flip(e.rank);
      }
      entry = e.next;
    } else {
      // A return whose call is not linearized: this prefix cannot be extended; undo the last choice.
      if (best === null || (top?.depth ?? 0) > (best.top?.depth ?? 0)) best = { top, blocked: e.op };
      if (top === null)
        return { key, valid: false, opsChecked: n, statesVisited: visited, witness: witness(ops, best, model) };
      unlift(top.call);
      flip(top.call.rank);
      state = top.before;
      entry = top.call.next;
      top = top.parent;
    }
  }
  return { key, valid: true, opsChecked: n, statesVisited: visited };
}

interface Frame<S> {
  readonly call: Entry;
  readonly before: S;
  readonly after: S;
  readonly depth: number;
  readonly parent: Frame<S> | null;
}

/** The deepest point the search reached: its prefix (top frame) and the op whose return blocked it. */
interface Best<S> {
  readonly top: Frame<S> | null;
  readonly blocked: number;
}

function witness<S, I>(ops: readonly LinearizableOp<I>[], best: Best<S>, model: RegisterModel<S, I>): KeyWitness {
  const linearized: number[] = [];
  for (let f = best.top; f !== null; f = f.parent) linearized.push(f.call.op);
  linearized.reverse();
  const state = best.top ? best.top.after : model.init();
  const lin = new Set(linearized);
  const blocked = ops[best.blocked]!;
  // Ops not linearized whose call came before the blocked op's return: the blocked op, then
  // completed ones by call time, then ones whose outcome is unknown.
  const pending = ops
    .filter((o, i) => i !== best.blocked && !lin.has(i) && o.call <= blocked.ret)
    .sort((a, b) => Number(a.ret === Infinity) - Number(b.ret === Infinity) || a.call - b.call);
  const stuck = [blocked, ...pending].slice(0, witnessPendingMax);
  const shown = stuck
    .slice(0, 4)
    .map((o) => `${model.describeInput(o.input)} [${o.call}, ${o.ret === Infinity ? '∞' : o.ret}]`);
  return {
    linearized: linearized.map((i) => ops[i]!.id),
    stuck: stuck.map((o) => o.id),
    state: model.describe(state),
    explanation:
      `after ${linearized.length} ops linearized (register ${model.describe(state)}), ` +
      `${model.describeInput(blocked.input)} [${blocked.call}, ${blocked.ret === Infinity ? '∞' : blocked.ret}] ms returned but no order of it and the ${pending.length} other pending ops fits the model; ` +
      `pending: ${shown.join('; ')}${stuck.length > shown.length || pending.length + 1 > stuck.length ? '; …' : ''}`,
  };
}

/** One register op of a history as a checker op, or null when it constrains nothing. */
function registerOp(f: string, p: ReturnType<typeof pairOps>[number]): { key: string; input: RegisterInput } | null {
  if (f !== 'read' && f !== 'write' && f !== 'cas') return null;
  if (p.type === 'fail') return null; // certainly did not happen
  const v = (p.type === 'ok' ? p.completion!.value : p.invoke.value) as Record<string, string | null | undefined>;
  const key = String(v['key']);
  if (f === 'read') return p.type === 'ok' ? { key, input: { f: 'read', value: v['value'] ?? null } } : null;
  if (f === 'write') return { key, input: { f: 'write', value: v['value'] ?? null } };
  return { key, input: { f: 'cas', from: v['from'] ?? null, to: v['to'] ?? null, known: p.type === 'ok' } };
}

/**
 * Splits a register history (f read/write/cas, value {key, ...}) by key and checks each key.
 * Completed reads carry the value read; `fail` ops and `info` reads are dropped. Witness and
 * op lists are history indexes. Valid is false if any key is, else unknown if any key is.
 */
export function checkLinearizable(
  history: readonly Op[],
  model: RegisterModel<string | null, RegisterInput>,
  options: LinearizableOptions = {},
): LinearizabilityResult {
  const byKey = new Map<string, LinearizableOp<RegisterInput>[]>();
  let id = 0;
  for (const p of pairOps(history)) {
    const r = registerOp(p.invoke.f, p);
    if (r === null) continue;
    let list = byKey.get(r.key);
    if (!list) byKey.set(r.key, (list = []));
    list.push({
      id: id++,
      call: p.invoke.time,
      ret: p.type === 'ok' ? p.completion!.time : Infinity,
      input: r.input,
      ops: p.completion ? [p.invoke.index, p.completion.index] : [p.invoke.index],
    });
  }
  const keys = [...byKey.keys()].sort().map((k) => {
    const list = byKey.get(k)!;
    const r = checkKey(k, list, model, options);
    if (!r.witness) return r;
    // Witness ids → history indexes.
    const ops = new Map(list.map((o) => [o.id, o.ops]));
    return {
      ...r,
      witness: {
        ...r.witness,
        linearized: r.witness.linearized.flatMap((i) => ops.get(i)!),
        stuck: r.witness.stuck.flatMap((i) => ops.get(i)!),
      },
    };
  });
  const valid = keys.every((k) => k.valid === true) ? true : keys.some((k) => k.valid === false) ? false : 'unknown';
  return { valid, keys };
}
