// Prometheus views of the groups this broker coordinates: per group its generation and member
// count, and per committed partition the committed offset and the consumer lag (log end offset,
// i.e. the high watermark, minus the committed offset). Computed when /metrics is scraped.
import { Gauge, type Registry } from 'prom-client';
import type { GroupCoordinator } from './group-coordinator.js';
import { offsetMapKey } from './group.js';

/** End offsets (high watermarks) of partitions, keyed `topic\0partition`; missing ones are unknown. */
type EndOffsets = (partitions: readonly { topic: string; partition: number }[]) => Promise<ReadonlyMap<string, number>>;

export function registerGroupMetrics(registry: Registry, coordinator: GroupCoordinator, endOffsets: EndOffsets): void {
  new Gauge({
    name: 'raftka_consumer_group_generation',
    help: 'Generation of each consumer group this broker coordinates (it grows by one per rebalance)',
    labelNames: ['group'],
    registers: [registry],
    collect() {
      this.reset();
      for (const g of coordinator.views()) this.set({ group: g.groupId }, g.generation);
    },
  });
  new Gauge({
    name: 'raftka_consumer_group_members',
    help: 'Members of each consumer group this broker coordinates',
    labelNames: ['group', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const g of coordinator.views()) this.set({ group: g.groupId, state: g.state }, g.members);
    },
  });
  new Gauge({
    name: 'raftka_consumer_group_committed_offset',
    help: 'Committed offset of each partition of each consumer group this broker coordinates',
    labelNames: ['group', 'topic', 'partition'],
    registers: [registry],
    collect() {
      this.reset();
      for (const g of coordinator.views())
        for (const o of g.offsets)
          this.set({ group: g.groupId, topic: o.topic, partition: String(o.partition) }, o.offset);
    },
  });
  new Gauge({
    name: 'raftka_consumer_group_lag',
    help: 'Consumer lag: the partition log end offset (high watermark) minus the committed offset, per group and partition',
    labelNames: ['group', 'topic', 'partition'],
    registers: [registry],
    async collect() {
      this.reset();
      const views = coordinator.views();
      const wanted = new Map<string, { topic: string; partition: number }>();
      for (const g of views) for (const o of g.offsets) wanted.set(offsetMapKey(o.topic, o.partition), o);
      if (wanted.size === 0) return;
      const ends = await endOffsets([...wanted.values()]);
      for (const g of views) {
        for (const o of g.offsets) {
          const end = ends.get(offsetMapKey(o.topic, o.partition));
          if (end !== undefined && o.offset >= 0)
            this.set({ group: g.groupId, topic: o.topic, partition: String(o.partition) }, Math.max(0, end - o.offset));
        }
      }
    },
  });
}
