// The typed settings of one node, with Kafka's property names mapped to camelCase fields.
// src/common/config.ts parses and validates `.properties` files into this shape.
import type { ListenerSecurity, RpcLinkSecurity } from './security-config.js';

/**
 * The name a broker registers its gRPC replica endpoint under, beside its Kafka listeners
 * (`replica.listener`). It speaks gRPC, not the Kafka protocol: Kafka clients must skip it.
 */
export const replicationListenerName = 'REPLICATION';

export type ProcessRole = 'broker' | 'controller';

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

export interface Listener extends Endpoint {
  /** Listener name, e.g. PLAINTEXT or CONTROLLER. */
  readonly name: string;
}

export interface QuorumVoter extends Endpoint {
  readonly id: number;
}

export interface NodeConfig {
  /** The file this was read from (for messages). */
  readonly sourcePath: string;
  /** The properties as given (file and overrides): what DescribeConfigs reports as STATIC_BROKER_CONFIG. */
  readonly staticProperties: ReadonlyMap<string, string>;
  readonly nodeId: number; // node.id (required)
  readonly processRoles: readonly ProcessRole[]; // process.roles (required)
  readonly quorumVoters: readonly QuorumVoter[]; // controller.quorum.voters: id@host:port,...
  readonly quorumBootstrapServers: readonly Endpoint[]; // controller.quorum.bootstrap.servers
  readonly listeners: readonly Listener[]; // listeners: NAME://host:port,...
  readonly advertisedListeners: readonly Listener[]; // advertised.listeners (default: listeners)
  readonly controllerListenerNames: readonly string[]; // controller.listener.names
  readonly listenerSecurityProtocolMap: ReadonlyMap<string, string>; // listener.security.protocol.map
  /** TLS and SASL settings (ssl.*, sasl.*, connections.max.reauth.ms) of each Kafka client listener. */
  readonly listenerSecurity: ReadonlyMap<string, ListenerSecurity>;
  /** The gRPC link of the controller listener (KRaft, controller RPCs): listener.security.protocol.map of the first controller.listener.names entry, PLAINTEXT or SSL (mutual TLS). */
  readonly controllerLinkSecurity: RpcLinkSecurity;
  /** The gRPC link of replica.listener, named REPLICATION in listener.security.protocol.map: PLAINTEXT or SSL (mutual TLS). */
  readonly replicationLinkSecurity: RpcLinkSecurity;
  readonly interBrokerListenerName: string; // inter.broker.listener.name (default PLAINTEXT)
  readonly logDirs: readonly string[]; // log.dirs, else log.dir (default /tmp/kraft-combined-logs)
  readonly metadataLogDir: string; // metadata.log.dir (default: first of logDirs)
  /** raftka's own: host:port of the admin HTTP server (/metrics, /healthz, /readyz); null = none. */
  readonly adminListener: Endpoint | null; // admin.listener
  /** raftka's own: host:port where followers fetch from this broker (gRPC); null = the first broker listener's host, any free port. */
  readonly replicaListener: Endpoint | null; // replica.listener
  /** raftka's own: outgoing connections to a key host:port dial its value instead (the jepsen-like harness's per-link proxies). */
  readonly connectAddressMap: ReadonlyMap<string, string>; // raftka.connect.address.map
  /** raftka.test.fault.control.file (null). TEST ONLY: the control file of src/common/fault-hooks.ts. */
  readonly testFaultControlFile: string | null;
  /** raftka's own, tests only: POST /test/stall?ms=N on the admin listener busy-loops the main thread. */
  readonly testStallEndpoint: boolean; // raftka.test.stall.endpoint (false)
  /** raftka's own: per-partition log series (segment count, size) in /metrics; off keeps the series count bounded. */
  readonly metricsPartitionEnable: boolean; // metrics.partition.enable (false)
  readonly numPartitions: number; // num.partitions (1)
  readonly defaultReplicationFactor: number; // default.replication.factor (1)
  readonly minInsyncReplicas: number; // min.insync.replicas (1)
  readonly uncleanLeaderElectionEnable: boolean; // unclean.leader.election.enable (false)
  readonly autoLeaderRebalanceEnable: boolean; // auto.leader.rebalance.enable (true)
  readonly leaderImbalanceCheckIntervalSeconds: number; // leader.imbalance.check.interval.seconds (300)
  readonly autoCreateTopicsEnable: boolean; // auto.create.topics.enable (true)
  readonly deleteTopicEnable: boolean; // delete.topic.enable (true)
  readonly offsetsTopicReplicationFactor: number; // offsets.topic.replication.factor (3)
  readonly logSegmentBytes: number; // log.segment.bytes (1073741824)
  readonly logRetentionMs: number; // log.retention.ms, else log.retention.minutes/hours (168 h)
  readonly logRetentionBytes: number; // log.retention.bytes (-1)
  readonly logRetentionCheckIntervalMs: number; // log.retention.check.interval.ms (300000)
  readonly logRollMs: number; // log.roll.ms, else log.roll.hours (168 h)
  readonly logIndexIntervalBytes: number; // log.index.interval.bytes (4096)
  readonly logFlushIntervalMessages: number; // log.flush.interval.messages (never)
  readonly logFlushIntervalMs: number; // log.flush.interval.ms (never)
  readonly logFlushSchedulerIntervalMs: number; // log.flush.scheduler.interval.ms (1000)
  readonly logCleanupPolicy: readonly string[]; // log.cleanup.policy (delete)
  readonly logCleanerEnable: boolean; // log.cleaner.enable (true)
  readonly logCleanerBackoffMs: number; // log.cleaner.backoff.ms (15000)
  readonly logCleanerDeleteRetentionMs: number; // log.cleaner.delete.retention.ms (86400000)
  readonly logCleanerMinCompactionLagMs: number; // log.cleaner.min.compaction.lag.ms (0)
  readonly producerIdExpirationMs: number; // producer.id.expiration.ms (86400000)
  readonly logMessageTimestampType: string; // log.message.timestamp.type (CreateTime)
  readonly messageMaxBytes: number; // message.max.bytes (1048588)
  readonly compressionType: string; // compression.type (producer)
  readonly replicaFetchMaxBytes: number; // replica.fetch.max.bytes (1048576)
  readonly replicaFetchWaitMaxMs: number; // replica.fetch.wait.max.ms (500)
  readonly replicaLagTimeMaxMs: number; // replica.lag.time.max.ms (30000)
  /** max.incremental.fetch.session.cache.slots (1000): fetch sessions a broker keeps (KIP-227); 0 turns them off. */
  readonly maxIncrementalFetchSessionCacheSlots: number;
  /** min.incremental.fetch.session.eviction.ms (120000): a session is safe from eviction this long. */
  readonly minIncrementalFetchSessionEvictionMs: number;
  readonly quotaWindowNum: number; // quota.window.num (11): samples of a client quota's rate
  readonly quotaWindowSizeSeconds: number; // quota.window.size.seconds (1): length of one sample
  readonly groupInitialRebalanceDelayMs: number; // group.initial.rebalance.delay.ms (3000)
  readonly offsetsTopicNumPartitions: number; // offsets.topic.num.partitions (50)
  readonly offsetsTopicSegmentBytes: number; // offsets.topic.segment.bytes (104857600)
  readonly offsetsRetentionMs: number; // offsets.retention.minutes (10080 = 7 days), in ms
  readonly offsetsRetentionCheckIntervalMs: number; // offsets.retention.check.interval.ms (600000)
  readonly offsetsCommitTimeoutMs: number; // offsets.commit.timeout.ms (5000)
  readonly offsetsLoadBufferSize: number; // offsets.load.buffer.size (5242880)
  readonly offsetMetadataMaxBytes: number; // offset.metadata.max.bytes (4096)
  readonly groupMinSessionTimeoutMs: number; // group.min.session.timeout.ms (6000)
  readonly groupMaxSessionTimeoutMs: number; // group.max.session.timeout.ms (1800000)
  readonly groupMaxSize: number; // group.max.size (2147483647)
  readonly groupConsumerHeartbeatIntervalMs: number; // group.consumer.heartbeat.interval.ms (5000), KIP-848
  readonly groupConsumerSessionTimeoutMs: number; // group.consumer.session.timeout.ms (45000)
  readonly groupConsumerAssignors: readonly string[]; // group.consumer.assignors (uniform,range); the first is the default
  readonly groupConsumerMaxSize: number; // group.consumer.max.size (2147483647)
  readonly transactionStateLogNumPartitions: number; // transaction.state.log.num.partitions (50)
  readonly transactionStateLogReplicationFactor: number; // transaction.state.log.replication.factor (3)
  readonly transactionStateLogMinIsr: number; // transaction.state.log.min.isr (2)
  readonly transactionStateLogSegmentBytes: number; // transaction.state.log.segment.bytes (104857600)
  readonly transactionStateLogLoadBufferSize: number; // transaction.state.log.load.buffer.size (5242880)
  readonly transactionMaxTimeoutMs: number; // transaction.max.timeout.ms (900000)
  readonly transactionalIdExpirationMs: number; // transactional.id.expiration.ms (604800000)
  readonly transactionAbortTimedOutCleanupIntervalMs: number; // transaction.abort.timed.out.transaction.cleanup.interval.ms (10000)
  readonly transactionRemoveExpiredCleanupIntervalMs: number; // transaction.remove.expired.transaction.cleanup.interval.ms (3600000)
  /** transaction.unsafe.abort.as.commit (false). UNSAFE, test only: ABORT markers written as COMMIT markers (jepsen-like txn --unsafe). */
  readonly transactionUnsafeAbortAsCommit: boolean;
  readonly socketRequestMaxBytes: number; // socket.request.max.bytes (104857600)
  readonly quorumElectionTimeoutMs: number; // controller.quorum.election.timeout.ms (1000)
  readonly quorumFetchTimeoutMs: number; // controller.quorum.fetch.timeout.ms (2000)
  readonly quorumElectionBackoffMaxMs: number; // controller.quorum.election.backoff.max.ms (1000)
  readonly quorumAppendLingerMs: number; // controller.quorum.append.linger.ms (25)
  readonly quorumRequestTimeoutMs: number; // controller.quorum.request.timeout.ms (2000)
  readonly quorumRetryBackoffMs: number; // controller.quorum.retry.backoff.ms (20)
  readonly brokerHeartbeatIntervalMs: number; // broker.heartbeat.interval.ms (2000)
  readonly brokerSessionTimeoutMs: number; // broker.session.timeout.ms (9000)
  readonly metadataLogSegmentBytes: number; // metadata.log.segment.bytes (1073741824)
  readonly metadataLogMaxRecordBytesBetweenSnapshots: number; // (20971520)
  readonly metadataLogMaxSnapshotIntervalMs: number; // metadata.log.max.snapshot.interval.ms (3600000)
  readonly metadataMaxIdleIntervalMs: number; // metadata.max.idle.interval.ms (500)
  readonly metadataMaxRetentionBytes: number; // metadata.max.retention.bytes (104857600)
  readonly metadataMaxRetentionMs: number; // metadata.max.retention.ms (604800000)
  /** authorizer.class.name ('' = none) names the standard authorizer: ACLs are enforced on every Kafka API. */
  readonly authorizerEnabled: boolean;
  readonly superUsers: readonly string[]; // super.users (`;`-separated principals, none)
  readonly allowEveryoneIfNoAclFound: boolean; // allow.everyone.if.no.acl.found (false)
  /** raftka's own: how often the web console samples the lag of groups whose page was opened lately; 0 = never. */
  readonly consoleLagSampleMs: number; // console.lag.sample.ms (5000)
  /** raftka's own: folder of `raftka migrate rehearse --output` reports the console lists; null = none. */
  readonly consoleMigrationReportsDir: string | null; // console.migration.reports.dir
  /** raftka's own: the jepsen-like store whose runs the console lists; null = none. */
  readonly consoleJepsenStoreDir: string | null; // console.jepsen.store.dir
}

/**
 * The controller listeners that speak the Kafka protocol (KIP-919 clients: `--bootstrap-controller`,
 * `bootstrap.controllers`): every listener named in controller.listener.names after the first. The
 * first stays raftka's gRPC quorum listener (KRaft and controller.proto), so configs with one name
 * keep their meaning. Empty on a broker-only node.
 */
export function controllerKafkaListeners(
  config: Pick<NodeConfig, 'listeners' | 'controllerListenerNames' | 'processRoles'>,
): Listener[] {
  if (!config.processRoles.includes('controller')) return [];
  const names = config.controllerListenerNames.slice(1);
  return config.listeners.filter((l) => names.includes(l.name));
}

/** The quorum (gRPC) listener of a controller: the listener named first in controller.listener.names. */
export function controllerQuorumListener(
  config: Pick<NodeConfig, 'listeners' | 'controllerListenerNames'>,
): Listener | null {
  const first = config.controllerListenerNames[0];
  return config.listeners.find((l) => l.name === first) ?? null;
}
