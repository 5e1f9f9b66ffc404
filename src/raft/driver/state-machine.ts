// The StateMachine port: what the Raft driver needs from whatever it replicates. The driver
// applies committed entries in log order, asks for a snapshot when enough bytes (or time) went
// by since the last one, and replaces the whole state with a snapshot on recovery or when the
// leader sends one. It never looks inside the state: MetadataState (src/metadata/) is the one
// implementation today, and the node that creates it keeps the typed reference.
import type { Epoch, LogEntry, Offset } from '../../common/log-types.js';

export interface StateMachine {
  /** Every entry below this offset is applied (the next entry to apply is at this offset). */
  readonly appliedOffset: Offset;
  /** Bytes of entries applied since the last snapshot was taken or loaded (drives scheduling). */
  readonly bytesSinceSnapshot: number;
  /** False while a snapshot would be inconsistent (e.g. inside a metadata transaction). */
  readonly canSnapshot: boolean;
  /** Apply committed entries; entries[0].offset === appliedOffset, contiguous. */
  applyAll(entries: readonly LogEntry[]): void;
  /**
   * Capture the state as it is now and encode it (may yield to the event loop while encoding; later
   * applies do not change the result). Restarts bytesSinceSnapshot at 0. Only when canSnapshot.
   */
  takeSnapshot(): Promise<Uint8Array>;
  /**
   * Replace the whole state with a snapshot's; throws (changing nothing) on bad bytes. `id` names
   * the snapshot (its end offset is the appliedOffset after loading), for states that forward the
   * bytes without reading them (src/raft/host/, the quorum thread's proxy of the node's state).
   */
  loadSnapshot(bytes: Uint8Array, id: { readonly endOffset: Offset; readonly epoch: Epoch }): void;
}
