// gRPC plumbing for the KRaft RPCs of proto/raft.proto: a server that hands each request to a
// handler (the driver) and a pool of clients, one channel per peer, that send the core's
// requests with a deadline. Conversions live in raft-wire.ts.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { repoPath } from '../../common/paths.js';
import type { Endpoint } from '../../common/node-config.js';
import type { NodeId, RaftRequest, RaftResponse } from '../core/types.js';
import { requestFromWire, requestToWire, responseFromWire, responseToWire, rpcOfRequest, type RpcName, type WireMessage } from './raft-wire.js';
import { connectTarget } from '../../common/connect-address.js';

const loaderOptions: protoLoader.Options = { keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true };

/** Reconnect quickly after a peer restarts: failover and catch-up wait on it. */
export const channelOptions: grpc.ChannelOptions = {
  'grpc.initial_reconnect_backoff_ms': 50,
  'grpc.min_reconnect_backoff_ms': 50,
  'grpc.max_reconnect_backoff_ms': 500,
  'grpc.max_receive_message_length': 64 * 1024 * 1024,
  'grpc.max_send_message_length': 64 * 1024 * 1024,
};

type ServiceClient = grpc.Client & Record<string, grpc.MethodDefinition<WireMessage, WireMessage> | ((...args: unknown[]) => unknown)>;
type ClientConstructor = new (address: string, credentials: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => ServiceClient;

export interface GrpcService {
  readonly service: grpc.ServiceDefinition;
  readonly Client: ClientConstructor;
}

const services = new Map<string, GrpcService>();

/** A service of one of our proto files, e.g. ('raft.proto', 'raftka.raft.KRaft'); loaded once. */
export function serviceFromProto(file: string, qualifiedName: string): GrpcService {
  const key = `${file}#${qualifiedName}`;
  let found = services.get(key);
  if (!found) {
    const definition = protoLoader.loadSync(repoPath('proto', file), loaderOptions);
    let node: unknown = grpc.loadPackageDefinition(definition);
    for (const part of qualifiedName.split('.')) node = (node as Record<string, unknown>)[part];
    const Client = node as ClientConstructor & { service: grpc.ServiceDefinition };
    found = { service: Client.service, Client };
    services.set(key, found);
  }
  return found;
}

export function kraftService(): GrpcService {
  return serviceFromProto('raft.proto', 'raftka.raft.KRaft');
}

/** Call a unary RPC on a generated client as a promise. */
export function callUnary(client: grpc.Client, method: string, request: WireMessage, deadlineMs: number): Promise<WireMessage> {
  return new Promise((resolve, reject) => {
    const fn = (client as unknown as Record<string, (req: WireMessage, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: WireMessage) => void) => void>)[method];
    if (!fn) {
      reject(new Error(`no RPC ${method}`));
      return;
    }
    fn.call(client, request, new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (err, res) => {
      if (err || !res) reject(err ?? new Error('empty response'));
      else resolve(res);
    });
  });
}

export interface RaftServerHandlers {
  handle(request: RaftRequest): Promise<RaftResponse>;
  describeQuorum(): WireMessage;
}

/** Another service to serve on the same listener (the controller's RPCs). */
export interface ExtraService {
  readonly service: grpc.ServiceDefinition;
  readonly implementation: grpc.UntypedServiceImplementation;
}

/** Start the KRaft gRPC server on host:port; resolves with the bound port. */
export async function startRaftServer(endpoint: Endpoint, handlers: RaftServerHandlers, extra: readonly ExtraService[] = []): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server(channelOptions);
  const unary = (rpc: RpcName): grpc.handleUnaryCall<WireMessage, WireMessage> => (call, callback) => {
    let request: RaftRequest;
    try {
      request = requestFromWire(rpc, call.request);
    } catch (err) {
      callback({ code: grpc.status.INVALID_ARGUMENT, details: String(err) });
      return;
    }
    handlers.handle(request).then(
      (response) => callback(null, responseToWire(response)),
      (err: unknown) => callback({ code: grpc.status.UNAVAILABLE, details: err instanceof Error ? err.message : String(err) }),
    );
  };
  server.addService(kraftService().service, {
    Vote: unary('Vote'),
    BeginQuorumEpoch: unary('BeginQuorumEpoch'),
    EndQuorumEpoch: unary('EndQuorumEpoch'),
    Fetch: unary('Fetch'),
    FetchSnapshot: unary('FetchSnapshot'),
    DescribeQuorum: ((_call, callback) => callback(null, handlers.describeQuorum())) as grpc.handleUnaryCall<WireMessage, WireMessage>,
  });
  for (const e of extra) server.addService(e.service, e.implementation);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${endpoint.host}:${endpoint.port}`, grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound)));
  });
  return { server, port };
}

/** One channel per peer; requests carry a deadline and fail fast when the peer is down. */
export class RaftClientPool {
  private readonly clients = new Map<NodeId, grpc.Client>();

  constructor(private readonly peers: ReadonlyMap<NodeId, Endpoint>) {}

  async send(to: NodeId, request: RaftRequest, deadlineMs: number): Promise<RaftResponse> {
    const client = this.client(to);
    const wire = await callUnary(client, rpcOfRequest[request.type], requestToWire(request), deadlineMs);
    return responseFromWire(request.type, wire);
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }

  private client(to: NodeId): grpc.Client {
    let c = this.clients.get(to);
    if (!c) {
      const peer = this.peers.get(to);
      if (!peer) throw new Error(`no address for node ${to}`);
      const { Client } = kraftService();
      c = new Client(connectTarget(`${peer.host}:${peer.port}`), grpc.credentials.createInsecure(), channelOptions);
      this.clients.set(to, c);
    }
    return c;
  }
}
