// Time for the group coordinator, injectable so its timeouts (sessions, rebalances, the initial
// delay, offset retention) can be driven step by step in unit tests.

export interface Timer {
  cancel(): void;
}

export interface Clock {
  now(): number;
  /** Call `fn` after `ms` milliseconds unless cancelled. */
  schedule(ms: number, fn: () => void): Timer;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  schedule(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

/** A clock that only moves when told to: `advance(ms)` fires what falls due, in order. */
export class ManualClock implements Clock {
  private nowMs: number;
  private seq = 0;
  private readonly due = new Map<number, { at: number; fn: () => void }>();

  constructor(startMs = 1_700_000_000_000) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  schedule(ms: number, fn: () => void): Timer {
    const id = this.seq++;
    this.due.set(id, { at: this.nowMs + Math.max(0, ms), fn });
    return { cancel: () => this.due.delete(id) };
  }

  advance(ms: number): void {
    const target = this.nowMs + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | null = null;
      for (const e of this.due)
        if (e[1].at <= target && (next === null || e[1].at < next[1].at || (e[1].at === next[1].at && e[0] < next[0])))
          next = e;
      if (next === null) break;
      this.due.delete(next[0]);
      this.nowMs = Math.max(this.nowMs, next[1].at);
      next[1].fn();
    }
    this.nowMs = target;
  }
}
