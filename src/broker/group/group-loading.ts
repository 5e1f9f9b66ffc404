// Loading on leadership: when this broker becomes the leader of an `__consumer_offsets`
// partition, the coordinator replays the partition's whole log into memory before serving its
// groups (Kafka's GroupMetadataManager.loadGroupsAndOffsets). The last record per key wins; a
// null value is a tombstone. Called by GroupCoordinator.load only.
//
// Offsets written in a transaction (TxnOffsetCommit) are held per producer until the producer's
// marker: COMMIT applies them (each where it is later in the log than the committed offset, as
// Kafka's loader does), ABORT drops them; those without a marker yet stay pending in the loaded
// group, completed by the marker when it comes.
import { Group, Member, offsetMapKey, type CommittedOffset } from './group.js';
import type { OffsetsLog } from './offsets-log.js';
import { decodeGroupValue, decodeKey, decodeOffsetValue, type GroupMetadataValue } from './offsets-records.js';

/** What a partition's log holds, per group: committed offsets and the latest group metadata. */
export interface PartitionReplay {
  readonly offsets: ReadonlyMap<string, ReadonlyMap<string, CommittedOffset>>;
  /** Open transactions' offsets: group → producer id → partition → offset. */
  readonly pending: ReadonlyMap<string, ReadonlyMap<number, ReadonlyMap<string, CommittedOffset>>>;
  readonly metadata: ReadonlyMap<string, GroupMetadataValue | null>;
  readonly records: number;
}

/**
 * Reads a partition's log from its start. Null when `stillLoading` turns false meanwhile (the
 * partition was unloaded); throws what reading or decoding the records throws.
 */
export async function replayOffsetsPartition(
  log: OffsetsLog,
  partition: number,
  stillLoading: () => boolean,
): Promise<PartitionReplay | null> {
  const offsets = new Map<string, Map<string, CommittedOffset>>();
  const metadata = new Map<string, GroupMetadataValue | null>();
  /** producer id → group → partition → offset, for the transactions not yet ended. */
  const open = new Map<number, Map<string, Map<string, CommittedOffset>>>();
  let records = 0;
  for await (const r of log.readAll(partition)) {
    if (!stillLoading()) return null; // unloaded meanwhile
    if (r.kind === 'marker') {
      const groups = open.get(r.producerId);
      open.delete(r.producerId);
      if (groups && r.commit) for (const [id, m] of groups) applyCommitted(mapIn(offsets, id), m);
      continue;
    }
    if (r.key === null) continue;
    records++;
    const key = decodeKey(r.key);
    if (key.kind === 'group') {
      metadata.set(key.group, r.value === null ? null : decodeGroupValue(r.value));
      continue;
    }
    const m = r.txnProducerId === null ? mapIn(offsets, key.group) : mapIn(mapIn(open, r.txnProducerId), key.group);
    const k = offsetMapKey(key.topic, key.partition);
    if (r.value === null) m.delete(k);
    else {
      const v = decodeOffsetValue(r.value);
      m.set(k, {
        offset: v.offset,
        leaderEpoch: v.leaderEpoch,
        metadata: v.metadata,
        commitTimestamp: v.commitTimestamp,
        batchOffset: r.batchOffset,
      });
    }
  }
  const pending = new Map<string, Map<number, Map<string, CommittedOffset>>>();
  for (const [producerId, groups] of open)
    for (const [id, m] of groups) if (m.size > 0) mapIn(pending, id).set(producerId, m);
  return { offsets, pending, metadata, records };
}

function mapIn<K, K2, V>(outer: Map<K, Map<K2, V>>, key: K): Map<K2, V> {
  let m = outer.get(key);
  if (m === undefined) outer.set(key, (m = new Map()));
  return m;
}

/** A committed transaction's offsets replace the loaded ones that are earlier in the log. */
function applyCommitted(committed: Map<string, CommittedOffset>, txn: ReadonlyMap<string, CommittedOffset>): void {
  for (const [k, c] of txn) {
    const current = committed.get(k);
    if (current === undefined || current.batchOffset < c.batchOffset) committed.set(k, c);
  }
}

/** The groups a replay describes (groups with neither offsets nor metadata are gone). */
export function groupsFromReplay(replay: PartitionReplay, partition: number, now: number): Group[] {
  const { offsets, pending, metadata } = replay;
  const out: Group[] = [];
  for (const id of new Set([...offsets.keys(), ...metadata.keys(), ...pending.keys()])) {
    const committed = offsets.get(id) ?? new Map<string, CommittedOffset>();
    const open = pending.get(id) ?? new Map<number, ReadonlyMap<string, CommittedOffset>>();
    const meta = metadata.get(id) ?? null;
    if (meta === null && committed.size === 0 && open.size === 0) continue;
    const g = new Group(id, partition, now);
    for (const [k, v] of committed) g.offsets.set(k, v);
    for (const [producerId, m] of open) g.pendingTxnOffsets.set(producerId, new Map(m));
    if (meta !== null) {
      g.protocolType = meta.protocolType === '' ? null : meta.protocolType;
      g.generation = meta.generation;
      g.protocolName = meta.protocol;
      g.leaderId = meta.leader;
      if (meta.currentStateTimestamp >= 0) g.currentStateTimestamp = meta.currentStateTimestamp;
      for (const m of meta.members) {
        const member = new Member(
          m.memberId,
          m.groupInstanceId,
          m.clientId,
          m.clientHost,
          m.rebalanceTimeout >= 0 ? m.rebalanceTimeout : m.sessionTimeout,
          m.sessionTimeout,
          meta.protocolType,
          meta.protocol === null ? [] : [{ name: meta.protocol, metadata: m.subscription }],
          now,
        );
        member.assignment = m.assignment;
        g.members.set(m.memberId, member);
        if (m.groupInstanceId !== null) g.staticMembers.set(m.groupInstanceId, m.memberId);
      }
      g.state = g.members.size > 0 ? 'Stable' : 'Empty';
    }
    out.push(g);
  }
  return out;
}
