// One raftka node (the composition root): reads meta.properties, starts the metadata Raft (a
// voter on controllers, an observer on brokers), then the roles process.roles names — the
// controller (controller-role.ts), the broker (broker-role.ts) — and the admin HTTP server, and
// shuts all of it down on request. Wiring only: each part's construction lives in its module.
import type { Logger } from 'pino';
import {
  controllerKafkaListeners,
  controllerQuorumListener,
  type Endpoint,
  type NodeConfig,
} from '../common/node-config.js';
import type { MetadataState } from '../metadata/metadata-state.js';
import type { QuorumHost } from '../raft/host/quorum-host.js';
import { adoptZkModeDirectories, readMetaProperties } from './storage-format.js';
import { setConnectAddressMap } from '../common/connect-address.js';
import { configureFaultHooks } from '../common/fault-hooks.js';
import { startMetadataRaft } from './metadata-raft.js';
import { nodeRpcSecurity } from '../security/rpc-tls.js';
import { createNodeRegistry, registerImageGauges } from './node-metrics.js';
import { startController, type ControllerRole } from './controller-role.js';
import { startBroker, type BrokerRole } from './broker-role.js';
import { startNodeAdmin, type NodeAdmin } from './node-admin.js';
import { createKafkaListenerShared } from './kafka-listeners.js';
import { startControllerKafkaListeners, type ControllerKafkaListeners } from './controller-listener.js';

class NodeStartError extends Error {}

export interface RunningNode {
  readonly nodeId: number;
  readonly clusterId: string;
  /** The metadata Raft as the main thread sees it (the driver runs in the quorum thread). */
  readonly driver: QuorumHost;
  /** The node's applied metadata state (the one the driver applies committed entries to). */
  readonly metadata: MetadataState;
  /** Bound ports (useful when a config asked for port 0). */
  readonly controllerPort: number | null;
  readonly adminPort: number | null;
  /** Bound Kafka listener ports by listener name (a broker's, and a controller's Kafka listeners). */
  readonly kafkaPorts: ReadonlyMap<string, number>;
  shutdown(): Promise<void>;
}

function controllerEndpoint(config: NodeConfig): Endpoint | null {
  return controllerQuorumListener(config);
}

export async function startNode(
  config: NodeConfig,
  logger: Logger,
  onFatal: (err: unknown) => void,
): Promise<RunningNode> {
  setConnectAddressMap(config.connectAddressMap);
  configureFaultHooks(config.testFaultControlFile, logger);
  const adoptedLogDirs = adoptZkModeDirectories(config);
  for (const dir of adoptedLogDirs)
    logger.info({ dir }, "adopted a ZooKeeper-mode Kafka broker's log directory (meta.properties version 0 → 1)");
  const clusterId = formattedClusterId(config);
  const registry = createNodeRegistry(config.nodeId);
  const rpc = nodeRpcSecurity(config, logger, registry);
  const isController = config.processRoles.includes('controller');
  const endpoint = isController ? controllerEndpoint(config) : null;
  if (isController && !endpoint)
    throw new NodeStartError(
      `${config.sourcePath}: no listener named by the first of controller.listener.names (the quorum listener)`,
    );
  // The quorum thread serves the controller listener (KRaft there, controller.proto forwarded here).
  const {
    host: driver,
    state,
    voterEndpoints,
  } = await startMetadataRaft(config, clusterId, logger, registry, onFatal, endpoint);

  const controller: ControllerRole | null = isController
    ? startController({ config, clusterId, logger, driver, state, voterEndpoints })
    : null;
  registerImageGauges(registry, state, () => driver.status().highWatermark);
  // Request metrics and ACL enforcement of every Kafka listener (broker and controller ones); a
  // controller without a Kafka listener has none of them.
  const isBroker = config.processRoles.includes('broker');
  const kafka =
    isBroker || controllerKafkaListeners(config).length > 0
      ? createKafkaListenerShared(config, logger, registry, () => state.image)
      : null;
  const controllerKafka: ControllerKafkaListeners | null =
    isController && kafka
      ? await startControllerKafkaListeners({ config, clusterId, logger, driver, state, rpc, kafka })
      : null;
  const broker: BrokerRole | null =
    isBroker && kafka
      ? await startBroker({ config, clusterId, logger, registry, raft: driver, state, rpc, adoptedLogDirs, kafka })
      : null;
  const admin: NodeAdmin | null = config.adminListener
    ? await startNodeAdmin(config.adminListener, {
        config,
        logger,
        registry,
        clusterId,
        quorumStatus: () => driver.status(),
        state,
        broker: broker?.lifecycle ?? null,
        logDirs: broker ? () => broker.logDirs() : null,
        controllerSecurity: rpc.controllerClient,
      })
    : null;

  const controllerPort = driver.controllerPort;
  const adminPort = admin?.port ?? null;
  const kafkaPorts = new Map([...(broker?.kafkaPorts ?? []), ...(controllerKafka?.ports ?? [])]);
  logger.info(
    {
      nodeId: config.nodeId,
      roles: config.processRoles,
      clusterId,
      controllerPort,
      adminPort,
      kafkaPorts: Object.fromEntries(kafkaPorts),
    },
    'node started',
  );

  return {
    nodeId: config.nodeId,
    clusterId,
    driver,
    metadata: state,
    controllerPort,
    adminPort,
    kafkaPorts,
    async shutdown(): Promise<void> {
      logger.info('shutting down');
      await broker?.shutdown();
      await controllerKafka?.close();
      controller?.shutdown();
      // The quorum thread resigns if it leads (EndQuorumEpoch), then closes the controller listener.
      await driver.shutdown();
      await admin?.close();
      logger.info('shut down');
    },
  };
}

/** The cluster id from meta.properties, which must exist and name this node. */
function formattedClusterId(config: NodeConfig): string {
  const meta = readMetaProperties(config.metadataLogDir);
  if (!meta) {
    throw new NodeStartError(
      `${config.metadataLogDir} is not formatted: run \`raftka storage format --config ${config.sourcePath} --cluster-id <id>\``,
    );
  }
  if (meta.nodeId !== config.nodeId) {
    throw new NodeStartError(
      `${config.metadataLogDir}/meta.properties has node.id ${meta.nodeId}, but ${config.sourcePath} says ${config.nodeId}`,
    );
  }
  return meta.clusterId;
}
