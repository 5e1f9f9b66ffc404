// The Raft driver's use of the KRaft RPCs of proto/raft.proto: a server that hands each request
// to a handler (the driver) and a pool of clients, one channel per peer, that send the core's
// requests with a deadline. The gRPC plumbing is src/rpc; conversions live in raft-wire.ts.
import * as grpc from '@grpc/grpc-js';
import type { Endpoint } from '../../common/node-config.js';
import {
  RpcStatusError,
  serviceImplementation,
  startRpcServer,
  type RpcServer,
  type RpcService,
} from '../../rpc/grpc-plumbing.js';
import { plaintextRpc, type RpcClientSecurity, type RpcServerSecurity } from '../../rpc/rpc-security.js';
import { KRaftClient, kraftService, type DescribeQuorumResponse, type KRaftHandlers } from '../../rpc/kraft-rpc.js';
import type { NodeId, RaftRequest, RaftResponse } from '../core/types.js';
import {
  beginQuorumEpochRequestFromWire,
  beginQuorumEpochRequestToWire,
  endQuorumEpochRequestFromWire,
  endQuorumEpochRequestToWire,
  fetchRequestFromWire,
  fetchRequestToWire,
  fetchResponseFromWire,
  fetchResponseToWire,
  fetchSnapshotRequestFromWire,
  fetchSnapshotRequestToWire,
  fetchSnapshotResponseFromWire,
  fetchSnapshotResponseToWire,
  quorumEpochResponseFromWire,
  quorumEpochResponseToWire,
  responseOfType,
  voteRequestFromWire,
  voteRequestToWire,
  voteResponseFromWire,
  voteResponseToWire,
} from './raft-wire.js';

interface RaftServerHandlers {
  handle(request: RaftRequest): Promise<RaftResponse>;
  describeQuorum(): DescribeQuorumResponse;
}

/** The request from the wire; a message that does not convert is the caller's INVALID_ARGUMENT. */
function fromWire<W, R>(convert: (w: W) => R, w: W): R {
  try {
    return convert(w);
  } catch (err) {
    throw new RpcStatusError(grpc.status.INVALID_ARGUMENT, String(err));
  }
}

function kraftServiceFor(handlers: RaftServerHandlers): RpcService {
  const h: KRaftHandlers = {
    Vote: async (w) =>
      voteResponseToWire(responseOfType(await handlers.handle(fromWire(voteRequestFromWire, w)), 'vote')),
    BeginQuorumEpoch: async (w) =>
      quorumEpochResponseToWire(
        responseOfType(await handlers.handle(fromWire(beginQuorumEpochRequestFromWire, w)), 'beginQuorumEpoch'),
      ),
    EndQuorumEpoch: async (w) =>
      quorumEpochResponseToWire(
        responseOfType(await handlers.handle(fromWire(endQuorumEpochRequestFromWire, w)), 'endQuorumEpoch'),
      ),
    Fetch: async (w) =>
      fetchResponseToWire(responseOfType(await handlers.handle(fromWire(fetchRequestFromWire, w)), 'fetch')),
    FetchSnapshot: async (w) =>
      fetchSnapshotResponseToWire(
        responseOfType(await handlers.handle(fromWire(fetchSnapshotRequestFromWire, w)), 'fetchSnapshot'),
      ),
    DescribeQuorum: () => handlers.describeQuorum(),
  };
  return serviceImplementation(kraftService(), h, { status: grpc.status.UNAVAILABLE });
}

/**
 * Start the KRaft gRPC server on host:port, with other services on the same listener (the
 * controller's RPCs), mutual TLS with `security`; resolves with the bound port.
 */
export async function startRaftServer(
  endpoint: Endpoint,
  handlers: RaftServerHandlers,
  extra: readonly RpcService[] = [],
  security: RpcServerSecurity | null = null,
): Promise<{ server: RpcServer; port: number }> {
  return startRpcServer(endpoint, [kraftServiceFor(handlers), ...extra], security);
}

/** One channel per peer; requests carry a deadline and fail fast when the peer is down. */
export class RaftClientPool {
  private readonly clients = new Map<NodeId, KRaftClient>();

  constructor(
    private readonly peers: ReadonlyMap<NodeId, Endpoint>,
    private readonly security: RpcClientSecurity = plaintextRpc,
  ) {}

  async send(to: NodeId, request: RaftRequest, deadlineMs: number): Promise<RaftResponse> {
    const client = this.client(to);
    switch (request.type) {
      case 'vote':
        return voteResponseFromWire(await client.vote(voteRequestToWire(request), deadlineMs));
      case 'beginQuorumEpoch':
        return quorumEpochResponseFromWire(
          request.type,
          await client.beginQuorumEpoch(beginQuorumEpochRequestToWire(request), deadlineMs),
        );
      case 'endQuorumEpoch':
        return quorumEpochResponseFromWire(
          request.type,
          await client.endQuorumEpoch(endQuorumEpochRequestToWire(request), deadlineMs),
        );
      case 'fetch':
        return fetchResponseFromWire(await client.fetch(fetchRequestToWire(request), deadlineMs));
      case 'fetchSnapshot':
        return fetchSnapshotResponseFromWire(
          await client.fetchSnapshot(fetchSnapshotRequestToWire(request), deadlineMs),
        );
    }
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }

  private client(to: NodeId): KRaftClient {
    let c = this.clients.get(to);
    if (!c) {
      const peer = this.peers.get(to);
      if (!peer) throw new Error(`no address for node ${to}`);
      c = new KRaftClient(`${peer.host}:${peer.port}`, this.security);
      this.clients.set(to, c);
    }
    return c;
  }
}
