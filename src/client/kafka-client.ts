// raftka's own small Kafka client (CLI tools, tests, jepsen-like), built on the protocol codecs:
// bootstrap from any broker, learn the cluster from Metadata, send data requests to partition
// leaders and admin requests to any broker (brokers forward them to the active controller).
// Leader changes are followed by refreshing metadata and retrying, a bounded number of times.
import type { Endpoint } from '../common/node-config.js';
import { ErrorCode, errorName } from '../common/errors.js';
import { createPartitionsApi } from '../protocol/messages/create-partitions.js';
import { createTopicsApi } from '../protocol/messages/create-topics.js';
import { deleteTopicsApi } from '../protocol/messages/delete-topics.js';
import { zeroUuid } from '../protocol/primitives/uuid.js';
import { describeConfigsApi, type DescribeConfigsResponse } from '../protocol/messages/describe-configs.js';
import { fetchApi } from '../protocol/messages/fetch.js';
import { incrementalAlterConfigsApi } from '../protocol/messages/incremental-alter-configs.js';
import { listOffsetsApi } from '../protocol/messages/list-offsets.js';
import { metadataApi, type MetadataResponse } from '../protocol/messages/metadata.js';
import { produceApi } from '../protocol/messages/produce.js';
import {
  alterPartitionReassignmentsApi,
  listPartitionReassignmentsApi,
} from '../protocol/messages/partition-reassignments.js';
import { IsolationLevel, type IsolationLevelId } from '../protocol/txn-types.js';
import type { AbortedTransaction } from './read-committed.js';
import { KafkaConnection, KafkaConnectionError } from './kafka-connection.js';
import { type ClientSecurity, plaintextClient } from '../security/client-security.js';

interface KafkaClientOptions {
  readonly clientId?: string;
  readonly requestTimeoutMs?: number;
  /** Attempts for a request whose leader moved or is not known yet. */
  readonly retries?: number;
  /** TLS and SASL (from a --command-config file); PLAINTEXT when absent. */
  readonly security?: ClientSecurity;
}

export interface PartitionInfo {
  readonly partition: number;
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly offlineReplicas: readonly number[];
}

export interface TopicInfo {
  readonly name: string;
  readonly topicId: string;
  readonly errorCode: number;
  readonly partitions: readonly PartitionInfo[];
}

/** One partition of a Fetch answer. abortedTransactions is filled for read_committed only. */
export interface FetchedPartition {
  readonly records: Buffer;
  readonly highWatermark: number;
  readonly logStartOffset: number;
  /** -1 when the broker does not say (read_uncommitted, old versions). */
  readonly lastStableOffset: number;
  readonly abortedTransactions: readonly AbortedTransaction[];
}

export class KafkaRequestError extends Error {
  override readonly name = 'KafkaRequestError';
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(`${errorName(errorCode)}: ${message}`);
  }
}

/** Throws the answer's error (UNKNOWN_SERVER_ERROR when the answer is missing) unless it is NONE. */
function throwUnlessNone<T extends { readonly errorCode: number; readonly errorMessage: string | null }>(
  r: T | undefined,
  what: string,
): asserts r is T {
  if (r?.errorCode !== 0)
    throw new KafkaRequestError(r?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR, r?.errorMessage ?? what);
}

/** Errors after which a fresh Metadata and a retry may succeed. */
export const retriable: ReadonlySet<number> = new Set<number>([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.REQUEST_TIMED_OUT,
  ErrorCode.NOT_CONTROLLER,
  ErrorCode.BROKER_NOT_AVAILABLE,
]);

const retryBackoffMs = 100;

/** A fetch answered empty because of a quota: nothing read, the partition's offsets unknown (-1). */
const noRecordsYet = { records: Buffer.alloc(0), highWatermark: -1, logStartOffset: -1, abortedTransactions: [] };

export class KafkaClient {
  readonly clientId: string;
  private readonly timeoutMs: number;
  private readonly retries: number;
  readonly security: ClientSecurity;
  private readonly connections = new Map<string, KafkaConnection>();
  private readonly opening = new Map<string, Promise<KafkaConnection>>();
  /** Bumped by close(): a connection whose open finishes after it is closed at once. */
  private closeGeneration = 0;
  private brokers = new Map<number, Endpoint>();
  private topics = new Map<string, TopicInfo>();

  constructor(
    private readonly bootstrap: readonly Endpoint[],
    options: KafkaClientOptions = {},
  ) {
    if (bootstrap.length === 0) throw new Error('no bootstrap servers');
    this.clientId = options.clientId ?? 'raftka-client';
    this.timeoutMs = options.requestTimeoutMs ?? 30_000;
    this.retries = options.retries ?? 20;
    this.security = options.security ?? plaintextClient;
  }

  private connection(ep: Endpoint): Promise<KafkaConnection> {
    return this.sharedConnection(`${ep.host}:${ep.port}`, ep);
  }

  /**
   * The open connection under `key`, or one being opened: concurrent first uses of a broker
   * wait on the same open, so no second connection is made and left unclosed (which kept CLI
   * processes alive after close()).
   */
  private sharedConnection(key: string, ep: Endpoint): Promise<KafkaConnection> {
    const existing = this.connections.get(key);
    if (existing && !existing.isClosed) return Promise.resolve(existing);
    const pending = this.opening.get(key);
    if (pending) return pending;
    existing?.close();
    this.connections.delete(key);
    const generation = this.closeGeneration;
    const opened = KafkaConnection.open(ep, this.clientId, this.timeoutMs, this.security).then(
      (c) => {
        this.opening.delete(key);
        if (generation !== this.closeGeneration) {
          c.close();
          throw new KafkaConnectionError('client closed');
        }
        this.connections.set(key, c);
        return c;
      },
      (err: unknown) => {
        this.opening.delete(key);
        throw err;
      },
    );
    this.opening.set(key, opened);
    return opened;
  }

  /** The timeout of one request (calls that wait on purpose, like JoinGroup, add their wait). */
  get requestTimeoutMs(): number {
    return this.timeoutMs;
  }

  /**
   * A connection of its own to `ep`, kept apart from the shared one under `purpose`. Group
   * coordinator requests use it: a JoinGroup may wait a whole rebalance, and answers on one
   * connection come back in order, so sharing would hold up fetches (Kafka's consumer keeps a
   * separate coordinator connection for the same reason). Closed by close().
   */
  async dedicatedConnection(ep: Endpoint, purpose: string): Promise<KafkaConnection> {
    return this.sharedConnection(`${purpose}/${ep.host}:${ep.port}`, ep);
  }

  /** Brokers by node id, as the last Metadata answer listed them. */
  knownBrokers(): ReadonlyMap<number, Endpoint> {
    return this.brokers;
  }

  /** A connection to any broker: known brokers first, then the bootstrap list. */
  async anyConnection(): Promise<KafkaConnection> {
    let last: unknown = null;
    for (const ep of [...this.brokers.values(), ...this.bootstrap]) {
      try {
        return await this.connection(ep);
      } catch (err) {
        last = err;
      }
    }
    throw last instanceof Error ? last : new KafkaConnectionError('no broker reachable');
  }

  async connectionTo(nodeId: number): Promise<KafkaConnection> {
    const ep = this.brokers.get(nodeId);
    if (!ep) throw new KafkaRequestError(ErrorCode.BROKER_NOT_AVAILABLE, `broker ${nodeId} is not in the metadata`);
    return this.connection(ep);
  }

  /** Metadata for `topics` (null: all), updating what this client knows. */
  async metadata(
    topics: readonly string[] | null,
    allowAutoTopicCreation = false,
  ): Promise<{
    clusterId: string | null;
    controllerId: number;
    brokers: { nodeId: number; host: string; port: number; rack: string | null }[];
    topics: TopicInfo[];
  }> {
    const c = await this.anyConnection();
    const res: MetadataResponse = await c.send(
      metadataApi,
      { topics: topics === null ? null : topics.map((name) => ({ name })), allowAutoTopicCreation },
      this.timeoutMs,
    );
    this.brokers = new Map(res.brokers.map((b) => [b.nodeId, { host: b.host, port: b.port }]));
    const infos: TopicInfo[] = res.topics.map((t) => ({
      name: t.name ?? '',
      topicId: t.topicId ?? '',
      errorCode: t.errorCode,
      partitions: t.partitions
        .map((p) => ({
          partition: p.partitionIndex,
          leader: p.leaderId,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicaNodes,
          isr: p.isrNodes,
          offlineReplicas: p.offlineReplicas ?? [],
        }))
        .sort((a, b) => a.partition - b.partition),
    }));
    for (const t of infos) if (t.errorCode === 0) this.topics.set(t.name, t);
    return {
      clusterId: res.clusterId,
      controllerId: res.controllerId,
      brokers: res.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack })),
      topics: infos,
    };
  }

  /** The topic's partitions, from metadata (fetched when not known or when `refresh`). */
  async topic(name: string, refresh = false): Promise<TopicInfo> {
    if (!refresh) {
      const known = this.topics.get(name);
      if (known) return known;
    }
    const md = await this.metadata([name]);
    const t = md.topics.find((x) => x.name === name);
    if (t?.errorCode !== 0)
      throw new KafkaRequestError(t?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${name}`);
    return t;
  }

  /** Run `attempt` against the partition's leader, refreshing metadata and retrying on leader errors. */
  private async withLeader<T>(
    topic: string,
    partition: number,
    attempt: (c: KafkaConnection, p: PartitionInfo) => Promise<{ errorCode: number; value: T }>,
  ): Promise<T> {
    let refresh = false;
    for (let i = 0; ; i++) {
      let code: number = ErrorCode.LEADER_NOT_AVAILABLE;
      try {
        const t = await this.topic(topic, refresh);
        const p = t.partitions.find((x) => x.partition === partition);
        if (!p) throw new KafkaRequestError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${topic}-${partition}`);
        if (p.leader >= 0) {
          const r = await attempt(await this.connectionTo(p.leader), p);
          if (r.errorCode === ErrorCode.NONE) return r.value;
          code = r.errorCode;
        }
      } catch (err) {
        if (
          !(err instanceof KafkaConnectionError) &&
          !(err instanceof KafkaRequestError && retriable.has(err.errorCode))
        )
          throw err;
        if (i >= this.retries) throw err;
      }
      if (!retriable.has(code)) throw new KafkaRequestError(code, `${topic}-${partition}`);
      if (i >= this.retries) throw new KafkaRequestError(code, `${topic}-${partition} after ${i + 1} attempts`);
      refresh = true;
      await new Promise((r) => setTimeout(r, retryBackoffMs));
    }
  }

  /** Produce one or more record batches (RecordBatch v2 bytes) to a partition. */
  async produce(
    topic: string,
    partition: number,
    records: Buffer,
    acks: -1 | 0 | 1 = -1,
  ): Promise<{ baseOffset: number; logAppendTimeMs: number }> {
    return this.withLeader(topic, partition, async (c) => {
      if (acks === 0) {
        c.sendOneWay(produceApi, {
          transactionalId: null,
          acks,
          timeoutMs: this.timeoutMs,
          topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
        });
        return { errorCode: 0, value: { baseOffset: -1, logAppendTimeMs: -1 } };
      }
      const res = await c.send(
        produceApi,
        {
          transactionalId: null,
          acks,
          timeoutMs: this.timeoutMs,
          topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
        },
        this.timeoutMs + 5000,
      );
      const p = res.responses[0]?.partitionResponses[0];
      if (!p) throw new KafkaRequestError(ErrorCode.UNKNOWN_SERVER_ERROR, 'empty produce response');
      if (p.errorCode !== 0 && !retriable.has(p.errorCode))
        throw new KafkaRequestError(p.errorCode, p.errorMessage ?? `${topic}-${partition}`);
      return { errorCode: p.errorCode, value: { baseOffset: p.baseOffset, logAppendTimeMs: p.logAppendTimeMs } };
    });
  }

  /** Fetch from a partition's leader (long-polls up to maxWaitMs when there is nothing new). */
  async fetch(
    topic: string,
    partition: number,
    offset: number,
    opts: { maxBytes?: number; maxWaitMs?: number; isolationLevel?: IsolationLevelId } = {},
  ): Promise<FetchedPartition> {
    return this.withLeader(topic, partition, async (c) => {
      const maxBytes = opts.maxBytes ?? 1024 * 1024;
      const res = await c.send(
        fetchApi,
        {
          maxWaitMs: opts.maxWaitMs ?? 500,
          minBytes: 1,
          maxBytes,
          isolationLevel: opts.isolationLevel ?? IsolationLevel.READ_UNCOMMITTED,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [
            {
              topic,
              partitions: [
                {
                  partition,
                  currentLeaderEpoch: -1,
                  fetchOffset: offset,
                  logStartOffset: -1,
                  partitionMaxBytes: maxBytes,
                },
              ],
            },
          ],
          forgottenTopicsData: [],
          rackId: '',
        },
        this.timeoutMs + (opts.maxWaitMs ?? 500),
      );
      const p = res.responses[0]?.partitions[0];
      // Over a fetch quota the broker answers empty with the throttle time (Kafka's throttled
      // response): wait it out as Kafka's consumer does (KIP-219), then report no records yet.
      if (!p && res.errorCode === 0 && res.throttleTimeMs > 0) {
        await new Promise((r) => setTimeout(r, res.throttleTimeMs));
        return { errorCode: ErrorCode.NONE, value: { ...noRecordsYet, lastStableOffset: -1 } };
      }
      if (!p) throw new KafkaRequestError(res.errorCode || ErrorCode.UNKNOWN_SERVER_ERROR, 'empty fetch response');
      if (p.errorCode !== 0 && !retriable.has(p.errorCode))
        throw new KafkaRequestError(p.errorCode, `${topic}-${partition} at offset ${offset}`);
      return {
        errorCode: p.errorCode,
        value: {
          records: p.records ?? Buffer.alloc(0),
          highWatermark: p.highWatermark,
          logStartOffset: p.logStartOffset,
          lastStableOffset: p.lastStableOffset,
          abortedTransactions: p.abortedTransactions ?? [],
        },
      };
    });
  }

  /**
   * ListOffsets: -1 latest, -2 earliest, or the first offset with a timestamp ≥ `timestamp`. With
   * read_committed, latest is the last stable offset.
   */
  async listOffset(
    topic: string,
    partition: number,
    timestamp: number,
    isolationLevel: IsolationLevelId = IsolationLevel.READ_UNCOMMITTED,
  ): Promise<{ offset: number; timestamp: number }> {
    return this.withLeader(topic, partition, async (c) => {
      const res = await c.send(
        listOffsetsApi,
        {
          replicaId: -1,
          isolationLevel,
          topics: [{ name: topic, partitions: [{ partitionIndex: partition, timestamp }] }],
        },
        this.timeoutMs,
      );
      const p = res.topics[0]?.partitions[0];
      if (!p) throw new KafkaRequestError(ErrorCode.UNKNOWN_SERVER_ERROR, 'empty list offsets response');
      return {
        errorCode: p.errorCode,
        value: { offset: p.offset ?? p.oldStyleOffsets?.[0] ?? -1, timestamp: p.timestamp },
      };
    });
  }

  async createTopic(
    name: string,
    partitions: number,
    replicationFactor: number,
    configs: ReadonlyMap<string, string> = new Map(),
    validateOnly = false,
  ): Promise<void> {
    const c = await this.anyConnection();
    const res = await c.send(
      createTopicsApi,
      {
        topics: [
          {
            name,
            numPartitions: partitions,
            replicationFactor,
            assignments: [],
            configs: [...configs].map(([n, value]) => ({ name: n, value })),
          },
        ],
        timeoutMs: this.timeoutMs,
        validateOnly,
      },
      this.timeoutMs + 5000,
    );
    const t = res.topics[0];
    if (t?.errorCode !== 0)
      throw new KafkaRequestError(
        t?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR,
        t?.errorMessage || `create topic ${name}`,
      );
  }

  async deleteTopic(name: string): Promise<void> {
    const c = await this.anyConnection();
    const res = await c.send(
      deleteTopicsApi,
      // v6+ names it in Topics (by name: no id), older versions in TopicNames.
      { topics: [{ name, topicId: zeroUuid }], topicNames: [name], timeoutMs: this.timeoutMs },
      this.timeoutMs + 5000,
    );
    const t = res.responses[0];
    throwUnlessNone(t, `delete topic ${name}`);
  }

  async createPartitions(name: string, count: number, validateOnly = false): Promise<void> {
    const c = await this.anyConnection();
    const res = await c.send(
      createPartitionsApi,
      { topics: [{ name, count, assignments: null }], timeoutMs: this.timeoutMs, validateOnly },
      this.timeoutMs + 5000,
    );
    const t = res.results[0];
    throwUnlessNone(t, `create partitions for ${name}`);
  }

  /** A topic's configs as DescribeConfigs returns them (with their sources). */
  async describeTopicConfigs(name: string): Promise<DescribeConfigsResponse['results'][number]['configs']> {
    return this.describeConfigs(2, name);
  }

  /**
   * A config resource's entries as DescribeConfigs returns them (topic 2, broker 4; a broker's own
   * settings are asked of that broker, the cluster default of any), with synonyms if asked.
   */
  async describeConfigs(
    resourceType: number,
    resourceName: string,
    includeSynonyms = false,
  ): Promise<DescribeConfigsResponse['results'][number]['configs']> {
    const brokerId = resourceType === 4 && resourceName !== '' ? Number(resourceName) : null;
    if (brokerId !== null && !this.brokers.has(brokerId)) await this.metadata([]);
    const c = brokerId === null ? await this.anyConnection() : await this.connectionTo(brokerId);
    const res: DescribeConfigsResponse = await c.send(
      describeConfigsApi,
      {
        resources: [{ resourceType, resourceName, configurationKeys: null }],
        includeSynonyms,
        includeDocumentation: false,
      },
      this.timeoutMs,
    );
    const r = res.results[0];
    throwUnlessNone(r, `describe configs of ${resourceName}`);
    return r.configs;
  }

  /** IncrementalAlterConfigs of one resource; throws KafkaRequestError with the broker's answer. */
  async incrementalAlterConfigs(
    resourceType: number,
    resourceName: string,
    configs: readonly { name: string; op: number; value?: string }[],
  ): Promise<void> {
    const c = await this.anyConnection();
    const res = await c.send(
      incrementalAlterConfigsApi,
      {
        resources: [
          {
            resourceType,
            resourceName,
            configs: configs.map((x) => ({ name: x.name, configOperation: x.op, value: x.value ?? null })),
          },
        ],
        validateOnly: false,
      },
      this.timeoutMs + 5000,
    );
    const r = res.responses[0];
    throwUnlessNone(r, `alter configs of ${resourceName}`);
  }

  /** Start (replicas given) or cancel (null) partition reassignments; one error code per item. */
  async alterPartitionReassignments(
    items: readonly { topic: string; partition: number; replicas: readonly number[] | null }[],
  ): Promise<{ topic: string; partition: number; errorCode: number; errorMessage: string | null }[]> {
    const c = await this.anyConnection();
    const topics = [...new Set(items.map((i) => i.topic))].map((name) => ({
      name,
      partitions: items
        .filter((i) => i.topic === name)
        .map((i) => ({ partitionIndex: i.partition, replicas: i.replicas === null ? null : [...i.replicas] })),
    }));
    const res = await c.send(
      alterPartitionReassignmentsApi,
      { timeoutMs: this.timeoutMs, topics },
      this.timeoutMs + 5000,
    );
    if (res.errorCode !== 0)
      throw new KafkaRequestError(res.errorCode, res.errorMessage ?? 'AlterPartitionReassignments');
    return res.responses.flatMap((t) =>
      t.partitions.map((p) => ({
        topic: t.name,
        partition: p.partitionIndex,
        errorCode: p.errorCode,
        errorMessage: p.errorMessage,
      })),
    );
  }

  /** Reassignments in progress (all, or of the given partitions). */
  async listPartitionReassignments(
    partitions: readonly { topic: string; partition: number }[] | null,
  ): Promise<
    { topic: string; partition: number; replicas: number[]; addingReplicas: number[]; removingReplicas: number[] }[]
  > {
    const c = await this.anyConnection();
    const topics =
      partitions === null
        ? null
        : [...new Set(partitions.map((p) => p.topic))].map((name) => ({
            name,
            partitionIndexes: partitions.filter((p) => p.topic === name).map((p) => p.partition),
          }));
    const res = await c.send(
      listPartitionReassignmentsApi,
      { timeoutMs: this.timeoutMs, topics },
      this.timeoutMs + 5000,
    );
    if (res.errorCode !== 0)
      throw new KafkaRequestError(res.errorCode, res.errorMessage ?? 'ListPartitionReassignments');
    return res.topics.flatMap((t) =>
      t.partitions.map((p) => ({
        topic: t.name,
        partition: p.partitionIndex,
        replicas: [...p.replicas],
        addingReplicas: [...p.addingReplicas],
        removingReplicas: [...p.removingReplicas],
      })),
    );
  }

  close(): void {
    this.closeGeneration++;
    for (const c of this.connections.values()) c.close();
    this.connections.clear();
    this.opening.clear();
  }
}
