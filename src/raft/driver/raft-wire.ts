// Converts between the core's Raft messages (src/raft/core/types.ts) and the typed protobuf
// messages of proto/raft.proto (src/rpc/generated: camelCase fields, int64 as numbers, bytes as
// Buffers; received messages have every field, defaults filled in). Entries travel framed
// exactly as in the segment files (entry-codec).
import { assert } from '../../common/assert.js';
import type {
  BeginQuorumEpochRequest,
  BeginQuorumEpochResponse,
  EndQuorumEpochRequest,
  EndQuorumEpochResponse,
  FetchRequest,
  FetchResponse,
  FetchSnapshotRequest,
  FetchSnapshotResponse,
  RaftResponse,
  SnapshotId,
  VoteRequest,
  VoteResponse,
} from '../core/types.js';
import type * as wire from '../../rpc/kraft-rpc.js';
import { decodeEntries, encodeEntries } from './entry-codec.js';

function snapshotIdFromWire(w: wire.SnapshotId__Output | null): SnapshotId | null {
  return w === null ? null : { endOffset: w.endOffset, epoch: w.epoch };
}

// ------------------------------------------------------------ requests

export function voteRequestToWire(r: VoteRequest): wire.VoteRequest {
  return {
    clusterId: r.clusterId,
    candidateEpoch: r.candidateEpoch,
    candidateId: r.candidateId,
    lastOffsetEpoch: r.lastOffsetEpoch,
    lastOffset: r.lastOffset,
    preVote: r.preVote,
  };
}

export function voteRequestFromWire(w: wire.VoteRequest__Output): VoteRequest {
  return {
    type: 'vote',
    clusterId: w.clusterId,
    candidateEpoch: w.candidateEpoch,
    candidateId: w.candidateId,
    lastOffsetEpoch: w.lastOffsetEpoch,
    lastOffset: w.lastOffset,
    preVote: w.preVote,
  };
}

export function beginQuorumEpochRequestToWire(r: BeginQuorumEpochRequest): wire.BeginQuorumEpochRequest {
  return { clusterId: r.clusterId, epoch: r.epoch, leaderId: r.leaderId };
}

export function beginQuorumEpochRequestFromWire(w: wire.BeginQuorumEpochRequest__Output): BeginQuorumEpochRequest {
  return { type: 'beginQuorumEpoch', clusterId: w.clusterId, epoch: w.epoch, leaderId: w.leaderId };
}

export function endQuorumEpochRequestToWire(r: EndQuorumEpochRequest): wire.EndQuorumEpochRequest {
  return {
    clusterId: r.clusterId,
    epoch: r.epoch,
    leaderId: r.leaderId,
    preferredSuccessors: [...r.preferredSuccessors],
  };
}

export function endQuorumEpochRequestFromWire(w: wire.EndQuorumEpochRequest__Output): EndQuorumEpochRequest {
  return {
    type: 'endQuorumEpoch',
    clusterId: w.clusterId,
    epoch: w.epoch,
    leaderId: w.leaderId,
    preferredSuccessors: w.preferredSuccessors,
  };
}

export function fetchRequestToWire(r: FetchRequest): wire.FetchRequest {
  return {
    clusterId: r.clusterId,
    replicaId: r.replicaId,
    epoch: r.epoch,
    fetchOffset: r.fetchOffset,
    lastFetchedEpoch: r.lastFetchedEpoch,
    maxBytes: r.maxBytes,
    maxWaitMs: r.maxWaitMs,
  };
}

export function fetchRequestFromWire(w: wire.FetchRequest__Output): FetchRequest {
  return {
    type: 'fetch',
    clusterId: w.clusterId,
    replicaId: w.replicaId,
    epoch: w.epoch,
    fetchOffset: w.fetchOffset,
    lastFetchedEpoch: w.lastFetchedEpoch,
    maxBytes: w.maxBytes,
    maxWaitMs: w.maxWaitMs,
  };
}

export function fetchSnapshotRequestToWire(r: FetchSnapshotRequest): wire.FetchSnapshotRequest {
  return {
    clusterId: r.clusterId,
    replicaId: r.replicaId,
    epoch: r.epoch,
    snapshotId: r.snapshotId,
    position: r.position,
    maxBytes: r.maxBytes,
  };
}

export function fetchSnapshotRequestFromWire(w: wire.FetchSnapshotRequest__Output): FetchSnapshotRequest {
  return {
    type: 'fetchSnapshot',
    clusterId: w.clusterId,
    replicaId: w.replicaId,
    epoch: w.epoch,
    snapshotId: snapshotIdFromWire(w.snapshotId) ?? { endOffset: 0, epoch: 0 },
    position: w.position,
    maxBytes: w.maxBytes,
  };
}

// ------------------------------------------------------------ responses

/** The core answers each request with a response of the request's type. */
export function responseOfType<T extends RaftResponse['type']>(
  r: RaftResponse,
  type: T,
): Extract<RaftResponse, { type: T }> {
  assert(r.type === type, `a ${type} request was answered with a ${r.type} response`);
  return r as Extract<RaftResponse, { type: T }>;
}

export function voteResponseToWire(r: VoteResponse): wire.VoteResponse {
  return {
    errorCode: r.errorCode,
    epoch: r.epoch,
    leaderId: r.leaderId,
    voteGranted: r.voteGranted,
    preVote: r.preVote,
  };
}

export function voteResponseFromWire(w: wire.VoteResponse__Output): VoteResponse {
  return {
    type: 'vote',
    errorCode: w.errorCode,
    epoch: w.epoch,
    leaderId: w.leaderId,
    voteGranted: w.voteGranted,
    preVote: w.preVote,
  };
}

export function quorumEpochResponseToWire(
  r: BeginQuorumEpochResponse | EndQuorumEpochResponse,
): wire.QuorumEpochResponse {
  return { errorCode: r.errorCode, epoch: r.epoch, leaderId: r.leaderId };
}

export function quorumEpochResponseFromWire<T extends 'beginQuorumEpoch' | 'endQuorumEpoch'>(
  type: T,
  w: wire.QuorumEpochResponse__Output,
): { type: T; errorCode: number; epoch: number; leaderId: number } {
  return { type, errorCode: w.errorCode, epoch: w.epoch, leaderId: w.leaderId };
}

export function fetchResponseToWire(r: FetchResponse): wire.FetchResponse {
  return {
    errorCode: r.errorCode,
    epoch: r.epoch,
    leaderId: r.leaderId,
    highWatermark: r.highWatermark,
    logStartOffset: r.logStartOffset,
    divergingEpoch: r.divergingEpoch,
    snapshotId: r.snapshotId,
    records: r.entries.length > 0 ? encodeEntries(r.entries) : Buffer.alloc(0),
  };
}

export function fetchResponseFromWire(w: wire.FetchResponse__Output): FetchResponse {
  const d = w.divergingEpoch;
  const records = w.records;
  return {
    type: 'fetch',
    errorCode: w.errorCode,
    epoch: w.epoch,
    leaderId: w.leaderId,
    highWatermark: w.highWatermark,
    logStartOffset: w.logStartOffset,
    divergingEpoch: d !== null ? { epoch: d.epoch, endOffset: d.endOffset } : null,
    snapshotId: snapshotIdFromWire(w.snapshotId),
    entries:
      records.length > 0 ? decodeEntries(Buffer.from(records.buffer, records.byteOffset, records.byteLength)) : [],
  };
}

export function fetchSnapshotResponseToWire(r: FetchSnapshotResponse): wire.FetchSnapshotResponse {
  return {
    errorCode: r.errorCode,
    epoch: r.epoch,
    leaderId: r.leaderId,
    snapshotId: r.snapshotId,
    size: r.size,
    position: r.position,
    bytes: r.bytes,
  };
}

export function fetchSnapshotResponseFromWire(w: wire.FetchSnapshotResponse__Output): FetchSnapshotResponse {
  return {
    type: 'fetchSnapshot',
    errorCode: w.errorCode,
    epoch: w.epoch,
    leaderId: w.leaderId,
    snapshotId: snapshotIdFromWire(w.snapshotId) ?? { endOffset: 0, epoch: 0 },
    size: w.size,
    position: w.position,
    bytes: w.bytes,
  };
}
