// The broker role of a node: partition logs and replicas, the replication listener and fetcher,
// ISR changes sent to the controller, the group coordinator, the Kafka client listeners and the
// broker lifecycle (register, heartbeat, controlled shutdown). It follows the node's metadata
// image as the Raft driver applies it. Who calls: startNode, when process.roles has `broker`.
//
// Order matters at start (replicas see the image before the listeners open; the lifecycle starts
// last) and at shutdown (controlled shutdown first, then the listeners, then the state below).
import {
  registerBrokerGauges,
  registerLogDirGauges,
  registerLogFlushTime,
  registerPartitionLogGauges,
} from './broker-metrics.js';
import { BrokerTopicMetrics } from '../broker/topic-metrics.js';
import { FetchRequestMetrics, FetchSessionCache } from '../broker/fetch-session.js';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { type Endpoint, type NodeConfig, replicationListenerName } from '../common/node-config.js';
import { errorName } from '../common/errors.js';
import { BrokerLifecycle } from '../broker/broker-lifecycle.js';
import { brokerHandlers } from '../broker/kafka-apis.js';
import { ClientQuotaManager } from '../broker/quota/client-quotas.js';
import { brokerLogConfig, ReplicaManager } from '../broker/replica-manager.js';
import { ReplicaFetcher } from '../broker/replica-fetcher.js';
import { IsrBatcher } from '../broker/isr-batcher.js';
import { ControllerClient } from '../client/controller-client.js';
import type { NodeRpcSecurity } from '../security/rpc-tls.js';
import type { MetadataState } from '../metadata/metadata-state.js';
import { uuidToBytes } from '../common/uuid.js';
import { readBatchHeader, readRecords } from '../protocol/record-batch.js';
import type { QuorumHost } from '../raft/host/quorum-host.js';
import type { FlushObserver } from '../storage/log.js';
import { LogManager } from '../storage/log-manager.js';
import type { LogDirStatus } from '../storage/log-dir-health.js';
import { LogCleaner } from '../storage/log-cleaner.js';
import { createGroupCoordinator, ledOffsetsPartitions, startConsumerLagMetrics } from './group-wiring.js';
import { brokerClientListeners, startKafkaListeners, type KafkaListenerShared } from './kafka-listeners.js';
import { startReplicaServer } from './replica-service.js';
import { startTransactions } from './txn-wiring.js';
import { offsetsTopicName } from '../broker/group/offsets-records.js';

/** The name the replication endpoint is registered under (clients never see it: Metadata answers per listener). */

interface BrokerRoleContext {
  readonly config: NodeConfig;
  readonly clusterId: string;
  readonly logger: Logger;
  readonly registry: Registry;
  /** The node's metadata Raft: apply notifications and whether a quorum leader is heard. */
  readonly raft: Pick<QuorumHost, 'onApplied' | 'status'>;
  readonly state: MetadataState;
  /**
   * Log dirs adopted from a ZooKeeper-mode broker at this start: partitions found there are not
   * removed as strays before the migrated metadata names them (the cut-over may apply it later).
   */
  readonly adoptedLogDirs?: readonly string[];
  /** The node's gRPC link security (controller and replication listeners). */
  readonly rpc: NodeRpcSecurity;
  /** Request metrics and ACL enforcement, shared with a controller's Kafka listeners. */
  readonly kafka: KafkaListenerShared;
}

export interface BrokerRole {
  readonly lifecycle: BrokerLifecycle;
  /** Bound Kafka listener ports by listener name. */
  readonly kafkaPorts: ReadonlyMap<string, number>;
  /** Each log dir: whether it takes writes (full disk), for the admin /status. */
  logDirs(): LogDirStatus[];
  shutdown(): Promise<void>;
}

export async function startBroker(ctx: BrokerRoleContext): Promise<BrokerRole> {
  const { config, logger, state } = ctx;
  const logManager = createLogManager(config, logger, registerLogFlushTime(ctx.registry));
  const replicas = new ReplicaManager(
    config.nodeId,
    logManager,
    brokerLogConfig(config),
    logger.child({ component: 'replicas' }),
    config.replicaLagTimeMaxMs,
  );
  const voters = config.quorumVoters.map((v) => ({ host: v.host, port: v.port }));
  const controllerClient = new ControllerClient(voters, ctx.rpc.controllerClient);
  // Followers fetch from this broker here (proto/replica.proto).
  const brokerHost =
    config.listeners.find((l) => !config.controllerListenerNames.includes(l.name))?.host ?? '127.0.0.1';
  let lifecycle: BrokerLifecycle | null = null;
  const brokerEpoch = (): number => lifecycle?.epoch ?? -1;
  const replicationEndpointOf = (id: number) => {
    const ep = state.image.brokers.get(id)?.endpoints.find((e) => e.name === replicationListenerName);
    return ep ? { host: ep.host, port: ep.port } : null;
  };
  const txn = startTransactions({
    config,
    logger,
    registry: ctx.registry,
    replicas,
    state,
    controller: controllerClient,
    brokerEpoch,
    replicationEndpointOf,
    replicationSecurity: ctx.rpc.replicationClient,
  });
  // Fetch sessions (KIP-227): one cache for Kafka clients and followers, as Kafka has.
  const fetchSessions = createFetchSessions(config, ctx.registry);
  // Followers' sessions serve only what changed: the replica manager tells the cache each change.
  replicas.addChangeListener((key) => fetchSessions.fetchSessions.partitionChanged(key));
  const replication = await startReplicaServer(
    config.replicaListener ?? { host: brokerHost, port: 0 },
    replicas,
    txn.markers,
    txn.coordinator,
    ctx.rpc.replicationServer,
    fetchSessions,
  );
  const replicationEndpoint = {
    name: replicationListenerName,
    host: config.replicaListener?.host ?? brokerHost,
    port: replication.port,
  };
  replicas.setIsrChanger(alterPartitionBatcher(controllerClient, config.nodeId, brokerEpoch));
  const fetcher = createReplicaFetcher(ctx, replicas, brokerEpoch, replicationEndpointOf);
  registerBrokerGauges(ctx.registry, replicas);
  registerLogDirGauges(ctx.registry, () => logManager.logDirStatus());
  if (config.metricsPartitionEnable) registerPartitionLogGauges(ctx.registry, () => replicas.hostedPartitions());
  const groups = createGroupCoordinator(config, replicas, state, logger);
  // A marker replicated on a __consumer_offsets partition settles the producer's pending offsets.
  txn.markers.setListener((tp, producerId, committed) => {
    if (tp.topic === offsetsTopicName) groups.completeTransaction(tp.partition, producerId, committed);
  });
  replicas.setRolesListener(() => {
    fetcher.refresh();
    groups.setLeadership(ledOffsetsPartitions(replicas));
    txn.refreshLeadership();
  });
  // Partitions are hosted only once the controller says this broker has caught up with the
  // metadata log (startHosting below): until then the local log is a stale prefix, and acting
  // on it would have a restarted broker lead partitions whose leadership moved on while it was down.
  replicas.applyImage(state.image);
  const topicMetrics = new BrokerTopicMetrics(ctx.registry);
  ctx.raft.onApplied((applied) => {
    replicas.applyImage(applied.image);
    topicMetrics.forgetDeleted((topic) => applied.image.topicsByName.has(topic));
  });
  const retentionTimer = setInterval(() => void groups.expireOffsets(), config.offsetsRetentionCheckIntervalMs);
  retentionTimer.unref();
  logManager.start();
  const handlers = brokerHandlers({
    ...roleServices(ctx, replicas),
    controller: controllerClient,
    groups,
    topicMetrics,
    ...fetchSessions,
    producerIds: txn.producerIds,
    txn: { coordinator: txn.coordinator, verifier: txn.verifier, markers: txn.markers },
  });
  const clients = brokerClientListeners(config);
  const listeners = await startKafkaListeners(
    config,
    logger,
    ctx.kafka,
    handlers,
    () => replicas.currentImage(),
    clients,
  );
  const lagClient = startConsumerLagMetrics(config, ctx.registry, groups, replicas, listeners.ports);
  const started = new BrokerLifecycle({
    config,
    clusterId: ctx.clusterId,
    logger,
    metadataOffset: () => state.appliedOffset,
    onCaughtUp: () => {
      replicas.startHosting();
      replicas.removeStrayLogs(ctx.adoptedLogDirs ?? []);
    },
    // Unfenced once every partition log the image assigns here is open.
    readyToUnfence: () => replicas.allLogsOpen(),
    quorumHasLeader: () => ctx.raft.status().leaderReachable,
    extraEndpoints: [replicationEndpoint],
    // Registration and heartbeats on a channel of their own, as before, with the node's link security.
    client: new ControllerClient(voters, ctx.rpc.controllerClient),
  });
  replicas.setAllOpenListener(() => started.nudge());
  lifecycle = started;
  started.start();
  return {
    lifecycle: started,
    kafkaPorts: listeners.ports,
    logDirs: () => logManager.logDirStatus(),
    async shutdown(): Promise<void> {
      await started.shutdown();
      for (const k of listeners.servers) await k.close();
      clearInterval(retentionTimer);
      groups.close();
      txn.close();
      lagClient?.close();
      fetcher.close();
      replication.server.forceShutdown();
      replicas.close();
      controllerClient.close();
      logManager.close();
    },
  };
}

/** The handlers' services that come from the node and the replicas: identity, client quotas, ACLs. */
function roleServices(ctx: BrokerRoleContext, replicas: ReplicaManager) {
  const { config } = ctx;
  return {
    nodeId: config.nodeId,
    clusterId: ctx.clusterId,
    config,
    logger: ctx.logger,
    replicas,
    quotas: new ClientQuotaManager({
      window: { samples: config.quotaWindowNum, windowMs: config.quotaWindowSizeSeconds * 1000 },
      image: () => replicas.currentImage(),
      registry: ctx.registry,
    }),
    authorization: ctx.kafka.authorization,
    offsetInBatchForTimestamp,
  };
}

function createLogManager(config: NodeConfig, logger: Logger, onFlush: FlushObserver): LogManager {
  const logManager = new LogManager({
    logDirs: config.logDirs,
    logger: logger.child({ component: 'logs' }),
    retentionCheckIntervalMs: config.logRetentionCheckIntervalMs,
    flushCheckIntervalMs: config.logFlushSchedulerIntervalMs,
    checkpointIntervalMs: 60_000,
    cleanerIntervalMs: config.logCleanerEnable ? config.logCleanerBackoffMs : null,
    onFlush,
  });
  const cleaner = new LogCleaner(logger.child({ component: 'cleaner' }));
  logManager.setCleaner((log, now) => cleaner.maybeClean(log, now));
  return logManager;
}

/** ISR changes of the partitions this broker leads, batched into AlterPartition calls to the controller. */
function alterPartitionBatcher(client: ControllerClient, brokerId: number, brokerEpoch: () => number): IsrBatcher {
  return new IsrBatcher(async (items) => {
    const res = await client.alterPartition({
      brokerId,
      brokerEpoch: brokerEpoch(),
      partitions: items.map((i) => ({ ...i, newIsr: [...i.newIsr], topicId: uuidToBytes(i.topicId) })),
    });
    return items.map((_, k) => res.errorCode || (res.partitions[k]?.errorCode ?? -1));
  }, errorName);
}

/** First offset of the first record with timestamp ≥ `timestamp` in `batch`, or null (ListOffsets by time). */
function offsetInBatchForTimestamp(batch: Buffer, timestamp: number): { offset: number; timestamp: number } | null {
  const found = readRecords(batch, readBatchHeader(batch, 0)).find((r) => r.timestamp >= timestamp);
  return found ? { offset: found.offset, timestamp: found.timestamp } : null;
}

/** The broker's fetch session cache (max.incremental.fetch.session.cache.slots=0: off) and its request metrics. */
function createFetchSessions(config: NodeConfig, registry: Registry) {
  return {
    fetchSessions: new FetchSessionCache({
      slotsMax: config.maxIncrementalFetchSessionCacheSlots,
      evictionMs: config.minIncrementalFetchSessionEvictionMs,
      registry,
    }),
    fetchMetrics: new FetchRequestMetrics(registry),
  };
}

/** Fetches the partitions this broker follows from their leaders' replication endpoints. */
function createReplicaFetcher(
  ctx: BrokerRoleContext,
  replicas: ReplicaManager,
  brokerEpoch: () => number,
  endpointOf: (brokerId: number) => Endpoint | null,
): ReplicaFetcher {
  return new ReplicaFetcher({
    brokerId: ctx.config.nodeId,
    replicas,
    logger: ctx.logger.child({ component: 'fetcher' }),
    endpointOf,
    brokerEpoch,
    fetchMaxBytes: ctx.config.replicaFetchMaxBytes,
    fetchWaitMaxMs: ctx.config.replicaFetchWaitMaxMs,
    security: ctx.rpc.replicationClient,
    // Sessions off on this broker (max.incremental.fetch.session.cache.slots=0) means off as a follower too.
    sessions: ctx.config.maxIncrementalFetchSessionCacheSlots > 0,
  });
}
