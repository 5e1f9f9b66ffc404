// A broker's replica gauges and ISR counters, read from its ReplicaManager at scrape time (Kafka's
// kafka.server:type=ReplicaManager and ReplicaFetcherManager metrics). Who calls: startBroker.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ReplicaManager } from '../broker/replica-manager.js';

/** A scrape reads several gauges from one pass over the partitions: a pass is reused this long. */
const passReuseMs = 100;

/** `read`'s result, computed again only when the last one is older than passReuseMs. */
function reusedFor<T>(read: () => T): () => T {
  let at = -Infinity;
  let value: T;
  return () => {
    const now = performance.now();
    if (now - at > passReuseMs) {
      value = read();
      at = now;
    }
    return value;
  };
}

export function registerBrokerGauges(registry: Registry, replicas: ReplicaManager): void {
  const registers = [registry];
  const counts = reusedFor(() => replicas.partitionCounts());
  const txnLag = reusedFor(() => replicas.transactionLag());
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
  gauge('raftka_partitions', 'Partitions this broker hosts (Kafka: PartitionCount)', () => counts().hosted);
  gauge('raftka_leader_partitions', 'Partitions this broker leads (Kafka: LeaderCount)', () => counts().leaders);
  gauge(
    'raftka_under_min_isr_partitions',
    'Partitions this broker leads whose ISR is below min.insync.replicas (Kafka: UnderMinIsrPartitionCount)',
    () => counts().underMinIsr,
  );
  gauge(
    'raftka_replica_fetcher_max_lag',
    "Largest lag, in records, of a partition this broker follows behind its leader's log end (Kafka: ReplicaFetcherManager MaxLag)",
    () => counts().maxFollowerLag,
  );
  gauge(
    'raftka_partition_lso_lag_max',
    'Largest high watermark minus last stable offset over the partitions this broker leads (records read_committed consumers wait for)',
    () => txnLag().maxLsoLag,
  );
  gauge(
    'raftka_partitions_with_open_transactions',
    'Partitions this broker leads that hold an open transaction',
    () => txnLag().withOpenTransactions,
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
