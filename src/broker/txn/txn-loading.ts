// Loading on leadership: when this broker becomes the leader of a `__transaction_state`
// partition, the coordinator replays the partition's whole log into memory before serving its
// transactional ids (Kafka's TransactionStateManager.loadTransactionsForTxnTopicPartition). The
// last record per key wins; a null value is a tombstone (the id expired). Called by
// TransactionCoordinator.load only.
import type { TxnStateLog } from './txn-log.js';
import { decodeTxnKey, decodeTxnValue, type TxnLogEntry } from './txn-records.js';

export interface TxnPartitionReplay {
  /** The live transactional ids of the partition and their last written state. */
  readonly entries: ReadonlyMap<string, TxnLogEntry>;
  readonly records: number;
}

/**
 * Reads a partition's log from its start. Null when `stillLoading` turns false meanwhile (the
 * partition was unloaded); throws what reading or decoding the records throws.
 */
export async function replayTxnPartition(
  log: TxnStateLog,
  partition: number,
  stillLoading: () => boolean,
): Promise<TxnPartitionReplay | null> {
  const entries = new Map<string, TxnLogEntry>();
  let records = 0;
  for await (const r of log.readAll(partition)) {
    if (!stillLoading()) return null;
    if (r.key === null) continue;
    records++;
    const id = decodeTxnKey(r.key);
    if (r.value === null) entries.delete(id);
    else {
      const e = decodeTxnValue(r.value);
      // Dead and PrepareEpochFence are never written (a tombstone and PrepareAbort stand for
      // them); a log from elsewhere that holds them is read as the id being gone / aborting.
      if (e.state === 'Dead') entries.delete(id);
      else entries.set(id, e.state === 'PrepareEpochFence' ? { ...e, state: 'PrepareAbort' } : e);
    }
  }
  return { entries, records };
}
