// A one-node fake Kafka broker for client tests, in-process on an ephemeral 127.0.0.1 port: it
// speaks the wire protocol with our own codecs (so requests really cross a socket at negotiated
// versions) and holds a toy classic group coordinator — enough to drive GroupConsumer and the
// group client through MEMBER_ID_REQUIRED, rebalances, SyncGroup, heartbeats, commits and
// LeaveGroup. It is no model of the real coordinator (no session expiry, one group per id, no
// persistence); src/broker/group/ is. Requests of one connection are answered in order.
import { createServer, type Server, type Socket } from 'node:net';
import { ErrorCode } from '../../src/common/errors.js';
import { apiFor, apiVersionsResponse } from '../../src/protocol/apis.js';
import { encodeResponseFrame, FrameSplitter } from '../../src/protocol/frame.js';
import { decodeRequestHeader } from '../../src/protocol/header.js';
import { Reader } from '../../src/protocol/primitives/reader.js';
import { buildRecordBatch } from '../../src/protocol/record-batch.js';

type Obj = Record<string, unknown>;
type Res = Obj;

interface FakeMember {
  readonly memberId: string;
  readonly instanceId: string | null;
  readonly clientId: string;
  protocols: { name: string; metadata: Buffer }[];
  rebalanceTimeoutMs: number;
  join: ((r: Res) => void) | null;
  sync: ((r: Res) => void) | null;
  assignment: Buffer;
}

/** A toy classic group: Empty → PreparingRebalance → CompletingRebalance → Stable. */
class FakeGroup {
  state: 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead' = 'Empty';
  generation = 0;
  leader: string | null = null;
  protocol: string | null = null;
  protocolType: string | null = null;
  readonly members = new Map<string, FakeMember>();
  readonly pendingIds = new Set<string>();
  readonly offsets = new Map<string, number>();
  private nextId = 1;
  private timer: NodeJS.Timeout | null = null;
  /** Before the initial rebalance delay has passed, a join waits for more members even when all are in. */
  private delayUntil = 0;

  constructor(
    readonly groupId: string,
    private readonly initialDelayMs: number,
  ) {}

  join(req: Obj, version: number, clientId: string): Promise<Res> {
    let memberId = req['memberId'] as string;
    const instanceId = (req['groupInstanceId'] as string | null) ?? null;
    // ProtocolName is nullable only from v7.
    const fail = (errorCode: number): Promise<Res> =>
      Promise.resolve({
        errorCode,
        generationId: -1,
        protocolName: version >= 7 ? null : '',
        leader: '',
        memberId,
        members: [],
      });
    if (memberId === '') {
      const existing =
        instanceId === null ? undefined : [...this.members.values()].find((m) => m.instanceId === instanceId);
      memberId = existing?.memberId ?? `${clientId}-${this.nextId++}`;
      if (instanceId === null && version >= 4) {
        this.pendingIds.add(memberId);
        return fail(ErrorCode.MEMBER_ID_REQUIRED);
      }
    } else if (!this.members.has(memberId) && !this.pendingIds.has(memberId)) {
      return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    }
    this.pendingIds.delete(memberId);
    this.protocolType = req['protocolType'] as string;
    const m: FakeMember = this.members.get(memberId) ?? {
      memberId,
      instanceId,
      clientId,
      protocols: [],
      rebalanceTimeoutMs: 0,
      join: null,
      sync: null,
      assignment: Buffer.alloc(0),
    };
    m.protocols = (req['protocols'] as { name: string; metadata: Buffer }[]).map((p) => ({
      name: p.name,
      metadata: Buffer.from(p.metadata),
    }));
    m.rebalanceTimeoutMs = req['rebalanceTimeoutMs'] as number;
    this.members.set(memberId, m);
    return new Promise((resolve) => {
      m.join = resolve;
      if (this.state !== 'PreparingRebalance') this.prepareRebalance(this.state === 'Empty' ? this.initialDelayMs : 0);
      this.maybeCompleteJoin();
    });
  }

  private prepareRebalance(delayMs: number): void {
    for (const m of this.members.values()) {
      m.sync?.({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: Buffer.alloc(0) });
      m.sync = null;
    }
    this.state = 'PreparingRebalance';
    const timeoutMs = Math.max(delayMs, ...[...this.members.values()].map((m) => m.rebalanceTimeoutMs));
    if (this.timer) clearTimeout(this.timer);
    const started = Date.now();
    this.timer = setTimeout(() => {
      this.timer = null;
      // Rebalance timeout: members that did not rejoin are out.
      for (const m of [...this.members.values()]) if (!m.join) this.members.delete(m.memberId);
      this.maybeCompleteJoin();
    }, timeoutMs);
    this.delayUntil = started + delayMs;
  }

  private maybeCompleteJoin(): void {
    if (this.state !== 'PreparingRebalance') return;
    const all = [...this.members.values()];
    if (all.length === 0 || all.some((m) => !m.join)) return;
    if (Date.now() < this.delayUntil) {
      setTimeout(() => this.maybeCompleteJoin(), this.delayUntil - Date.now() + 1);
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.generation++;
    if (this.leader === null || !this.members.has(this.leader)) this.leader = all[0]!.memberId;
    const leader = this.members.get(this.leader)!;
    this.protocol =
      leader.protocols.map((p) => p.name).find((name) => all.every((m) => m.protocols.some((p) => p.name === name))) ??
      null;
    this.state = 'CompletingRebalance';
    for (const m of all) {
      const members =
        m.memberId === this.leader
          ? all.map((x) => ({
              memberId: x.memberId,
              groupInstanceId: x.instanceId,
              metadata: x.protocols.find((p) => p.name === this.protocol)!.metadata,
            }))
          : [];
      m.join!({
        errorCode: 0,
        generationId: this.generation,
        protocolName: this.protocol,
        leader: this.leader,
        memberId: m.memberId,
        members,
      });
      m.join = null;
    }
  }

  sync(req: Obj): Promise<Res> {
    const m = this.members.get(req['memberId'] as string);
    const answer = (errorCode: number, assignment: Buffer = Buffer.alloc(0)): Promise<Res> =>
      Promise.resolve({ errorCode, assignment });
    if (!m) return answer(ErrorCode.UNKNOWN_MEMBER_ID);
    if (req['generationId'] !== this.generation) return answer(ErrorCode.ILLEGAL_GENERATION);
    if (this.state === 'PreparingRebalance') return answer(ErrorCode.REBALANCE_IN_PROGRESS);
    if (this.state === 'Stable') return answer(0, m.assignment);
    return new Promise((resolve) => {
      m.sync = resolve;
      if (m.memberId !== this.leader) return;
      const given = new Map(
        (req['assignments'] as { memberId: string; assignment: Buffer }[]).map((a) => [
          a.memberId,
          Buffer.from(a.assignment),
        ]),
      );
      for (const x of this.members.values()) x.assignment = given.get(x.memberId) ?? Buffer.alloc(0);
      this.state = 'Stable';
      for (const x of this.members.values()) {
        x.sync?.({ errorCode: 0, assignment: x.assignment });
        x.sync = null;
      }
    });
  }

  heartbeat(req: Obj): number {
    const m = this.members.get(req['memberId'] as string);
    if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (req['generationId'] !== this.generation) return ErrorCode.ILLEGAL_GENERATION;
    if (this.state === 'PreparingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    return ErrorCode.NONE;
  }

  leave(memberIds: readonly string[]): number[] {
    const codes = memberIds.map((id) => (this.members.delete(id) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID));
    if (this.members.size === 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.state = 'Empty';
      this.generation++;
      this.leader = null;
    } else if (this.state !== 'PreparingRebalance') {
      this.prepareRebalance(0);
    }
    return codes;
  }

  commit(req: Obj): number {
    const generation = req['generationIdOrMemberEpoch'] as number;
    const memberId = (req['memberId'] as string | undefined) ?? '';
    if (generation < 0 && memberId === '')
      return this.state === 'Empty' || this.state === 'Dead' ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
    if (!this.members.has(memberId)) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generation !== this.generation) return ErrorCode.ILLEGAL_GENERATION;
    if (this.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    return ErrorCode.NONE;
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}

export interface LoggedRequest {
  readonly api: string;
  readonly version: number;
  readonly body: Obj;
}

export class FakeBroker {
  readonly requests: LoggedRequest[] = [];
  /** FindCoordinator answers COORDINATOR_NOT_AVAILABLE this many more times (a new cluster's __consumer_offsets). */
  coordinatorUnavailableAnswers = 0;
  /** OffsetFetch requests with requireStable answered UNSTABLE_OFFSET_COMMIT (a transactional commit pending) before a real answer. */
  unstableOffsetAnswers = 0;
  readonly groups = new Map<string, FakeGroup>();
  /** topic → partition → records' values (offset = index). */
  private readonly logs = new Map<string, string[][]>();
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly initialRebalanceDelayMs: number,
  ) {}

  static async start(
    topics: Record<string, number>,
    opts: { initialRebalanceDelayMs?: number } = {},
  ): Promise<FakeBroker> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const b = new FakeBroker(server, port, opts.initialRebalanceDelayMs ?? 50);
    for (const [t, n] of Object.entries(topics))
      b.logs.set(
        t,
        Array.from({ length: n }, () => []),
      );
    server.on('connection', (s) => b.serve(s));
    return b;
  }

  get bootstrap(): { host: string; port: number }[] {
    return [{ host: '127.0.0.1', port: this.port }];
  }

  append(topic: string, partition: number, values: readonly string[]): void {
    this.logs.get(topic)![partition]!.push(...values);
  }

  group(groupId: string): FakeGroup {
    let g = this.groups.get(groupId);
    if (!g) this.groups.set(groupId, (g = new FakeGroup(groupId, this.initialRebalanceDelayMs)));
    return g;
  }

  committed(groupId: string, topic: string, partition: number): number | undefined {
    return this.groups.get(groupId)?.offsets.get(`${topic}:${partition}`);
  }

  count(api: string): number {
    return this.requests.filter((r) => r.api === api).length;
  }

  async close(): Promise<void> {
    for (const g of this.groups.values()) g.close();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    const splitter = new FrameSplitter();
    let chain = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      for (const frame of splitter.push(chunk)) {
        const copy = Buffer.from(frame);
        chain = chain
          .then(async () => {
            const h = decodeRequestHeader(copy);
            const api = apiFor(h.apiKey)!;
            const body = api.decodeRequest(h.apiVersion, new Reader(copy, h.bodyOffset)) as Obj;
            this.requests.push({ api: api.name, version: h.apiVersion, body });
            const res = await this.handle(api.name, h.apiVersion, body, h.clientId ?? '');
            if (!socket.destroyed)
              socket.write(
                Buffer.concat(encodeResponseFrame(api as never, h.apiVersion, h.correlationId, res as never)),
              );
          })
          .catch((err: unknown) => {
            // A bug in this fake: make it visible in the test's output and drop the connection.
            console.error('fake broker:', err);
            socket.destroy();
          });
      }
    });
  }

  private async handle(api: string, version: number, req: Obj, clientId: string): Promise<Res> {
    switch (api) {
      case 'ApiVersions':
        return apiVersionsResponse() as unknown as Res;
      case 'Metadata':
        return this.metadata(req);
      case 'FindCoordinator':
        return this.findCoordinator(req, version);
      case 'JoinGroup':
        return this.group(req['groupId'] as string).join(req, version, clientId);
      case 'SyncGroup':
        return this.group(req['groupId'] as string).sync(req);
      case 'Heartbeat':
        return { errorCode: this.group(req['groupId'] as string).heartbeat(req) };
      case 'LeaveGroup': {
        const ids =
          version >= 3
            ? (req['members'] as { memberId: string }[]).map((m) => m.memberId)
            : [req['memberId'] as string];
        const codes = this.group(req['groupId'] as string).leave(ids);
        return {
          errorCode: version >= 3 ? 0 : codes[0]!,
          members: ids.map((memberId, i) => ({ memberId, groupInstanceId: null, errorCode: codes[i]! })),
        };
      }
      case 'OffsetCommit':
        return this.offsetCommit(req);
      case 'OffsetFetch':
        return this.offsetFetch(req);
      case 'ListOffsets':
        return this.listOffsets(req);
      case 'Fetch':
        return this.fetch(req);
      case 'DescribeGroups':
        return this.describeGroups(req);
      case 'ListGroups':
        return {
          errorCode: 0,
          groups: [...this.groups.values()]
            .filter((g) => g.state !== 'Dead')
            .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', groupState: g.state })),
        };
      case 'DeleteGroups':
        return {
          results: (req['groupsNames'] as string[]).map((groupId) => {
            const g = this.groups.get(groupId);
            if (!g || g.state === 'Dead') return { groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND };
            if (g.state !== 'Empty') return { groupId, errorCode: ErrorCode.NON_EMPTY_GROUP };
            this.groups.delete(groupId);
            return { groupId, errorCode: 0 };
          }),
        };
      case 'OffsetDelete': {
        const g = this.groups.get(req['groupId'] as string);
        const topics = req['topics'] as { name: string; partitions: { partitionIndex: number }[] }[];
        if (!g || g.state === 'Dead') return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: [] };
        // Simplified: every member of a non-empty group counts as subscribed to every topic.
        const subscribed = g.state !== 'Empty';
        return {
          errorCode: 0,
          topics: topics.map((t) => ({
            name: t.name,
            partitions: t.partitions.map((p) => {
              if (subscribed)
                return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC };
              g.offsets.delete(`${t.name}:${p.partitionIndex}`);
              return { partitionIndex: p.partitionIndex, errorCode: 0 };
            }),
          })),
        };
      }
      case 'ConsumerGroupDescribe':
        // The fake keeps classic groups only: every asked group is unknown to the new protocol.
        return {
          throttleTimeMs: 0,
          groups: (req['groupIds'] as string[]).map((groupId) => ({
            errorCode: ErrorCode.GROUP_ID_NOT_FOUND,
            groupId,
            groupState: '',
            groupEpoch: -1,
            assignmentEpoch: -1,
            assignorName: '',
            members: [],
          })),
        };
      default:
        throw new Error(`fake broker: no handler for ${api}`);
    }
  }

  private metadata(req: Obj): Res {
    const asked = req['topics'] as { name: string }[] | null;
    const names = asked === null ? [...this.logs.keys()] : asked.map((t) => t.name);
    return {
      brokers: [{ nodeId: 1, host: '127.0.0.1', port: this.port, rack: null }],
      clusterId: 'fake',
      controllerId: 1,
      topics: names.map((name) => {
        const parts = this.logs.get(name);
        if (!parts) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, partitions: [] };
        return {
          errorCode: 0,
          name,
          partitions: parts.map((_, i) => ({
            errorCode: 0,
            partitionIndex: i,
            leaderId: 1,
            leaderEpoch: 0,
            replicaNodes: [1],
            isrNodes: [1],
            offlineReplicas: [],
          })),
        };
      }),
    };
  }

  private findCoordinator(req: Obj, version: number): Res {
    const unavailable = this.coordinatorUnavailableAnswers > 0;
    if (unavailable) this.coordinatorUnavailableAnswers--;
    const answer = {
      nodeId: unavailable ? -1 : 1,
      host: unavailable ? '' : '127.0.0.1',
      port: unavailable ? -1 : this.port,
      errorCode: unavailable ? ErrorCode.COORDINATOR_NOT_AVAILABLE : 0,
      errorMessage: null,
    };
    if (version >= 4) return { coordinators: (req['coordinatorKeys'] as string[]).map((key) => ({ key, ...answer })) };
    return answer;
  }

  private offsetCommit(req: Obj): Res {
    const g = this.group(req['groupId'] as string);
    if (g.protocolType === null && g.state === 'Empty') g.protocolType = '';
    const code = g.commit(req);
    const topics = req['topics'] as {
      name: string;
      partitions: { partitionIndex: number; committedOffset: number }[];
    }[];
    if (code === 0)
      for (const t of topics)
        for (const p of t.partitions) g.offsets.set(`${t.name}:${p.partitionIndex}`, p.committedOffset);
    return {
      topics: topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code })),
      })),
    };
  }

  private offsetFetch(req: Obj): Res {
    const g = this.groups.get(req['groupId'] as string);
    const offsets = g?.offsets ?? new Map<string, number>();
    let topics = req['topics'] as { name: string; partitionIndexes: number[] }[] | null;
    if (topics === null) {
      const byTopic = new Map<string, number[]>();
      for (const k of offsets.keys()) {
        const [t, p] = [k.slice(0, k.lastIndexOf(':')), Number(k.slice(k.lastIndexOf(':') + 1))];
        byTopic.set(t, [...(byTopic.get(t) ?? []), p]);
      }
      topics = [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes }));
    }
    const unstable = req['requireStable'] === true && this.unstableOffsetAnswers > 0;
    if (unstable) this.unstableOffsetAnswers--;
    return {
      errorCode: 0,
      topics: topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((p) => ({
          partitionIndex: p,
          committedOffset: unstable ? -1 : (offsets.get(`${t.name}:${p}`) ?? -1),
          committedLeaderEpoch: -1,
          metadata: '',
          errorCode: unstable ? ErrorCode.UNSTABLE_OFFSET_COMMIT : 0,
        })),
      })),
    };
  }

  private listOffsets(req: Obj): Res {
    const topics = req['topics'] as { name: string; partitions: { partitionIndex: number; timestamp: number }[] }[];
    return {
      topics: topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          const log = this.logs.get(t.name)?.[p.partitionIndex];
          if (!log) return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
          const offset = p.timestamp === -2 ? 0 : log.length;
          return { partitionIndex: p.partitionIndex, errorCode: 0, timestamp: -1, offset, oldStyleOffsets: [offset] };
        }),
      })),
    };
  }

  private async fetch(req: Obj): Promise<Res> {
    const topics = req['topics'] as { topic: string; partitions: { partition: number; fetchOffset: number }[] }[];
    const nothingNew = topics.every((t) =>
      t.partitions.every((p) => p.fetchOffset >= (this.logs.get(t.topic)?.[p.partition]?.length ?? 0)),
    );
    if (nothingNew) await new Promise((r) => setTimeout(r, Math.min(req['maxWaitMs'] as number, 50)));
    return {
      responses: topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => {
          const log = this.logs.get(t.topic)?.[p.partition];
          if (!log)
            return {
              partitionIndex: p.partition,
              errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
              highWatermark: -1,
              records: null,
            };
          if (p.fetchOffset > log.length)
            return {
              partitionIndex: p.partition,
              errorCode: ErrorCode.OFFSET_OUT_OF_RANGE,
              highWatermark: log.length,
              records: null,
            };
          // One batch from the fetch offset to the end: what the client asked for and nothing older.
          const values = log.slice(p.fetchOffset);
          const records =
            values.length === 0
              ? Buffer.alloc(0)
              : buildRecordBatch(
                  values.map((v) => ({ value: Buffer.from(v), timestamp: 1_700_000_000_000 })),
                  { baseOffset: p.fetchOffset },
                );
          return {
            partitionIndex: p.partition,
            errorCode: 0,
            highWatermark: log.length,
            lastStableOffset: log.length,
            logStartOffset: 0,
            records,
          };
        }),
      })),
    };
  }

  private describeGroups(req: Obj): Res {
    return {
      groups: (req['groups'] as string[]).map((groupId) => {
        const g = this.groups.get(groupId);
        if (!g) return { errorCode: 0, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [] };
        return {
          errorCode: 0,
          groupId,
          groupState: g.state,
          protocolType: g.protocolType ?? '',
          protocolData: g.protocol ?? '',
          members: [...g.members.values()].map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.instanceId,
            clientId: m.clientId,
            clientHost: '/127.0.0.1',
            memberMetadata: m.protocols.find((p) => p.name === g.protocol)?.metadata ?? Buffer.alloc(0),
            memberAssignment: m.assignment,
          })),
        };
      }),
    };
  }
}
