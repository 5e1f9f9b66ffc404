// The transaction coordinator (Kafka's TransactionCoordinator + TransactionStateManager): for
// the transactional ids whose `__transaction_state` partition this broker leads, it hands out
// producer ids and epochs (InitProducerId), records the partitions of the ongoing transaction
// (AddPartitionsToTxn, AddOffsetsToTxn), ends transactions (EndTxn: Prepare* written, answered,
// markers sent, Complete* written), aborts transactions that outlive their timeout, expires idle
// transactional ids, and answers DescribeTransactions / ListTransactions.
// This file holds the ids, follows partition leadership (loading, unloading) and runs the
// request operations and the periodic tasks; markers are txn-markers.ts, the log replay
// txn-loading.ts, the per-id state machine txn-metadata.ts. Called by the Kafka API handlers and
// the node (setLeadership, startup, close).
//
// Invariants:
// - An id is served only while its partition is led here and has been loaded (its whole log
//   replayed; COORDINATOR_LOAD_IN_PROGRESS meanwhile, NOT_COORDINATOR once leadership moves,
//   which drops the partition's ids).
// - Every state change is committed in `__transaction_state` before it is applied or answered,
//   and at most one change per id is in flight (the pending state; others get
//   CONCURRENT_TRANSACTIONS).
// - After every await, ownership is checked again: leadership may have moved meanwhile.
import { ErrorCode } from '../../common/errors.js';
import { partitionForGroup } from '../group/offsets-records.js';
import { completeTransaction, type MarkerContext } from './txn-markers.js';
import {
  isEpochExhausted,
  isExpirationAllowed,
  noProducerEpoch,
  noProducerId,
  TxnMetadata,
  type TxnTransit,
} from './txn-metadata.js';
import { replayTxnPartition, type TxnPartitionReplay } from './txn-loading.js';
import { txnAppendError } from './txn-log.js';
import {
  partitionForTransactionalId,
  transactionStateTopicName,
  txnKey,
  txnValue,
  txnStates,
  type TopicPartition,
} from './txn-records.js';
import type { Timer } from '../group/clock.js';
import { offsetsTopicName } from '../group/offsets-records.js';
import type {
  AddOffsetsRequest,
  AddPartitionsRequest,
  EndTxnRequest,
  InitProducerIdRequest,
  InitProducerIdResult,
  DescribedTransaction,
  ListTransactionsRequest,
  ListTransactionsResult,
  TxnCoordinatorOptions,
  TxnCoordinatorStats,
  VerifyPartitionsResult,
} from './txn-types.js';

type PartitionLoad = { readonly state: 'loading' | 'loaded'; readonly epoch: number };

/** An id's metadata and the coordinator epoch it is served under, or why it is not served here. */
type Lookup =
  | { readonly errorCode: typeof ErrorCode.NONE; readonly meta: TxnMetadata | null; readonly coordinatorEpoch: number }
  | { readonly errorCode: number; readonly meta?: undefined };

/** How many fresh producer ids one InitProducerId may draw while the state moves under it. */
const initProducerIdAttemptsMax = 3;

/**
 * How long AddPartitionsToTxn/AddOffsetsToTxn wait for the previous transaction's markers before
 * answering CONCURRENT_TRANSACTIONS. A producer starts its next transaction right after EndTxn,
 * which is answered before the markers are written; waiting here spares the client a retry backoff
 * (kafkajs: 300 ms) on each transaction. Well below any client's request timeout.
 */
const endingTransactionWaitMs = 1_000;

export class TransactionCoordinator {
  private readonly txns = new Map<string, TxnMetadata>();
  private readonly partitions = new Map<number, PartitionLoad>();
  private closed = false;
  private readonly timers: Timer[] = [];
  private readonly counts = { committed: 0, aborted: 0, timedOutAborts: 0, expiredTransactionalIds: 0 };
  private readonly markerContext: MarkerContext;
  /** Requests waiting for an id's transaction to finish ending (see endingTransactionWaitMs). */
  private readonly endingWaiters = new Map<string, Set<() => void>>();

  constructor(private readonly o: TxnCoordinatorOptions) {
    this.markerContext = {
      o,
      owns: (meta, epoch) => this.owns(meta, epoch),
      appendTransit: (meta, epoch, transit) => this.appendTransit(meta, epoch, transit),
      onCompleted: (committed) => {
        if (committed) this.counts.committed++;
        else this.counts.aborted++;
      },
    };
  }

  /** The `__transaction_state` partition of a transactional id (FindCoordinator key type 1). */
  partitionFor(transactionalId: string): number {
    return partitionForTransactionalId(transactionalId, this.o.partitionCount);
  }

  // ------------------------------------------------------------ partition leadership

  /**
   * The `__transaction_state` partitions this broker now leads, with their leader epochs (the
   * coordinator epochs). Newly led ones are loaded; ones no longer led, or led under another
   * epoch (another leader may have written in between), drop their ids.
   */
  setLeadership(led: ReadonlyMap<number, number>): void {
    if (this.closed) return;
    for (const [p, load] of this.partitions) if (led.get(p) !== load.epoch) this.unload(p);
    for (const [p, epoch] of led) if (!this.partitions.has(p)) void this.load(p, epoch);
  }

  private async load(partition: number, epoch: number): Promise<void> {
    const load: PartitionLoad = { state: 'loading', epoch };
    this.partitions.set(partition, load);
    const started = this.o.clock.now();
    let replay: TxnPartitionReplay | null;
    try {
      replay = await replayTxnPartition(this.o.log, partition, () => this.partitions.get(partition) === load);
    } catch (err) {
      this.o.logger.error(
        { partition, err: err instanceof Error ? err.message : String(err) },
        'loading transactions failed',
      );
      if (this.partitions.get(partition) === load) this.partitions.delete(partition);
      return;
    }
    if (replay === null || this.partitions.get(partition) !== load) return;
    const toComplete: TxnMetadata[] = [];
    for (const [id, entry] of replay.entries) {
      const meta = TxnMetadata.fromLog(id, partition, entry);
      this.txns.set(id, meta);
      if (meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort') toComplete.push(meta);
    }
    this.partitions.set(partition, { state: 'loaded', epoch });
    this.o.logger.info(
      {
        partition,
        epoch,
        records: replay.records,
        transactionalIds: replay.entries.size,
        completing: toComplete.length,
        ms: this.o.clock.now() - started,
      },
      'loaded transactions',
    );
    for (const meta of toComplete) void completeTransaction(this.markerContext, meta, epoch);
  }

  private unload(partition: number): void {
    this.partitions.delete(partition);
    this.wakeEndingWaiters(null);
    for (const [id, meta] of this.txns) if (meta.txnPartition === partition) this.txns.delete(id);
    this.o.logger.info({ partition }, 'unloaded transactions (no longer the transaction state partition leader)');
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers.splice(0)) t.cancel();
    for (const p of [...this.partitions.keys()]) this.unload(p);
  }

  // ------------------------------------------------------------ state access

  private lookup(transactionalId: string): Lookup {
    if (this.closed) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE };
    const load = this.partitions.get(this.partitionFor(transactionalId));
    if (!load) return { errorCode: ErrorCode.NOT_COORDINATOR };
    if (load.state === 'loading') return { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS };
    return { errorCode: ErrorCode.NONE, meta: this.txns.get(transactionalId) ?? null, coordinatorEpoch: load.epoch };
  }

  private owns(meta: TxnMetadata, coordinatorEpoch: number): boolean {
    const load = this.partitions.get(meta.txnPartition);
    return (
      !this.closed &&
      load?.state === 'loaded' &&
      load.epoch === coordinatorEpoch &&
      this.txns.get(meta.transactionalId) === meta
    );
  }

  /** Write a prepared transit and apply it once committed: a Kafka error code. */
  private async appendTransit(meta: TxnMetadata, coordinatorEpoch: number, transit: TxnTransit): Promise<number> {
    const record = { key: txnKey(meta.transactionalId), value: txnValue(transit) };
    let code: number;
    try {
      code = txnAppendError(await this.o.log.append(meta.txnPartition, [record]));
    } catch (err) {
      this.o.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'transaction state append failed');
      code = ErrorCode.UNKNOWN_SERVER_ERROR;
    }
    if (!this.owns(meta, coordinatorEpoch)) return ErrorCode.NOT_COORDINATOR;
    if (code !== ErrorCode.NONE) {
      meta.abortTransition();
      this.o.logger.info(
        { transactionalId: meta.transactionalId, state: transit.state, errorCode: code },
        `writing a transaction state to ${transactionStateTopicName} failed`,
      );
      return code;
    }
    meta.completeTransitionTo(transit);
    this.wakeEndingWaiters(meta.transactionalId);
    return ErrorCode.NONE;
  }

  /**
   * Resolves when `transactionalId`'s state moves on (or this coordinator unloads it), or after
   * `endingTransactionWaitMs`, whichever is first.
   */
  private endingMovesOn(transactionalId: string): Promise<void> {
    return new Promise((resolve) => {
      const waiters = this.endingWaiters.get(transactionalId) ?? new Set<() => void>();
      this.endingWaiters.set(transactionalId, waiters);
      const timer = this.o.clock.schedule(endingTransactionWaitMs, () => done());
      const done = (): void => {
        timer.cancel();
        waiters.delete(done);
        if (waiters.size === 0 && this.endingWaiters.get(transactionalId) === waiters)
          this.endingWaiters.delete(transactionalId);
        resolve();
      };
      waiters.add(done);
    });
  }

  /** Wakes the requests waiting on one id, or on every id (null). */
  private wakeEndingWaiters(transactionalId: string | null): void {
    const sets =
      transactionalId === null ? [...this.endingWaiters.values()] : [this.endingWaiters.get(transactionalId)];
    for (const waiters of sets) for (const done of [...(waiters ?? [])]) done();
  }

  // ------------------------------------------------------------ InitProducerId

  /**
   * InitProducerId with a transactional id (without one the handler uses the broker's producer
   * ids directly). Errors as Kafka's: PRODUCER_FENCED for a stale KIP-360 producer id/epoch
   * (handlers answer INVALID_PRODUCER_EPOCH to InitProducerId < v4), CONCURRENT_TRANSACTIONS
   * while a transaction is ending (or was just aborted to fence its producer).
   */
  async initProducerId(req: InitProducerIdRequest): Promise<InitProducerIdResult> {
    const fail = (errorCode: number): InitProducerIdResult => ({
      errorCode,
      producerId: noProducerId,
      producerEpoch: noProducerEpoch,
    });
    if (req.transactionalId === '') return fail(ErrorCode.INVALID_REQUEST);
    if (req.transactionTimeoutMs <= 0 || req.transactionTimeoutMs > this.o.maxTimeoutMs)
      return fail(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    const hasExpected = req.producerId !== noProducerId || req.producerEpoch !== noProducerEpoch;
    if (hasExpected && (req.producerId < 0 || req.producerEpoch < 0)) return fail(ErrorCode.INVALID_REQUEST);
    const expected = hasExpected ? { producerId: req.producerId, epoch: req.producerEpoch } : null;
    let freshProducerId: number | null = null;
    for (let attempt = 0; attempt < initProducerIdAttemptsMax; attempt++) {
      const look = this.lookup(req.transactionalId);
      if (look.errorCode !== ErrorCode.NONE || look.meta === undefined) return fail(look.errorCode);
      let meta = look.meta;
      const needsProducerId = meta === null || (this.wouldRotate(meta, expected) && !meta.pendingTransitionInProgress);
      if (needsProducerId && freshProducerId === null) {
        const r = await this.o.producerIds.nextProducerId();
        if (r.errorCode !== ErrorCode.NONE) return fail(r.errorCode);
        freshProducerId = r.producerId;
        continue; // the state may have moved while the id was fetched
      }
      if (meta === null) {
        if (freshProducerId === null) continue;
        const now = this.o.clock.now();
        meta = new TxnMetadata(
          req.transactionalId,
          this.partitionFor(req.transactionalId),
          freshProducerId,
          noProducerId,
          noProducerEpoch,
          noProducerEpoch,
          req.transactionTimeoutMs,
          'Empty',
          -1,
          now,
        );
        this.txns.set(req.transactionalId, meta);
        freshProducerId = null;
      }
      return this.initExisting(meta, look.coordinatorEpoch, req.transactionTimeoutMs, expected, freshProducerId);
    }
    return fail(ErrorCode.CONCURRENT_TRANSACTIONS);
  }

  /** Whether InitProducerId on `meta` would move to a new producer id (its epochs are exhausted). */
  private wouldRotate(meta: TxnMetadata, expected: { epoch: number } | null): boolean {
    const idle = meta.state === 'Empty' || meta.state === 'CompleteCommit' || meta.state === 'CompleteAbort';
    return idle && isEpochExhausted(meta.producerEpoch) && (expected === null || expected.epoch === meta.producerEpoch);
  }

  private async initExisting(
    meta: TxnMetadata,
    coordinatorEpoch: number,
    timeoutMs: number,
    expected: { producerId: number; epoch: number } | null,
    freshProducerId: number | null,
  ): Promise<InitProducerIdResult> {
    const fail = (errorCode: number): InitProducerIdResult => ({
      errorCode,
      producerId: noProducerId,
      producerEpoch: noProducerEpoch,
    });
    if (meta.pendingTransitionInProgress) return fail(ErrorCode.CONCURRENT_TRANSACTIONS);
    if (expected !== null) {
      // KIP-360: the producer's id must be the current one, or the previous one with its epochs
      // exhausted (a retry of a rotation whose answer was lost), unless the id was just created.
      const valid =
        meta.producerEpoch === noProducerEpoch ||
        expected.producerId === meta.producerId ||
        (expected.producerId === meta.lastProducerId && isEpochExhausted(expected.epoch));
      if (!valid) return fail(ErrorCode.PRODUCER_FENCED);
    }
    let transit: TxnTransit;
    switch (meta.state) {
      case 'PrepareCommit':
      case 'PrepareAbort':
        return fail(ErrorCode.CONCURRENT_TRANSACTIONS);
      case 'Ongoing': {
        // Abort the open transaction under a bumped epoch (fencing its producer), then let the
        // client retry: the retry bumps the epoch once more, or rotates the id if that exhausted it.
        const fence = meta.prepareFenceProducerEpoch();
        const code = await this.endTransaction(
          meta.transactionalId,
          fence.producerId,
          fence.producerEpoch,
          false,
          false,
        );
        if (meta.pendingState === 'PrepareEpochFence') meta.abortTransition();
        return fail(code === ErrorCode.NONE ? ErrorCode.CONCURRENT_TRANSACTIONS : code);
      }
      case 'Empty':
      case 'CompleteCommit':
      case 'CompleteAbort': {
        const now = this.o.clock.now();
        if (meta.isProducerEpochExhausted && (expected === null || expected.epoch === meta.producerEpoch)) {
          if (freshProducerId === null) return fail(ErrorCode.CONCURRENT_TRANSACTIONS);
          transit = meta.prepareProducerIdRotation(freshProducerId, timeoutMs, now, expected !== null);
        } else {
          const t = meta.prepareIncrementProducerEpoch(timeoutMs, expected?.epoch ?? null, now);
          if (typeof t === 'number') return fail(t);
          transit = t;
        }
        break;
      }
      default:
        throw new Error(`transaction coordinator invariant: ${meta.transactionalId} found in state ${meta.state}`);
    }
    const code = await this.appendTransit(meta, coordinatorEpoch, transit);
    if (code !== ErrorCode.NONE) return fail(code);
    this.o.logger.info(
      { transactionalId: meta.transactionalId, producerId: transit.producerId, producerEpoch: transit.producerEpoch },
      'initialized transactional producer',
    );
    return { errorCode: ErrorCode.NONE, producerId: transit.producerId, producerEpoch: transit.producerEpoch };
  }

  // ------------------------------------------------------------ AddPartitionsToTxn, AddOffsetsToTxn

  /**
   * Adds partitions to the producer's transaction (starting it if none is open): one error code
   * for the whole request (PRODUCER_FENCED: handlers answer INVALID_PRODUCER_EPOCH below v2).
   */
  addPartitions(req: AddPartitionsRequest): Promise<number> {
    return this.addPartitionsOnce(req, true);
  }

  private async addPartitionsOnce(req: AddPartitionsRequest, waitForEnding: boolean): Promise<number> {
    if (req.transactionalId === '') return ErrorCode.INVALID_REQUEST;
    const look = this.lookup(req.transactionalId);
    if (look.errorCode !== ErrorCode.NONE || look.meta === undefined) return look.errorCode;
    const meta = look.meta;
    if (meta === null || meta.producerId !== req.producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (meta.producerEpoch !== req.producerEpoch) return ErrorCode.PRODUCER_FENCED;
    if (meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort') {
      if (!waitForEnding) return ErrorCode.CONCURRENT_TRANSACTIONS;
      // The previous transaction's markers are on their way: wait once, then look again.
      await this.endingMovesOn(req.transactionalId);
      return this.addPartitionsOnce(req, false);
    }
    if (meta.pendingTransitionInProgress) return ErrorCode.CONCURRENT_TRANSACTIONS;
    if (meta.state === 'Ongoing' && meta.hasPartitions(req.partitions)) return ErrorCode.NONE;
    return this.appendTransit(
      meta,
      look.coordinatorEpoch,
      meta.prepareAddPartitions(req.partitions, this.o.clock.now()),
    );
  }

  /**
   * AddPartitionsToTxn v4+ verifyOnly (KIP-890 part 1), asked by a partition leader before it
   * appends a transactional batch: NONE for each partition the ongoing transaction holds,
   * INVALID_TXN_STATE for the others; one error for all when the producer does not match.
   */
  verifyPartitions(req: AddPartitionsRequest): VerifyPartitionsResult {
    const all = (errorCode: number): VerifyPartitionsResult => ({
      partitions: req.partitions.map((tp) => ({ tp, errorCode })),
    });
    if (req.transactionalId === '') return all(ErrorCode.INVALID_REQUEST);
    const look = this.lookup(req.transactionalId);
    if (look.errorCode !== ErrorCode.NONE || look.meta === undefined) return all(look.errorCode);
    const meta = look.meta;
    if (meta === null || meta.producerId !== req.producerId) return all(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    if (meta.producerEpoch !== req.producerEpoch) return all(ErrorCode.PRODUCER_FENCED);
    if (meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort') return all(ErrorCode.CONCURRENT_TRANSACTIONS);
    // The pending state is not checked: partitions join the set only once their record is committed.
    return {
      partitions: req.partitions.map((tp) => ({
        tp,
        errorCode: meta.hasPartitions([tp]) ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE,
      })),
    };
  }

  /** AddOffsetsToTxn: adds the group's `__consumer_offsets` partition to the transaction. */
  addOffsets(req: AddOffsetsRequest): Promise<number> {
    return this.addPartitions({
      transactionalId: req.transactionalId,
      producerId: req.producerId,
      producerEpoch: req.producerEpoch,
      partitions: [this.offsetsPartitionFor(req.groupId)],
    });
  }

  /** The `__consumer_offsets` partition of a group (the group coordinator's hash). */
  offsetsPartitionFor(groupId: string): TopicPartition {
    return { topic: offsetsTopicName, partition: partitionForGroup(groupId, this.o.offsetsPartitionCount) };
  }

  // ------------------------------------------------------------ EndTxn

  /** EndTxn: commit or abort the producer's transaction (PRODUCER_FENCED: INVALID_PRODUCER_EPOCH below v2). */
  endTxn(req: EndTxnRequest): Promise<number> {
    return this.endTransaction(req.transactionalId, req.producerId, req.producerEpoch, req.committed, true);
  }

  /**
   * Writes PrepareCommit/PrepareAbort, answers, and leaves the markers and Complete* to
   * txn-markers.ts. `fromClient` false is the coordinator's own abort (fencing a producer on
   * InitProducerId or on timeout) under an epoch already bumped by prepareFenceProducerEpoch;
   * its checks must run before the first await, so no request slips between fence and abort.
   */
  private async endTransaction(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    commit: boolean,
    fromClient: boolean,
  ): Promise<number> {
    if (transactionalId === '') return ErrorCode.INVALID_REQUEST;
    const look = this.lookup(transactionalId);
    if (look.errorCode !== ErrorCode.NONE || look.meta === undefined) return look.errorCode;
    const meta = look.meta;
    if (meta === null || meta.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if ((fromClient && producerEpoch !== meta.producerEpoch) || producerEpoch < meta.producerEpoch)
      return ErrorCode.PRODUCER_FENCED;
    if (meta.pendingTransitionInProgress && meta.pendingState !== 'PrepareEpochFence')
      return ErrorCode.CONCURRENT_TRANSACTIONS;
    const wanted = commit ? 'PrepareCommit' : 'PrepareAbort';
    let isEpochFence = false;
    switch (meta.state) {
      case 'Ongoing':
        break;
      case 'CompleteCommit':
        return commit ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE;
      case 'CompleteAbort':
        return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.NONE;
      case 'PrepareCommit':
        return commit ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE;
      case 'PrepareAbort':
        return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.CONCURRENT_TRANSACTIONS;
      case 'Empty':
        return ErrorCode.INVALID_TXN_STATE;
      default:
        throw new Error(`transaction coordinator invariant: ${transactionalId} found in state ${meta.state}`);
    }
    if (meta.pendingState === 'PrepareEpochFence') {
      if (commit) return ErrorCode.CONCURRENT_TRANSACTIONS; // the coordinator is aborting it
      // The fence's bumped epoch becomes the transaction's before PrepareAbort is written.
      isEpochFence = true;
      meta.abortTransition();
      meta.producerEpoch = producerEpoch;
      meta.lastProducerEpoch = noProducerEpoch;
    }
    const code = await this.appendTransit(
      meta,
      look.coordinatorEpoch,
      meta.prepareAbortOrCommit(wanted, this.o.clock.now()),
    );
    if (code !== ErrorCode.NONE) {
      // The bumped epoch stays in memory, never returned: the next fence must not bump it again.
      if (isEpochFence && this.owns(meta, look.coordinatorEpoch)) meta.hasFailedEpochFence = true;
      return code;
    }
    void completeTransaction(this.markerContext, meta, look.coordinatorEpoch);
    return ErrorCode.NONE;
  }

  // ------------------------------------------------------------ timeouts and expiry

  /** Starts the periodic tasks: aborting timed-out transactions, expiring idle transactional ids. */
  startup(): void {
    const every = (ms: number, task: () => Promise<number>): void => {
      const run = (): void => {
        if (this.closed) return;
        void task().finally(() => {
          if (!this.closed) this.timers.push(this.o.clock.schedule(ms, run));
        });
      };
      this.timers.push(this.o.clock.schedule(ms, run));
    };
    every(this.o.abortTimedOutIntervalMs, () => this.abortTimedOutTransactions());
    every(this.o.removeExpiredIntervalMs, () => this.removeExpiredTransactionalIds());
  }

  /**
   * Aborts every ongoing transaction older than its timeout, under a bumped epoch so its producer
   * is fenced (Kafka's abortTimedOutTransactions): the number of aborts started.
   */
  async abortTimedOutTransactions(): Promise<number> {
    const now = this.o.clock.now();
    const aborts: Promise<void>[] = [];
    for (const meta of this.txns.values()) {
      const load = this.partitions.get(meta.txnPartition);
      if (load?.state !== 'loaded' || meta.pendingTransitionInProgress || meta.state !== 'Ongoing') continue;
      if (meta.startTimestamp + meta.timeoutMs >= now) continue;
      const fence = meta.prepareFenceProducerEpoch();
      const abort = this.endTransaction(meta.transactionalId, fence.producerId, fence.producerEpoch, false, false);
      if (meta.pendingState === 'PrepareEpochFence') meta.abortTransition();
      aborts.push(
        abort.then((code) => {
          if (code === ErrorCode.NONE) this.counts.timedOutAborts++;
          this.o.logger.info(
            { transactionalId: meta.transactionalId, producerId: fence.producerId, errorCode: code },
            'aborting a transaction that exceeded its timeout',
          );
        }),
      );
    }
    await Promise.all(aborts);
    return aborts.length;
  }

  /**
   * Writes tombstones for transactional ids idle (Empty, CompleteCommit, CompleteAbort) for
   * longer than transactional.id.expiration.ms and forgets them: the number removed.
   */
  async removeExpiredTransactionalIds(): Promise<number> {
    const now = this.o.clock.now();
    const byPartition = new Map<number, TxnMetadata[]>();
    for (const meta of this.txns.values()) {
      if (!isExpirationAllowed(meta.state) || meta.pendingTransitionInProgress) continue;
      if (meta.lastUpdateTimestamp > now - this.o.transactionalIdExpirationMs) continue;
      if (this.partitions.get(meta.txnPartition)?.state !== 'loaded') continue;
      let list = byPartition.get(meta.txnPartition);
      if (!list) byPartition.set(meta.txnPartition, (list = []));
      list.push(meta);
    }
    const removed = await Promise.all(
      [...byPartition].map(([partition, metas]) => this.writeTombstones(partition, metas)),
    );
    return removed.reduce((a, b) => a + b, 0);
  }

  private async writeTombstones(partition: number, metas: readonly TxnMetadata[]): Promise<number> {
    const epoch = this.partitions.get(partition)?.epoch ?? -1;
    for (const meta of metas) meta.prepareDead();
    let code: number;
    try {
      code = txnAppendError(
        await this.o.log.append(
          partition,
          metas.map((m) => ({ key: txnKey(m.transactionalId), value: null })),
        ),
      );
    } catch (err) {
      this.o.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'writing tombstones failed');
      code = ErrorCode.UNKNOWN_SERVER_ERROR;
    }
    let removed = 0;
    for (const meta of metas) {
      if (!this.owns(meta, epoch)) continue;
      if (code === ErrorCode.NONE && meta.pendingState === 'Dead') {
        this.txns.delete(meta.transactionalId);
        removed++;
      } else meta.abortTransition();
    }
    this.counts.expiredTransactionalIds += removed;
    if (removed > 0) this.o.logger.info({ partition, removed }, 'expired idle transactional ids');
    return removed;
  }

  // ------------------------------------------------------------ admin views

  /** DescribeTransactions for one id. */
  describe(transactionalId: string): DescribedTransaction {
    const none = (errorCode: number): DescribedTransaction => ({
      errorCode,
      transactionalId,
      state: '',
      transactionTimeoutMs: 0,
      transactionStartTimeMs: -1,
      producerId: noProducerId,
      producerEpoch: noProducerEpoch,
      topics: [],
    });
    if (transactionalId === '') return none(ErrorCode.INVALID_REQUEST);
    const look = this.lookup(transactionalId);
    if (look.errorCode !== ErrorCode.NONE || look.meta === undefined) return none(look.errorCode);
    const meta = look.meta;
    if (meta === null || meta.state === 'Dead' || meta.pendingState === 'Dead')
      return none(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
    const topics = new Map<string, number[]>();
    for (const tp of meta.partitions.values()) {
      let list = topics.get(tp.topic);
      if (!list) topics.set(tp.topic, (list = []));
      list.push(tp.partition);
    }
    return {
      errorCode: ErrorCode.NONE,
      transactionalId,
      state: meta.state,
      transactionTimeoutMs: meta.timeoutMs,
      transactionStartTimeMs: meta.startTimestamp,
      producerId: meta.producerId,
      producerEpoch: meta.producerEpoch,
      topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })),
    };
  }

  /** ListTransactions: the ids coordinated here, filtered as Kafka's listTransactionStates. */
  list(req: ListTransactionsRequest): ListTransactionsResult {
    const empty = (errorCode: number): ListTransactionsResult => ({
      errorCode,
      unknownStateFilters: [],
      transactionStates: [],
    });
    if (this.closed) return empty(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if ([...this.partitions.values()].some((p) => p.state === 'loading'))
      return empty(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    const known = new Set<string>(txnStates);
    const states = new Set(req.stateFilters.filter((s) => known.has(s)));
    const unknownStateFilters = req.stateFilters.filter((s) => !known.has(s));
    const producerIds = new Set(req.producerIdFilters);
    const now = this.o.clock.now();
    const transactionStates = [...this.txns.values()]
      .filter(
        (m) =>
          m.state !== 'Dead' &&
          (producerIds.size === 0 || producerIds.has(m.producerId)) &&
          (req.stateFilters.length === 0 || states.has(m.state)) &&
          (req.durationFilterMs < 0 || now - m.startTimestamp > req.durationFilterMs),
      )
      .map((m) => ({ transactionalId: m.transactionalId, producerId: m.producerId, transactionState: m.state }));
    return { errorCode: ErrorCode.NONE, unknownStateFilters, transactionStates };
  }

  /** Counts for /metrics. */
  stats(): TxnCoordinatorStats {
    let open = 0;
    for (const m of this.txns.values())
      if (m.state === 'Ongoing' || m.state === 'PrepareCommit' || m.state === 'PrepareAbort') open++;
    return { openTransactions: open, transactionalIds: this.txns.size, ...this.counts };
  }
}
