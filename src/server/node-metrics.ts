// The node's Prometheus registry, its event-loop utilisation, and the node-wide gauges read from
// its metadata image. Who calls: startNode (the registry, before anything registers in it) and
// the roles' wiring (controller-role: the active-controller gauge).
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { MetadataState } from '../metadata/metadata-state.js';
import { registerEventLoopLag } from '../common/thread-metrics.js';

/** Per registry: how to add a loop to its raftka_event_loop_utilization. */
const utilizationLoops = new WeakMap<Registry, (loop: string, read: () => LoopTimes) => void>();

/** One registry per node, every series labelled with its node id, with Node's default metrics. */
export function createNodeRegistry(nodeId: number): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ node_id: String(nodeId) });
  collectDefaultMetrics({ register: registry });
  const addLoop = registerEventLoopUtilization(registry);
  utilizationLoops.set(registry, addLoop);
  addLoop('main', () => performance.eventLoopUtilization());
  registerEventLoopLag(registry, 'main');
  return registry;
}

/** Add a worker thread's loop (read from the main thread, e.g. worker.performance) to the node's utilisation gauge. */
export function addEventLoop(registry: Registry, loop: string, read: () => LoopTimes): void {
  const add = utilizationLoops.get(registry);
  if (!add) throw new Error('not a node registry (createNodeRegistry)');
  add(loop, read);
}

/**
 * Event-loop utilisation between two readings of the loop's cumulative idle and active time: the
 * share of the interval the loop spent running callbacks (0..1). Two readings with no time
 * between them say nothing new, so the last answer stands.
 */
export class UtilizationSampler {
  private previous: LoopTimes = { idle: 0, active: 0 };
  private last = 0;

  sample(now: LoopTimes): number {
    const active = now.active - this.previous.active;
    const total = active + (now.idle - this.previous.idle);
    if (total > 0) {
      this.last = Math.min(1, Math.max(0, active / total));
      this.previous = { idle: now.idle, active: now.active };
    }
    return this.last;
  }
}

/** A loop's cumulative idle and active milliseconds (what perf_hooks' eventLoopUtilization() reads). */
type LoopTimes = Pick<EventLoopUtilization, 'idle' | 'active'>;

/**
 * `raftka_event_loop_utilization{loop}`: each loop's utilisation since the previous scrape (since
 * start at the first). Returns how to add a loop: the main thread is `loop="main"`; a worker
 * thread's loop (read with its own eventLoopUtilization) gets its own label.
 */
export function registerEventLoopUtilization(registry: Registry): (loop: string, read: () => LoopTimes) => void {
  const loops = new Map<string, { readonly sampler: UtilizationSampler; readonly read: () => LoopTimes }>();
  new Gauge({
    name: 'raftka_event_loop_utilization',
    help: 'Share of the time since the previous scrape the event loop spent running callbacks, 0..1 (Kafka: 1 - NetworkProcessorAvgIdlePercent)',
    labelNames: ['loop'],
    registers: [registry],
    collect() {
      for (const [loop, l] of loops) this.set({ loop }, l.sampler.sample(l.read()));
    },
  });
  return (loop, read) => void loops.set(loop, { sampler: new UtilizationSampler(), read });
}

/** `raftka_active_controller`: 1 while this controller is the active one (Kafka: ActiveControllerCount). */
export function registerControllerGauges(registry: Registry, isActive: () => boolean): void {
  new Gauge({
    name: 'raftka_active_controller',
    help: 'Whether this controller is the active one: it leads the quorum and has applied its own epoch (Kafka: ActiveControllerCount)',
    registers: [registry],
    collect() {
      this.set(isActive() ? 1 : 0);
    },
  });
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
