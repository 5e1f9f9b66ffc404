// What `migrate apply` tells while it runs (issue 17 item 6): progress (records committed of the
// total), a retry whenever the import's controller failed (with its reason), and one
// controller-change event when the import had to be sent again and another controller answered.
// RetryTracker turns the controller client's failed tries into those events: a standby's
// NOT_CONTROLLER answers are the client finding the active controller (nothing ran there) and stay
// quiet (an active controller that lost its leadership during the import is a failure), and
// the same controller failing again in a row is not repeated. Pure; used by apply.ts, printed by
// src/cli/migrate-command.ts (a line each on a terminal, JSON lines with --json).
import type { ControllerRetry } from '../../src/client/controller-client.js';

export type ApplyEvent =
  | { readonly event: 'progress'; readonly committed: number; readonly total: number }
  | {
      readonly event: 'retry';
      /** 1 for the first failure of this run. */
      readonly retry: number;
      readonly controller: string;
      readonly reason: string;
      readonly elapsedMs: number;
    }
  | {
      readonly event: 'controller-change';
      readonly from: string;
      readonly to: string;
      readonly reason: string;
      readonly retries: number;
    };

export class RetryTracker {
  private count = 0;
  private lastTarget: string | null = null;
  private first: ControllerRetry | null = null;

  /** How many failed tries were reported. */
  get retries(): number {
    return this.count;
  }

  /** The event for one failed try, or null when it is quiet (see the file comment). */
  onRetry(r: ControllerRetry): ApplyEvent | null {
    if (r.notController) return null;
    this.first ??= r;
    const repeated = r.target === this.lastTarget;
    this.lastTarget = r.target;
    this.count++;
    if (repeated) return null;
    return { event: 'retry', retry: this.count, controller: r.target, reason: r.reason, elapsedMs: r.elapsedMs };
  }

  /** After the answer: the controller change, when a failure made another controller answer. */
  finish(answeredBy: string | null): ApplyEvent | null {
    const first = this.first;
    if (first === null || answeredBy === null || answeredBy === first.target) return null;
    return {
      event: 'controller-change',
      from: first.target,
      to: answeredBy,
      reason: first.reason,
      retries: this.count,
    };
  }
}

/** The terminal line of a retry or controller change (progress has its own bar). */
export function formatApplyEvent(e: ApplyEvent): string {
  switch (e.event) {
    case 'progress':
      return `${e.committed}/${e.total} records committed`;
    case 'retry':
      return `retry ${e.retry}: the import failed at ${e.controller} after ${(e.elapsedMs / 1000).toFixed(1)} s (${e.reason}); sending it again`;
    case 'controller-change':
      return `Controller change: ${e.from} failed during the import (${e.reason}); the import was sent again and the new active controller ${e.to} answered (${e.retries} retries). An import cut off by a controller change is rolled back whole by the next controller, so nothing of the first attempt is left half-written.`;
  }
}
