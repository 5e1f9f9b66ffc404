// Converts between the core's Raft messages (src/raft/core/types.ts) and the protobuf objects of
// proto/raft.proto as @grpc/proto-loader presents them (camelCase fields, int64 as numbers,
// bytes as Buffers). Entries travel framed exactly as in the segment files (entry-codec).
import type {
  BeginQuorumEpochRequest,
  EndQuorumEpochRequest,
  FetchRequest,
  FetchResponse,
  FetchSnapshotRequest,
  FetchSnapshotResponse,
  RaftRequest,
  RaftResponse,
  SnapshotId,
  VoteRequest,
  VoteResponse,
} from '../core/types.js';
import { decodeEntries, encodeEntries } from './entry-codec.js';

export type RpcName = 'Vote' | 'BeginQuorumEpoch' | 'EndQuorumEpoch' | 'Fetch' | 'FetchSnapshot';

export const rpcOfRequest: Record<RaftRequest['type'], RpcName> = {
  vote: 'Vote',
  beginQuorumEpoch: 'BeginQuorumEpoch',
  endQuorumEpoch: 'EndQuorumEpoch',
  fetch: 'Fetch',
  fetchSnapshot: 'FetchSnapshot',
};

/** A protobuf message object as proto-loader hands it over. */
export type WireMessage = Record<string, unknown>;

function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(v ?? 0);
}

function snapshotIdFromWire(v: unknown): SnapshotId | null {
  if (v === null || v === undefined || typeof v !== 'object') return null;
  const o = v as WireMessage;
  return { endOffset: num(o['endOffset']), epoch: num(o['epoch']) };
}

function bytes(v: unknown): Uint8Array {
  return v instanceof Uint8Array ? v : new Uint8Array(0);
}

export function requestToWire(r: RaftRequest): WireMessage {
  return { ...r } as unknown as WireMessage;
}

/** The request from the wire, tagged by the RPC it arrived on. */
export function requestFromWire(rpc: RpcName, w: WireMessage): RaftRequest {
  const clusterId = String(w['clusterId'] ?? '');
  switch (rpc) {
    case 'Vote':
      return {
        type: 'vote',
        clusterId,
        candidateEpoch: num(w['candidateEpoch']),
        candidateId: num(w['candidateId']),
        lastOffsetEpoch: num(w['lastOffsetEpoch']),
        lastOffset: num(w['lastOffset']),
        preVote: Boolean(w['preVote']),
      } satisfies VoteRequest;
    case 'BeginQuorumEpoch':
      return { type: 'beginQuorumEpoch', clusterId, epoch: num(w['epoch']), leaderId: num(w['leaderId']) } satisfies BeginQuorumEpochRequest;
    case 'EndQuorumEpoch':
      return {
        type: 'endQuorumEpoch',
        clusterId,
        epoch: num(w['epoch']),
        leaderId: num(w['leaderId']),
        preferredSuccessors: Array.isArray(w['preferredSuccessors']) ? w['preferredSuccessors'].map(num) : [],
      } satisfies EndQuorumEpochRequest;
    case 'Fetch':
      return {
        type: 'fetch',
        clusterId,
        replicaId: num(w['replicaId']),
        epoch: num(w['epoch']),
        fetchOffset: num(w['fetchOffset']),
        lastFetchedEpoch: num(w['lastFetchedEpoch']),
        maxBytes: num(w['maxBytes']),
        maxWaitMs: num(w['maxWaitMs']),
      } satisfies FetchRequest;
    case 'FetchSnapshot':
      return {
        type: 'fetchSnapshot',
        clusterId,
        replicaId: num(w['replicaId']),
        epoch: num(w['epoch']),
        snapshotId: snapshotIdFromWire(w['snapshotId']) ?? { endOffset: 0, epoch: 0 },
        position: num(w['position']),
        maxBytes: num(w['maxBytes']),
      } satisfies FetchSnapshotRequest;
  }
}

export function responseToWire(r: RaftResponse): WireMessage {
  switch (r.type) {
    case 'fetch':
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
    default:
      return { ...r } as unknown as WireMessage;
  }
}

/** The response from the wire; `type` comes from the request we sent. */
export function responseFromWire(type: RaftRequest['type'], w: WireMessage): RaftResponse {
  const base = { errorCode: num(w['errorCode']), epoch: num(w['epoch']), leaderId: num(w['leaderId']) };
  switch (type) {
    case 'vote':
      return { ...base, type, voteGranted: Boolean(w['voteGranted']), preVote: Boolean(w['preVote']) } satisfies VoteResponse;
    case 'beginQuorumEpoch':
    case 'endQuorumEpoch':
      return { ...base, type };
    case 'fetch': {
      const d = w['divergingEpoch'];
      const records = bytes(w['records']);
      return {
        ...base,
        type,
        highWatermark: num(w['highWatermark']),
        logStartOffset: num(w['logStartOffset']),
        divergingEpoch:
          d && typeof d === 'object' ? { epoch: num((d as WireMessage)['epoch']), endOffset: num((d as WireMessage)['endOffset']) } : null,
        snapshotId: snapshotIdFromWire(w['snapshotId']),
        entries: records.length > 0 ? decodeEntries(Buffer.from(records.buffer, records.byteOffset, records.byteLength)) : [],
      } satisfies FetchResponse;
    }
    case 'fetchSnapshot':
      return {
        ...base,
        type,
        snapshotId: snapshotIdFromWire(w['snapshotId']) ?? { endOffset: 0, epoch: 0 },
        size: num(w['size']),
        position: num(w['position']),
        bytes: bytes(w['bytes']),
      } satisfies FetchSnapshotResponse;
  }
}
