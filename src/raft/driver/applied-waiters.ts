// Callers waiting for the applied state to reach an offset (a controller write waits for its
// records to be applied before it answers). Who calls: the RaftDriver (applying in its own thread)
// and the QuorumHost of src/raft/host/ (applying on the main thread what the quorum thread sends).
import type { Offset } from '../../common/log-types.js';

export class AppliedWaiters {
  private readonly waiters = new Set<{ readonly offset: Offset; readonly done: (reached: boolean) => void }>();

  /** Resolves true once every entry below `offset` is applied (`applied` now), false after timeoutMs. */
  wait(applied: Offset, offset: Offset, timeoutMs: number): Promise<boolean> {
    if (applied >= offset) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        offset,
        done: (reached: boolean): void => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(reached);
        },
      };
      const timer = setTimeout(() => waiter.done(false), timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** The state applied up to `applied`: the waiters it satisfies resolve true. */
  applied(applied: Offset): void {
    for (const w of this.waiters) if (applied >= w.offset) w.done(true);
  }

  /** Shutting down: every waiter resolves false. */
  cancelAll(): void {
    for (const w of this.waiters) w.done(false);
  }
}
