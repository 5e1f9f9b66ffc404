// The Kafka TCP listener: size-prefixed frames in, responses out in request order per connection
// (many requests may be in flight; each is handled as soon as it arrives, and answers wait for
// the ones before them). A malformed or oversized frame, or a request we cannot decode, closes
// only that connection, with a logged reason and a metric. ApiVersions at a version we do not
// serve gets error 35 with our ranges (KIP-511); any other unsupported API or version closes the
// connection, as Kafka's SocketServer does, since no response shape exists for it. The handlers
// and their contract are the broker's (src/broker/api-context.ts); this file only serves them.
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { KafkaRequestMetrics } from './kafka-request-metrics.js';
import type { Endpoint } from '../common/node-config.js';
import type { KafkaApis, RequestContext } from '../broker/api-context.js';
import { apiFor, unsupportedApiVersionsResponse } from '../protocol/apis.js';
import type { AnyApi } from '../protocol/apis.js';
import { ProtocolDecodeError, ProtocolEncodeError } from '../protocol/errors.js';
import { encodeRawResponseFrame, FrameSplitter } from '../protocol/frame.js';
import { apiVersionsKey, decodeRequestHeader, type RequestHeader } from '../protocol/header.js';
import { Reader } from '../protocol/primitives/reader.js';

/** Bound on requests in flight on one connection; beyond it the socket is paused (back-pressure). */
const inFlightMax = 100;

export interface KafkaServerOptions {
  readonly listener: Endpoint & { readonly name: string };
  readonly logger: Logger;
  /** Shared by every listener of the node. */
  readonly metrics: KafkaRequestMetrics;
  readonly requestBytesMax: number;
  readonly handlers: KafkaApis;
}

export class KafkaServer {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private nextConnectionId = 1;

  constructor(private readonly options: KafkaServerOptions) {}

  async start(): Promise<number> {
    const server = createServer((socket) => this.accept(socket));
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

  private accept(socket: Socket): void {
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
      for (const frame of frames) {
        if (closed) return;
        const arrivedAt = performance.now();
        // Settled at once into a value: a rejection must never wait unhandled for its turn.
        const answer: Promise<Handled | { err: unknown }> = this.handleFrame(frame, {
          listenerName: this.options.listener.name,
          clientHost: socket.remoteAddress ?? '',
          connectionId,
          principal: 'User:ANONYMOUS', // no authentication yet: every connection is Kafka's anonymous principal
          signal: gone.signal,
        }).then(
          (handled) => handled,
          (err: unknown) => ({ err }),
        );
        inFlight++;
        if (inFlight >= inFlightMax) socket.pause();
        tail = tail.then(async () => {
          const result = await answer;
          inFlight--;
          if (inFlight < inFlightMax && !closed) socket.resume();
          if ('err' in result) {
            // A request whose header was read carries it: the log line names client and correlation id.
            const request = result.err instanceof RequestFailed ? result.err.request : null;
            const err = result.err instanceof RequestFailed ? result.err.cause : result.err;
            const reason =
              err instanceof ProtocolDecodeError
                ? 'bad-request'
                : err instanceof UnsupportedApiError
                  ? 'unsupported-api'
                  : err instanceof ProtocolEncodeError
                    ? 'encode-error'
                    : 'handler-error';
            if (reason === 'handler-error' || reason === 'encode-error')
              log.error({ err, ...request }, 'request failed');
            fail(reason, err, request);
            return;
          }
          if (closed || result.chunks === null) return;
          const api = { api: result.api };
          const turnAt = performance.now();
          metrics.responseQueueTime.observe(api, (turnAt - result.readyAt) / 1000);
          metrics.responseBytes.observe(
            api,
            result.chunks.reduce((n, c) => n + c.length, 0),
          );
          const last = result.chunks.length - 1;
          result.chunks.forEach((c, i) =>
            socket.write(
              c,
              i === last
                ? () => {
                    const sentAt = performance.now();
                    metrics.responseSendTime.observe(api, (sentAt - turnAt) / 1000);
                    metrics.totalTime.observe(api, (sentAt - arrivedAt) / 1000);
                    // Kafka's request log (kafka.request.logger at DEBUG): one line per request answered.
                    if (log.isLevelEnabled('debug'))
                      log.debug({ ...result.request, totalMs: sentAt - arrivedAt }, 'request answered');
                  }
                : undefined,
            ),
          );
        });
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      closed = true;
      gone.abort();
      this.sockets.delete(socket);
      metrics.connections.dec(listener);
    });
  }

  /** Decode, dispatch, encode. Resolves to the response frame chunks (null: no response). */
  private async handleFrame(frame: Buffer, conn: Omit<RequestContext, 'header'>): Promise<Handled> {
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
    conn: Omit<RequestContext, 'header'>,
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
    metrics.requests.inc(labels);
    metrics.requestBytes.observe(labels, frame.length);
    const startedAt = performance.now();
    const chunks = await call({ ...conn, header });
    const readyAt = performance.now();
    metrics.localTime.observe(labels, (readyAt - startedAt) / 1000);
    return { chunks, api: api.name, readyAt, request };
  }
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

class UnsupportedApiError extends Error {
  override readonly name = 'UnsupportedApiError';
}
