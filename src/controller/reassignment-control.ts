// Partition reassignment (KIP-455) on the active controller. Starting one sets the partition's
// replicas to target ∪ current with `addingReplicas` (target − current) and `removingReplicas`
// (current − target); the new replicas start following the leader, and once every adding replica
// is in the ISR the reassignment completes: replicas become the target, removed replicas leave
// the ISR, and leadership moves if the leader was removed. A null target cancels (back to the
// original replicas). With keepReplicationFactor (KIP-860) a target whose length differs from the
// replica count the partition is headed for (its target when one is in progress) is refused with
// INVALID_REPLICATION_FACTOR, before any other check, as Kafka does. Pure: records + answers.
import { ErrorCode } from '../common/errors.js';
import type { MetadataImage, PartitionRegistration } from '../metadata/image.js';
import type { MetadataRecord } from '../metadata/records.js';
import type { Decision } from './cluster-control.js';

export interface ReassignmentItem {
  readonly topic: string;
  readonly partition: number;
  /** The target replica list; null cancels a reassignment in progress. */
  readonly replicas: readonly number[] | null;
  /** KIP-860 (AlterPartitionReassignments v1 with AllowReplicationFactorChange false): the target
   * must have as many replicas as the set the partition is headed for. */
  readonly keepReplicationFactor?: boolean;
}

export interface ReassignmentResult {
  readonly topic: string;
  readonly partition: number;
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

const target = (p: PartitionRegistration): number[] => p.replicas.filter((r) => !p.removingReplicas.includes(r));
const original = (p: PartitionRegistration): number[] => p.replicas.filter((r) => !p.addingReplicas.includes(r));

function canLead(image: MetadataImage, id: number): boolean {
  const b = image.brokers.get(id);
  return b !== undefined && !b.fenced && !b.inControlledShutdown;
}

/** The record that ends a reassignment at `replicas`, keeping the ISR and leader inside them. */
function finish(
  image: MetadataImage,
  topicId: string,
  partitionId: number,
  p: PartitionRegistration,
  isr: readonly number[],
  replicas: readonly number[],
): MetadataRecord {
  let nextIsr = isr.filter((r) => replicas.includes(r));
  let leader = p.leader;
  if (!replicas.includes(leader))
    leader = nextIsr.find((r) => canLead(image, r)) ?? replicas.find((r) => canLead(image, r) && isr.includes(r)) ?? -1;
  if (nextIsr.length === 0 && leader >= 0) nextIsr = [leader];
  return {
    type: 'partitionChange',
    topicId,
    partitionId,
    isr: nextIsr,
    leader: leader !== p.leader ? leader : null,
    replicas,
    removingReplicas: [],
    addingReplicas: [],
  };
}

export function alterPartitionReassignments(
  image: MetadataImage,
  items: readonly ReassignmentItem[],
): Decision<readonly ReassignmentResult[]> {
  const records: MetadataRecord[] = [];
  const response = items.map((item): ReassignmentResult => {
    const fail = (errorCode: number, errorMessage: string): ReassignmentResult => ({
      topic: item.topic,
      partition: item.partition,
      errorCode,
      errorMessage,
    });
    const t = image.topicsByName.get(item.topic);
    const p = t?.partitions.get(item.partition);
    if (!t || !p) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `no partition ${item.topic}-${item.partition}`);
    const inProgress = p.addingReplicas.length > 0 || p.removingReplicas.length > 0;
    if (item.replicas === null) {
      if (!inProgress)
        return fail(
          ErrorCode.NO_REASSIGNMENT_IN_PROGRESS,
          `no reassignment of ${item.topic}-${item.partition} to cancel`,
        );
      records.push(finish(image, t.id, item.partition, p, p.isr, original(p)));
      return { topic: item.topic, partition: item.partition, errorCode: 0, errorMessage: null };
    }
    const want = item.replicas;
    const headedFor = inProgress ? target(p).length : p.replicas.length;
    if (item.keepReplicationFactor === true && want.length !== headedFor)
      return fail(
        ErrorCode.INVALID_REPLICATION_FACTOR,
        `The replication factor is changed from ${headedFor} to ${want.length}`,
      );
    if (want.length === 0 || new Set(want).size !== want.length)
      return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `replicas [${want.join(',')}] must be distinct and not empty`);
    const unknown = want.filter((id) => !image.brokers.has(id));
    if (unknown.length > 0)
      return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `brokers ${unknown.join(',')} are not registered`);
    // A new target replaces one in progress: start from the original replicas.
    const current = inProgress ? original(p) : [...p.replicas];
    const adding = want.filter((r) => !current.includes(r));
    const removing = current.filter((r) => !want.includes(r));
    if (adding.length === 0 && removing.length === 0 && !inProgress)
      return { topic: item.topic, partition: item.partition, errorCode: 0, errorMessage: null };
    if (adding.length === 0) {
      // Only removals (or a reorder): nothing to copy, done at once.
      records.push(finish(image, t.id, item.partition, p, p.isr, want));
    } else {
      records.push({
        type: 'partitionChange',
        topicId: t.id,
        partitionId: item.partition,
        isr: null,
        leader: null,
        replicas: [...want, ...removing],
        addingReplicas: adding,
        removingReplicas: removing,
      });
    }
    return { topic: item.topic, partition: item.partition, errorCode: 0, errorMessage: null };
  });
  return { records, response };
}

/** After an ISR change to `isr`: the record completing the partition's reassignment, if every adding replica is now in sync. */
export function maybeCompleteReassignment(
  image: MetadataImage,
  topicId: string,
  partitionId: number,
  isr: readonly number[],
): MetadataRecord | null {
  const p = image.topicsById.get(topicId)?.partitions.get(partitionId);
  if (!p || p.addingReplicas.length === 0 || !p.addingReplicas.every((r) => isr.includes(r))) return null;
  return finish(image, topicId, partitionId, p, isr, target(p));
}

interface ReassignmentListing {
  readonly topic: string;
  readonly partition: number;
  readonly replicas: readonly number[];
  readonly addingReplicas: readonly number[];
  readonly removingReplicas: readonly number[];
}

export function listPartitionReassignments(
  image: MetadataImage,
  topics: ReadonlyMap<string, readonly number[]> | null,
): ReassignmentListing[] {
  const out: ReassignmentListing[] = [];
  for (const t of image.topicsByName.values()) {
    const wanted = topics?.get(t.name);
    if (topics && !wanted) continue;
    for (const [partition, p] of t.partitions) {
      if (wanted && !wanted.includes(partition)) continue;
      if (p.addingReplicas.length === 0 && p.removingReplicas.length === 0) continue;
      out.push({
        topic: t.name,
        partition,
        replicas: p.replicas,
        addingReplicas: p.addingReplicas,
        removingReplicas: p.removingReplicas,
      });
    }
  }
  return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}
