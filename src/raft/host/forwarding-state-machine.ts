// The quorum thread's StateMachine: the driver applies committed entries to it, and it forwards
// them to the node's main thread, where the real state (MetadataState) lives and every role reads
// it. It keeps only what the driver's scheduling needs: the offset forwarded so far, the bytes since
// the last snapshot, and whether a snapshot may be taken now — only when the main thread has
// acknowledged applying everything forwarded and its state is outside a metadata transaction, so
// the snapshot the main thread encodes is exactly the state at the offset the driver names it by.
// Who calls: the RaftDriver (as its StateMachine) and quorum-worker-loop.ts (the acknowledgements).
import { assert } from '../../common/assert.js';
import type { Epoch, LogEntry, Offset } from '../../common/log-types.js';
import { frameHeaderBytes } from '../driver/entry-codec.js';
import type { StateMachine } from '../driver/state-machine.js';
import { type FromQuorum, ownedCopy } from './quorum-protocol.js';

/** How the state machine reaches the main thread. */
export interface QuorumOutbox {
  post(message: FromQuorum, transfer?: ArrayBuffer[]): void;
  /** Called before entries are forwarded: publish the status first (the main thread reads both). */
  beforeApply(): void;
}

/** Snapshot requests in flight at once: the driver takes one at a time. */
const pendingSnapshotsMax = 4;

export class ForwardingStateMachine implements StateMachine {
  appliedOffset: Offset = 0;
  bytesSinceSnapshot = 0;
  private ackedOffset: Offset = -1;
  private ackedCanSnapshot = false;
  private nextSnapshotId = 1;
  private readonly pendingSnapshots = new Map<
    number,
    { readonly resolve: (b: Uint8Array) => void; readonly reject: (e: Error) => void }
  >();

  constructor(private readonly outbox: QuorumOutbox) {}

  get canSnapshot(): boolean {
    return this.ackedCanSnapshot && this.ackedOffset === this.appliedOffset && this.pendingSnapshots.size === 0;
  }

  applyAll(entries: readonly LogEntry[]): void {
    if (entries.length === 0) return;
    assert(entries[0]!.offset === this.appliedOffset, `forward ${entries[0]!.offset}, expected ${this.appliedOffset}`);
    this.outbox.beforeApply();
    this.outbox.post({ t: 'apply', entries });
    for (const e of entries) this.bytesSinceSnapshot += e.payload.length + frameHeaderBytes;
    this.appliedOffset = entries[entries.length - 1]!.offset + 1;
  }

  takeSnapshot(): Promise<Uint8Array> {
    assert(this.pendingSnapshots.size < pendingSnapshotsMax, 'too many snapshot requests in flight');
    this.bytesSinceSnapshot = 0;
    const id = this.nextSnapshotId++;
    return new Promise((resolve, reject) => {
      this.pendingSnapshots.set(id, { resolve, reject });
      this.outbox.post({ t: 'takeSnapshot', id });
    });
  }

  loadSnapshot(bytes: Uint8Array, id: { readonly endOffset: Offset; readonly epoch: Epoch }): void {
    const copy = ownedCopy(bytes);
    this.outbox.beforeApply();
    this.outbox.post({ t: 'loadSnapshot', bytes: copy, endOffset: id.endOffset, epoch: id.epoch }, [
      copy.buffer as ArrayBuffer,
    ]);
    this.appliedOffset = id.endOffset;
    this.bytesSinceSnapshot = 0;
  }

  /** The main thread applied up to `appliedOffset`; its state may (or may not) be snapshotted now. */
  acknowledge(appliedOffset: Offset, canSnapshot: boolean): void {
    this.ackedOffset = appliedOffset;
    this.ackedCanSnapshot = canSnapshot;
  }

  /** The main thread's answer to takeSnapshot `id`. */
  snapshotTaken(id: number, bytes: Uint8Array | null, error: string | null): void {
    const pending = this.pendingSnapshots.get(id);
    if (!pending) return;
    this.pendingSnapshots.delete(id);
    if (bytes) pending.resolve(bytes);
    else pending.reject(new Error(`the main thread could not take a snapshot: ${error ?? 'no reason'}`));
  }
}
