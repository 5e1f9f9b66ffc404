// The quorum thread's entry (a worker_threads Worker of every node, started by metadata-raft.ts):
// the composition root of the node's metadata Raft on an event loop of its own. It opens
// `__cluster_metadata-0`, starts the RaftDriver over a ForwardingStateMachine (committed entries go
// to the main thread, where the MetadataState is), and on controllers serves the controller
// listener: KRaft here, controller.proto forwarded to the main thread's QuorumController. Produce,
// fetch, log opening and garbage collection on the main thread cannot stall its timers.
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { Registry } from 'prom-client';
import { setConnectAddressMap } from '../common/connect-address.js';
import { configureFaultHooks } from '../common/fault-hooks.js';
import { createLogger } from '../common/logging.js';
import type { NodeConfig } from '../common/node-config.js';
import { registerEventLoopLag } from '../common/thread-metrics.js';
import type { RaftCoreConfig } from '../raft/core/raft-core.js';
import { startRaftServer } from '../raft/driver/grpc-transport.js';
import { MetadataLogStore } from '../raft/driver/metadata-log-store.js';
import { RaftDriver } from '../raft/driver/raft-driver.js';
import { RaftMetrics } from '../raft/driver/raft-metrics.js';
import type { QuorumWorkerData } from '../raft/host/quorum-protocol.js';
import { QuorumThread } from '../raft/host/quorum-worker-loop.js';
import { controllerService } from '../rpc/controller-rpc.js';
import { forwardingService, type RpcServer } from '../rpc/grpc-plumbing.js';
import { nodeRpcSecurity } from '../security/rpc-tls.js';

/** Snapshot chunk size for FetchSnapshot (Kafka sends up to the fetch max bytes). */
const snapshotChunkBytes = 1024 * 1024;
/** Max bytes of entries per metadata Fetch response (Kafka's raft fetch uses 8 MiB). */
const metadataFetchMaxBytes = 8 * 1024 * 1024;

function coreConfig(config: NodeConfig, clusterId: string): RaftCoreConfig {
  return {
    nodeId: config.nodeId,
    clusterId,
    voters: config.quorumVoters.map((v) => v.id),
    electionTimeoutMs: config.quorumElectionTimeoutMs,
    fetchTimeoutMs: config.quorumFetchTimeoutMs,
    electionBackoffMaxMs: config.quorumElectionBackoffMaxMs,
    requestTimeoutMs: config.quorumRequestTimeoutMs,
    retryBackoffMs: config.quorumRetryBackoffMs,
    maxIdleIntervalMs: config.metadataMaxIdleIntervalMs,
    fetchMaxBytes: metadataFetchMaxBytes,
    snapshotChunkBytes,
  };
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('quorum-worker.js runs as a worker thread of a node');
  const data = workerData as QuorumWorkerData;
  const { config, clusterId } = data;
  setConnectAddressMap(config.connectAddressMap);
  const logger = createLogger({ ...data.logBindings, thread: 'quorum' });
  logger.level = data.logLevel;
  // Test-only fault hooks are per thread: the metadata log's writes happen here.
  configureFaultHooks(config.testFaultControlFile, logger);
  const registry = new Registry();
  registerEventLoopLag(registry, 'quorum');
  const rpc = nodeRpcSecurity(config, logger, registry);
  const store = await MetadataLogStore.open(join(config.metadataLogDir, '__cluster_metadata-0'), {
    segmentBytes: config.metadataLogSegmentBytes,
    logger,
  });
  let server: RpcServer | null = null;
  let driver: RaftDriver<QuorumThread['stateMachine']> | null = null;
  const thread = new QuorumThread(port, registry, async () => {
    await driver?.shutdown();
    server?.forceShutdown();
  });
  const voterEndpoints = new Map(config.quorumVoters.map((v) => [v.id, { host: v.host, port: v.port }]));
  const started = await RaftDriver.start({
    core: coreConfig(config, clusterId),
    stateMachine: thread.stateMachine,
    store,
    voterEndpoints,
    peerSecurity: rpc.controllerClient,
    logger,
    metrics: new RaftMetrics(registry),
    snapshotBytesBetween: config.metadataLogMaxRecordBytesBetweenSnapshots,
    snapshotIntervalMs: config.metadataLogMaxSnapshotIntervalMs,
    onFatal: (err) => {
      const code = (err as NodeJS.ErrnoException | null)?.code;
      const message = err instanceof Error ? err.message : String(err);
      // The main thread exits the process on `fatal`: this thread's log lines (the driver's fatal
      // line among them) are written out first.
      logger.flush(() => thread.post({ t: 'fatal', message, code: code ?? null }));
    },
    onStep: () => thread.publishStatus(),
  });
  driver = started;
  thread.attach(started);
  let controllerPort: number | null = null;
  if (data.controllerEndpoint) {
    const listening = await startRaftServer(
      data.controllerEndpoint,
      { handle: (request) => started.handleRequest(request), describeQuorum: () => started.describeQuorum(clusterId) },
      [
        forwardingService(controllerService().service, (method, request) =>
          thread.forwardControllerCall(method, request),
        ),
      ],
      rpc.controllerServer,
    );
    server = listening.server;
    controllerPort = listening.port;
  }
  thread.post({ t: 'ready', controllerPort, metrics: (await registry.getMetricsAsJSON()) as never });
}

// An error here reaches the main thread as the Worker's 'error' event: the node stops.
await main();
