// One TCP connection to a Kafka broker for raftka's own client (CLI tools, tests, jepsen-like):
// requests are pipelined with increasing correlation ids and answered in order; the first call
// negotiates versions with ApiVersions, then each API uses min(our max, the broker's max).
import { connect, type Socket } from 'node:net';
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

  private constructor(
    readonly endpoint: Endpoint,
    private readonly clientId: string,
  ) {}

  static async open(endpoint: Endpoint, clientId: string, timeoutMs: number): Promise<KafkaConnection> {
    const c = new KafkaConnection(endpoint, clientId);
    await c.connect(timeoutMs);
    const v = (await c.sendAt(
      apiVersionsApi,
      3,
      { clientSoftwareName: 'raftka', clientSoftwareVersion: '0.1.0' },
      timeoutMs,
    )) as { errorCode: number; apiKeys: { apiKey: number; minVersion: number; maxVersion: number }[] };
    if (v.errorCode !== 0)
      throw new KafkaConnectionError(`${endpoint.host}:${endpoint.port} refused ApiVersions (error ${v.errorCode})`);
    c.versions = new Map(v.apiKeys.map((k) => [k.apiKey, { min: k.minVersion, max: k.maxVersion }]));
    return c;
  }

  private connect(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const target = connectEndpoint(this.endpoint);
      const s = connect(target.port, target.host);
      const timer = setTimeout(() => {
        s.destroy();
        reject(new KafkaConnectionError(`timed out connecting to ${this.endpoint.host}:${this.endpoint.port}`));
      }, timeoutMs);
      s.once('connect', () => {
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

  /** The version to use for `api`: the highest both sides speak. */
  versionFor(api: AnyApi): number {
    const broker = this.versions?.get(api.key);
    if (!broker)
      throw new KafkaConnectionError(`broker ${this.endpoint.host}:${this.endpoint.port} does not serve ${api.name}`);
    const v = Math.min(broker.max, api.maxVersion);
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

  get isClosed(): boolean {
    return this.closedWith !== null;
  }

  close(err: Error = new KafkaConnectionError('closed')): void {
    this.failAll(err);
    this.socket?.destroy();
  }
}
