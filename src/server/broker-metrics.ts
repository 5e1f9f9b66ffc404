// A broker's replica gauges and ISR counters, read from its ReplicaManager at scrape time (Kafka's
// kafka.server:type=ReplicaManager and ReplicaFetcherManager metrics), its log flush times
// (kafka.log:type=LogFlushStats) and, when metrics.partition.enable is set, each hosted
// partition's segment count and size (kafka.log:type=Log). Who calls: startBroker.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ReplicaManager } from '../broker/replica-manager.js';
import type { FlushObserver } from '../storage/log.js';
import type { LogDirStatus } from '../storage/log-dir-health.js';

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

/** `raftka_log_flush_seconds`: how long each partition log flush (fsync) took; returns the observer the LogManager calls. */
export function registerLogFlushTime(registry: Registry): FlushObserver {
  const histogram = new Histogram({
    name: 'raftka_log_flush_seconds',
    help: 'Duration of each partition log flush (fsync of its unflushed segments, or of a segment at roll) (Kafka: LogFlushRateAndTimeMs)',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return (seconds) => histogram.observe(seconds);
}

/**
 * `raftka_log_dir_full` and `raftka_log_dir_failing` per log dir (Kafka's nearest is
 * kafka.log:type=LogManager,name=OfflineLogDirectoryCount; raftka keeps a full dir online and
 * refuses its writes): 1 while the dir's last write failed (for lack of space / for any storage
 * error), back to 0 at the next write that succeeds.
 */
export function registerLogDirGauges(registry: Registry, dirs: () => readonly LogDirStatus[]): void {
  const gauge = (name: string, help: string, read: (d: LogDirStatus) => boolean): void =>
    void new Gauge({
      name,
      help,
      labelNames: ['dir'],
      registers: [registry],
      collect() {
        for (const d of dirs()) this.set({ dir: d.dir }, read(d) ? 1 : 0);
      },
    });
  gauge(
    'raftka_log_dir_full',
    'Whether the log dir is full: its last write failed with ENOSPC/EDQUOT (1) or not (0)',
    (d) => d.full,
  );
  gauge(
    'raftka_log_dir_failing',
    'Whether the log dir refuses writes: its last write failed with a storage error, full or not (1) or not (0)',
    (d) => d.failing,
  );
}

/** What the per-partition series read of a hosted partition (a broker Partition has this shape). */
export interface PartitionLogView {
  readonly topic: string;
  readonly partition: number;
  readonly log: { readonly segmentCount: number; readonly sizeBytes: number };
}

/**
 * `raftka_log_segments` and `raftka_log_size_bytes` per topic and partition (Kafka: kafka.log:type=Log,
 * name=NumLogSegments / Size), read from the hosted logs at scrape time: two series per hosted
 * partition, which is why metrics.partition.enable must ask for them. Both gauges read one pass.
 */
export function registerPartitionLogGauges(registry: Registry, hosted: () => Iterable<PartitionLogView>): void {
  const pass = reusedFor(() =>
    Array.from(hosted(), (p) => ({ labels: { topic: p.topic, partition: String(p.partition) }, log: p.log })),
  );
  const gauge = (name: string, help: string, read: (log: PartitionLogView['log']) => number): void =>
    void new Gauge({
      name,
      help,
      labelNames: ['topic', 'partition'],
      registers: [registry],
      collect() {
        this.reset();
        for (const p of pass()) this.set(p.labels, read(p.log));
      },
    });
  gauge(
    'raftka_log_segments',
    'Segments in the log of each hosted partition (Kafka: NumLogSegments)',
    (l) => l.segmentCount,
  );
  gauge('raftka_log_size_bytes', 'Bytes in the log of each hosted partition (Kafka: Size)', (l) => l.sizeBytes);
}
