// The records of the internal `__consumer_offsets` topic, in Kafka's own key and value layouts,
// so tools that read the topic directly (kcat, kafka-console-consumer with Kafka's formatter)
// understand it. Every key and value starts with an int16 version.
//
//   key v0/v1  OffsetCommitKey     Group, Topic, Partition int32
//   key v2     GroupMetadataKey    Group
//   value      OffsetCommitValue   v0-3 (non-flexible): Offset int64, v3+ LeaderEpoch int32,
//                                  Metadata, CommitTimestamp int64, v1 ExpireTimestamp int64
//   value      GroupMetadataValue  v0-3 (non-flexible): ProtocolType, Generation int32,
//                                  Protocol nullable, Leader nullable, v2+ CurrentStateTimestamp
//                                  int64, Members [MemberId, v3+ GroupInstanceId nullable,
//                                  ClientId, ClientHost, v1+ RebalanceTimeout int32,
//                                  SessionTimeout int32, Subscription bytes, Assignment bytes]
//
// Keys 3-8 and 16 are consumer group records (KIP-848), in consumer-records.ts.
// We write key v1 / v2 and value v3; we read values v0-3 (v4+ is flexible and only written by
// newer Kafka, which a ZooKeeper-era cluster being migrated never had). A null value is a
// tombstone: the offset or the group is gone.
import { array, field, message, struct, type MessageInput, type MessageValue } from '../../protocol/schema/dsl.js';
import { decodeMessage, encodeMessage } from '../../protocol/schema/codec.js';
import { Reader } from '../../protocol/primitives/reader.js';
import { Writer } from '../../protocol/primitives/writer.js';
import { ProtocolDecodeError } from '../../protocol/errors.js';
import { decodeConsumerKey, type ConsumerRecordKey } from './consumer-records.js';

export const offsetsTopicName = '__consumer_offsets';

const offsetCommitKeySchema = message('OffsetCommitKey', 'none', [
  field('group', 'string', '0+'),
  field('topic', 'string', '0+'),
  field('partition', 'int32', '0+'),
]);

const groupMetadataKeySchema = message('GroupMetadataKey', 'none', [field('group', 'string', '0+')]);

const offsetCommitValueSchema = message('OffsetCommitValue', 'none', [
  field('offset', 'int64', '0+'),
  field('leaderEpoch', 'int32', '3+', { default: -1 }),
  field('metadata', 'string', '0+'),
  field('commitTimestamp', 'int64', '0+'),
  field('expireTimestamp', 'int64', '1', { default: -1 }),
]);

const groupMetadataValueSchema = message('GroupMetadataValue', 'none', [
  field('protocolType', 'string', '0+'),
  field('generation', 'int32', '0+'),
  field('protocol', 'string', '0+', { nullable: '0+' }),
  field('leader', 'string', '0+', { nullable: '0+' }),
  field('currentStateTimestamp', 'int64', '2+', { default: -1 }),
  field(
    'members',
    array(
      struct([
        field('memberId', 'string', '0+'),
        field('groupInstanceId', 'string', '3+', { nullable: '3+', default: null }),
        field('clientId', 'string', '0+'),
        field('clientHost', 'string', '0+'),
        field('rebalanceTimeout', 'int32', '1+', { default: -1 }),
        field('sessionTimeout', 'int32', '0+'),
        field('subscription', 'bytes', '0+'),
        field('assignment', 'bytes', '0+'),
      ]),
    ),
    '0+',
  ),
]);

type OffsetCommitValue = MessageValue<typeof offsetCommitValueSchema>;
export type GroupMetadataValue = MessageValue<typeof groupMetadataValueSchema>;
type GroupMetadataValueInput = MessageInput<typeof groupMetadataValueSchema>;

const writtenValueVersion = 3;
const readableValueVersions = 3;

type OffsetsKey =
  | { readonly kind: 'offset'; readonly group: string; readonly topic: string; readonly partition: number }
  | { readonly kind: 'group'; readonly group: string }
  | ConsumerRecordKey;

function withVersion(version: number, body: (w: Writer) => void): Buffer {
  const w = new Writer();
  w.int16(version);
  body(w);
  return w.toBuffer();
}

export function offsetKey(group: string, topic: string, partition: number): Buffer {
  return withVersion(1, (w) => encodeMessage(offsetCommitKeySchema, 1, { group, topic, partition }, w));
}

export function groupKey(group: string): Buffer {
  return withVersion(2, (w) => encodeMessage(groupMetadataKeySchema, 2, { group }, w));
}

export function offsetValue(v: {
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
}): Buffer {
  return withVersion(writtenValueVersion, (w) => encodeMessage(offsetCommitValueSchema, writtenValueVersion, v, w));
}

export function groupValue(v: GroupMetadataValueInput): Buffer {
  return withVersion(writtenValueVersion, (w) => encodeMessage(groupMetadataValueSchema, writtenValueVersion, v, w));
}

export function decodeKey(key: Buffer): OffsetsKey {
  const r = new Reader(key);
  const version = r.int16();
  if (version === 0 || version === 1) return { kind: 'offset', ...decodeMessage(offsetCommitKeySchema, version, r) };
  if (version === 2) return { kind: 'group', ...decodeMessage(groupMetadataKeySchema, version, r) };
  const consumer = decodeConsumerKey(version, r); // KIP-848 consumer group records (consumer-records.ts)
  if (consumer !== null) return consumer;
  throw new ProtocolDecodeError(`unknown __consumer_offsets key version ${version}`);
}

function valueVersion(r: Reader, what: string): number {
  const version = r.int16();
  if (version < 0 || version > readableValueVersions)
    throw new ProtocolDecodeError(`unsupported ${what} version ${version}`);
  return version;
}

export function decodeOffsetValue(value: Buffer): OffsetCommitValue {
  const r = new Reader(value);
  return decodeMessage(offsetCommitValueSchema, valueVersion(r, 'OffsetCommitValue'), r);
}

export function decodeGroupValue(value: Buffer): GroupMetadataValue {
  const r = new Reader(value);
  return decodeMessage(groupMetadataValueSchema, valueVersion(r, 'GroupMetadataValue'), r);
}

/** Java's String.hashCode over UTF-16 code units, as Kafka computes it. */
function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** The `__consumer_offsets` partition that holds a group: Kafka's abs(groupId.hashCode) % count. */
export function partitionForGroup(groupId: string, partitionCount: number): number {
  const h = javaStringHash(groupId);
  const abs = h === -2147483648 ? 0 : Math.abs(h);
  return abs % partitionCount;
}
