// Consumer-group requests of raftka's own client, as functions over a KafkaClient: finding a
// group's coordinator (FindCoordinator), the classic membership calls sent to it (JoinGroup,
// SyncGroup, Heartbeat, LeaveGroup), committed offsets (OffsetCommit, OffsetFetch, OffsetDelete,
// and TxnOffsetCommit for a transaction's offsets) and group administration (ListGroups to every
// broker, DescribeGroups, DeleteGroups). Callers: GroupConsumer (src/client/group-consumer.ts),
// TransactionalProducer (src/client/transactional-producer.ts) and `raftka consumer-groups`.
//
// Rules:
// - Coordinators are cached per client and group. NOT_COORDINATOR or COORDINATOR_NOT_AVAILABLE in
//   an answer, or a broken coordinator connection, forgets the cached one; single-group calls then
//   throw (KafkaRequestError / KafkaConnectionError) and the caller decides — the consumer rejoins,
//   the CLI wraps its calls in withCoordinatorRetries(). The multi-group admin calls
//   (describeGroups, deleteGroups) re-find and resend only the groups that moved, a bounded number
//   of times, so one moved group does not make the others be asked (or deleted) twice.
// - Coordinator requests go on a dedicated connection (KafkaClient.dedicatedConnection): JoinGroup
//   may wait a whole rebalance and must not hold up fetches behind it.
// - Any other non-zero error code is a KafkaRequestError carrying it; per-item results (a group of
//   several, a partition of OffsetDelete) are returned with their codes instead.
import { ErrorCode } from '../common/errors.js';
import type { TopicPartitions } from '../protocol/consumer-protocol.js';
import { deleteGroupsApi } from '../protocol/messages/delete-groups.js';
import { describeGroupsApi } from '../protocol/messages/describe-groups.js';
import { findCoordinatorApi } from '../protocol/messages/find-coordinator.js';
import { heartbeatApi } from '../protocol/messages/heartbeat.js';
import { joinGroupApi } from '../protocol/messages/join-group.js';
import { leaveGroupApi } from '../protocol/messages/leave-group.js';
import { listGroupsApi } from '../protocol/messages/list-groups.js';
import { offsetCommitApi } from '../protocol/messages/offset-commit.js';
import { offsetDeleteApi } from '../protocol/messages/offset-delete.js';
import { offsetFetchApi } from '../protocol/messages/offset-fetch.js';
import { syncGroupApi } from '../protocol/messages/sync-group.js';
import { txnOffsetCommitApi } from '../protocol/messages/txn-offset-commit.js';
import { KafkaRequestError, type KafkaClient } from './kafka-client.js';
import { KafkaConnectionError, type KafkaConnection } from './kafka-connection.js';

/** FindCoordinator attempts while the coordinator is not available yet (the server creates __consumer_offsets on first use). */
const coordinatorLookupAttemptsMax = 50;
/** Pause between those attempts: 50 × 200 ms gives a new cluster about ten seconds. */
const coordinatorRetryBackoffMs = 200;
/** Attempts of withCoordinatorRetries() and of the multi-group admin calls. */
const coordinatorCallAttemptsMax = 10;
/** Groups whose coordinator one client remembers; the oldest is forgotten beyond this. */
const coordinatorsCachedMax = 1000;
/** ListGroups attempts per broker while it answers COORDINATOR_LOAD_IN_PROGRESS. */
const listGroupsAttemptsMax = 10;
/** JoinGroup waits up to the rebalance timeout on the server; the request may take that long plus this. */
const joinGroupSlackMs = 5000;

const coordinatorConnectionPurpose = 'coordinator';

/**
 * The newest versions this client sends where a broker's newer one changes an answer's shape or
 * meaning (the server side serves them all): OffsetFetch v8+ batches groups, DescribeGroups v6
 * answers an unknown group GROUP_ID_NOT_FOUND, OffsetCommit v9 answers GROUP_ID_NOT_FOUND where v8
 * answers ILLEGAL_GENERATION (which the consumer handles by rejoining), JoinGroup v9 may ask a
 * static leader to skip its assignment.
 */
const clientMaxVersion = { joinGroup: 8, offsetCommit: 8, offsetFetch: 7, describeGroups: 5 } as const;

interface Coordinator {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
}

/** The error codes after which the group's coordinator must be found again. */
export function isCoordinatorMovedError(code: number): boolean {
  return code === ErrorCode.NOT_COORDINATOR || code === ErrorCode.COORDINATOR_NOT_AVAILABLE;
}

/** Codes (and connection failures) after which the same call may succeed once the coordinator is found again. */
function isRetriableCoordinatorFailure(err: unknown): boolean {
  if (err instanceof KafkaConnectionError) return true;
  return (
    err instanceof KafkaRequestError &&
    (isCoordinatorMovedError(err.errorCode) || err.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS)
  );
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---- coordinator cache ----------------------------------------------------------------------------

// Kept beside the client rather than inside it, so KafkaClient stays unaware of groups.
const cachedCoordinators = new WeakMap<KafkaClient, Map<string, Coordinator>>();

function cacheOf(client: KafkaClient): Map<string, Coordinator> {
  let m = cachedCoordinators.get(client);
  if (!m) cachedCoordinators.set(client, (m = new Map()));
  return m;
}

/** Forgets the group's cached coordinator (the next call asks FindCoordinator again). */
export function forgetCoordinator(client: KafkaClient, groupId: string): void {
  cacheOf(client).delete(groupId);
}

/**
 * The group's coordinator: cached, or asked of any broker. COORDINATOR_NOT_AVAILABLE and
 * COORDINATOR_LOAD_IN_PROGRESS (and a broker dropping the connection) are retried
 * coordinatorLookupAttemptsMax times, coordinatorRetryBackoffMs apart.
 */
export async function findCoordinator(client: KafkaClient, groupId: string): Promise<Coordinator> {
  const cache = cacheOf(client);
  const known = cache.get(groupId);
  if (known) return known;
  for (let attempt = 1; ; attempt++) {
    let code: number;
    let message: string;
    try {
      const c = await client.anyConnection();
      const version = c.versionFor(findCoordinatorApi);
      // v4+ asks for a batch of keys and answers per key; we always ask for one.
      const res = await c.send(
        findCoordinatorApi,
        version >= 4 ? { keyType: 0, coordinatorKeys: [groupId] } : { key: groupId, keyType: 0 },
        client.requestTimeoutMs,
        version,
      );
      const answer = version >= 4 ? res.coordinators.find((x) => x.key === groupId) : res;
      if (!answer)
        throw new KafkaRequestError(
          ErrorCode.UNKNOWN_SERVER_ERROR,
          `FindCoordinator answered nothing for group '${groupId}'`,
        );
      code = answer.errorCode;
      message = answer.errorMessage || `FindCoordinator for group '${groupId}'`;
      if (code === ErrorCode.NONE) {
        const found: Coordinator = { nodeId: answer.nodeId, host: answer.host, port: answer.port };
        if (cache.size >= coordinatorsCachedMax) cache.delete(cache.keys().next().value!);
        cache.set(groupId, found);
        return found;
      }
    } catch (err) {
      if (!(err instanceof KafkaConnectionError) || attempt >= coordinatorLookupAttemptsMax) throw err;
      await sleep(coordinatorRetryBackoffMs);
      continue;
    }
    const retriable = code === ErrorCode.COORDINATOR_NOT_AVAILABLE || code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    if (!retriable) throw new KafkaRequestError(code, message);
    if (attempt >= coordinatorLookupAttemptsMax)
      throw new KafkaRequestError(code, `${message} (after ${attempt} attempts)`);
    await sleep(coordinatorRetryBackoffMs);
  }
}

async function coordinatorConnection(client: KafkaClient, coordinator: Coordinator): Promise<KafkaConnection> {
  return client.dedicatedConnection({ host: coordinator.host, port: coordinator.port }, coordinatorConnectionPurpose);
}

/**
 * Sends one request about `groupId` to its coordinator. A broken connection, or an answer whose
 * `codeOf` says the coordinator moved, forgets the cached coordinator (the answer is still
 * returned for the caller to turn into an error).
 */
export async function toCoordinator<T>(
  client: KafkaClient,
  groupId: string,
  call: (c: KafkaConnection) => Promise<T>,
  codeOf: (res: T) => number,
): Promise<T> {
  const coordinator = await findCoordinator(client, groupId);
  let res: T;
  try {
    res = await call(await coordinatorConnection(client, coordinator));
  } catch (err) {
    if (err instanceof KafkaConnectionError) forgetCoordinator(client, groupId);
    throw err;
  }
  if (isCoordinatorMovedError(codeOf(res))) forgetCoordinator(client, groupId);
  return res;
}

/**
 * Runs `call` again (up to `attempts` times, with a short pause) while it fails because the
 * coordinator moved, is loading or dropped the connection. For admin calls of the CLI; the
 * consumer handles these by rejoining instead.
 */
export async function withCoordinatorRetries<T>(
  call: () => Promise<T>,
  attempts = coordinatorCallAttemptsMax,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!isRetriableCoordinatorFailure(err) || attempt >= attempts) throw err;
      await sleep(coordinatorRetryBackoffMs);
    }
  }
}

// ---- membership (classic protocol) ------------------------------------------------------------------

/** JoinGroup answered MEMBER_ID_REQUIRED (v4+): join again with `memberId`. */
export class MemberIdRequiredError extends KafkaRequestError {
  constructor(
    readonly memberId: string,
    groupId: string,
  ) {
    super(ErrorCode.MEMBER_ID_REQUIRED, `group '${groupId}' gave member id ${memberId}; join again with it`);
  }
}

interface JoinGroupParams {
  readonly groupId: string;
  /** '' on the first join. */
  readonly memberId: string;
  /** Static membership (JoinGroup v5+); null for a dynamic member. */
  readonly groupInstanceId: string | null;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly protocolType: string;
  readonly protocols: readonly { readonly name: string; readonly metadata: Buffer }[];
}

export interface JoinedMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly metadata: Buffer;
}

export interface JoinGroupResult {
  readonly generationId: number;
  readonly protocolName: string | null;
  readonly leader: string;
  readonly memberId: string;
  /** Every member with its protocol metadata when this member is the leader; [] otherwise. */
  readonly members: readonly JoinedMember[];
}

/** JoinGroup; MEMBER_ID_REQUIRED is a MemberIdRequiredError, any other error a KafkaRequestError. */
export async function joinGroup(client: KafkaClient, p: JoinGroupParams): Promise<JoinGroupResult> {
  const res = await toCoordinator(
    client,
    p.groupId,
    (c) => {
      const version = Math.min(c.versionFor(joinGroupApi), clientMaxVersion.joinGroup);
      if (p.groupInstanceId !== null && version < 5)
        throw new KafkaRequestError(
          ErrorCode.UNSUPPORTED_VERSION,
          `static membership needs JoinGroup v5, the coordinator speaks v${version}`,
        );
      return c.send(
        joinGroupApi,
        {
          groupId: p.groupId,
          sessionTimeoutMs: p.sessionTimeoutMs,
          rebalanceTimeoutMs: p.rebalanceTimeoutMs,
          memberId: p.memberId,
          groupInstanceId: p.groupInstanceId,
          protocolType: p.protocolType,
          protocols: p.protocols,
        },
        Math.max(client.requestTimeoutMs, p.rebalanceTimeoutMs + joinGroupSlackMs),
        version,
      );
    },
    (r) => r.errorCode,
  );
  if (res.errorCode === ErrorCode.MEMBER_ID_REQUIRED) throw new MemberIdRequiredError(res.memberId, p.groupId);
  if (res.errorCode !== ErrorCode.NONE) throw new KafkaRequestError(res.errorCode, `JoinGroup of group '${p.groupId}'`);
  return {
    generationId: res.generationId,
    protocolName: res.protocolName,
    leader: res.leader,
    memberId: res.memberId,
    members: res.members,
  };
}

interface GenerationParams {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
}

interface SyncGroupParams extends GenerationParams {
  readonly protocolType: string;
  readonly protocolName: string | null;
  /** The leader's assignment of every member; [] from the other members. */
  readonly assignments: readonly { readonly memberId: string; readonly assignment: Buffer }[];
}

/** SyncGroup: this member's assignment bytes (ConsumerProtocolAssignment for "consumer" groups). */
export async function syncGroup(client: KafkaClient, p: SyncGroupParams): Promise<Buffer> {
  const res = await toCoordinator(
    client,
    p.groupId,
    (c) =>
      c.send(
        syncGroupApi,
        {
          groupId: p.groupId,
          generationId: p.generationId,
          memberId: p.memberId,
          groupInstanceId: p.groupInstanceId,
          protocolType: p.protocolType,
          protocolName: p.protocolName,
          assignments: p.assignments,
        },
        // The coordinator holds a follower's SyncGroup until the leader's arrives.
        client.requestTimeoutMs + joinGroupSlackMs,
      ),
    (r) => r.errorCode,
  );
  if (res.errorCode !== ErrorCode.NONE)
    throw new KafkaRequestError(res.errorCode, `SyncGroup of group '${p.groupId}' generation ${p.generationId}`);
  return res.assignment;
}

export async function heartbeat(client: KafkaClient, p: GenerationParams): Promise<void> {
  const res = await toCoordinator(
    client,
    p.groupId,
    (c) =>
      c.send(
        heartbeatApi,
        { groupId: p.groupId, generationId: p.generationId, memberId: p.memberId, groupInstanceId: p.groupInstanceId },
        client.requestTimeoutMs,
      ),
    (r) => r.errorCode,
  );
  if (res.errorCode !== ErrorCode.NONE)
    throw new KafkaRequestError(res.errorCode, `Heartbeat of group '${p.groupId}' generation ${p.generationId}`);
}

/** LeaveGroup for one member (v3+ sends it as a one-member batch and checks that member's code). */
export async function leaveGroup(
  client: KafkaClient,
  p: { readonly groupId: string; readonly memberId: string; readonly groupInstanceId: string | null },
): Promise<void> {
  const res = await toCoordinator(
    client,
    p.groupId,
    (c) => {
      const version = c.versionFor(leaveGroupApi);
      const body =
        version >= 3
          ? { groupId: p.groupId, members: [{ memberId: p.memberId, groupInstanceId: p.groupInstanceId }] }
          : { groupId: p.groupId, memberId: p.memberId };
      return c.send(leaveGroupApi, body, client.requestTimeoutMs, version);
    },
    (r) => r.errorCode,
  );
  const code =
    res.errorCode !== ErrorCode.NONE
      ? res.errorCode
      : (res.members.find((m) => m.errorCode !== ErrorCode.NONE)?.errorCode ?? ErrorCode.NONE);
  if (code !== ErrorCode.NONE)
    throw new KafkaRequestError(code, `LeaveGroup of member ${p.memberId} from group '${p.groupId}'`);
}

// ---- committed offsets ------------------------------------------------------------------------------

interface OffsetToCommit {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly leaderEpoch?: number;
  readonly metadata?: string | null;
}

/** Offsets to commit as OffsetCommit and TxnOffsetCommit list them: by topic, then partition. */
function offsetTopics(offsets: readonly OffsetToCommit[]) {
  return groupByTopic(offsets).map(([name, list]) => ({
    name,
    partitions: list.map((o) => ({
      partitionIndex: o.partition,
      committedOffset: o.offset,
      committedLeaderEpoch: o.leaderEpoch ?? -1,
      committedMetadata: o.metadata ?? '',
    })),
  }));
}

/** The first failing partition's code of an OffsetCommit or TxnOffsetCommit answer (NONE when none failed). */
function firstPartitionCode(r: {
  readonly topics: readonly { readonly partitions: readonly { readonly errorCode: number }[] }[];
}): number {
  return r.topics.flatMap((t) => t.partitions).find((x) => x.errorCode !== ErrorCode.NONE)?.errorCode ?? ErrorCode.NONE;
}

/**
 * OffsetCommit. A member commits with its generation and member id; an admin (reset-offsets)
 * with generation -1 and member id '', which the coordinator accepts only for an empty group.
 * Throws a KafkaRequestError with the first failing partition's code.
 */
export async function offsetCommit(
  client: KafkaClient,
  p: GenerationParams & { readonly offsets: readonly OffsetToCommit[] },
): Promise<void> {
  const topics = offsetTopics(p.offsets);
  const res = await toCoordinator(
    client,
    p.groupId,
    (c) =>
      c.send(
        offsetCommitApi,
        {
          groupId: p.groupId,
          generationIdOrMemberEpoch: p.generationId,
          memberId: p.memberId,
          groupInstanceId: p.groupInstanceId,
          topics,
        },
        client.requestTimeoutMs,
        Math.min(c.versionFor(offsetCommitApi), clientMaxVersion.offsetCommit),
      ),
    firstPartitionCode,
  );
  const failed = res.topics.flatMap((t) =>
    t.partitions.filter((x) => x.errorCode !== ErrorCode.NONE).map((x) => `${t.name}-${x.partitionIndex}`),
  );
  if (failed.length > 0)
    throw new KafkaRequestError(
      firstPartitionCode(res),
      `OffsetCommit of group '${p.groupId}' for ${failed.join(', ')}`,
    );
}

/** A transactional producer's part of a TxnOffsetCommit (KIP-98; the member fields are KIP-447's). */
interface TxnOffsetCommitParams extends GenerationParams {
  readonly transactionalId: string;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly offsets: readonly OffsetToCommit[];
}

/**
 * TxnOffsetCommit: the offsets become the group's when the producer's transaction commits. Sent to
 * the group's coordinator (forgotten when it moved, as for every call here); returns the first
 * failing partition's code (NONE when every partition took its offset) for the transactional
 * producer to judge, which retries, aborts or fails on it.
 */
export async function txnOffsetCommit(client: KafkaClient, p: TxnOffsetCommitParams): Promise<number> {
  const { offsets, ...ids } = p;
  const request = { ...ids, topics: offsetTopics(offsets) };
  const send = (c: KafkaConnection) => c.send(txnOffsetCommitApi, request, client.requestTimeoutMs);
  return firstPartitionCode(await toCoordinator(client, p.groupId, send, firstPartitionCode));
}

export interface CommittedOffset {
  readonly topic: string;
  readonly partition: number;
  /** -1: nothing committed. */
  readonly offset: number;
  readonly leaderEpoch: number;
  readonly metadata: string | null;
}

/**
 * OffsetFetch: the group's committed offsets of `partitions`, or of every partition it has
 * committed when null (OffsetFetch v2+). Partitions without a commit come back with offset -1.
 */
export async function offsetFetch(
  client: KafkaClient,
  groupId: string,
  partitions: readonly TopicPartitions[] | null,
  requireStable = false,
): Promise<CommittedOffset[]> {
  const firstCode = (r: { errorCode: number; topics: { partitions: { errorCode: number }[] }[] }): number =>
    r.errorCode !== ErrorCode.NONE
      ? r.errorCode
      : (r.topics.flatMap((t) => t.partitions).find((x) => x.errorCode !== ErrorCode.NONE)?.errorCode ??
        ErrorCode.NONE);
  const res = await toCoordinator(
    client,
    groupId,
    (c) => {
      const version = Math.min(c.versionFor(offsetFetchApi), clientMaxVersion.offsetFetch);
      if (partitions === null && version < 2)
        throw new KafkaRequestError(
          ErrorCode.UNSUPPORTED_VERSION,
          `fetching all offsets needs OffsetFetch v2, the coordinator speaks v${version}`,
        );
      const topics =
        partitions === null ? null : partitions.map((t) => ({ name: t.topic, partitionIndexes: t.partitions }));
      return c.send(offsetFetchApi, { groupId, topics, requireStable }, client.requestTimeoutMs, version);
    },
    firstCode,
  );
  const code = firstCode(res);
  if (code !== ErrorCode.NONE) throw new KafkaRequestError(code, `OffsetFetch of group '${groupId}'`);
  return res.topics.flatMap((t) =>
    t.partitions.map((x) => ({
      topic: t.name,
      partition: x.partitionIndex,
      offset: x.committedOffset,
      leaderEpoch: x.committedLeaderEpoch,
      metadata: x.metadata,
    })),
  );
}

interface PartitionResult {
  readonly topic: string;
  readonly partition: number;
  readonly errorCode: number;
}

/**
 * OffsetDelete: removes the group's committed offsets of `partitions`. A group-level error
 * (GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP, ...) throws; partition errors (GROUP_SUBSCRIBED_TO_TOPIC,
 * UNKNOWN_TOPIC_OR_PARTITION) come back per partition.
 */
export async function offsetDelete(
  client: KafkaClient,
  groupId: string,
  partitions: readonly TopicPartitions[],
): Promise<PartitionResult[]> {
  const topics = partitions.map((t) => ({
    name: t.topic,
    partitions: t.partitions.map((partitionIndex) => ({ partitionIndex })),
  }));
  const res = await toCoordinator(
    client,
    groupId,
    (c) => c.send(offsetDeleteApi, { groupId, topics }, client.requestTimeoutMs),
    (r) => r.errorCode,
  );
  if (res.errorCode !== ErrorCode.NONE)
    throw new KafkaRequestError(res.errorCode, `OffsetDelete of group '${groupId}'`);
  return res.topics.flatMap((t) =>
    t.partitions.map((x) => ({ topic: t.name, partition: x.partitionIndex, errorCode: x.errorCode })),
  );
}

// ---- administration ---------------------------------------------------------------------------------

interface ListedGroup {
  readonly groupId: string;
  readonly protocolType: string;
  /** ListGroups v4+; null when the broker speaks an older version. */
  readonly state: string | null;
  /** The broker that listed it (its coordinator). */
  readonly coordinatorId: number;
}

/**
 * ListGroups sent to every broker in the metadata (each lists the groups it coordinates), merged
 * by group id — what kafka-consumer-groups.sh --list does. `states` filters on the server (v4+).
 */
export async function listGroups(client: KafkaClient, states: readonly string[] = []): Promise<ListedGroup[]> {
  await client.metadata([]);
  const out = new Map<string, ListedGroup>();
  for (const nodeId of [...client.knownBrokers().keys()].sort((a, b) => a - b)) {
    for (let attempt = 1; ; attempt++) {
      const c = await client.connectionTo(nodeId);
      const res = await c.send(listGroupsApi, { statesFilter: [...states] }, client.requestTimeoutMs);
      if (res.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS && attempt < listGroupsAttemptsMax) {
        await sleep(coordinatorRetryBackoffMs);
        continue;
      }
      if (res.errorCode !== ErrorCode.NONE)
        throw new KafkaRequestError(res.errorCode, `ListGroups on broker ${nodeId}`);
      for (const g of res.groups) {
        if (!out.has(g.groupId))
          out.set(g.groupId, {
            groupId: g.groupId,
            protocolType: g.protocolType,
            state: g.groupState === '' ? null : g.groupState,
            coordinatorId: nodeId,
          });
      }
      break;
    }
  }
  return [...out.values()].sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
}

interface DescribedMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  /** Protocol metadata (ConsumerProtocolSubscription for "consumer" groups). */
  readonly metadata: Buffer;
  /** Assignment (ConsumerProtocolAssignment for "consumer" groups); empty while rebalancing. */
  readonly assignment: Buffer;
}

export interface GroupDescription {
  readonly groupId: string;
  /** NONE, or the group's own error (e.g. GROUP_ID_NOT_FOUND, GROUP_AUTHORIZATION_FAILED). */
  readonly errorCode: number;
  /** Empty, PreparingRebalance, CompletingRebalance, Stable or Dead (Dead: no such group). */
  readonly state: string;
  readonly protocolType: string;
  /** The selected protocol, for consumer groups the assignor ("range"). */
  readonly protocol: string;
  readonly members: readonly DescribedMember[];
  readonly coordinator: Coordinator;
}

/**
 * Runs a multi-group admin request: groups are sent to their coordinators (one request per
 * coordinator); groups whose answer says the coordinator moved are asked again after a fresh
 * FindCoordinator, coordinatorCallAttemptsMax times at most.
 */
async function perCoordinator<R extends { readonly groupId: string; readonly errorCode: number }>(
  client: KafkaClient,
  groupIds: readonly string[],
  send: (c: KafkaConnection, coordinator: Coordinator, groupIds: string[]) => Promise<R[]>,
): Promise<Map<string, R>> {
  const done = new Map<string, R>();
  let pending = [...new Set(groupIds)];
  for (let attempt = 1; pending.length > 0; attempt++) {
    const byNode = new Map<number, { coordinator: Coordinator; groupIds: string[] }>();
    for (const g of pending) {
      const coordinator = await findCoordinator(client, g);
      const entry = byNode.get(coordinator.nodeId) ?? { coordinator, groupIds: [] };
      entry.groupIds.push(g);
      byNode.set(coordinator.nodeId, entry);
    }
    const retry: string[] = [];
    for (const { coordinator, groupIds: ids } of byNode.values()) {
      let results: R[];
      try {
        results = await send(await coordinatorConnection(client, coordinator), coordinator, ids);
      } catch (err) {
        if (!(err instanceof KafkaConnectionError) || attempt >= coordinatorCallAttemptsMax) throw err;
        for (const g of ids) forgetCoordinator(client, g);
        retry.push(...ids);
        continue;
      }
      for (const r of results) {
        if (isCoordinatorMovedError(r.errorCode) || r.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) {
          if (isCoordinatorMovedError(r.errorCode)) forgetCoordinator(client, r.groupId);
          if (attempt >= coordinatorCallAttemptsMax)
            throw new KafkaRequestError(r.errorCode, `group '${r.groupId}' after ${attempt} attempts`);
          retry.push(r.groupId);
        } else {
          done.set(r.groupId, r);
        }
      }
    }
    pending = retry;
    if (pending.length > 0) await sleep(coordinatorRetryBackoffMs);
  }
  return done;
}

/** DescribeGroups, in the order asked. */
export async function describeGroups(client: KafkaClient, groupIds: readonly string[]): Promise<GroupDescription[]> {
  const found = await perCoordinator(client, groupIds, async (c, coordinator, ids) => {
    const res = await c.send(
      describeGroupsApi,
      { groups: ids, includeAuthorizedOperations: false },
      client.requestTimeoutMs,
      Math.min(c.versionFor(describeGroupsApi), clientMaxVersion.describeGroups),
    );
    return res.groups.map(
      (g): GroupDescription => ({
        groupId: g.groupId,
        errorCode: g.errorCode,
        state: g.groupState,
        protocolType: g.protocolType,
        protocol: g.protocolData,
        members: g.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          metadata: m.memberMetadata,
          assignment: m.memberAssignment,
        })),
        coordinator,
      }),
    );
  });
  return groupIds.map((g) => {
    const d = found.get(g);
    if (!d)
      throw new KafkaRequestError(ErrorCode.UNKNOWN_SERVER_ERROR, `DescribeGroups answered nothing for group '${g}'`);
    return d;
  });
}

/** DeleteGroups: one error code per group, in the order asked (NON_EMPTY_GROUP, GROUP_ID_NOT_FOUND, ...). */
export async function deleteGroups(
  client: KafkaClient,
  groupIds: readonly string[],
): Promise<{ groupId: string; errorCode: number }[]> {
  const found = await perCoordinator(client, groupIds, async (c, _coordinator, ids) => {
    const res = await c.send(deleteGroupsApi, { groupsNames: ids }, client.requestTimeoutMs);
    return res.results.map((r) => ({ groupId: r.groupId, errorCode: r.errorCode }));
  });
  return groupIds.map((g) => found.get(g) ?? { groupId: g, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR });
}

// ---- helpers ------------------------------------------------------------------------------------------

/** Items grouped by topic, topics in first-seen order. */
function groupByTopic<T extends { readonly topic: string }>(items: readonly T[]): [string, T[]][] {
  const out = new Map<string, T[]>();
  for (const it of items) {
    const list = out.get(it.topic);
    if (list) list.push(it);
    else out.set(it.topic, [it]);
  }
  return [...out];
}

/** `{topic, partition}` items as TopicPartitions, topics in first-seen order, partitions ascending. */
export function toTopicPartitions(
  items: readonly { readonly topic: string; readonly partition: number }[],
): TopicPartitions[] {
  return groupByTopic(items).map(([topic, list]) => ({
    topic,
    partitions: list.map((x) => x.partition).sort((a, b) => a - b),
  }));
}
