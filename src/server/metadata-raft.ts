// The node's metadata Raft: starts the quorum thread (quorum-worker.ts, a worker_threads Worker
// with its own event loop, where the Raft driver, `__cluster_metadata-0` under metadata.log.dir and
// the controller listener live) and the QuorumHost that speaks to it from the main thread,
// applying committed entries to the node's MetadataState (a voter on controllers, an observer on
// brokers). Who calls: startNode, for every role.
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Endpoint, NodeConfig } from '../common/node-config.js';
import { MetadataState } from '../metadata/metadata-state.js';
import { QuorumHost } from '../raft/host/quorum-host.js';
import type { QuorumWorkerData } from '../raft/host/quorum-protocol.js';
import { addEventLoop } from './node-metrics.js';

interface MetadataRaft {
  readonly host: QuorumHost;
  /** The state the host applies to: the image every role of this node reads. */
  readonly state: MetadataState;
  /** Controller endpoints of the voters, by node id. */
  readonly voterEndpoints: ReadonlyMap<number, Endpoint>;
}

export async function startMetadataRaft(
  config: NodeConfig,
  clusterId: string,
  logger: Logger,
  registry: Registry,
  onFatal: (err: unknown) => void,
  controllerEndpoint: Endpoint | null,
): Promise<MetadataRaft> {
  const voterEndpoints = new Map(config.quorumVoters.map((v) => [v.id, { host: v.host, port: v.port }]));
  const state = new MetadataState();
  const data: QuorumWorkerData = {
    config,
    clusterId,
    logLevel: logger.level,
    logBindings: logger.bindings(),
    controllerEndpoint,
  };
  const worker = new Worker(new URL('./quorum-worker.js', import.meta.url), { workerData: data });
  addEventLoop(registry, 'quorum', () => worker.performance.eventLoopUtilization());
  const host = await QuorumHost.start({ worker, state, registry, logger, onFatal });
  return { host, state, voterEndpoints };
}
