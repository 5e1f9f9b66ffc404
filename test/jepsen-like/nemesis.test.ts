// The nemesis loop on a stand-in cluster: a heal that fails (a killed node that does not start
// again) ends the nemesis without an unhandled rejection, and stop() reports it, so one run
// breaks while the process (a campaign of many runs) goes on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HarnessCluster } from '../../jepsen-like/src/cluster/harness-cluster.js';
import { Nemesis } from '../../jepsen-like/src/nemesis/nemesis.js';

test('a heal that fails ends the nemesis quietly and stop() throws it', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (err: unknown): void => {
    unhandled.push(err);
  };
  process.on('unhandledRejection', onUnhandled);
  try {
    const calls: string[] = [];
    let restartTried!: () => void;
    const restartSeen = new Promise<void>((r) => (restartTried = r));
    const cluster = {
      nodeIds: [1, 2, 3],
      activeController: async () => 1,
      partitionLeaders: async () => new Map<number, number>(),
      groupCoordinator: async () => null,
      kill: async (id: number) => {
        calls.push(`kill ${id}`);
      },
      restartKilled: async () => {
        calls.push('restart');
        restartTried();
        throw new Error('cluster up failed: SyntaxError in a half-written build');
      },
      healAll: async () => {
        calls.push('healAll');
      },
    } as unknown as HarnessCluster;
    const events: string[] = [];
    const nemesis = new Nemesis(cluster, {
      seed: 1,
      faults: ['kill'],
      intervalMs: 10,
      onEvent: (e) => events.push(`${e.kind} ${e.phase}`),
    });
    nemesis.start();
    await restartSeen;
    // Let the loop's rejection settle where an unhandled one would be reported.
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    await assert.rejects(nemesis.stop(), /the nemesis stopped: cluster up failed/);
    assert.deepEqual(unhandled, []);
    assert.deepEqual(events, ['kill start']); // no stop event for a heal that did not happen
    assert.equal(calls.filter((c) => c === 'restart').length, 1, 'no fault after the failed heal');
    assert.equal(calls.at(-1), 'healAll');
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
