// The follower side of replication: one fetch loop per leader broker, each long-polling that
// leader's replication endpoint (replica fetch over TCP, rpc/replica-link.ts) for every partition
// this broker follows there, appending what comes back byte for byte, truncating where the
// leader says the logs diverged, and learning the high watermark. Loops start and stop as the image moves leaders.
// Replicas under a follower replication throttle are left out while it is exceeded.
// Each loop keeps a fetch session with its leader (KIP-227's semantics, client/fetch-session-handler.ts):
// after the first full fetch, a request names only partitions whose fetch offset or epochs moved,
// and the answer only partitions with something new, so an idle follower's fetch is nearly empty.
// One fetch is in flight per leader: a fetch tells the leader this follower's log end (which moves
// its high watermark), so the next is sent only once the records of the last answer are appended.
import type { Logger } from 'pino';
import type { Endpoint } from '../common/node-config.js';
import { plaintextRpc, type RpcClientSecurity } from '../rpc/rpc-security.js';
import { ReplicaLink } from '../rpc/replica-link.js';
import type { ReplicaFetchRequest, ReplicaFetchResponse } from '../rpc/replica-wire.js';
import type { Partition } from './partition.js';
import { partitionKey } from '../protocol/topic-partition.js';
import type { ReplicaManager } from './replica-manager.js';
import { FetchSessionHandler, type SessionPartitionState } from '../client/fetch-session-handler.js';
import { sessionKey } from './fetch-session.js';

/** Pause after a failed fetch before trying that leader again. */
const retryBackoffMs = 100;

interface ReplicaFetcherOptions {
  readonly brokerId: number;
  readonly replicas: ReplicaManager;
  readonly logger: Logger;
  /** The replication endpoint of a broker, from the metadata image; null when unknown. */
  readonly endpointOf: (brokerId: number) => Endpoint | null;
  readonly brokerEpoch: () => number;
  readonly fetchMaxBytes: number;
  readonly fetchWaitMaxMs: number;
  /** How to reach the leaders' replication listeners (plaintext, or mutual TLS); default plaintext. */
  readonly security?: RpcClientSecurity;
  /** Keep fetch sessions with the leaders (default true; false: every fetch names every partition). */
  readonly sessions?: boolean;
}

interface Loop {
  readonly leaderId: number;
  stopped: boolean;
  client: ReplicaLink | null;
  endpointKey: string;
  readonly session: FetchSessionHandler<SessionPartition>;
}

/** A followed partition as its fetch session names it. */
interface SessionPartition extends SessionPartitionState {
  readonly p: Partition;
}

export class ReplicaFetcher {
  private readonly loops = new Map<number, Loop>();
  private closed = false;

  constructor(private readonly options: ReplicaFetcherOptions) {}

  /** Start loops for leaders we now follow, stop the others. */
  refresh(): void {
    if (this.closed) return;
    const byLeader = this.options.replicas.followedByLeader();
    for (const [leaderId, loop] of this.loops) {
      if (!byLeader.has(leaderId)) {
        loop.stopped = true;
        loop.client?.close();
        this.loops.delete(leaderId);
      }
    }
    for (const leaderId of byLeader.keys()) {
      if (this.loops.has(leaderId)) continue;
      const session = new FetchSessionHandler<SessionPartition>(this.options.sessions ?? true);
      const loop: Loop = { leaderId, stopped: false, client: null, endpointKey: '', session };
      this.loops.set(leaderId, loop);
      void this.run(loop);
    }
  }

  close(): void {
    this.closed = true;
    for (const loop of this.loops.values()) {
      loop.stopped = true;
      loop.client?.close();
    }
    this.loops.clear();
  }

  private clientFor(loop: Loop): ReplicaLink | null {
    const ep = this.options.endpointOf(loop.leaderId);
    if (!ep) return null;
    const key = `${ep.host}:${ep.port}`;
    if (loop.client && loop.endpointKey === key) return loop.client;
    loop.client?.close();
    loop.client = new ReplicaLink(key, this.options.security ?? plaintextRpc);
    loop.endpointKey = key;
    loop.session.handleError(); // a new leader endpoint knows nothing of the old session
    return loop.client;
  }

  private async run(loop: Loop): Promise<void> {
    while (!loop.stopped && !this.closed) {
      const followed = this.options.replicas.followedByLeader().get(loop.leaderId) ?? [];
      if (followed.length === 0) return;
      // Throttled replicas out of the ISR sit a fetch out while the follower rate is over its bound.
      const now = Date.now();
      const partitions = followed.filter((p) => !this.options.replicas.followerThrottled(p, now));
      if (partitions.length === 0) {
        await sleep(retryBackoffMs);
        continue;
      }
      const client = this.clientFor(loop);
      if (!client) {
        await sleep(retryBackoffMs);
        continue;
      }
      const fetchedAt = new Map(partitions.map((p) => [p, p.log.logEndOffset]));
      const plan = loop.session.build(
        partitions.map((p) => ({
          p,
          fetchOffset: p.log.logEndOffset,
          lastFetchedEpoch: p.log.epochs.latestEpoch(),
          currentLeaderEpoch: p.leaderEpoch,
          maxBytes: 0,
          logStartOffset: -1,
        })),
        (x) => sessionKey(x.p.topic, x.p.partition),
      );
      const request: ReplicaFetchRequest = {
        replicaId: this.options.brokerId,
        brokerEpoch: this.options.brokerEpoch(),
        maxWaitMs: this.options.fetchWaitMaxMs,
        maxBytes: this.options.fetchMaxBytes,
        sessionId: plan.sessionId,
        sessionEpoch: plan.sessionEpoch,
        partitions: plan.toSend.map((x) => ({
          topic: x.p.topic,
          partition: x.p.partition,
          fetchOffset: x.fetchOffset,
          lastFetchedEpoch: x.lastFetchedEpoch,
          currentLeaderEpoch: x.currentLeaderEpoch,
        })),
        forgotten: plan.forgotten.map((x) => ({ topic: x.p.topic, partition: x.p.partition })),
      };
      try {
        const res = await client.fetch(request, this.options.fetchWaitMaxMs + 10_000);
        if (loop.stopped) return;
        loop.session.handleResponse(res.errorCode, res.sessionId);
        if (res.errorCode !== 0) {
          // The leader lost our session (evicted, restarted) or its epoch: the next fetch is a full one.
          this.options.logger.debug(
            { leaderId: loop.leaderId, errorCode: res.errorCode },
            'replica fetch session reset',
          );
          continue;
        }
        // Every partition answered was refused (not leader, a newer or older epoch: the metadata is
        // moving): wait a little for the image to catch up instead of asking again at once. An
        // incremental answer that names nothing means nothing new: ask again at once.
        const answered = res.partitions.length;
        if (answered > 0 && this.apply(partitions, fetchedAt, res) === 0) await sleep(retryBackoffMs);
      } catch (err) {
        loop.session.handleError();
        if (loop.stopped) return;
        this.options.logger.debug(
          { leaderId: loop.leaderId, err: err instanceof Error ? err.message : String(err) },
          'replica fetch failed; retrying',
        );
        await sleep(retryBackoffMs);
      }
    }
  }

  /** Applies the leader's answers; returns how many partitions were answered without an error. */
  private apply(
    partitions: readonly Partition[],
    fetchedAt: ReadonlyMap<Partition, number>,
    res: ReplicaFetchResponse,
  ): number {
    const byKey = new Map(partitions.map((x) => [partitionKey(x.topic, x.partition), x]));
    let ok = 0;
    for (const a of res.partitions) {
      const p = byKey.get(partitionKey(a.topic, a.partition));
      if (!p) continue;
      try {
        // Records this broker could not store (a full disk) count as refused: the loop backs off.
        const stored = this.options.replicas.applyFetched(p, fetchedAt.get(p)!, {
          errorCode: a.errorCode,
          highWatermark: a.highWatermark,
          logStartOffset: a.logStartOffset,
          records: a.records.length > 0 ? a.records : null,
          diverging: a.diverged ? { epoch: a.divergingEpoch, endOffset: a.divergingEndOffset } : null,
        });
        if (a.errorCode === 0 && stored) ok++;
        if (a.errorCode === 0) p.followerLag = Math.max(0, a.logEndOffset - p.log.logEndOffset);
        this.options.replicas.recordFollowerBytes(p, a.records.length, Date.now());
      } catch (err) {
        this.options.logger.error({ topic: p.topic, partition: p.partition, err }, 'could not apply fetched records');
      }
    }
    return ok;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
