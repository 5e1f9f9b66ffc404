// `__consumer_offsets` partitions as the group coordinator uses them, on top of the broker's
// ReplicaManager: appends go in as the leader with acks=all semantics (the coordinator answers
// only once every ISR member has the records), and loading reads a partition's whole local log.
// OffsetsLog is the port the coordinator sees (tests give it an in-memory fake).
//
// Transactional offset commits (TxnOffsetCommit) are written as one transactional batch with the
// producer's own id and epoch, as Kafka's coordinator writes them; loading hands back which batch
// each record came from and the COMMIT/ABORT markers, so the coordinator can hold such offsets as
// pending until their marker.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { ErrorCode } from '../../common/errors.js';
import { buildRecordBatch, readBatchHeaders, readRecords } from '../../protocol/record-batch.js';
import type { ReplicaManager } from '../replica-manager.js';
import { offsetsTopicName } from './offsets-records.js';
import { parseEndTxnMarker } from '../../protocol/control-records.js';
import { ControlRecordType } from '../../protocol/txn-types.js';

export interface OffsetsRecord {
  readonly key: Buffer;
  readonly value: Buffer | null;
}

/** The producer a transactional offset commit is written for. */
export interface TxnProducer {
  readonly producerId: number;
  readonly producerEpoch: number;
}

/** How an append ended: a Kafka error code (0 on success) and the log offset of its batch (-1 on failure). */
export interface OffsetsAppend {
  readonly errorCode: number;
  readonly baseOffset: number;
}

/**
 * What loading reads, in log order: records with the base offset of their batch and, for a
 * transactional batch, its producer id; and the transaction markers (control records).
 */
export type OffsetsLogEntry =
  | {
      readonly kind: 'record';
      readonly key: Buffer | null;
      readonly value: Buffer | null;
      readonly batchOffset: number;
      /** The producer of a transactional batch; null outside transactions. */
      readonly txnProducerId: number | null;
    }
  | { readonly kind: 'marker'; readonly producerId: number; readonly commit: boolean };

/** The `__consumer_offsets` partitions as the coordinator needs them. */
export interface OffsetsLog {
  /**
   * Append as leader, as one batch (a transactional one for `producer`), and wait for the records
   * to commit. Appends land in the log in the order they are called.
   */
  append(partition: number, records: readonly OffsetsRecord[], producer?: TxnProducer): Promise<OffsetsAppend>;
  /** Every record and marker of the partition from its log start to its end, in order. */
  readAll(partition: number): AsyncIterable<OffsetsLogEntry>;
}

/** Kafka's translation of a failed `__consumer_offsets` append into what a group client sees. */
export function coordinatorAppendError(code: number, forCommit: boolean): number {
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
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return forCommit ? ErrorCode.INVALID_COMMIT_OFFSET_SIZE : ErrorCode.UNKNOWN_SERVER_ERROR;
    default:
      return forCommit ? code : ErrorCode.UNKNOWN_SERVER_ERROR;
  }
}

const neverAborted = new AbortController().signal;

export class ReplicatedOffsetsLog implements OffsetsLog {
  constructor(
    private readonly replicas: ReplicaManager,
    /** offsets.commit.timeout.ms: how long an append may wait for the ISR. */
    private readonly commitTimeoutMs: number,
    /** offsets.load.buffer.size: bytes read at a time while loading. */
    private readonly loadBufferBytes: number,
  ) {}

  async append(partition: number, records: readonly OffsetsRecord[], producer?: TxnProducer): Promise<OffsetsAppend> {
    const failed = (errorCode: number): OffsetsAppend => ({ errorCode, baseOffset: -1 });
    const p = this.replicas.get(offsetsTopicName, partition);
    if (!p?.isLeader) return failed(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    const now = Date.now();
    // A transactional commit carries the producer's id and epoch; its sequence is -1
    // (RecordBatch.NO_SEQUENCE): the coordinator, not the producer, writes it, so it takes no
    // part in the producer's sequence numbers (Kafka skips the sequence check for coordinator
    // writes and checks only the epoch).
    const batch = buildRecordBatch(
      records.map((r) => ({ key: r.key, value: r.value, timestamp: now })),
      producer
        ? {
            producerId: producer.producerId,
            producerEpoch: producer.producerEpoch,
            baseSequence: -1,
            transactional: true,
          }
        : {},
    );
    const leaderEpoch = p.leaderEpoch;
    const r = this.replicas.appendAsLeader(offsetsTopicName, partition, batch, -1);
    if (r.errorCode !== ErrorCode.NONE || !('lastOffset' in r)) return failed(r.errorCode);
    const baseOffset = r.baseOffset;
    const code = await this.replicas.waitForCommit(
      offsetsTopicName,
      partition,
      r.lastOffset,
      leaderEpoch,
      this.commitTimeoutMs,
      neverAborted,
    );
    return code === ErrorCode.NONE ? { errorCode: code, baseOffset } : failed(code);
  }

  async *readAll(partition: number): AsyncIterable<OffsetsLogEntry> {
    const p = this.replicas.get(offsetsTopicName, partition);
    if (!p) throw new Error(`${offsetsTopicName}-${partition} is not hosted here`);
    const log = p.log;
    // The leader's log is the truth: read to its end, committed or not (what is not yet committed
    // was appended by this leader, or is about to be by its followers catching up).
    const end = log.logEndOffset;
    let offset = log.logStartOffset;
    while (offset < end) {
      const r = log.read(offset, this.loadBufferBytes, end, true);
      if (!r.ok) throw new Error(`${offsetsTopicName}-${partition}: offset ${offset} is out of range while loading`);
      if (r.records.length === 0) break;
      for (const h of readBatchHeaders(r.records)) {
        for (const rec of readRecords(r.records, h)) {
          if (rec.offset < offset) continue;
          if (h.isControl) {
            const marker = parseEndTxnMarker(rec.key, rec.value);
            if (marker !== null)
              yield { kind: 'marker', producerId: h.producerId, commit: marker.type === ControlRecordType.COMMIT };
          } else {
            const txnProducerId = h.isTransactional ? h.producerId : null;
            yield { kind: 'record', key: rec.key, value: rec.value, batchOffset: h.baseOffset, txnProducerId };
          }
        }
        offset = h.baseOffset + h.lastOffsetDelta + 1;
      }
      await yieldToLoop(); // a long log does not hold up the broker's other work
    }
  }
}
