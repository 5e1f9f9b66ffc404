// The controller role of a node: the QuorumController over the node's metadata Raft and the
// controller listener, which serves both the KRaft RPCs (to the driver) and proto/controller.proto
// (to the QuorumController). Who calls: startNode, when process.roles has `controller`.
//
// Shutdown is in two steps around the driver's own: the controller stops first (no new writes),
// then the driver resigns (its EndQuorumEpoch and the peers' last requests still need this
// listener), and only then does the listener close.
import type { Logger } from 'pino';
import type { Endpoint, NodeConfig } from '../common/node-config.js';
import { QuorumController } from '../controller/quorum-controller.js';
import type { MetadataState } from '../metadata/metadata-state.js';
import { startRaftServer } from '../raft/driver/grpc-transport.js';
import type { RpcServerSecurity } from '../rpc/rpc-security.js';
import type { RaftDriver } from '../raft/driver/raft-driver.js';
import { controllerServiceFor } from './controller-service.js';
import { registerControllerGauges } from './node-metrics.js';

interface ControllerRoleContext {
  readonly config: NodeConfig;
  readonly clusterId: string;
  readonly logger: Logger;
  readonly driver: RaftDriver<MetadataState>;
  readonly state: MetadataState;
  readonly voterEndpoints: ReadonlyMap<number, Endpoint>;
  /** Mutual TLS of the controller listener, or null (plaintext). */
  readonly security: RpcServerSecurity | null;
}

export interface ControllerRole {
  readonly controller: QuorumController;
  /** The bound port of the controller listener. */
  readonly port: number;
  /** Step 1, before the driver stops: the controller takes no more writes. */
  shutdown(): void;
  /** Step 2, after the driver stopped: close the controller listener. */
  closeListener(): void;
}

export async function startController(ctx: ControllerRoleContext, endpoint: Endpoint): Promise<ControllerRole> {
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
  const started = await startRaftServer(
    endpoint,
    { handle: (request) => driver.handleRequest(request), describeQuorum: () => driver.describeQuorum(ctx.clusterId) },
    [controllerServiceFor(controller, ctx.voterEndpoints, () => ctx.state.appliedOffset)],
    ctx.security,
  );
  return {
    controller,
    port: started.port,
    shutdown: () => controller.close(),
    closeListener: () => started.server.forceShutdown(),
  };
}
