// An in-memory `__consumer_offsets` for the group coordinator's tests: batches get log offsets as
// a partition's log would give them, transactional batches keep their producer, and tests can
// write transaction markers and fail or delay appends and loads.
import { ErrorCode } from '../../src/common/errors.js';
import type {
  OffsetsAppend,
  OffsetsLog,
  OffsetsLogEntry,
  OffsetsRecord,
  TxnProducer,
} from '../../src/broker/group/offsets-log.js';
import type { ConsumerProtocolOptions } from '../../src/broker/group/coordinator-types.js';
import type { AssignableTopic } from '../../src/broker/group/assignors.js';

type Stored =
  | { kind: 'batch'; baseOffset: number; records: readonly OffsetsRecord[]; producer: TxnProducer | null }
  | { kind: 'marker'; offset: number; producerId: number; commit: boolean };

export class MemoryOffsetsLog implements OffsetsLog {
  private readonly log = new Map<number, Stored[]>();
  private readonly ends = new Map<number, number>();
  failWith: number = ErrorCode.NONE;
  /** While set, readAll waits for it (a slow load). */
  loadGate: Promise<void> | null = null;
  /** While set, an append waits for it after it is in the log (a slow ISR). */
  commitGate: Promise<void> | null = null;
  /** While set, an append waits for the promise it returns for the append's base offset (appends acknowledged out of order). */
  commitGateFor: ((baseOffset: number) => Promise<void>) | null = null;

  async append(partition: number, records: readonly OffsetsRecord[], producer?: TxnProducer): Promise<OffsetsAppend> {
    if (this.failWith !== ErrorCode.NONE) return { errorCode: this.failWith, baseOffset: -1 };
    const baseOffset = this.ends.get(partition) ?? 0;
    this.push(
      partition,
      { kind: 'batch', baseOffset, records: [...records], producer: producer ?? null },
      records.length,
    );
    if (this.commitGate) await this.commitGate;
    if (this.commitGateFor) await this.commitGateFor(baseOffset);
    return { errorCode: ErrorCode.NONE, baseOffset };
  }

  /** A COMMIT or ABORT marker as the partition leader writes it for the transaction coordinator. */
  appendMarker(partition: number, producerId: number, commit: boolean): void {
    this.push(partition, { kind: 'marker', offset: this.ends.get(partition) ?? 0, producerId, commit }, 1);
  }

  /** The data records of a partition, in order. */
  recordsOf(partition: number): OffsetsRecord[] {
    return (this.log.get(partition) ?? []).flatMap((s) => (s.kind === 'batch' ? s.records : []));
  }

  /** The transactional batches' producers, in order. */
  txnBatchesOf(partition: number): { producer: TxnProducer; records: readonly OffsetsRecord[] }[] {
    return (this.log.get(partition) ?? []).flatMap((s) =>
      s.kind === 'batch' && s.producer !== null ? [{ producer: s.producer, records: s.records }] : [],
    );
  }

  async *readAll(partition: number): AsyncIterable<OffsetsLogEntry> {
    if (this.loadGate) await this.loadGate;
    for (const s of [...(this.log.get(partition) ?? [])]) {
      if (s.kind === 'marker') {
        yield { kind: 'marker', producerId: s.producerId, commit: s.commit };
        continue;
      }
      const txnProducerId = s.producer?.producerId ?? null;
      for (const r of s.records)
        yield { kind: 'record', key: r.key, value: r.value, batchOffset: s.baseOffset, txnProducerId };
    }
  }

  private push(partition: number, s: Stored, count: number): void {
    const list = this.log.get(partition) ?? [];
    list.push(s);
    this.log.set(partition, list);
    this.ends.set(partition, (this.ends.get(partition) ?? 0) + count);
  }
}

/** The consumer protocol's options for coordinator tests: topics as given (name → id, partitions). */
export function testConsumerOptions(
  topics: readonly AssignableTopic[] = [],
  overrides: Partial<ConsumerProtocolOptions> = {},
): ConsumerProtocolOptions {
  const catalog = {
    byName: new Map(topics.map((t) => [t.name, t])),
    byId: new Map(topics.map((t) => [t.id, t])),
  };
  return {
    heartbeatIntervalMs: 5000,
    sessionTimeoutMs: 45_000,
    assignors: ['uniform', 'range'],
    maxSize: 1000,
    topics: () => catalog,
    ...overrides,
  };
}
