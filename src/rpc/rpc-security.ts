// Mutual TLS for the gRPC links between nodes (the KRaft quorum, the controller RPCs, replica
// fetch): channel credentials for the client side, and the TLS front of a server. The front owns
// the listening socket and terminates TLS itself, then hands each connection to grpc-js (a
// connection injector), so that it can
//   - tell a plaintext peer from a TLS one by the first byte (0x16 starts a TLS handshake) and
//     answer the plaintext one with a gRPC status it can read instead of a dropped connection;
//   - finish the handshake of a peer whose certificate does not verify, and refuse each of its
//     calls with UNAUTHENTICATED and the reason (grpc-js alone would reset the connection and log
//     nothing), before any handler runs;
//   - count and log every refusal with its reason (the caller's `onRefused`).
// A connection is trusted only when OpenSSL verified its client certificate against the
// truststore and `checkPeer` (the principal check of src/security/rpc-tls.ts) accepts it; no call
// of an untrusted connection reaches a service. What a certificate means is decided above this
// layer: here are only node:tls options. Who calls: grpc-plumbing.ts (startRpcServer, RpcChannel);
// src/security/rpc-tls.ts builds the options from a node's ssl.* settings.
// A listener may also carry one raw protocol beside gRPC (the REPLICATION listener's replica fetch
// over TCP, replica-link.ts): a plaintext connection is routed by its first byte, a TLS one by its
// application protocol (ALPN); an untrusted peer of the raw protocol is told why by `refuse`.
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import {
  createSecureContext,
  createServer as createTlsServer,
  type SecureContext,
  type SecureContextOptions,
  type TLSSocket,
  type TlsOptions,
} from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import type { Endpoint } from '../common/node-config.js';

/** Why a server refused a peer (the `reason` label of the refusal metric). */
export type RpcRefusalReason = 'plaintext' | 'no_certificate' | 'untrusted_certificate' | 'principal' | 'handshake';

export interface RpcRefusal {
  /** The peer's host:port. */
  readonly remote: string;
  readonly reason: RpcRefusalReason;
  /** What was wrong, for people (also sent to the peer in the status details, except for handshakes). */
  readonly detail: string;
}

/** How a server of the node's gRPC links authenticates its peers (mutual TLS). */
export interface RpcServerSecurity {
  /** Key, certificate chain, CA certificates, protocol range and ciphers of the listener. */
  readonly tls: TlsOptions;
  /** Who refuses, in the refused peer's status details, e.g. "node 1 (controller listener)". */
  readonly name: string;
  /** A verified peer: why it is still refused (its principal), or null to accept it. */
  readonly checkPeer: (socket: TLSSocket) => string | null;
  /** Called once per refused connection (the caller logs and counts it). */
  readonly onRefused: (refusal: RpcRefusal) => void;
}

/** How a client of the node's gRPC links connects: plaintext, or TLS with the node's certificate. */
export interface RpcClientSecurity {
  readonly credentials: grpc.ChannelCredentials;
  /** Whether `credentials` are TLS. */
  readonly tls: boolean;
  /** The same TLS settings for node:tls connections (raw protocols beside gRPC); absent for plaintext. */
  readonly secureContext?: SecureContext;
  /** Called when a call failed because the peer refused this client or TLS failed (the caller logs it). */
  readonly onRefused?: (target: string, detail: string) => void;
}

export const plaintextRpc: RpcClientSecurity = { credentials: grpc.credentials.createInsecure(), tls: false };

/** Client credentials: TLS with `options` (key, cert, ca, ...); the server's certificate and host name are verified. */
export function tlsRpcClient(
  options: SecureContextOptions,
  onRefused?: (target: string, detail: string) => void,
): RpcClientSecurity {
  const secureContext = createSecureContext(options);
  return {
    credentials: grpc.credentials.createFromSecureContext(secureContext),
    tls: true,
    secureContext,
    ...(onRefused ? { onRefused } : {}),
  };
}

/** Whether a failed call's error says the peer refused us or TLS failed (as opposed to a peer that is down). */
export function refusalDetail(err: unknown): string | null {
  const e = err as { code?: unknown; details?: unknown };
  const details = typeof e.details === 'string' ? e.details : err instanceof Error ? err.message : '';
  if (e.code === grpc.status.UNAUTHENTICATED) return details;
  if (e.code === grpc.status.UNAVAILABLE && /certificate|ssl|tls|handshake|alert/i.test(details)) return details;
  return null;
}

/** The first byte of a TLS connection: a handshake record. */
const tlsHandshakeRecord = 0x16;
/** A connection that sends nothing for this long after connecting is closed (TLS then bounds the handshake). */
const firstByteTimeoutMs = 10_000;
/** Bound on the whole TLS handshake (node:tls's default is 120 s). */
const handshakeTimeoutMs = 10_000;

/** A protocol served on a gRPC listener beside gRPC, on connections it recognises. */
export interface RawProtocol {
  /** The first byte a plaintext connection of this protocol sends (gRPC's preface starts with 'P'). */
  readonly firstByte: number;
  /** The ALPN protocol a TLS connection of this protocol asks for. */
  readonly alpn: string;
  /** Serve a connection (trusted, or on a plaintext listener); its first bytes are still to be read. */
  accept(socket: Duplex): void;
  /** Tell a connection why it is refused, then close it. */
  refuse(socket: Duplex, detail: string): void;
}

/** What `startTlsFront` and `startPlaintextFront` return: the bound port and how to stop listening. */
export interface TlsFront {
  readonly port: number;
  close(): void;
}

/** Raw-protocol connections of a front, destroyed when it closes. */
class RawConnections {
  private readonly open = new Set<Duplex>();

  constructor(readonly protocol: RawProtocol | null) {}

  accept(socket: Duplex): void {
    this.open.add(socket);
    socket.once('close', () => this.open.delete(socket));
    this.protocol?.accept(socket);
  }

  closeAll(): void {
    for (const s of this.open) s.destroy();
    this.open.clear();
  }
}

/**
 * Listens on `endpoint` in plaintext for `server` (whose caller shuts it down) and `raw`: a
 * connection starting with raw's first byte is raw's, the others reach `server`.
 */
export async function startPlaintextFront(
  endpoint: Endpoint,
  server: grpc.Server,
  raw: RawProtocol,
): Promise<TlsFront> {
  const grpcConnections = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const rawConnections = new RawConnections(raw);
  const net = sniffingServer((socket, first) => {
    if (first === raw.firstByte) rawConnections.accept(socket);
    else grpcConnections.injectConnection(plaintextStream(socket));
  });
  return listenFront(net, endpoint, () => rawConnections.closeAll());
}

/**
 * A TCP server that waits for each connection's first byte (at most firstByteTimeoutMs), then
 * hands over the connection paused, with that byte still unread.
 */
function sniffingServer(route: (socket: Socket, first: number) => void): NetServer {
  return createNetServer((socket) => {
    socket.on('error', () => socket.destroy());
    socket.setTimeout(firstByteTimeoutMs, () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      socket.setTimeout(0);
      socket.pause();
      socket.unshift(first);
      route(socket, first[0]!);
    });
  });
}

/** Listens on `endpoint`; the front's close stops the server, then runs `closeRest`. */
function listenFront(net: NetServer, endpoint: Endpoint, closeRest: () => void): Promise<TlsFront> {
  return new Promise<TlsFront>((resolve, reject) => {
    net.once('error', reject);
    net.listen(endpoint.port, endpoint.host, () => {
      net.off('error', reject);
      const address = net.address();
      const port = typeof address === 'object' && address ? address.port : endpoint.port;
      resolve({
        port,
        close: () => {
          net.close();
          closeRest();
        },
      });
    });
  });
}

/**
 * Listens on `endpoint` for `server` (a grpc-js server with its services, which the caller shuts
 * down), terminating TLS: trusted connections reach `server`; the others reach a server of the same
 * services (`services`) whose every call is refused with UNAUTHENTICATED and the reason.
 */
export async function startTlsFront(
  endpoint: Endpoint,
  security: RpcServerSecurity,
  server: grpc.Server,
  services: readonly grpc.ServiceDefinition[],
  raw: RawProtocol | null = null,
): Promise<TlsFront> {
  const plaintextDetail = refusedText(
    security,
    'this listener takes TLS connections with a certificate of the cluster (mutual TLS), not plaintext',
  );
  // Refusal details of refused TLS connections by peer address; a plaintext connection reaches
  // the refusing server as a wrapped stream without an address, and gets plaintextDetail.
  const reasons = new Map<string, string>();
  const refusing = refusingServer(services, (key) =>
    key === null ? plaintextDetail : (reasons.get(key) ?? plaintextDetail),
  );
  const insecure = grpc.ServerCredentials.createInsecure();
  const trusted = server.createConnectionInjector(insecure);
  const refused = refusing.createConnectionInjector(insecure);
  const tlsServer = createTlsServer({
    ...security.tls,
    requestCert: true,
    rejectUnauthorized: false,
    ALPNProtocols: raw ? ['h2', raw.alpn] : ['h2'],
    handshakeTimeout: handshakeTimeoutMs,
  });
  const rawConnections = new RawConnections(raw);
  tlsServer.on('secureConnection', (socket: TLSSocket) => {
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    const verdict = peerVerdict(socket, security);
    const isRaw = raw !== null && socket.alpnProtocol === raw.alpn;
    if (verdict === null) {
      if (isRaw) rawConnections.accept(socket);
      else trusted.injectConnection(socket);
      return;
    }
    security.onRefused({ remote, ...verdict });
    if (isRaw) {
      raw.refuse(socket, refusedText(security, verdict.detail));
      return;
    }
    reasons.set(remote, refusedText(security, verdict.detail));
    socket.once('close', () => reasons.delete(remote));
    refused.injectConnection(socket);
  });
  tlsServer.on('tlsClientError', (err, socket) => {
    security.onRefused({
      remote: socket.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort}` : 'a closed connection',
      reason: 'handshake',
      detail: `TLS handshake failed: ${err.message}`,
    });
  });
  const net = sniffingServer((socket, first) => {
    if (first === tlsHandshakeRecord) {
      tlsServer.emit('connection', socket);
      return;
    }
    security.onRefused({
      remote: `${socket.remoteAddress}:${socket.remotePort}`,
      reason: 'plaintext',
      detail: 'a plaintext connection (this listener is mutual TLS)',
    });
    if (raw !== null && first === raw.firstByte) raw.refuse(socket, plaintextDetail);
    else refused.injectConnection(plaintextStream(socket));
  });
  return listenFront(net, endpoint, () => {
    rawConnections.closeAll();
    refusing.forceShutdown();
  });
}

function refusedText(security: RpcServerSecurity, detail: string): string {
  return `${security.name} refused this connection: ${detail}`;
}

/** null: trusted; else why not. */
function peerVerdict(
  socket: TLSSocket,
  security: RpcServerSecurity,
): { reason: RpcRefusalReason; detail: string } | null {
  const cert = socket.getPeerX509Certificate();
  if (!cert)
    return { reason: 'no_certificate', detail: 'no client certificate (the links between nodes are mutual TLS)' };
  if (!socket.authorized)
    return {
      reason: 'untrusted_certificate',
      detail: `client certificate "${cert.subject.replace(/\n/g, ', ')}" is not signed by this cluster's CA (${String(socket.authorizationError)})`,
    };
  const principal = security.checkPeer(socket);
  return principal === null ? null : { reason: 'principal', detail: principal };
}

/**
 * A grpc-js server of `services` that refuses every call with UNAUTHENTICATED before any handler
 * runs (its interceptor); its handlers refuse too, should a call ever get past it.
 * `detailOf` gets the peer's host:port, or null when the connection has no address.
 */
function refusingServer(
  services: readonly grpc.ServiceDefinition[],
  detailOf: (remote: string | null) => string,
): grpc.Server {
  const refusal = (remote: string | null) => ({
    code: grpc.status.UNAUTHENTICATED,
    details: detailOf(remote),
    metadata: new grpc.Metadata(),
  });
  const server = new grpc.Server({
    interceptors: [
      (_method, call) =>
        new grpc.ServerInterceptingCall(call, {
          start: () => {
            const info = call.getConnectionInfo();
            call.sendStatus(refusal(info.remoteAddress ? `${info.remoteAddress}:${info.remotePort}` : null));
          },
        }),
    ],
  });
  for (const service of services) {
    const implementation: grpc.UntypedServiceImplementation = {};
    for (const method of Object.keys(service))
      implementation[method] = ((_call: grpc.ServerUnaryCall<unknown, unknown>, done: grpc.sendUnaryData<unknown>) =>
        done(refusal(null))) as grpc.handleUnaryCall<unknown, unknown>;
    server.addService(service, implementation);
  }
  return server;
}

/**
 * The plaintext connection as a stream grpc-js's HTTP/2 session can read: its first bytes were
 * read already, and a session on the socket's own handle would not see them again.
 */
function plaintextStream(socket: Socket): Duplex {
  const stream = new Duplex({
    read: () => {
      socket.resume();
    },
    write: (chunk, _encoding, done) => {
      socket.write(chunk, done);
    },
    final: (done) => {
      socket.end(done);
    },
    destroy: (err, done) => {
      socket.destroy(err ?? undefined);
      done(err);
    },
  });
  socket.on('data', (chunk: Buffer) => {
    if (!stream.push(chunk)) socket.pause();
  });
  socket.once('end', () => stream.push(null));
  socket.once('close', () => stream.destroy());
  return stream;
}
