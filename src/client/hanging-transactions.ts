// Hanging transactions (Kafka's `kafka-transactions.sh find-hanging`, KIP-664): a transaction a
// partition still holds open — it pins the partition's last stable offset, so read_committed
// consumers stop there — although its coordinator no longer expects to finish it there.
//
// The search: describe the producers of every partition in scope (a broker's replicas, a topic, or
// one partition); keep the open transactions whose producer last wrote longer ago than the largest
// transaction timeout the operator allows; map their producer ids to transactional ids with
// ListTransactions; DescribeTransactions those ids. A candidate is hanging when no transactional id
// owns its producer id, the id is not found, or the coordinator's transaction does not list the
// partition as one it is still completing.
//
// raftka serves DescribeProducers on partition leaders only, so a broker's partitions are asked of
// their leaders (the leader's producer state is the one that decides the last stable offset).
import { ErrorCode } from '../common/errors.js';
import { KafkaRequestError, type KafkaClient } from './kafka-client.js';
import {
  describeProducers,
  describeTransactions,
  listTransactions,
  type PartitionProducers,
  type ProducerState,
  type TransactionDescription,
} from './txn-admin.js';

export interface OpenTransaction {
  readonly topic: string;
  readonly partition: number;
  readonly producer: ProducerState;
}

export interface HangingSearch {
  /** Search the partitions this broker holds a replica of. */
  readonly brokerId?: number;
  /** Search this topic's partitions (only `partition` when given). */
  readonly topic?: string;
  readonly partition?: number;
  /** Kafka's --max-transaction-timeout (default 15 minutes), in ms. */
  readonly maxTransactionTimeoutMs: number;
  readonly nowMs: number;
}

/** States in which a coordinator still writes markers to the partitions it lists. */
const completingStates: ReadonlySet<string> = new Set([
  'Ongoing',
  'PrepareCommit',
  'PrepareAbort',
  'PrepareEpochFence',
]);

/** Open transactions whose producer has been silent longer than `maxTransactionTimeoutMs`. */
export function candidateOpenTransactions(
  partitions: readonly PartitionProducers[],
  maxTransactionTimeoutMs: number,
  nowMs: number,
): OpenTransaction[] {
  const out: OpenTransaction[] = [];
  for (const p of partitions)
    for (const producer of p.producers)
      if (producer.currentTransactionStartOffset >= 0 && nowMs - producer.lastTimestamp > maxTransactionTimeoutMs)
        out.push({ topic: p.topic, partition: p.partition, producer });
  return out;
}

/**
 * The candidates that are hanging, given the transactional id of each producer id ListTransactions
 * knows, and the description of each such id (null: TRANSACTIONAL_ID_NOT_FOUND).
 */
export function selectHanging(
  candidates: readonly OpenTransaction[],
  transactionalIds: ReadonlyMap<number, string>,
  descriptions: ReadonlyMap<string, TransactionDescription | null>,
): OpenTransaction[] {
  return candidates.filter((c) => {
    const id = transactionalIds.get(c.producer.producerId);
    if (id === undefined) return true;
    const d = descriptions.get(id);
    if (!d || d.producerId !== c.producer.producerId || !completingStates.has(d.state)) return true;
    return !d.topicPartitions.some((tp) => tp.topic === c.topic && tp.partition === c.partition);
  });
}

/** The partitions in scope of a search, from metadata. */
async function partitionsToSearch(
  client: KafkaClient,
  search: HangingSearch,
): Promise<{ topic: string; partition: number }[]> {
  if (search.topic !== undefined && search.partition !== undefined)
    return [{ topic: search.topic, partition: search.partition }];
  const md = await client.metadata(search.topic === undefined ? null : [search.topic]);
  const out: { topic: string; partition: number }[] = [];
  for (const t of md.topics) {
    if (t.errorCode !== ErrorCode.NONE) throw new KafkaRequestError(t.errorCode, `describe topic ${t.name}`);
    for (const p of t.partitions)
      if (search.brokerId === undefined || p.replicas.includes(search.brokerId))
        out.push({ topic: t.name, partition: p.partition });
  }
  return out;
}

/** Runs the search (see the module comment); the hanging transactions, in partition order. */
export async function findHangingTransactions(client: KafkaClient, search: HangingSearch): Promise<OpenTransaction[]> {
  if (search.brokerId === undefined && search.topic === undefined)
    throw new Error('finding hanging transactions needs a broker id or a topic to limit the search');
  const partitions = await partitionsToSearch(client, search);
  const described = await describeProducers(client, partitions);
  for (const p of described)
    if (p.errorCode !== ErrorCode.NONE)
      throw new KafkaRequestError(p.errorCode, `describe producers of ${p.topic}-${p.partition}`);
  const candidates = candidateOpenTransactions(described, search.maxTransactionTimeoutMs, search.nowMs);
  if (candidates.length === 0) return [];
  const producerIds = [...new Set(candidates.map((c) => c.producer.producerId))];
  const transactionalIds = new Map<number, string>();
  for (const l of await listTransactions(client, { producerIds }))
    if (producerIds.includes(l.producerId)) transactionalIds.set(l.producerId, l.transactionalId);
  const descriptions = new Map<string, TransactionDescription | null>();
  for (const d of await describeTransactions(client, [...new Set(transactionalIds.values())])) {
    if (d.errorCode === ErrorCode.TRANSACTIONAL_ID_NOT_FOUND) descriptions.set(d.transactionalId, null);
    else if (d.errorCode !== ErrorCode.NONE)
      throw new KafkaRequestError(d.errorCode, `describe transaction of '${d.transactionalId}'`);
    else descriptions.set(d.transactionalId, d);
  }
  return selectHanging(candidates, transactionalIds, descriptions);
}
