// `npm run simulate -- --seed N [--seeds COUNT] [--bug double-vote]`: runs (or replays) seeded
// Raft simulations and prints each failing seed with the command that replays it.
import { parseArgs } from 'node:util';
import { brokenCores, type BrokenCoreName } from './broken-cores.js';
import { runSimulation, type SimulationOptions } from './raft-simulation.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    seeds: { type: 'string', default: '1' },
    bug: { type: 'string' },
  },
});
const first = Number(values.seed);
const count = Number(values.seeds);
const bug = values.bug as BrokenCoreName | undefined;
if (bug !== undefined && !(bug in brokenCores)) {
  console.error(`unknown --bug ${bug}; known: ${Object.keys(brokenCores).join(', ')}`);
  process.exit(2);
}
const createCore: SimulationOptions['createCore'] = bug ? (c, r, l) => new brokenCores[bug](c, r, l) : undefined;
let failures = 0;
for (let seed = first; seed < first + count; seed++) {
  const result = runSimulation({ seed, ...(createCore ? { createCore } : {}) });
  if (result.ok) {
    console.log(
      `seed ${seed}: ok (${result.steps} steps, ${result.leaderEpochs} epochs, committed ${result.committedOffset})`,
    );
  } else {
    failures++;
    console.log(`seed ${seed}: FAILED: ${result.violation}`);
    console.log(`  replay: ${replayCommand(seed, bug)}`);
  }
}
process.exit(failures > 0 ? 1 : 0);

function replayCommand(seed: number, bugName?: string): string {
  return `npm run simulate -- --seed ${seed}${bugName ? ` --bug ${bugName}` : ''}`;
}
