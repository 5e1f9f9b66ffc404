// The controller role of a node: the QuorumController over the node's metadata Raft, answering
// the proto/controller.proto calls of the controller listener. The listener itself (KRaft and
// controller.proto on one port) is served by the quorum thread (src/raft/host/), which forwards
// controller.proto calls here. Who calls: startNode, when process.roles has `controller`.
//
// Shutdown: the controller stops first (no new writes), then the quorum host stops (the driver
// resigns while the listener still serves, and only then does the listener close).
import type { Logger } from 'pino';
import type { Endpoint, NodeConfig } from '../common/node-config.js';
import { QuorumController } from '../controller/quorum-controller.js';
import type { MetadataState } from '../metadata/metadata-state.js';
import type { QuorumHost } from '../raft/host/quorum-host.js';
import { controllerServiceFor } from './controller-service.js';
import { registerControllerGauges } from './node-metrics.js';

interface ControllerRoleContext {
  readonly config: NodeConfig;
  readonly clusterId: string;
  readonly logger: Logger;
  readonly driver: QuorumHost;
  readonly state: MetadataState;
  readonly voterEndpoints: ReadonlyMap<number, Endpoint>;
}

export interface ControllerRole {
  readonly controller: QuorumController;
  /** Before the quorum host stops: the controller takes no more writes. */
  shutdown(): void;
}

export function startController(ctx: ControllerRoleContext): ControllerRole {
  const { config, driver } = ctx;
  const controller = new QuorumController({
    nodeId: config.nodeId,
    clusterId: ctx.clusterId,
    raft: driver,
    state: ctx.state,
    logger: ctx.logger,
    defaultPartitions: config.numPartitions,
    defaultReplicationFactor: config.defaultReplicationFactor,
    deleteTopicEnable: config.deleteTopicEnable,
    uncleanLeaderElectionEnable: config.uncleanLeaderElectionEnable,
    brokerSessionTimeoutMs: config.brokerSessionTimeoutMs,
    leaderRebalanceIntervalMs: config.autoLeaderRebalanceEnable
      ? config.leaderImbalanceCheckIntervalSeconds * 1000
      : null,
    onEventError: () => driver.metrics.metadataErrors.inc({ source: 'controller' }),
  });
  registerControllerGauges(driver.metrics.registry, () => controller.isActive());
  driver.serveController(controllerServiceFor(controller, ctx.voterEndpoints, () => ctx.state.appliedOffset));
  return { controller, shutdown: () => controller.close() };
}
