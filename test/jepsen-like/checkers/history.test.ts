// The history format the checkers read: invoke/completion pairing (nemesis ops skipped, an
// invoke without completion counted as info) and the JSONL round trip of HistoryWriter/readHistory.
// (Here rather than beside src's layout because history.ts exists for the checkers.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HistoryWriter, pairOps, readHistory, type Op } from '../../../jepsen-like/src/history.js';

const op = (index: number, process: number, type: Op['type'], f = 'send'): Op => ({
  index,
  time: index,
  process,
  type,
  f,
  value: null,
});

test('pairOps: each invoke with the next op of its process; nemesis ops skipped; no completion is info', () => {
  const h = [
    op(0, 0, 'invoke'),
    op(1, 1, 'invoke'),
    op(2, -1, 'info', 'start-fault'),
    op(3, 1, 'fail'),
    op(4, 0, 'ok'),
    op(5, 2, 'invoke'),
    op(6, 3, 'invoke'),
    op(7, 3, 'info'),
  ];
  const pairs = pairOps(h);
  assert.deepEqual(
    pairs.map((p) => [p.invoke.index, p.completion?.index ?? null, p.type]),
    [
      [0, 4, 'ok'],
      [1, 3, 'fail'],
      [5, null, 'info'],
      [6, 7, 'info'],
    ],
  );
});

test('pairOps: a second invoke on a process still open leaves the first as info; a stray completion is ignored', () => {
  const pairs = pairOps([op(0, 0, 'ok'), op(1, 0, 'invoke'), op(2, 0, 'invoke'), op(3, 0, 'ok')]);
  assert.deepEqual(
    pairs.map((p) => [p.invoke.index, p.completion?.index ?? null, p.type]),
    [
      [1, null, 'info'],
      [2, 3, 'ok'],
    ],
  );
});

test('HistoryWriter numbers ops and writes one JSON line each; readHistory reads them back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'raftka-history-'));
  try {
    const path = join(dir, 'history.jsonl');
    const w = new HistoryWriter(path, 0);
    const a = w.record({ process: 0, type: 'invoke', f: 'send', value: [['send', 1, 10]], time: 1.5 });
    const b = w.record({ process: 0, type: 'ok', f: 'send', value: [['send', 1, [0, 10]]], time: 2.5 });
    w.record({
      process: 1,
      type: 'ok',
      f: 'poll',
      value: [['poll', { 1: [[0, 10]] }]],
      rebalanceLog: [{ keys: [1], time: 3 }],
    });
    await w.close();
    assert.deepEqual([a.index, b.index], [0, 1]);
    assert.equal(readFileSync(path, 'utf8').trim().split('\n').length, 3);
    const back = await readHistory(path);
    assert.deepEqual(back.slice(0, 2), [a, b]);
    assert.equal(back[2]!.index, 2);
    assert.deepEqual(back[2]!.rebalanceLog, [{ keys: [1], time: 3 }]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
