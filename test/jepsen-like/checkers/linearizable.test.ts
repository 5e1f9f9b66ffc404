// The linearizability checker (WGL with memoisation, per key) on hand-made register histories
// that must pass or fail, and a seeded property: histories generated from a real sequential
// execution with overlapping intervals always pass; one impossible read makes them fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLinearizable } from '../../../jepsen-like/src/checkers/linearizable.js';
import { registerModel } from '../../../jepsen-like/src/checkers/register-model.js';
import { generateRegisterHistory, HistoryBuilder } from './histories.js';

const check = (h: HistoryBuilder) => checkLinearizable(h.sorted(), registerModel);

test('sequential write then read of the same value passes; a stale read after a completed write fails', () => {
  const ok = new HistoryBuilder().register(0, 'write', { key: 'a', value: '1' }, 0, 1).register(1, 'read', { key: 'a', value: null }, 2, 3, 'ok', { key: 'a', value: '1' });
  assert.equal(check(ok).valid, true);
  const stale = new HistoryBuilder()
    .register(0, 'write', { key: 'a', value: '1' }, 0, 1)
    .register(0, 'write', { key: 'a', value: '2' }, 2, 3)
    .register(1, 'read', { key: 'a', value: null }, 4, 5, 'ok', { key: 'a', value: '1' });
  const r = check(stale);
  assert.equal(r.valid, false);
  const w = r.keys[0]!.witness!;
  assert.ok(w.stuck.length > 0, 'the witness names the ops that could not be placed');
  assert.match(w.explanation, /read "1"/);
});

test('a read of a value nobody wrote fails; reading absent before any write passes', () => {
  assert.equal(check(new HistoryBuilder().register(0, 'read', { key: 'a', value: null }, 0, 1, 'ok', { key: 'a', value: 'x' })).valid, false);
  assert.equal(check(new HistoryBuilder().register(0, 'read', { key: 'a', value: null }, 0, 1, 'ok', { key: 'a', value: null })).valid, true);
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
    const h = new HistoryBuilder().register(0, 'write', { key: 'a', value: '1' }, 0, 1, 'info').register(1, 'read', { key: 'a', value: null }, 5, 6, 'ok', { key: 'a', value: seen });
    assert.equal(check(h).valid, true, String(seen));
  }
  const noCompletion = new HistoryBuilder().register(0, 'write', { key: 'a', value: '1' }, 0, null).register(1, 'read', { key: 'a', value: null }, 5, 6, 'ok', { key: 'a', value: '1' });
  assert.equal(check(noCompletion).valid, true, 'an invoke without completion counts as info');
  const failed = new HistoryBuilder().register(0, 'write', { key: 'a', value: '1' }, 0, 1, 'fail').register(1, 'read', { key: 'a', value: null }, 5, 6, 'ok', { key: 'a', value: '1' });
  assert.equal(check(failed).valid, false);
});

test('cas: succeeds only from the expected value; an info cas may have done nothing', () => {
  const good = new HistoryBuilder()
    .register(0, 'write', { key: 'a', value: '1' }, 0, 1)
    .register(0, 'cas', { key: 'a', from: '1', to: '2' }, 2, 3)
    .register(1, 'read', { key: 'a', value: null }, 4, 5, 'ok', { key: 'a', value: '2' });
  assert.equal(check(good).valid, true);
  const bad = new HistoryBuilder().register(0, 'write', { key: 'a', value: '1' }, 0, 1).register(0, 'cas', { key: 'a', from: '3', to: '2' }, 2, 3);
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
  assert.deepEqual(r.keys.map((k) => [k.key, k.valid]), [['a', true], ['b', false]]);
});

test('property: 200 seeded histories from real executions pass; one impossible read makes each fail', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const history = generateRegisterHistory(seed, 60, 4);
    const r = checkLinearizable(history, registerModel);
    assert.equal(r.valid, true, `seed ${seed}: ${JSON.stringify(r.keys[0]?.witness)}`);
    // Mutate the last ok read to a value never written.
    const i = history.map((o) => o.f === 'read' && o.type === 'ok').lastIndexOf(true);
    if (i < 0) continue;
    const bad = history.map((o, j) => (j === i ? { ...o, value: { key: 'k0', value: 'never-written' } } : o));
    assert.equal(checkLinearizable(bad, registerModel).valid, false, `seed ${seed} mutated`);
  }
});
