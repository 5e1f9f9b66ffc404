// raftka's own transactional (hence idempotent) producer on KafkaClient, doing what Kafka's Java
// producer does with `transactional.id` set: FindCoordinator (key type 1) and InitProducerId with
// the transactional id and transaction.timeout.ms, then per transaction AddPartitionsToTxn before a
// partition's first batch, RecordBatch v2 batches with the producer id, epoch, per-partition
// sequence numbers and the transactional bit, AddOffsetsToTxn + TxnOffsetCommit for the offsets of
// a consume-transform-produce loop, and EndTxn. Callers: tests (the consume-transform-produce loop
// of test/integration/exactly-once-faults.test.ts), applications built on raftka's client.
//
// Error handling (Kafka's; the decisions are pure, in txn-producer-state.ts):
// - Every request is retried with a doubling backoff until its deadline (max.block.ms for
//   coordinator calls, delivery.timeout.ms for a batch): a moved coordinator is found again, a
//   moved leader is found from fresh metadata and gets the *same* batch bytes (same sequence), so
//   a batch the old leader had written is recognised as a duplicate and never written twice.
// - Fatal errors (PRODUCER_FENCED, INVALID_PRODUCER_EPOCH, TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
//   ...) end the producer: every later call throws the same KafkaRequestError (with its code).
// - Abortable errors (a batch refused, the consumer's generation gone, TRANSACTION_ABORTABLE, a
//   deadline passed) leave the transaction needing abortTransaction(); when a batch's fate is
//   unknown the abort is followed by an epoch bump (InitProducerId with the current id and
//   epoch, KIP-360), which restarts every partition's sequence at 0.
//
// Limits: one batch in flight per partition (Kafka allows five); batches to different
// partitions go out in parallel. The KafkaClient is the caller's (it closes it).
import { ErrorCode, errorName } from '../common/errors.js';
import { addOffsetsToTxnApi } from '../protocol/messages/add-offsets-to-txn.js';
import { addPartitionsToTxnApi } from '../protocol/messages/add-partitions-to-txn.js';
import { endTxnApi } from '../protocol/messages/end-txn.js';
import { initProducerIdApi } from '../protocol/messages/init-producer-id.js';
import { produceApi } from '../protocol/messages/produce.js';
import { buildRecordBatch, type RecordHeader, type RecordInput } from '../protocol/record-batch.js';
import { forgetCoordinator, txnOffsetCommit } from './group-client.js';
import type { ConsumerGroupMetadata } from './group-consumer.js';
import { KafkaRequestError, type KafkaClient } from './kafka-client.js';
import { KafkaConnectionError, type KafkaConnection } from './kafka-connection.js';
import { partitionForKey } from './partitioner.js';
import { findTransactionCoordinator } from './txn-admin.js';
import {
  classifyTxnError,
  failureEffect,
  tpKey,
  TxnProducerBook,
  type TxnProducerState,
  type TxnRequestKind,
} from './txn-producer-state.js';

export interface TransactionalProducerOptions {
  readonly transactionalId: string;
  /** transaction.timeout.ms: the coordinator aborts a transaction open longer (Kafka's default 60000). */
  readonly transactionTimeoutMs?: number;
  /** max.block.ms: how long a coordinator call (init, add, offsets, commit, abort) keeps retrying (60000). */
  readonly maxBlockMs?: number;
  /** delivery.timeout.ms: how long a batch keeps being resent to its partition's leader (120000). */
  readonly deliveryTimeoutMs?: number;
  /** retry.backoff.ms, doubled after each retry up to retry.backoff.max.ms (100 and 1000). */
  readonly retryBackoffMs?: number;
  readonly retryBackoffMaxMs?: number;
  /** Kafka codec id of the batches: 0 none (default), 1 gzip, 2 snappy, 3 lz4. */
  readonly compression?: number;
  /** Where the producer reports what it survived (retries after moved leaders and coordinators). */
  readonly log?: (message: string) => void;
}

export interface ProducerRecord {
  readonly topic: string;
  /** Without one: Kafka's murmur2 partition of the key, or round-robin per send() for unkeyed records. */
  readonly partition?: number;
  readonly key?: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: readonly RecordHeader[];
  /** CreateTime in ms; default now. */
  readonly timestamp?: number;
}

/** Where one batch of a send() landed. */
export interface SentBatch {
  readonly topic: string;
  readonly partition: number;
  /** -1 when the leader answered that the batch was a duplicate of one it already had. */
  readonly baseOffset: number;
  readonly recordCount: number;
}

/** An offset to commit in the transaction: the next offset the group reads from the partition. */
export interface TransactionOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

interface PartitionBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: RecordInput[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class TransactionalProducer {
  readonly transactionalId: string;
  private readonly transactionTimeoutMs: number;
  private readonly maxBlockMs: number;
  private readonly deliveryTimeoutMs: number;
  private readonly retryBackoffMs: number;
  private readonly retryBackoffMaxMs: number;
  private readonly compression: number;
  private readonly log: (message: string) => void;
  private readonly book = new TxnProducerBook();
  private coordinator: { readonly host: string; readonly port: number } | null = null;
  /** The last batch sent (or queued) per partition: the next one waits for it. */
  private readonly partitionTails = new Map<string, Promise<unknown>>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private nextUnkeyed = 0;

  constructor(
    private readonly client: KafkaClient,
    options: TransactionalProducerOptions,
  ) {
    if (options.transactionalId === '') throw new Error('a transactional producer needs a transactional id');
    this.transactionalId = options.transactionalId;
    this.transactionTimeoutMs = options.transactionTimeoutMs ?? 60_000;
    this.maxBlockMs = options.maxBlockMs ?? 60_000;
    this.deliveryTimeoutMs = options.deliveryTimeoutMs ?? 120_000;
    this.retryBackoffMs = options.retryBackoffMs ?? 100;
    this.retryBackoffMaxMs = options.retryBackoffMaxMs ?? 1000;
    this.compression = options.compression ?? 0;
    this.log = options.log ?? (() => {});
  }

  get state(): TxnProducerState {
    return this.book.state;
  }

  get producerId(): number {
    return this.book.producerId;
  }

  get producerEpoch(): number {
    return this.book.producerEpoch;
  }

  /**
   * Gets the producer id and epoch for the transactional id, fencing any earlier producer with it
   * (the coordinator aborts its open transaction, or waits for one that is ending). Called once;
   * again only after it timed out.
   */
  async initTransactions(): Promise<void> {
    if (this.book.state !== 'initializing') this.book.require('initTransactions', 'uninitialized');
    await this.initProducerId(false);
  }

  beginTransaction(): void {
    this.book.require('beginTransaction', 'ready');
    this.book.transitionTo('in-transaction');
  }

  /**
   * Sends records in the open transaction: one batch per partition, each partition added to the
   * transaction first when it is new to it. Resolves when every batch is acknowledged (acks=all).
   */
  async send(records: readonly ProducerRecord[]): Promise<SentBatch[]> {
    this.book.require('send', 'in-transaction');
    if (records.length === 0) return [];
    const batches = await this.groupByPartition(records);
    const fresh = batches.filter((b) => !this.book.isAdded(tpKey(b.topic, b.partition)));
    if (fresh.length > 0) await this.addPartitions(fresh);
    this.book.require('send', 'in-transaction');
    return Promise.all(batches.map((b) => this.enqueue(b)));
  }

  /**
   * Commits `offsets` for the consumer's group as part of the transaction (AddOffsetsToTxn, then
   * TxnOffsetCommit with the member's generation): they become the group's only if it commits.
   */
  async sendOffsetsToTransaction(offsets: readonly TransactionOffset[], group: ConsumerGroupMetadata): Promise<void> {
    this.book.require('sendOffsetsToTransaction', 'in-transaction');
    if (offsets.length === 0) return;
    const base = {
      transactionalId: this.transactionalId,
      producerId: this.producerId,
      producerEpoch: this.producerEpoch,
    };
    this.book.addSending();
    await this.coordinatorCall('AddOffsetsToTxn', `AddOffsetsToTxn of group '${group.groupId}'`, async (c) => {
      const r = await c.send(addOffsetsToTxnApi, { ...base, groupId: group.groupId }, this.client.requestTimeoutMs);
      return { errorCode: r.errorCode, value: undefined };
    });
    this.book.addConfirmedFor([]);
    await this.retrying(
      'TxnOffsetCommit',
      `TxnOffsetCommit of group '${group.groupId}'`,
      this.maxBlockMs,
      async () => ({ errorCode: await txnOffsetCommit(this.client, { ...base, ...group, offsets }), value: undefined }),
      () => forgetCoordinator(this.client, group.groupId),
    );
  }

  /** Waits for every batch, then commits (EndTxn). A failed batch makes it throw: abort instead. */
  async commitTransaction(): Promise<void> {
    if (this.book.state !== 'committing') {
      this.book.require('commitTransaction', 'in-transaction');
      await this.flush();
      this.book.require('commitTransaction', 'in-transaction');
      this.book.transitionTo('committing');
    }
    if (this.book.needsEndTxn) await this.endTxn(true);
    this.book.clearTransaction();
    this.book.transitionTo('ready');
  }

  /**
   * Aborts the open transaction (also after an abortable error): waits for batches in flight,
   * sends EndTxn(abort), then bumps the epoch when a batch's fate was unknown.
   */
  async abortTransaction(): Promise<void> {
    if (this.book.state !== 'aborting') {
      this.book.require('abortTransaction', 'in-transaction', 'abortable-error');
      this.book.transitionTo('aborting');
    }
    await this.flush();
    this.book.require('abortTransaction', 'aborting'); // a batch in flight may have been fenced
    if (this.book.needsEndTxn) await this.endTxn(false);
    this.book.clearTransaction();
    if (this.book.epochBumpRequired) await this.initProducerId(true);
    else this.book.transitionTo('ready');
  }

  /** Waits for the batches in flight (their errors are the transaction's, reported by commit). */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  // ---- coordinator calls --------------------------------------------------------------------------

  private async initProducerId(bump: boolean): Promise<void> {
    if (this.book.state !== 'initializing') this.book.transitionTo('initializing');
    const expected = bump
      ? { producerId: this.book.producerId, producerEpoch: this.book.producerEpoch }
      : { producerId: -1, producerEpoch: -1 };
    const r = await this.coordinatorCall('InitProducerId', 'InitProducerId', async (c) => {
      const version = c.versionFor(initProducerIdApi);
      if (bump && version < 3)
        throw new KafkaRequestError(ErrorCode.UNSUPPORTED_VERSION, 'bumping the epoch needs InitProducerId v3');
      const res = await c.send(
        initProducerIdApi,
        { transactionalId: this.transactionalId, transactionTimeoutMs: this.transactionTimeoutMs, ...expected },
        this.client.requestTimeoutMs,
        version,
      );
      return { errorCode: res.errorCode, value: res };
    });
    this.book.setProducer(r.producerId, r.producerEpoch);
    this.book.transitionTo('ready');
    this.log(`transactional id '${this.transactionalId}': producer id ${r.producerId}, epoch ${r.producerEpoch}`);
  }

  private async addPartitions(batches: readonly PartitionBatch[]): Promise<void> {
    const byTopic = new Map<string, number[]>();
    for (const b of batches) byTopic.set(b.topic, [...(byTopic.get(b.topic) ?? []), b.partition]);
    const topics = [...byTopic].map(([name, partitions]) => ({ name, partitions }));
    this.book.addSending();
    await this.coordinatorCall('AddPartitionsToTxn', 'AddPartitionsToTxn', async (c) => {
      const version = Math.min(c.versionFor(addPartitionsToTxnApi), 3); // v4+ is for brokers
      const res = await c.send(
        addPartitionsToTxnApi,
        {
          v3AndBelowTransactionalId: this.transactionalId,
          v3AndBelowProducerId: this.producerId,
          v3AndBelowProducerEpoch: this.producerEpoch,
          v3AndBelowTopics: topics,
        },
        this.client.requestTimeoutMs,
        version,
      );
      const codes = (res.resultsByTopicV3AndBelow ?? []).flatMap((t) =>
        t.resultsByPartition.map((p) => p.partitionErrorCode),
      );
      // OPERATION_NOT_ATTEMPTED marks the partitions held back by another's error: report that one.
      const failed = codes.find((x) => x !== ErrorCode.NONE && x !== ErrorCode.OPERATION_NOT_ATTEMPTED);
      return { errorCode: failed ?? codes.find((x) => x !== ErrorCode.NONE) ?? ErrorCode.NONE, value: undefined };
    });
    this.book.addConfirmedFor(batches.map((b) => tpKey(b.topic, b.partition)));
  }

  private async endTxn(committed: boolean): Promise<void> {
    const what = committed ? 'EndTxn(commit)' : 'EndTxn(abort)';
    await this.coordinatorCall('EndTxn', what, async (c) => {
      const r = await c.send(
        endTxnApi,
        {
          transactionalId: this.transactionalId,
          producerId: this.producerId,
          producerEpoch: this.producerEpoch,
          committed,
        },
        this.client.requestTimeoutMs,
      );
      // An add whose answer was lost may never have opened the transaction: nothing to abort.
      const nothingOpen = !committed && r.errorCode === ErrorCode.INVALID_TXN_STATE && !this.book.transactionConfirmed;
      return { errorCode: nothingOpen ? ErrorCode.NONE : r.errorCode, value: undefined };
    });
  }

  /** A request to the transaction coordinator, found (again) when it is not known or moved. */
  private coordinatorCall<T>(
    kind: TxnRequestKind,
    what: string,
    attempt: (c: KafkaConnection) => Promise<{ errorCode: number; value: T }>,
  ): Promise<T> {
    return this.retrying(
      kind,
      `${what} of transactional id '${this.transactionalId}'`,
      this.maxBlockMs,
      async () => {
        this.coordinator ??= await findTransactionCoordinator(this.client, this.transactionalId);
        // The coordinator's address comes with the answer; the metadata may not list it yet.
        return attempt(await this.client.dedicatedConnection(this.coordinator, 'txn-coordinator'));
      },
      () => {
        this.coordinator = null;
      },
    );
  }

  // ---- batches ------------------------------------------------------------------------------------

  private async groupByPartition(records: readonly ProducerRecord[]): Promise<PartitionBatch[]> {
    const out = new Map<string, PartitionBatch>();
    const unkeyed = this.nextUnkeyed++;
    const now = Date.now();
    for (const r of records) {
      let partition = r.partition;
      if (partition === undefined) {
        const n = (await this.client.topic(r.topic)).partitions.length;
        partition = r.key ? partitionForKey(r.key, n) : unkeyed % n;
      }
      const key = tpKey(r.topic, partition);
      let b = out.get(key);
      if (!b) out.set(key, (b = { topic: r.topic, partition, records: [] }));
      b.records.push({ key: r.key ?? null, value: r.value, headers: r.headers, timestamp: r.timestamp ?? now });
    }
    return [...out.values()];
  }

  /**
   * Builds the partition's batch now (its sequence is taken in call order) and sends it once the
   * partition's previous batch is done; a batch queued behind one that failed is not sent.
   */
  private enqueue(b: PartitionBatch): Promise<SentBatch> {
    const key = tpKey(b.topic, b.partition);
    const bytes = buildRecordBatch(b.records, {
      compression: this.compression,
      producerId: this.producerId,
      producerEpoch: this.producerEpoch,
      baseSequence: this.book.sequences.reserve(key, b.records.length),
      transactional: true,
    });
    const previous = this.partitionTails.get(key) ?? Promise.resolve();
    const sent = previous
      .catch(() => undefined)
      .then(() => {
        const state = this.book.state;
        if (state !== 'in-transaction' && state !== 'committing') {
          // Its sequence was taken but it never goes out: the abort must bump the epoch.
          const err = new KafkaRequestError(
            ErrorCode.TRANSACTION_ABORTABLE,
            `batch to ${b.topic}-${b.partition} not sent: the transaction failed (${describe(this.book.lastError)})`,
          );
          this.book.fail(err, false, true);
          throw err;
        }
        return this.produce(b.topic, b.partition, bytes);
      })
      .then((baseOffset) => ({ topic: b.topic, partition: b.partition, baseOffset, recordCount: b.records.length }));
    this.partitionTails.set(key, sent);
    this.inFlight.add(sent);
    const done = (): void => {
      this.inFlight.delete(sent);
      if (this.partitionTails.get(key) === sent) this.partitionTails.delete(key);
    };
    sent.then(done, done);
    return sent;
  }

  /** Produces one batch to the partition's leader until it is acknowledged; its base offset (-1 for a duplicate). */
  private produce(topic: string, partition: number, records: Buffer): Promise<number> {
    let refresh = false;
    return this.retrying(
      'Produce',
      `produce to ${topic}-${partition}`,
      this.deliveryTimeoutMs,
      async () => {
        const p = (await this.client.topic(topic, refresh)).partitions.find((x) => x.partition === partition);
        refresh = false;
        if (!p || p.leader < 0) return { errorCode: ErrorCode.LEADER_NOT_AVAILABLE, value: -1 };
        const c = await this.client.connectionTo(p.leader);
        const res = await c.send(
          produceApi,
          {
            transactionalId: this.transactionalId,
            acks: -1,
            timeoutMs: this.client.requestTimeoutMs,
            topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
          },
          this.client.requestTimeoutMs + 5000,
        );
        const r = res.responses[0]?.partitionResponses[0];
        if (!r)
          throw new KafkaRequestError(ErrorCode.UNKNOWN_SERVER_ERROR, `empty produce answer for ${topic}-${partition}`);
        const duplicate = r.errorCode === ErrorCode.DUPLICATE_SEQUENCE_NUMBER;
        return { errorCode: duplicate ? ErrorCode.NONE : r.errorCode, value: duplicate ? -1 : r.baseOffset };
      },
      () => {
        refresh = true;
      },
    );
  }

  // ---- retries ------------------------------------------------------------------------------------

  /**
   * Runs `attempt` until it answers NONE, retrying what classifyTxnError says is retriable (after
   * `moved()` when the coordinator or leader moved) with a doubling backoff, until `budgetMs` is
   * spent. Gives up with a KafkaRequestError carrying the code, after recording the failure's
   * effect on the producer (fatal, abortable, or none).
   */
  private async retrying<T>(
    kind: TxnRequestKind,
    what: string,
    budgetMs: number,
    attempt: () => Promise<{ errorCode: number; value: T }>,
    moved: () => void,
  ): Promise<T> {
    const deadline = Date.now() + budgetMs;
    let backoffMs = this.retryBackoffMs;
    for (let tries = 1; ; tries++) {
      let code: number;
      let detail = '';
      try {
        const r = await attempt();
        if (r.errorCode === ErrorCode.NONE) return r.value;
        code = r.errorCode;
      } catch (err) {
        if (err instanceof KafkaConnectionError) code = ErrorCode.NETWORK_EXCEPTION;
        else if (err instanceof KafkaRequestError) code = err.errorCode;
        else throw err;
        detail = `: ${describe(err)}`;
      }
      const cls = classifyTxnError(kind, code);
      const retriable = cls === 'retry' || cls === 'find-coordinator' || cls === 'refresh-metadata';
      if (retriable && Date.now() + backoffMs < deadline) {
        if (cls !== 'retry') moved();
        if (tries === 1 || tries % 10 === 0) this.log(`${what}: ${errorName(code)}${detail}; retrying`);
        await sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, this.retryBackoffMaxMs);
        continue;
      }
      const err = new KafkaRequestError(
        code,
        retriable ? `${what}: still failing after ${budgetMs} ms${detail}` : `${what}${detail}`,
      );
      const effect = failureEffect(kind, retriable ? 'timeout' : cls);
      if (effect) this.book.fail(err, effect.fatal, effect.bumpEpoch);
      throw err;
    }
  }
}
