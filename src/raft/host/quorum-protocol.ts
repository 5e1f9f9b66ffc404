// The typed messages between a node's main thread (controller and broker side) and its quorum
// thread (a worker_threads Worker running the Raft driver, its log, its timers and the controller
// listener's gRPC server). Both ends are in this folder: quorum-host.ts (main thread) and
// quorum-worker-loop.ts (quorum thread). Messages travel on the Worker's own port, in order, which
// the protocol relies on: the status a main thread sees is never older than the entries it applied
// after it, and a `takeSnapshot` arrives after every `apply` before it.
// Big byte arrays (snapshots, controller RPC bodies) are copied once into their own ArrayBuffer and
// transferred; committed entries are cloned (the core keeps its own copy of the payloads).
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { Endpoint, NodeConfig } from '../../common/node-config.js';
import type { Epoch, LogEntry, Offset } from '../../common/log-types.js';
import type { ProposeResult, QuorumStatus } from '../core/raft-core.js';

/** What the quorum thread is started with (its workerData). */
export interface QuorumWorkerData {
  readonly config: NodeConfig;
  readonly clusterId: string;
  /** The main logger's level and bindings, so the quorum thread's lines look the same. */
  readonly logLevel: string;
  readonly logBindings: Record<string, unknown>;
  /** The controller listener to serve KRaft (and forward controller.proto) on; null on broker-only nodes. */
  readonly controllerEndpoint: Endpoint | null;
}

/** A metric of the quorum thread's registry as prom-client reads it. */
export type RemoteMetric = MetricObjectWithValues<MetricValue<string>>;

/** A gRPC failure to answer a forwarded call with. */
export interface RpcFailure {
  readonly code: number;
  readonly details: string;
}

/** Quorum thread → main thread. */
export type FromQuorum =
  /** Started: the controller listener's bound port (null without one) and the metric families. */
  | { readonly t: 'ready'; readonly controllerPort: number | null; readonly metrics: readonly RemoteMetric[] }
  | { readonly t: 'status'; readonly status: QuorumStatus }
  /** Committed entries to apply, in order, contiguous with the previous apply or snapshot. */
  | { readonly t: 'apply'; readonly entries: readonly LogEntry[] }
  /** Replace the state with this snapshot (recovery at start, or the leader sent one). */
  | { readonly t: 'loadSnapshot'; readonly bytes: Uint8Array; readonly endOffset: Offset; readonly epoch: Epoch }
  /** Encode the state as it is now (every entry sent before this is applied); answer `snapshot`. */
  | { readonly t: 'takeSnapshot'; readonly id: number }
  /** A controller.proto call that reached the controller listener: answer `rpcResult`. */
  | { readonly t: 'rpc'; readonly id: number; readonly method: string; readonly request: Uint8Array }
  | { readonly t: 'proposed'; readonly id: number; readonly result: ProposeResult }
  | { readonly t: 'done'; readonly id: number }
  | { readonly t: 'metrics'; readonly id: number; readonly metrics: readonly RemoteMetric[] }
  /** The driver cannot go on (a metadata log write failed): the node must stop. */
  | { readonly t: 'fatal'; readonly message: string; readonly code: string | null };

/** Main thread → quorum thread. */
export type ToQuorum =
  | { readonly t: 'propose'; readonly id: number; readonly payloads: readonly Uint8Array[] }
  | { readonly t: 'resign'; readonly id: number; readonly epoch: Epoch }
  /** After each apply or snapshot load: what the main thread's state says about snapshots. */
  | { readonly t: 'applied'; readonly appliedOffset: Offset; readonly canSnapshot: boolean }
  | { readonly t: 'snapshot'; readonly id: number; readonly bytes: Uint8Array | null; readonly error: string | null }
  | {
      readonly t: 'rpcResult';
      readonly id: number;
      readonly response: Uint8Array | null;
      readonly failure: RpcFailure | null;
    }
  | { readonly t: 'collectMetrics'; readonly id: number }
  /** Stop: the driver resigns if it leads, the listener closes; answered with `done`. */
  | { readonly t: 'shutdown'; readonly id: number };

/** `bytes` copied into an ArrayBuffer of its own, ready to be transferred. */
export function ownedCopy(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy;
}
