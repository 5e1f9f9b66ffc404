// A broker's replica gauges and ISR counters, read from its ReplicaManager at scrape time (Kafka's
// kafka.server:type=ReplicaManager and ReplicaFetcherManager metrics). Who calls: startBroker.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ReplicaManager } from '../broker/replica-manager.js';

export function registerBrokerGauges(registry: Registry, replicas: ReplicaManager): void {
  const registers = [registry];
  const gauge = (name: string, help: string, read: () => number): void =>
    void new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read());
      },
    });
  gauge(
    'raftka_under_replicated_partitions',
    'Partitions this broker leads whose ISR is smaller than their replica set (Kafka: UnderReplicatedPartitions)',
    () => replicas.underReplicatedCount(),
  );
  gauge(
    'raftka_partitions',
    'Partitions this broker hosts (Kafka: PartitionCount)',
    () => replicas.partitionCounts().hosted,
  );
  gauge(
    'raftka_leader_partitions',
    'Partitions this broker leads (Kafka: LeaderCount)',
    () => replicas.partitionCounts().leaders,
  );
  gauge(
    'raftka_under_min_isr_partitions',
    'Partitions this broker leads whose ISR is below min.insync.replicas (Kafka: UnderMinIsrPartitionCount)',
    () => replicas.partitionCounts().underMinIsr,
  );
  gauge(
    'raftka_replica_fetcher_max_lag',
    "Largest lag, in records, of a partition this broker follows behind its leader's log end (Kafka: ReplicaFetcherManager MaxLag)",
    () => replicas.partitionCounts().maxFollowerLag,
  );
  gauge(
    'raftka_partition_lso_lag_max',
    'Largest high watermark minus last stable offset over the partitions this broker leads (records read_committed consumers wait for)',
    () => replicas.transactionLag().maxLsoLag,
  );
  gauge(
    'raftka_partitions_with_open_transactions',
    'Partitions this broker leads that hold an open transaction',
    () => replicas.transactionLag().withOpenTransactions,
  );
  // Counters that follow ReplicaManager's own tallies, brought up to date at each scrape.
  const tally = (name: string, help: string, read: () => number): void => {
    let reported = 0;
    void new Counter({
      name,
      help,
      registers,
      collect() {
        const now = read();
        this.inc(now - reported);
        reported = now;
      },
    });
  };
  tally(
    'raftka_isr_shrinks_total',
    'ISR shrinks the controller accepted for partitions this broker leads (Kafka: IsrShrinksPerSec)',
    () => replicas.isrChanges.shrinks,
  );
  tally(
    'raftka_isr_expands_total',
    'ISR expansions the controller accepted for partitions this broker leads (Kafka: IsrExpandsPerSec)',
    () => replicas.isrChanges.expands,
  );
}
