// The broker's cluster-level admin APIs that the active controller decides, all needing a rule on
// the cluster resource (as Kafka's KafkaApis / ControllerApis): DescribeUserScramCredentials
// (DESCRIBE), AlterUserScramCredentials, ElectLeaders and UpdateFeatures (ALTER). Writes are
// forwarded over gRPC (proto/controller.proto) and answered once committed; the SCRAM description
// is read from any controller's committed image, as DescribeAcls is.
// Who calls: brokerHandlers (kafka-apis.ts), controllerHandlers (controller-apis.ts); both answer
// ApiVersions' feature fields with featureLevels.
import { ErrorCode } from '../common/errors.js';
import { AclOperation } from '../protocol/acl-types.js';
import {
  alterUserScramCredentialsApi,
  describeUserScramCredentialsApi,
  type AlterUserScramCredentialsRequest,
  type AlterUserScramCredentialsResponseInput,
  type DescribeUserScramCredentialsRequest,
  type DescribeUserScramCredentialsResponseInput,
} from '../protocol/messages/scram-credentials.js';
import {
  electLeadersApi,
  type ElectLeadersRequest,
  type ElectLeadersResponseInput,
} from '../protocol/messages/elect-leaders.js';
import {
  updateFeaturesApi,
  type UpdateFeaturesRequest,
  type UpdateFeaturesResponseInput,
} from '../protocol/messages/update-features.js';
import { FeatureUpgradeType, supportedFeatures } from '../protocol/feature-types.js';
import type { MetadataImage } from '../metadata/image.js';
import { forward, type ControllerRoute } from './admin-apis.js';
import type { KafkaApiRegistry } from './api-context.js';
import { clusterOnly, requireCluster } from './authorization.js';

/**
 * ApiVersions' feature fields (v3+, KIP-584): the levels this build supports and the cluster's
 * finalized ones. The features epoch stays -1 ("unknown"): the broker's image carries no offset.
 */
export function featureLevels(img: MetadataImage | null) {
  return {
    supportedFeatures: [...supportedFeatures].map(([name, r]) => ({ name, minVersion: r.min, maxVersion: r.max })),
    finalizedFeatures: [...(img?.features ?? [])]
      .filter(([, level]) => level > 0)
      .map(([name, level]) => ({ name, maxVersionLevel: level, minVersionLevel: level })),
  };
}

const noAnswer = 'no answer from the controller';

export function registerClusterAdminApis(apis: KafkaApiRegistry, ctx: ControllerRoute): void {
  apis.register(
    describeUserScramCredentialsApi,
    clusterOnly(
      AclOperation.DESCRIBE,
      (r) => describeScram(ctx, r),
      (errorCode, errorMessage, r) => ({
        errorCode,
        errorMessage,
        // Kafka's error answer: one result per named user, its name left empty.
        results: (r.users ?? []).map(() => ({ user: '', errorCode, errorMessage, credentialInfos: [] })),
      }),
    ),
  );
  apis.register(
    alterUserScramCredentialsApi,
    clusterOnly(
      AclOperation.ALTER,
      (r) => alterScram(ctx, r),
      (errorCode, errorMessage, r) => ({ results: usersOf(r).map((user) => ({ user, errorCode, errorMessage })) }),
    ),
  );
  apis.register(electLeadersApi, (r, _rc, az) =>
    requireCluster(
      az,
      AclOperation.ALTER,
      () => electLeaders(ctx, r),
      (errorCode, errorMessage) => electionError(r, errorCode, errorMessage),
    ),
  );
  apis.register(
    updateFeaturesApi,
    clusterOnly(
      AclOperation.ALTER,
      (r) => updateFeatures(ctx, r),
      (errorCode, errorMessage) => ({ errorCode, errorMessage, results: [] }),
    ),
  );
}

/** The distinct users of an alteration, sorted (Kafka answers one result per user). */
function usersOf(r: AlterUserScramCredentialsRequest): string[] {
  return [...new Set([...r.deletions.map((d) => d.name), ...r.upsertions.map((u) => u.name)])].sort();
}

async function describeScram(
  ctx: ControllerRoute,
  r: DescribeUserScramCredentialsRequest,
): Promise<DescribeUserScramCredentialsResponseInput> {
  const res = await ctx.controller
    .describeUserScramCredentials(
      { users: (r.users ?? []).map((u) => u.name) },
      { anyController: true, timeoutMs: 15_000 },
    )
    .catch((err: unknown) => ({ unavailable: err instanceof Error ? err.message : String(err) }) as const);
  if ('unavailable' in res)
    return { errorCode: ErrorCode.REQUEST_TIMED_OUT, errorMessage: String(res.unavailable), results: [] };
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    results: res.results.map((u) => ({
      user: u.user,
      errorCode: u.errorCode,
      errorMessage: u.errorMessage || null,
      credentialInfos: u.credentials.map((c) => ({ mechanism: c.mechanism, iterations: c.iterations })),
    })),
  };
}

async function alterScram(
  ctx: ControllerRoute,
  r: AlterUserScramCredentialsRequest,
): Promise<AlterUserScramCredentialsResponseInput> {
  const res = await forward(
    ctx,
    'AlterUserScramCredentials',
    {
      deletions: r.deletions.map((d) => ({ name: d.name, mechanism: d.mechanism })),
      upsertions: r.upsertions.map((u) => ({
        name: u.name,
        mechanism: u.mechanism,
        iterations: u.iterations,
        salt: u.salt,
        saltedPassword: u.saltedPassword,
      })),
    },
    30_000,
  );
  if ('unavailable' in res)
    return {
      results: usersOf(r).map((user) => ({ user, errorCode: ErrorCode.REQUEST_TIMED_OUT, errorMessage: noAnswer })),
    };
  return {
    results: res.results.map((u) => ({ user: u.user, errorCode: u.errorCode, errorMessage: u.errorMessage || null })),
  };
}

function electionError(r: ElectLeadersRequest, errorCode: number, errorMessage: string): ElectLeadersResponseInput {
  return {
    errorCode,
    replicaElectionResults: (r.topicPartitions ?? []).map((t) => ({
      topic: t.topic,
      partitionResult: t.partitions.map((partitionId) => ({ partitionId, errorCode, errorMessage })),
    })),
  };
}

async function electLeaders(ctx: ControllerRoute, r: ElectLeadersRequest): Promise<ElectLeadersResponseInput> {
  const res = await forward(
    ctx,
    'ElectLeaders',
    {
      // v0 has no election type: decoding gives the default, 0 (preferred), as Kafka's v0 means.
      electionType: r.electionType,
      allPartitions: r.topicPartitions === null,
      partitions: (r.topicPartitions ?? []).map((t) => ({ topic: t.topic, partitions: t.partitions })),
    },
    r.timeoutMs,
  );
  if ('unavailable' in res) return electionError(r, ErrorCode.REQUEST_TIMED_OUT, noAnswer);
  const byTopic = new Map<string, { partitionId: number; errorCode: number; errorMessage: string | null }[]>();
  for (const p of res.results) {
    const list = byTopic.get(p.topic) ?? [];
    list.push({ partitionId: p.partition, errorCode: p.errorCode, errorMessage: p.errorMessage || null });
    byTopic.set(p.topic, list);
  }
  return {
    errorCode: ErrorCode.NONE,
    replicaElectionResults: [...byTopic].map(([topic, partitionResult]) => ({ topic, partitionResult })),
  };
}

/**
 * Kafka 3.9+ answers one top-level error (the first failed update's) and, only on success, a
 * result per feature (v0-1; v2 has no results).
 */
async function updateFeatures(ctx: ControllerRoute, r: UpdateFeaturesRequest): Promise<UpdateFeaturesResponseInput> {
  const res = await forward(
    ctx,
    'UpdateFeatures',
    {
      updates: r.featureUpdates.map((u) => ({
        feature: u.feature,
        maxVersionLevel: u.maxVersionLevel,
        // v0's AllowDowngrade is v1's SAFE_DOWNGRADE (Kafka's conversion).
        upgradeType: u.allowDowngrade ? FeatureUpgradeType.SAFE_DOWNGRADE : u.upgradeType,
      })),
      validateOnly: r.validateOnly,
    },
    r.timeoutMs,
  );
  if ('unavailable' in res) return { errorCode: ErrorCode.REQUEST_TIMED_OUT, errorMessage: noAnswer, results: [] };
  const failed =
    res.results.find((f) => f.errorCode !== ErrorCode.NONE && f.errorCode !== ErrorCode.FEATURE_UPDATE_FAILED) ??
    res.results.find((f) => f.errorCode !== ErrorCode.NONE);
  if (failed) return { errorCode: failed.errorCode, errorMessage: failed.errorMessage || null, results: [] };
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    results: res.results.map((f) => ({ feature: f.feature, errorCode: ErrorCode.NONE, errorMessage: null })),
  };
}
