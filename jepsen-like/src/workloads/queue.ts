// The `queue` workload (Jepsen's Kafka queue, jepsen.md §1.4, assign mode): one topic whose
// partitions are the keys. Each worker is a logical process with its own client (raftka's
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
import { parseEndpoints } from '../../../src/cli/endpoint.js';
import { SeededRandom } from '../../../src/testing/seeded-random.js';
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

export interface QueueWorkloadOptions {
  readonly topic: string;
  readonly keys: number;
  readonly bootstrapServers: string;
  readonly concurrency: number;
  readonly acks: -1 | 1;
  readonly seed: number;
  /** Pause between one worker's operations. */
  readonly opIntervalMs: number;
  readonly requestTimeoutMs: number;
}

export class QueueWorkload extends ProcessPool<KafkaClient, number[]> {
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
    return new KafkaClient(parseEndpoints(this.o.bootstrapServers), { clientId: `jepsen-${process}`, retries: 0, requestTimeoutMs: this.o.requestTimeoutMs });
  }

  /** Every key assigned, positions from offset 0. */
  protected beginProcess(process: number): number[] {
    const keys = Array.from({ length: this.o.keys }, (_, k) => k);
    this.history.record({ process, type: 'invoke', f: 'assign', value: keys, seekToBeginning: true });
    this.history.record({ process, type: 'ok', f: 'assign', value: keys, seekToBeginning: true });
    return new Array<number>(this.o.keys).fill(0);
  }

  protected async operate(process: number, client: KafkaClient, positions: number[]): Promise<boolean> {
    if (this.rng.chance(0.5)) return this.send(process, client);
    await this.poll(process, client, positions);
    return true;
  }

  /** One send; false when its outcome is unknown (the process retires). */
  private async send(process: number, client: KafkaClient): Promise<boolean> {
    const key = this.rng.nextInt(this.o.keys);
    const value = this.nextValue[key]!++;
    this.history.record({ process, type: 'invoke', f: 'send', value: [['send', key, value]] });
    try {
      const batch = buildRecordBatch([{ key: Buffer.from(String(key)), value: Buffer.from(String(value)), timestamp: Date.now() }]);
      const r = await client.produce(this.o.topic, key, batch, this.o.acks);
      this.history.record({ process, type: 'ok', f: 'send', value: [['send', key, [r.baseOffset, value]]] });
      return true;
    } catch (err) {
      const definite = err instanceof KafkaRequestError && definitelyNotWritten.has(err.errorCode);
      this.history.record({ process, type: definite ? 'fail' : 'info', f: 'send', value: [['send', key, value]], error: errorText(err) });
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
    if (error !== null && Object.keys(read).length === 0) this.history.record({ process, type: 'fail', f: 'poll', value: [['poll']], error: errorText(error) });
    else this.history.record({ process, type: 'ok', f: 'poll', value: [['poll', read]] });
  }

  /** A fresh process reads every key from offset 0 to its high watermark (or until the deadline). */
  async finalReads(deadlineMs: number): Promise<{ readonly process: number; readonly complete: boolean }> {
    const process = this.nextProcess++;
    const client = this.openClient(process);
    const deadline = Date.now() + deadlineMs;
    const positions = this.beginProcess(process);
    const ends = new Array<number | null>(this.o.keys).fill(null);
    try {
      while (Date.now() < deadline) {
        for (let key = 0; key < this.o.keys; key++) {
          if (ends[key] === null) ends[key] = await client.listOffset(this.o.topic, key, -1).then((r) => r.offset, () => null);
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

async function fetchValues(client: KafkaClient, topic: string, partition: number, position: number): Promise<[number, number][]> {
  const r = await client.fetch(topic, partition, position, { maxWaitMs: 50 });
  const out: [number, number][] = [];
  for (const h of readBatchHeaders(r.records)) {
    if (h.isControl) continue;
    for (const rec of readRecords(r.records, h)) if (rec.offset >= position && rec.value) out.push([rec.offset, Number(rec.value.toString('utf8'))]);
  }
  return out;
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
