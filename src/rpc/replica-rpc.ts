// The Replica service of proto/replica.proto, typed: transaction markers and KIP-890 checks
// between brokers (replica fetch itself runs over TCP: replica-link.ts).
import type { ProtoGrpcType } from './generated/replica.js';
import type { ReplicaDefinition } from './generated/raftka/replica/Replica.js';
import type { WriteTxnMarkersRequest } from './generated/raftka/replica/WriteTxnMarkersRequest.js';
import type { VerifyTxnRequest } from './generated/raftka/replica/VerifyTxnRequest.js';
import type { VerifyTxnResponse__Output } from './generated/raftka/replica/VerifyTxnResponse.js';
import type { WriteTxnMarkersResponse__Output } from './generated/raftka/replica/WriteTxnMarkersResponse.js';
import { loadedService, loadProto, RpcChannel, type LoadedService } from './grpc-plumbing.js';
import { plaintextRpc, type RpcClientSecurity } from './rpc-security.js';

export type { ReplicaDefinition };
export type { WriteTxnMarkersRequest, WriteTxnMarkersResponse__Output };
export type { WriteTxnMarkersRequest__Output } from './generated/raftka/replica/WriteTxnMarkersRequest.js';
export type { WriteTxnMarkersResponse } from './generated/raftka/replica/WriteTxnMarkersResponse.js';
export type { VerifyTxnRequest, VerifyTxnResponse__Output };
export type { VerifyTxnRequest__Output } from './generated/raftka/replica/VerifyTxnRequest.js';
export type { VerifyTxnResponse } from './generated/raftka/replica/VerifyTxnResponse.js';

export function replicaService(): LoadedService<ReplicaDefinition> {
  return loadedService(loadProto<ProtoGrpcType>('replica.proto').raftka.replica.Replica);
}

/** One channel to one leader broker's replication listener. */
export class ReplicaClient {
  private readonly channel: RpcChannel<ReplicaDefinition>;

  constructor(address: string, security: RpcClientSecurity = plaintextRpc) {
    this.channel = new RpcChannel(replicaService(), address, security);
  }

  writeTxnMarkers(request: WriteTxnMarkersRequest, deadlineMs: number): Promise<WriteTxnMarkersResponse__Output> {
    return this.channel.call('WriteTxnMarkers', request, deadlineMs);
  }

  verifyTxnPartitions(request: VerifyTxnRequest, deadlineMs: number): Promise<VerifyTxnResponse__Output> {
    return this.channel.call('VerifyTxnPartitions', request, deadlineMs);
  }

  close(): void {
    this.channel.close();
  }
}
