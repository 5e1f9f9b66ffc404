// Seeded simulation of the Raft core: 200 seeds must find nothing; a deliberately broken core
// must be caught, and its failing seed must replay to the same failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSimulation } from '../../src/testing/raft-simulation.js';
import { DoubleVoteCountingCore } from '../../src/testing/broken-cores.js';

const seedsInCi = 200;
const batch = 50;

for (let start = 1; start <= seedsInCi; start += batch) {
  test(`simulation finds no violation in seeds ${start}..${start + batch - 1}`, () => {
    const failures: string[] = [];
    let committed = 0;
    let epochs = 0;
    for (let seed = start; seed < start + batch; seed++) {
      const r = runSimulation({ seed });
      if (!r.ok) failures.push(`seed ${seed}: ${r.violation} — replay: npm run simulate -- --seed ${seed}`);
      committed += r.committedOffset;
      epochs += r.leaderEpochs;
    }
    assert.deepEqual(failures, []);
    // The runs did real work: entries committed and leadership changed under faults.
    assert.ok(committed > batch * 100, `only ${committed} entries committed over ${batch} seeds`);
    assert.ok(epochs > batch * 2, `only ${epochs} leader epochs over ${batch} seeds`);
  });
}

test('a core that counts each vote twice is caught, and its seed replays to the same failure', () => {
  const createCore = (...args: ConstructorParameters<typeof DoubleVoteCountingCore>) =>
    new DoubleVoteCountingCore(...args);
  let failing: { seed: number; violation: string | null; steps: number } | null = null;
  for (let seed = 1; seed <= 100 && failing === null; seed++) {
    const r = runSimulation({ seed, createCore });
    if (!r.ok) failing = { seed, violation: r.violation, steps: r.steps };
  }
  assert.ok(failing, 'the broken core survived 100 seeds');
  assert.match(
    failing.violation ?? '',
    /two leaders in epoch|committed entry changed|lacks committed|different entry|state differs/,
  );
  const replay = runSimulation({ seed: failing.seed, createCore });
  assert.equal(replay.violation, failing.violation);
  assert.equal(replay.steps, failing.steps);
  // The correct core passes that very seed.
  assert.ok(runSimulation({ seed: failing.seed }).ok);
});
