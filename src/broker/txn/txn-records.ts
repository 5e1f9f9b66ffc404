// The records of the internal `__transaction_state` topic, in Kafka's own key and value layouts
// (TransactionLogKey / TransactionLogValue), so tools that read the topic directly understand it
// and a log written by Kafka replays here. Every key and value starts with an int16 version.
//
//   key   v0             TransactionalId string
//   value v0 (plain)     ProducerId int64, ProducerEpoch int16, TransactionTimeoutMs int32,
//                        TransactionStatus int8, TransactionPartitions nullable [Topic string,
//                        PartitionIds [int32]], TransactionLastUpdateTimestampMs int64,
//                        TransactionStartTimestampMs int64
//   value v1 (flexible)  the same fields in compact forms, plus tagged fields PreviousProducerId
//                        int64 (tag 0, default -1), NextProducerId int64 (tag 1, default -1),
//                        ClientTransactionVersion int16 (tag 2, default 0)
//
// We write value v0, as Kafka does while transaction.version < 2 (KIP-890 part 2, which needs the
// v1 fields, is not implemented); we read v0 and v1. A null value is a tombstone: the
// transactional id expired and is gone. Empty is written with null partitions, every other state
// with the (possibly empty) list, as Kafka's TransactionLog does.
import { transactionStateNames, type TransactionStateName } from '../../protocol/txn-types.js';
import { array, field, message, struct, type MessageValue } from '../../protocol/schema/dsl.js';
import { decodeMessage, encodeMessage } from '../../protocol/schema/codec.js';
import { Reader } from '../../protocol/primitives/reader.js';
import { Writer } from '../../protocol/primitives/writer.js';
import { ProtocolDecodeError } from '../../protocol/errors.js';
import { partitionForGroup } from '../group/offsets-records.js';

export const transactionStateTopicName = '__transaction_state';

const keySchema = message('TransactionLogKey', 'none', [field('transactionalId', 'string', '0')]);

const valueSchema = message('TransactionLogValue', '1+', [
  field('producerId', 'int64', '0+'),
  field('previousProducerId', 'int64', '1+', { tag: 0, default: -1 }),
  field('nextProducerId', 'int64', '1+', { tag: 1, default: -1 }),
  field('producerEpoch', 'int16', '0+'),
  field('transactionTimeoutMs', 'int32', '0+'),
  field('transactionStatus', 'int8', '0+'),
  field(
    'transactionPartitions',
    array(struct([field('topic', 'string', '0+'), field('partitionIds', array('int32'), '0+')])),
    '0+',
    { nullable: '0+' },
  ),
  field('transactionLastUpdateTimestampMs', 'int64', '0+'),
  field('transactionStartTimestampMs', 'int64', '0+'),
  field('clientTransactionVersion', 'int16', '1+', { tag: 2, default: 0 }),
]);

export type TransactionLogValue = MessageValue<typeof valueSchema>;

const keyVersion = 0;
const writtenValueVersion = 0;
const readableValueVersionMax = 1;

/** The states of a transaction, indexed by their ids in TransactionStatus (src/protocol/txn-types.ts). */
export const txnStates = transactionStateNames;

export type TxnState = TransactionStateName;

export function txnStateId(state: TxnState): number {
  return txnStates.indexOf(state);
}

export function txnStateFromId(id: number): TxnState {
  const s = txnStates[id];
  if (s === undefined) throw new ProtocolDecodeError(`unknown transaction state id ${id}`);
  return s;
}

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** What one `__transaction_state` value holds, in the coordinator's terms. */
export interface TxnLogEntry {
  readonly producerId: number;
  /** PreviousProducerId of value v1; -1 in v0, which does not store it. */
  readonly lastProducerId: number;
  readonly producerEpoch: number;
  readonly timeoutMs: number;
  readonly state: TxnState;
  readonly partitions: readonly TopicPartition[];
  readonly lastUpdateTimestamp: number;
  readonly startTimestamp: number;
}

export function txnKey(transactionalId: string): Buffer {
  const w = new Writer();
  w.int16(keyVersion);
  encodeMessage(keySchema, keyVersion, { transactionalId }, w);
  return w.toBuffer();
}

/** The transactional id of a key; throws ProtocolDecodeError for a key of another version. */
export function decodeTxnKey(key: Buffer): string {
  const r = new Reader(key);
  const version = r.int16();
  if (version !== keyVersion) throw new ProtocolDecodeError(`unknown __transaction_state key version ${version}`);
  return decodeMessage(keySchema, version, r).transactionalId;
}

/** Partitions grouped by topic, in first-seen order (Kafka's groupBy(topic)). */
function groupByTopic(partitions: readonly TopicPartition[]): { topic: string; partitionIds: number[] }[] {
  const byTopic = new Map<string, number[]>();
  for (const tp of partitions) {
    let ids = byTopic.get(tp.topic);
    if (!ids) byTopic.set(tp.topic, (ids = []));
    ids.push(tp.partition);
  }
  return [...byTopic].map(([topic, partitionIds]) => ({ topic, partitionIds }));
}

export function txnValue(e: TxnLogEntry): Buffer {
  if (e.state === 'Empty' && e.partitions.length > 0)
    throw new Error(`an Empty transaction cannot hold partitions (${e.partitions.length})`);
  const w = new Writer();
  w.int16(writtenValueVersion);
  encodeMessage(
    valueSchema,
    writtenValueVersion,
    {
      producerId: e.producerId,
      producerEpoch: e.producerEpoch,
      transactionTimeoutMs: e.timeoutMs,
      transactionStatus: txnStateId(e.state),
      transactionPartitions: e.state === 'Empty' ? null : groupByTopic(e.partitions),
      transactionLastUpdateTimestampMs: e.lastUpdateTimestamp,
      transactionStartTimestampMs: e.startTimestamp,
    },
    w,
  );
  return w.toBuffer();
}

export function decodeTxnValue(value: Buffer): TxnLogEntry {
  const r = new Reader(value);
  const version = r.int16();
  if (version < 0 || version > readableValueVersionMax)
    throw new ProtocolDecodeError(`unsupported TransactionLogValue version ${version}`);
  const v = decodeMessage(valueSchema, version, r);
  const state = txnStateFromId(v.transactionStatus);
  const partitions: TopicPartition[] = [];
  if (state !== 'Empty')
    for (const t of v.transactionPartitions ?? [])
      for (const partition of t.partitionIds) partitions.push({ topic: t.topic, partition });
  return {
    producerId: v.producerId,
    lastProducerId: v.previousProducerId,
    producerEpoch: v.producerEpoch,
    timeoutMs: v.transactionTimeoutMs,
    state,
    partitions,
    lastUpdateTimestamp: v.transactionLastUpdateTimestampMs,
    startTimestamp: v.transactionStartTimestampMs,
  };
}

/** The `__transaction_state` partition of a transactional id: Kafka's abs(id.hashCode) % count. */
export function partitionForTransactionalId(transactionalId: string, partitionCount: number): number {
  return partitionForGroup(transactionalId, partitionCount);
}
