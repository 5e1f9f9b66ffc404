// The second half of ending a transaction (Kafka's TransactionMarkerChannelManager and its
// completion handler): once PrepareCommit/PrepareAbort is committed in `__transaction_state`,
// the COMMIT/ABORT marker is written to every partition of the transaction through its leader,
// partitions dropping out of the pending set as their markers land; then CompleteCommit /
// CompleteAbort is written. Called by the coordinator after EndTxn, after a timeout abort, and
// after loading a partition that held Prepare* states.
//
// Retries: a retriable marker error (no leader, leader moved, ISR too small, timeout) is retried
// after `markerRetryBackoffMs`, without a count limit, because giving up would leave the
// partitions' last stable offset stuck; the loop ends when every marker has landed, when the
// partition was deleted (its marker is dropped), when this broker stops coordinating the
// transaction (unloaded, or a new coordinator epoch: the next coordinator resends everything from
// the Prepare* record), or when a leader says the coordinator epoch or producer epoch is fenced.
import { ErrorCode } from '../../common/errors.js';
import type { Clock } from '../group/clock.js';
import { tpKey, type TxnMetadata, type TxnTransit } from './txn-metadata.js';
import type { TxnCoordinatorOptions } from './txn-types.js';

/** What marker completion needs of the coordinator. */
export interface MarkerContext {
  readonly o: TxnCoordinatorOptions;
  /** Whether this broker still coordinates `meta` under `coordinatorEpoch`. */
  owns(meta: TxnMetadata, coordinatorEpoch: number): boolean;
  /** Write a prepared transit and apply it once committed: a Kafka error code. */
  appendTransit(meta: TxnMetadata, coordinatorEpoch: number, transit: TxnTransit): Promise<number>;
  onCompleted(committed: boolean): void;
}

type MarkerOutcome = 'done' | 'retry' | 'fenced';

function classify(code: number): MarkerOutcome {
  switch (code) {
    case ErrorCode.NONE:
    case ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT: // no markers in old formats: nothing to do
      return 'done';
    case ErrorCode.INVALID_PRODUCER_EPOCH:
    case ErrorCode.TRANSACTION_COORDINATOR_FENCED:
      return 'fenced';
    default:
      return 'retry';
  }
}

export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.schedule(ms, resolve));
}

/** Send the markers of a Prepare* transaction and write its Complete* state (see the module comment). */
export async function completeTransaction(
  ctx: MarkerContext,
  meta: TxnMetadata,
  coordinatorEpoch: number,
): Promise<void> {
  const committed = meta.state === 'PrepareCommit';
  const prepared = meta.state;
  if (prepared !== 'PrepareCommit' && prepared !== 'PrepareAbort') return;
  const still = (): boolean => ctx.owns(meta, coordinatorEpoch) && meta.state === prepared;
  // UNSAFE, test only: transaction.unsafe.abort.as.commit makes an abort's markers COMMIT markers.
  const markerCommits = committed || ctx.o.unsafeAbortAsCommit === true;
  const sent = await sendMarkers(ctx, meta, coordinatorEpoch, markerCommits, still);
  if (!sent) return;
  for (;;) {
    if (!still()) return;
    if (!meta.pendingTransitionInProgress) {
      const code = await ctx.appendTransit(meta, coordinatorEpoch, meta.prepareComplete(ctx.o.clock.now()));
      if (code === ErrorCode.NONE) {
        ctx.onCompleted(committed);
        ctx.o.logger.debug({ transactionalId: meta.transactionalId, committed }, 'transaction completed');
        return;
      }
      if (code !== ErrorCode.COORDINATOR_NOT_AVAILABLE) {
        ctx.o.logger.warn(
          { transactionalId: meta.transactionalId, errorCode: code },
          'writing the completed transaction state failed; the next coordinator finishes it',
        );
        return;
      }
    }
    await sleep(ctx.o.clock, ctx.o.markerRetryBackoffMs);
  }
}

/** Rounds of markers until none is pending: whether the transaction may now be completed. */
async function sendMarkers(
  ctx: MarkerContext,
  meta: TxnMetadata,
  coordinatorEpoch: number,
  committed: boolean,
  still: () => boolean,
): Promise<boolean> {
  const { o } = ctx;
  for (let round = 0; ; round++) {
    if (!still()) return false;
    const partitions = [...meta.partitions.values()];
    if (partitions.length === 0) return true;
    let results: readonly { tp: { topic: string; partition: number }; errorCode: number }[];
    try {
      results = await o.markers.writeMarkers({
        producerId: meta.producerId,
        producerEpoch: meta.producerEpoch,
        coordinatorEpoch,
        committed,
        partitions,
      });
    } catch (err) {
      o.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'sending transaction markers failed');
      results = [];
    }
    if (!still()) return false;
    for (const r of results) {
      const key = tpKey(r.tp.topic, r.tp.partition);
      const outcome = classify(r.errorCode);
      if (outcome === 'fenced') {
        o.logger.warn(
          {
            transactionalId: meta.transactionalId,
            topic: r.tp.topic,
            partition: r.tp.partition,
            errorCode: r.errorCode,
          },
          'a partition leader fenced the transaction markers; a newer coordinator finishes the transaction',
        );
        return false;
      }
      if (outcome === 'done' || !o.partitionExists(r.tp.topic, r.tp.partition)) meta.partitions.delete(key);
    }
    if (meta.partitions.size === 0) return true;
    if (round % 50 === 49)
      o.logger.warn(
        { transactionalId: meta.transactionalId, pending: meta.partitions.size, rounds: round + 1 },
        'transaction markers still pending',
      );
    await sleep(o.clock, o.markerRetryBackoffMs);
  }
}
