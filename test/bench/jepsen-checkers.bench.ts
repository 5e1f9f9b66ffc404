// Checker speed (issue 8): the queue checker on a valid 100,000-op history (5 processes,
// 10 keys, sends and assign-mode polls, a complete final read), and the linearizability checker
// on register histories of 10,000 ops per key (5 concurrent processes, 4 keys), and the
// transactional (Elle-style) checker on a valid history of 100,000 transactions (5 processes,
// 8 keys). Targets: queue well under 60 s, linearizability "seconds" per key, transactions
// under 60 s. `npm run bench -- jepsen-checkers`.
import { checkQueue } from '../../jepsen-like/src/checkers/queue.js';
import { checkLinearizable } from '../../jepsen-like/src/checkers/linearizable.js';
import { checkTxn } from '../../jepsen-like/src/checkers/txn.js';
import { registerModel } from '../../jepsen-like/src/checkers/register-model.js';
import {
  generateQueueHistory,
  generateRegisterHistory,
  generateTxnHistory,
  HistoryBuilder,
} from '../jepsen-like/checkers/histories.js';

const figure = (name: string, ops: number, ms: number, extra: string): void => {
  console.log(`${name}: ${ops} ops in ${ms.toFixed(0)} ms, ${Math.round((ops / ms) * 1000)} ops/s; ${extra}`);
};

const q = generateQueueHistory(1, 100_000, 5, 10);
const finalProcess = q[q.length - 1]!.process;
let started = performance.now();
const qr = checkQueue(q, { subscribe: false, finalProcess });
figure(
  'queue checker',
  q.length,
  performance.now() - started,
  `valid ${qr.valid}, ${qr.stats.okSends} ok sends, ${qr.stats.infoSends} info sends, ${qr.stats.recordsPolled} records polled (target < 60 s)`,
);

const keys = 4;
const perKey = 10_000;
// About 3% of generated ops are failed cas, which the checker drops: generate a little more.
const r = generateRegisterHistory(7, Math.ceil(perKey * keys * 1.035), 5, keys, 20);
started = performance.now();
const lr = checkLinearizable(r, registerModel);
const ms = performance.now() - started;
const opsChecked = lr.keys.reduce((n, k) => n + k.opsChecked, 0);
figure(
  'linearizability checker',
  opsChecked,
  ms,
  `${keys} keys, ${(ms / keys).toFixed(0)} ms per key, valid ${lr.valid}, ops per key ${lr.keys.map((k) => k.opsChecked).join(' ')}, states per key ${lr.keys.map((k) => k.statesVisited).join(' ')}`,
);

// The bound: 30 concurrent writes of unknown outcome before an impossible read make every subset
// a distinct state; the search must stop at statesVisitedMax and answer unknown.
const patho = new HistoryBuilder();
for (let p = 0; p < 30; p++) patho.register(p, 'write', { key: 'a', value: String(p) }, 0, null);
patho.register(99, 'read', { key: 'a', value: null }, 1, 2, 'ok', { key: 'a', value: 'zzz' });
started = performance.now();
const pr = checkLinearizable(patho.sorted(), registerModel);
console.log(
  `linearizability bound: ${pr.keys[0]!.statesVisited} states in ${(performance.now() - started).toFixed(0)} ms, valid ${pr.valid} (${pr.keys[0]!.limit}), heap ${Math.round(process.memoryUsage().heapUsed / 1e6)} MB`,
);
const txns = generateTxnHistory(5, 100_000, 5, 8);
started = performance.now();
const tr = checkTxn(txns);
figure(
  'transactional checker',
  tr.stats.txns,
  performance.now() - started,
  `valid ${tr.valid}, ${tr.stats.committed} committed, ${tr.stats.aborted} aborted, ${tr.stats.writes} writes, ${tr.stats.recordsPolled} records polled, heap ${Math.round(process.memoryUsage().heapUsed / 1e6)} MB (target < 60 s)`,
);

if (!qr.valid || lr.valid !== true || pr.valid !== 'unknown' || !tr.valid) process.exit(1);
