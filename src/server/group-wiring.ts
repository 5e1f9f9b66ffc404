// The group coordinator of a broker, wired to the node: committed offsets go to the replicated
// __consumer_offsets partitions, topic existence is read from the node's image, and the
// consumer-lag metrics read end offsets locally or from the partition leaders. Who calls:
// startBroker.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { NodeConfig } from '../common/node-config.js';
import { GroupCoordinator } from '../broker/group/group-coordinator.js';
import { ReplicatedOffsetsLog } from '../broker/group/offsets-log.js';
import { offsetsTopicName } from '../broker/group/offsets-records.js';
import { partitionCountOr, type MetadataImage } from '../metadata/image.js';
import type { TopicCatalog } from '../broker/group/assignors.js';
import { groupVersionFeature } from '../protocol/feature-types.js';
import { registerGroupMetrics } from '../broker/group/group-metrics.js';
import { offsetMapKey } from '../broker/group/group.js';
import { systemClock } from '../broker/group/clock.js';
import type { ReplicaManager } from '../broker/replica-manager.js';
import { KafkaClient } from '../client/kafka-client.js';
import { brokerClientSecurity } from '../security/broker-client.js';
import type { MetadataState } from '../metadata/metadata-state.js';
import { subscriptionTopics } from '../protocol/consumer-protocol.js';

export function createGroupCoordinator(
  config: NodeConfig,
  replicas: ReplicaManager,
  state: MetadataState,
  logger: Logger,
): GroupCoordinator {
  return new GroupCoordinator({
    log: new ReplicatedOffsetsLog(replicas, config.offsetsCommitTimeoutMs, config.offsetsLoadBufferSize),
    clock: systemClock,
    logger: logger.child({ component: 'groups' }),
    get partitionCount(): number {
      return partitionCountOr(state.image, offsetsTopicName, config.offsetsTopicNumPartitions);
    },
    initialRebalanceDelayMs: config.groupInitialRebalanceDelayMs,
    minSessionTimeoutMs: config.groupMinSessionTimeoutMs,
    maxSessionTimeoutMs: config.groupMaxSessionTimeoutMs,
    maxGroupSize: config.groupMaxSize,
    offsetMetadataMaxBytes: config.offsetMetadataMaxBytes,
    offsetsRetentionMs: config.offsetsRetentionMs,
    partitionExists: (topic, partition) => state.image.topicsByName.get(topic)?.partitions.has(partition) ?? false,
    subscribedTopics: (protocolType, metadata) => (protocolType === 'consumer' ? subscriptionTopics(metadata) : null),
    consumer: {
      heartbeatIntervalMs: config.groupConsumerHeartbeatIntervalMs,
      sessionTimeoutMs: config.groupConsumerSessionTimeoutMs,
      assignors: config.groupConsumerAssignors,
      maxSize: config.groupConsumerMaxSize,
      topics: topicCatalog(state),
      enabled: () => (state.image.features.get(groupVersionFeature) ?? 0) >= 1,
    },
  });
}

/** The image's topics as the consumer protocol's assignors see them, computed once per image. */
function topicCatalog(state: MetadataState): () => TopicCatalog {
  let seen: MetadataImage | null = null;
  let catalog: TopicCatalog = { byName: new Map(), byId: new Map() };
  return () => {
    if (state.image !== seen) {
      seen = state.image;
      const topics = [...seen.topicsByName.values()].map((t) => ({
        id: t.id,
        name: t.name,
        partitions: t.partitions.size,
      }));
      catalog = { byName: new Map(topics.map((t) => [t.name, t])), byId: new Map(topics.map((t) => [t.id, t])) };
    }
    return catalog;
  };
}

/** The coordinator serves the groups of the offsets partitions this broker leads: partition → leader epoch. */
export function ledOffsetsPartitions(replicas: ReplicaManager): Map<number, number> {
  const led = new Map<number, number>();
  const topic = replicas.currentImage()?.topicsByName.get(offsetsTopicName);
  for (const p of topic?.partitions.keys() ?? []) {
    const hosted = replicas.get(offsetsTopicName, p);
    if (hosted?.isLeader) led.set(p, hosted.leaderEpoch);
  }
  return led;
}

/**
 * Register the group metrics. Consumer lag needs each partition's end offset: the local high
 * watermark where this broker leads the partition, else a ListOffsets to its leader through our
 * own listener (`kafkaPorts` are the bound ports): the inter-broker listener if it is a Kafka
 * listener, else the first, logged in as the broker (src/security/broker-client.ts). Returns that
 * client (null when the listener gives the broker no login); the caller closes it.
 */
export function startConsumerLagMetrics(
  config: NodeConfig,
  registry: Registry,
  coordinator: GroupCoordinator,
  replicas: ReplicaManager,
  kafkaPorts: ReadonlyMap<string, number>,
): KafkaClient | null {
  const clientListeners = config.listeners.filter((l) => !config.controllerListenerNames.includes(l.name));
  const ownListener = clientListeners.find((l) => l.name === config.interBrokerListenerName) ?? clientListeners[0]!;
  const security = brokerClientSecurity(config, ownListener.name);
  const lagClient = security
    ? new KafkaClient(
        [
          {
            host: ownListener.host === '0.0.0.0' ? '127.0.0.1' : ownListener.host,
            port: kafkaPorts.get(ownListener.name)!,
          },
        ],
        { clientId: `raftka-${config.nodeId}-group-metrics`, retries: 1, requestTimeoutMs: 2000, security },
      )
    : null;
  registerGroupMetrics(registry, coordinator, async (partitions) => {
    const ends = new Map<string, number>();
    await Promise.all(
      partitions.map(async ({ topic, partition }) => {
        const local = replicas.get(topic, partition);
        if (local?.isLeader) ends.set(offsetMapKey(topic, partition), local.highWatermark);
        else if (lagClient) {
          try {
            ends.set(offsetMapKey(topic, partition), (await lagClient.listOffset(topic, partition, -1)).offset);
          } catch {
            // leader unknown or unreachable: no lag figure for this partition this time
          }
        }
      }),
    );
    return ends;
  });
  return lagClient;
}
