// Campaign mixes (jepsen-like/src/runner/campaign.ts): every kind is dealt to some run, even in a
// campaign shorter than the list of kinds; one seed gives the same mixes; the command that
// repeats one run alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../../src/testing/seeded-random.js';
import { campaignMix, inLanes } from '../../../jepsen-like/src/runner/campaign.js';
import { repeatCommand } from '../../../jepsen-like/src/runner/run-command.js';
import type { FaultKind } from '../../../jepsen-like/src/nemesis/nemesis.js';

const kinds: FaultKind[] = ['clock-skew', 'clock-jump', 'slow-disk', 'disk-full', 'kill-snapshot', 'kill-roll'];

test('campaign mixes deal every kind out, repeatably', () => {
  for (const runs of [1, 2, 3, 6, 30]) {
    const rng = new SeededRandom(7);
    const mixes = Array.from({ length: runs }, (_, i) => campaignMix(kinds, i, runs, rng));
    assert.deepEqual([...new Set(mixes.flat())].sort(), [...kinds].sort(), `runs ${runs}`);
    for (const m of mixes) assert.equal(new Set(m).size, m.length, 'no kind twice in a mix');
    const again = new SeededRandom(7);
    assert.deepEqual(
      Array.from({ length: runs }, (_, i) => campaignMix(kinds, i, runs, again)),
      mixes,
    );
  }
  const rng = new SeededRandom(1);
  assert.deepEqual(campaignMix([], 0, 3, rng), []);
  const three = Array.from({ length: 3 }, (_, i) => campaignMix(kinds, i, 3, new SeededRandom(i)));
  assert.deepEqual(three[0]!.slice(0, 2), ['clock-skew', 'disk-full']);
});

test('the command that repeats a campaign run', () => {
  assert.equal(
    repeatCommand({
      workload: 'txn',
      seed: 42,
      timeLimitS: 10,
      nemesis: ['clock-jump', 'kill-roll'],
      schedule: null,
      unsafe: true,
      concurrency: 4,
      keys: 3,
      configDir: null,
      nodes: 3,
      commandConfig: null,
      subVia: 'assign',
      net: 'proxy',
      nemesisIntervalMs: 1500,
    }),
    'raftka jepsen run --workload txn --seed 42 --time-limit 10 --nemesis clock-jump,kill-roll --unsafe --concurrency 4 --keys 3 --nodes 3 --sub-via assign --net proxy --nemesis-interval-ms 1500',
  );
});

test('campaign lanes: every run once, in order, never more than the lanes at once', async () => {
  for (const [count, lanes] of [
    [7, 3],
    [2, 5],
    [5, 1],
  ] as const) {
    const started: number[] = [];
    let inFlight = 0;
    let most = 0;
    await inLanes(count, lanes, async (i) => {
      started.push(i);
      most = Math.max(most, ++inFlight);
      // Uneven lengths, so lanes free up out of order.
      await new Promise((r) => setImmediate(r));
      for (let k = 0; k < (i * 7) % 3; k++) await new Promise((r) => setImmediate(r));
      inFlight--;
    });
    assert.deepEqual(
      started,
      Array.from({ length: count }, (_, i) => i),
    );
    assert.equal(most, Math.min(count, lanes));
  }
});
