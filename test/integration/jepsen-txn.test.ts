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
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '../../src/common/paths.js';
import type { Op } from '../../jepsen-like/src/history.js';

interface TxnResults {
  valid: boolean;
  finalReadsComplete: boolean;
  allowed: string[];
  counts: Record<string, number>;
  examples: Record<string, { explanation: string; ops: number[] }[] | undefined>;
  stats: { txns: number; committed: number; aborted: number; recordsPolled: number };
}

function jepsenTxn(
  store: string,
  args: readonly string[],
): Promise<{ code: number; stdout: string; dir: string; results: TxnResults; history: Op[] }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [repoPath('bin', 'raftka.js'), 'jepsen', 'run', '--workload', 'txn', '--store', store, ...args],
      { timeout: 240_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        const m = /^store: (\S+)/m.exec(stdout);
        if (!m) return reject(new Error(`no store line (exit ${code}):\n${stdout}\n${stderr}`));
        const dir = m[1]!;
        const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as TxnResults & { error?: string };
        if (code === 2)
          return reject(new Error(`the run failed (exit 2): ${results.error ?? '?'}\n${stdout}\n${stderr}`));
        const history = readFileSync(join(dir, 'history.jsonl'), 'utf8')
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l) as Op);
        resolve({ code, stdout, dir, results, history });
      },
    );
  });
}

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
      '6',
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
    assert.ok(r.history.some((o) => o.f === 'txn' && o.type === 'fail'), 'some transactions aborted');
    const faults = r.history.filter((o) => o.f === 'start-fault').map((o) => (o.value as { kind: string }).kind);
    assert.ok(faults.length >= 1, `faults: ${faults.join(',')}`);
    assert.match(readFileSync(join(r.dir, 'report.html'), 'utf8'), /<h3>G1a: 0/);
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
