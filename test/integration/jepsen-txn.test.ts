// The jepsen-like transactional workload end to end, run as a user would (`raftka jepsen run
// --workload txn`) on the three combined nodes of cluster-configs/three-node:
// - under kill -9 and network partitions the history is valid for Kafka's model (the checker
//   allows G0 and G1c, which Kafka's append-ordered partitions permit), with committed, aborted
//   (10 % on purpose) and read transactions, the final read complete;
// - with the test-only switch transaction.unsafe.abort.as.commit=true (`--unsafe`), aborted
//   transactions' records become visible and the checker reports G1a (aborted reads) with a
//   witness naming the reading transaction and the aborted one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jepsenRun } from './jepsen-cli.js';

interface TxnResults {
  valid: boolean;
  finalReadsComplete: boolean;
  allowed: string[];
  counts: Record<string, number>;
  examples: Record<string, { explanation: string; ops: number[] }[] | undefined>;
  stats: { txns: number; committed: number; aborted: number; recordsPolled: number };
}

const jepsenTxn = (store: string, args: readonly string[]) =>
  jepsenRun<TxnResults>(store, ['--workload', 'txn', ...args]);

test('jepsen-like txn runs: valid under kill and partitions; aborted reads found when aborts are written as commits', {
  timeout: 600_000,
}, async (t) => {
  const store = mkdtempSync(join(tmpdir(), 'raftka-jepsen-txn-'));
  t.after(() => rmSync(store, { recursive: true, force: true }));

  await t.test('txn with kill -9 and partitions is valid', async () => {
    const r = await jepsenTxn(store, [
      '--time-limit',
      '15',
      '--seed',
      '9',
      '--nemesis',
      'kill,partition',
      '--nemesis-interval-ms',
      '3000',
    ]);
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.results.valid, true, JSON.stringify(r.results.counts));
    assert.equal(r.results.finalReadsComplete, true);
    for (const a of ['G1a', 'G1b', 'lost-commit', 'torn-transaction', 'duplicate', 'inconsistent-offsets'])
      assert.equal(r.results.counts[a], 0, a);
    assert.ok(r.results.stats.committed > 10, JSON.stringify(r.results.stats));
    assert.ok(r.results.stats.recordsPolled > 0, JSON.stringify(r.results.stats));
    assert.ok(
      r.history.some((o) => o.f === 'txn' && o.type === 'fail'),
      'some transactions aborted',
    );
    const faults = r.history.filter((o) => o.f === 'start-fault').map((o) => (o.value as { kind: string }).kind);
    assert.ok(faults.includes('kill'), `faults: ${faults.join(',')}`); // seed 9: kill -9 of a leader first
    assert.match(readFileSync(join(r.dir, 'report.html'), 'utf8'), /<span class="valid">valid<\/span>/);
  });

  await t.test('--unsafe (transaction.unsafe.abort.as.commit=true): G1a with a witness', async () => {
    const r = await jepsenTxn(store, ['--time-limit', '10', '--seed', '3', '--nemesis', 'none', '--unsafe']);
    assert.equal(r.code, 1, r.stdout);
    assert.equal(r.results.valid, false);
    assert.ok((r.results.counts.G1a ?? 0) > 0, JSON.stringify(r.results.counts));
    const witness = r.results.examples.G1a![0]!;
    assert.match(witness.explanation, /^txn \d+ read value \d+ of key \d+, written by aborted txn \d+$/);
    const aborted = r.history[witness.ops[2]!]!;
    assert.equal(aborted.f, 'txn');
    assert.equal(r.history[witness.ops[3]!]!.type, 'fail', 'the witness names the aborted transaction');
    assert.match(readFileSync(join(r.dir, 'report.html'), 'utf8'), /written by aborted txn/);
  });
});
