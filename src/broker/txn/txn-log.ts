// `__transaction_state` partitions as the transaction coordinator uses them, on top of the
// broker's ReplicaManager: appends go in as the leader with acks=all semantics (a state change is
// answered only once every ISR member has its record), and loading reads a partition's whole
// local log. TxnStateLog is the port the coordinator sees (tests give it an in-memory fake); the
// adapter mirrors group/offsets-log.ts's ReplicatedOffsetsLog for the other internal topic.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { ErrorCode } from '../../common/errors.js';
import { buildRecordBatch, readBatchHeaders, readRecords } from '../../protocol/record-batch.js';
import type { ReplicaManager } from '../replica-manager.js';
import { transactionStateTopicName } from './txn-records.js';

export interface TxnLogRecord {
  readonly key: Buffer;
  readonly value: Buffer | null;
}

/** The `__transaction_state` partitions as the coordinator needs them. */
export interface TxnStateLog {
  /** Append as leader and wait for the records to commit: a Kafka error code (0 on success). */
  append(partition: number, records: readonly TxnLogRecord[]): Promise<number>;
  /** Every record of the partition from its log start to its end, in order. */
  readAll(partition: number): AsyncIterable<{ readonly key: Buffer | null; readonly value: Buffer | null }>;
}

/** Kafka's translation of a failed `__transaction_state` append into what a producer sees. */
export function txnAppendError(code: number): number {
  switch (code) {
    case ErrorCode.NONE:
      return ErrorCode.NONE;
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    default:
      return ErrorCode.UNKNOWN_SERVER_ERROR;
  }
}

const neverAborted = new AbortController().signal;

export class ReplicatedTxnLog implements TxnStateLog {
  constructor(
    private readonly replicas: ReplicaManager,
    /** request.timeout.ms: how long an append may wait for the ISR (Kafka's TransactionStateManager uses it). */
    private readonly appendTimeoutMs: number,
    /** transaction.state.log.load.buffer.size: bytes read at a time while loading. */
    private readonly loadBufferBytes: number,
  ) {}

  async append(partition: number, records: readonly TxnLogRecord[]): Promise<number> {
    const p = this.replicas.get(transactionStateTopicName, partition);
    if (!p?.isLeader) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    const now = Date.now();
    const batch = buildRecordBatch(records.map((r) => ({ key: r.key, value: r.value, timestamp: now })));
    const leaderEpoch = p.leaderEpoch;
    const r = this.replicas.appendAsLeader(transactionStateTopicName, partition, batch, -1);
    if (r.errorCode !== ErrorCode.NONE || !('lastOffset' in r)) return r.errorCode;
    return this.replicas.waitForCommit(
      transactionStateTopicName,
      partition,
      r.lastOffset,
      leaderEpoch,
      this.appendTimeoutMs,
      neverAborted,
    );
  }

  async *readAll(partition: number): AsyncIterable<{ key: Buffer | null; value: Buffer | null }> {
    const p = this.replicas.get(transactionStateTopicName, partition);
    if (!p) throw new Error(`${transactionStateTopicName}-${partition} is not hosted here`);
    const log = p.log;
    // The leader's log is the truth: read to its end (what is not yet committed was appended by
    // this leader, or is about to be by its followers catching up).
    const end = log.logEndOffset;
    let offset = log.logStartOffset;
    while (offset < end) {
      const r = log.read(offset, this.loadBufferBytes, end, true);
      if (!r.ok)
        throw new Error(`${transactionStateTopicName}-${partition}: offset ${offset} is out of range while loading`);
      if (r.records.length === 0) break;
      for (const h of readBatchHeaders(r.records)) {
        if (!h.isControl) {
          for (const rec of readRecords(r.records, h))
            if (rec.offset >= offset) yield { key: rec.key, value: rec.value };
        }
        offset = h.baseOffset + h.lastOffsetDelta + 1;
      }
      await yieldToLoop(); // a long log does not hold up the broker's other work
    }
  }
}
