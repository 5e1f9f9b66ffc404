// The Replica service of proto/replica.proto, typed: the follower's fetch client and the handler
// shape of the leader's server.
import type { ProtoGrpcType } from './generated/replica.js';
import type { ReplicaDefinition } from './generated/raftka/replica/Replica.js';
import type { ReplicaFetchRequest } from './generated/raftka/replica/ReplicaFetchRequest.js';
import type { ReplicaFetchResponse__Output } from './generated/raftka/replica/ReplicaFetchResponse.js';
import { loadedService, loadProto, RpcChannel, type LoadedService, type ServiceHandlers } from './grpc-plumbing.js';

export type { ReplicaDefinition, ReplicaFetchRequest, ReplicaFetchResponse__Output };
export type { ReplicaFetchRequest__Output } from './generated/raftka/replica/ReplicaFetchRequest.js';
export type { ReplicaFetchResponse } from './generated/raftka/replica/ReplicaFetchResponse.js';
export type { FetchedPartition, FetchedPartition__Output } from './generated/raftka/replica/FetchedPartition.js';

export function replicaService(): LoadedService<ReplicaDefinition> {
  return loadedService(loadProto<ProtoGrpcType>('replica.proto').raftka.replica.Replica);
}

/** One channel to one leader broker's replication listener. */
export class ReplicaClient {
  private readonly channel: RpcChannel<ReplicaDefinition>;

  constructor(address: string) {
    this.channel = new RpcChannel(replicaService(), address);
  }

  fetch(request: ReplicaFetchRequest, deadlineMs: number): Promise<ReplicaFetchResponse__Output> {
    return this.channel.call('Fetch', request, deadlineMs);
  }

  close(): void {
    this.channel.close();
  }
}
