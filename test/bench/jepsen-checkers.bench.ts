// Checker speed (issue 8): the queue checker on a valid 100,000-op history (5 processes,
// 10 keys, sends and assign-mode polls), and the linearizability checker on register histories
// of 10,000 ops per key (5 concurrent processes, 4 keys). Targets: queue < 60 s, linearizability
// "seconds" per key. `npm run bench -- jepsen-checkers`.
import { checkQueue } from '../../jepsen-like/src/checkers/queue.js';
import { checkLinearizable } from '../../jepsen-like/src/checkers/linearizable.js';
import { registerModel } from '../../jepsen-like/src/checkers/register-model.js';
import type { Op } from '../../jepsen-like/src/history.js';
import { generateRegisterHistory } from '../jepsen-like/checkers/histories.js';

function queueHistory(ops: number, processes: number, keys: number): Op[] {
  const out: Op[] = [];
  const logs: number[][] = Array.from({ length: keys }, () => []);
  const positions = Array.from({ length: processes }, () => new Array<number>(keys).fill(0));
  let t = 0;
  let value = 0;
  const push = (op: Omit<Op, 'index' | 'time'>): void => {
    out.push({ ...op, index: out.length, time: (t += 0.05) });
  };
  while (out.length < ops) {
    const p = out.length % processes;
    const key = (out.length >> 3) % keys;
    if ((out.length >> 1) % 3 !== 2) {
      const v = value++;
      push({ process: p, type: 'invoke', f: 'send', value: [['send', key, v]] });
      logs[key]!.push(v);
      push({ process: p, type: 'ok', f: 'send', value: [['send', key, [logs[key]!.length - 1, v]]] });
    } else {
      const from = positions[p]![key]!;
      const records = logs[key]!.slice(from, from + 20).map((v, i) => [from + i, v]);
      positions[p]![key] = from + records.length;
      push({ process: p, type: 'invoke', f: 'poll', value: [['poll']] });
      push({ process: p, type: 'ok', f: 'poll', value: [['poll', { [key]: records }]] });
    }
  }
  // Final reads: one fresh process reads every key from the start.
  for (let key = 0; key < keys; key++) {
    push({ process: processes + key, type: 'invoke', f: 'poll', value: [['poll']] });
    push({ process: processes + key, type: 'ok', f: 'poll', value: [['poll', { [key]: logs[key]!.map((v, i) => [i, v]) }]] });
  }
  return out;
}

const q = queueHistory(100_000, 5, 10);
let started = performance.now();
const qr = checkQueue(q, { subscribe: false });
console.log(`queue checker: ${q.length} ops in ${(performance.now() - started).toFixed(0)} ms, valid ${qr.valid}, ${qr.stats.okSends} sends, ${qr.stats.recordsPolled} records polled (target < 60 s)`);

const keys = 4;
const perKey = 10_000;
const r = generateRegisterHistory(7, perKey * keys, 5, keys, 20);
started = performance.now();
const lr = checkLinearizable(r, registerModel);
const ms = performance.now() - started;
console.log(`linearizability checker: ${r.length} history entries, ${lr.keys.map((k) => `${k.key} ${k.opsChecked} ops ${k.statesVisited} states`).join(', ')}; ${ms.toFixed(0)} ms total, ${(ms / keys).toFixed(0)} ms per key, valid ${lr.valid}`);
if (!qr.valid || lr.valid !== true) process.exit(1);
