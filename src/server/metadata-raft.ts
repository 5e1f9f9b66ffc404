// The node's metadata Raft: opens `__cluster_metadata-0` under metadata.log.dir, creates the
// MetadataState the committed entries are applied to, and starts the Raft driver over both (a
// voter on controllers, an observer on brokers). Who calls: startNode, for every role.
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Endpoint, NodeConfig } from '../common/node-config.js';
import { MetadataState } from '../metadata/metadata-state.js';
import { RaftDriver } from '../raft/driver/raft-driver.js';
import { MetadataLogStore } from '../raft/driver/metadata-log-store.js';
import { RaftMetrics } from '../raft/driver/raft-metrics.js';
import type { RpcClientSecurity } from '../rpc/rpc-security.js';

/** Snapshot chunk size for FetchSnapshot (Kafka sends up to the fetch max bytes). */
const snapshotChunkBytes = 1024 * 1024;
/** Max bytes of entries per metadata Fetch response (Kafka's raft fetch uses 8 MiB). */
const metadataFetchMaxBytes = 8 * 1024 * 1024;

interface MetadataRaft {
  readonly driver: RaftDriver<MetadataState>;
  /** The state the driver applies to: the image every role of this node reads. */
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
  peerSecurity: RpcClientSecurity,
): Promise<MetadataRaft> {
  const metrics = new RaftMetrics(registry);
  const store = await MetadataLogStore.open(join(config.metadataLogDir, '__cluster_metadata-0'), {
    segmentBytes: config.metadataLogSegmentBytes,
    logger,
  });
  const voterEndpoints = new Map(config.quorumVoters.map((v) => [v.id, { host: v.host, port: v.port }]));
  const state = new MetadataState();
  const driver = await RaftDriver.start({
    core: {
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
    },
    stateMachine: state,
    store,
    voterEndpoints,
    peerSecurity,
    logger,
    metrics,
    snapshotBytesBetween: config.metadataLogMaxRecordBytesBetweenSnapshots,
    snapshotIntervalMs: config.metadataLogMaxSnapshotIntervalMs,
    onFatal,
  });
  return { driver, state, voterEndpoints };
}
