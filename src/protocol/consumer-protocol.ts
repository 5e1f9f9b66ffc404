// Kafka's "consumer" embedded protocol: the bytes a consumer puts in JoinGroup's protocol metadata
// (ConsumerProtocolSubscription) and the leader puts in SyncGroup's assignments
// (ConsumerProtocolAssignment), plus the two classic eager assignors, range and roundrobin (the
// cooperative-sticky assignor builds on the member order and result shape here, in
// src/client/cooperative-sticky-assignor.ts). Pure: shared by our client
// (src/client/group-consumer.ts), the CLI (describing members) and the server. Written from the public protocol description.
//
// Both are the classic non-flexible encodings: int16 length strings, int32 array counts, int32
// length bytes with -1 for null.
//
//   Subscription: Version int16, Topics [string], UserData nullable bytes,
//                 v1+ OwnedPartitions [Topic string, Partitions [int32]],
//                 v2+ GenerationId int32 (-1), v3+ RackId nullable string (null)
//   Assignment:   Version int16, AssignedPartitions [Topic string, Partitions [int32]],
//                 UserData nullable bytes                       (same fields in versions 0-3)
//
// Invariants: decoding accepts any version ≥ 0, reads the fields of min(version, 3) and ignores
// whatever follows (Kafka reads newer versions that way); a malformed buffer is a
// ProtocolDecodeError. An empty assignment buffer decodes as "no partitions" (what a member holds
// before its first SyncGroup, and what a coordinator answers when the leader gave it nothing).
import { ProtocolDecodeError, ProtocolEncodeError } from './errors.js';
import { Reader } from './primitives/reader.js';
import { Writer } from './primitives/writer.js';

/** The highest version of either structure we know the fields of. */
const consumerProtocolVersionMax = 3;

export interface TopicPartitions {
  readonly topic: string;
  readonly partitions: readonly number[];
}

interface ConsumerSubscription {
  /** The version found on the wire (may be above consumerProtocolVersionMax). */
  readonly version: number;
  readonly topics: readonly string[];
  readonly userData: Buffer | null;
  /** v1+; [] before. */
  readonly ownedPartitions: readonly TopicPartitions[];
  /** v2+; -1 before. */
  readonly generationId: number;
  /** v3+; null before. */
  readonly rackId: string | null;
}

interface ConsumerSubscriptionInput {
  readonly topics: readonly string[];
  readonly userData?: Buffer | null;
  readonly ownedPartitions?: readonly TopicPartitions[];
  readonly generationId?: number;
  readonly rackId?: string | null;
}

interface ConsumerAssignment {
  readonly version: number;
  readonly assignedPartitions: readonly TopicPartitions[];
  readonly userData: Buffer | null;
}

function checkEncodeVersion(version: number): void {
  if (!Number.isInteger(version) || version < 0 || version > consumerProtocolVersionMax) {
    throw new ProtocolEncodeError(`consumer protocol version ${version} is not one of 0-${consumerProtocolVersionMax}`);
  }
}

function writeTopicPartitions(w: Writer, list: readonly TopicPartitions[]): void {
  w.int32(list.length);
  for (const tp of list) {
    w.string(tp.topic);
    w.int32(tp.partitions.length);
    for (const p of tp.partitions) w.int32(p);
  }
}

function readTopicPartitions(r: Reader): TopicPartitions[] {
  return r.array(false, (x) => ({ topic: x.string(), partitions: x.array(false, (y) => y.int32()) }));
}

function readVersion(r: Reader, what: string): number {
  const version = r.int16();
  if (version < 0) throw new ProtocolDecodeError(`${what} version ${version} is negative`);
  return version;
}

/** ConsumerProtocolSubscription bytes (JoinGroup protocol metadata); v0 unless asked. */
export function encodeSubscription(s: ConsumerSubscriptionInput, version = 0): Buffer {
  checkEncodeVersion(version);
  const w = new Writer(64);
  w.int16(version);
  w.int32(s.topics.length);
  for (const t of s.topics) w.string(t);
  w.nullableBytes(s.userData ?? null);
  if (version >= 1) writeTopicPartitions(w, s.ownedPartitions ?? []);
  if (version >= 2) w.int32(s.generationId ?? -1);
  if (version >= 3) w.nullableString(s.rackId ?? null);
  return w.toBuffer();
}

export function decodeSubscription(buf: Buffer): ConsumerSubscription {
  const r = new Reader(buf);
  const version = readVersion(r, 'subscription');
  const topics = r.array(false, (x) => x.string());
  const userData = r.nullableBytes();
  const ownedPartitions = version >= 1 ? readTopicPartitions(r) : [];
  const generationId = version >= 2 ? r.int32() : -1;
  const rackId = version >= 3 ? r.nullableString() : null;
  return { version, topics, userData, ownedPartitions, generationId, rackId };
}

/**
 * The topics a subscription names, or null when the bytes are not a ConsumerProtocolSubscription
 * (for the coordinator: a client's malformed metadata is an answer, never an exception).
 */
export function subscriptionTopics(metadata: Buffer): ReadonlySet<string> | null {
  try {
    return new Set(decodeSubscription(metadata).topics);
  } catch (err) {
    if (err instanceof ProtocolDecodeError) return null;
    throw err;
  }
}

/** ConsumerProtocolAssignment bytes (SyncGroup assignment); v0 unless asked. */
export function encodeAssignment(
  assignedPartitions: readonly TopicPartitions[],
  userData: Buffer | null = null,
  version = 0,
): Buffer {
  checkEncodeVersion(version);
  const w = new Writer(64);
  w.int16(version);
  writeTopicPartitions(w, assignedPartitions);
  w.nullableBytes(userData);
  return w.toBuffer();
}

export function decodeAssignment(buf: Buffer): ConsumerAssignment {
  if (buf.length === 0) return { version: 0, assignedPartitions: [], userData: null };
  const r = new Reader(buf);
  const version = readVersion(r, 'assignment');
  const assignedPartitions = readTopicPartitions(r);
  const userData = r.nullableBytes();
  return { version, assignedPartitions, userData };
}

// ---- assignors ----------------------------------------------------------------------------------

export interface AssignorMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly topics: readonly string[];
  /** What the member says it holds (subscription v1+); only the cooperative-sticky assignor reads it. */
  readonly ownedPartitions?: readonly TopicPartitions[];
  /** The generation it held them in (subscription v2+; -1 when unknown). */
  readonly generationId?: number;
}

/** memberId → its partitions, topics in name order and partitions ascending; every member has an entry. */
export type GroupAssignment = Map<string, TopicPartitions[]>;

export interface Assignor {
  readonly name: string;
  /** `partitionCounts`: topic → number of partitions; subscribed topics missing there get nothing. */
  assign(members: readonly AssignorMember[], partitionCounts: ReadonlyMap<string, number>): GroupAssignment;
}

/** Java's String.compareTo order (UTF-16 code units), which JS's < also uses; never locale order. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The order Kafka's assignors give members: static members (with a group instance id) first, by
 * instance id, then dynamic members by member id. With no static members this is member-id order.
 */
export function compareMembers(a: AssignorMember, b: AssignorMember): number {
  if (a.groupInstanceId !== null && b.groupInstanceId !== null)
    return compareStrings(a.groupInstanceId, b.groupInstanceId);
  if (a.groupInstanceId !== null) return -1;
  if (b.groupInstanceId !== null) return 1;
  return compareStrings(a.memberId, b.memberId);
}

/** Turns per-member topic → partitions maps into the sorted GroupAssignment shape. */
export function toGroupAssignment(
  members: readonly AssignorMember[],
  picked: ReadonlyMap<string, Map<string, number[]>>,
): GroupAssignment {
  const out: GroupAssignment = new Map();
  for (const m of members) {
    const byTopic = picked.get(m.memberId) ?? new Map<string, number[]>();
    out.set(
      m.memberId,
      [...byTopic.entries()]
        .sort(([a], [b]) => compareStrings(a, b))
        .map(([topic, partitions]) => ({ topic, partitions: partitions.sort((x, y) => x - y) })),
    );
  }
  return out;
}

/** Adds one partition to a member's pick (the shape toGroupAssignment sorts). */
export function give(
  picked: Map<string, Map<string, number[]>>,
  memberId: string,
  topic: string,
  partition: number,
): void {
  let byTopic = picked.get(memberId);
  if (!byTopic) picked.set(memberId, (byTopic = new Map()));
  let list = byTopic.get(topic);
  if (!list) byTopic.set(topic, (list = []));
  list.push(partition);
}

/**
 * Kafka's RangeAssignor: per topic, the subscribed members in member order each take a
 * contiguous range of partitions; with n partitions and m members every member gets ⌊n/m⌋ and
 * the first n mod m members one more.
 */
export const rangeAssignor: Assignor = {
  name: 'range',
  assign(members, partitionCounts) {
    const picked = new Map<string, Map<string, number[]>>();
    const topics = new Set(members.flatMap((m) => m.topics));
    for (const topic of topics) {
      const count = partitionCounts.get(topic);
      if (count === undefined || count <= 0) continue;
      const subscribers = members.filter((m) => m.topics.includes(topic)).sort(compareMembers);
      const each = Math.floor(count / subscribers.length);
      const extra = count % subscribers.length;
      subscribers.forEach((m, i) => {
        const start = each * i + Math.min(i, extra);
        const length = each + (i < extra ? 1 : 0);
        for (let p = start; p < start + length; p++) give(picked, m.memberId, topic, p);
      });
    }
    return toGroupAssignment(members, picked);
  },
};

/**
 * Kafka's RoundRobinAssignor: every partition of every subscribed topic, by topic name then
 * partition, is dealt in turn around the members in member order; a member not subscribed to a
 * partition's topic is passed over (the turn moves on to the next one that is).
 */
export const roundRobinAssignor: Assignor = {
  name: 'roundrobin',
  assign(members, partitionCounts) {
    const picked = new Map<string, Map<string, number[]>>();
    const ring = [...members].sort(compareMembers);
    const topics = [...new Set(members.flatMap((m) => m.topics))].sort(compareStrings);
    let next = 0;
    for (const topic of topics) {
      const count = partitionCounts.get(topic) ?? 0;
      for (let p = 0; p < count; p++) {
        // Some member subscribes to `topic` (topics come from the subscriptions), so this ends
        // within one turn of the ring.
        while (!ring[next % ring.length]!.topics.includes(topic)) next++;
        give(picked, ring[next % ring.length]!.memberId, topic, p);
        next++;
      }
    }
    return toGroupAssignment(members, picked);
  },
};

/** Assignors by their protocol name, in the order a consumer offers them in JoinGroup. */
export const assignorsByName: ReadonlyMap<string, Assignor> = new Map([
  [rangeAssignor.name, rangeAssignor],
  [roundRobinAssignor.name, roundRobinAssignor],
]);
