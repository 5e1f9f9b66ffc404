// The real adapter of ports.ts: Math.random.
import type { Random } from './ports.js';

export const systemRandom: Random = {
  nextInt: (bound) => Math.floor(Math.random() * bound),
};
