// Replication throttles (Kafka's ReplicationQuotaManager, KIP-73): a broker measures the bytes it
// replicates for throttled replicas — as leader those its topics list in
// `leader.replication.throttled.replicas`, as follower those in
// `follower.replication.throttled.replicas` ("*" or partition:brokerId pairs naming this broker) —
// and, while the rate is above `leader.replication.throttled.rate` /
// `follower.replication.throttled.rate` (dynamic broker configs, bytes per second), stops moving
// data for such replicas that are not in the ISR. In-sync replicas are never held back, as in
// Kafka: a throttle slows catching up (reassignments, a replica back from a failure), not
// acknowledged writes. Used by ReplicaManager (leader side) and ReplicaFetcher (follower side).

/** Kafka's replication.quota.window.num and replication.quota.window.size.seconds. */
const windowsMax = 11;
const windowMs = 1000;

/** A byte rate over the last `windowsMax` one-second windows (Kafka's Rate with SampledStat). */
export class ReplicationQuota {
  private readonly starts: number[] = [];
  private readonly bytes: number[] = [];

  record(n: number, nowMs: number): void {
    const last = this.starts.length - 1;
    if (last >= 0 && nowMs - this.starts[last]! < windowMs) {
      this.bytes[last]! += n;
      return;
    }
    this.starts.push(nowMs);
    this.bytes.push(n);
    if (this.starts.length > windowsMax) {
      this.starts.shift();
      this.bytes.shift();
    }
  }

  /**
   * Bytes per second over the kept windows. As Kafka's Rate does, the elapsed time counts at least
   * `windowsMax - 1` windows, so a fresh quota allows a burst of about ten seconds' worth.
   */
  rate(nowMs: number): number {
    while (this.starts.length > 0 && nowMs - this.starts[0]! >= windowsMax * windowMs) {
      this.starts.shift();
      this.bytes.shift();
    }
    if (this.starts.length === 0) return 0;
    const elapsed = Math.max(nowMs - this.starts[0]!, (windowsMax - 1) * windowMs);
    return (this.bytes.reduce((a, b) => a + b, 0) * 1000) / elapsed;
  }

  isExceeded(boundBytesPerSec: number | null, nowMs: number): boolean {
    return boundBytesPerSec !== null && this.rate(nowMs) > boundBytesPerSec;
  }
}

/** Whether a throttled-replicas list ("*", or partition:brokerId pairs) names this replica. */
export function isThrottledReplica(list: string | undefined, partition: number, brokerId: number): boolean {
  if (list === undefined) return false;
  const v = list.trim();
  if (v === '*') return true;
  return v.split(',').some((pair) => {
    const [p, b] = pair.split(':').map((s) => Number(s.trim()));
    return p === partition && b === brokerId;
  });
}
