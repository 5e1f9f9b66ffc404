// The queue checker: Jepsen's Kafka queue analysis (jepsen.md §1.4) for histories without
// transactions. Per key (a topic-partition) the log's version order comes from offsets — of
// `ok` sends and of every poll, failed or not (a read shows what was there either way).
// A send counts as committed when it is `ok`, or `info` and some poll saw its value.
// Called by the runner on queue-workload histories; pure, linear in the history (plus sorting).
//
// Anomalies (each with the ops that show it):
// - inconsistent-offsets: one key and offset with two different values;
// - duplicate: one value at two offsets of a key;
// - lost-write: a committed send at or below the highest offset some poll read on its key, that
//   no poll ever saw; and, when the history ends with a complete final read (a fresh process
//   reading every key from offset 0 to its high watermark, `finalProcess`), a committed send
//   missing from that final read even though an earlier poll saw it (it was there, then gone:
//   the truncation after an unclean leader election);
// - unseen: an `ok` send no poll saw, above every offset read (at the end of the run);
// - aborted-read: a poll saw a value whose send definitely failed;
// - nonmonotonic-send: a process's later send to a key landed at or before its earlier one;
// - nonmonotonic-poll: a process's next poll of a key starts at or before where its last ended;
// - poll-skip: a process's next poll of a key skips offsets known to hold values;
// - int-nonmonotonic-poll / int-poll-skip: the same inside one op's records. Jepsen compares the
//   poll micro-ops of one transaction; our ops carry a single poll micro-op, so here these compare
//   consecutive records of that one poll (a fetch that went backwards or jumped a known record).
// Not checked: precommitted-read, int-send-skip, int-nonmonotonic-send and Elle's cycles — they
// need transactions, which raftka does not have. aborted-read is Jepsen's G1a.
// Under subscribe, nonmonotonic-poll and poll-skip are allowed (a rebalance moves positions);
// with assign they are not. A process's position on a key is forgotten at its assign/subscribe
// ops and at rebalances its ops logged.
import { Findings } from './findings.js';
import { pairOps, type Op, type PairedOp } from '../history.js';

export const queueAnomalies = [
  'inconsistent-offsets',
  'duplicate',
  'lost-write',
  'unseen',
  'aborted-read',
  'nonmonotonic-send',
  'nonmonotonic-poll',
  'poll-skip',
  'int-nonmonotonic-poll',
  'int-poll-skip',
] as const;
export type QueueAnomaly = (typeof queueAnomalies)[number];

interface QueueExample {
  readonly key: number;
  readonly explanation: string;
  /** History indexes of the ops involved (invokes and completions). */
  readonly ops: readonly number[];
}

interface QueueCheckOptions {
  /** Consumers used subscribe (group rebalances): nonmonotonic-poll and poll-skip are allowed. */
  readonly subscribe: boolean;
  /** The process whose polls read every key completely at the end of the run, if any. */
  readonly finalProcess?: number;
}

interface QueueStats {
  readonly sends: number;
  readonly okSends: number;
  readonly infoSends: number;
  readonly failSends: number;
  readonly polls: number;
  readonly okPolls: number;
  readonly recordsPolled: number;
  readonly distinctValuesPolled: number;
  readonly keys: number;
}

export interface QueueResult {
  readonly valid: boolean;
  readonly counts: Readonly<Record<QueueAnomaly, number>>;
  readonly examples: Readonly<Partial<Record<QueueAnomaly, readonly QueueExample[]>>>;
  /** Anomaly classes found that the options allow (they do not make the run invalid). */
  readonly allowed: readonly QueueAnomaly[];
  readonly stats: QueueStats;
}

type Pair = readonly [number, number];

interface SendInfo {
  readonly pair: PairedOp;
  readonly key: number;
  readonly value: number;
  readonly offset: number | null;
}

/** Value per key as a compact map key. */
const kv = (key: number, value: number): string => `${key}:${value}`;

function opsOf(p: PairedOp): number[] {
  return p.completion ? [p.invoke.index, p.completion.index] : [p.invoke.index];
}

function sendsOf(p: PairedOp): SendInfo[] {
  const out: SendInfo[] = [];
  const done = p.completion && p.type === 'ok' ? (p.completion.value as readonly unknown[]) : null;
  const mops = p.invoke.value as readonly unknown[];
  mops.forEach((m, i) => {
    const mop = m as readonly unknown[];
    if (mop[0] !== 'send') return;
    const key = mop[1] as number;
    const value = mop[2] as number;
    let offset: number | null = null;
    const d = done?.[i] as readonly unknown[] | undefined;
    if (d && d[0] === 'send') offset = (d[2] as readonly [number | null, number])[0];
    out.push({ pair: p, key, value, offset });
  });
  return out;
}

/** Per key, the records a completed poll carries (failed and info polls included when they carry any). */
function pollsOf(p: PairedOp): Map<number, Pair[]> {
  const out = new Map<number, Pair[]>();
  const done = p.completion?.value;
  if (!Array.isArray(done)) return out;
  for (const m of done as readonly unknown[]) {
    const mop = m as readonly unknown[];
    if (mop[0] !== 'poll' || typeof mop[1] !== 'object' || mop[1] === null) continue;
    for (const [k, records] of Object.entries(mop[1] as Record<string, readonly Pair[]>)) {
      out.set(Number(k), [...(out.get(Number(k)) ?? []), ...records]);
    }
  }
  return out;
}

/** What the history shows: every send, and per key, offset and value the ops that put it there. */
interface Observed {
  readonly sends: SendInfo[];
  /** key → offset → value → the ops that put it there (sends and polls). */
  readonly byOffset: Map<number, Map<number, Map<number, number[]>>>;
  /** key:value → poll ops that saw it. */
  readonly polled: Map<string, number[]>;
  readonly highestRead: Map<number, number>;
  readonly polls: number;
  readonly okPolls: number;
  readonly recordsPolled: number;
}

function observe(pairs: readonly PairedOp[]): Observed {
  const sends: SendInfo[] = [];
  // key → offset → value → the ops that put it there (sends and polls)
  const byOffset = new Map<number, Map<number, Map<number, number[]>>>();
  const note = (key: number, offset: number, value: number, ops: readonly number[]): void => {
    let offsets = byOffset.get(key);
    if (!offsets) byOffset.set(key, (offsets = new Map()));
    let values = offsets.get(offset);
    if (!values) offsets.set(offset, (values = new Map()));
    const list = values.get(value);
    if (list) {
      if (list.length < 4) list.push(...ops);
    } else values.set(value, [...ops]);
  };
  const polled = new Map<string, number[]>(); // key:value → poll ops that saw it
  const highestRead = new Map<number, number>();
  let polls = 0;
  let okPolls = 0;
  let recordsPolled = 0;

  for (const p of pairs) {
    if (p.invoke.f === 'send') {
      for (const s of sendsOf(p)) {
        sends.push(s);
        if (s.offset !== null) note(s.key, s.offset, s.value, opsOf(p));
      }
    } else if (p.invoke.f === 'poll') {
      polls++;
      if (p.type === 'ok') okPolls++;
      for (const [key, records] of pollsOf(p)) {
        for (const [offset, value] of records) {
          recordsPolled++;
          note(key, offset, value, opsOf(p));
          const id = kv(key, value);
          const seenBy = polled.get(id);
          if (!seenBy) polled.set(id, opsOf(p));
          highestRead.set(key, Math.max(highestRead.get(key) ?? -1, offset));
        }
      }
    }
  }

  return { sends, byOffset, polled, highestRead, polls, okPolls, recordsPolled };
}

/** inconsistent-offsets and duplicate, from the version order; returns per key the sorted offsets known to hold values. */
function checkVersionOrder(
  byOffset: Observed['byOffset'],
  found: Findings<QueueAnomaly, QueueExample>,
): Map<number, number[]> {
  const offsetsOfValue = new Map<string, Map<number, number[]>>();
  const knownOffsets = new Map<number, number[]>(); // key → sorted offsets known to hold values
  for (const [key, offsets] of byOffset) {
    knownOffsets.set(
      key,
      [...offsets.keys()].sort((a, b) => a - b),
    );
    for (const [offset, values] of offsets) {
      if (values.size > 1) {
        found.add('inconsistent-offsets', {
          key,
          explanation: `offset ${offset} holds values ${[...values.keys()].join(', ')}`,
          ops: [...values.values()].flat(),
        });
      }
      for (const [value, ops] of values) {
        const id = kv(key, value);
        let m = offsetsOfValue.get(id);
        if (!m) offsetsOfValue.set(id, (m = new Map()));
        m.set(offset, ops);
      }
    }
  }
  for (const [id, offsets] of offsetsOfValue) {
    if (offsets.size > 1) {
      const [key, value] = id.split(':').map(Number) as [number, number];
      found.add('duplicate', {
        key,
        explanation: `value ${value} at offsets ${[...offsets.keys()].sort((a, b) => a - b).join(', ')}`,
        ops: [...offsets.values()].flat(),
      });
    }
  }

  return knownOffsets;
}

/** lost-write, unseen, aborted-read; returns the sends counted by outcome. */
function checkWrites(
  pairs: readonly PairedOp[],
  seen: Observed,
  options: QueueCheckOptions,
  found: Findings<QueueAnomaly, QueueExample>,
): { okSends: number; infoSends: number; failSends: number } {
  const { sends, polled, highestRead } = seen;
  const failedSends = new Map<string, SendInfo>();
  let okSends = 0;
  let infoSends = 0;
  let failSends = 0;
  for (const s of sends) {
    const id = kv(s.key, s.value);
    if (s.pair.type === 'ok') okSends++;
    else if (s.pair.type === 'info') infoSends++;
    else failSends++;
    if (s.pair.type === 'fail') {
      failedSends.set(id, s);
      continue;
    }
    if (polled.has(id)) continue;
    if (s.pair.type !== 'ok') continue; // an info send nobody saw may never have happened
    const top = highestRead.get(s.key) ?? -1;
    if (s.offset !== null && s.offset <= top) {
      found.add('lost-write', {
        key: s.key,
        explanation: `value ${s.value}, acknowledged at offset ${s.offset}, never read though reads reached offset ${top}`,
        ops: opsOf(s.pair),
      });
    } else {
      found.add('unseen', {
        key: s.key,
        explanation: `value ${s.value}, acknowledged${s.offset === null ? '' : ` at offset ${s.offset}`}, never read (reads reached offset ${top})`,
        ops: opsOf(s.pair),
      });
    }
  }
  if (options.finalProcess !== undefined) {
    // What the final read found per key; a committed value missing from it was lost later.
    const finalValues = new Map<number, Set<number>>();
    for (const p of pairs) {
      if (p.invoke.process !== options.finalProcess || p.invoke.f !== 'poll') continue;
      for (const [key, records] of pollsOf(p)) {
        let set = finalValues.get(key);
        if (!set) finalValues.set(key, (set = new Set()));
        for (const [, value] of records) set.add(value);
      }
    }
    for (const s of sends) {
      const id = kv(s.key, s.value);
      const seenBy = polled.get(id);
      if (!seenBy || s.pair.type === 'fail' || finalValues.get(s.key)?.has(s.value) !== false) continue;
      found.add('lost-write', {
        key: s.key,
        explanation: `value ${s.value}, ${s.pair.type === 'ok' ? `acknowledged at offset ${s.offset}` : 'sent (outcome unknown)'} and read by an earlier poll, is missing from the final read of key ${s.key}`,
        ops: [...opsOf(s.pair), ...seenBy],
      });
    }
  }
  for (const [id, s] of failedSends) {
    const seenBy = polled.get(id);
    if (seenBy)
      found.add('aborted-read', {
        key: s.key,
        explanation: `value ${s.value} was read, but its send failed (${s.pair.completion?.error ?? 'fail'})`,
        ops: [...opsOf(s.pair), ...seenBy],
      });
  }

  return { okSends, infoSends, failSends };
}

/** Per process: monotonic sends and polls (and no skipped known records). */
function checkMonotonic(
  pairs: readonly PairedOp[],
  knownOffsets: ReadonlyMap<number, number[]>,
  found: Findings<QueueAnomaly, QueueExample>,
): void {
  const indexOf = (key: number, offset: number): number => {
    const list = knownOffsets.get(key) ?? [];
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = list[mid]!;
      if (v === offset) return mid;
      if (v < offset) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  };
  const lastSend = new Map<string, { offset: number; pair: PairedOp }>(); // process:key
  const lastPoll = new Map<string, { offset: number; pair: PairedOp }>(); // process:key
  for (const p of pairs) {
    const proc = p.invoke.process;
    if (p.invoke.f === 'assign' || p.invoke.f === 'subscribe' || p.invoke.f === 'crash') {
      for (const k of [...lastPoll.keys()]) if (k.startsWith(`${proc}:`)) lastPoll.delete(k);
      continue;
    }
    for (const r of [...(p.invoke.rebalanceLog ?? []), ...(p.completion?.rebalanceLog ?? [])]) {
      for (const key of r.keys) lastPoll.delete(`${proc}:${key}`);
    }
    if (p.invoke.f === 'send' && p.type === 'ok') {
      for (const s of sendsOf(p)) {
        if (s.offset === null) continue;
        const id = `${proc}:${s.key}`;
        const prev = lastSend.get(id);
        if (prev && s.offset <= prev.offset) {
          found.add('nonmonotonic-send', {
            key: s.key,
            explanation: `process ${proc} sent to offset ${s.offset} after offset ${prev.offset}`,
            ops: [...opsOf(prev.pair), ...opsOf(p)],
          });
        }
        lastSend.set(id, { offset: s.offset, pair: p });
      }
    } else if (p.invoke.f === 'poll') {
      for (const [key, records] of pollsOf(p)) {
        if (records.length === 0) continue;
        const id = `${proc}:${key}`;
        const prev = lastPoll.get(id);
        const first = records[0]![0];
        if (prev) {
          if (first <= prev.offset) {
            found.add('nonmonotonic-poll', {
              key,
              explanation: `process ${proc} polled from offset ${first} after reaching ${prev.offset}`,
              ops: [...opsOf(prev.pair), ...opsOf(p)],
            });
          } else if (indexOf(key, first) > indexOf(key, prev.offset) + 1) {
            found.add('poll-skip', {
              key,
              explanation: `process ${proc} polled from offset ${first} after ${prev.offset}, skipping ${indexOf(key, first) - indexOf(key, prev.offset) - 1} known records`,
              ops: [...opsOf(prev.pair), ...opsOf(p)],
            });
          }
        }
        for (let i = 1; i < records.length; i++) {
          const a = records[i - 1]![0];
          const b = records[i]![0];
          if (b <= a)
            found.add('int-nonmonotonic-poll', {
              key,
              explanation: `one poll read offset ${b} after ${a}`,
              ops: opsOf(p),
            });
          else if (indexOf(key, b) > indexOf(key, a) + 1)
            found.add('int-poll-skip', {
              key,
              explanation: `one poll read offset ${b} right after ${a}, skipping ${indexOf(key, b) - indexOf(key, a) - 1} known records`,
              ops: opsOf(p),
            });
        }
        lastPoll.set(id, { offset: records[records.length - 1]![0], pair: p });
      }
    }
  }
}

export function checkQueue(history: readonly Op[], options: QueueCheckOptions): QueueResult {
  const pairs = pairOps(history);
  const found = new Findings<QueueAnomaly, QueueExample>(queueAnomalies);
  const seen = observe(pairs);
  const { sends, byOffset, polled, polls, okPolls, recordsPolled } = seen;
  const knownOffsets = checkVersionOrder(byOffset, found);
  const { okSends, infoSends, failSends } = checkWrites(pairs, seen, options, found);
  checkMonotonic(pairs, knownOffsets, found);

  const allowedKinds: ReadonlySet<QueueAnomaly> = new Set<QueueAnomaly>(
    options.subscribe ? ['nonmonotonic-poll', 'poll-skip'] : [],
  );
  const present = queueAnomalies.filter((a) => found.counts[a] > 0);
  return {
    valid: present.every((a) => allowedKinds.has(a)),
    counts: found.counts,
    examples: found.examples,
    allowed: present.filter((a) => allowedKinds.has(a)),
    stats: {
      sends: sends.length,
      okSends,
      infoSends,
      failSends,
      polls,
      okPolls,
      recordsPolled,
      distinctValuesPolled: polled.size,
      keys: byOffset.size,
    },
  };
}
