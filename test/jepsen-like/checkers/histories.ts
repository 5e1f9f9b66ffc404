// Builders for hand-made histories in checker tests: each call appends an invoke and its
// completion (times increase by one per op unless given).
import type { Op, OpType } from '../../../jepsen-like/src/history.js';
import { SeededRandom } from '../../../src/testing/seeded-random.js';

export class HistoryBuilder {
  readonly ops: Op[] = [];
  private clock = 0;

  private push(process: number, type: OpType, f: string, value: unknown, extra: Partial<Op> = {}, time?: number): void {
    this.clock = time ?? this.clock + 1;
    this.ops.push({ index: this.ops.length, time: this.clock, process, type, f, value, ...extra });
  }

  /** A send of `value` to `key` completing as `type` (ok: at `offset`). */
  send(
    process: number,
    key: number,
    value: number,
    offset: number | null,
    type: Exclude<OpType, 'invoke'> = 'ok',
  ): this {
    this.push(process, 'invoke', 'send', [['send', key, value]]);
    this.push(
      process,
      type,
      'send',
      type === 'ok' ? [['send', key, [offset, value]]] : [['send', key, value]],
      type === 'ok' ? {} : { error: type === 'fail' ? 'NOT_ENOUGH_REPLICAS' : 'timeout' },
    );
    return this;
  }

  /** A poll that read `records` ({key: [[offset, value], ...]}). */
  poll(process: number, records: Record<string, [number, number][]>, extra: Partial<Op> = {}): this {
    this.push(process, 'invoke', 'poll', [['poll']]);
    this.push(process, 'ok', 'poll', [['poll', records]], extra);
    return this;
  }

  /**
   * A transaction of send and poll micro-ops completing as `type`. `sends` are [key, value,
   * offset] (offset reported only when ok); `polls` are what its polls read, {key: [[offset, value]]}.
   */
  txn(
    process: number,
    sends: readonly (readonly [number, number, number | null])[],
    polls: Record<string, [number, number][]> | null = null,
    type: Exclude<OpType, 'invoke'> = 'ok',
  ): this {
    const invoke = [...sends.map(([k, v]) => ['send', k, v]), ...(polls ? [['poll']] : [])];
    const done = [
      ...sends.map(([k, v, o]) => (type === 'ok' ? ['send', k, [o, v]] : ['send', k, v])),
      ...(polls ? [['poll', polls]] : []),
    ];
    this.push(process, 'invoke', 'txn', invoke);
    this.push(process, type, 'txn', type === 'fail' ? invoke : done, type === 'ok' ? {} : { error: type });
    return this;
  }

  assign(process: number, keys: number[]): this {
    this.push(process, 'invoke', 'assign', keys);
    this.push(process, 'ok', 'assign', keys);
    return this;
  }

  /** A register op: invoke at `call`, completion (type) at `ret` (omitted: no completion at all). */
  register(
    process: number,
    f: 'read' | 'write' | 'cas',
    invokeValue: Record<string, string | null>,
    call: number,
    ret: number | null,
    type: Exclude<OpType, 'invoke'> = 'ok',
    doneValue?: Record<string, string | null>,
  ): this {
    this.ops.push({ index: this.ops.length, time: call, process, type: 'invoke', f, value: invokeValue });
    if (ret !== null)
      this.ops.push({ index: this.ops.length, time: ret, process, type, f, value: doneValue ?? invokeValue });
    return this;
  }

  /** Ops sorted by time (register histories are built out of order), reindexed. */
  sorted(): Op[] {
    return [...this.ops].sort((a, b) => a.time - b.time || a.index - b.index).map((o, i) => ({ ...o, index: i }));
  }
}

/**
 * A register history from a real sequential execution: each op takes effect at a distinct
 * instant inside an interval around it, so intervals overlap but the effect order is a valid
 * linearization. Some writes end `info` (return lost), some at random stay without completion.
 */
export function generateRegisterHistory(seed: number, ops: number, processes: number, keys = 1, overlapMs = 5): Op[] {
  const rng = new SeededRandom(seed);
  const rnd = (): number => rng.next();
  const values = new Map<string, string | null>();
  const h = new HistoryBuilder();
  const busyUntil = new Array<number>(processes).fill(0);
  let now = 0;
  let lastEffect = -1;
  for (let i = 0; i < ops; i++) {
    now += 1 + rnd() * 2;
    const p = Math.floor(rnd() * processes);
    const call = Math.max(busyUntil[p]!, now - rnd() * overlapMs);
    // Effects in the order the values were computed: the sequential execution.
    const effect = Math.max(call, now, lastEffect + 0.01);
    lastEffect = effect;
    now = effect;
    const ret = effect + rnd() * (overlapMs + 1);
    busyUntil[p] = ret + 0.01;
    const key = `k${Math.floor(rnd() * keys)}`;
    const cur = values.get(key) ?? null;
    const r = rnd();
    if (r < 0.45) h.register(p + processes * i, 'read', { key, value: null }, call, ret, 'ok', { key, value: cur });
    else if (r < 0.9) {
      const v = String(i);
      values.set(key, v);
      h.register(p + processes * i, 'write', { key, value: v }, call, ret, rnd() < 0.05 ? 'info' : 'ok');
    } else {
      const from = rnd() < 0.7 ? cur : 'nope';
      if (from === cur) {
        values.set(key, `c${i}`);
        h.register(p + processes * i, 'cas', { key, from, to: `c${i}` }, call, ret);
      } else h.register(p + processes * i, 'cas', { key, from, to: `c${i}` }, call, ret, 'fail');
    }
  }
  return h.sorted();
}

/**
 * A valid queue history from a simulated log per key: `processes` clients send unique values
 * (acknowledged at the offset they landed at) and poll (assign mode) from their own positions,
 * up to `pollRecordsMax` records at a time; a few sends end `info` (half of them landed, half
 * not); then one fresh process reads every key's whole log (the
 * highest process number: pass it as `finalProcess`). Every anomaly count is zero.
 */
export function generateQueueHistory(
  seed: number,
  ops: number,
  processes: number,
  keys: number,
  pollRecordsMax = 20,
): Op[] {
  const rng = new SeededRandom(seed);
  const out: Op[] = [];
  const logs: number[][] = Array.from({ length: keys }, () => []);
  const positions = Array.from({ length: processes }, () => new Array<number>(keys).fill(0));
  const procOf = Array.from({ length: processes }, (_, i) => i); // an info send retires the process
  let nextProcess = processes;
  let t = 0;
  let value = 0;
  const push = (op: Omit<Op, 'index' | 'time'>): void => {
    out.push({ ...op, index: out.length, time: (t += 0.05) });
  };
  while (out.length < ops) {
    const slot = rng.nextInt(processes);
    const p = procOf[slot]!;
    const key = rng.nextInt(keys);
    if (rng.chance(0.6)) {
      const v = value++;
      push({ process: p, type: 'invoke', f: 'send', value: [['send', key, v]] });
      if (rng.chance(0.01)) {
        if (rng.chance(0.5)) logs[key]!.push(v);
        push({ process: p, type: 'info', f: 'send', value: [['send', key, v]], error: 'timeout' });
        procOf[slot] = nextProcess++;
        positions[slot]!.fill(0);
        // The fresh process starts from the beginning of every key: with assign, it must say so.
        push({
          process: procOf[slot]!,
          type: 'invoke',
          f: 'assign',
          value: [...Array(keys).keys()],
          seekToBeginning: true,
        });
        push({
          process: procOf[slot]!,
          type: 'ok',
          f: 'assign',
          value: [...Array(keys).keys()],
          seekToBeginning: true,
        });
        continue;
      }
      logs[key]!.push(v);
      push({ process: p, type: 'ok', f: 'send', value: [['send', key, [logs[key]!.length - 1, v]]] });
    } else {
      const from = positions[slot]![key]!;
      const records = logs[key]!.slice(from, from + 1 + rng.nextInt(pollRecordsMax)).map((v, i) => [from + i, v]);
      positions[slot]![key] = from + records.length;
      push({ process: p, type: 'invoke', f: 'poll', value: [['poll']] });
      push({ process: p, type: 'ok', f: 'poll', value: [['poll', { [key]: records }]] });
    }
  }
  // The final read: one fresh process (the last one) reads every key's whole log in one poll.
  const final = nextProcess;
  push({ process: final, type: 'invoke', f: 'poll', value: [['poll']] });
  push({
    process: final,
    type: 'ok',
    f: 'poll',
    value: [['poll', Object.fromEntries(logs.map((log, key) => [key, log.map((v, i) => [i, v])]))]],
  });
  return out;
}

/**
 * A valid transactional history: transactions of 1–4 micro-ops (sends to random keys, polls of
 * every key from the process's own positions) run one after another, each committing its sends
 * at the end of the log, some aborting (their records never visible), some ending `info`
 * after committing. Offsets are the log's; values are unique per key.
 */
export function generateTxnHistory(seed: number, txns: number, processes: number, keys: number): Op[] {
  const rng = new SeededRandom(seed);
  const logs: number[][] = Array.from({ length: keys }, () => []);
  const positions = Array.from({ length: processes }, () => new Array<number>(keys).fill(0));
  let nextValue = 0;
  const h = new HistoryBuilder();
  for (let i = 0; i < txns; i++) {
    const p = Math.floor(rng.next() * processes);
    const mops = 1 + Math.floor(rng.next() * 4);
    const sends: [number, number, number | null][] = [];
    let polls: Record<string, [number, number][]> | null = null;
    for (let m = 0; m < mops; m++) {
      if (rng.next() < 0.6) sends.push([Math.floor(rng.next() * keys), nextValue++, null]);
      else {
        polls ??= {};
        for (let k = 0; k < keys; k++) {
          const from = positions[p]![k]!;
          const read = logs[k]!.slice(from).map((v, j): [number, number] => [from + j, v]);
          if (read.length === 0) continue;
          polls[String(k)] = [...(polls[String(k)] ?? []), ...read];
          positions[p]![k] = from + read.length;
        }
      }
    }
    const roll = rng.next();
    const type = roll < 0.05 ? 'fail' : roll < 0.08 ? 'info' : 'ok';
    if (type !== 'fail')
      for (const s of sends) {
        s[2] = logs[s[0]]!.length;
        logs[s[0]]!.push(s[1]);
      }
    h.txn(p, sends, polls, type);
  }
  return h.ops;
}
