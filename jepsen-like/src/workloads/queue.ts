// The `queue` workload (Jepsen's Kafka queue, jepsen.md §1.4): one topic whose partitions are
// the keys. Polls go through `assign` (each process reads every key from its own positions) or
// `subscribe` (each process is a member of one consumer group, raftka's GroupConsumer, and
// commits before a poll completes; assignment changes seen during a poll go to its rebalanceLog). Each worker is a logical process with its own client (raftka's
// KafkaClient through the harness's client proxies, no retries: a retry could write twice):
// it sends unique increasing values to random keys (acks=all, or 1 when unsafe) and polls every
// key from its own positions. A send answered with an error that proves nothing was written
// (NOT_ENOUGH_REPLICAS, LEADER_NOT_AVAILABLE, ...) is `fail`; a timeout, a lost connection or
// any other error is `info`, and the process is retired (a fresh one, with a fresh client,
// takes its place). Polls only read, so a failed fetch leaves the positions as they were.
// finalReads(): after the faults, a fresh process reads every key from offset 0 to its high
// watermark, so every acknowledged write has had its chance to be seen.
import { KafkaClient, KafkaRequestError } from '../../../src/client/kafka-client.js';
import { ErrorCode } from '../../../src/common/errors.js';
import { buildRecordBatch, readBatchHeaders, readRecords } from '../../../src/protocol/record-batch.js';
import { parseEndpoints } from '../../../src/common/endpoint.js';
import { SeededRandom } from '../../../src/testing/seeded-random.js';
import { GroupConsumer, type TopicPartition } from '../../../src/client/group-consumer.js';
import type { HistoryWriter } from '../history.js';
import { ProcessPool } from './process-pool.js';

/**
 * Kafka errors after which a produce certainly wrote nothing. Not NOT_LEADER_OR_FOLLOWER: a
 * leader that loses its leadership while an acks=all produce waits for the ISR answers with it
 * after appending (as Kafka does), and the new leader may well have the record.
 */
const definitelyNotWritten = new Set<number>([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.NOT_ENOUGH_REPLICAS,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.INVALID_RECORD,
  ErrorCode.CORRUPT_MESSAGE,
  ErrorCode.MESSAGE_TOO_LARGE,
]);

interface QueueWorkloadOptions {
  readonly topic: string;
  readonly keys: number;
  readonly bootstrapServers: string;
  readonly concurrency: number;
  readonly acks: -1 | 1;
  readonly seed: number;
  /** Pause between one worker's operations. */
  readonly opIntervalMs: number;
  readonly requestTimeoutMs: number;
  readonly subVia: 'assign' | 'subscribe';
}

/** The consumer group of subscribe mode. */
export const queueGroupId = 'jepsen-queue-group';

interface ProcessState {
  readonly positions: number[];
  readonly consumer: GroupConsumer | null;
  /** Assignment changes since the last poll completed. */
  readonly rebalances: { keys: number[]; time: number }[];
}

export class QueueWorkload extends ProcessPool<KafkaClient, ProcessState> {
  /** Polls that completed ok so far (the runner waits for the first before it lets faults in). */
  okPolls = 0;
  private readonly rng: SeededRandom;
  private readonly nextValue: number[];

  constructor(
    private readonly o: QueueWorkloadOptions,
    private readonly history: HistoryWriter,
  ) {
    super(o.concurrency, o.opIntervalMs);
    this.rng = new SeededRandom(o.seed);
    this.nextValue = new Array<number>(o.keys).fill(0);
  }

  protected newClient(process: number): KafkaClient {
    return new KafkaClient(parseEndpoints(this.o.bootstrapServers), {
      clientId: `jepsen-${process}`,
      retries: 0,
      requestTimeoutMs: this.o.requestTimeoutMs,
    });
  }

  /** assign: every key, positions from offset 0; subscribe: a group member (joins on its first poll). */
  protected beginProcess(process: number): ProcessState {
    const keys = Array.from({ length: this.o.keys }, (_, k) => k);
    if (this.o.subVia === 'assign') {
      this.history.record({ process, type: 'invoke', f: 'assign', value: keys, seekToBeginning: true });
      this.history.record({ process, type: 'ok', f: 'assign', value: keys, seekToBeginning: true });
      return { positions: new Array<number>(this.o.keys).fill(0), consumer: null, rebalances: [] };
    }
    const rebalances: { keys: number[]; time: number }[] = [];
    const note = (parts: readonly TopicPartition[]): void => {
      rebalances.push({ keys: parts.map((p) => p.partition), time: this.history.now() });
    };
    const consumer = new GroupConsumer(parseEndpoints(this.o.bootstrapServers), {
      groupId: queueGroupId,
      topics: [this.o.topic],
      clientId: `jepsen-${process}`,
      autoCommit: false,
      autoOffsetReset: 'earliest',
      sessionTimeoutMs: 6000,
      heartbeatIntervalMs: 500,
      rebalanceTimeoutMs: 10_000,
      requestTimeoutMs: this.o.requestTimeoutMs,
      onPartitionsRevoked: note,
      onPartitionsAssigned: note,
    });
    this.history.record({ process, type: 'invoke', f: 'subscribe', value: keys });
    this.history.record({ process, type: 'ok', f: 'subscribe', value: keys });
    return { positions: [], consumer, rebalances };
  }

  protected override async endProcess(_process: number, state: ProcessState): Promise<void> {
    await state.consumer?.close().catch(() => undefined);
  }

  protected async operate(process: number, client: KafkaClient, state: ProcessState): Promise<boolean> {
    if (this.rng.chance(0.5)) return this.send(process, client);
    if (state.consumer) return this.pollGroup(process, state.consumer, state.rebalances);
    await this.poll(process, client, state.positions);
    return true;
  }

  /** A subscribe-mode poll: records of the member's partitions, committed before it completes. */
  private async pollGroup(
    process: number,
    consumer: GroupConsumer,
    rebalances: { keys: number[]; time: number }[],
  ): Promise<boolean> {
    this.history.record({ process, type: 'invoke', f: 'poll', value: [['poll']] });
    let records: Awaited<ReturnType<GroupConsumer['poll']>>;
    try {
      records = await consumer.poll(100);
    } catch (err) {
      this.history.record({
        process,
        type: 'fail',
        f: 'poll',
        value: [['poll']],
        error: errorText(err),
        rebalanceLog: rebalances.splice(0),
      });
      return false; // the member may be fenced out: a fresh process rejoins
    }
    const read: Record<string, [number, number][]> = {};
    for (const r of records)
      if (r.value) (read[String(r.partition)] ??= []).push([r.offset, Number(r.value.toString('utf8'))]);
    const commitError = await consumer.commit().then(
      () => null,
      (err: unknown) => errorText(err),
    );
    this.history.record({
      process,
      type: 'ok',
      f: 'poll',
      value: [['poll', read]],
      rebalanceLog: rebalances.splice(0),
      ...(commitError ? { error: `commit failed: ${commitError}` } : {}),
    });
    this.okPolls++;
    return true;
  }

  /** One send; false when its outcome is unknown (the process retires). */
  private async send(process: number, client: KafkaClient): Promise<boolean> {
    const key = this.rng.nextInt(this.o.keys);
    const value = this.nextValue[key]!++;
    this.history.record({ process, type: 'invoke', f: 'send', value: [['send', key, value]] });
    try {
      const batch = buildRecordBatch([
        { key: Buffer.from(String(key)), value: Buffer.from(String(value)), timestamp: Date.now() },
      ]);
      const r = await client.produce(this.o.topic, key, batch, this.o.acks);
      this.history.record({ process, type: 'ok', f: 'send', value: [['send', key, [r.baseOffset, value]]] });
      return true;
    } catch (err) {
      const definite = err instanceof KafkaRequestError && definitelyNotWritten.has(err.errorCode);
      this.history.record({
        process,
        type: definite ? 'fail' : 'info',
        f: 'send',
        value: [['send', key, value]],
        error: errorText(err),
      });
      await client.topic(this.o.topic, true).catch(() => undefined); // the leader may have moved
      return definite;
    }
  }

  private async poll(process: number, client: KafkaClient, positions: number[]): Promise<void> {
    this.history.record({ process, type: 'invoke', f: 'poll', value: [['poll']] });
    const read: Record<string, [number, number][]> = {};
    let error: unknown = null;
    for (let key = 0; key < this.o.keys; key++) {
      try {
        const records = await fetchValues(client, this.o.topic, key, positions[key]!);
        if (records.length > 0) {
          read[String(key)] = records;
          positions[key] = records[records.length - 1]![0] + 1;
        }
      } catch (err) {
        error ??= err;
        await client.topic(this.o.topic, true).catch(() => undefined);
      }
    }
    if (error !== null && Object.keys(read).length === 0)
      this.history.record({ process, type: 'fail', f: 'poll', value: [['poll']], error: errorText(error) });
    else {
      this.history.record({ process, type: 'ok', f: 'poll', value: [['poll', read]] });
      this.okPolls++;
    }
  }

  /** A fresh process reads every key from offset 0 to its high watermark (or until the deadline). */
  async finalReads(deadlineMs: number): Promise<{ readonly process: number; readonly complete: boolean }> {
    const process = this.nextProcess++;
    const client = this.openClient(process);
    const deadline = Date.now() + deadlineMs;
    const positions = new Array<number>(this.o.keys).fill(0);
    const keys = Array.from({ length: this.o.keys }, (_, k) => k);
    this.history.record({ process, type: 'invoke', f: 'assign', value: keys, seekToBeginning: true });
    this.history.record({ process, type: 'ok', f: 'assign', value: keys, seekToBeginning: true });
    const ends = new Array<number | null>(this.o.keys).fill(null);
    try {
      while (Date.now() < deadline) {
        for (let key = 0; key < this.o.keys; key++) {
          if (ends[key] === null)
            ends[key] = await client.listOffset(this.o.topic, key, -1).then(
              (r) => r.offset,
              () => null,
            );
        }
        if (ends.every((e, k) => e !== null && positions[k]! >= e)) return { process, complete: true };
        await this.poll(process, client, positions);
      }
      return { process, complete: false };
    } finally {
      this.dropClient(client);
    }
  }
}

async function fetchValues(
  client: KafkaClient,
  topic: string,
  partition: number,
  position: number,
): Promise<[number, number][]> {
  const r = await client.fetch(topic, partition, position, { maxWaitMs: 50 });
  const out: [number, number][] = [];
  for (const h of readBatchHeaders(r.records)) {
    if (h.isControl) continue;
    for (const rec of readRecords(r.records, h))
      if (rec.offset >= position && rec.value) out.push([rec.offset, Number(rec.value.toString('utf8'))]);
  }
  return out;
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
