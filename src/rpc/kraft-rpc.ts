// The KRaft service of proto/raft.proto, typed: a client with one method per RPC (the Raft
// driver's peer channels, the metadata-quorum tool) and the handler shape of its server.
import type { ProtoGrpcType } from './generated/raft.js';
import type { KRaftDefinition } from './generated/raftka/raft/KRaft.js';
import type { BeginQuorumEpochRequest } from './generated/raftka/raft/BeginQuorumEpochRequest.js';
import type { DescribeQuorumRequest } from './generated/raftka/raft/DescribeQuorumRequest.js';
import type { DescribeQuorumResponse__Output } from './generated/raftka/raft/DescribeQuorumResponse.js';
import type { EndQuorumEpochRequest } from './generated/raftka/raft/EndQuorumEpochRequest.js';
import type { FetchRequest } from './generated/raftka/raft/FetchRequest.js';
import type { FetchResponse__Output } from './generated/raftka/raft/FetchResponse.js';
import type { FetchSnapshotRequest } from './generated/raftka/raft/FetchSnapshotRequest.js';
import type { FetchSnapshotResponse__Output } from './generated/raftka/raft/FetchSnapshotResponse.js';
import type { QuorumEpochResponse__Output } from './generated/raftka/raft/QuorumEpochResponse.js';
import type { VoteRequest } from './generated/raftka/raft/VoteRequest.js';
import type { VoteResponse__Output } from './generated/raftka/raft/VoteResponse.js';
import { loadedService, loadProto, RpcChannel, type LoadedService, type ServiceHandlers } from './grpc-plumbing.js';
import { plaintextRpc, type RpcClientSecurity } from './rpc-security.js';

export type { KRaftDefinition };
export type {
  BeginQuorumEpochRequest,
  BeginQuorumEpochRequest__Output,
} from './generated/raftka/raft/BeginQuorumEpochRequest.js';
export type {
  DescribeQuorumRequest,
  DescribeQuorumRequest__Output,
} from './generated/raftka/raft/DescribeQuorumRequest.js';
export type {
  DescribeQuorumResponse,
  DescribeQuorumResponse__Output,
} from './generated/raftka/raft/DescribeQuorumResponse.js';
export type { DivergingEpoch, DivergingEpoch__Output } from './generated/raftka/raft/DivergingEpoch.js';
export type {
  EndQuorumEpochRequest,
  EndQuorumEpochRequest__Output,
} from './generated/raftka/raft/EndQuorumEpochRequest.js';
export type { FetchRequest, FetchRequest__Output } from './generated/raftka/raft/FetchRequest.js';
export type { FetchResponse, FetchResponse__Output } from './generated/raftka/raft/FetchResponse.js';
export type {
  FetchSnapshotRequest,
  FetchSnapshotRequest__Output,
} from './generated/raftka/raft/FetchSnapshotRequest.js';
export type {
  FetchSnapshotResponse,
  FetchSnapshotResponse__Output,
} from './generated/raftka/raft/FetchSnapshotResponse.js';
export type { QuorumEpochResponse, QuorumEpochResponse__Output } from './generated/raftka/raft/QuorumEpochResponse.js';
export type { ReplicaState, ReplicaState__Output } from './generated/raftka/raft/ReplicaState.js';
export type { SnapshotId, SnapshotId__Output } from './generated/raftka/raft/SnapshotId.js';
export type { VoteRequest, VoteRequest__Output } from './generated/raftka/raft/VoteRequest.js';
export type { VoteResponse, VoteResponse__Output } from './generated/raftka/raft/VoteResponse.js';

/** What a KRaft server implements: one handler per RPC. */
export type KRaftHandlers = ServiceHandlers<KRaftDefinition>;

export function kraftService(): LoadedService<KRaftDefinition> {
  return loadedService(loadProto<ProtoGrpcType>('raft.proto').raftka.raft.KRaft);
}

/** One channel to one node's KRaft listener. */
export class KRaftClient {
  private readonly channel: RpcChannel<KRaftDefinition>;

  constructor(address: string, security: RpcClientSecurity = plaintextRpc) {
    this.channel = new RpcChannel(kraftService(), address, security);
  }

  vote(request: VoteRequest, deadlineMs: number): Promise<VoteResponse__Output> {
    return this.channel.call('Vote', request, deadlineMs);
  }

  beginQuorumEpoch(request: BeginQuorumEpochRequest, deadlineMs: number): Promise<QuorumEpochResponse__Output> {
    return this.channel.call('BeginQuorumEpoch', request, deadlineMs);
  }

  endQuorumEpoch(request: EndQuorumEpochRequest, deadlineMs: number): Promise<QuorumEpochResponse__Output> {
    return this.channel.call('EndQuorumEpoch', request, deadlineMs);
  }

  fetch(request: FetchRequest, deadlineMs: number): Promise<FetchResponse__Output> {
    return this.channel.call('Fetch', request, deadlineMs);
  }

  fetchSnapshot(request: FetchSnapshotRequest, deadlineMs: number): Promise<FetchSnapshotResponse__Output> {
    return this.channel.call('FetchSnapshot', request, deadlineMs);
  }

  describeQuorum(request: DescribeQuorumRequest, deadlineMs: number): Promise<DescribeQuorumResponse__Output> {
    return this.channel.call('DescribeQuorum', request, deadlineMs);
  }

  close(): void {
    this.channel.close();
  }
}
