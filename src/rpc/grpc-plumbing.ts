// gRPC plumbing shared by every internal RPC of proto/ (KRaft, controller, replica): loading a
// proto file with the options the generated types in ./generated assume, channel options, typed
// unary calls with a deadline, typed service implementations and the server that hosts them.
// Nothing here knows what a message means; the typed clients beside this file and the services
// in raft/driver and server/ do. Above this layer: raft/driver, broker, controller, client,
// server, cli.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { MethodDefinition } from '@grpc/proto-loader';
import { repoPath } from '../common/paths.js';
import type { Endpoint } from '../common/node-config.js';
import { connectTarget } from '../common/connect-address.js';
import {
  plaintextRpc,
  refusalDetail,
  type RpcClientSecurity,
  type RawProtocol,
  type RpcServerSecurity,
  startPlaintextFront,
  startTlsFront,
} from './rpc-security.js';

/** Must match the options `npm run gen:rpc` passes to proto-loader-gen-types (package.json). */
const loaderOptions: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** Reconnect quickly after a peer restarts: failover and catch-up wait on it. */
const channelOptions: grpc.ChannelOptions = {
  'grpc.initial_reconnect_backoff_ms': 50,
  'grpc.min_reconnect_backoff_ms': 50,
  'grpc.max_reconnect_backoff_ms': 500,
  'grpc.max_receive_message_length': 64 * 1024 * 1024,
  'grpc.max_send_message_length': 64 * 1024 * 1024,
};

/** The method names of a generated service definition (without grpc's string index). */
export type MethodName<D> = keyof { [K in keyof D as string extends K ? never : K]: D[K] } & string;
/** What a caller sends to method M ("input" type: every field optional). */
export type RequestIn<D, M extends MethodName<D>> =
  D[M] extends MethodDefinition<infer Req, infer _Res, infer _ReqOut, infer _ResOut> ? Req : never;
/** What a server receives on method M ("output" type: defaults filled in). */
export type RequestOut<D, M extends MethodName<D>> =
  D[M] extends MethodDefinition<infer _Req, infer _Res, infer ReqOut, infer _ResOut> ? ReqOut : never;
/** What a server answers on method M ("input" type). */
export type ResponseIn<D, M extends MethodName<D>> =
  D[M] extends MethodDefinition<infer _Req, infer Res, infer _ReqOut, infer _ResOut> ? Res : never;
/** What a caller receives from method M ("output" type: defaults filled in). */
export type ResponseOut<D, M extends MethodName<D>> =
  D[M] extends MethodDefinition<infer _Req, infer _Res, infer _ReqOut, infer ResOut> ? ResOut : never;

/** A service of one of our proto files as grpc-js loads it. */
export interface LoadedService<D extends grpc.ServiceDefinition> {
  readonly service: D;
  readonly Client: grpc.ServiceClientConstructor;
}

const packages = new Map<string, unknown>();

/** The package object of one of our proto files, typed by its generated ProtoGrpcType; loaded once. */
export function loadProto<T>(file: string): T {
  let found = packages.get(file);
  if (!found) {
    found = grpc.loadPackageDefinition(protoLoader.loadSync(repoPath('proto', file), loaderOptions));
    packages.set(file, found);
  }
  return found as T;
}

/** The loaded service and client constructor of a generated `Foo: SubtypeConstructor<…> & { service }`. */
export function loadedService<D extends grpc.ServiceDefinition>(node: { service: D }): LoadedService<D> {
  return { service: node.service, Client: node as unknown as grpc.ServiceClientConstructor };
}

/** Call a unary RPC on a client as a promise. */
function callUnary<Res>(client: grpc.Client, method: string, request: unknown, deadlineMs: number): Promise<Res> {
  return new Promise((resolve, reject) => {
    const fn = (
      client as unknown as Record<
        string,
        (
          req: unknown,
          md: grpc.Metadata,
          opts: grpc.CallOptions,
          cb: (err: grpc.ServiceError | null, res?: Res) => void,
        ) => void
      >
    )[method];
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

/** One channel to one server of service D; every call carries a deadline. */
export class RpcChannel<D extends grpc.ServiceDefinition> {
  private readonly client: grpc.Client;

  /**
   * `address` is host:port; the connect-address map may redirect it (jepsen-like proxies).
   * `security`: plaintext, or TLS with this node's certificate (./rpc-security.ts).
   */
  constructor(
    service: LoadedService<D>,
    private readonly address: string,
    private readonly security: RpcClientSecurity = plaintextRpc,
  ) {
    this.client = new service.Client(connectTarget(address), security.credentials, channelOptions);
  }

  call<M extends MethodName<D>>(method: M, request: RequestIn<D, M>, deadlineMs: number): Promise<ResponseOut<D, M>> {
    const sent = callUnary<ResponseOut<D, M>>(this.client, method, request, deadlineMs);
    const onRefused = this.security.onRefused;
    if (!onRefused) return sent;
    return sent.catch((err: unknown) => {
      const detail = refusalDetail(err);
      if (detail !== null) onRefused(this.address, detail);
      throw err;
    });
  }

  close(): void {
    this.client.close();
  }
}

/** A gRPC failure status a handler wants to answer with (instead of the service's default). */
export class RpcStatusError extends Error {
  constructor(
    readonly code: grpc.status,
    readonly details: string,
  ) {
    super(details);
  }
}

/** One handler per method of D: the received request, the answer to send. */
export type ServiceHandlers<D> = {
  readonly [M in MethodName<D>]: (
    request: RequestOut<D, M>,
    call: grpc.ServerUnaryCall<RequestOut<D, M>, ResponseIn<D, M>>,
  ) => Promise<ResponseIn<D, M>> | ResponseIn<D, M>;
};

interface ServiceFailure<D> {
  /** The status of a failed handler (a rejected promise that is not an RpcStatusError). */
  readonly status: grpc.status;
  /** An answer instead of a failure status for some errors (e.g. NOT_CONTROLLER); null: fail. */
  readonly answer?: (err: unknown) => ResponseIn<D, MethodName<D>> | null;
}

/** A service ready to be added to a server. */
export interface RpcService {
  readonly service: grpc.ServiceDefinition;
  readonly implementation: grpc.UntypedServiceImplementation;
}

/** Typed handlers as a grpc-js service implementation. */
export function serviceImplementation<D extends grpc.ServiceDefinition>(
  loaded: LoadedService<D>,
  handlers: ServiceHandlers<D>,
  failure: ServiceFailure<D>,
): RpcService {
  const implementation: grpc.UntypedServiceImplementation = {};
  for (const method of Object.keys(handlers) as MethodName<D>[]) {
    const handler = handlers[method] as (
      request: unknown,
      call: grpc.ServerUnaryCall<unknown, unknown>,
    ) => Promise<unknown> | unknown;
    implementation[method] = ((call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const fail = (err: unknown): void => {
        if (err instanceof RpcStatusError) {
          callback({ code: err.code, details: err.details });
          return;
        }
        const answer = failure.answer?.(err) ?? null;
        if (answer !== null) callback(null, answer);
        else callback({ code: failure.status, details: err instanceof Error ? err.message : String(err) });
      };
      let result: Promise<unknown> | unknown;
      try {
        result = handler(call.request, call);
      } catch (err) {
        fail(err);
        return;
      }
      Promise.resolve(result).then((res) => callback(null, res), fail);
    }) as grpc.handleUnaryCall<unknown, unknown>;
  }
  return { service: loaded.service, implementation };
}

/**
 * A service of definition `service` whose unary methods hand each request's bytes, undecoded, to
 * `forward` and answer with the bytes it resolves (decoding happens where the real handlers are:
 * the quorum thread forwards controller.proto calls to the main thread this way). `forward`
 * rejects with an RpcStatusError to fail the call.
 */
export function forwardingService(
  service: grpc.ServiceDefinition,
  forward: (method: string, request: Buffer) => Promise<Buffer>,
): RpcService {
  const passthrough: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  const implementation: grpc.UntypedServiceImplementation = {};
  for (const [method, def] of Object.entries(service)) {
    passthrough[method] = {
      ...def,
      requestDeserialize: (bytes: Buffer) => bytes,
      responseSerialize: (bytes: Buffer) => bytes,
    } as grpc.MethodDefinition<unknown, unknown>;
    implementation[method] = ((call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      forward(method, call.request).then(
        (response) => callback(null, response),
        (err: unknown) =>
          callback(
            err instanceof RpcStatusError
              ? { code: err.code, details: err.details }
              : { code: grpc.status.UNAVAILABLE, details: err instanceof Error ? err.message : String(err) },
          ),
      );
    }) as grpc.handleUnaryCall<Buffer, Buffer>;
  }
  return { service: passthrough as grpc.ServiceDefinition, implementation };
}

/**
 * Run one unary call of `rpc` from its request bytes: decode, call the implementation, encode the
 * answer. Rejects with an RpcStatusError when the handler fails the call. The other end of
 * forwardingService; handlers get a call object with only `request` (ours read nothing else).
 */
export function callServiceBytes(rpc: RpcService, method: string, request: Buffer): Promise<Buffer> {
  const def = rpc.service[method];
  const impl = rpc.implementation[method] as grpc.handleUnaryCall<unknown, unknown> | undefined;
  if (!def || !impl) return Promise.reject(new RpcStatusError(grpc.status.UNIMPLEMENTED, `no RPC ${method}`));
  let decoded: unknown;
  try {
    decoded = def.requestDeserialize(request);
  } catch (err) {
    return Promise.reject(new RpcStatusError(grpc.status.INVALID_ARGUMENT, String(err)));
  }
  return new Promise((resolve, reject) => {
    const call = { request: decoded } as grpc.ServerUnaryCall<unknown, unknown>;
    impl(call, (err, response) => {
      if (err) reject(new RpcStatusError(err.code ?? grpc.status.UNKNOWN, err.details ?? ''));
      else resolve(def.responseSerialize(response));
    });
  });
}

/** A started server: stop it at once (open calls fail). */
export interface RpcServer {
  forceShutdown(): void;
}

/**
 * Start a gRPC server with these services on host:port; resolves with the bound port. With
 * `security`, the listener is mutual TLS (./rpc-security.ts): only peers with a certificate of
 * the cluster reach the services. With `raw`, the listener also serves that protocol (same rules).
 */
export async function startRpcServer(
  endpoint: Endpoint,
  services: readonly RpcService[],
  security: RpcServerSecurity | null = null,
  raw: RawProtocol | null = null,
): Promise<{ server: RpcServer; port: number }> {
  const server = new grpc.Server(channelOptions);
  for (const s of services) server.addService(s.service, s.implementation);
  if (security || raw) {
    const front = security
      ? await startTlsFront(
          endpoint,
          security,
          server,
          services.map((s) => s.service),
          raw,
        )
      : await startPlaintextFront(endpoint, server, raw!);
    return {
      server: {
        forceShutdown: () => {
          front.close();
          server.forceShutdown();
        },
      },
      port: front.port,
    };
  }
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${endpoint.host}:${endpoint.port}`, grpc.ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    );
  });
  return { server, port };
}
