// Transaction administration with raftka's own client, as functions over a KafkaClient (like
// group-client.ts does for groups): finding a transactional id's coordinator (FindCoordinator key
// type 1), DescribeTransactions to each id's coordinator, ListTransactions to every broker (as
// Kafka's admin does: each broker lists what its coordinators own), DescribeProducers to each
// partition's leader, and aborting a transaction with WriteTxnMarkers to the partition's leader.
// Callers: `raftka transactions` (src/cli/transactions-command.ts), hanging-transactions.ts, tests;
// TransactionalProducer (src/client/transactional-producer.ts) uses the coordinator lookup.
//
// Rules: requests that can find the wrong broker (a coordinator or leader that moved, a coordinator
// still loading) are retried a bounded number of times after a fresh lookup; any other non-zero
// code is returned per item (describe, list) or thrown as a KafkaRequestError (abort).
import { ErrorCode } from '../common/errors.js';
import { describeProducersApi } from '../protocol/messages/describe-producers.js';
import { describeTransactionsApi } from '../protocol/messages/describe-transactions.js';
import { findCoordinatorApi } from '../protocol/messages/find-coordinator.js';
import { listTransactionsApi } from '../protocol/messages/list-transactions.js';
import { writeTxnMarkersApi } from '../protocol/messages/write-txn-markers.js';
import { CoordinatorKeyType } from '../protocol/txn-types.js';
import { KafkaRequestError, retriable, type KafkaClient } from './kafka-client.js';
import { KafkaConnectionError } from './kafka-connection.js';

/** Lookups and resends after a moved coordinator or leader, or one still loading. */
const attemptsMax = 30;
/** Pause between those attempts: 30 × 200 ms gives a new cluster about six seconds. */
const retryBackoffMs = 200;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface CoordinatorNode {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
}

function coordinatorMovedOrLoading(code: number): boolean {
  return (
    code === ErrorCode.NOT_COORDINATOR ||
    code === ErrorCode.COORDINATOR_NOT_AVAILABLE ||
    code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS
  );
}

/**
 * The transaction coordinator of `transactionalId`, asked of any broker. COORDINATOR_NOT_AVAILABLE
 * (the first use creates __transaction_state) and COORDINATOR_LOAD_IN_PROGRESS are retried.
 */
export async function findTransactionCoordinator(
  client: KafkaClient,
  transactionalId: string,
): Promise<CoordinatorNode> {
  for (let attempt = 1; ; attempt++) {
    let code: number = ErrorCode.COORDINATOR_NOT_AVAILABLE;
    let message = `FindCoordinator for transactional id '${transactionalId}'`;
    try {
      const c = await client.anyConnection();
      const version = c.versionFor(findCoordinatorApi);
      const keyType = CoordinatorKeyType.TRANSACTION;
      const res = await c.send(
        findCoordinatorApi,
        version >= 4 ? { keyType, coordinatorKeys: [transactionalId] } : { key: transactionalId, keyType },
        client.requestTimeoutMs,
        version,
      );
      const answer = version >= 4 ? res.coordinators.find((x) => x.key === transactionalId) : res;
      if (answer) {
        code = answer.errorCode;
        message = answer.errorMessage || message;
        if (code === ErrorCode.NONE) return { nodeId: answer.nodeId, host: answer.host, port: answer.port };
      }
    } catch (err) {
      if (!(err instanceof KafkaConnectionError) || attempt >= attemptsMax) throw err;
    }
    if (!coordinatorMovedOrLoading(code)) throw new KafkaRequestError(code, message);
    if (attempt >= attemptsMax) throw new KafkaRequestError(code, `${message} (after ${attempt} attempts)`);
    await sleep(retryBackoffMs);
  }
}

export interface TransactionDescription {
  readonly coordinatorId: number;
  readonly transactionalId: string;
  /** NONE, or why this id could not be described (TRANSACTIONAL_ID_NOT_FOUND, ...). */
  readonly errorCode: number;
  readonly state: string;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly transactionTimeoutMs: number;
  /** -1 when no transaction is open. */
  readonly transactionStartTimeMs: number;
  readonly topicPartitions: readonly { topic: string; partition: number }[];
}

/** DescribeTransactions of one id, sent to its coordinator (re-found when it moved). */
async function describeOne(client: KafkaClient, transactionalId: string): Promise<TransactionDescription> {
  for (let attempt = 1; ; attempt++) {
    const coordinator = await findTransactionCoordinator(client, transactionalId);
    let code: number;
    try {
      // The coordinator's address comes with the answer; the metadata may not list it yet.
      const conn = await client.dedicatedConnection(
        { host: coordinator.host, port: coordinator.port },
        'txn-coordinator',
      );
      const res = await conn.send(
        describeTransactionsApi,
        { transactionalIds: [transactionalId] },
        client.requestTimeoutMs,
      );
      const s = res.transactionStates.find((x) => x.transactionalId === transactionalId) ?? res.transactionStates[0];
      if (!s) throw new KafkaRequestError(ErrorCode.UNKNOWN_SERVER_ERROR, 'empty DescribeTransactions answer');
      code = s.errorCode;
      if (!coordinatorMovedOrLoading(code) || attempt >= attemptsMax)
        return {
          coordinatorId: coordinator.nodeId,
          transactionalId,
          errorCode: s.errorCode,
          state: s.transactionState,
          producerId: s.producerId,
          producerEpoch: s.producerEpoch,
          transactionTimeoutMs: s.transactionTimeoutMs,
          transactionStartTimeMs: s.transactionStartTimeMs,
          topicPartitions: s.topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition }))),
        };
    } catch (err) {
      if (!(err instanceof KafkaConnectionError) || attempt >= attemptsMax) throw err;
    }
    await sleep(retryBackoffMs);
  }
}

/** DescribeTransactions of each id at its own coordinator; one description per id, in order. */
export async function describeTransactions(
  client: KafkaClient,
  transactionalIds: readonly string[],
): Promise<TransactionDescription[]> {
  return Promise.all([...new Set(transactionalIds)].map((id) => describeOne(client, id)));
}

export interface TransactionListing {
  readonly transactionalId: string;
  /** The broker whose coordinator answered (Kafka's "Coordinator" column). */
  readonly coordinatorId: number;
  readonly producerId: number;
  readonly state: string;
}

export interface ListTransactionsFilters {
  /** State names (Ongoing, PrepareCommit, ...); empty = all. */
  readonly states?: readonly string[];
  readonly producerIds?: readonly number[];
  /** Only transactions running longer than this (KIP-994); -1 = all. */
  readonly durationMs?: number;
  /** A regular expression the whole id must match (KIP-1152); null = all. */
  readonly transactionalIdPattern?: string | null;
}

/** ListTransactions of one broker, retrying while its coordinators load. */
async function listOnBroker(
  client: KafkaClient,
  brokerId: number,
  filters: ListTransactionsFilters,
): Promise<TransactionListing[]> {
  for (let attempt = 1; ; attempt++) {
    const c = await client.connectionTo(brokerId);
    const version = c.versionFor(listTransactionsApi);
    const pattern = filters.transactionalIdPattern ?? null;
    if (pattern !== null && version < 2)
      throw new KafkaRequestError(ErrorCode.UNSUPPORTED_VERSION, `broker ${brokerId} cannot filter ids by pattern`);
    const res = await c.send(
      listTransactionsApi,
      {
        stateFilters: [...(filters.states ?? [])],
        producerIdFilters: [...(filters.producerIds ?? [])],
        durationFilter: filters.durationMs ?? -1,
        transactionalIdPattern: pattern,
      },
      client.requestTimeoutMs,
      version,
    );
    if (res.errorCode === ErrorCode.NONE)
      return res.transactionStates.map((t) => ({
        transactionalId: t.transactionalId,
        coordinatorId: brokerId,
        producerId: t.producerId,
        state: t.transactionState,
      }));
    if (res.errorCode !== ErrorCode.COORDINATOR_LOAD_IN_PROGRESS || attempt >= attemptsMax)
      throw new KafkaRequestError(res.errorCode, `ListTransactions on broker ${brokerId}`);
    await sleep(retryBackoffMs);
  }
}

/** ListTransactions asked of every broker in the metadata; the listings of all, by broker id then id. */
export async function listTransactions(
  client: KafkaClient,
  filters: ListTransactionsFilters = {},
): Promise<TransactionListing[]> {
  const md = await client.metadata([]);
  const brokerIds = md.brokers.map((b) => b.nodeId).sort((a, b) => a - b);
  const perBroker = await Promise.all(brokerIds.map((id) => listOnBroker(client, id, filters)));
  return perBroker
    .flat()
    .sort((a, b) => a.coordinatorId - b.coordinatorId || a.transactionalId.localeCompare(b.transactionalId));
}

export interface ProducerState {
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly lastSequence: number;
  readonly lastTimestamp: number;
  /** Of the last marker written for this producer; -1 when none was. */
  readonly coordinatorEpoch: number;
  /** The first offset of the producer's open transaction; -1 when none is open. */
  readonly currentTransactionStartOffset: number;
}

export interface PartitionProducers {
  readonly topic: string;
  readonly partition: number;
  readonly errorCode: number;
  readonly producers: readonly ProducerState[];
}

/** Topic-partitions grouped by topic, as Kafka's requests list them. */
function byTopic(partitions: readonly { topic: string; partition: number }[]): { name: string; indexes: number[] }[] {
  const m = new Map<string, number[]>();
  for (const p of partitions) m.set(p.topic, [...(m.get(p.topic) ?? []), p.partition]);
  return [...m].map(([name, indexes]) => ({ name, indexes }));
}

/** The leader of each partition, from fresh metadata when `refresh`; partitions without one map to -1. */
async function leadersOf(
  client: KafkaClient,
  partitions: readonly { topic: string; partition: number }[],
  refresh: boolean,
): Promise<Map<number, { topic: string; partition: number }[]>> {
  const out = new Map<number, { topic: string; partition: number }[]>();
  for (const tp of partitions) {
    let leader = -1;
    try {
      const t = await client.topic(tp.topic, refresh);
      leader = t.partitions.find((x) => x.partition === tp.partition)?.leader ?? -1;
    } catch (err) {
      if (!(err instanceof KafkaRequestError)) throw err;
    }
    out.set(leader, [...(out.get(leader) ?? []), tp]);
  }
  return out;
}

/**
 * DescribeProducers of `partitions`, one request per leader. Partitions whose leader moved (or is
 * not known yet) are asked again after fresh metadata, a bounded number of times; their last code
 * is reported when they never find a leader.
 */
export async function describeProducers(
  client: KafkaClient,
  partitions: readonly { topic: string; partition: number }[],
): Promise<PartitionProducers[]> {
  const done = new Map<string, PartitionProducers>();
  let todo = [...partitions];
  for (let attempt = 1; todo.length > 0; attempt++) {
    const last = attempt >= attemptsMax;
    const again: { topic: string; partition: number }[] = [];
    for (const [leader, tps] of await leadersOf(client, todo, attempt > 1)) {
      if (leader < 0) {
        if (last)
          for (const tp of tps)
            done.set(`${tp.topic}\0${tp.partition}`, {
              ...tp,
              errorCode: ErrorCode.LEADER_NOT_AVAILABLE,
              producers: [],
            });
        else again.push(...tps);
        continue;
      }
      const c = await client.connectionTo(leader);
      const res = await c.send(
        describeProducersApi,
        { topics: byTopic(tps).map((t) => ({ name: t.name, partitionIndexes: t.indexes })) },
        client.requestTimeoutMs,
      );
      for (const t of res.topics)
        for (const p of t.partitions) {
          const tp = { topic: t.name, partition: p.partitionIndex };
          if (retriable.has(p.errorCode) && !last) {
            again.push(tp);
            continue;
          }
          done.set(`${tp.topic}\0${tp.partition}`, {
            ...tp,
            errorCode: p.errorCode,
            producers: p.activeProducers.map((a) => ({
              producerId: a.producerId,
              producerEpoch: a.producerEpoch,
              lastSequence: a.lastSequence,
              lastTimestamp: a.lastTimestamp,
              coordinatorEpoch: a.coordinatorEpoch,
              currentTransactionStartOffset: a.currentTxnStartOffset,
            })),
          });
        }
    }
    todo = again;
    if (todo.length > 0) await sleep(retryBackoffMs);
  }
  return partitions.flatMap((tp) => done.get(`${tp.topic}\0${tp.partition}`) ?? []);
}

/** What identifies a transaction to abort on one partition (Kafka's AbortTransactionSpec). */
export interface AbortTransactionSpec {
  readonly topic: string;
  readonly partition: number;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly coordinatorEpoch: number;
}

/**
 * Writes an ABORT marker for the spec's producer on its partition (WriteTxnMarkers to the leader),
 * as `kafka-transactions.sh abort` does for a hanging transaction. A coordinator epoch below 0 (a
 * producer that never had a marker) is sent as 0, which no leader epoch is below. Throws a
 * KafkaRequestError with the partition's code when the leader refuses.
 */
export async function abortTransaction(client: KafkaClient, spec: AbortTransactionSpec): Promise<void> {
  const tp = `${spec.topic}-${spec.partition}`;
  for (let attempt = 1; ; attempt++) {
    const leaders = await leadersOf(client, [spec], attempt > 1);
    const leader = [...leaders.keys()][0] ?? -1;
    let code: number = ErrorCode.LEADER_NOT_AVAILABLE;
    if (leader >= 0) {
      const c = await client.connectionTo(leader);
      const res = await c.send(
        writeTxnMarkersApi,
        {
          markers: [
            {
              producerId: spec.producerId,
              producerEpoch: spec.producerEpoch,
              transactionResult: false,
              topics: [{ name: spec.topic, partitionIndexes: [spec.partition] }],
              coordinatorEpoch: Math.max(0, spec.coordinatorEpoch),
            },
          ],
        },
        client.requestTimeoutMs + 30_000,
      );
      const p = res.markers[0]?.topics
        .find((t) => t.name === spec.topic)
        ?.partitions.find((x) => x.partitionIndex === spec.partition);
      if (!p) throw new KafkaRequestError(ErrorCode.UNKNOWN_SERVER_ERROR, `WriteTxnMarkers answered nothing for ${tp}`);
      if (p.errorCode === ErrorCode.NONE) return;
      code = p.errorCode;
    }
    if (!retriable.has(code) || attempt >= attemptsMax)
      throw new KafkaRequestError(code, `abort of producer ${spec.producerId} on ${tp}`);
    await sleep(retryBackoffMs);
  }
}

/**
 * The abort spec of the transaction that starts at `startOffset` on the partition, from the leader's
 * producer states (Kafka's `abort --start-offset`); null when no open transaction starts there.
 */
export async function abortSpecAt(
  client: KafkaClient,
  topic: string,
  partition: number,
  startOffset: number,
): Promise<AbortTransactionSpec | null> {
  const [r] = await describeProducers(client, [{ topic, partition }]);
  if (!r)
    throw new KafkaRequestError(
      ErrorCode.UNKNOWN_SERVER_ERROR,
      `no DescribeProducers answer for ${topic}-${partition}`,
    );
  if (r.errorCode !== ErrorCode.NONE)
    throw new KafkaRequestError(r.errorCode, `describe producers of ${topic}-${partition}`);
  const p = r.producers.find((x) => x.currentTransactionStartOffset === startOffset);
  if (!p) return null;
  return {
    topic,
    partition,
    producerId: p.producerId,
    producerEpoch: p.producerEpoch,
    coordinatorEpoch: p.coordinatorEpoch,
  };
}
