// The `txn` workload (Jepsen's Kafka transactional workload): one topic whose partitions are the
// keys; each op is a transaction of 1–4 micro-ops, sends of unique increasing values to random
// keys and polls of every key from the process's own positions with read_committed. Called by
// the runner (jepsen-like/src/runner/run.ts) for `--workload txn`; checked by checkers/txn.ts.
//
// Each worker slot s has a transactional id (`jepsen-txn-<s>`) and a consumer group of the same
// name; a logical process of slot s owns raftka's TransactionalProducer on a client of its own,
// calls initTransactions (which fences the slot's previous producer and ends its open
// transaction, as a Kafka client restarting with the same transactional.id does) and starts
// reading from the group's committed offsets. A transaction that polled commits the positions it
// reached inside the transaction (sendOffsetsToTransaction → TxnOffsetCommit).
// Outcomes: commit acknowledged → ok (with the offsets the sends landed at and the records the
// polls read); an abort that the coordinator acknowledged (about 10 % of transactions are
// aborted on purpose, the rest after an error) → fail, and the positions go back to where the
// transaction started; any other error (a commit whose fate is unknown, a fenced producer, an
// abort that failed) → info, and the process retires (a fresh one, fresh client, takes the slot).
// finalReads(): after the faults, a fresh process reads every key from offset 0 with
// read_committed as read-only transactions, so lost commits can be seen.
import { offsetFetch } from '../../../src/client/group-client.js';
import type { ConsumerGroupMetadata } from '../../../src/client/group-consumer.js';
import { KafkaClient } from '../../../src/client/kafka-client.js';
import { deliverableRecords, type AbortedTransaction } from '../../../src/client/read-committed.js';
import { TransactionalProducer } from '../../../src/client/transactional-producer.js';
import { parseEndpoints } from '../../../src/common/endpoint.js';
import { IsolationLevel } from '../../../src/protocol/txn-types.js';
import { SeededRandom } from '../../../src/testing/seeded-random.js';
import type { HistoryWriter } from '../history.js';
import { ProcessPool } from './process-pool.js';

/** A planned micro-op: a send of a value to a key, or a poll of every key. */
export type TxnMop = readonly ['send', number, number] | readonly ['poll'];
/** A completed micro-op: where the send landed (null: answered as a duplicate), or what the poll read. */
export type TxnMopDone =
  | readonly ['send', number, readonly [number | null, number]]
  | readonly ['poll', Readonly<Record<string, readonly (readonly [number, number])[]>>];

/** Share of transactions aborted on purpose (so `fail` ops, and aborted records, are frequent). */
export const deliberateAbortShare = 0.1;

/**
 * The micro-ops of one transaction: 1–4, each a send (half the time) of the key's next value to a
 * random key, or a poll. `nextValue` (per key) is advanced for every send planned.
 */
export function planTxn(rng: SeededRandom, keys: number, nextValue: number[]): TxnMop[] {
  const n = 1 + rng.nextInt(4);
  const mops: TxnMop[] = [];
  for (let i = 0; i < n; i++) {
    if (rng.chance(0.5)) {
      const key = rng.nextInt(keys);
      mops.push(['send', key, nextValue[key]!++]);
    } else mops.push(['poll']);
  }
  return mops;
}

/**
 * What a read_committed fetch of a key at `position` delivers: [offset, value] pairs of the
 * records of committed (or non-transactional) batches, and the position after the answer.
 */
export function committedValues(
  records: Buffer,
  abortedTransactions: readonly AbortedTransaction[],
  position: number,
): { readonly read: [number, number][]; readonly next: number } {
  const d = deliverableRecords(records, abortedTransactions, position, IsolationLevel.READ_COMMITTED);
  const read: [number, number][] = [];
  for (const r of d.records) if (r.value) read.push([r.offset, Number(r.value.toString('utf8'))]);
  return { read, next: d.nextOffset };
}

/** The completed micro-ops of a committed transaction, in the order of `mops` (one result each). */
export function completeMops(
  mops: readonly TxnMop[],
  sendOffsets: readonly (number | null)[],
  polls: readonly Readonly<Record<string, readonly (readonly [number, number])[]>>[],
): TxnMopDone[] {
  let s = 0;
  let p = 0;
  return mops.map((m): TxnMopDone => {
    if (m[0] === 'send') {
      const offset = sendOffsets[s++];
      if (offset === undefined) throw new Error(`no offset for the send of ${m[2]} to key ${m[1]}`);
      return ['send', m[1], [offset, m[2]]];
    }
    const read = polls[p++];
    if (read === undefined) throw new Error('no result for a poll');
    return ['poll', read];
  });
}

interface TxnWorkloadOptions {
  readonly topic: string;
  readonly keys: number;
  readonly bootstrapServers: string;
  readonly concurrency: number;
  readonly seed: number;
  /** Pause between one worker's operations. */
  readonly opIntervalMs: number;
  readonly requestTimeoutMs: number;
  /** transaction.timeout.ms of the producers: how long a retired process's open transaction can hold the LSO. */
  readonly transactionTimeoutMs: number;
  /** How long a producer call keeps retrying (max.block.ms and delivery.timeout.ms). */
  readonly callBudgetMs: number;
}

interface ProcessState {
  readonly slot: number;
  producer: TransactionalProducer | null;
  positions: number[];
}

type Outcome = { readonly type: 'fail' | 'info'; readonly error: string };

export class TxnWorkload extends ProcessPool<KafkaClient, ProcessState> {
  /** Transactions that committed so far (the runner waits for one before it lets faults in). */
  okTxns = 0;
  private readonly rng: SeededRandom;
  private readonly nextValue: number[];
  private readonly freeSlots: number[] = [];
  private nextSlot = 0;

  constructor(
    private readonly o: TxnWorkloadOptions,
    private readonly history: HistoryWriter,
  ) {
    super(o.concurrency, o.opIntervalMs);
    this.rng = new SeededRandom(o.seed);
    this.nextValue = new Array<number>(o.keys).fill(0);
  }

  protected newClient(process: number): KafkaClient {
    return new KafkaClient(parseEndpoints(this.o.bootstrapServers), {
      clientId: `jepsen-txn-p${process}`,
      retries: 0,
      requestTimeoutMs: this.o.requestTimeoutMs,
    });
  }

  /** Takes a free slot (a transactional id and group); the producer is made by the first op. */
  protected beginProcess(): ProcessState {
    const slot = this.freeSlots.pop() ?? this.nextSlot++;
    return { slot, producer: null, positions: [] };
  }

  protected override async endProcess(_process: number, state: ProcessState): Promise<void> {
    this.freeSlots.push(state.slot);
  }

  private group(slot: number): ConsumerGroupMetadata {
    return { groupId: `jepsen-txn-${slot}`, generationId: -1, memberId: '', groupInstanceId: null };
  }

  /** initTransactions (fencing the slot's previous producer) and the group's committed positions. */
  private async openProducer(client: KafkaClient, state: ProcessState): Promise<TransactionalProducer> {
    const producer = new TransactionalProducer(client, {
      transactionalId: `jepsen-txn-${state.slot}`,
      transactionTimeoutMs: this.o.transactionTimeoutMs,
      maxBlockMs: this.o.callBudgetMs,
      deliveryTimeoutMs: this.o.callBudgetMs,
      retryBackoffMs: 50,
      retryBackoffMaxMs: 500,
    });
    await producer.initTransactions();
    const partitions = Array.from({ length: this.o.keys }, (_, k) => k);
    const committed = await offsetFetch(
      client,
      this.group(state.slot).groupId,
      [{ topic: this.o.topic, partitions }],
      true,
    );
    state.positions = partitions.map((k) => Math.max(0, committed.find((c) => c.partition === k)?.offset ?? 0));
    return producer;
  }

  protected async operate(process: number, client: KafkaClient, state: ProcessState): Promise<boolean> {
    if (!state.producer) {
      try {
        state.producer = await this.openProducer(client, state);
      } catch {
        return false; // nothing was invoked: a fresh process tries again
      }
    }
    const producer = state.producer;
    const mops = planTxn(this.rng, this.o.keys, this.nextValue);
    const abortOnPurpose = this.rng.chance(deliberateAbortShare);
    this.history.record({ process, type: 'invoke', f: 'txn', value: mops });
    const started = [...state.positions];
    let done: TxnMopDone[];
    try {
      done = await this.runMops(client, producer, state, mops);
      if (abortOnPurpose) throw new Error('aborted on purpose');
      if (mops.some((m) => m[0] === 'poll'))
        await producer.sendOffsetsToTransaction(
          state.positions.map((offset, partition) => ({ topic: this.o.topic, partition, offset })),
          this.group(state.slot),
        );
    } catch (err) {
      return this.abort(process, producer, state, mops, started, err);
    }
    try {
      await producer.commitTransaction();
    } catch (err) {
      // A batch failed before EndTxn was sent: the transaction can still be aborted for certain.
      if (producer.state === 'abortable-error') return this.abort(process, producer, state, mops, started, err);
      return this.finish(process, mops, { type: 'info', error: `commit: ${errorText(err)}` });
    }
    this.history.record({ process, type: 'ok', f: 'txn', value: done });
    this.okTxns++;
    return true;
  }

  private async runMops(
    client: KafkaClient,
    producer: TransactionalProducer,
    state: ProcessState,
    mops: readonly TxnMop[],
  ): Promise<TxnMopDone[]> {
    producer.beginTransaction();
    const offsets: (number | null)[] = [];
    const polls: Record<string, [number, number][]>[] = [];
    for (const m of mops) {
      if (m[0] === 'send') {
        const [sent] = await producer.send([
          { topic: this.o.topic, partition: m[1], key: Buffer.from(String(m[1])), value: Buffer.from(String(m[2])) },
        ]);
        offsets.push(sent && sent.baseOffset >= 0 ? sent.baseOffset : null);
      } else polls.push(await this.poll(client, state.positions));
    }
    return completeMops(mops, offsets, polls);
  }

  /** Aborts after `cause`: fail when the coordinator acknowledged the abort, info (retire) otherwise. */
  private async abort(
    process: number,
    producer: TransactionalProducer,
    state: ProcessState,
    mops: readonly TxnMop[],
    started: number[],
    cause: unknown,
  ): Promise<boolean> {
    try {
      await producer.abortTransaction();
    } catch (err) {
      return this.finish(process, mops, { type: 'info', error: `${errorText(cause)}; abort: ${errorText(err)}` });
    }
    state.positions = started; // what the aborted transaction read was not consumed
    return this.finish(process, mops, { type: 'fail', error: errorText(cause) });
  }

  private finish(process: number, mops: readonly TxnMop[], outcome: Outcome): boolean {
    this.history.record({ process, type: outcome.type, f: 'txn', value: mops, error: outcome.error });
    return outcome.type === 'fail';
  }

  /** Every key from `positions` (advanced) with read_committed; throws on the first failing key. */
  private async poll(client: KafkaClient, positions: number[]): Promise<Record<string, [number, number][]>> {
    const read: Record<string, [number, number][]> = {};
    for (let key = 0; key < this.o.keys; key++) {
      let r: Awaited<ReturnType<KafkaClient['fetch']>>;
      try {
        r = await client.fetch(this.o.topic, key, positions[key]!, {
          maxWaitMs: 50,
          isolationLevel: IsolationLevel.READ_COMMITTED,
        });
      } catch (err) {
        await client.topic(this.o.topic, true).catch(() => undefined); // the leader may have moved
        throw err;
      }
      const got = committedValues(r.records, r.abortedTransactions, positions[key]!);
      if (got.read.length > 0) read[String(key)] = got.read;
      positions[key] = got.next;
    }
    return read;
  }

  /**
   * A fresh process reads every key from offset 0 with read_committed, as read-only transactions
   * (f = txn, one poll each), until it reaches every key's high watermark as it was when the
   * reads began (open transactions end by then: committed, aborted, or timed out) or the deadline.
   */
  async finalReads(deadlineMs: number): Promise<{ readonly process: number; readonly complete: boolean }> {
    const process = this.nextProcess++;
    const client = this.openClient(process);
    const deadline = Date.now() + deadlineMs;
    const positions = new Array<number>(this.o.keys).fill(0);
    const ends = new Array<number | null>(this.o.keys).fill(null);
    try {
      while (Date.now() < deadline) {
        for (let key = 0; key < this.o.keys; key++)
          ends[key] ??= await client.listOffset(this.o.topic, key, -1).then(
            (r) => r.offset,
            () => null,
          );
        if (ends.every((e, k) => e !== null && positions[k]! >= e)) return { process, complete: true };
        this.history.record({ process, type: 'invoke', f: 'txn', value: [['poll']] });
        try {
          const read = await this.poll(client, positions);
          this.history.record({ process, type: 'ok', f: 'txn', value: [['poll', read]] });
        } catch (err) {
          this.history.record({ process, type: 'fail', f: 'txn', value: [['poll']], error: errorText(err) });
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      return { process, complete: false };
    } finally {
      this.dropClient(client);
    }
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
