// Asks a controller for Kafka's DescribeQuorum over the KRaft gRPC listener. A controller that is
// not the leader names the leader; we then ask the leader, which alone knows replica progress.
import { ErrorCode, errorName } from '../common/errors.js';
import type { Endpoint } from '../common/node-config.js';
import { plaintextRpc, type RpcClientSecurity } from '../rpc/rpc-security.js';
import { KRaftClient, type DescribeQuorumResponse__Output, type ReplicaState__Output } from '../rpc/kraft-rpc.js';

interface ReplicaDescription {
  readonly nodeId: number;
  readonly logEndOffset: number;
  readonly lag: number;
  /** ms since the Unix epoch, or null if never. */
  readonly lastFetchTimestamp: number | null;
  readonly lastCaughtUpTimestamp: number | null;
  readonly status: 'Leader' | 'Follower' | 'Observer';
}

export interface QuorumDescription {
  readonly clusterId: string;
  readonly leaderId: number;
  readonly leaderEpoch: number;
  readonly highWatermark: number;
  readonly maxFollowerLag: number;
  readonly maxFollowerLagTimeMs: number;
  readonly currentVoters: readonly number[];
  readonly currentObservers: readonly number[];
  readonly replicas: readonly ReplicaDescription[];
}

const describeDeadlineMs = 5_000;
const redirectsMax = 3;

class QuorumClientError extends Error {
  constructor(
    message: string,
    readonly errorCode: number,
  ) {
    super(message);
  }
}

async function ask(endpoint: Endpoint, security: RpcClientSecurity): Promise<DescribeQuorumResponse__Output> {
  const client = new KRaftClient(`${endpoint.host}:${endpoint.port}`, security);
  try {
    return await client.describeQuorum({}, describeDeadlineMs);
  } finally {
    client.close();
  }
}

/** `security`: how to reach the controller listener (plaintext, or mutual TLS when it is SSL). */
export async function describeQuorum(
  bootstrap: Endpoint,
  security: RpcClientSecurity = plaintextRpc,
): Promise<QuorumDescription> {
  let endpoint = bootstrap;
  for (let attempt = 0; attempt <= redirectsMax; attempt++) {
    let res: DescribeQuorumResponse__Output;
    try {
      res = await ask(endpoint, security);
    } catch (err) {
      throw new QuorumClientError(
        `cannot reach controller ${endpoint.host}:${endpoint.port}: ${err instanceof Error ? err.message : String(err)}`,
        ErrorCode.BROKER_NOT_AVAILABLE,
      );
    }
    const code = res.errorCode;
    if (code === ErrorCode.NONE) return toDescription(res);
    const host = res.leaderHost;
    const port = res.leaderPort;
    if (code === ErrorCode.NOT_LEADER_OR_FOLLOWER && host !== '' && port > 0) {
      endpoint = { host, port };
      continue;
    }
    throw new QuorumClientError(`DescribeQuorum failed: ${errorName(code)} (the quorum may have no leader yet)`, code);
  }
  throw new QuorumClientError('DescribeQuorum: the leader kept moving; try again', ErrorCode.NOT_LEADER_OR_FOLLOWER);
}

function toDescription(res: DescribeQuorumResponse__Output): QuorumDescription {
  const leaderId = res.leaderId;
  const ts = (v: number): number | null => (v >= 0 ? v : null);
  const voters = res.currentVoters;
  const observers = res.observers;
  const leaderEnd = voters.find((v) => v.replicaId === leaderId)?.logEndOffset ?? 0;
  const replica = (v: ReplicaState__Output, isVoter: boolean): ReplicaDescription => {
    const nodeId = v.replicaId;
    const logEndOffset = v.logEndOffset;
    return {
      nodeId,
      logEndOffset,
      lag: logEndOffset < 0 ? leaderEnd : Math.max(0, leaderEnd - logEndOffset),
      lastFetchTimestamp: ts(v.lastFetchTimestamp),
      lastCaughtUpTimestamp: ts(v.lastCaughtUpTimestamp),
      status: nodeId === leaderId ? 'Leader' : isVoter ? 'Follower' : 'Observer',
    };
  };
  const replicas = [...voters.map((v) => replica(v, true)), ...observers.map((v) => replica(v, false))];
  const followers = replicas.filter((r) => r.status === 'Follower');
  const now = Date.now();
  return {
    clusterId: res.clusterId,
    leaderId,
    leaderEpoch: res.leaderEpoch,
    highWatermark: res.highWatermark,
    maxFollowerLag: Math.max(0, ...followers.map((r) => r.lag)),
    // -1 when a lagging follower was never caught up in this epoch (as Kafka reports unknowns).
    maxFollowerLagTimeMs: followers.some((r) => r.lag > 0 && r.lastCaughtUpTimestamp === null)
      ? -1
      : Math.max(
          0,
          ...followers.map((r) =>
            r.lag === 0 || r.lastCaughtUpTimestamp === null ? 0 : now - r.lastCaughtUpTimestamp,
          ),
        ),
    currentVoters: voters.map((v) => v.replicaId),
    currentObservers: observers.map((v) => v.replicaId),
    replicas,
  };
}
