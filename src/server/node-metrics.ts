// The node's Prometheus registry and the node-wide gauges read from its metadata image. Who
// calls: startNode (the registry, before anything registers in it) and the roles' wiring.
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { MetadataState } from '../metadata/metadata-state.js';

/** One registry per node, every series labelled with its node id, with Node's default metrics. */
export function createNodeRegistry(nodeId: number): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ node_id: String(nodeId) });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * Gauges every node reads from its metadata image at scrape time (Kafka's KafkaController and
 * broker-metadata metrics, which raftka serves from any role): offline partitions, topic and
 * partition counts, active and fenced brokers, and how far the image trails the quorum's
 * committed log.
 */
export function registerImageGauges(registry: Registry, state: MetadataState, highWatermark: () => number): void {
  const gauge = (name: string, help: string, read: () => number): void =>
    void new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge(
    'raftka_offline_partitions',
    "Partitions without a leader in this node's metadata image (Kafka: OfflinePartitionsCount)",
    () => {
      let n = 0;
      for (const t of state.image.topicsById.values()) for (const p of t.partitions.values()) if (p.leader < 0) n++;
      return n;
    },
  );
  gauge(
    'raftka_global_topics',
    'Topics in the metadata image (Kafka: GlobalTopicCount)',
    () => state.image.topicsById.size,
  );
  gauge('raftka_global_partitions', 'Partitions in the metadata image (Kafka: GlobalPartitionCount)', () => {
    let n = 0;
    for (const t of state.image.topicsById.values()) n += t.partitions.size;
    return n;
  });
  const brokers = (fenced: boolean): number =>
    [...state.image.brokers.values()].filter((b) => b.fenced === fenced).length;
  gauge('raftka_active_brokers', 'Registered, unfenced brokers (Kafka: ActiveBrokerCount)', () => brokers(false));
  gauge('raftka_fenced_brokers', 'Registered, fenced brokers (Kafka: FencedBrokerCount)', () => brokers(true));
  gauge(
    'raftka_metadata_applied_offset',
    'Offset after the last metadata record applied to the image (Kafka: last-applied-record-offset)',
    () => state.appliedOffset,
  );
  gauge(
    'raftka_metadata_apply_lag_records',
    'Committed metadata records not yet applied to the image (quorum high watermark minus applied offset)',
    () => Math.max(0, highWatermark() - state.appliedOffset),
  );
}
