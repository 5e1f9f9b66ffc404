// Ports: the interfaces through which pure code reaches time and randomness. Each has a real
// adapter in system-ports.ts and a deterministic fake in src/testing/. This file stays free of
// any runtime API so that the pure Raft core can import it (see src/raft/core/tsconfig.json).

/** Milliseconds on a monotonic clock. */
export interface Clock {
  nowMs(): number;
}

/** Uniform random integers; seeded in tests so a run can be replayed. */
export interface Random {
  /** An integer in [0, bound). */
  nextInt(bound: number): number;
}
