// The listings of `raftka transactions`, with kafka-transactions.sh's columns and values ("None"
// where Kafka prints an absent optional), as tables and as --json rows. Pure: callers pass the
// current time.
import type { OpenTransaction } from '../client/hanging-transactions.js';
import type { ProducerState, TransactionDescription, TransactionListing } from '../client/txn-admin.js';
import { formatTable } from './table.js';

const listHeader = ['TransactionalId', 'Coordinator', 'ProducerId', 'TransactionState'] as const;
const describeHeader = [
  'CoordinatorId',
  'TransactionalId',
  'ProducerId',
  'ProducerEpoch',
  'TransactionState',
  'TransactionTimeoutMs',
  'CurrentTransactionStartTimeMs',
  'TransactionDurationMs',
  'TopicPartitions',
] as const;
const producersHeader = [
  'ProducerId',
  'ProducerEpoch',
  'LatestCoordinatorEpoch',
  'LastSequence',
  'LastTimestamp',
  'CurrentTransactionStartOffset',
] as const;
const hangingHeader = [
  'Topic',
  'Partition',
  'ProducerId',
  'ProducerEpoch',
  'CoordinatorEpoch',
  'StartOffset',
  'LastTimestamp',
  'Duration(min)',
] as const;

export interface ListingRow {
  transactionalId: string;
  coordinator: number;
  producerId: number;
  transactionState: string;
}

export function listingRows(listings: readonly TransactionListing[]): ListingRow[] {
  return listings.map((l) => ({
    transactionalId: l.transactionalId,
    coordinator: l.coordinatorId,
    producerId: l.producerId,
    transactionState: l.state,
  }));
}

export function formatListing(rows: readonly ListingRow[]): string {
  return formatTable(
    listHeader,
    rows.map((r) => [r.transactionalId, String(r.coordinator), String(r.producerId), r.transactionState]),
  );
}

export interface DescribeRow {
  coordinatorId: number;
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  transactionState: string;
  transactionTimeoutMs: number;
  /** null when no transaction is open (Kafka prints None). */
  currentTransactionStartTimeMs: number | null;
  transactionDurationMs: number | null;
  topicPartitions: string[];
}

export function describeRow(d: TransactionDescription, nowMs: number): DescribeRow {
  const started = d.transactionStartTimeMs >= 0 ? d.transactionStartTimeMs : null;
  return {
    coordinatorId: d.coordinatorId,
    transactionalId: d.transactionalId,
    producerId: d.producerId,
    producerEpoch: d.producerEpoch,
    transactionState: d.state,
    transactionTimeoutMs: d.transactionTimeoutMs,
    currentTransactionStartTimeMs: started,
    transactionDurationMs: started === null ? null : nowMs - started,
    topicPartitions: d.topicPartitions.map((tp) => `${tp.topic}-${tp.partition}`),
  };
}

const orNone = (v: number | null): string => (v === null ? 'None' : String(v));

export function formatDescribe(rows: readonly DescribeRow[]): string {
  return formatTable(
    describeHeader,
    rows.map((r) => [
      String(r.coordinatorId),
      r.transactionalId,
      String(r.producerId),
      String(r.producerEpoch),
      r.transactionState,
      String(r.transactionTimeoutMs),
      orNone(r.currentTransactionStartTimeMs),
      orNone(r.transactionDurationMs),
      r.topicPartitions.join(','),
    ]),
  );
}

export interface ProducerRow {
  producerId: number;
  producerEpoch: number;
  latestCoordinatorEpoch: number;
  lastSequence: number;
  lastTimestamp: number;
  /** null when the producer has no open transaction (Kafka prints None). */
  currentTransactionStartOffset: number | null;
}

export function producerRows(producers: readonly ProducerState[]): ProducerRow[] {
  return producers.map((p) => ({
    producerId: p.producerId,
    producerEpoch: p.producerEpoch,
    latestCoordinatorEpoch: p.coordinatorEpoch,
    lastSequence: p.lastSequence,
    lastTimestamp: p.lastTimestamp,
    currentTransactionStartOffset: p.currentTransactionStartOffset >= 0 ? p.currentTransactionStartOffset : null,
  }));
}

export function formatProducers(rows: readonly ProducerRow[]): string {
  return formatTable(
    producersHeader,
    rows.map((r) => [
      String(r.producerId),
      String(r.producerEpoch),
      String(r.latestCoordinatorEpoch),
      String(r.lastSequence),
      String(r.lastTimestamp),
      orNone(r.currentTransactionStartOffset),
    ]),
  );
}

export interface HangingRow {
  topic: string;
  partition: number;
  producerId: number;
  producerEpoch: number;
  coordinatorEpoch: number;
  startOffset: number;
  lastTimestamp: number;
  durationMinutes: number;
}

const msPerMinute = 60_000;

export function hangingRows(open: readonly OpenTransaction[], nowMs: number): HangingRow[] {
  return open.map((o) => ({
    topic: o.topic,
    partition: o.partition,
    producerId: o.producer.producerId,
    producerEpoch: o.producer.producerEpoch,
    coordinatorEpoch: o.producer.coordinatorEpoch,
    startOffset: o.producer.currentTransactionStartOffset,
    lastTimestamp: o.producer.lastTimestamp,
    durationMinutes: Math.floor((nowMs - o.producer.lastTimestamp) / msPerMinute),
  }));
}

export function formatHanging(rows: readonly HangingRow[]): string {
  return formatTable(
    hangingHeader,
    rows.map((r) => [
      r.topic,
      String(r.partition),
      String(r.producerId),
      String(r.producerEpoch),
      String(r.coordinatorEpoch),
      String(r.startOffset),
      String(r.lastTimestamp),
      String(r.durationMinutes),
    ]),
  );
}
