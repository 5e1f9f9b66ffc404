// The registry of Kafka APIs raftka serves: apiKey → { key, name, minVersion, maxVersion,
// flexibleFrom } plus the typed codecs. The ApiVersions answer is built from it, so what we
// advertise and what we can decode never drift apart.
//
// Version ranges follow kafka-protocol.md §1.2/§1.3: librdkafka 2.0.2 needs v0 ADVERTISED for
// FindCoordinator/JoinGroup/SyncGroup/Heartbeat/LeaveGroup/InitProducerId/ApiVersions, Produce must
// contain 3 and 7, Fetch 4 and 10; kafkajs takes min(its max, ours).
import { ProtocolErrorCode } from './errors.js';
import type { AnyApi, ApiInfo } from './messages/define.js';
import { apiVersionsApi, type ApiVersionsResponseInput } from './messages/api-versions.js';
import { produceApi } from './messages/produce.js';
import { fetchApi } from './messages/fetch.js';
import { listOffsetsApi } from './messages/list-offsets.js';
import { metadataApi } from './messages/metadata.js';
import { offsetForLeaderEpochApi } from './messages/offset-for-leader-epoch.js';
import { createTopicsApi } from './messages/create-topics.js';
import { deleteTopicsApi } from './messages/delete-topics.js';
import { createPartitionsApi } from './messages/create-partitions.js';
import { describeConfigsApi } from './messages/describe-configs.js';
import { describeLogDirsApi } from './messages/describe-log-dirs.js';
import { alterReplicaLogDirsApi } from './messages/alter-replica-log-dirs.js';
import { alterConfigsApi } from './messages/alter-configs.js';
import { incrementalAlterConfigsApi } from './messages/incremental-alter-configs.js';
import { describeClusterApi } from './messages/describe-cluster.js';
import { deleteRecordsApi } from './messages/delete-records.js';
import { createAclsApi, deleteAclsApi, describeAclsApi } from './messages/acls.js';
import { findCoordinatorApi } from './messages/find-coordinator.js';
import { joinGroupApi } from './messages/join-group.js';
import { syncGroupApi } from './messages/sync-group.js';
import { heartbeatApi } from './messages/heartbeat.js';
import { leaveGroupApi } from './messages/leave-group.js';
import { offsetCommitApi } from './messages/offset-commit.js';
import { offsetFetchApi } from './messages/offset-fetch.js';
import { listGroupsApi } from './messages/list-groups.js';
import { describeGroupsApi } from './messages/describe-groups.js';
import { deleteGroupsApi } from './messages/delete-groups.js';
import { offsetDeleteApi } from './messages/offset-delete.js';
import { initProducerIdApi } from './messages/init-producer-id.js';
import { addPartitionsToTxnApi } from './messages/add-partitions-to-txn.js';
import { addOffsetsToTxnApi } from './messages/add-offsets-to-txn.js';
import { endTxnApi } from './messages/end-txn.js';
import { writeTxnMarkersApi } from './messages/write-txn-markers.js';
import { txnOffsetCommitApi } from './messages/txn-offset-commit.js';
import { describeProducersApi } from './messages/describe-producers.js';
import { describeTransactionsApi } from './messages/describe-transactions.js';
import { listTransactionsApi } from './messages/list-transactions.js';
import { alterPartitionReassignmentsApi, listPartitionReassignmentsApi } from './messages/partition-reassignments.js';
import { saslHandshakeApi } from './messages/sasl-handshake.js';
import { saslAuthenticateApi } from './messages/sasl-authenticate.js';
import { alterClientQuotasApi, describeClientQuotasApi } from './messages/client-quotas.js';
import { alterUserScramCredentialsApi, describeUserScramCredentialsApi } from './messages/scram-credentials.js';
import { describeTopicPartitionsApi } from './messages/describe-topic-partitions.js';
import { electLeadersApi } from './messages/elect-leaders.js';
import { updateFeaturesApi } from './messages/update-features.js';
import { getTelemetrySubscriptionsApi, pushTelemetryApi } from './messages/telemetry.js';
import { consumerGroupHeartbeatApi } from './messages/consumer-group-heartbeat.js';
import { consumerGroupDescribeApi } from './messages/consumer-group-describe.js';
import { describeQuorumApi } from './messages/describe-quorum.js';

export type { Api, AnyApi, ApiInfo } from './messages/define.js';

const all: readonly AnyApi[] = [
  produceApi,
  fetchApi,
  listOffsetsApi,
  metadataApi,
  apiVersionsApi,
  offsetForLeaderEpochApi,
  createTopicsApi,
  deleteTopicsApi,
  createPartitionsApi,
  describeConfigsApi,
  describeLogDirsApi,
  alterReplicaLogDirsApi,
  alterConfigsApi,
  incrementalAlterConfigsApi,
  describeClusterApi,
  deleteRecordsApi,
  createAclsApi,
  deleteAclsApi,
  describeAclsApi,
  // consumer groups, idempotence, reassignments
  findCoordinatorApi,
  joinGroupApi,
  syncGroupApi,
  heartbeatApi,
  leaveGroupApi,
  offsetCommitApi,
  offsetFetchApi,
  listGroupsApi,
  describeGroupsApi,
  deleteGroupsApi,
  offsetDeleteApi,
  // the consumer group protocol (KIP-848)
  consumerGroupHeartbeatApi,
  consumerGroupDescribeApi,
  initProducerIdApi,
  listPartitionReassignmentsApi,
  alterPartitionReassignmentsApi,
  // transactions (exactly-once; advertised only once a broker registers their handlers)
  addPartitionsToTxnApi,
  addOffsetsToTxnApi,
  endTxnApi,
  writeTxnMarkersApi,
  txnOffsetCommitApi,
  describeProducersApi,
  describeTransactionsApi,
  listTransactionsApi,
  // SASL (served by the Kafka listener while a connection authenticates; ILLEGAL_SASL_STATE after)
  saslHandshakeApi,
  saslAuthenticateApi,
  // client quotas (KIP-546)
  describeClientQuotasApi,
  alterClientQuotasApi,
  // SCRAM users, paged topic descriptions, leader elections, feature levels, client telemetry
  describeUserScramCredentialsApi,
  alterUserScramCredentialsApi,
  describeTopicPartitionsApi,
  electLeadersApi,
  updateFeaturesApi,
  getTelemetrySubscriptionsApi,
  pushTelemetryApi,
  // the metadata quorum (served on a controller's Kafka listener only, KIP-919)
  describeQuorumApi,
];

/**
 * The API keys a controller's Kafka listener serves (KIP-919): ApiVersions, SASL, DescribeQuorum,
 * DescribeCluster and the admin APIs Kafka's JSON files mark for the controller listener that
 * raftka serves (src/broker/controller-apis.ts registers them; a test checks the two agree and
 * that Kafka marks each one "controller"). Every other key is served on broker listeners only.
 */
export const controllerListenerApiKeys: ReadonlySet<number> = new Set([
  17, 18, 19, 20, 29, 30, 31, 32, 33, 36, 37, 43, 44, 45, 46, 49, 50, 51, 55, 57, 60,
]);

/** The keys a broker listener does not serve (DescribeQuorum: a broker has no quorum to describe). */
export const controllerOnlyApiKeys: ReadonlySet<number> = new Set([55]);

export const apis: ReadonlyMap<number, AnyApi> = new Map(all.map((a) => [a.key, a]));

export function apiFor(apiKey: number): AnyApi | undefined {
  return apis.get(apiKey);
}

export function isVersionSupported(apiKey: number, apiVersion: number): boolean {
  const api = apis.get(apiKey);
  return api !== undefined && apiVersion >= api.minVersion && apiVersion <= api.maxVersion;
}

/** The supported ranges, sorted by key, as ApiVersions lists them (only `served` keys when given). */
export function supportedApiVersions(
  served?: (apiKey: number) => boolean,
): { apiKey: number; minVersion: number; maxVersion: number }[] {
  return [...apis.values()]
    .filter((a) => !served || served(a.key))
    .sort((a, b) => a.key - b.key)
    .map((a: ApiInfo) => ({ apiKey: a.key, minVersion: a.minVersion, maxVersion: a.maxVersion }));
}

/** A feature this node supports, as ApiVersions v3+ lists it (SupportedFeatures). */
export interface SupportedFeature {
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
}

/**
 * The supported features an ApiVersions answer at `version` may list: below v4 a feature whose
 * minimum is 0 is left out, since older clients fail to parse it (KAFKA-17011, KAFKA-17492).
 */
export function supportedFeaturesFor(version: number, features: readonly SupportedFeature[]): SupportedFeature[] {
  return features.filter((f) => version >= 4 || f.minVersion !== 0);
}

/** A successful ApiVersions response body value (encode it at the request's version). */
export function apiVersionsResponse(
  throttleTimeMs = 0,
  served?: (apiKey: number) => boolean,
  features?: { readonly version: number; readonly supported: readonly SupportedFeature[] },
): ApiVersionsResponseInput {
  return {
    errorCode: 0,
    apiKeys: supportedApiVersions(served),
    throttleTimeMs,
    ...(features && features.version >= 3
      ? { supportedFeatures: supportedFeaturesFor(features.version, features.supported) }
      : {}),
  };
}

/**
 * The body for an ApiVersions request at a version we do not serve: error 35
 * (UNSUPPORTED_VERSION) in a v0-shaped body listing every supported range, so the client can retry
 * with a version we have. Send it with response header v0 (header.ts does that for key 18).
 */
export function unsupportedApiVersionsResponse(served?: (apiKey: number) => boolean): Buffer {
  return apiVersionsApi.encodeResponse(0, {
    errorCode: ProtocolErrorCode.UNSUPPORTED_VERSION,
    apiKeys: supportedApiVersions(served),
  });
}
