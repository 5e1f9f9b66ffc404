// Ports: the interfaces through which pure code reaches randomness (time reaches the Raft core
// as tick(elapsedMs)). Each has a real adapter in system-ports.ts and a deterministic fake in
// src/testing/. This file uses no runtime API, so the pure Raft core can import it (see
// src/raft/core/tsconfig.json).

/** Uniform random integers; seeded in tests so a run can be replayed. */
export interface Random {
  /** An integer in [0, bound). */
  nextInt(bound: number): number;
}
