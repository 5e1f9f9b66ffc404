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
import { ConsumerGroupState, ConsumerMember } from './consumer-group.js';
import {
  decodeConsumerValue,
  fromTopicPartitions,
  type ConsumerCurrentAssignmentValue,
  type ConsumerMemberMetadataValue,
} from './consumer-records.js';
import { memberStateFromCode, type TopicAssignment } from './reconciliation.js';

/** What the log holds of one consumer group (KIP-848): the latest record of each key. */
interface ConsumerReplay {
  epoch: number;
  assignmentEpoch: number;
  readonly members: Map<string, ConsumerMemberMetadataValue>;
  readonly targets: Map<string, TopicAssignment>;
  readonly current: Map<string, ConsumerCurrentAssignmentValue>;
}

/** What a partition's log holds, per group: committed offsets and the latest group metadata. */
export interface PartitionReplay {
  readonly offsets: ReadonlyMap<string, ReadonlyMap<string, CommittedOffset>>;
  /** Open transactions' offsets: group → producer id → partition → offset. */
  readonly pending: ReadonlyMap<string, ReadonlyMap<number, ReadonlyMap<string, CommittedOffset>>>;
  readonly metadata: ReadonlyMap<string, GroupMetadataValue | null>;
  /** Consumer groups (KIP-848) by id; a group whose metadata record is the later one in the log is classic. */
  readonly consumer: ReadonlyMap<string, ConsumerReplay>;
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
  const consumer = new Map<string, ConsumerReplay>();
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
      if (r.value !== null) consumer.delete(key.group); // the group became classic
      continue;
    }
    if (key.kind === 'consumer-ignored') continue;
    if (key.kind === 'consumer-group' || key.kind === 'consumer-member') {
      replayConsumerRecord(consumer, metadata, key, r.value);
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
  return { offsets, pending, metadata, consumer, records };
}

/** One consumer group record into the replay: the last record per key wins, a null value removes. */
function replayConsumerRecord(
  consumer: Map<string, ConsumerReplay>,
  metadata: Map<string, GroupMetadataValue | null>,
  key:
    | { readonly kind: 'consumer-group'; readonly type: 3 | 4 | 6; readonly group: string }
    | { readonly kind: 'consumer-member'; readonly type: 5 | 7 | 8; readonly group: string; readonly memberId: string },
  value: Buffer | null,
): void {
  if (key.type === 4) return; // partition metadata: replaced in Kafka 4.1 by a hash; recomputed here
  if (key.kind === 'consumer-group' && key.type === 3 && value === null) {
    consumer.delete(key.group);
    return;
  }
  let c = consumer.get(key.group);
  if (c === undefined) {
    if (value === null) return;
    c = { epoch: 0, assignmentEpoch: 0, members: new Map(), targets: new Map(), current: new Map() };
    consumer.set(key.group, c);
  }
  if (key.kind === 'consumer-group') {
    const v = value === null ? null : decodeConsumerValue(key.type, value);
    if (v?.type === 3) {
      c.epoch = v.epoch;
      if (metadata.get(key.group)) metadata.set(key.group, null); // the group became a consumer group
    } else if (v?.type === 6) c.assignmentEpoch = v.assignmentEpoch;
    return;
  }
  const v = value === null ? null : decodeConsumerValue(key.type, value);
  if (key.type === 5) setOrDelete(c.members, key.memberId, v?.type === 5 ? v.member : null);
  else if (key.type === 7) setOrDelete(c.targets, key.memberId, v?.type === 7 ? v.target : null);
  else setOrDelete(c.current, key.memberId, v?.type === 8 ? v.current : null);
}

function setOrDelete<K, V>(m: Map<K, V>, k: K, v: V | null): void {
  if (v === null) m.delete(k);
  else m.set(k, v);
}

/** A consumer group's state from its replayed records. */
function consumerGroupFromReplay(c: ConsumerReplay): ConsumerGroupState {
  const cg = new ConsumerGroupState();
  cg.groupEpoch = c.epoch;
  cg.assignmentEpoch = c.assignmentEpoch;
  cg.subscriptionSignature = null;
  for (const [memberId, md] of c.members) {
    const m = new ConsumerMember(memberId);
    Object.assign(m, md, { subscribedTopicNames: [...md.subscribedTopicNames] });
    const cur = c.current.get(memberId);
    if (cur) {
      m.memberEpoch = cur.memberEpoch;
      m.previousMemberEpoch = cur.previousMemberEpoch;
      // An unknown state (a newer Kafka's) makes the member start over, as Kafka fences it.
      m.state = memberStateFromCode(cur.state) ?? 'stable';
      if (memberStateFromCode(cur.state) === null) m.memberEpoch = 0;
      else {
        m.assigned = fromTopicPartitions(cur.assignedPartitions);
        m.pendingRevocation = fromTopicPartitions(cur.partitionsPendingRevocation);
      }
    }
    cg.members.set(memberId, m);
    if (m.instanceId !== null) cg.staticMembers.set(m.instanceId, memberId);
    const target = c.targets.get(memberId);
    if (target) cg.target.set(memberId, target);
  }
  return cg;
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
  const { offsets, pending, metadata, consumer } = replay;
  const out: Group[] = [];
  for (const id of new Set([...offsets.keys(), ...metadata.keys(), ...pending.keys(), ...consumer.keys()])) {
    const committed = offsets.get(id) ?? new Map<string, CommittedOffset>();
    const open = pending.get(id) ?? new Map<number, ReadonlyMap<string, CommittedOffset>>();
    const meta = metadata.get(id) ?? null;
    const c = consumer.get(id);
    if (meta === null && committed.size === 0 && open.size === 0 && c === undefined) continue;
    const g = new Group(id, partition, now);
    if (c !== undefined) g.consumer = consumerGroupFromReplay(c);
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
