// The Kafka TCP listener: size-prefixed frames in, responses out in request order per connection
// (many requests may be in flight; each is handled as soon as it arrives, and answers wait for
// the ones before them). A malformed or oversized frame, or a request we cannot decode, closes
// only that connection, with a logged reason and a metric. ApiVersions at a version we do not
// serve gets error 35 with our ranges (KIP-511); any other unsupported API or version closes the
// connection, as Kafka's SocketServer does, since no response shape exists for it. The handlers
// and their contract are the broker's (src/broker/api-context.ts); this file only serves them.
//
// Security (src/security/): an SSL or SASL_SSL listener is a TLS server; a TLS client certificate
// gives the connection's principal. On a SASL listener each request is gated when its frame
// arrives, in order: before the login only ApiVersions and SaslHandshake/SaslAuthenticate pass
// (anything else closes the connection, as Kafka's SaslServerAuthenticator does); SASL requests
// are answered here from the connection's SaslServerSession; a refused login is answered, then the
// connection closes after connection.failed.authentication.delay.ms; once the session has expired
// (connections.max.reauth.ms) the next request that is not a re-authentication closes it.
//
// Client quotas (KIP-219): an answer the broker throttled (RequestThrottle from the handlers'
// registry) is written at once with its throttle time, then the connection is muted: nothing more
// is read from it until the throttle time has passed. For request versions older than client-side
// throttling the answer itself is held back for that time (the connection muted meanwhile).
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { ListenerAuthenticator } from '../security/listener-auth.js';
import { anonymousPrincipal } from '../security/principal.js';
import type { SaslServerSession } from '../security/sasl-server.js';
import { saslAuthenticateApi } from '../protocol/messages/sasl-authenticate.js';
import { saslHandshakeApi } from '../protocol/messages/sasl-handshake.js';
import { encodeResponseFrame } from '../protocol/frame.js';
import type { Logger } from 'pino';
import type { KafkaRequestMetrics } from './kafka-request-metrics.js';
import type { Endpoint } from '../common/node-config.js';
import type { KafkaApis, RequestContext, RequestThrottle } from '../broker/api-context.js';
import { apiFor, unsupportedApiVersionsResponse } from '../protocol/apis.js';
import type { AnyApi } from '../protocol/apis.js';
import { PeerInputError, ProtocolDecodeError, ProtocolEncodeError } from '../protocol/errors.js';
import { encodeRawResponseFrame, FrameSplitter } from '../protocol/frame.js';
import { apiVersionsKey, decodeRequestHeader, type RequestHeader } from '../protocol/header.js';
import { Reader } from '../protocol/primitives/reader.js';

/** Bound on requests in flight on one connection; beyond it the socket is paused (back-pressure). */
const inFlightMax = 100;
/** Kafka's sasl.server.max.receive.size default: the largest request taken before a SASL login. */
const saslReceiveBytesMax = 524_288;
/** After a refused login is answered and the socket ended, how long the client has to close its side. */
const closingGraceMs = 5000;

export interface KafkaServerOptions {
  readonly listener: Endpoint & { readonly name: string };
  readonly logger: Logger;
  /** Shared by every listener of the node. */
  readonly metrics: KafkaRequestMetrics;
  readonly requestBytesMax: number;
  readonly handlers: KafkaApis;
  /** TLS and SASL of this listener; absent on a PLAINTEXT listener without it. */
  readonly auth?: ListenerAuthenticator;
}

/** The connection facts every request of it carries; `principal` changes when a SASL login completes. */
type ConnectionFacts = Omit<RequestContext, 'header'>;

export class KafkaServer {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private nextConnectionId = 1;

  constructor(private readonly options: KafkaServerOptions) {}

  async start(): Promise<number> {
    const tls = this.options.auth?.tls ?? null;
    const server = tls
      ? createTlsServer(tls, (socket) => this.acceptTls(socket))
      : createServer((socket) => this.accept(socket, anonymousPrincipal));
    if (tls) {
      server.on('tlsClientError', (err: Error, socket: TLSSocket) => {
        this.options.auth?.metrics.tlsHandshakeFailures.inc({ listener: this.options.listener.name });
        this.options.logger.info(
          { client: `${socket.remoteAddress}:${socket.remotePort}`, err: err.message },
          'TLS handshake failed',
        );
        socket.destroy();
      });
    }
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.listener.port, this.options.listener.host, () => resolve());
    });
    const address = server.address();
    return typeof address === 'object' && address ? address.port : this.options.listener.port;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** A TLS connection whose handshake completed: its principal from the client certificate, if any. */
  private acceptTls(socket: TLSSocket): void {
    let principal: string;
    try {
      principal = this.options.auth!.tlsPrincipal(socket);
    } catch (err) {
      this.options.auth?.metrics.tlsHandshakeFailures.inc({ listener: this.options.listener.name });
      this.options.logger.info(
        {
          client: `${socket.remoteAddress}:${socket.remotePort}`,
          err: err instanceof Error ? err.message : String(err),
        },
        'TLS client refused',
      );
      socket.destroy();
      return;
    }
    this.accept(socket, principal);
  }

  private accept(socket: Socket, tlsPrincipal: string): void {
    const connectionId = this.nextConnectionId++;
    const log = this.options.logger.child({ connectionId, client: `${socket.remoteAddress}:${socket.remotePort}` });
    const metrics = this.options.metrics;
    const listener = { listener: this.options.listener.name };
    this.sockets.add(socket);
    metrics.connections.inc(listener);
    socket.setNoDelay(true);
    const splitter = new FrameSplitter(this.options.requestBytesMax);
    const gone = new AbortController();
    // Responses leave in request order: each request appends a promise of its frame chunks.
    let tail: Promise<void> = Promise.resolve();
    let inFlight = 0;
    let closed = false;
    /** A refused login was answered: no further request is read, and the socket closes soon. */
    let closing = false;
    const session = this.options.auth?.newSaslSession() ?? null;
    const mayRead = (): boolean => !closed && inFlight < inFlightMax && !muted.active();
    const muted = new ConnectionMute(socket, mayRead);
    const fail = (reason: string, err: unknown, request: RequestFields | null = null): void => {
      if (closed) return;
      closed = true;
      metrics.closedOnError.inc({ reason });
      log.warn(
        { reason, err: err instanceof Error ? err.message : String(err), ...request },
        'closing Kafka connection',
      );
      socket.destroy();
    };
    socket.on('data', (chunk: Buffer) => {
      let frames: Buffer[];
      try {
        frames = splitter.push(chunk);
      } catch (err) {
        fail('bad-frame', err);
        return;
      }
      // Before a SASL login a client may not make the broker hold more than Kafka's
      // sasl.server.max.receive.size (512 KiB), in one request or in bytes still arriving.
      if (
        session?.principal === null &&
        (splitter.bufferedBytes > saslReceiveBytesMax || frames.some((f) => f.length > saslReceiveBytesMax))
      ) {
        fail('bad-frame', new Error(`more than ${saslReceiveBytesMax} bytes before the SASL login`));
        return;
      }
      for (const frame of frames) {
        if (closed || closing) return;
        const arrivedAt = performance.now();
        // Run once the answer has left (its write completed or failed) or will never be written.
        const sentHooks: (() => void)[] = [];
        const afterSent = (): void => {
          for (const fn of sentHooks.splice(0)) fn();
        };
        const conn: ConnectionFacts = {
          listenerName: this.options.listener.name,
          clientHost: socket.remoteAddress ?? '',
          connectionId,
          principal: session?.principal ?? tlsPrincipal,
          signal: gone.signal,
          afterSend: (fn) => void sentHooks.push(fn),
        };
        const routed = this.route(frame, session, conn, log);
        if ('close' in routed) {
          fail(routed.close, new Error(routed.message));
          return;
        }
        // Settled at once into a value: a rejection must never wait unhandled for its turn.
        const answer: Promise<Handled | { err: unknown }> = routed.answer.then(
          (handled) => handled,
          (err: unknown) => ({ err }),
        );
        const closeAfterMs = routed.closeAfterMs;
        if (closeAfterMs !== null) closing = true;
        inFlight++;
        if (inFlight >= inFlightMax) socket.pause();
        tail = tail.then(async () => {
          const result = await answer;
          inFlight--;
          if (mayRead()) socket.resume();
          if ('err' in result) {
            afterSent();
            const { reason, err, request } = failureOf(result.err);
            if (reason === 'handler-error' || reason === 'encode-error')
              log.error({ err, ...request }, 'request failed');
            fail(reason, err, request);
            return;
          }
          if (result.throttle && !closed) await muted.throttle(result.throttle, result.chunks !== null);
          const chunks = result.chunks;
          if (closed || chunks === null) return afterSent();
          writeAnswer(socket, { ...result, chunks }, metrics, () => {
            afterSent();
            const sentAt = performance.now();
            metrics.totalTime.observe({ api: result.api }, (sentAt - arrivedAt) / 1000);
            // Kafka's request log (kafka.request.logger at DEBUG): one line per request answered.
            if (log.isLevelEnabled('debug'))
              log.debug({ ...result.request, totalMs: sentAt - arrivedAt }, 'request answered');
          });
          if (closeAfterMs !== null) {
            // end() lets the answer leave first; destroy() if the client never closes its side.
            setTimeout(() => {
              socket.end();
              setTimeout(() => socket.destroy(), closingGraceMs).unref();
            }, closeAfterMs).unref();
          }
        });
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      closed = true;
      muted.close();
      gone.abort();
      this.sockets.delete(socket);
      metrics.connections.dec(listener);
    });
  }

  /**
   * What to do with one frame, decided when it arrives: serve it, answer it from the SASL session,
   * or close the connection. `closeAfterMs`: close that long after the answer is written.
   */
  private route(
    frame: Buffer,
    session: SaslServerSession | null,
    conn: ConnectionFacts,
    log: Logger,
  ): { answer: Promise<Handled>; closeAfterMs: number | null } | { close: string; message: string } {
    // Dispatched only once the gate lets the request through.
    const serve = (): { answer: Promise<Handled>; closeAfterMs: null } => ({
      answer: this.handleFrame(frame, conn),
      closeAfterMs: null,
    });
    if (!session) return serve();
    const apiKey = frame.length >= 2 ? frame.readInt16BE(0) : -1;
    const listener = this.options.listener.name;
    switch (session.gate(apiKey)) {
      case 'serve':
        return serve();
      case 'unauthenticated':
        return { close: 'unauthenticated', message: `api key ${apiKey} before SASL authentication completed` };
      case 'expired':
        this.options.auth?.metrics.expiredConnectionsKilled.inc({ listener });
        return { close: 'session-expired', message: 'SASL session expired (connections.max.reauth.ms)' };
      case 'raw-token':
        return this.rawToken(frame, session, log);
      case 'sasl':
        return this.saslRequest(frame, session, log);
    }
  }

  /** A token after a SaslHandshake v0: unframed by Kafka headers, answered the same way. */
  private rawToken(
    frame: Buffer,
    session: SaslServerSession,
    log: Logger,
  ): { answer: Promise<Handled>; closeAfterMs: number | null } | { close: string; message: string } {
    const a = session.authenticate(frame);
    if (a.close) {
      log.info({ mechanism: session.mechanismName, reason: a.reason }, 'SASL authentication failed');
      return { close: 'authentication-failed', message: a.errorMessage ?? 'authentication failed' };
    }
    const size = Buffer.alloc(4);
    size.writeInt32BE(a.authBytes.length);
    const request = { api: 'SaslAuthenticate', apiVersion: 0, clientId: null, correlationId: -1 };
    return {
      answer: Promise.resolve({
        chunks: [size, a.authBytes],
        api: 'SaslAuthenticate',
        readyAt: performance.now(),
        request,
      }),
      closeAfterMs: null,
    };
  }

  /** SaslHandshake or SaslAuthenticate on a SASL listener, answered from the connection's session. */
  private saslRequest(
    frame: Buffer,
    session: SaslServerSession,
    log: Logger,
  ): { answer: Promise<Handled>; closeAfterMs: number | null } | { close: string; message: string } {
    let header: RequestHeader;
    let chunks: Buffer[];
    let close: boolean;
    try {
      header = decodeRequestHeader(frame);
      const reader = new Reader(frame, header.bodyOffset);
      if (header.apiKey === saslHandshakeApi.key) {
        const req = saslHandshakeApi.decodeRequest(header.apiVersion, reader);
        const a = session.handshake(req.mechanism, header.apiVersion);
        chunks = encodeResponseFrame(saslHandshakeApi, header.apiVersion, header.correlationId, a);
        close = a.close;
      } else {
        const req = saslAuthenticateApi.decodeRequest(header.apiVersion, reader);
        const a = session.authenticate(req.authBytes);
        if (a.errorCode !== 0)
          log.info({ mechanism: session.mechanismName, reason: a.reason }, 'SASL authentication failed');
        chunks = encodeResponseFrame(saslAuthenticateApi, header.apiVersion, header.correlationId, a);
        close = a.close;
      }
    } catch (err) {
      return { close: 'bad-request', message: err instanceof Error ? err.message : String(err) };
    }
    const request: RequestFields = {
      api: header.apiKey === saslHandshakeApi.key ? saslHandshakeApi.name : saslAuthenticateApi.name,
      apiVersion: header.apiVersion,
      clientId: header.clientId,
      correlationId: header.correlationId,
    };
    const delay = this.options.auth?.security.failedAuthenticationDelayMs ?? 0;
    return {
      answer: Promise.resolve({ chunks, api: request.api, readyAt: performance.now(), request }),
      closeAfterMs: close ? delay : null,
    };
  }

  /** Decode, dispatch, encode. Resolves to the response frame chunks (null: no response). */
  private async handleFrame(frame: Buffer, conn: ConnectionFacts): Promise<Handled> {
    const header = decodeRequestHeader(frame);
    const api: AnyApi | undefined = apiFor(header.apiKey);
    const request: RequestFields = {
      api: api?.name ?? `api key ${header.apiKey}`,
      apiVersion: header.apiVersion,
      clientId: header.clientId,
      correlationId: header.correlationId,
    };
    try {
      return await this.dispatch(frame, header, api, request, conn);
    } catch (err) {
      throw new RequestFailed(err, request);
    }
  }

  private async dispatch(
    frame: Buffer,
    header: RequestHeader,
    api: AnyApi | undefined,
    request: RequestFields,
    conn: ConnectionFacts,
  ): Promise<Handled> {
    if (
      header.apiKey === apiVersionsKey &&
      api &&
      (header.apiVersion < api.minVersion || header.apiVersion > api.maxVersion)
    ) {
      // KIP-511: error 35 in a v0-shaped body listing what we serve, so the client can retry lower.
      const chunks = [
        encodeRawResponseFrame(
          header.apiKey,
          0,
          header.correlationId,
          unsupportedApiVersionsResponse((key) => this.options.handlers.has(key)),
        ),
      ];
      return { chunks, api: api.name, readyAt: performance.now(), request };
    }
    const served = this.options.handlers.get(header.apiKey);
    if (!api || !served) throw new UnsupportedApiError(`api key ${header.apiKey} is not served`);
    if (header.apiVersion < api.minVersion || header.apiVersion > api.maxVersion) {
      throw new UnsupportedApiError(
        `${api.name} v${header.apiVersion} is not served (${api.minVersion}-${api.maxVersion})`,
      );
    }
    const reader = new Reader(frame, header.bodyOffset);
    const call = served.decode(header.apiVersion, reader);
    const labels = { api: api.name };
    const metrics = this.options.metrics;
    metrics.requests.inc({ ...labels, version: header.apiVersion });
    metrics.requestBytes.observe(labels, frame.length);
    const startedAt = performance.now();
    const { chunks, throttle } = await call({ ...conn, header });
    const readyAt = performance.now();
    metrics.localTime.observe(labels, (readyAt - startedAt) / 1000);
    return { chunks, throttle, api: api.name, readyAt, request };
  }
}

/**
 * Quota throttling of one connection (KIP-219): nothing is read from it until the throttle time
 * has passed; then reading resumes if nothing else holds it back (`mayRead`).
 */
class ConnectionMute {
  /** performance.now() time before which nothing is read. */
  private until = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly mayRead: () => boolean,
  ) {}

  active(): boolean {
    return performance.now() < this.until;
  }

  mute(ms: number): void {
    this.until = Math.max(this.until, performance.now() + ms);
    this.socket.pause();
    this.arm();
  }

  /** Resumes reading once the mute is over (timers may fire a little early: then it waits on). */
  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(
      () => {
        this.timer = null;
        if (this.active()) this.arm();
        else if (this.mayRead()) this.socket.resume();
      },
      Math.ceil(Math.max(0, this.until - performance.now())),
    );
  }

  /** Mutes for a throttled answer; clients before KIP-219 do not wait on their own, so theirs waits here. */
  async throttle(throttle: RequestThrottle, hasAnswer: boolean): Promise<void> {
    this.mute(throttle.throttleMs);
    if (!throttle.clientThrottles && hasAnswer) await new Promise((r) => setTimeout(r, throttle.throttleMs));
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

/** Why a request failed, for the log and the closed-connection metric; the request when its header was read. */
function failureOf(failure: unknown): { reason: string; err: unknown; request: RequestFields | null } {
  const request = failure instanceof RequestFailed ? failure.request : null;
  const err = failure instanceof RequestFailed ? failure.cause : failure;
  const reason =
    err instanceof ProtocolDecodeError
      ? 'bad-request'
      : err instanceof UnsupportedApiError
        ? 'unsupported-api'
        : err instanceof ProtocolEncodeError
          ? 'encode-error'
          : 'handler-error';
  return { reason, err, request };
}

/**
 * Writes one answer's frame chunks, corked: they leave as one writev, which on a TLS socket is one
 * SSL_write (full TLS records instead of one small record per chunk: the size prefix and header
 * would otherwise each cost a record, an AEAD seal and, with TCP_NODELAY, a segment of their own).
 * `sent` runs when the write has completed or failed (the chunks are the socket's until then).
 */
function writeAnswer(
  socket: Socket,
  result: Handled & { readonly chunks: Buffer[] },
  metrics: KafkaServerOptions['metrics'],
  sent: () => void,
): void {
  const api = { api: result.api };
  const turnAt = performance.now();
  metrics.responseQueueTime.observe(api, (turnAt - result.readyAt) / 1000);
  metrics.responseBytes.observe(
    api,
    result.chunks.reduce((n, c) => n + c.length, 0),
  );
  const last = result.chunks.length - 1;
  socket.cork();
  result.chunks.forEach((c, i) =>
    socket.write(
      c,
      i === last
        ? () => {
            metrics.responseSendTime.observe(api, (performance.now() - turnAt) / 1000);
            sent();
          }
        : undefined,
    ),
  );
  socket.uncork();
}

/** What log lines say of a request. */
interface RequestFields {
  readonly api: string;
  readonly apiVersion: number;
  readonly clientId: string | null;
  readonly correlationId: number;
}

/** A handled request: its response frame chunks (null: none, acks=0), API name, when it was ready. */
interface Handled {
  readonly chunks: Buffer[] | null;
  /** Set when a client quota throttled the request. */
  readonly throttle?: RequestThrottle | null;
  readonly api: string;
  readonly readyAt: number;
  readonly request: RequestFields;
}

/** A request that failed after its header was read: the cause, and what to log of the request. */
class RequestFailed extends Error {
  override readonly name = 'RequestFailed';
  constructor(
    override readonly cause: unknown,
    readonly request: RequestFields,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

class UnsupportedApiError extends PeerInputError {
  override readonly name = 'UnsupportedApiError';
}
