// The queue checker on hand-made histories: one per anomaly class that must be flagged (with its
// exact count, every other class zero), valid ones that must pass — info sends seen or not,
// subscribe-mode skips allowed, assign-mode skips flagged — and seeded generated histories that
// pass until one record is tampered with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkQueue,
  queueAnomalies,
  type QueueAnomaly,
  type QueueResult,
} from '../../../jepsen-like/src/checkers/queue.js';
import type { Op } from '../../../jepsen-like/src/history.js';
import { generateQueueHistory, HistoryBuilder } from './histories.js';

const assign = { subscribe: false };
const subscribe = { subscribe: true };

/** Exactly these anomaly counts, every other class zero; examples bounded and naming ops. */
function exactly(result: QueueResult, expected: Partial<Record<QueueAnomaly, number>>): void {
  for (const a of queueAnomalies) {
    const n = expected[a] ?? 0;
    assert.equal(result.counts[a], n, `${a}: ${JSON.stringify(result.examples[a])}`);
    assert.equal(result.examples[a]?.length ?? 0, Math.min(n, 8), `${a} examples`);
    for (const e of result.examples[a] ?? []) assert.ok(e.ops.length > 0 && e.explanation.length > 0);
  }
}

test('a clean history passes: every acknowledged send read once, in order', () => {
  const h = new HistoryBuilder()
    .send(0, 1, 10, 0)
    .send(0, 1, 11, 1)
    .send(1, 2, 20, 0)
    .poll(2, {
      1: [
        [0, 10],
        [1, 11],
      ],
      2: [[0, 20]],
    });
  const r = checkQueue(h.ops, assign);
  exactly(r, {});
  assert.equal(r.valid, true);
  assert.deepEqual(r.allowed, []);
  assert.deepEqual(
    [
      r.stats.sends,
      r.stats.okSends,
      r.stats.infoSends,
      r.stats.failSends,
      r.stats.polls,
      r.stats.okPolls,
      r.stats.recordsPolled,
      r.stats.distinctValuesPolled,
      r.stats.keys,
    ],
    [3, 3, 0, 0, 1, 1, 3, 3, 2],
  );
});

test('info sends: one that was read counts as committed, one never read is not an anomaly', () => {
  const h = new HistoryBuilder()
    .send(0, 1, 10, null, 'info')
    .send(1, 1, 11, null, 'info')
    .send(2, 1, 12, 1)
    .poll(3, {
      1: [
        [0, 10],
        [1, 12],
      ],
    });
  const r = checkQueue(h.ops, assign);
  exactly(r, {});
  assert.equal(r.valid, true);
  assert.equal(r.stats.infoSends, 2);
});

test('an info send that was read, then is missing from the complete final read, is a lost write', () => {
  const h = new HistoryBuilder()
    .send(0, 1, 10, null, 'info')
    .send(1, 1, 11, 1)
    .poll(2, {
      1: [
        [0, 10],
        [1, 11],
      ],
    })
    .poll(9, { 1: [[1, 11]] });
  const r = checkQueue(h.ops, { subscribe: false, finalProcess: 9 });
  exactly(r, { 'lost-write': 1 });
  assert.match(
    r.examples['lost-write']![0]!.explanation,
    /value 10, sent \(outcome unknown\) and read by an earlier poll/,
  );
});

test('lost-write: an acknowledged value below the highest offset read, never read', () => {
  // Two processes each read one record (no process skipped anything); offset 1 was never read.
  const h = new HistoryBuilder()
    .send(0, 1, 10, 0)
    .send(0, 1, 11, 1)
    .send(0, 1, 12, 2)
    .poll(1, { 1: [[0, 10]] })
    .poll(2, { 1: [[2, 12]] });
  const r = checkQueue(h.ops, assign);
  exactly(r, { 'lost-write': 1 });
  assert.equal(r.valid, false);
  const e = r.examples['lost-write']![0]!;
  assert.equal(e.key, 1);
  assert.deepEqual(e.ops, [2, 3], 'the invoke and completion of the send of 11');
  assert.match(e.explanation, /value 11, acknowledged at offset 1, never read though reads reached offset 2/);
});

test('unseen: an acknowledged value above every offset read', () => {
  const h = new HistoryBuilder()
    .send(0, 1, 10, 0)
    .send(0, 1, 11, 1)
    .poll(1, { 1: [[0, 10]] });
  const r = checkQueue(h.ops, assign);
  exactly(r, { unseen: 1 });
  assert.equal(r.valid, false);
  // With no poll at all, every acknowledged send is unseen, and one with an unknown offset too.
  exactly(checkQueue(new HistoryBuilder().send(0, 1, 10, 0).send(0, 2, 20, null).ops, assign), { unseen: 2 });
});

test('duplicate: one value at two offsets', () => {
  const h = new HistoryBuilder()
    .send(0, 1, 10, 0)
    .send(0, 1, 11, 1)
    .poll(1, {
      1: [
        [0, 10],
        [1, 11],
        [2, 10],
      ],
    });
  exactly(checkQueue(h.ops, assign), { duplicate: 1 });
  // The send's acknowledged offset and a poll disagree: also a duplicate.
  exactly(
    checkQueue(
      new HistoryBuilder()
        .send(0, 1, 10, 0)
        .send(0, 1, 11, 1)
        .poll(1, {
          1: [
            [0, 11],
            [1, 10],
          ],
        }).ops,
      assign,
    ),
    { duplicate: 2, 'inconsistent-offsets': 2 },
  );
});

test('inconsistent-offsets: two values at one offset (a send and a poll disagree)', () => {
  const h = new HistoryBuilder()
    .send(0, 1, 10, 0)
    .send(1, 1, 11, 0)
    .poll(2, { 1: [[0, 11]] });
  const r = checkQueue(h.ops, assign);
  exactly(r, { 'inconsistent-offsets': 1, 'lost-write': 1 }); // value 10, acknowledged at offset 0, never read
  assert.match(r.examples['inconsistent-offsets']![0]!.explanation, /offset 0 holds values 10, 11/);
  assert.equal(r.valid, false);
});

test('polls of failed ops count in the version order', () => {
  const h = new HistoryBuilder().send(0, 1, 10, 0);
  h.ops.push({ index: 2, time: 10, process: 1, type: 'invoke', f: 'poll', value: [['poll']] });
  h.ops.push({
    index: 3,
    time: 11,
    process: 1,
    type: 'fail',
    f: 'poll',
    value: [
      [
        'poll',
        {
          1: [
            [0, 10],
            [1, 99],
          ],
        },
      ],
    ],
    error: 'commit failed',
  });
  h.send(2, 1, 11, 1);
  const r = checkQueue(h.ops, assign);
  exactly(r, { 'inconsistent-offsets': 1, 'lost-write': 1 });
  assert.equal(r.stats.okPolls, 0);
  assert.equal(r.stats.polls, 1);
});

test('aborted-read: a value whose send failed is read', () => {
  const h = new HistoryBuilder()
    .send(0, 1, 10, 0)
    .send(0, 1, 11, null, 'fail')
    .poll(1, {
      1: [
        [0, 10],
        [1, 11],
      ],
    });
  const r = checkQueue(h.ops, assign);
  exactly(r, { 'aborted-read': 1 });
  assert.deepEqual(r.examples['aborted-read']![0]!.ops, [2, 3, 4, 5], 'the failed send and the poll');
  // A failed send nobody read is fine.
  exactly(
    checkQueue(
      new HistoryBuilder()
        .send(0, 1, 10, 0)
        .send(0, 1, 11, null, 'fail')
        .poll(1, { 1: [[0, 10]] }).ops,
      assign,
    ),
    {},
  );
});

test("nonmonotonic-send: a process's later send lands before its earlier one", () => {
  const h = new HistoryBuilder()
    .send(0, 1, 10, 1)
    .send(0, 1, 11, 0)
    .poll(1, {
      1: [
        [0, 11],
        [1, 10],
      ],
    });
  exactly(checkQueue(h.ops, assign), { 'nonmonotonic-send': 1 });
  // Different processes may land in any order.
  exactly(
    checkQueue(
      new HistoryBuilder()
        .send(0, 1, 10, 1)
        .send(1, 1, 11, 0)
        .poll(2, {
          1: [
            [0, 11],
            [1, 10],
          ],
        }).ops,
      assign,
    ),
    {},
  );
});

test('nonmonotonic-poll: flagged with assign, allowed with subscribe, forgotten after a new assign or a rebalance', () => {
  const h = new HistoryBuilder()
    .send(0, 1, 10, 0)
    .send(0, 1, 11, 1)
    .poll(1, {
      1: [
        [0, 10],
        [1, 11],
      ],
    })
    .poll(1, { 1: [[1, 11]] });
  const a = checkQueue(h.ops, assign);
  exactly(a, { 'nonmonotonic-poll': 1 });
  assert.equal(a.valid, false);
  const sub = checkQueue(h.ops, subscribe);
  exactly(sub, { 'nonmonotonic-poll': 1 });
  assert.equal(sub.valid, true);
  assert.deepEqual(sub.allowed, ['nonmonotonic-poll']);
  const reassigned = new HistoryBuilder()
    .send(0, 1, 10, 0)
    .send(0, 1, 11, 1)
    .poll(1, {
      1: [
        [0, 10],
        [1, 11],
      ],
    })
    .assign(1, [1])
    .poll(1, { 1: [[0, 10]] });
  exactly(checkQueue(reassigned.ops, assign), {});
  const rebalanced = new HistoryBuilder()
    .send(0, 1, 10, 0)
    .send(0, 1, 11, 1)
    .poll(1, {
      1: [
        [0, 10],
        [1, 11],
      ],
    })
    .poll(1, { 1: [[0, 10]] }, { rebalanceLog: [{ keys: [1], time: 5 }] });
  exactly(checkQueue(rebalanced.ops, assign), {});
  // A rebalance of another key does not excuse this one.
  const other = new HistoryBuilder()
    .send(0, 1, 10, 0)
    .send(0, 1, 11, 1)
    .poll(1, {
      1: [
        [0, 10],
        [1, 11],
      ],
    })
    .poll(1, { 1: [[0, 10]] }, { rebalanceLog: [{ keys: [2], time: 5 }] });
  exactly(checkQueue(other.ops, assign), { 'nonmonotonic-poll': 1 });
});

test('poll-skip: flagged with assign, allowed with subscribe, not across processes', () => {
  const h = new HistoryBuilder()
    .send(0, 1, 10, 0)
    .send(0, 1, 11, 1)
    .send(0, 1, 12, 2)
    .poll(1, { 1: [[0, 10]] })
    .poll(1, { 1: [[2, 12]] })
    .poll(2, {
      1: [
        [0, 10],
        [1, 11],
        [2, 12],
      ],
    });
  const a = checkQueue(h.ops, assign);
  exactly(a, { 'poll-skip': 1 });
  assert.equal(a.valid, false);
  assert.match(
    a.examples['poll-skip']![0]!.explanation,
    /process 1 polled from offset 2 after 0, skipping 1 known records/,
  );
  const sub = checkQueue(h.ops, subscribe);
  exactly(sub, { 'poll-skip': 1 });
  assert.equal(sub.valid, true);
  assert.deepEqual(sub.allowed, ['poll-skip']);
  // Sparse offsets are not skips: only offsets known to hold values count.
  exactly(
    checkQueue(
      new HistoryBuilder()
        .send(0, 1, 10, 0)
        .send(0, 1, 12, 2)
        .poll(1, { 1: [[0, 10]] })
        .poll(1, { 1: [[2, 12]] }).ops,
      assign,
    ),
    {},
  );
});

test('int-poll-skip and int-nonmonotonic-poll inside one poll', () => {
  const skip = new HistoryBuilder()
    .send(0, 1, 10, 0)
    .send(0, 1, 11, 1)
    .send(0, 1, 12, 2)
    .poll(1, {
      1: [
        [0, 10],
        [2, 12],
      ],
    })
    .poll(2, { 1: [[1, 11]] });
  exactly(checkQueue(skip.ops, assign), { 'int-poll-skip': 1 });
  exactly(checkQueue(skip.ops, subscribe), { 'int-poll-skip': 1 });
  assert.equal(
    checkQueue(skip.ops, subscribe).valid,
    false,
    'not allowed under subscribe: no rebalance happens inside one fetch',
  );
  const back = new HistoryBuilder()
    .send(0, 1, 10, 0)
    .send(0, 1, 11, 1)
    .poll(1, {
      1: [
        [1, 11],
        [0, 10],
      ],
    });
  exactly(checkQueue(back.ops, assign), { 'int-nonmonotonic-poll': 1 });
});

test('nemesis ops, assign/crash/debug ops and an invoke without completion are handled', () => {
  const h = new HistoryBuilder().send(0, 1, 10, 0);
  h.ops.push({
    index: 2,
    time: 3,
    process: -1,
    type: 'info',
    f: 'start-fault',
    value: { kind: 'kill', detail: 'n1', targets: [1] },
  });
  h.ops.push({ index: 3, time: 4, process: 1, type: 'invoke', f: 'send', value: [['send', 1, 11]] }); // never completes: info
  h.ops.push({ index: 4, time: 5, process: 2, type: 'invoke', f: 'crash', value: null });
  h.ops.push({ index: 5, time: 6, process: 2, type: 'info', f: 'crash', value: null });
  h.ops.push({
    index: 6,
    time: 7,
    process: -1,
    type: 'info',
    f: 'stop-fault',
    value: { kind: 'kill', detail: 'n1', targets: [1] },
  });
  h.poll(3, {
    1: [
      [0, 10],
      [1, 11],
    ],
  });
  const r = checkQueue(h.ops, assign);
  exactly(r, {});
  assert.equal(r.stats.infoSends, 1);
});

test('examples are bounded and counts are exact on a history with many lost writes', () => {
  const h = new HistoryBuilder();
  for (let i = 0; i < 50; i++) h.send(0, 1, i, i);
  h.poll(1, { 1: [[49, 49]] });
  const r = checkQueue(h.ops, subscribe);
  exactly(r, { 'lost-write': 49 });
  assert.equal(r.examples['lost-write']!.length, 8);
});

test('lost-write after a complete final read: a value an earlier poll saw is gone from the final read', () => {
  // Process 0's sends were acknowledged by a leader that later lost them (offsets reused).
  const h = new HistoryBuilder()
    .send(0, 1, 10, 0)
    .send(0, 1, 11, 1)
    .poll(1, {
      1: [
        [0, 10],
        [1, 11],
      ],
    })
    .send(2, 1, 12, 1)
    .poll(9, {
      1: [
        [0, 10],
        [1, 12],
      ],
    });
  exactly(checkQueue(h.ops, assign), { 'inconsistent-offsets': 1 }); // by the poll rule alone value 11 was seen
  const r = checkQueue(h.ops, { subscribe: false, finalProcess: 9 });
  exactly(r, { 'inconsistent-offsets': 1, 'lost-write': 1 });
  assert.match(
    r.examples['lost-write']![0]!.explanation,
    /value 11, acknowledged at offset 1 and read by an earlier poll, is missing from the final read/,
  );
  // Everything present in the final read: nothing lost.
  const fine = new HistoryBuilder()
    .send(0, 1, 10, 0)
    .poll(1, { 1: [[0, 10]] })
    .poll(9, { 1: [[0, 10]] });
  assert.equal(checkQueue(fine.ops, { subscribe: false, finalProcess: 9 }).valid, true);
});

/** The history with the first ok poll that read ≥ 3 records of a key changed by `edit`. */
function tamper(history: readonly Op[], edit: (records: [number, number][]) => [number, number][]): Op[] {
  let done = false;
  return history.map((o) => {
    if (done || o.f !== 'poll' || o.type !== 'ok') return o;
    const [[, byKey]] = o.value as [['poll', Record<string, [number, number][]>]];
    const k = Object.keys(byKey).find((key) => byKey[key]!.length >= 3);
    if (k === undefined) return o;
    done = true;
    return { ...o, value: [['poll', { ...byKey, [k]: edit(byKey[k]!) }]] };
  });
}

test('property: seeded generated histories pass; one tampered poll record is caught', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const history = generateQueueHistory(seed, 2_000, 5, 3);
    const finalProcess = history[history.length - 1]!.process;
    const r = checkQueue(history, { subscribe: false, finalProcess });
    exactly(r, {});
    assert.ok(
      r.stats.okSends > 500 && r.stats.recordsPolled > r.stats.okSends,
      `seed ${seed}: ${JSON.stringify(r.stats)}`,
    );
    // A record read at the wrong offset: the value at two offsets, the offset with two values.
    const shifted = checkQueue(
      tamper(history, (rs) => rs.map(([o, v], i) => (i === 1 ? [o + 1, v] : [o, v]))),
      { subscribe: false, finalProcess },
    );
    assert.ok(
      shifted.counts.duplicate >= 1 && shifted.counts['inconsistent-offsets'] >= 1 && !shifted.valid,
      `seed ${seed} shifted`,
    );
    // A record dropped from the middle of a poll: the poll skipped it.
    const dropped = checkQueue(
      tamper(history, (rs) => rs.filter((_, i) => i !== 1)),
      { subscribe: false, finalProcess },
    );
    assert.equal(dropped.counts['int-poll-skip'], 1, `seed ${seed} dropped`);
    assert.equal(dropped.valid, false);
  }
});
