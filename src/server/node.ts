// One raftka node (the composition root): reads meta.properties, opens the metadata log, runs
// the Raft driver as a voter (controller role) or observer (broker role), serves the KRaft gRPC
// listener (controllers) and the admin HTTP server, and shuts all of it down on request.
import { join } from 'node:path';
import type { Server as HttpServer } from 'node:http';
import type { Server as GrpcServer } from '@grpc/grpc-js';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { Endpoint, NodeConfig } from '../common/node-config.js';
import { RaftDriver } from '../raft/driver/raft-driver.js';
import { MetadataLogStore } from '../raft/driver/metadata-log-store.js';
import { RaftMetrics } from '../raft/driver/raft-metrics.js';
import { startRaftServer } from '../raft/driver/grpc-transport.js';
import { startAdminHttp } from './admin-http.js';
import { readMetaProperties } from './storage-format.js';
import { BrokerLifecycle } from '../broker/broker-lifecycle.js';
import { QuorumController } from '../controller/quorum-controller.js';
import { controllerServiceFor } from './controller-service.js';
import { imageDigest } from '../metadata/image-records.js';
import { ControllerClient } from '../client/controller-client.js';
import { brokerHandlers } from '../broker/kafka-apis.js';
import { brokerLogConfig, ReplicaManager } from '../broker/replica-manager.js';
import { readBatchHeader, readRecords } from '../protocol/record-batch.js';
import { LogManager } from '../storage/log-manager.js';
import { LogCleaner } from '../storage/log-cleaner.js';
import { KafkaServer } from './kafka-server.js';
import { startReplicaServer } from './replica-service.js';
import { ReplicaFetcher } from '../broker/replica-fetcher.js';
import { IsrBatcher } from '../broker/isr-batcher.js';
import { uuidToBytes } from '../common/uuid.js';
import type { WireMessage } from '../raft/driver/raft-wire.js';
import { errorName } from '../common/errors.js';
import { GroupCoordinator } from '../broker/group/group-coordinator.js';
import { ReplicatedOffsetsLog } from '../broker/group/offsets-log.js';
import { offsetsTopicName } from '../broker/group/offsets-records.js';
import { registerGroupMetrics } from '../broker/group/group-metrics.js';
import { offsetMapKey } from '../broker/group/group.js';
import { systemClock } from '../broker/group/clock.js';
import { KafkaClient } from '../client/kafka-client.js';
import { subscriptionTopics } from '../protocol/consumer-protocol.js';
import { setConnectAddressMap } from '../common/connect-address.js';

/** The name the replication endpoint is registered under (clients never see it: Metadata answers per listener). */
const replicationListenerName = 'REPLICATION';

/** Snapshot chunk size for FetchSnapshot (Kafka sends up to the fetch max bytes). */
const snapshotChunkBytes = 1024 * 1024;
/** Max bytes of entries per metadata Fetch response (Kafka's raft fetch uses 8 MiB). */
const metadataFetchMaxBytes = 8 * 1024 * 1024;

export class NodeStartError extends Error {}

export interface RunningNode {
  readonly nodeId: number;
  readonly clusterId: string;
  readonly driver: RaftDriver;
  /** Bound ports (useful when a config asked for port 0). */
  readonly controllerPort: number | null;
  readonly adminPort: number | null;
  /** Bound Kafka listener ports by listener name (brokers). */
  readonly kafkaPorts: ReadonlyMap<string, number>;
  shutdown(): Promise<void>;
}

export function controllerEndpoint(config: NodeConfig): Endpoint | null {
  return config.listeners.find((l) => config.controllerListenerNames.includes(l.name)) ?? null;
}

export async function startNode(config: NodeConfig, logger: Logger, onFatal: (err: unknown) => void): Promise<RunningNode> {
  setConnectAddressMap(config.connectAddressMap);
  const meta = readMetaProperties(config.metadataLogDir);
  if (!meta) {
    throw new NodeStartError(`${config.metadataLogDir} is not formatted: run \`raftka storage format --config ${config.sourcePath} --cluster-id <id>\``);
  }
  if (meta.nodeId !== config.nodeId) {
    throw new NodeStartError(`${config.metadataLogDir}/meta.properties has node.id ${meta.nodeId}, but ${config.sourcePath} says ${config.nodeId}`);
  }
  const isController = config.processRoles.includes('controller');
  const registry = new Registry();
  registry.setDefaultLabels({ node_id: String(config.nodeId) });
  collectDefaultMetrics({ register: registry });
  const metrics = new RaftMetrics(registry);

  const store = await MetadataLogStore.open(join(config.metadataLogDir, '__cluster_metadata-0'), {
    segmentBytes: config.metadataLogSegmentBytes,
    logger,
  });
  const voterEndpoints = new Map(config.quorumVoters.map((v) => [v.id, { host: v.host, port: v.port }]));
  const driver = await RaftDriver.start({
    core: {
      nodeId: config.nodeId,
      clusterId: meta.clusterId,
      voters: config.quorumVoters.map((v) => v.id),
      electionTimeoutMs: config.quorumElectionTimeoutMs,
      fetchTimeoutMs: config.quorumFetchTimeoutMs,
      electionBackoffMaxMs: config.quorumElectionBackoffMaxMs,
      requestTimeoutMs: config.quorumRequestTimeoutMs,
      retryBackoffMs: config.quorumRetryBackoffMs,
      maxIdleIntervalMs: config.metadataMaxIdleIntervalMs,
      fetchMaxBytes: metadataFetchMaxBytes,
      snapshotChunkBytes,
    },
    store,
    voterEndpoints,
    logger,
    metrics,
    snapshotBytesBetween: config.metadataLogMaxRecordBytesBetweenSnapshots,
    snapshotIntervalMs: config.metadataLogMaxSnapshotIntervalMs,
    onFatal,
  });

  let grpcServer: GrpcServer | null = null;
  let controllerPort: number | null = null;
  let controller: QuorumController | null = null;
  if (isController) {
    const endpoint = controllerEndpoint(config);
    if (!endpoint) throw new NodeStartError(`${config.sourcePath}: no listener named in controller.listener.names`);
    controller = new QuorumController({
      nodeId: config.nodeId,
      clusterId: meta.clusterId,
      driver,
      logger,
      defaultPartitions: config.numPartitions,
      defaultReplicationFactor: config.defaultReplicationFactor,
      deleteTopicEnable: config.deleteTopicEnable,
      uncleanLeaderElectionEnable: config.uncleanLeaderElectionEnable,
      brokerSessionTimeoutMs: config.brokerSessionTimeoutMs,
      leaderRebalanceIntervalMs: config.autoLeaderRebalanceEnable ? config.leaderImbalanceCheckIntervalSeconds * 1000 : null,
    });
    const started = await startRaftServer(
      endpoint,
      { handle: (request) => driver.handleRequest(request), describeQuorum: () => driver.describeQuorum(meta.clusterId) },
      [controllerServiceFor(controller, voterEndpoints, () => driver.appliedState().appliedOffset)],
    );
    grpcServer = started.server;
    controllerPort = started.port;
  }
  new Gauge({
    name: 'raftka_offline_partitions',
    help: "Partitions without a leader in this node's metadata image",
    registers: [registry],
    collect() {
      let n = 0;
      for (const t of driver.appliedState().image.topicsById.values()) for (const p of t.partitions.values()) if (p.leader < 0) n++;
      this.set(n);
    },
  });
  let broker: BrokerLifecycle | null = null;
  let logManager: LogManager | null = null;
  let adminClient: ControllerClient | null = null;
  let replicaManager: ReplicaManager | null = null;
  let replicaServer: GrpcServer | null = null;
  let fetcher: ReplicaFetcher | null = null;
  let groups: GroupCoordinator | null = null;
  let groupsClient: KafkaClient | null = null;
  let retentionTimer: NodeJS.Timeout | null = null;
  const kafkaServers: KafkaServer[] = [];
  const kafkaPorts = new Map<string, number>();
  if (config.processRoles.includes('broker')) {
    logManager = new LogManager({
      logDirs: config.logDirs,
      logger: logger.child({ component: 'logs' }),
      retentionCheckIntervalMs: config.logRetentionCheckIntervalMs,
      flushCheckIntervalMs: config.logFlushSchedulerIntervalMs,
      checkpointIntervalMs: 60_000,
      cleanerIntervalMs: config.logCleanerEnable ? config.logCleanerBackoffMs : null,
    });
    const cleaner = new LogCleaner(logger.child({ component: 'cleaner' }));
    logManager.setCleaner((log, now) => cleaner.maybeClean(log, now));
    const replicas = new ReplicaManager(config.nodeId, logManager, brokerLogConfig(config), logger.child({ component: 'replicas' }), config.replicaLagTimeMaxMs);
    replicaManager = replicas;
    adminClient = new ControllerClient(config.quorumVoters.map((v) => ({ host: v.host, port: v.port })));
    const controllerClient = adminClient;
    // Followers fetch from this broker here (proto/replica.proto).
    const brokerHost = config.listeners.find((l) => !config.controllerListenerNames.includes(l.name))?.host ?? '127.0.0.1';
    const replication = await startReplicaServer(config.replicaListener ?? { host: brokerHost, port: 0 }, replicas);
    replicaServer = replication.server;
    const replicationEndpoint = { name: replicationListenerName, host: config.replicaListener?.host ?? brokerHost, port: replication.port };
    replicas.setIsrChanger(
      new IsrBatcher(async (items) => {
        const res = await controllerClient.call('AlterPartition', {
          brokerId: config.nodeId,
          brokerEpoch: broker?.epoch ?? -1,
          partitions: items.map((i) => ({ ...i, topicId: uuidToBytes(i.topicId) })),
        });
        const top = Number(res['errorCode'] ?? 0);
        const answers = (res['partitions'] as WireMessage[] | undefined) ?? [];
        return items.map((_, k) => top || Number(answers[k]?.['errorCode'] ?? -1));
      }, errorName),
    );
    fetcher = new ReplicaFetcher({
      brokerId: config.nodeId,
      replicas,
      logger: logger.child({ component: 'fetcher' }),
      endpointOf: (id) => {
        const b = driver.appliedState().image.brokers.get(id);
        const ep = b?.endpoints.find((e) => e.name === replicationListenerName);
        return ep ? { host: ep.host, port: ep.port } : null;
      },
      brokerEpoch: () => broker?.epoch ?? -1,
      fetchMaxBytes: config.replicaFetchMaxBytes,
      fetchWaitMaxMs: config.replicaFetchWaitMaxMs,
    });
    const fetcherRef = fetcher;
    new Gauge({
      name: 'raftka_under_replicated_partitions',
      help: 'Partitions this broker leads whose ISR is smaller than their replica set',
      registers: [registry],
      collect() {
        this.set(replicas.underReplicatedCount());
      },
    });
    const coordinator = new GroupCoordinator({
      log: new ReplicatedOffsetsLog(replicas, config.offsetsCommitTimeoutMs, config.offsetsLoadBufferSize),
      clock: systemClock,
      logger: logger.child({ component: 'groups' }),
      partitionCount: config.offsetsTopicNumPartitions,
      initialRebalanceDelayMs: config.groupInitialRebalanceDelayMs,
      minSessionTimeoutMs: config.groupMinSessionTimeoutMs,
      maxSessionTimeoutMs: config.groupMaxSessionTimeoutMs,
      maxGroupSize: config.groupMaxSize,
      offsetMetadataMaxBytes: config.offsetMetadataMaxBytes,
      offsetsRetentionMs: config.offsetsRetentionMs,
      partitionExists: (topic, partition) => driver.appliedState().image.topicsByName.get(topic)?.partitions.has(partition) ?? false,
      subscribedTopics: (protocolType, metadata) => (protocolType === 'consumer' ? subscriptionTopics(metadata) : null),
    });
    groups = coordinator;
    // The coordinator serves the groups of the offsets partitions this broker leads.
    const ledOffsetsPartitions = (): Map<number, number> => {
      const led = new Map<number, number>();
      const topic = replicas.currentImage()?.topicsByName.get(offsetsTopicName);
      for (const p of topic?.partitions.keys() ?? []) {
        const hosted = replicas.get(offsetsTopicName, p);
        if (hosted?.isLeader) led.set(p, hosted.leaderEpoch);
      }
      return led;
    };
    replicas.setRolesListener(() => {
      fetcherRef.refresh();
      coordinator.setLeadership(ledOffsetsPartitions());
    });
    // Partitions are hosted only once the controller says this broker has caught up with the
    // metadata log (startHosting below): until then the local log is a stale prefix, and acting
    // on it would have a restarted broker lead partitions whose leadership moved on while it was down.
    replicas.applyImage(driver.appliedState().image);
    driver.onApplied((state) => replicas.applyImage(state.image));
    retentionTimer = setInterval(() => void coordinator.expireOffsets(), config.offsetsRetentionCheckIntervalMs);
    retentionTimer.unref();
    logManager.start();
    const handlers = brokerHandlers({
      nodeId: config.nodeId,
      clusterId: meta.clusterId,
      config,
      logger,
      replicas,
      controller: adminClient,
      groups: coordinator,
      offsetInBatchForTimestamp: (batch, timestamp) => {
        const found = readRecords(batch, readBatchHeader(batch, 0)).find((r) => r.timestamp >= timestamp);
        return found ? { offset: found.offset, timestamp: found.timestamp } : null;
      },
    });
    for (const listener of config.listeners.filter((l) => !config.controllerListenerNames.includes(l.name))) {
      const server = new KafkaServer({ listener, logger: logger.child({ listener: listener.name }), registry, requestBytesMax: config.socketRequestMaxBytes, handlers });
      kafkaPorts.set(listener.name, await server.start());
      kafkaServers.push(server);
    }
    // Consumer lag needs each partition's end offset: the local high watermark where this broker
    // leads the partition, else a ListOffsets to its leader through our own listener.
    const ownListener = config.listeners.find((l) => !config.controllerListenerNames.includes(l.name))!;
    groupsClient = new KafkaClient([{ host: ownListener.host === '0.0.0.0' ? '127.0.0.1' : ownListener.host, port: kafkaPorts.get(ownListener.name)! }], { clientId: `raftka-${config.nodeId}-group-metrics`, retries: 1, requestTimeoutMs: 2000 });
    const lagClient = groupsClient;
    registerGroupMetrics(registry, coordinator, async (partitions) => {
      const ends = new Map<string, number>();
      await Promise.all(partitions.map(async ({ topic, partition }) => {
        const local = replicas.get(topic, partition);
        if (local?.isLeader) ends.set(offsetMapKey(topic, partition), local.highWatermark);
        else {
          try {
            ends.set(offsetMapKey(topic, partition), (await lagClient.listOffset(topic, partition, -1)).offset);
          } catch {
            // leader unknown or unreachable: no lag figure for this partition this time
          }
        }
      }));
      return ends;
    });
    const lifecycle = new BrokerLifecycle({
      config,
      clusterId: meta.clusterId,
      logger,
      metadataOffset: () => driver.appliedState().appliedOffset,
      onCaughtUp: () => {
        replicas.startHosting();
        replicas.removeStrayLogs();
      },
      // Unfenced once every partition log the image assigns here is open.
      readyToUnfence: () => replicas.allLogsOpen(),
      quorumHasLeader: () => driver.status().leaderReachable,
      extraEndpoints: [replicationEndpoint],
    });
    replicas.setAllOpenListener(() => lifecycle.nudge());
    broker = lifecycle;
    broker.start();
  }

  let http: HttpServer | null = null;
  let adminPort: number | null = null;
  if (config.adminListener) {
    const started = await startAdminHttp(config.adminListener, {
      registry,
      ready: () => {
        const s = driver.status();
        return s.leaderId !== null && s.highWatermark > 0;
      },
      status: () => ({
        clusterId: meta.clusterId,
        ...driver.status(),
        applied: appliedSummary(driver),
        broker: broker ? { state: broker.state, epoch: broker.epoch } : null,
      }),
    });
    http = started.server;
    adminPort = started.port;
  }
  logger.info(
    { nodeId: config.nodeId, roles: config.processRoles, clusterId: meta.clusterId, controllerPort, adminPort, kafkaPorts: Object.fromEntries(kafkaPorts) },
    'node started',
  );

  return {
    nodeId: config.nodeId,
    clusterId: meta.clusterId,
    driver,
    controllerPort,
    adminPort,
    kafkaPorts,
    async shutdown(): Promise<void> {
      logger.info('shutting down');
      await broker?.shutdown();
      for (const k of kafkaServers) await k.close();
      if (retentionTimer) clearInterval(retentionTimer);
      groups?.close();
      groupsClient?.close();
      fetcher?.close();
      replicaServer?.forceShutdown();
      replicaManager?.close();
      adminClient?.close();
      logManager?.close();
      controller?.close();
      await driver.shutdown();
      grpcServer?.forceShutdown();
      if (http) {
        http.closeAllConnections();
        await new Promise<void>((resolve) => http!.close(() => resolve()));
      }
      logger.info('shut down');
    },
  };
}

function appliedSummary(driver: RaftDriver): Record<string, unknown> {
  const s = driver.appliedState();
  return {
    appliedOffset: s.appliedOffset,
    logDigest: s.logDigest,
    imageDigest: imageDigest(s.image),
    brokers: s.image.brokers.size,
    topics: s.image.topicsById.size,
    dataRecords: s.dataRecords,
    noOps: s.noOps,
    leaderChanges: s.leaderChanges,
    lastLeaderChange: s.lastLeaderChange,
    inTransaction: s.inTransaction,
  };
}
