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

/** raftka_offline_partitions: partitions without a leader in this node's image (every role). */
export function registerOfflinePartitionsGauge(registry: Registry, state: MetadataState): void {
  new Gauge({
    name: 'raftka_offline_partitions',
    help: "Partitions without a leader in this node's metadata image",
    registers: [registry],
    collect() {
      let n = 0;
      for (const t of state.image.topicsById.values()) for (const p of t.partitions.values()) if (p.leader < 0) n++;
      this.set(n);
    },
  });
}
