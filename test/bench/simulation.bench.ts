// Runs many seeds of the Raft simulation and reports simulated steps per second.
// `npm run bench -- simulation` (SIM_SEEDS=N to change the count; default 2000).
import { runSimulation } from '../../src/testing/raft-simulation.js';

const seeds = Number(process.env['SIM_SEEDS'] ?? 2000);
const first = Number(process.env['SIM_FIRST_SEED'] ?? 1);
const started = performance.now();
let steps = 0;
let simulatedMs = 0;
let epochs = 0;
let committed = 0;
const failures: string[] = [];
for (let seed = first; seed < first + seeds; seed++) {
  const r = runSimulation({ seed });
  steps += r.steps;
  simulatedMs += r.simulatedMs;
  epochs += r.leaderEpochs;
  committed += r.committedOffset;
  if (!r.ok) failures.push(`seed ${seed}: ${r.violation} (replay: npm run simulate -- --seed ${seed})`);
}
const seconds = (performance.now() - started) / 1000;
console.log(`seeds:                 ${seeds} (${first}..${first + seeds - 1})`);
console.log(`failures:              ${failures.length}`);
for (const f of failures) console.log(`  ${f}`);
console.log(`wall time:             ${seconds.toFixed(1)} s`);
console.log(`simulated steps:       ${steps}`);
console.log(`steps per second:      ${Math.round(steps / seconds)}`);
console.log(
  `simulated time:        ${(simulatedMs / 1000).toFixed(0)} s (${(simulatedMs / 1000 / seconds).toFixed(0)}x real time)`,
);
console.log(`leader epochs:         ${epochs} (${(epochs / seeds).toFixed(1)} per seed)`);
console.log(`entries committed:     ${committed} (${Math.round(committed / seeds)} per seed)`);
process.exit(failures.length > 0 ? 1 : 0);
