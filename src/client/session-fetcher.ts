// Multi-partition fetching with incremental fetch sessions (KIP-227) for raftka's own consumer
// (consumer.ts): one Fetch per leader broker naming every partition it leads, each broker with its
// own session (fetch-session-handler.ts), so once the first full fetch made the session, an idle
// poll sends and receives (almost) no partitions. A partition the answer leaves out has nothing
// new. Errors Kafka calls retriable refresh the topic's metadata; others are thrown.
import { ErrorCode } from '../common/errors.js';
import { fetchApi, type FetchResponse } from '../protocol/messages/fetch.js';
import { IsolationLevel, type IsolationLevelId } from '../protocol/txn-types.js';
import { FetchSessionHandler, type SessionPartitionState } from './fetch-session-handler.js';
import { type KafkaClient, KafkaRequestError, retriable } from './kafka-client.js';
import { KafkaConnectionError } from './kafka-connection.js';

/** One partition's records as a fetch answered them. */
export interface SessionFetched {
  readonly topic: string;
  readonly partition: number;
  /** The offset the request asked from. */
  readonly fetchOffset: number;
  readonly records: Buffer;
  readonly highWatermark: number;
  readonly lastStableOffset: number;
  readonly abortedTransactions: readonly { producerId: number; firstOffset: number }[];
}

interface Wanted extends SessionPartitionState {
  readonly topic: string;
  readonly partition: number;
}

export interface SessionFetcherOptions {
  readonly isolationLevel?: IsolationLevelId;
  /** Per partition and per request (max.partition.fetch.bytes, fetch.max.bytes); default 1 MiB. */
  readonly maxBytes?: number;
  /** false: full fetches without a session every time (as before KIP-227). */
  readonly sessions?: boolean;
}

const key = (w: Wanted): string => `${w.topic}\u0000${w.partition}`;

export class SessionFetcher {
  /** Fetch sessions by broker id. */
  private readonly sessions = new Map<number, FetchSessionHandler<Wanted>>();

  constructor(
    private readonly client: KafkaClient,
    private readonly options: SessionFetcherOptions = {},
  ) {}

  /** Fetches every position from its leader, waiting up to `maxWaitMs` for something new. */
  async fetch(
    positions: readonly { topic: string; partition: number; offset: number }[],
    maxWaitMs: number,
  ): Promise<SessionFetched[]> {
    const byLeader = new Map<number, Wanted[]>();
    const maxBytes = this.options.maxBytes ?? 1024 * 1024;
    for (const p of positions) {
      const info = (await this.client.topic(p.topic)).partitions.find((x) => x.partition === p.partition);
      if (!info || info.leader < 0) {
        await this.client.topic(p.topic, true);
        continue;
      }
      const list = byLeader.get(info.leader) ?? [];
      list.push({
        topic: p.topic,
        partition: p.partition,
        fetchOffset: p.offset,
        currentLeaderEpoch: -1,
        lastFetchedEpoch: -1,
        maxBytes,
        logStartOffset: -1,
      });
      byLeader.set(info.leader, list);
    }
    // A broker no longer leading anything we want: close its session (a final, empty fetch is not worth a round trip).
    for (const id of this.sessions.keys()) if (!byLeader.has(id)) this.sessions.delete(id);
    const answers = await Promise.all([...byLeader].map(([id, wanted]) => this.fetchFrom(id, wanted, maxWaitMs)));
    return answers.flat();
  }

  private async fetchFrom(brokerId: number, wanted: readonly Wanted[], maxWaitMs: number): Promise<SessionFetched[]> {
    let session = this.sessions.get(brokerId);
    if (!session) {
      session = new FetchSessionHandler<Wanted>(this.options.sessions ?? true);
      this.sessions.set(brokerId, session);
    }
    const plan = session.build(wanted, key);
    let res: FetchResponse;
    try {
      const c = await this.client.connectionTo(brokerId);
      res = await c.send(
        fetchApi,
        {
          maxWaitMs,
          minBytes: 1,
          maxBytes: this.options.maxBytes ?? 1024 * 1024,
          isolationLevel: this.options.isolationLevel ?? IsolationLevel.READ_UNCOMMITTED,
          sessionId: plan.sessionId,
          sessionEpoch: plan.sessionEpoch,
          topics: byTopic(plan.toSend).map(([topic, parts]) => ({
            topic,
            partitions: parts.map((p) => ({
              partition: p.partition,
              currentLeaderEpoch: p.currentLeaderEpoch,
              fetchOffset: p.fetchOffset,
              logStartOffset: p.logStartOffset,
              partitionMaxBytes: p.maxBytes,
            })),
          })),
          forgottenTopicsData: byTopic(plan.forgotten).map(([topic, parts]) => ({
            topic,
            partitions: parts.map((p) => p.partition),
          })),
          rackId: '',
        },
        this.client.requestTimeoutMs + maxWaitMs,
      );
    } catch (err) {
      session.handleError();
      if (err instanceof KafkaConnectionError) {
        for (const t of new Set(wanted.map((w) => w.topic))) await this.client.topic(t, true).catch(() => undefined);
        return [];
      }
      throw err;
    }
    session.handleResponse(res.errorCode, res.sessionId);
    if (res.errorCode !== ErrorCode.NONE) return []; // a session error: the next fetch starts a new one
    // Over a fetch quota the broker answers empty with the throttle time: wait it out (KIP-219).
    if (res.throttleTimeMs > 0 && res.responses.length === 0)
      await new Promise((r) => setTimeout(r, res.throttleTimeMs));
    return this.answered(res, wanted);
  }

  private async answered(res: FetchResponse, wanted: readonly Wanted[]): Promise<SessionFetched[]> {
    const asked = new Map(wanted.map((w) => [key(w), w]));
    const out: SessionFetched[] = [];
    const stale = new Set<string>();
    for (const t of res.responses)
      for (const p of t.partitions) {
        const topic = t.topic ?? '';
        const w = asked.get(`${topic}\u0000${p.partitionIndex}`);
        if (!w) continue;
        if (p.errorCode !== ErrorCode.NONE) {
          if (!retriable.has(p.errorCode))
            throw new KafkaRequestError(p.errorCode, `${topic}-${p.partitionIndex} at offset ${w.fetchOffset}`);
          stale.add(topic);
          continue;
        }
        out.push({
          topic,
          partition: p.partitionIndex,
          fetchOffset: w.fetchOffset,
          records: p.records ?? Buffer.alloc(0),
          highWatermark: p.highWatermark,
          lastStableOffset: p.lastStableOffset,
          abortedTransactions: p.abortedTransactions ?? [],
        });
      }
    for (const topic of stale) await this.client.topic(topic, true).catch(() => undefined);
    return out;
  }
}

/** Partitions grouped by topic, in order. */
function byTopic(parts: readonly Wanted[]): [string, Wanted[]][] {
  const out = new Map<string, Wanted[]>();
  for (const p of parts) {
    const list = out.get(p.topic) ?? [];
    list.push(p);
    out.set(p.topic, list);
  }
  return [...out];
}
