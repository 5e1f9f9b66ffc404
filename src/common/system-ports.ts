// The real adapters of ports.ts: the process's monotonic clock and Math.random.
import type { Clock, Random } from './ports.js';

export const systemClock: Clock = {
  nowMs: () => performance.now(),
};

export const systemRandom: Random = {
  nextInt: (bound) => Math.floor(Math.random() * bound),
};
