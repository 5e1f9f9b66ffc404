// The Kafka APIs a controller's Kafka listener serves (KIP-919: `kafka-metadata-quorum.sh
// --bootstrap-controller`, `kafka-configs.sh --bootstrap-controller`, Admin clients with
// `bootstrap.controllers`): ApiVersions (only these APIs), DescribeQuorum from the metadata quorum,
// DescribeCluster listing the controllers' Kafka listeners, and the admin APIs Kafka routes to
// controllers, registered by the same functions the broker uses (admin-apis.ts, acl-apis.ts,
// cluster-admin-apis.ts, quota/quota-apis.ts: writes go to the active controller over gRPC, reads
// come from this node's image). The set is apis.ts's controllerListenerApiKeys.
// Who calls: src/server/controller-listener.ts, on a controller with a second controller.listener.names.
import { ErrorCode } from '../common/errors.js';
import type { QuorumDescription } from '../client/quorum-client.js';
import { AclOperation } from '../protocol/acl-types.js';
import { apiVersionsResponse } from '../protocol/apis.js';
import { apiVersionsApi } from '../protocol/messages/api-versions.js';
import { describeClusterApi } from '../protocol/messages/describe-cluster.js';
import {
  describeQuorumApi,
  type DescribeQuorumRequest,
  type DescribeQuorumResponseInput,
} from '../protocol/messages/describe-quorum.js';
import { zeroUuid } from '../protocol/primitives/uuid.js';
import type { MetadataImage } from '../metadata/image.js';
import { registerControllerRoutedAdminApis } from './admin-apis.js';
import { registerAclApis } from './acl-apis.js';
import { type AdminApiContext, KafkaApiRegistry } from './api-context.js';
import { type BrokerAuthorization, clusterOnly } from './authorization.js';
import { featureLevels, registerClusterAdminApis } from './cluster-admin-apis.js';
import { controllerEndpoints, describeCluster } from './describe-cluster-api.js';
import { registerClientQuotaApis } from './quota/quota-apis.js';

/** The metadata log's topic partition, the only one DescribeQuorum describes. */
const metadataTopic = '__cluster_metadata';

export interface ControllerListenerContext extends AdminApiContext {
  /** ACL enforcement, as on the node's broker listeners (none configured: all allowed). */
  readonly authorization: BrokerAuthorization;
  /** The active controller (the metadata Raft leader), -1 while none is known. */
  readonly activeControllerId: () => number;
  /** The quorum as its leader describes it (src/client/quorum-client.ts: the path the CLI takes). */
  readonly describeQuorum: () => Promise<QuorumDescription>;
  /** Each voter's quorum (gRPC) listener: controller.quorum.voters under the first controller.listener.names. */
  readonly quorumListeners: ReadonlyMap<
    number,
    { readonly name: string; readonly host: string; readonly port: number }
  >;
}

export function controllerHandlers(ctx: ControllerListenerContext): KafkaApiRegistry {
  const apis = new KafkaApiRegistry(ctx.authorization);
  apis.register(apiVersionsApi, () => ({
    ...apiVersionsResponse(0, (key) => apis.has(key)),
    ...featureLevels(ctx.image()),
  }));
  apis.register(
    describeQuorumApi,
    clusterOnly(
      AclOperation.DESCRIBE,
      (r) => describeQuorum(ctx, r),
      (errorCode, errorMessage) => ({ errorCode, errorMessage, topics: [] }),
    ),
  );
  apis.register(describeClusterApi, (r, rc, az) =>
    describeCluster(ctx.clusterId, r, rc, az, controllerEndpoints(ctx.image(), ctx.activeControllerId())),
  );
  registerControllerRoutedAdminApis(apis, ctx);
  registerAclApis(apis, ctx);
  registerClusterAdminApis(apis, ctx);
  registerClientQuotaApis(apis, ctx, false);
  return apis;
}

/**
 * Kafka's DescribeQuorum of `__cluster_metadata-0`, answered from the quorum leader's view (a
 * standby asks the leader, as `raftka metadata-quorum` does). v2's Nodes are the voters with
 * their quorum listener and their registered Kafka listeners; raftka has no metadata log
 * directory ids, so every ReplicaDirectoryId is the zero uuid.
 */
async function describeQuorum(
  ctx: ControllerListenerContext,
  req: DescribeQuorumRequest,
): Promise<DescribeQuorumResponseInput> {
  const asked = req.topics.flatMap((t) => t.partitions.map((p) => `${t.topicName}-${p.partitionIndex}`));
  if (asked.length !== 1 || asked[0] !== `${metadataTopic}-0`)
    return {
      errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      errorMessage: `DescribeQuorum describes ${metadataTopic}-0 only, asked for [${asked.join(', ')}]`,
      topics: [],
    };
  let q: QuorumDescription;
  try {
    q = await ctx.describeQuorum();
  } catch (err) {
    const code = err instanceof Error && 'errorCode' in err && typeof err.errorCode === 'number' ? err.errorCode : -1;
    return {
      errorCode: code > 0 ? code : ErrorCode.NOT_LEADER_OR_FOLLOWER,
      errorMessage: err instanceof Error ? err.message : String(err),
      topics: [],
    };
  }
  const replica = (nodeId: number) => {
    const r = q.replicas.find((x) => x.nodeId === nodeId);
    return {
      replicaId: nodeId,
      replicaDirectoryId: zeroUuid,
      logEndOffset: r?.logEndOffset ?? -1,
      lastFetchTimestamp: r?.lastFetchTimestamp ?? -1,
      lastCaughtUpTimestamp: r?.lastCaughtUpTimestamp ?? -1,
    };
  };
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    topics: [
      {
        topicName: metadataTopic,
        partitions: [
          {
            partitionIndex: 0,
            errorCode: ErrorCode.NONE,
            errorMessage: null,
            leaderId: q.leaderId,
            leaderEpoch: q.leaderEpoch,
            highWatermark: q.highWatermark,
            currentVoters: q.currentVoters.map(replica),
            observers: q.currentObservers.map(replica),
          },
        ],
      },
    ],
    nodes: q.currentVoters.map((nodeId) => ({ nodeId, listeners: voterListeners(ctx, ctx.image(), nodeId) })),
  };
}

/** A voter's listeners: its quorum listener, then the Kafka listeners it registered. */
function voterListeners(ctx: ControllerListenerContext, img: MetadataImage | null, nodeId: number) {
  const quorum = ctx.quorumListeners.get(nodeId);
  const registered = img?.controllers.get(nodeId)?.endpoints ?? [];
  return [
    ...(quorum ? [{ name: quorum.name, host: quorum.host, port: quorum.port }] : []),
    ...registered.map((e) => ({ name: e.name, host: e.host, port: e.port })),
  ];
}
