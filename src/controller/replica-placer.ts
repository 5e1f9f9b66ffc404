// Replica placement for new partitions, striped like Kafka's placer: brokers are ordered so that
// racks alternate, partition p of a topic starts at a rotating position, and its followers are
// taken at a shift that changes every full round, so leaders and replicas spread within one of
// even across brokers and each partition's replicas land on as many racks as possible.
import { assert } from '../common/assert.js';

interface PlacementBroker {
  readonly id: number;
  readonly rack: string | null;
}

/** Brokers ordered rack by rack, alternating: r1-b1, r2-b3, r1-b2, r2-b4, ... */
export function rackAlternatingOrder(brokers: readonly PlacementBroker[]): number[] {
  const byRack = new Map<string, number[]>();
  for (const b of [...brokers].sort((x, y) => x.id - y.id)) {
    const key = b.rack ?? '';
    let list = byRack.get(key);
    if (!list) byRack.set(key, (list = []));
    list.push(b.id);
  }
  const racks = [...byRack.keys()].sort().map((k) => byRack.get(k)!);
  const out: number[] = [];
  for (let i = 0; out.length < brokers.length; i++) for (const r of racks) if (i < r.length) out.push(r[i]!);
  return out;
}

/**
 * Replica lists for `partitions` new partitions of RF `replicationFactor`. `start` rotates where
 * the first partition's leader lands (callers pass the least-loaded broker's position).
 */
export function placeReplicas(
  brokers: readonly PlacementBroker[],
  partitions: number,
  replicationFactor: number,
  start: number,
  firstPartition = 0,
): number[][] {
  const order = rackAlternatingOrder(brokers);
  const rackOf = new Map(brokers.map((b) => [b.id, b.rack ?? '']));
  const n = order.length;
  assert(replicationFactor >= 1 && replicationFactor <= n, `replication factor ${replicationFactor} with ${n} brokers`);
  const out: number[][] = [];
  for (let i = 0; i < partitions; i++) {
    const p = firstPartition + i;
    const first = (start + p) % n;
    // Followers sit at a shift from the leader that grows every full round of partitions, so the
    // same leader does not always get the same followers.
    const shift = n === 1 ? 0 : Math.floor(p / n) % (n - 1);
    const replicas = [order[first]!];
    const racksUsed = new Set([rackOf.get(order[first]!)]);
    // Candidates in striped order after the shift; racks not yet used by this partition first.
    const candidates = Array.from({ length: n - 1 }, (_, k) => order[(first + 1 + ((shift + k) % (n - 1))) % n]!);
    for (const pass of [true, false]) {
      for (const id of candidates) {
        if (replicas.length === replicationFactor) break;
        if (replicas.includes(id) || (pass && racksUsed.has(rackOf.get(id)))) continue;
        replicas.push(id);
        racksUsed.add(rackOf.get(id));
      }
    }
    out.push(replicas);
  }
  return out;
}
