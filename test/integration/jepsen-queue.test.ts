// The jepsen-like harness end to end, run as a user would (`raftka jepsen run`), on the three
// combined nodes of cluster-configs/three-node (the default --config-dir), given ephemeral ports
// and proxied links by the harness:
// - the queue workload under kill -9 and network partitions comes out valid (exit 0), with a
//   history of ok sends and polls, the fault windows recorded, results.json and report.html;
// - the Kafka 2013 schedule (ISR shrinks to the leader, the leader dies) against the unsafe
//   configuration (acks=1, min.insync.replicas=1, unclean.leader.election.enable=true) finds
//   lost writes (exit 1); the same schedule against raftka's safe settings loses nothing;
// - the same with subscribe-mode polls (a consumer group, commits before each poll completes);
// - the metadata workload (topic configs and topic existence as registers, through the active
//   controller's linearizable reads) is linearizable under kill -9 and partitions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jepsenRun } from './jepsen-cli.js';

interface Results {
  valid: boolean;
  seed: number;
  command: string;
  counts: Record<string, number>;
  stats: { okSends: number; polls: number; distinctValuesPolled: number };
}

const jepsen = (store: string, args: readonly string[]) => jepsenRun<Results>(store, args);

test('jepsen-like queue runs: valid under kill and partition faults; the 2013 schedule loses writes only when configured unsafely', {
  timeout: 600_000,
}, async (t) => {
  const store = mkdtempSync(join(tmpdir(), 'raftka-jepsen-it-'));
  t.after(() => rmSync(store, { recursive: true, force: true }));

  await t.test('queue with kill -9 and partitions is valid', async () => {
    const r = await jepsen(store, [
      '--time-limit',
      '30',
      '--seed',
      '7',
      '--nemesis',
      'kill,partition',
      '--nemesis-interval-ms',
      '3000',
    ]);
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.results.valid, true);
    assert.match(r.stdout, /^valid: /m);
    assert.match(
      r.stdout,
      /to run again: raftka jepsen run --workload queue --seed 7 .*--config-dir \S*cluster-configs\/three-node /,
    );
    assert.ok(r.results.stats.okSends > 100, `ok sends: ${r.results.stats.okSends}`);
    assert.ok(r.history.some((o) => o.f === 'poll' && o.type === 'ok'));
    const faults = r.history.filter((o) => o.f === 'start-fault').map((o) => (o.value as { kind: string }).kind);
    // Usually five or more; on a loaded machine one kill and its restart can fill the run.
    assert.ok(faults.length >= 1, `faults: ${faults.join(',')}`);
    assert.ok(existsSync(join(r.dir, 'report.html')));
    assert.match(readFileSync(join(r.dir, 'report.html'), 'utf8'), /<svg/);
    assert.ok(readdirSync(join(r.dir, 'logs')).length === 3, "the three nodes' logs are kept");
  });

  await t.test('kafka-2013 against acks=1, min.insync.replicas=1, unclean election: lost writes found', async () => {
    const r = await jepsen(store, ['--time-limit', '20', '--seed', '11', '--schedule', 'kafka-2013', '--unsafe']);
    assert.equal(r.code, 1, r.stdout);
    assert.equal(r.results.valid, false);
    assert.ok((r.results.counts['lost-write'] ?? 0) > 0, JSON.stringify(r.results.counts));
    assert.ok(
      r.history.some((o) => o.f === 'start-fault' && /unclean election/.test((o.value as { detail: string }).detail)),
    );
  });

  await t.test(
    'queue with subscribe-mode polls (one consumer group) under kill -9 of coordinators and leaders is valid',
    async () => {
      const r = await jepsen(store, [
        '--sub-via',
        'subscribe',
        '--time-limit',
        '20',
        '--seed',
        '9',
        '--nemesis',
        'kill,partition',
        '--nemesis-interval-ms',
        '3000',
      ]);
      assert.equal(r.code, 0, r.stdout);
      assert.equal(r.results.valid, true);
      assert.ok(r.history.some((o) => o.f === 'subscribe'));
      assert.ok(r.results.stats.okSends > 20, `ok sends: ${r.results.stats.okSends}`);
    },
  );

  await t.test('metadata registers under kill -9 and partitions are linearizable', async () => {
    const r = await jepsen(store, [
      '--workload',
      'metadata',
      '--time-limit',
      '20',
      '--seed',
      '5',
      '--nemesis',
      'kill,partition',
      '--nemesis-interval-ms',
      '3000',
    ]);
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.results.valid, true);
    const perKey = (r.results.stats as unknown as { perKey: { key: string; ops: number; valid: boolean }[] }).perKey;
    assert.deepEqual(perKey.map((k) => k.key).sort(), [
      'config:register-0',
      'config:register-1',
      'config:register-2',
      'topic:created-0',
      'topic:created-1',
    ]);
    assert.ok(
      // Enough operations per key to check anything (about 60 on an idle machine, fewer under load).
      perKey.every((k) => k.ops > 20 && k.valid === true),
      JSON.stringify(perKey),
    );
  });

  await t.test('kafka-2013 against acks=all, min.insync.replicas=2, no unclean election: valid', async () => {
    const r = await jepsen(store, ['--time-limit', '20', '--seed', '11', '--schedule', 'kafka-2013']);
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.results.counts['lost-write'], 0);
  });
});
