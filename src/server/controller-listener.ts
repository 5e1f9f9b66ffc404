// A controller's Kafka-protocol listeners (KIP-919): every listener named in
// controller.listener.names after the first (the first stays raftka's gRPC quorum listener),
// serving src/broker/controller-apis.ts with the TLS and SASL listener.security.protocol.map gives
// them, and the controller's registration of those listeners with the active controller
// (RegisterController → RegisterControllerRecord), so DescribeCluster for controllers lists them.
// Admin writes go to the active controller over gRPC, as a broker's do; DescribeQuorum asks the
// quorum leader through this node's own quorum listener (src/client/quorum-client.ts).
// Who calls: startNode, on a controller whose controller.listener.names has a second name.
import type { Logger } from 'pino';
import { ErrorCode, errorName } from '../common/errors.js';
import {
  controllerKafkaListeners,
  controllerQuorumListener,
  type Listener,
  type NodeConfig,
} from '../common/node-config.js';
import { randomUuid, uuidToBytes } from '../common/uuid.js';
import { controllerHandlers } from '../broker/controller-apis.js';
import { BrokerDynamicConfig } from '../broker/dynamic-config.js';
import { brokerLogConfig } from '../broker/replica-manager.js';
import { ControllerClient } from '../client/controller-client.js';
import { describeQuorum } from '../client/quorum-client.js';
import type { MetadataState } from '../metadata/metadata-state.js';
import type { QuorumHost } from '../raft/host/quorum-host.js';
import type { NodeRpcSecurity } from '../security/rpc-tls.js';
import { startKafkaListeners, type KafkaListenerShared } from './kafka-listeners.js';

/** Pause between registration attempts while no active controller takes it. */
const registerRetryMs = 500;
/** How long one registration call may look for the active controller. */
const registerCallTimeoutMs = 10_000;

interface ControllerListenerContext {
  readonly config: NodeConfig;
  readonly clusterId: string;
  readonly logger: Logger;
  readonly driver: QuorumHost;
  readonly state: MetadataState;
  readonly rpc: NodeRpcSecurity;
  readonly kafka: KafkaListenerShared;
}

export interface ControllerKafkaListeners {
  /** Bound ports by listener name. */
  readonly ports: ReadonlyMap<string, number>;
  close(): Promise<void>;
}

export async function startControllerKafkaListeners(
  ctx: ControllerListenerContext,
): Promise<ControllerKafkaListeners | null> {
  const { config, logger, driver } = ctx;
  const listeners = controllerKafkaListeners(config);
  if (listeners.length === 0) return null;
  const client = new ControllerClient(
    config.quorumVoters.map((v) => ({ host: v.host, port: v.port })),
    ctx.rpc.controllerClient,
  );
  const dynamicConfig = new BrokerDynamicConfig(config.nodeId, brokerLogConfig(config), logger);
  const quorumName = config.controllerListenerNames[0] ?? 'CONTROLLER';
  const quorumHost = controllerQuorumListener(config)?.host ?? '127.0.0.1';
  const image = () => ctx.state.image;
  const handlers = controllerHandlers({
    nodeId: config.nodeId,
    clusterId: ctx.clusterId,
    config,
    logger,
    controller: client,
    image,
    dynamicConfig: () => dynamicConfig,
    authorization: ctx.kafka.authorization,
    activeControllerId: () => driver.status().leaderId ?? -1,
    describeQuorum: () =>
      describeQuorum({ host: quorumHost, port: driver.controllerPort ?? 0 }, ctx.rpc.controllerClient),
    quorumListeners: new Map(config.quorumVoters.map((v) => [v.id, { name: quorumName, host: v.host, port: v.port }])),
  });
  const started = await startKafkaListeners(config, logger, ctx.kafka, handlers, image, listeners);
  const registration = registerLoop(ctx, client, registeredEndpoints(config, listeners, started.ports));
  return {
    ports: started.ports,
    async close(): Promise<void> {
      registration.abort();
      for (const s of started.servers) await s.close();
      client.close();
    },
  };
}

/** The endpoints a controller registers: advertised.listeners' entry of each name, else the bound address. */
function registeredEndpoints(config: NodeConfig, listeners: readonly Listener[], ports: ReadonlyMap<string, number>) {
  return listeners.map((l) => {
    const advertised = config.advertisedListeners.find((a) => a.name === l.name);
    return {
      name: l.name,
      host: advertised?.host ?? l.host,
      port: advertised?.port || (ports.get(l.name) ?? l.port),
      securityProtocol: config.listenerSecurityProtocolMap.get(l.name) ?? 'PLAINTEXT',
    };
  });
}

/** Registers this controller's Kafka listeners with the active controller, retrying until it takes them. */
function registerLoop(
  ctx: ControllerListenerContext,
  client: ControllerClient,
  listeners: ReturnType<typeof registeredEndpoints>,
): AbortController {
  const stop = new AbortController();
  const request = {
    controllerId: ctx.config.nodeId,
    clusterId: ctx.clusterId,
    incarnationId: uuidToBytes(randomUuid()),
    listeners,
  };
  const attempt = async (): Promise<void> => {
    while (!stop.signal.aborted) {
      try {
        const res = await client.registerController(request, { timeoutMs: registerCallTimeoutMs });
        if (res.errorCode === ErrorCode.NONE) {
          ctx.logger.info({ listeners }, 'controller Kafka listeners registered');
          return;
        }
        if (res.errorCode === ErrorCode.INCONSISTENT_CLUSTER_ID) {
          ctx.logger.error({ reason: res.errorMessage }, 'controller registration refused');
          return;
        }
        ctx.logger.debug({ error: errorName(res.errorCode) }, 'controller registration not taken yet');
      } catch (err) {
        if (stop.signal.aborted) return;
        ctx.logger.debug({ err: err instanceof Error ? err.message : String(err) }, 'controller registration failed');
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, registerRetryMs);
        stop.signal.addEventListener('abort', () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  };
  void attempt();
  return stop;
}
