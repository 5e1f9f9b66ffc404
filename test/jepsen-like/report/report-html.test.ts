// report.html's pure parts: nemesis ops paired into fault windows (an unhealed fault runs to the
// end of the history), and the page itself (verdict, shaded windows, each anomaly's witness ops,
// no scripts, text escaped).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Op } from '../../../jepsen-like/src/history.js';
import { faultWindows, renderReport, type CheckSummary } from '../../../jepsen-like/src/report/report-html.js';

const history: Op[] = [
  { index: 0, time: 0, process: 0, type: 'invoke', f: 'send', value: [['send', 0, 0]] },
  { index: 1, time: 5, process: 0, type: 'ok', f: 'send', value: [['send', 0, [0, 0]]] },
  {
    index: 2,
    time: 1000,
    process: -1,
    type: 'info',
    f: 'start-fault',
    value: { kind: 'kill', targets: [2], detail: 'kill -9 <node 2>' },
  },
  { index: 3, time: 1200, process: 1, type: 'invoke', f: 'send', value: [['send', 1, 0]] },
  { index: 4, time: 2200, process: 1, type: 'info', f: 'send', value: [['send', 1, 0]], error: 'timeout' },
  {
    index: 5,
    time: 3000,
    process: -1,
    type: 'info',
    f: 'stop-fault',
    value: { kind: 'kill', targets: [2], detail: 'restart' },
  },
  {
    index: 6,
    time: 3500,
    process: -1,
    type: 'info',
    f: 'start-fault',
    value: { kind: 'partition', targets: [1], detail: '1 | 2 3' },
  },
  { index: 7, time: 4000, process: 2, type: 'invoke', f: 'poll', value: [['poll']] },
  { index: 8, time: 4100, process: 2, type: 'ok', f: 'poll', value: [['poll', { '0': [[0, 0]] }]] },
];

test('faultWindows pairs start and stop per kind and targets; an open fault ends with the history', () => {
  // A stop whose detail differs (what happened meanwhile: a restart, a kill inside a write) adds it.
  assert.deepEqual(faultWindows(history), [
    { kind: 'kill', detail: 'kill -9 <node 2> → restart', start: 1000, end: 3000 },
    { kind: 'partition', detail: '1 | 2 3', start: 3500, end: 4100 },
  ]);
});

test('renderReport: verdict, shaded fault windows, witness ops by index, escaped, no scripts', () => {
  const results: CheckSummary = {
    valid: false,
    counts: { 'lost-write': 1, 'poll-skip': 0 },
    examples: { 'lost-write': [{ key: 1, explanation: 'value 0 acknowledged <never read>', ops: [3, 4] }] },
    allowed: [],
    stats: { okSends: 1 },
  };
  const html = renderReport('queue seed 1', history, results, { command: 'raftka jepsen run --seed 1' });
  assert.match(html, /INVALID/);
  assert.equal((html.match(/<svg /g) ?? []).length, 2, 'throughput and latency charts');
  assert.equal((html.match(/<rect /g) ?? []).length, 4, 'two windows shaded on each chart');
  assert.match(html, /lost-write: 1/);
  assert.match(html, /&lt;never read&gt;/);
  assert.ok(
    html.includes(JSON.stringify(history[4]).replace(/</g, '&lt;').replace(/>/g, '&gt;')),
    'the witness op is shown',
  );
  assert.ok(!html.includes('<script'), 'self-contained, no scripts');
  assert.match(html, /raftka jepsen run --seed 1/);

  const ok = renderReport('queue', history, { valid: true, counts: {}, examples: {}, allowed: [], stats: {} }, {});
  assert.match(ok, /class="valid">valid</);
  assert.match(ok, /<p>none<\/p>/);
});
