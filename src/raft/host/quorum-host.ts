// The main thread's side of the thread boundary: the node's metadata Raft as the controller, the
// broker and the admin server see it, while the Raft driver itself (log, quorum-state, timers,
// KRaft gRPC server and clients) runs in the quorum thread (a worker_threads Worker, started by
// src/server/metadata-raft.ts with src/server/quorum-worker.ts). A stalled main thread therefore
// stalls no Raft timer, fetch or vote: the quorum keeps its leader and keeps committing, and the
// main thread catches up on the committed entries when it runs again.
//
// Here live the node's MetadataState and everything that reads it: committed entries and
// snapshots arrive in log order and are applied here (then the apply listeners run and
// waitForApplied waiters resolve); the quorum status is a copy the quorum thread publishes before
// each apply and whenever it changes; proposals and resignations go over as messages; the
// controller.proto calls the controller listener receives come here to the QuorumController's
// service; and the quorum thread's metrics are read at each scrape. Who calls: startNode (through
// startMetadataRaft) and the roles, as they called the RaftDriver before.
import type { Worker } from 'node:worker_threads';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { assertNever } from '../../common/assert.js';
import { ErrorCode } from '../../common/errors.js';
import type { LogEntry, Offset } from '../../common/log-types.js';
import { registerRemoteMetrics } from '../../common/thread-metrics.js';
import type { MetadataState } from '../../metadata/metadata-state.js';
import { callServiceBytes, RpcStatusError, type RpcService } from '../../rpc/grpc-plumbing.js';
import type { ProposeResult, QuorumStatus } from '../core/raft-core.js';
import { AppliedWaiters } from '../driver/applied-waiters.js';
import type { MetadataErrorSource } from '../driver/raft-metrics.js';
import { type FromQuorum, ownedCopy, type RemoteMetric, type ToQuorum } from './quorum-protocol.js';

/** How long a scrape waits for the quorum thread's metrics before serving the last ones it had. */
const metricsWaitMs = 2_000;
/** How long shutdown waits for the quorum thread to resign and close (it waits ~1 s itself). */
const shutdownWaitMs = 5_000;

/** The node-side metrics of the metadata Raft (the quorum thread's own arrive with each scrape). */
export interface HostMetrics {
  readonly registry: Registry;
  readonly metadataErrors: Counter<'source'>;
}

interface QuorumHostOptions {
  /** The quorum thread, just started; the host owns it from now on. */
  readonly worker: Worker;
  /** The state committed entries are applied to (empty: the quorum thread sends the snapshot). */
  readonly state: MetadataState;
  readonly registry: Registry;
  readonly logger: Logger;
  /** The quorum thread stopped with an error, or its metadata log failed: the node must stop. */
  readonly onFatal: (err: unknown) => void;
}

type Waiter<T> = { readonly resolve: (v: T) => void };

export class QuorumHost {
  readonly metrics: HostMetrics;
  private current: QuorumStatus | null = null;
  private controllerService: RpcService | null = null;
  private readonly applyListeners: ((state: MetadataState) => void)[] = [];
  private readonly appliedWaiters = new AppliedWaiters();
  private nextId = 1;
  private readonly proposals = new Map<number, Waiter<ProposeResult>>();
  private readonly dones = new Map<number, Waiter<void>>();
  private readonly metricReads = new Map<number, Waiter<readonly RemoteMetric[]>>();
  private lastMetrics: readonly RemoteMetric[] = [];
  private started: Waiter<number | null> | null = null;
  private stopping = false;
  private failed = false;
  private exited = false;
  /** The controller listener's bound port (served by the quorum thread), or null on broker-only nodes. */
  controllerPort: number | null = null;

  private constructor(private readonly options: QuorumHostOptions) {
    const metadataErrors = new Counter({
      name: 'raftka_metadata_errors_total',
      help: 'Errors met handling controller events or applying committed metadata records (Kafka: MetadataErrorCount)',
      labelNames: ['source'],
      registers: [options.registry],
    });
    for (const source of ['controller', 'apply'] satisfies MetadataErrorSource[]) metadataErrors.inc({ source }, 0);
    this.metrics = { registry: options.registry, metadataErrors };
    options.worker.on('message', (m: FromQuorum) => this.handle(m));
    options.worker.on('error', (err) => this.fail(err));
    options.worker.on('exit', (code) => {
      this.exited = true;
      for (const d of this.dones.values()) d.resolve();
      this.dones.clear();
      if (!this.stopping) this.fail(new Error(`the quorum thread exited (code ${code})`));
    });
  }

  /** Resolves once the quorum thread has recovered the log (and sent its snapshot) and serves. */
  static start(options: QuorumHostOptions): Promise<QuorumHost> {
    const host = new QuorumHost(options);
    return new Promise((resolve, reject) => {
      const failed = (err: Error): void => reject(err);
      options.worker.once('error', failed);
      host.started = {
        resolve: (port) => {
          options.worker.off('error', failed);
          host.controllerPort = port;
          resolve(host);
        },
      };
    });
  }

  status(): QuorumStatus {
    if (!this.current) throw new Error('no quorum status yet');
    return this.current;
  }

  /** Leader only: append data records; resolves once they are appended (not yet committed). */
  propose(payloads: readonly Uint8Array[]): Promise<ProposeResult> {
    if (this.stopping) return Promise.resolve({ ok: false, errorCode: ErrorCode.NOT_CONTROLLER, leaderId: null });
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.proposals.set(id, { resolve });
      this.send({ t: 'propose', id, payloads });
    });
  }

  /** Leader of `epoch` only: step down (EndQuorumEpoch). Resolves once the quorum thread has. */
  resign(epoch: number): Promise<void> {
    return this.call((id) => ({ t: 'resign', id, epoch }));
  }

  appliedState(): MetadataState {
    return this.options.state;
  }

  /** Call `listener` with the applied state after every apply (committed entries or a snapshot). */
  onApplied(listener: (state: MetadataState) => void): void {
    this.applyListeners.push(listener);
  }

  /** Resolves true once every entry below `offset` is applied here, false after timeoutMs. */
  waitForApplied(offset: Offset, timeoutMs: number): Promise<boolean> {
    return this.appliedWaiters.wait(this.options.state.appliedOffset, offset, timeoutMs);
  }

  /** The controller.proto service the controller listener's calls are answered by (controllers). */
  serveController(service: RpcService): void {
    this.controllerService = service;
  }

  /** Stop: the quorum thread's driver resigns if it leads, its listener closes, the thread ends. */
  async shutdown(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.appliedWaiters.cancelAll();
    if (!this.exited) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.call((id) => ({ t: 'shutdown', id })),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, shutdownWaitMs);
        }),
      ]);
      clearTimeout(timer);
    }
    await this.options.worker.terminate();
  }

  // ------------------------------------------------------------ messages

  private call(message: (id: number) => ToQuorum): Promise<void> {
    if (this.exited) return Promise.resolve();
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.dones.set(id, { resolve });
      this.send(message(id));
    });
  }

  private send(message: ToQuorum, transfer: ArrayBuffer[] = []): void {
    if (!this.exited) this.options.worker.postMessage(message, transfer);
  }

  private handle(m: FromQuorum): void {
    switch (m.t) {
      case 'ready':
        this.lastMetrics = m.metrics;
        registerRemoteMetrics(this.options.registry, m.metrics, () => this.readMetrics());
        this.started?.resolve(m.controllerPort);
        this.started = null;
        return;
      case 'status':
        this.current = m.status;
        return;
      case 'apply':
        this.guarded(() => this.apply(m.entries));
        return;
      case 'loadSnapshot':
        this.guarded(() => {
          this.options.state.loadSnapshot(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength));
          this.options.logger.info(
            { snapshot: { endOffset: m.endOffset, epoch: m.epoch } },
            'metadata snapshot loaded',
          );
          this.afterApply();
        });
        return;
      case 'takeSnapshot':
        this.takeSnapshot(m.id);
        return;
      case 'rpc':
        this.answerRpc(m.id, m.method, m.request);
        return;
      case 'proposed':
        this.settle(this.proposals, m.id, m.result);
        return;
      case 'done':
        this.settle(this.dones, m.id, undefined);
        return;
      case 'metrics':
        this.lastMetrics = m.metrics;
        this.settle(this.metricReads, m.id, m.metrics);
        return;
      case 'fatal':
        this.fail(Object.assign(new Error(m.message), m.code ? { code: m.code } : {}));
        return;
      default:
        assertNever(m);
    }
  }

  private settle<T>(waiting: Map<number, Waiter<T>>, id: number, value: T): void {
    const w = waiting.get(id);
    if (!w) return;
    waiting.delete(id);
    w.resolve(value);
  }

  private guarded(apply: () => void): void {
    try {
      apply();
    } catch (err) {
      // As in the driver before: a committed entry this node cannot apply stops the node.
      this.fail(err);
    }
  }

  private apply(entries: readonly LogEntry[]): void {
    this.options.state.applyAll(
      entries.map((e) => ({
        ...e,
        payload: Buffer.from(e.payload.buffer, e.payload.byteOffset, e.payload.byteLength),
      })),
    );
    this.afterApply();
  }

  private afterApply(): void {
    const state = this.options.state;
    for (const l of this.applyListeners) {
      try {
        l(state);
      } catch (err) {
        this.metrics.metadataErrors.inc({ source: 'apply' });
        this.options.logger.error({ err }, 'an apply listener failed');
      }
    }
    this.appliedWaiters.applied(state.appliedOffset);
    this.send({ t: 'applied', appliedOffset: state.appliedOffset, canSnapshot: state.canSnapshot });
  }

  private takeSnapshot(id: number): void {
    const state = this.options.state;
    if (!state.canSnapshot) {
      this.send({ t: 'snapshot', id, bytes: null, error: 'inside a metadata transaction' });
      return;
    }
    state.takeSnapshot().then(
      (bytes) => {
        const copy = ownedCopy(bytes);
        this.send({ t: 'snapshot', id, bytes: copy, error: null }, [copy.buffer as ArrayBuffer]);
      },
      (err: unknown) => this.send({ t: 'snapshot', id, bytes: null, error: String(err) }),
    );
  }

  private answerRpc(id: number, method: string, request: Uint8Array): void {
    const service = this.controllerService;
    if (!service) {
      this.send({
        t: 'rpcResult',
        id,
        response: null,
        failure: { code: grpc.status.UNAVAILABLE, details: 'the controller is not started' },
      });
      return;
    }
    callServiceBytes(service, method, Buffer.from(request.buffer, request.byteOffset, request.byteLength)).then(
      (response) => {
        const copy = ownedCopy(response);
        this.send({ t: 'rpcResult', id, response: copy, failure: null }, [copy.buffer as ArrayBuffer]);
      },
      (err: unknown) =>
        this.send({
          t: 'rpcResult',
          id,
          response: null,
          failure:
            err instanceof RpcStatusError
              ? { code: err.code, details: err.details }
              : { code: grpc.status.UNKNOWN, details: err instanceof Error ? err.message : String(err) },
        }),
    );
  }

  private readMetrics(): Promise<readonly RemoteMetric[]> {
    if (this.exited) return Promise.resolve(this.lastMetrics);
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.metricReads.delete(id);
        resolve(this.lastMetrics);
      }, metricsWaitMs);
      this.metricReads.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
      });
      this.send({ t: 'collectMetrics', id });
    });
  }

  private fail(err: unknown): void {
    if (this.stopping || this.failed) return;
    this.failed = true;
    this.options.onFatal(err);
  }
}
