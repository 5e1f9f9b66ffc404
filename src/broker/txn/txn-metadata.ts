// The state of one transactional id as the coordinator holds it (Kafka's TransactionMetadata),
// and its transitions. A change is made in two steps: `prepare*` computes the next state as an
// immutable TxnTransit and marks it pending (so no other change starts meanwhile), the transit is
// written to `__transaction_state`, and only once the write is committed `completeTransitionTo`
// applies it (or `abortTransition` drops it when the write failed). Called by the coordinator.
//
// Invariants (checked by assertion: a violation is our bug):
// - at most one transition is pending; a transition goes only to a state that allows the
//   current one as its predecessor (Kafka's validPreviousStates);
// - an Empty transaction holds no partitions; epochs never go below 0 once assigned.
import { ErrorCode } from '../../common/errors.js';
import type { TopicPartition, TxnLogEntry, TxnState } from './txn-records.js';

export const noProducerId = -1;
export const noProducerEpoch = -1;
/** Epochs at or above this are exhausted: Short.MaxValue stays free so the coordinator can always fence. */
const producerEpochExhaustedMin = 32_767 - 1;
const producerEpochMax = 32_767;

const validPreviousStates: Readonly<Record<TxnState, readonly TxnState[]>> = {
  Empty: ['Empty', 'CompleteCommit', 'CompleteAbort'],
  Ongoing: ['Ongoing', 'Empty', 'CompleteCommit', 'CompleteAbort'],
  PrepareCommit: ['Ongoing'],
  PrepareAbort: ['Ongoing', 'PrepareEpochFence'],
  CompleteCommit: ['PrepareCommit'],
  CompleteAbort: ['PrepareAbort'],
  Dead: ['Empty', 'CompleteAbort', 'CompleteCommit'],
  PrepareEpochFence: ['Ongoing'],
};

/** States in which an idle transactional id may expire (transactional.id.expiration.ms). */
export function isExpirationAllowed(state: TxnState): boolean {
  return state === 'Empty' || state === 'CompleteCommit' || state === 'CompleteAbort';
}

export function isEpochExhausted(epoch: number): boolean {
  return epoch >= producerEpochExhaustedMin;
}

export function tpKey(topic: string, partition: number): string {
  return `${topic}\0${partition}`;
}

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`transaction coordinator invariant: ${message}`);
}

/** A prepared, not yet applied, next state of a transactional id. */
export interface TxnTransit extends TxnLogEntry {
  readonly lastProducerEpoch: number;
}

export class TxnMetadata {
  pendingState: TxnState | null = null;
  /** A fence's bumped epoch was kept in memory but its write failed: the next fence does not bump again. */
  hasFailedEpochFence = false;
  readonly partitions = new Map<string, TopicPartition>();

  constructor(
    readonly transactionalId: string,
    /** The `__transaction_state` partition that holds it. */
    readonly txnPartition: number,
    public producerId: number,
    public lastProducerId: number,
    public producerEpoch: number,
    public lastProducerEpoch: number,
    public timeoutMs: number,
    public state: TxnState,
    public startTimestamp: number,
    public lastUpdateTimestamp: number,
  ) {}

  static fromLog(transactionalId: string, txnPartition: number, e: TxnLogEntry): TxnMetadata {
    const m = new TxnMetadata(
      transactionalId,
      txnPartition,
      e.producerId,
      e.lastProducerId,
      e.producerEpoch,
      noProducerEpoch,
      e.timeoutMs,
      e.state,
      e.startTimestamp,
      e.lastUpdateTimestamp,
    );
    for (const tp of e.partitions) m.partitions.set(tpKey(tp.topic, tp.partition), tp);
    return m;
  }

  get pendingTransitionInProgress(): boolean {
    return this.pendingState !== null;
  }

  get isProducerEpochExhausted(): boolean {
    return isEpochExhausted(this.producerEpoch);
  }

  hasPartitions(partitions: readonly TopicPartition[]): boolean {
    return partitions.every((tp) => this.partitions.has(tpKey(tp.topic, tp.partition)));
  }

  /** Bump the epoch to abort an ongoing transaction and fence its producer (the epoch is never returned). */
  prepareFenceProducerEpoch(): TxnTransit {
    assert(this.producerEpoch < producerEpochMax, `cannot fence ${this.transactionalId}: epoch at its maximum`);
    const epoch = this.hasFailedEpochFence ? this.producerEpoch : this.producerEpoch + 1;
    return this.prepareTransitionTo(
      'PrepareEpochFence',
      this.producerId,
      epoch,
      noProducerEpoch,
      this.timeoutMs,
      [...this.partitions.values()],
      this.startTimestamp,
      this.lastUpdateTimestamp,
    );
  }

  /** InitProducerId on the same producer id: an error code (PRODUCER_FENCED) or the transit. */
  prepareIncrementProducerEpoch(timeoutMs: number, expectedEpoch: number | null, now: number): TxnTransit | number {
    assert(!this.isProducerEpochExhausted, `no epochs left for producer id ${this.producerId}`);
    const bumped = this.producerEpoch + 1;
    let next: [number, number];
    if (expectedEpoch === null) next = [bumped, noProducerEpoch];
    else if (this.producerEpoch === noProducerEpoch || expectedEpoch === this.producerEpoch)
      next = [bumped, this.producerEpoch];
    else if (expectedEpoch === this.lastProducerEpoch)
      next = [this.producerEpoch, this.lastProducerEpoch]; // a retry of a bump that succeeded
    else return ErrorCode.PRODUCER_FENCED;
    return this.prepareTransitionTo('Empty', this.producerId, next[0], next[1], timeoutMs, [], -1, now);
  }

  /** InitProducerId when the epochs of the current producer id are exhausted: a new producer id at epoch 0. */
  prepareProducerIdRotation(
    newProducerId: number,
    timeoutMs: number,
    now: number,
    recordLastEpoch: boolean,
  ): TxnTransit {
    assert(
      this.state !== 'Ongoing' && this.state !== 'PrepareCommit' && this.state !== 'PrepareAbort',
      'cannot rotate producer ids while a transaction is pending',
    );
    const lastEpoch = recordLastEpoch ? this.producerEpoch : noProducerEpoch;
    return this.prepareTransitionTo('Empty', newProducerId, 0, lastEpoch, timeoutMs, [], -1, now);
  }

  prepareAddPartitions(added: readonly TopicPartition[], now: number): TxnTransit {
    const starts = this.state === 'Empty' || this.state === 'CompleteAbort' || this.state === 'CompleteCommit';
    const all = new Map(this.partitions);
    for (const tp of added) all.set(tpKey(tp.topic, tp.partition), tp);
    return this.prepareTransitionTo(
      'Ongoing',
      this.producerId,
      this.producerEpoch,
      this.lastProducerEpoch,
      this.timeoutMs,
      [...all.values()],
      starts ? now : this.startTimestamp,
      now,
    );
  }

  prepareAbortOrCommit(state: 'PrepareCommit' | 'PrepareAbort', now: number): TxnTransit {
    return this.prepareTransitionTo(
      state,
      this.producerId,
      this.producerEpoch,
      this.lastProducerEpoch,
      this.timeoutMs,
      [...this.partitions.values()],
      this.startTimestamp,
      now,
    );
  }

  prepareComplete(now: number): TxnTransit {
    const state = this.state === 'PrepareCommit' ? 'CompleteCommit' : 'CompleteAbort';
    this.hasFailedEpochFence = false; // the fenced epoch is in the log now
    return this.prepareTransitionTo(
      state,
      this.producerId,
      this.producerEpoch,
      this.lastProducerEpoch,
      this.timeoutMs,
      [],
      this.startTimestamp,
      now,
    );
  }

  prepareDead(): TxnTransit {
    return this.prepareTransitionTo(
      'Dead',
      this.producerId,
      this.producerEpoch,
      this.lastProducerEpoch,
      this.timeoutMs,
      [],
      this.startTimestamp,
      this.lastUpdateTimestamp,
    );
  }

  private prepareTransitionTo(
    state: TxnState,
    producerId: number,
    producerEpoch: number,
    lastProducerEpoch: number,
    timeoutMs: number,
    partitions: readonly TopicPartition[],
    startTimestamp: number,
    lastUpdateTimestamp: number,
  ): TxnTransit {
    assert(this.pendingState === null, `${this.transactionalId}: ${state} prepared while ${this.pendingState} pending`);
    assert(producerId >= 0, `illegal producer id ${producerId}`);
    assert(state === 'Dead' || producerEpoch >= 0, `illegal producer epoch ${producerEpoch}`);
    assert(
      validPreviousStates[state].includes(this.state),
      `${this.transactionalId}: ${this.state} cannot go to ${state}`,
    );
    this.pendingState = state;
    return {
      producerId,
      lastProducerId: this.producerId,
      producerEpoch,
      lastProducerEpoch,
      timeoutMs,
      state,
      partitions,
      startTimestamp,
      lastUpdateTimestamp,
    };
  }

  /** Apply a transit whose record is committed in `__transaction_state`. */
  completeTransitionTo(t: TxnTransit): void {
    assert(
      this.pendingState === t.state,
      `${this.transactionalId}: completing ${t.state}, pending ${this.pendingState}`,
    );
    assert(t.state !== 'Dead' && t.state !== 'PrepareEpochFence', `${t.state} is never completed`);
    const sameProducer = t.producerId === this.producerId && t.producerEpoch === this.producerEpoch;
    switch (t.state) {
      case 'Empty':
        assert(t.partitions.length === 0 && t.startTimestamp === -1, 'an Empty transit holds no transaction');
        this.producerId = t.producerId;
        this.lastProducerId = t.lastProducerId;
        this.producerEpoch = t.producerEpoch;
        this.lastProducerEpoch = t.lastProducerEpoch;
        this.timeoutMs = t.timeoutMs;
        break;
      case 'Ongoing':
        assert(sameProducer && t.timeoutMs === this.timeoutMs, 'Ongoing transit of another producer');
        this.startTimestamp = t.startTimestamp;
        for (const tp of t.partitions) this.partitions.set(tpKey(tp.topic, tp.partition), tp);
        break;
      case 'PrepareCommit':
      case 'PrepareAbort':
        assert(sameProducer && t.partitions.length === this.partitions.size, 'Prepare transit does not match');
        break;
      case 'CompleteCommit':
      case 'CompleteAbort':
        assert(sameProducer && t.startTimestamp !== -1, 'Complete transit does not match');
        this.partitions.clear();
        break;
    }
    this.lastUpdateTimestamp = t.lastUpdateTimestamp;
    this.pendingState = null;
    this.state = t.state;
  }

  /** The write of the pending transit failed: nothing changes. */
  abortTransition(): void {
    this.pendingState = null;
  }
}
