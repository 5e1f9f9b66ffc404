// The Kafka TCP listener: size-prefixed frames in, responses out in request order per connection
// (many requests may be in flight; each is handled as soon as it arrives, and answers wait for
// the ones before them). A malformed or oversized frame, or a request we cannot decode, closes
// only that connection, with a logged reason and a metric. ApiVersions at a version we do not
// serve gets error 35 with our ranges (KIP-511); any other unsupported API or version closes the
// connection, as Kafka's SocketServer does, since no response shape exists for it. The handlers
// and their contract are the broker's (src/broker/api-context.ts); this file only serves them.
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Endpoint } from '../common/node-config.js';
import type { KafkaApis, RequestContext } from '../broker/api-context.js';
import { apiFor, unsupportedApiVersionsResponse } from '../protocol/apis.js';
import type { AnyApi } from '../protocol/apis.js';
import { ProtocolDecodeError, ProtocolEncodeError } from '../protocol/errors.js';
import { encodeRawResponseFrame, FrameSplitter } from '../protocol/frame.js';
import { apiVersionsKey, decodeRequestHeader } from '../protocol/header.js';
import { Reader } from '../protocol/primitives/reader.js';

/** Bound on requests in flight on one connection; beyond it the socket is paused (back-pressure). */
const inFlightMax = 100;

export interface KafkaServerOptions {
  readonly listener: Endpoint & { readonly name: string };
  readonly logger: Logger;
  readonly registry: Registry;
  readonly requestBytesMax: number;
  readonly handlers: KafkaApis;
}

export class KafkaServer {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private nextConnectionId = 1;
  private readonly closedConnections: Counter<'reason'>;
  private readonly requests: Counter<'api'>;
  private readonly connections: Gauge;

  constructor(private readonly options: KafkaServerOptions) {
    const listener = options.listener.name;
    this.closedConnections = new Counter({
      name: 'raftka_kafka_connections_closed_on_error_total',
      help: 'Kafka connections closed because of a bad frame or request',
      labelNames: ['reason'],
      registers: [options.registry],
    });
    this.requests = new Counter({
      name: 'raftka_kafka_requests_total',
      help: 'Kafka requests handled, by API',
      labelNames: ['api'],
      registers: [options.registry],
    });
    this.connections = new Gauge({
      name: 'raftka_kafka_connections',
      help: `open Kafka connections on ${listener}`,
      registers: [options.registry],
    });
  }

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
    this.sockets.add(socket);
    this.connections.inc();
    socket.setNoDelay(true);
    const splitter = new FrameSplitter(this.options.requestBytesMax);
    const gone = new AbortController();
    // Responses leave in request order: each request appends a promise of its frame chunks.
    let tail: Promise<void> = Promise.resolve();
    let inFlight = 0;
    let closed = false;
    const fail = (reason: string, err: unknown): void => {
      if (closed) return;
      closed = true;
      this.closedConnections.inc({ reason });
      log.warn({ reason, err: err instanceof Error ? err.message : String(err) }, 'closing Kafka connection');
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
        // Settled at once into a value: a rejection must never wait unhandled for its turn.
        const answer: Promise<{ chunks: Buffer[] | null } | { err: unknown }> = this.handleFrame(frame, {
          listenerName: this.options.listener.name,
          clientHost: socket.remoteAddress ?? '',
          connectionId,
          signal: gone.signal,
        }).then(
          (chunks) => ({ chunks }),
          (err: unknown) => ({ err }),
        );
        inFlight++;
        if (inFlight >= inFlightMax) socket.pause();
        tail = tail.then(async () => {
          const result = await answer;
          inFlight--;
          if (inFlight < inFlightMax && !closed) socket.resume();
          if ('err' in result) {
            const err = result.err;
            const reason =
              err instanceof ProtocolDecodeError
                ? 'bad-request'
                : err instanceof UnsupportedApiError
                  ? 'unsupported-api'
                  : err instanceof ProtocolEncodeError
                    ? 'encode-error'
                    : 'handler-error';
            if (reason === 'handler-error' || reason === 'encode-error') log.error({ err }, 'request failed');
            fail(reason, err);
            return;
          }
          if (closed || result.chunks === null) return;
          for (const c of result.chunks) socket.write(c);
        });
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      closed = true;
      gone.abort();
      this.sockets.delete(socket);
      this.connections.dec();
    });
  }

  /** Decode, dispatch, encode. Resolves to the response frame chunks (null: no response). */
  private async handleFrame(frame: Buffer, conn: Omit<RequestContext, 'header'>): Promise<Buffer[] | null> {
    const header = decodeRequestHeader(frame);
    const api: AnyApi | undefined = apiFor(header.apiKey);
    if (
      header.apiKey === apiVersionsKey &&
      api &&
      (header.apiVersion < api.minVersion || header.apiVersion > api.maxVersion)
    ) {
      // KIP-511: error 35 in a v0-shaped body listing what we serve, so the client can retry lower.
      return [
        encodeRawResponseFrame(
          header.apiKey,
          0,
          header.correlationId,
          unsupportedApiVersionsResponse((key) => this.options.handlers.has(key)),
        ),
      ];
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
    this.requests.inc({ api: api.name });
    return call({ ...conn, header });
  }
}

class UnsupportedApiError extends Error {
  override readonly name = 'UnsupportedApiError';
}
