// The linearizability checker (WGL with memoisation, per key) on hand-made register histories
// that must pass or fail, and a seeded property: histories generated from a real sequential
// execution with overlapping intervals always pass; one impossible read makes them fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLinearizable } from '../../../jepsen-like/src/checkers/linearizable.js';
import type { Op } from '../../../jepsen-like/src/history.js';
import { registerModel } from '../../../jepsen-like/src/checkers/register-model.js';
import { generateRegisterHistory, HistoryBuilder } from './histories.js';

const check = (h: HistoryBuilder) => checkLinearizable(h.sorted(), registerModel);

test('sequential write then read of the same value passes; a stale read after a completed write fails', () => {
  const ok = new HistoryBuilder()
    .register(0, 'write', { key: 'a', value: '1' }, 0, 1)
    .register(1, 'read', { key: 'a', value: null }, 2, 3, 'ok', { key: 'a', value: '1' });
  assert.deepEqual(check(ok), { valid: true, keys: [{ key: 'a', valid: true, opsChecked: 2, statesVisited: 2 }] });
  const stale = new HistoryBuilder()
    .register(0, 'write', { key: 'a', value: '1' }, 0, 1)
    .register(0, 'write', { key: 'a', value: '2' }, 2, 3)
    .register(1, 'read', { key: 'a', value: null }, 4, 5, 'ok', { key: 'a', value: '1' });
  const r = check(stale);
  assert.equal(r.valid, false);
  const w = r.keys[0]!.witness!;
  assert.deepEqual(w.linearized, [0, 1, 2, 3], 'both writes (history indexes) form the longest prefix');
  assert.deepEqual(w.stuck, [4, 5], 'the read is the op that could not be placed');
  assert.equal(w.state, '"2"');
  assert.match(w.explanation, /after 2 ops linearized \(register "2"\), read "1" \[4, 5\]/);
});

test('lost write: a read after a completed write sees the register absent', () => {
  const h = new HistoryBuilder()
    .register(0, 'write', { key: 'a', value: '1' }, 0, 1)
    .register(1, 'read', { key: 'a', value: null }, 2, 3, 'ok', { key: 'a', value: null });
  assert.equal(check(h).valid, false);
});

test('intervals are closed: ops touching at one instant are concurrent', () => {
  const touching = new HistoryBuilder()
    .register(0, 'write', { key: 'a', value: '1' }, 0, 2)
    .register(1, 'read', { key: 'a', value: null }, 2, 3, 'ok', { key: 'a', value: null });
  assert.equal(check(touching).valid, true, 'the read may come first');
  const apart = new HistoryBuilder()
    .register(0, 'write', { key: 'a', value: '1' }, 0, 2)
    .register(1, 'read', { key: 'a', value: null }, 2.001, 3, 'ok', { key: 'a', value: null });
  assert.equal(check(apart).valid, false);
});

test('a read of a value nobody wrote fails; reading absent before any write passes', () => {
  assert.equal(
    check(new HistoryBuilder().register(0, 'read', { key: 'a', value: null }, 0, 1, 'ok', { key: 'a', value: 'x' }))
      .valid,
    false,
  );
  assert.equal(
    check(new HistoryBuilder().register(0, 'read', { key: 'a', value: null }, 0, 1, 'ok', { key: 'a', value: null }))
      .valid,
    true,
  );
});

test('concurrent writes may take effect in either order', () => {
  for (const seen of ['1', '2']) {
    const h = new HistoryBuilder()
      .register(0, 'write', { key: 'a', value: '1' }, 0, 10)
      .register(1, 'write', { key: 'a', value: '2' }, 1, 9)
      .register(2, 'read', { key: 'a', value: null }, 11, 12, 'ok', { key: 'a', value: seen });
    assert.equal(check(h).valid, true, seen);
  }
  // ...but once a read saw 2 and then 1, with both writes complete before, it is not.
  const h = new HistoryBuilder()
    .register(0, 'write', { key: 'a', value: '1' }, 0, 10)
    .register(1, 'write', { key: 'a', value: '2' }, 1, 9)
    .register(2, 'read', { key: 'a', value: null }, 11, 12, 'ok', { key: 'a', value: '2' })
    .register(2, 'read', { key: 'a', value: null }, 13, 14, 'ok', { key: 'a', value: '1' });
  assert.equal(check(h).valid, false);
});

test('an info write may or may not have happened; a failed write certainly did not', () => {
  for (const seen of [null, '1']) {
    const h = new HistoryBuilder()
      .register(0, 'write', { key: 'a', value: '1' }, 0, 1, 'info')
      .register(1, 'read', { key: 'a', value: null }, 5, 6, 'ok', { key: 'a', value: seen });
    assert.equal(check(h).valid, true, String(seen));
  }
  const noCompletion = new HistoryBuilder()
    .register(0, 'write', { key: 'a', value: '1' }, 0, null)
    .register(1, 'read', { key: 'a', value: null }, 5, 6, 'ok', { key: 'a', value: '1' });
  assert.equal(check(noCompletion).valid, true, 'an invoke without completion counts as info');
  const failed = new HistoryBuilder()
    .register(0, 'write', { key: 'a', value: '1' }, 0, 1, 'fail')
    .register(1, 'read', { key: 'a', value: null }, 5, 6, 'ok', { key: 'a', value: '1' });
  assert.equal(check(failed).valid, false);
});

test('info reads and failed ops constrain nothing', () => {
  const h = new HistoryBuilder()
    .register(0, 'write', { key: 'a', value: '1' }, 0, 1)
    .register(1, 'read', { key: 'a', value: null }, 2, 3, 'info')
    .register(2, 'cas', { key: 'a', from: '7', to: '8' }, 2, 3, 'fail')
    .register(3, 'read', { key: 'a', value: null }, 4, 5, 'fail', { key: 'a', value: 'zzz' });
  const r = check(h);
  assert.equal(r.valid, true);
  assert.equal(r.keys[0]!.opsChecked, 1);
});

test('cas: succeeds only from the expected value; an info cas may have done nothing', () => {
  const good = new HistoryBuilder()
    .register(0, 'write', { key: 'a', value: '1' }, 0, 1)
    .register(0, 'cas', { key: 'a', from: '1', to: '2' }, 2, 3)
    .register(1, 'read', { key: 'a', value: null }, 4, 5, 'ok', { key: 'a', value: '2' });
  assert.equal(check(good).valid, true);
  const bad = new HistoryBuilder()
    .register(0, 'write', { key: 'a', value: '1' }, 0, 1)
    .register(0, 'cas', { key: 'a', from: '3', to: '2' }, 2, 3);
  assert.equal(check(bad).valid, false);
  const unknown = new HistoryBuilder()
    .register(0, 'write', { key: 'a', value: '1' }, 0, 1)
    .register(0, 'cas', { key: 'a', from: '3', to: '2' }, 2, 3, 'info')
    .register(1, 'read', { key: 'a', value: null }, 4, 5, 'ok', { key: 'a', value: '1' });
  assert.equal(check(unknown).valid, true);
});

test('keys are checked independently: one bad key fails the history and is named', () => {
  const h = new HistoryBuilder()
    .register(0, 'write', { key: 'a', value: '1' }, 0, 1)
    .register(1, 'write', { key: 'b', value: '1' }, 0, 1)
    .register(0, 'read', { key: 'a', value: null }, 2, 3, 'ok', { key: 'a', value: '1' })
    .register(1, 'read', { key: 'b', value: null }, 2, 3, 'ok', { key: 'b', value: '9' });
  const r = check(h);
  assert.equal(r.valid, false);
  assert.deepEqual(
    r.keys.map((k) => [k.key, k.valid]),
    [
      ['a', true],
      ['b', false],
    ],
  );
});

/** A history with ops `i`'s completion value replaced. */
function withRead(history: readonly Op[], i: number, value: string): Op[] {
  return history.map((o, j) => (j === i ? { ...o, value: { key: (o.value as { key: string }).key, value } } : o));
}

test('property: 200 seeded histories from real executions pass; one impossible read makes each fail', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const history = generateRegisterHistory(seed, 60, 4);
    const r = checkLinearizable(history, registerModel);
    assert.equal(r.valid, true, `seed ${seed}: ${JSON.stringify(r.keys[0]?.witness)}`);
    // Mutate the last ok read to a value never written.
    const i = history.map((o) => o.f === 'read' && o.type === 'ok').lastIndexOf(true);
    assert.ok(i >= 0);
    const bad = checkLinearizable(withRead(history, i, 'never-written'), registerModel);
    assert.equal(bad.valid, false, `seed ${seed} mutated`);
    assert.deepEqual(
      bad.keys[0]!.witness!.stuck.slice(0, 2),
      [history.findIndex((o) => o.type === 'invoke' && o.process === history[i]!.process), i],
      'the mutated read is the op the witness names first',
    );
  }
});

test('property: a read mutated to a value overwritten before it began makes the history fail', () => {
  let mutated = 0;
  for (let seed = 1; seed <= 200; seed++) {
    const history = generateRegisterHistory(seed, 60, 4, 2);
    // Paired ok writes per key, with their intervals.
    const invokes = new Map<number, Op>();
    const writes: { key: string; value: string; call: number; ret: number }[] = [];
    for (const o of history) {
      if (o.type === 'invoke') invokes.set(o.process, o);
      else if (o.f === 'write' && o.type === 'ok') {
        const v = o.value as { key: string; value: string };
        writes.push({ ...v, call: invokes.get(o.process)!.time, ret: o.time });
      }
    }
    // The first ok read that began after two writes to its key, one completed before the other began.
    const target = history.findIndex((o) => {
      if (o.f !== 'read' || o.type !== 'ok') return false;
      const key = (o.value as { key: string }).key;
      const call = invokes.get(o.process)?.time ?? Infinity;
      return writes.some(
        (w1) => w1.key === key && writes.some((w2) => w2.key === key && w1.ret < w2.call && w2.ret < call),
      );
    });
    if (target < 0) continue;
    const o = history[target]!;
    const key = (o.value as { key: string }).key;
    const call = history.find((x) => x.type === 'invoke' && x.process === o.process)!.time;
    const w1 = writes.find(
      (a) => a.key === key && writes.some((b) => b.key === key && a.ret < b.call && b.ret < call),
    )!;
    assert.equal(
      checkLinearizable(withRead(history, target, w1.value), registerModel).valid,
      false,
      `seed ${seed}: stale read of ${w1.value}`,
    );
    mutated++;
  }
  assert.ok(mutated > 150, `${mutated} histories mutated`);
});

test('a search past its bound ends as unknown, quickly, never hanging', () => {
  // 24 concurrent writes whose outcome is unknown, then a read nobody could have caused: every
  // subset of the writes is a distinct state, so only the bound stops the search.
  const h = new HistoryBuilder();
  for (let p = 0; p < 24; p++) h.register(p, 'write', { key: 'a', value: String(p) }, 0, null);
  h.register(99, 'read', { key: 'a', value: null }, 1, 2, 'ok', { key: 'a', value: 'zzz' });
  const started = performance.now();
  const steps = checkLinearizable(h.sorted(), registerModel, { statesVisitedMax: 20_000 });
  assert.equal(steps.valid, 'unknown');
  assert.equal(steps.keys[0]!.limit, 'statesVisitedMax');
  assert.equal(steps.keys[0]!.statesVisited, 20_000);
  const bytes = checkLinearizable(h.sorted(), registerModel, { cacheBytesMax: 100_000 });
  assert.equal(bytes.valid, 'unknown');
  assert.equal(bytes.keys[0]!.limit, 'cacheBytesMax');
  assert.ok(performance.now() - started < 5_000);
  // A key that is unknown does not hide another key that is plainly not linearizable.
  h.register(0, 'write', { key: 'b', value: '1' }, 10, 11).register(
    1,
    'read',
    { key: 'b', value: null },
    12,
    13,
    'ok',
    { key: 'b', value: '2' },
  );
  const mixed = checkLinearizable(h.sorted(), registerModel, { statesVisitedMax: 20_000 });
  assert.deepEqual(
    mixed.keys.map((k) => k.valid),
    ['unknown', false],
  );
  assert.equal(mixed.valid, false);
  // With few enough unknown writes the same shape is decided: not linearizable.
  const small = new HistoryBuilder();
  for (let p = 0; p < 8; p++) small.register(p, 'write', { key: 'a', value: String(p) }, 0, null);
  small.register(99, 'read', { key: 'a', value: null }, 1, 2, 'ok', { key: 'a', value: 'zzz' });
  assert.equal(checkLinearizable(small.sorted(), registerModel).valid, false);
});

test('long histories: 10,000 ops on one key with 5 processes check in well under the bound', () => {
  const history = generateRegisterHistory(11, 10_000, 5, 1, 20);
  const started = performance.now();
  const r = checkLinearizable(history, registerModel);
  assert.equal(r.valid, true);
  assert.ok(r.keys[0]!.opsChecked > 9_000);
  assert.ok(performance.now() - started < 10_000);
});
