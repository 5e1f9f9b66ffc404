// One TCP connection to a Kafka broker for raftka's own client (CLI tools, tests, jepsen-like):
// requests are pipelined with increasing correlation ids and answered in order; the first call
// negotiates versions with ApiVersions, then each API uses min(our max, the broker's max).
// With a ClientSecurity it speaks TLS (SSL, SASL_SSL) and logs in with SASL (SaslHandshake v1,
// then SaslAuthenticate tokens: PLAIN or SCRAM-SHA-256/512) before the first request. The
// connection reports itself closed a little before its SASL session ends (KIP-368's
// session_lifetime_ms), so KafkaClient opens a fresh one instead of re-authenticating.
import { connect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { errorName } from '../common/errors.js';
import { type ClientSecurity, plaintextClient } from '../security/client-security.js';
import { saslClientExchange } from '../security/sasl-client.js';
import { saslAuthenticateApi } from '../protocol/messages/sasl-authenticate.js';
import { saslHandshakeApi } from '../protocol/messages/sasl-handshake.js';
import type { AnyApi, Api } from '../protocol/apis.js';
import { apiVersionsApi } from '../protocol/messages/api-versions.js';
import { encodeRequestFrame, FrameSplitter } from '../protocol/frame.js';
import { decodeResponseHeader } from '../protocol/header.js';
import { Reader } from '../protocol/primitives/reader.js';
import type { Endpoint } from '../common/node-config.js';
import { connectEndpoint } from '../common/connect-address.js';

export class KafkaConnectionError extends Error {
  override readonly name = 'KafkaConnectionError';
}

/** The broker refused the SASL login (or the mechanism); carries Kafka's error code. */
export class KafkaAuthenticationError extends KafkaConnectionError {
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(`${errorName(errorCode)}: ${message}`);
  }
}

/** A connection is given up this long before its SASL session would expire (a tenth of short sessions). */
const sessionMarginMsMax = 1000;
/**
 * Versions raftka's client stops at although the registry serves newer ones: Produce ≤ 11 (it names
 * topics, and its transactions add partitions with AddPartitionsToTxn, transactions V1, as Java
 * clients do without transaction.version 2), Fetch ≤ 12 (v13+ names topics by id), and
 * OffsetCommit / OffsetFetch ≤ 9 (v10 names topics by id).
 */
const clientMaxVersions: ReadonlyMap<number, number> = new Map([
  [0, 11],
  [1, 12],
  [8, 9],
  [9, 9],
]);

interface Pending {
  readonly correlationId: number;
  readonly api: AnyApi;
  readonly version: number;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout | null;
}

export class KafkaConnection {
  private socket: Socket | null = null;
  private readonly splitter = new FrameSplitter();
  private readonly pending: Pending[] = [];
  private nextCorrelationId = 1;
  private versions: Map<number, { min: number; max: number }> | null = null;
  private closedWith: Error | null = null;
  /** When the SASL session ends (Date.now() ms), or null for never. */
  private sessionExpiresAt: number | null = null;

  private constructor(
    readonly endpoint: Endpoint,
    private readonly clientId: string,
    private readonly security: ClientSecurity,
  ) {}

  static async open(
    endpoint: Endpoint,
    clientId: string,
    timeoutMs: number,
    security: ClientSecurity = plaintextClient,
  ): Promise<KafkaConnection> {
    const c = new KafkaConnection(endpoint, clientId, security);
    await c.connect(timeoutMs);
    try {
      await c.negotiate(timeoutMs);
    } catch (err) {
      c.close();
      throw err;
    }
    return c;
  }

  private async negotiate(timeoutMs: number): Promise<void> {
    const endpoint = this.endpoint;
    const v = (await this.sendAt(
      apiVersionsApi,
      3,
      { clientSoftwareName: 'raftka', clientSoftwareVersion: '0.1.0' },
      timeoutMs,
    )) as { errorCode: number; apiKeys: { apiKey: number; minVersion: number; maxVersion: number }[] };
    if (v.errorCode !== 0)
      throw new KafkaConnectionError(`${endpoint.host}:${endpoint.port} refused ApiVersions (error ${v.errorCode})`);
    this.versions = new Map(v.apiKeys.map((k) => [k.apiKey, { min: k.minVersion, max: k.maxVersion }]));
    if (this.security.sasl) await this.authenticate(timeoutMs);
  }

  /** SaslHandshake v1, then SaslAuthenticate until the mechanism is done (KIP-152). */
  private async authenticate(timeoutMs: number): Promise<void> {
    const sasl = this.security.sasl!;
    const h = await this.send(saslHandshakeApi, { mechanism: sasl.mechanism }, timeoutMs, 1);
    if (h.errorCode !== 0)
      throw new KafkaAuthenticationError(
        h.errorCode,
        `${this.endpoint.host}:${this.endpoint.port} does not take ${sasl.mechanism} (it offers ${h.mechanisms.join(', ') || 'none'})`,
      );
    const exchange = saslClientExchange(sasl);
    let token: Buffer | null = exchange.first();
    while (token !== null) {
      const r = await this.send(saslAuthenticateApi, { authBytes: token }, timeoutMs);
      if (r.errorCode !== 0) throw new KafkaAuthenticationError(r.errorCode, r.errorMessage ?? 'authentication failed');
      token = exchange.respond(r.authBytes);
      const lifetime = r.sessionLifetimeMs ?? 0;
      if (token === null && lifetime > 0)
        this.sessionExpiresAt = Date.now() + lifetime - Math.min(sessionMarginMsMax, lifetime / 10);
    }
  }

  private connect(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const target = connectEndpoint(this.endpoint);
      const tls = this.security.tls;
      const s: Socket = tls
        ? tlsConnect({
            ...tls,
            host: target.host,
            port: target.port,
            ...(isIP(this.endpoint.host) ? {} : { servername: this.endpoint.host }),
          })
        : connect(target.port, target.host);
      const timer = setTimeout(() => {
        s.destroy();
        reject(new KafkaConnectionError(`timed out connecting to ${this.endpoint.host}:${this.endpoint.port}`));
      }, timeoutMs);
      s.once(tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        s.setNoDelay(true);
        this.socket = s;
        resolve();
      });
      s.once('error', (err) => {
        clearTimeout(timer);
        reject(
          new KafkaConnectionError(`cannot connect to ${this.endpoint.host}:${this.endpoint.port}: ${err.message}`),
        );
      });
      s.on('data', (chunk: Buffer) => this.onData(chunk));
      s.on('close', () =>
        this.failAll(new KafkaConnectionError(`connection to ${this.endpoint.host}:${this.endpoint.port} closed`)),
      );
    });
  }

  /** Whether the broker listed `apiKey` in its ApiVersions answer. */
  serves(apiKey: number): boolean {
    return this.versions?.has(apiKey) ?? false;
  }

  /** The version to use for `api`: the highest both sides speak. */
  versionFor(api: AnyApi): number {
    const broker = this.versions?.get(api.key);
    if (!broker)
      throw new KafkaConnectionError(`broker ${this.endpoint.host}:${this.endpoint.port} does not serve ${api.name}`);
    const v = Math.min(broker.max, api.maxVersion, clientMaxVersions.get(api.key) ?? Infinity);
    if (v < Math.max(broker.min, api.minVersion)) throw new KafkaConnectionError(`no common version of ${api.name}`);
    return v;
  }

  /** Send a request at the negotiated version; resolves with the decoded response. */
  send<Res, ReqIn>(
    api: Api<unknown, ReqIn, Res, unknown>,
    request: ReqIn,
    timeoutMs: number,
    version?: number,
  ): Promise<Res> {
    const v = version ?? this.versionFor(api as unknown as AnyApi);
    return this.sendAt(api, v, request, timeoutMs) as Promise<Res>;
  }

  /** Send without waiting for an answer (Produce with acks=0). */
  sendOneWay<ReqIn>(api: Api<unknown, ReqIn, unknown, unknown>, request: ReqIn): void {
    const v = this.versionFor(api as unknown as AnyApi);
    this.write(encodeRequestFrame(api as never, v, this.nextCorrelationId++, this.clientId, request as never));
  }

  private sendAt<ReqIn>(
    api: Api<unknown, ReqIn, unknown, unknown>,
    version: number,
    request: ReqIn,
    timeoutMs: number,
  ): Promise<unknown> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const correlationId = this.nextCorrelationId++;
    const frame = encodeRequestFrame(api as never, version, correlationId, this.clientId, request as never);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.close(
          new KafkaConnectionError(
            `${api.name} to ${this.endpoint.host}:${this.endpoint.port} timed out after ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.pending.push({ correlationId, api: api as unknown as AnyApi, version, resolve, reject, timer });
      this.write(frame);
    });
  }

  private write(frame: Buffer): void {
    if (!this.socket) throw new KafkaConnectionError('not connected');
    this.socket.write(frame);
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.splitter.push(chunk);
    } catch (err) {
      this.close(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    for (const frame of frames) {
      const p = this.pending.shift();
      if (!p) {
        this.close(new KafkaConnectionError('a response arrived for no request'));
        return;
      }
      if (p.timer) clearTimeout(p.timer);
      try {
        const h = decodeResponseHeader(frame, p.api.key, p.version);
        if (h.correlationId !== p.correlationId)
          throw new KafkaConnectionError(`correlation id ${h.correlationId}, expected ${p.correlationId}`);
        p.resolve(p.api.decodeResponse(p.version, new Reader(frame, h.bodyOffset)));
      } catch (err) {
        p.reject(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }

  private failAll(err: Error): void {
    this.closedWith ??= err;
    for (const p of this.pending.splice(0)) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(err);
    }
  }

  /** Closed, or its SASL session (nearly) over: callers open a new connection then. */
  get isClosed(): boolean {
    return this.closedWith !== null || (this.sessionExpiresAt !== null && Date.now() >= this.sessionExpiresAt);
  }

  close(err: Error = new KafkaConnectionError('closed')): void {
    this.failAll(err);
    this.socket?.destroy();
  }
}
