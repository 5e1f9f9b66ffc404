// Both ends of a replica fetch connection (replica-wire.ts's frames over node:net, or node:tls
// with the node's certificate when the REPLICATION link is mutual TLS).
//   - ReplicaLink: the follower's connection to one leader (broker/replica-fetcher.ts). Connects
//     on first use (through the connect-address map), pipelines: every fetch gets a correlation id
//     and any number may be in flight; each has a deadline. A lost connection fails what was in
//     flight, and the next fetch connects again.
//   - serveReplicaConnection: the leader's side of one accepted connection (the listener front in
//     rpc-security.ts hands it over after the TLS checks; server/replica-service.ts supplies the
//     handler). Requests run concurrently, at most `inflightRequestsMax` per connection (reading
//     pauses beyond), and their answers are written as they finish, record bytes as given.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';
import { connectEndpoint } from '../common/connect-address.js';
import { plaintextRpc, type RpcClientSecurity } from './rpc-security.js';
import {
  decodeFetchRequest,
  decodeFetchResponse,
  encodeFetchRequest,
  encodeFetchResponse,
  encodeTextFrame,
  type Frame,
  FrameKind,
  FrameReader,
  replicaAlpn,
  replicaPreface,
  type ReplicaFetchRequest,
  type ReplicaFetchResponse,
} from './replica-wire.js';

/** Fetches one connection serves at once; the socket is not read while this many run. */
const inflightRequestsMax = 16;
/** Bound on a connection's set-up (TCP and TLS handshake). */
const connectTimeoutMs = 10_000;

/** Why a fetch failed: the connection or the peer (`refused`: the listener would not take this node). */
export class ReplicaLinkError extends Error {
  constructor(
    message: string,
    readonly refused: boolean = false,
  ) {
    super(message);
  }
}

interface Pending {
  readonly resolve: (r: ReplicaFetchResponse) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** The follower's connection to one leader's REPLICATION listener. */
export class ReplicaLink {
  private socket: Socket | null = null;
  private ready: Promise<Socket> | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextCorrelationId = 1;
  private closed = false;
  /** Why the last connection ended (a fetch on a connection gone meanwhile fails with it). */
  private lastError: Error = new ReplicaLinkError('replica link closed');

  /** `address` is the leader's host:port; `security`: plaintext, or TLS with this node's certificate. */
  constructor(
    private readonly address: string,
    private readonly security: RpcClientSecurity = plaintextRpc,
  ) {}

  /** Requests in flight. */
  get inflight(): number {
    return this.pending.size;
  }

  async fetch(request: ReplicaFetchRequest, deadlineMs: number): Promise<ReplicaFetchResponse> {
    if (this.closed) throw new ReplicaLinkError('replica link closed');
    const socket = await this.connected();
    if (this.socket !== socket) throw this.lastError;
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = this.nextCorrelationId >= 0x7fffffff ? 1 : this.nextCorrelationId + 1;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(correlationId);
        reject(new ReplicaLinkError(`replica fetch to ${this.address} timed out after ${deadlineMs} ms`));
      }, deadlineMs);
      this.pending.set(correlationId, { resolve, reject, timer });
      socket.write(encodeFetchRequest(correlationId, request));
    });
  }

  close(): void {
    this.closed = true;
    this.drop(new ReplicaLinkError('replica link closed'));
  }

  private connected(): Promise<Socket> {
    if (this.socket) return Promise.resolve(this.socket);
    this.ready ??= this.open().finally(() => {
      this.ready = null;
    });
    return this.ready;
  }

  private open(): Promise<Socket> {
    const i = this.address.lastIndexOf(':');
    const ep = connectEndpoint({ host: this.address.slice(0, i), port: Number(this.address.slice(i + 1)) });
    const context = this.security.secureContext;
    const socket: Socket = context
      ? tlsConnect({ host: ep.host, port: ep.port, secureContext: context, ALPNProtocols: [replicaAlpn] })
      : netConnect({ host: ep.host, port: ep.port });
    socket.setNoDelay(true);
    const reader = new FrameReader();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => socket.destroy(new Error('connect timed out')), connectTimeoutMs);
      const fail = (err: Error): void => {
        clearTimeout(timer);
        const tlsFailure = context !== undefined && /certificate|ssl|tls|handshake|alert/i.test(err.message);
        if (tlsFailure) this.security.onRefused?.(this.address, err.message);
        const failure = new ReplicaLinkError(`replica link to ${this.address}: ${err.message}`, tlsFailure);
        if (this.socket === socket) this.drop(failure);
        reject(failure);
      };
      socket.once('error', fail);
      socket.once(context ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.off('error', fail);
        socket.on('error', (err) => this.drop(new ReplicaLinkError(`replica link to ${this.address}: ${err.message}`)));
        socket.once('close', () => {
          if (this.socket === socket) this.drop(new ReplicaLinkError(`replica link to ${this.address} closed`));
        });
        socket.write(replicaPreface);
        if (this.closed) {
          socket.destroy();
          reject(new ReplicaLinkError('replica link closed'));
          return;
        }
        this.socket = socket;
        resolve(socket);
      });
      socket.on('data', (chunk: Buffer) => {
        try {
          for (const frame of reader.push(chunk)) this.onFrame(frame);
        } catch (err) {
          socket.destroy();
          this.drop(new ReplicaLinkError(`replica link to ${this.address}: ${(err as Error).message}`));
        }
      });
    });
  }

  private onFrame(frame: Frame): void {
    if (frame.kind === FrameKind.refused) {
      const detail = frame.body.toString('utf8');
      this.security.onRefused?.(this.address, detail);
      this.drop(new ReplicaLinkError(detail, true));
      return;
    }
    const p = this.pending.get(frame.correlationId);
    if (!p) return; // its deadline passed
    this.pending.delete(frame.correlationId);
    clearTimeout(p.timer);
    if (frame.kind === FrameKind.fetched) p.resolve(decodeFetchResponse(frame.body));
    else p.reject(new ReplicaLinkError(`replica fetch failed on ${this.address}: ${frame.body.toString('utf8')}`));
  }

  /** Forgets the connection and fails every fetch in flight on it. */
  private drop(err: Error): void {
    this.lastError = err;
    const socket = this.socket;
    this.socket = null;
    socket?.destroy();
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
  }
}

/** What the leader does with one fetch; rejects to fail that request alone. */
export type ReplicaFetchHandler = (request: ReplicaFetchRequest, signal: AbortSignal) => Promise<ReplicaFetchResponse>;

/**
 * Serves one accepted replica connection until it closes: checks the preface, then runs each
 * FETCH through `handler` and writes its answer. A broken frame closes the connection.
 */
export function serveReplicaConnection(socket: Duplex, handler: ReplicaFetchHandler): void {
  const gone = new AbortController();
  const reader = new FrameReader();
  let preface = Buffer.alloc(0);
  let running = 0;
  const close = (): void => {
    gone.abort();
    socket.destroy();
  };
  const run = (frame: Frame): void => {
    if (frame.kind !== FrameKind.fetch) throw new Error(`unexpected replica frame kind ${frame.kind}`);
    const request = decodeFetchRequest(frame.body);
    running++;
    if (running >= inflightRequestsMax) socket.pause();
    handler(request, gone.signal).then(
      (answer) => write(encodeFetchResponse(frame.correlationId, answer)),
      (err: unknown) =>
        write([
          encodeTextFrame(FrameKind.failed, frame.correlationId, err instanceof Error ? err.message : String(err)),
        ]),
    );
  };
  const write = (chunks: readonly Buffer[]): void => {
    running--;
    if (running < inflightRequestsMax && !gone.signal.aborted) socket.resume();
    if (gone.signal.aborted) return;
    if ('cork' in socket && typeof socket.cork === 'function') socket.cork();
    for (const c of chunks) socket.write(c);
    if ('uncork' in socket && typeof socket.uncork === 'function') socket.uncork();
  };
  socket.on('data', (chunk: Buffer) => {
    try {
      if (preface.length < replicaPreface.length) {
        const need = replicaPreface.length - preface.length;
        preface = Buffer.concat([preface, chunk.subarray(0, need)]);
        chunk = chunk.subarray(need);
        if (!replicaPreface.subarray(0, preface.length).equals(preface)) throw new Error('not a replica connection');
        if (chunk.length === 0) return;
      }
      for (const frame of reader.push(chunk)) run(frame);
    } catch {
      close();
    }
  });
  socket.on('error', close);
  socket.once('close', () => gone.abort());
  socket.resume(); // a listener front may have paused it to sniff its first byte
}

/** Tells a peer the listener will not serve it (REFUSED, then the connection is closed). */
export function refuseReplicaConnection(socket: Duplex, detail: string): void {
  socket.on('error', () => socket.destroy());
  socket.resume();
  socket.end(encodeTextFrame(FrameKind.refused, 0, detail));
}
