// The vocabulary of the KRaft core: log entries, the persisted quorum state, the five RPCs and
// the Ready bundle the core hands its driver. Pure data: no I/O anywhere in src/raft/core.
//
// The shared ids and LogEntry live in src/common/log-types.ts (the state machines apply entries
// without importing the core); they are re-exported here for the core and its driver.
import type { Epoch, LogEntry, NodeId, Offset } from '../../common/log-types.js';

export type { EntryKind, Epoch, LogEntry, NodeId, Offset } from '../../common/log-types.js';

/** A snapshot covers every offset below endOffset; epoch is the epoch of entry endOffset - 1. */
export interface SnapshotId {
  readonly endOffset: Offset;
  readonly epoch: Epoch;
}

/** What `quorum-state` holds: survives restarts so a node never votes twice in an epoch. */
export interface PersistedQuorumState {
  readonly epoch: Epoch;
  readonly leaderId: NodeId | null;
  readonly votedId: NodeId | null;
}

export interface VoteRequest {
  readonly type: 'vote';
  readonly clusterId: string;
  /** The epoch the candidate runs in (for a pre-vote: the epoch it would run in). */
  readonly candidateEpoch: Epoch;
  readonly candidateId: NodeId;
  readonly lastOffsetEpoch: Epoch;
  /** The candidate's log end offset. */
  readonly lastOffset: Offset;
  readonly preVote: boolean;
}

export interface BeginQuorumEpochRequest {
  readonly type: 'beginQuorumEpoch';
  readonly clusterId: string;
  readonly epoch: Epoch;
  readonly leaderId: NodeId;
}

export interface EndQuorumEpochRequest {
  readonly type: 'endQuorumEpoch';
  readonly clusterId: string;
  readonly epoch: Epoch;
  readonly leaderId: NodeId;
  /** Voters in the order they should try to take over (most caught-up first). */
  readonly preferredSuccessors: readonly NodeId[];
}

export interface FetchRequest {
  readonly type: 'fetch';
  readonly clusterId: string;
  readonly replicaId: NodeId;
  /** The fetcher's current epoch. */
  readonly epoch: Epoch;
  /** The fetcher's log end offset: everything below it is durable on the fetcher. */
  readonly fetchOffset: Offset;
  /** Epoch of the entry at fetchOffset - 1 (or of the snapshot when the log is empty). */
  readonly lastFetchedEpoch: Epoch;
  readonly maxBytes: number;
  /** How long the leader may hold the request when it has nothing new (long poll). */
  readonly maxWaitMs: number;
}

export interface FetchSnapshotRequest {
  readonly type: 'fetchSnapshot';
  readonly clusterId: string;
  readonly replicaId: NodeId;
  readonly epoch: Epoch;
  readonly snapshotId: SnapshotId;
  readonly position: number;
  readonly maxBytes: number;
}

export type RaftRequest =
  | VoteRequest
  | BeginQuorumEpochRequest
  | EndQuorumEpochRequest
  | FetchRequest
  | FetchSnapshotRequest;

/** Every response names the responder's epoch and leader (-1 when unknown) so callers learn. */
interface ResponseBase {
  readonly errorCode: number;
  readonly epoch: Epoch;
  readonly leaderId: NodeId;
}

export interface VoteResponse extends ResponseBase {
  readonly type: 'vote';
  readonly voteGranted: boolean;
  readonly preVote: boolean;
}

export interface BeginQuorumEpochResponse extends ResponseBase {
  readonly type: 'beginQuorumEpoch';
}

export interface EndQuorumEpochResponse extends ResponseBase {
  readonly type: 'endQuorumEpoch';
}

export interface FetchResponse extends ResponseBase {
  readonly type: 'fetch';
  /** -1 while the leader does not yet know it (before it commits an entry of its epoch). */
  readonly highWatermark: Offset;
  readonly logStartOffset: Offset;
  readonly divergingEpoch: { readonly epoch: Epoch; readonly endOffset: Offset } | null;
  /** Set when fetchOffset is below the leader's log start: fetch this snapshot instead. */
  readonly snapshotId: SnapshotId | null;
  readonly entries: readonly LogEntry[];
}

export interface FetchSnapshotResponse extends ResponseBase {
  readonly type: 'fetchSnapshot';
  readonly snapshotId: SnapshotId;
  /** Total size of the snapshot in bytes. */
  readonly size: number;
  readonly position: number;
  readonly bytes: Uint8Array;
}

export type RaftResponse =
  | VoteResponse
  | BeginQuorumEpochResponse
  | EndQuorumEpochResponse
  | FetchResponse
  | FetchSnapshotResponse;

/** A request the core wants sent; its answer comes back through handleResponse(correlationId). */
interface OutboundRequest {
  readonly kind: 'request';
  readonly to: NodeId;
  readonly correlationId: number;
  readonly request: RaftRequest;
}

/**
 * An answer to an inbound request (handleRequest's requestId). For fetchSnapshot the core
 * leaves `bytes` empty and sets `snapshotRead`: the driver reads that range from its snapshot
 * store, fills `bytes` and `size`, and then sends.
 */
interface OutboundResponse {
  readonly kind: 'response';
  readonly to: NodeId;
  readonly requestId: number;
  readonly response: RaftResponse;
  readonly snapshotRead?: { readonly snapshotId: SnapshotId; readonly position: number; readonly maxBytes: number };
}

export type OutboundMessage = OutboundRequest | OutboundResponse;

/** A chunk of a snapshot being downloaded from the leader, to write at `position`. */
export interface SnapshotChunk {
  readonly snapshotId: SnapshotId;
  readonly position: number;
  readonly bytes: Uint8Array;
  readonly size: number;
  /** True when this chunk completes the snapshot: the driver then installs it (resetToSnapshot). */
  readonly complete: boolean;
}

/**
 * What the driver must do after an input, in this order:
 *  1. write `snapshotChunk` (and when complete, make the snapshot the log's start: drop every
 *     segment, the log now begins empty at snapshotId.endOffset),
 *  2. truncate the log to `truncateToOffset` (drop entries at and above it),
 *  3. append `entries`,
 *  4. replace `quorum-state` with `quorumState`,
 *  5. fsync all of it, then call core.persisted(ready) — only then may
 *  6. `messages` be sent,
 *  7. `loadSnapshot` be loaded into the state machine, then `committed` be applied in order,
 *  8. segments wholly below `deleteBefore` be deleted (a snapshot now covers them).
 */
export interface Ready {
  readonly snapshotChunk: SnapshotChunk | null;
  readonly truncateToOffset: Offset | null;
  readonly entries: readonly LogEntry[];
  readonly quorumState: PersistedQuorumState | null;
  readonly messages: readonly OutboundMessage[];
  readonly loadSnapshot: SnapshotId | null;
  readonly committed: readonly LogEntry[];
  readonly deleteBefore: Offset | null;
}

/** What a node holds on disk at start-up, as the store recovered it. */
export interface RecoveredLog {
  readonly quorumState: PersistedQuorumState | null;
  /** The newest complete snapshot, if any; the log continues from its endOffset. */
  readonly snapshotId: SnapshotId | null;
  /** Entries from the log start (snapshot end offset, or 0) upwards, contiguous. */
  readonly entries: readonly LogEntry[];
}

export const NO_LEADER = -1;
