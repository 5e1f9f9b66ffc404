// Prometheus views of the groups this broker coordinates: per group its generation and member
// count, and per committed partition the committed offset and the consumer lag (log end offset,
// i.e. the high watermark, minus the committed offset); coordinator-wide, the groups by state, the
// committed offsets held and the rebalances run (Kafka's GroupMetadataManager and
// group-coordinator-metrics). Computed when /metrics is scraped.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { GroupCoordinator } from './group-coordinator.js';
import { offsetMapKey, type GroupState } from './group.js';
import type { ConsumerGroupStateName } from './consumer-group.js';
import type { RebalanceTally } from './coordinator-types.js';

/** The states a served group can be in (Dead groups are gone): the classic ones, then a consumer group's (KIP-848). */
const liveStates: readonly (GroupState | ConsumerGroupStateName)[] = [
  'Empty',
  'PreparingRebalance',
  'CompletingRebalance',
  'Stable',
  'Assigning',
  'Reconciling',
];

/** End offsets (high watermarks) of partitions, keyed `topic\0partition`; missing ones are unknown. */
type EndOffsets = (partitions: readonly { topic: string; partition: number }[]) => Promise<ReadonlyMap<string, number>>;

export function registerGroupMetrics(registry: Registry, coordinator: GroupCoordinator, endOffsets: EndOffsets): void {
  registerCoordinatorTotals(registry, coordinator);
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

/** Groups by state, offsets held, and the rebalance counters: one series each, whatever the number of groups. */
function registerCoordinatorTotals(registry: Registry, coordinator: GroupCoordinator): void {
  new Gauge({
    name: 'raftka_groups',
    help: 'Groups this broker coordinates, by state (Kafka: NumGroups, NumGroupsPreparingRebalance, NumGroupsCompletingRebalance, NumGroupsStable, NumGroupsEmpty)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const counts = new Map<GroupState | ConsumerGroupStateName, number>(liveStates.map((s) => [s, 0]));
      for (const g of coordinator.views()) counts.set(g.state, (counts.get(g.state) ?? 0) + 1);
      for (const [state, n] of counts) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'raftka_group_offsets',
    help: 'Committed offsets (group, topic, partition) held by this coordinator (Kafka: NumOffsets)',
    registers: [registry],
    collect() {
      this.set(coordinator.views().reduce((n, g) => n + g.offsets.length, 0));
    },
  });
  const rebalances = (name: string, help: string, key: keyof RebalanceTally): void => {
    let reported = 0;
    void new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.inc(coordinator.rebalances[key] - reported);
        reported = coordinator.rebalances[key];
      },
    });
  };
  rebalances(
    'raftka_group_rebalances_total',
    'Rebalances this coordinator started: a group went into PreparingRebalance (Kafka: group-rebalance-count)',
    'started',
  );
  rebalances(
    'raftka_group_completed_rebalances_total',
    "Rebalances this coordinator completed: a group reached Stable with its members' assignment stored (Kafka: group-completed-rebalance-count)",
    'completed',
  );
}
