// Cluster-level admin calls of raftka's own client over the Kafka protocol, as Kafka's Admin makes
// them: SCRAM credentials (DescribeUserScramCredentials / AlterUserScramCredentials, the password
// salted here so no broker sees it), leader elections (ElectLeaders), feature levels (ApiVersions
// for the description, UpdateFeatures for changes) and paged topic descriptions
// (DescribeTopicPartitions). Any broker answers; it forwards writes to the active controller.
// Callers: `raftka configs --entity-type users`, `raftka leader-election`, `raftka features`,
// `raftka topics --describe` (src/cli/) and tests.
import { ErrorCode } from '../common/errors.js';
import { apiVersionsApi } from '../protocol/messages/api-versions.js';
import {
  describeTopicPartitionsApi,
  type DescribeTopicPartitionsResponse,
} from '../protocol/messages/describe-topic-partitions.js';
import { electLeadersApi } from '../protocol/messages/elect-leaders.js';
import {
  alterUserScramCredentialsApi,
  describeUserScramCredentialsApi,
} from '../protocol/messages/scram-credentials.js';
import { updateFeaturesApi } from '../protocol/messages/update-features.js';
import type { ScramDeletion, ScramUpsertion } from '../security/scram.js';
import { KafkaRequestError, type KafkaClient, type PartitionInfo, type TopicInfo } from './kafka-client.js';

export interface UserScramDescription {
  readonly user: string;
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly credentials: readonly { mechanism: number; iterations: number }[];
}

/** `users` null: every user with a credential. */
export async function describeUserScramCredentials(
  client: KafkaClient,
  users: readonly string[] | null,
): Promise<UserScramDescription[]> {
  const c = await client.anyConnection();
  const res = await c.send(
    describeUserScramCredentialsApi,
    { users: users === null ? null : users.map((name) => ({ name })) },
    client.requestTimeoutMs,
  );
  if (res.errorCode !== ErrorCode.NONE)
    throw new KafkaRequestError(res.errorCode, res.errorMessage ?? 'DescribeUserScramCredentials');
  return res.results.map((r) => ({
    user: r.user,
    errorCode: r.errorCode,
    errorMessage: r.errorMessage,
    credentials: r.credentialInfos.map((i) => ({ mechanism: i.mechanism, iterations: i.iterations })),
  }));
}

/** One result per user named; the upsertions carry salted passwords (config-assignments.ts). */
export async function alterUserScramCredentials(
  client: KafkaClient,
  deletions: readonly ScramDeletion[],
  upsertions: readonly ScramUpsertion[],
): Promise<{ user: string; errorCode: number; errorMessage: string | null }[]> {
  const c = await client.anyConnection();
  const res = await c.send(
    alterUserScramCredentialsApi,
    {
      deletions: deletions.map((d) => ({ name: d.name, mechanism: d.mechanism })),
      upsertions: upsertions.map((u) => ({
        name: u.name,
        mechanism: u.mechanism,
        iterations: u.iterations,
        salt: Buffer.from(u.salt),
        saltedPassword: Buffer.from(u.saltedPassword),
      })),
    },
    client.requestTimeoutMs,
  );
  return res.results.map((r) => ({ user: r.user, errorCode: r.errorCode, errorMessage: r.errorMessage }));
}

export interface ElectionOutcome {
  readonly topic: string;
  readonly partition: number;
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

/** `partitions` null: every partition (the answer then lists only partitions an election was tried on). */
export async function electLeaders(
  client: KafkaClient,
  electionType: number,
  partitions: readonly { topic: string; partition: number }[] | null,
): Promise<ElectionOutcome[]> {
  const c = await client.anyConnection();
  const topicPartitions =
    partitions === null
      ? null
      : [...new Set(partitions.map((p) => p.topic))].map((topic) => ({
          topic,
          partitions: partitions.filter((p) => p.topic === topic).map((p) => p.partition),
        }));
  const res = await c.send(
    electLeadersApi,
    { electionType, topicPartitions, timeoutMs: client.requestTimeoutMs },
    client.requestTimeoutMs + 5000,
  );
  if (res.errorCode !== ErrorCode.NONE) throw new KafkaRequestError(res.errorCode, 'ElectLeaders');
  return res.replicaElectionResults.flatMap((t) =>
    t.partitionResult.map((p) => ({
      topic: t.topic,
      partition: p.partitionId,
      errorCode: p.errorCode,
      errorMessage: p.errorMessage,
    })),
  );
}

export interface FeatureDescription {
  readonly feature: string;
  readonly supportedMinVersion: number;
  readonly supportedMaxVersion: number;
  readonly finalizedVersionLevel: number;
}

/** Supported and finalized feature levels, from a broker's ApiVersions answer (Kafka's describeFeatures). */
export async function describeFeatures(client: KafkaClient): Promise<FeatureDescription[]> {
  const c = await client.anyConnection();
  const res = await c.send(
    apiVersionsApi,
    { clientSoftwareName: 'raftka', clientSoftwareVersion: '0.1.0' },
    client.requestTimeoutMs,
    3,
  );
  if (res.errorCode !== ErrorCode.NONE) throw new KafkaRequestError(res.errorCode, 'ApiVersions');
  const finalized = new Map(res.finalizedFeatures.map((f) => [f.name, f.maxVersionLevel]));
  return res.supportedFeatures
    .map((f) => ({
      feature: f.name,
      supportedMinVersion: f.minVersion,
      supportedMaxVersion: f.maxVersion,
      finalizedVersionLevel: finalized.get(f.name) ?? 0,
    }))
    .sort((a, b) => a.feature.localeCompare(b.feature));
}

/** UpdateFeatures: all or nothing; a refusal is thrown with Kafka's error code. */
export async function updateFeatures(
  client: KafkaClient,
  updates: readonly { feature: string; maxVersionLevel: number; upgradeType: number }[],
  validateOnly: boolean,
): Promise<void> {
  const c = await client.anyConnection();
  const res = await c.send(
    updateFeaturesApi,
    {
      timeoutMs: client.requestTimeoutMs,
      featureUpdates: updates.map((u) => ({
        feature: u.feature,
        maxVersionLevel: u.maxVersionLevel,
        upgradeType: u.upgradeType,
      })),
      validateOnly,
    },
    client.requestTimeoutMs + 5000,
  );
  if (res.errorCode !== ErrorCode.NONE)
    throw new KafkaRequestError(res.errorCode, res.errorMessage ?? 'UpdateFeatures');
  for (const r of res.results)
    if (r.errorCode !== ErrorCode.NONE) throw new KafkaRequestError(r.errorCode, r.errorMessage ?? r.feature);
}

/** Whether a broker offers DescribeTopicPartitions (Kafka 3.7+ brokers and raftka do). */
export async function servesDescribeTopicPartitions(client: KafkaClient): Promise<boolean> {
  return (await client.anyConnection()).serves(describeTopicPartitionsApi.key);
}

/** Upper bound on pages of one description: a cursor that never ends is a broker bug, not a loop. */
const describePagesMax = 10_000;

/**
 * Topics and their partitions through DescribeTopicPartitions, following NextCursor page by page
 * (`names` empty: every topic the principal may describe). Topics come back with their error code.
 */
export async function describeTopicPartitions(
  client: KafkaClient,
  names: readonly string[],
  pagePartitions = 2000,
): Promise<TopicInfo[]> {
  const c = await client.anyConnection();
  const byName = new Map<string, { name: string; topicId: string; errorCode: number; partitions: PartitionInfo[] }>();
  let cursor: { topicName: string; partitionIndex: number } | null = null;
  for (let page = 0; page < describePagesMax; page++) {
    const res: DescribeTopicPartitionsResponse = await c.send(
      describeTopicPartitionsApi,
      { topics: names.map((name) => ({ name })), responsePartitionLimit: pagePartitions, cursor },
      client.requestTimeoutMs,
    );
    for (const t of res.topics) {
      const name = t.name ?? '';
      const entry = byName.get(name) ?? { name, topicId: t.topicId, errorCode: t.errorCode, partitions: [] };
      for (const p of t.partitions)
        entry.partitions.push({
          partition: p.partitionIndex,
          leader: p.leaderId,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicaNodes,
          isr: p.isrNodes,
          offlineReplicas: p.offlineReplicas,
        });
      byName.set(name, entry);
    }
    cursor = res.nextCursor;
    if (cursor === null) return [...byName.values()];
  }
  throw new KafkaRequestError(
    ErrorCode.UNKNOWN_SERVER_ERROR,
    `DescribeTopicPartitions did not end after ${describePagesMax} pages`,
  );
}
