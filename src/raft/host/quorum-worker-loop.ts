// The quorum thread's side of the thread boundary: answers the main thread's messages (proposals,
// resignations, snapshot answers, acknowledgements of applied entries, metric scrapes, shutdown),
// publishes the quorum status, and forwards the controller.proto calls that reach the controller
// listener (served here, beside KRaft) to the main thread, where the QuorumController runs.
// Who calls: src/server/quorum-worker.ts, the thread's entry, which composes the driver around it.
import type { MessagePort } from 'node:worker_threads';
import * as grpc from '@grpc/grpc-js';
import type { Registry } from 'prom-client';
import { assertNever } from '../../common/assert.js';
import { RpcStatusError } from '../../rpc/grpc-plumbing.js';
import type { QuorumStatus } from '../core/raft-core.js';
import type { RaftDriver } from '../driver/raft-driver.js';
import { ForwardingStateMachine } from './forwarding-state-machine.js';
import { type FromQuorum, ownedCopy, type RemoteMetric, type ToQuorum } from './quorum-protocol.js';

/** Controller calls waiting for the main thread's answer; past this, calls fail UNAVAILABLE at once. */
const pendingRpcsMax = 10_000;
/** A leader's status (replica progress) is republished at least this often while it changes. */
const statusRepublishMs = 100;

export class QuorumThread {
  readonly stateMachine: ForwardingStateMachine;
  private driver: RaftDriver<ForwardingStateMachine> | null = null;
  private nextRpcId = 1;
  private readonly pendingRpcs = new Map<
    number,
    { readonly resolve: (b: Buffer) => void; readonly reject: (e: Error) => void }
  >();
  private lastStatusKey = '';
  private lastStatusAtMs = 0;

  constructor(
    private readonly port: MessagePort,
    private readonly registry: Registry,
    private readonly stop: () => Promise<void>,
  ) {
    this.stateMachine = new ForwardingStateMachine({
      post: (m, transfer) => this.post(m, transfer),
      beforeApply: () => this.publishStatus(),
    });
    port.on('message', (m: ToQuorum) => this.handle(m));
  }

  attach(driver: RaftDriver<ForwardingStateMachine>): void {
    this.driver = driver;
    this.publishStatus(true);
  }

  post(message: FromQuorum, transfer: ArrayBuffer[] = []): void {
    this.port.postMessage(message, transfer);
  }

  /** Send the status when it changed (or, for a leader's replica progress, now and then). */
  publishStatus(force = false): void {
    if (!this.driver) return;
    const s = this.driver.status();
    const key = statusKey(s);
    const now = performance.now();
    if (
      !force &&
      key === this.lastStatusKey &&
      (s.replicas.length === 0 || now - this.lastStatusAtMs < statusRepublishMs)
    )
      return;
    this.lastStatusKey = key;
    this.lastStatusAtMs = now;
    this.post({ t: 'status', status: s });
  }

  /** A controller.proto call from the listener: the main thread answers it. */
  forwardControllerCall(method: string, request: Buffer): Promise<Buffer> {
    if (this.pendingRpcs.size >= pendingRpcsMax)
      return Promise.reject(
        new RpcStatusError(grpc.status.UNAVAILABLE, 'the controller is busy: too many calls waiting'),
      );
    const id = this.nextRpcId++;
    const body = ownedCopy(request);
    return new Promise((resolve, reject) => {
      this.pendingRpcs.set(id, { resolve, reject });
      this.post({ t: 'rpc', id, method, request: body }, [body.buffer as ArrayBuffer]);
    });
  }

  private handle(m: ToQuorum): void {
    switch (m.t) {
      case 'propose':
        void this.driverOrThrow()
          .propose(m.payloads)
          .then((result) => this.post({ t: 'proposed', id: m.id, result }));
        return;
      case 'resign':
        void this.driverOrThrow()
          .resign(m.epoch)
          .then(() => this.post({ t: 'done', id: m.id }));
        return;
      case 'applied':
        this.stateMachine.acknowledge(m.appliedOffset, m.canSnapshot);
        return;
      case 'snapshot':
        this.stateMachine.snapshotTaken(m.id, m.bytes, m.error);
        return;
      case 'rpcResult': {
        const pending = this.pendingRpcs.get(m.id);
        if (!pending) return;
        this.pendingRpcs.delete(m.id);
        if (m.response) pending.resolve(Buffer.from(m.response.buffer, m.response.byteOffset, m.response.byteLength));
        else pending.reject(new RpcStatusError(m.failure?.code ?? grpc.status.UNKNOWN, m.failure?.details ?? ''));
        return;
      }
      case 'collectMetrics':
        void this.registry
          .getMetricsAsJSON()
          .then((metrics) => this.post({ t: 'metrics', id: m.id, metrics: metrics as RemoteMetric[] }));
        return;
      case 'shutdown':
        void this.stop().finally(() => {
          for (const p of this.pendingRpcs.values()) p.reject(new Error('node is shutting down'));
          this.pendingRpcs.clear();
          this.post({ t: 'done', id: m.id });
        });
        return;
      default:
        assertNever(m);
    }
  }

  private driverOrThrow(): RaftDriver<ForwardingStateMachine> {
    if (!this.driver) throw new Error('the quorum thread has no driver yet');
    return this.driver;
  }
}

function statusKey(s: QuorumStatus): string {
  return `${s.role}/${s.epoch}/${s.leaderId}/${s.votedId}/${s.highWatermark}/${s.logStartOffset}/${s.logEndOffset}/${s.lastEpoch}/${s.leaderReachable}/${s.replicas.length}`;
}
