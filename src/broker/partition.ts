// One hosted partition's replication state (Kafka's Partition): its log, its role from the
// metadata image (leader or follower, leader epoch, replicas, ISR), the high watermark, and, on
// the leader, what each follower has fetched. Pure bookkeeping: ReplicaManager does the I/O.
//
// Invariants: the high watermark never goes backwards and never passes the log end; on the
// leader it is the smallest log end offset among the ISR members (the leader included), so an
// acknowledged acks=all record is on every ISR member; only then is it visible to consumers.
import type { Log } from '../storage/log.js';

/**
 * What vouches for an idle follower between the fetches that name this partition: its fetch
 * session, whose every fetch stands for a fetch of this partition at the offset last named while
 * the session holds it. `coveredAtMs` is the time of the session's latest fetch, -1 once it no
 * longer holds the partition (replica-fetch-serve.ts; Kafka's leader walks the session instead).
 */
export interface FetchWitness {
  coveredAtMs(): number;
}

interface FollowerState {
  /** The follower's log end offset (its last fetch offset); -1 before its first fetch this epoch. */
  leo: number;
  /** Last time the follower had fetched everything the leader had. */
  lastCaughtUpMs: number;
  lastFetchMs: number;
  /** The leader's log end offset at the follower's previous fetch. */
  lastFetchLeaderLeo: number;
  /** Fetches since `lastFetchMs` that covered this partition without naming it (null: none). */
  witness: FetchWitness | null;
}

export class Partition {
  leader = -1;
  leaderEpoch = -1;
  partitionEpoch = -1;
  replicas: readonly number[] = [];
  isr: readonly number[] = [];
  /** Starts at the log's checkpointed high watermark (Kafka's replication-offset-checkpoint). */
  private hw: number;
  readonly followers = new Map<number, FollowerState>();
  /** An AlterPartition this leader sent and the image has not answered yet. */
  isrChangeInFlight = false;
  /** As a follower: the leader's log end offset minus ours after the last fetch (Kafka's fetcher lag). */
  followerLag = 0;

  constructor(
    readonly topic: string,
    readonly topicId: string,
    readonly partition: number,
    readonly brokerId: number,
    public log: Log,
  ) {
    this.hw = log.highWatermark;
  }

  get isLeader(): boolean {
    return this.leader === this.brokerId;
  }

  get highWatermark(): number {
    return Math.min(this.hw, this.log.logEndOffset);
  }

  /**
   * Take the image's view. Returns whether this broker's role or the leader epoch changed (a new
   * leader resets what it knows of followers: they prove themselves again by fetching).
   */
  update(
    p: {
      leader: number;
      leaderEpoch: number;
      partitionEpoch: number;
      replicas: readonly number[];
      isr: readonly number[];
    },
    nowMs: number,
  ): boolean {
    const epochChanged = p.leaderEpoch !== this.leaderEpoch || p.leader !== this.leader;
    if (p.partitionEpoch !== this.partitionEpoch) this.isrChangeInFlight = false;
    this.leader = p.leader;
    this.leaderEpoch = p.leaderEpoch;
    this.partitionEpoch = p.partitionEpoch;
    this.replicas = p.replicas;
    this.isr = p.isr;
    if (epochChanged) {
      this.followers.clear();
      if (this.isLeader) {
        for (const r of p.replicas)
          if (r !== this.brokerId)
            this.followers.set(r, {
              leo: -1,
              lastCaughtUpMs: nowMs,
              lastFetchMs: 0,
              lastFetchLeaderLeo: -1,
              witness: null,
            });
      }
    }
    if (this.isLeader) this.maybeAdvanceHighWatermark();
    return epochChanged;
  }

  /**
   * Leader: record a follower's fetch at `fetchOffset`. `witness`: the follower's later fetches
   * that leave this partition out (nothing changed) count as fetches at the same offset.
   */
  recordFollowerFetch(
    replicaId: number,
    fetchOffset: number,
    nowMs: number,
    witness: FetchWitness | null = null,
  ): void {
    const f = this.followers.get(replicaId) ?? {
      leo: -1,
      lastCaughtUpMs: 0,
      lastFetchMs: 0,
      lastFetchLeaderLeo: -1,
      witness: null,
    };
    foldWitness(f);
    f.witness = witness;
    const leaderLeo = this.log.logEndOffset;
    if (fetchOffset >= leaderLeo) f.lastCaughtUpMs = nowMs;
    else if (f.lastFetchLeaderLeo >= 0 && fetchOffset >= f.lastFetchLeaderLeo)
      f.lastCaughtUpMs = Math.max(f.lastCaughtUpMs, f.lastFetchMs);
    f.leo = fetchOffset;
    f.lastFetchMs = nowMs;
    f.lastFetchLeaderLeo = leaderLeo;
    this.followers.set(replicaId, f);
  }

  /** Leader: move the high watermark to the smallest ISR log end offset; returns whether it moved. */
  maybeAdvanceHighWatermark(): boolean {
    if (!this.isLeader) return false;
    let min = this.log.logEndOffset;
    for (const r of this.isr) {
      if (r === this.brokerId) continue;
      const f = this.followers.get(r);
      min = Math.min(min, f ? Math.max(f.leo, 0) : 0);
    }
    if (min > this.hw) {
      this.hw = min;
      this.log.highWatermarkMoved(min);
      return true;
    }
    return false;
  }

  /** Follower: the leader's high watermark, bounded by what this replica has. */
  setFollowerHighWatermark(leaderHw: number): void {
    const hw = Math.max(this.hw, Math.min(leaderHw, this.log.logEndOffset));
    if (hw > this.hw) this.log.highWatermarkMoved(hw);
    this.hw = hw;
  }

  /** After truncation the high watermark can only be as far as the log. */
  clampHighWatermark(): void {
    this.hw = Math.min(this.hw, this.log.logEndOffset);
  }

  /**
   * Leader: the ISR it should ask the controller for — without members that have not caught up
   * for `lagMaxMs`, with followers that have reached the high watermark and this epoch's first
   * offset and that `eligible` accepts (not fenced or shutting down). Null when the ISR is right
   * as it is.
   */
  desiredIsr(nowMs: number, lagMaxMs: number, eligible: (brokerId: number) => boolean = () => true): number[] | null {
    if (!this.isLeader) return null;
    const epochStart =
      this.log.epochs.all().find((e) => e.epoch === this.leaderEpoch)?.startOffset ?? this.log.logEndOffset;
    for (const f of this.followers.values()) foldWitness(f);
    const keep = this.isr.filter(
      (r) => r === this.brokerId || nowMs - (this.followers.get(r)?.lastCaughtUpMs ?? 0) <= lagMaxMs,
    );
    const add = this.replicas.filter((r) => {
      if (r === this.brokerId || keep.includes(r)) return false;
      const f = this.followers.get(r);
      return (
        f !== undefined &&
        f.leo >= this.highWatermark &&
        f.leo >= epochStart &&
        nowMs - f.lastCaughtUpMs <= lagMaxMs &&
        eligible(r)
      );
    });
    const next = [...keep, ...add];
    if (!keep.includes(this.brokerId)) next.unshift(this.brokerId);
    const same = next.length === this.isr.length && next.every((r) => this.isr.includes(r));
    return same ? null : next;
  }
}

/**
 * Takes the fetches a witness vouched for into the follower's state: each was a fetch at `leo`
 * while the leader's log end stayed where it was at the last named fetch (a change would have had
 * the partition named, or served, and recorded), so the follower was caught up then if it was at
 * that fetch.
 */
function foldWitness(f: FollowerState): void {
  const seen = f.witness?.coveredAtMs() ?? -1;
  if (seen <= f.lastFetchMs) return;
  if (f.lastFetchLeaderLeo >= 0 && f.leo >= f.lastFetchLeaderLeo) f.lastCaughtUpMs = Math.max(f.lastCaughtUpMs, seen);
  f.lastFetchMs = seen;
}
