// `__consumer_offsets` partitions as the group coordinator uses them, on top of the broker's
// ReplicaManager: appends go in as the leader with acks=all semantics (the coordinator answers
// only once every ISR member has the records), and loading reads a partition's whole local log.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { ErrorCode } from '../../common/errors.js';
import { buildRecordBatch, readBatchHeaders, readRecords } from '../../protocol/record-batch.js';
import type { ReplicaManager } from '../replica-manager.js';
import type { OffsetsLog, OffsetsRecord } from './group-coordinator.js';
import { offsetsTopicName } from './offsets-records.js';

const neverAborted = new AbortController().signal;

export class ReplicatedOffsetsLog implements OffsetsLog {
  constructor(
    private readonly replicas: ReplicaManager,
    /** offsets.commit.timeout.ms: how long an append may wait for the ISR. */
    private readonly commitTimeoutMs: number,
    /** offsets.load.buffer.size: bytes read at a time while loading. */
    private readonly loadBufferBytes: number,
  ) {}

  async append(partition: number, records: readonly OffsetsRecord[]): Promise<number> {
    const p = this.replicas.get(offsetsTopicName, partition);
    if (!p || !p.isLeader) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    const now = Date.now();
    const batch = buildRecordBatch(records.map((r) => ({ key: r.key, value: r.value, timestamp: now })));
    const leaderEpoch = p.leaderEpoch;
    const r = this.replicas.appendAsLeader(offsetsTopicName, partition, batch, -1);
    if (r.errorCode !== ErrorCode.NONE || !('lastOffset' in r)) return r.errorCode;
    return this.replicas.waitForCommit(offsetsTopicName, partition, r.lastOffset, leaderEpoch, this.commitTimeoutMs, neverAborted);
  }

  async *readAll(partition: number): AsyncIterable<{ key: Buffer | null; value: Buffer | null }> {
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
        if (!h.isControl) {
          for (const rec of readRecords(r.records, h)) if (rec.offset >= offset) yield { key: rec.key, value: rec.value };
        }
        offset = h.baseOffset + h.lastOffsetDelta + 1;
      }
      await yieldToLoop(); // a long log does not hold up the broker's other work
    }
  }
}
