// The gRPC definition of proto/replica.proto, shared by the follower's fetcher and the leader's server.
import type * as grpc from '@grpc/grpc-js';
import { serviceFromProto } from '../raft/driver/grpc-transport.js';

export function replicaService(): { service: grpc.ServiceDefinition; Client: grpc.ServiceClientConstructor } {
  const s = serviceFromProto('replica.proto', 'raftka.replica.Replica');
  return { service: s.service, Client: s.Client as unknown as grpc.ServiceClientConstructor };
}
