// Ports: the interfaces through which pure code reaches time and randomness. Each has a real
// adapter here and a deterministic fake in src/testing/.

/** Milliseconds on a monotonic clock. */
export interface Clock {
  nowMs(): number;
}

/** Uniform random integers; seeded in tests so a run can be replayed. */
export interface Random {
  /** An integer in [0, bound). */
  nextInt(bound: number): number;
}

export const systemClock: Clock = {
  nowMs: () => performance.now(),
};

export const systemRandom: Random = {
  nextInt: (bound) => Math.floor(Math.random() * bound),
};
