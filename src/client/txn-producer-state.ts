// The pure bookkeeping of raftka's transactional producer (src/client/transactional-producer.ts),
// as Kafka's Java TransactionManager keeps it: the producer's state (ready, in a transaction,
// committing, aborting, failed), its producer id and epoch, the next sequence number of every
// partition, the partitions the coordinator has added to the open transaction, and what each
// error code answered to each request means for the producer. No I/O; unit-tested in
// test/client/txn-producer-state.test.ts.
//
// Rules (Kafka's):
// - Sequence numbers are per partition, start at 0 for every new producer epoch and wrap from
//   2^31 - 1 to 0. A batch gets its base sequence when it is built and keeps it through every
//   retry, so the leader recognises a resend of a batch it already wrote.
// - A failed request is retried (perhaps after finding the coordinator again or refreshing
//   metadata), or it leaves the transaction needing abort ("abortable"; some of those also need the
//   epoch bumped after the abort because a batch's fate is unknown), or it is fatal: the producer is
//   fenced or not allowed, and only a new producer can go on.
import { ErrorCode } from '../common/errors.js';

/** Kafka's sequence numbers are int32 and wrap to 0 after this. */
const sequenceMax = 2_147_483_647;

export type TxnRequestKind =
  | 'InitProducerId'
  | 'AddPartitionsToTxn'
  | 'AddOffsetsToTxn'
  | 'TxnOffsetCommit'
  | 'EndTxn'
  | 'Produce';

/**
 * What an error code means for the producer:
 * - `ok`: the request did what was asked (NONE; DUPLICATE_SEQUENCE_NUMBER to a Produce).
 * - `retry`: send the same request again after a backoff.
 * - `find-coordinator`: the coordinator moved or is down; look it up again, then retry.
 * - `refresh-metadata`: the partition's leader moved; refresh metadata, then resend the same batch.
 * - `abortable`: the transaction cannot commit; the application must abort it.
 * - `abortable-bump-epoch`: as abortable, and sequence state is unknown: after the abort the
 *   producer bumps its epoch (KIP-360) so sequences restart at 0.
 * - `fatal`: the producer cannot go on (fenced, not authorised, a broken state).
 */
export type TxnErrorClass =
  | 'ok'
  | 'retry'
  | 'find-coordinator'
  | 'refresh-metadata'
  | 'abortable'
  | 'abortable-bump-epoch'
  | 'fatal';

/** Produce errors after which the leader may take the same batch (Kafka's RetriableException codes). */
const produceRetriable: ReadonlySet<number> = new Set<number>([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.NOT_ENOUGH_REPLICAS,
  ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
  ErrorCode.REQUEST_TIMED_OUT,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.CORRUPT_MESSAGE,
  ErrorCode.BROKER_NOT_AVAILABLE,
  ErrorCode.REPLICA_NOT_AVAILABLE,
  ErrorCode.NETWORK_EXCEPTION,
]);

/** Codes that end the producer whatever it sent (Kafka's fatal errors of the TransactionManager). */
const fatalAlways: ReadonlySet<number> = new Set<number>([
  ErrorCode.PRODUCER_FENCED,
  ErrorCode.INVALID_PRODUCER_EPOCH,
  ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  ErrorCode.TRANSACTION_COORDINATOR_FENCED,
  ErrorCode.UNSUPPORTED_VERSION,
  ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
  ErrorCode.INVALID_TRANSACTION_TIMEOUT,
]);

/** How the producer goes on after `code` answered a `kind` request. */
export function classifyTxnError(kind: TxnRequestKind, code: number): TxnErrorClass {
  if (code === ErrorCode.NONE) return 'ok';
  // How the driver reports a connection that broke (or a request that timed out on it).
  if (code === ErrorCode.NETWORK_EXCEPTION) return kind === 'Produce' ? 'refresh-metadata' : 'find-coordinator';
  if (fatalAlways.has(code)) return 'fatal';
  if (kind === 'Produce') {
    if (code === ErrorCode.DUPLICATE_SEQUENCE_NUMBER) return 'ok';
    if (produceRetriable.has(code)) return 'refresh-metadata';
    if (code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER || code === ErrorCode.UNKNOWN_PRODUCER_ID)
      return 'abortable-bump-epoch';
    // INVALID_TXN_STATE here is KIP-890's "partition not in the transaction"; RECORD_TOO_LARGE,
    // INVALID_RECORD, TOPIC_AUTHORIZATION_FAILED, TRANSACTION_ABORTABLE...: this batch is lost.
    return 'abortable';
  }
  if (code === ErrorCode.NOT_COORDINATOR || code === ErrorCode.COORDINATOR_NOT_AVAILABLE) return 'find-coordinator';
  if (code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS || code === ErrorCode.CONCURRENT_TRANSACTIONS) return 'retry';
  if (code === ErrorCode.TRANSACTION_ABORTABLE) return kind === 'InitProducerId' ? 'fatal' : 'abortable';
  switch (kind) {
    case 'InitProducerId':
      return 'fatal';
    case 'AddPartitionsToTxn':
      if (code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION || code === ErrorCode.OPERATION_NOT_ATTEMPTED) return 'retry';
      if (code === ErrorCode.TOPIC_AUTHORIZATION_FAILED) return 'abortable';
      if (code === ErrorCode.UNKNOWN_PRODUCER_ID || code === ErrorCode.INVALID_PRODUCER_ID_MAPPING)
        return 'abortable-bump-epoch';
      return 'fatal';
    case 'AddOffsetsToTxn':
      if (code === ErrorCode.GROUP_AUTHORIZATION_FAILED) return 'abortable';
      if (code === ErrorCode.UNKNOWN_PRODUCER_ID || code === ErrorCode.INVALID_PRODUCER_ID_MAPPING)
        return 'abortable-bump-epoch';
      return 'fatal';
    case 'TxnOffsetCommit':
      // Sent to the group coordinator; REQUEST_TIMED_OUT there means it may have moved (Kafka's rule).
      if (code === ErrorCode.REQUEST_TIMED_OUT) return 'find-coordinator';
      if (code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) return 'retry';
      // The consumer's generation is gone (CommitFailedException) or it is not allowed: abort.
      if (
        code === ErrorCode.UNKNOWN_MEMBER_ID ||
        code === ErrorCode.ILLEGAL_GENERATION ||
        code === ErrorCode.FENCED_INSTANCE_ID ||
        code === ErrorCode.REBALANCE_IN_PROGRESS ||
        code === ErrorCode.GROUP_AUTHORIZATION_FAILED
      )
        return 'abortable';
      return 'fatal';
    case 'EndTxn':
      if (code === ErrorCode.UNKNOWN_PRODUCER_ID || code === ErrorCode.INVALID_PRODUCER_ID_MAPPING)
        return 'abortable-bump-epoch';
      return 'fatal';
  }
}

/** What a request that failed for good does to the producer: null leaves its state (the call may be repeated). */
export interface FailureEffect {
  readonly fatal: boolean;
  /** Bump the epoch after the abort (KIP-360): a batch's fate or the producer id is unknown. */
  readonly bumpEpoch: boolean;
}

/**
 * The effect of giving up on a `kind` request: because of an error of class `cls`, or ('timeout')
 * because it was still failing with retriable errors at its deadline. A Produce that times out
 * may or may not have been written, so its partition's sequence is unknown: the transaction must
 * abort and the epoch be bumped (Kafka's expired batches). An add or offset commit that times out
 * makes the transaction abortable. EndTxn and InitProducerId that time out change nothing: the
 * application calls commitTransaction, abortTransaction or initTransactions again (Kafka's
 * TimeoutException from those calls). Any batch that failed for good leaves a gap in its
 * partition's sequence numbers, so it always asks for the epoch bump.
 */
export function failureEffect(kind: TxnRequestKind, cls: TxnErrorClass | 'timeout'): FailureEffect | null {
  switch (cls) {
    case 'fatal':
      return { fatal: true, bumpEpoch: false };
    case 'abortable':
      // A refused batch leaves a gap in its partition's sequence; a new epoch starts them again.
      return { fatal: false, bumpEpoch: kind === 'Produce' };
    case 'abortable-bump-epoch':
      return { fatal: false, bumpEpoch: true };
    case 'timeout':
      if (kind === 'EndTxn' || kind === 'InitProducerId') return null;
      return { fatal: false, bumpEpoch: kind === 'Produce' };
    default:
      // ok, retry, find-coordinator, refresh-metadata are not failures.
      return null;
  }
}

export type TxnProducerState =
  | 'uninitialized'
  | 'initializing'
  | 'ready'
  | 'in-transaction'
  | 'committing'
  | 'aborting'
  | 'abortable-error'
  | 'fatal-error';

/** The transitions Kafka's TransactionManager allows (to → from). */
const allowedFrom: Readonly<Record<TxnProducerState, readonly TxnProducerState[]>> = {
  uninitialized: [],
  // From ready (or after an abort) when the epoch must be bumped.
  initializing: ['uninitialized', 'ready', 'aborting', 'abortable-error'],
  ready: ['initializing', 'committing', 'aborting'],
  'in-transaction': ['ready'],
  committing: ['in-transaction'],
  aborting: ['in-transaction', 'abortable-error'],
  'abortable-error': ['in-transaction', 'committing', 'abortable-error'],
  'fatal-error': [
    'uninitialized',
    'initializing',
    'ready',
    'in-transaction',
    'committing',
    'aborting',
    'abortable-error',
    'fatal-error',
  ],
};

/** A topic-partition as a map key. */
export const tpKey = (topic: string, partition: number): string => `${topic}\0${partition}`;

/** The next sequence number of each partition for the current producer epoch. */
export class PartitionSequences {
  private readonly next = new Map<string, number>();

  /** The base sequence of a batch of `count` records to `key`, moving the partition's next sequence past it. */
  reserve(key: string, count: number): number {
    if (!Number.isSafeInteger(count) || count <= 0) throw new RangeError(`a batch of ${count} records`);
    const base = this.next.get(key) ?? 0;
    this.next.set(key, (base + count) % (sequenceMax + 1));
    return base;
  }

  /** The sequence the next batch to `key` starts at. */
  peek(key: string): number {
    return this.next.get(key) ?? 0;
  }

  /** A new producer epoch: every partition starts again at 0. */
  reset(): void {
    this.next.clear();
  }
}

/**
 * What the producer knows of itself and its transaction. Operations check the state first
 * (throwing the stored error when the producer has failed), then the driver does the I/O and
 * reports results back here.
 */
export class TxnProducerBook {
  private current: TxnProducerState = 'uninitialized';
  private failure: Error | null = null;
  producerId = -1;
  producerEpoch = -1;
  readonly sequences = new PartitionSequences();
  /** Partitions the coordinator has confirmed in the open transaction. */
  private readonly added = new Set<string>();
  /** Whether the coordinator may hold an open transaction of ours (an add was sent, answered or not). */
  private addSent = false;
  /** Whether an add was confirmed (then the transaction surely is open on the coordinator). */
  private addConfirmed = false;
  /** A batch's fate is unknown (or the producer id is): bump the epoch once the transaction is aborted. */
  epochBumpRequired = false;

  get state(): TxnProducerState {
    return this.current;
  }

  /** The error that put the producer in abortable-error or fatal-error (null otherwise). */
  get lastError(): Error | null {
    return this.failure;
  }

  transitionTo(to: TxnProducerState): void {
    if (!allowedFrom[to].includes(this.current))
      throw new Error(`transactional producer: cannot go from ${this.current} to ${to}`);
    this.current = to;
    if (to === 'ready' || to === 'initializing') this.failure = null;
  }

  /** Throws the stored error when the producer has failed; else checks that it is in one of `states`. */
  require(operation: string, ...states: TxnProducerState[]): void {
    if (this.current === 'fatal-error' || (this.current === 'abortable-error' && !states.includes(this.current)))
      throw this.failure ?? new Error(`transactional producer: ${operation} after a failure`);
    if (!states.includes(this.current))
      throw new Error(`transactional producer: ${operation} is not allowed in state ${this.current}`);
  }

  /** Records a failure: fatal ones end the producer, the others leave the transaction needing abort. */
  fail(err: Error, fatal: boolean, bumpEpoch = false): void {
    if (this.current === 'fatal-error') return;
    if (fatal) {
      this.failure = err;
      this.current = 'fatal-error';
      return;
    }
    if (bumpEpoch) this.epochBumpRequired = true;
    // An abort that fails stays an abort to finish (the application calls abortTransaction again).
    if (this.current === 'aborting') return;
    this.failure = err;
    this.current = 'abortable-error';
  }

  /** A new producer id or epoch from InitProducerId: sequences start again. */
  setProducer(producerId: number, producerEpoch: number): void {
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
    this.sequences.reset();
    this.epochBumpRequired = false;
  }

  isAdded(key: string): boolean {
    return this.added.has(key);
  }

  /** An AddPartitionsToTxn / AddOffsetsToTxn is about to be sent. */
  addSending(): void {
    this.addSent = true;
  }

  /** The coordinator confirmed these partitions (keys from tpKey; [] for AddOffsetsToTxn). */
  addConfirmedFor(keys: readonly string[]): void {
    this.addConfirmed = true;
    for (const k of keys) this.added.add(k);
  }

  /** Whether ending the transaction needs an EndTxn (something was, or may have been, added). */
  get needsEndTxn(): boolean {
    return this.addSent;
  }

  /** Whether the coordinator surely holds the open transaction (an add was confirmed). */
  get transactionConfirmed(): boolean {
    return this.addConfirmed;
  }

  /** The transaction ended (committed or aborted): nothing is added any more. */
  clearTransaction(): void {
    this.added.clear();
    this.addSent = false;
    this.addConfirmed = false;
  }
}
