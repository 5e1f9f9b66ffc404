// The fetcher's half of an incremental fetch session (KIP-227), as Kafka's FetchSessionHandler:
// one per fetcher and broker. `build` turns the partitions the fetcher wants now into a full
// request (every partition, epoch 0: "make me a session") or an incremental one (only partitions
// added or whose fetch offset, epochs or max bytes changed since the last request, plus the ones
// dropped as forgotten); `handleResponse` / `handleError` move the session on or start it over.
// Used by raftka's consumer (consumer.ts) over the Kafka Fetch API and by the broker's replica
// fetcher (broker/replica-fetcher.ts) over gRPC. A partition an incremental answer leaves out has
// nothing new.
import { ErrorCode } from '../common/errors.js';

/** The fields of a fetched partition that a session remembers; a change is sent again. */
export interface SessionPartitionState {
  readonly fetchOffset: number;
  readonly currentLeaderEpoch: number;
  readonly lastFetchedEpoch: number;
  readonly maxBytes: number;
  readonly logStartOffset: number;
}

export interface SessionFetchPlan<P> {
  readonly sessionId: number;
  readonly sessionEpoch: number;
  /** Whether the request names every wanted partition. */
  readonly full: boolean;
  /** The partitions to name in the request (all of them on a full fetch). */
  readonly toSend: readonly P[];
  /** The partitions the session should drop (as they were last named). */
  readonly forgotten: readonly P[];
}

const samePartitionState = (a: SessionPartitionState, b: SessionPartitionState): boolean =>
  a.fetchOffset === b.fetchOffset &&
  a.currentLeaderEpoch === b.currentLeaderEpoch &&
  a.lastFetchedEpoch === b.lastFetchedEpoch &&
  a.maxBytes === b.maxBytes &&
  a.logStartOffset === b.logStartOffset;

export class FetchSessionHandler<P extends SessionPartitionState> {
  private sessionId = 0;
  /** 0: the next request is a full one (and asks for a session); -1: sessions are off. */
  private epoch: number;
  /** What the broker's session holds, as of the last request built: each partition as last named. */
  private readonly inSession = new Map<string, { readonly state: SessionPartitionState; readonly item: P }>();

  /** `enabled` false: every request is a full one without a session (epoch -1). */
  constructor(enabled = true) {
    this.epoch = enabled ? 0 : -1;
  }

  /** The request for the partitions wanted now, keyed by `key(p)`; remembers them as the session's. */
  build(wanted: readonly P[], key: (p: P) => string): SessionFetchPlan<P> {
    const full = this.epoch <= 0;
    if (full) {
      this.inSession.clear();
      for (const p of wanted) this.inSession.set(key(p), { state: stateOf(p), item: p });
      return { sessionId: this.sessionId, sessionEpoch: this.epoch, full, toSend: wanted, forgotten: [] };
    }
    const toSend: P[] = [];
    const keys = new Set<string>();
    for (const p of wanted) {
      const k = key(p);
      keys.add(k);
      const had = this.inSession.get(k);
      if (had && samePartitionState(had.state, p)) continue;
      toSend.push(p);
      this.inSession.set(k, { state: stateOf(p), item: p });
    }
    const forgotten: P[] = [];
    for (const [k, had] of this.inSession)
      if (!keys.has(k)) {
        forgotten.push(had.item);
        this.inSession.delete(k);
      }
    return { sessionId: this.sessionId, sessionEpoch: this.epoch, full, toSend, forgotten };
  }

  /** After an answer: its top-level error code and session id. */
  handleResponse(errorCode: number, sessionId: number): void {
    if (this.epoch < 0) return;
    if (errorCode !== ErrorCode.NONE) {
      // Session not found: start over without one; any other error: close it and start over.
      if (errorCode === ErrorCode.FETCH_SESSION_ID_NOT_FOUND) this.sessionId = 0;
      this.epoch = 0;
      return;
    }
    if (sessionId === 0) {
      // No session (the broker kept none, or closed ours): the next request is a full one again.
      this.sessionId = 0;
      this.epoch = 0;
      return;
    }
    this.epoch = this.sessionId === sessionId && this.epoch > 0 ? nextEpoch(this.epoch) : 1;
    this.sessionId = sessionId;
  }

  /** After a request that got no answer: the broker's session may have moved on; close it and start over. */
  handleError(): void {
    if (this.epoch > 0) this.epoch = 0;
  }

  /** Whether the next request will be incremental. */
  get incremental(): boolean {
    return this.epoch > 0;
  }
}

function stateOf(p: SessionPartitionState): SessionPartitionState {
  return {
    fetchOffset: p.fetchOffset,
    currentLeaderEpoch: p.currentLeaderEpoch,
    lastFetchedEpoch: p.lastFetchedEpoch,
    maxBytes: p.maxBytes,
    logStartOffset: p.logStartOffset,
  };
}

function nextEpoch(epoch: number): number {
  return epoch === 0x7fffffff ? 1 : epoch + 1;
}
