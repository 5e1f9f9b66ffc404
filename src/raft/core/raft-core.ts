// RaftCore: KRaft (KIP-595 with KIP-996 pre-vote and KIP-630 snapshots) as a pure state machine.
//
// Inputs: tick(elapsedMs), handleRequest, handleResponse, handleRequestFailure, propose, resign,
// persisted(ready), snapshotCreated. Outputs: a Ready (takeReady) the driver acts on in the
// order documented in types.ts. No I/O, no clock, no randomness of its own: time arrives through
// tick and randomness through the injected Random, so a seeded simulation replays exactly.
//
// Invariants (asserted here, checked again by the simulation):
//  - one vote per epoch, persisted before the vote is sent (quorumState rides in the same Ready);
//  - a leader never truncates its log; nobody truncates below its high watermark;
//  - the high watermark never decreases; it advances only past an entry of the leader's epoch.
//
// Roles: unattached (epoch known, leader not), follower, prospective (pre-vote, same epoch),
// candidate (epoch bumped, voted for self), leader, resigned (leader stepping down). Observers
// are never prospective, candidate or leader; they only fetch.
import { appendAll } from '../../common/arrays.js';
import { assert, assertNever } from '../../common/assert.js';
import { ErrorCode } from '../../common/errors.js';
import { encodeLeaderChange } from '../../common/leader-change.js';
import type { Random } from '../../common/ports.js';
import { MemoryLog } from './memory-log.js';
import {
  NO_LEADER,
  type BeginQuorumEpochRequest,
  type EndQuorumEpochRequest,
  type Epoch,
  type FetchRequest,
  type FetchResponse,
  type FetchSnapshotRequest,
  type FetchSnapshotResponse,
  type LogEntry,
  type NodeId,
  type Offset,
  type OutboundMessage,
  type PersistedQuorumState,
  type RaftRequest,
  type RaftResponse,
  type Ready,
  type RecoveredLog,
  type SnapshotChunk,
  type SnapshotId,
  type VoteRequest,
  type VoteResponse,
} from './types.js';

export interface RaftCoreConfig {
  readonly nodeId: NodeId;
  readonly clusterId: string;
  readonly voters: readonly NodeId[];
  readonly electionTimeoutMs: number;
  readonly fetchTimeoutMs: number;
  readonly electionBackoffMaxMs: number;
  readonly requestTimeoutMs: number;
  readonly retryBackoffMs: number;
  /** The leader appends a NoOp when nothing was appended for this long (keeps the HW moving). */
  readonly maxIdleIntervalMs: number;
  readonly fetchMaxBytes: number;
  readonly snapshotChunkBytes: number;
}

export type Role = 'unattached' | 'follower' | 'prospective' | 'candidate' | 'leader' | 'resigned';

/** Per-replica progress as the leader sees it (DescribeQuorum). */
interface ReplicaProgress {
  readonly nodeId: NodeId;
  readonly isVoter: boolean;
  readonly logEndOffset: Offset;
  readonly lastFetchMs: number | null;
  readonly lastCaughtUpMs: number | null;
}

export interface QuorumStatus {
  readonly nodeId: NodeId;
  readonly role: Role;
  readonly epoch: Epoch;
  readonly leaderId: NodeId | null;
  readonly votedId: NodeId | null;
  readonly highWatermark: Offset;
  readonly logStartOffset: Offset;
  readonly logEndOffset: Offset;
  readonly lastEpoch: Epoch;
  readonly isVoter: boolean;
  /** This node leads, or follows a leader it heard from within fetch.timeout.ms. */
  readonly leaderReachable: boolean;
  /** Only on the leader: voters then observers. */
  readonly replicas: readonly ReplicaProgress[];
}

export type ProposeResult =
  | { readonly ok: true; readonly baseOffset: Offset; readonly epoch: Epoch }
  | { readonly ok: false; readonly errorCode: number; readonly leaderId: NodeId | null };

interface ReplicaState {
  endOffset: Offset;
  lastFetchMs: number | null;
  lastCaughtUpMs: number | null;
  fetchedThisEpoch: boolean;
}

interface ParkedFetch {
  readonly from: NodeId;
  readonly requestId: number;
  readonly request: FetchRequest;
  readonly deadlineMs: number;
  /** The HW when parked: a rise is news for the fetcher too. */
  readonly highWatermark: Offset;
}

interface Inflight {
  readonly to: NodeId;
  readonly type: RaftRequest['type'];
  readonly deadlineMs: number;
}

/** A snapshot being downloaded from the leader. */
interface SnapshotDownload {
  readonly snapshotId: SnapshotId;
  position: number;
}

/** Max parked fetches on a leader: one per replica in practice; beyond it we answer at once. */
const parkedFetchesMax = 1024;
/** Long-poll limit a fetcher asks for: a fraction of the fetch timeout, at most Kafka's 500 ms. */
function fetchMaxWaitMsFor(fetchTimeoutMs: number): number {
  return Math.max(1, Math.min(500, Math.floor(fetchTimeoutMs / 4)));
}

export class RaftCore {
  private nowMs = 0;
  private readonly log: MemoryLog;
  private readonly isVoter: boolean;

  // Persisted election state.
  private epoch: Epoch = 0;
  private leaderId: NodeId | null = null;
  private votedId: NodeId | null = null;
  private role: Role = 'unattached';

  private highWatermark: Offset;
  private appliedOffset: Offset;
  /** Leader only: log end already fsynced locally (counts toward the HW). */
  private flushedEndOffset: Offset;

  // Timers (absolute times on our own clock).
  private electionDeadlineMs = Infinity; // unattached / prospective / candidate / resigned
  private fetchDeadlineMs = Infinity; // follower: no successful fetch for fetch.timeout.ms
  private checkQuorumDeadlineMs = Infinity; // leader
  private idleDeadlineMs = Infinity; // leader: next NoOp
  private fetchBackoffUntilMs = 0; // fetcher: after a failure
  private beginEpochResendMs = Infinity; // leader

  /** Follower: when it last fetched successfully from the current leader (null: not yet). */
  private lastLeaderFetchMs: number | null = null;
  protected grantedVotes = new Set<NodeId>();
  private rejectedVotes = new Set<NodeId>();
  private electionsLost = 0;
  private preferredSuccessors: readonly NodeId[] = [];

  private replicas = new Map<NodeId, ReplicaState>();
  private epochStartOffset: Offset = 0;
  private leaderHwKnown = false;
  private parked: ParkedFetch[] = [];

  private nextCorrelationId = 1;
  private inflight = new Map<number, Inflight>();
  private fetchCorrelationId: number | null = null;
  private download: SnapshotDownload | null = null;
  /** Observer without a leader: which voter to ask next. */
  private bootstrapCursor = 0;

  // The Ready being accumulated.
  private out: OutboundMessage[] = [];
  private outEntries: LogEntry[] = [];
  private outTruncate: Offset | null = null;
  private outQuorumState: PersistedQuorumState | null = null;
  private outChunk: SnapshotChunk | null = null;
  private outLoadSnapshot: SnapshotId | null = null;
  private outCommitted: LogEntry[] = [];
  private outDeleteBefore: Offset | null = null;

  constructor(
    private readonly config: RaftCoreConfig,
    private readonly random: Random,
    recovered: RecoveredLog,
  ) {
    assert(config.voters.length > 0, 'a quorum needs voters');
    assert(new Set(config.voters).size === config.voters.length, 'duplicate voter ids');
    this.isVoter = config.voters.includes(config.nodeId);
    this.log = new MemoryLog(recovered.snapshotId, recovered.entries);
    // Everything a snapshot covers was committed; the rest we learn from the leader.
    this.highWatermark = this.log.startOffset;
    this.appliedOffset = this.log.startOffset;
    this.flushedEndOffset = this.log.endOffset;
    const qs = recovered.quorumState;
    if (qs) {
      this.epoch = qs.epoch;
      this.votedId = qs.votedId;
      // A node that led before a restart cannot lead again in that epoch: it does not know what
      // it acknowledged. It waits for the next election like an unattached voter.
      if (qs.leaderId !== null && qs.leaderId !== config.nodeId) {
        this.leaderId = qs.leaderId;
      }
    }
    if (this.leaderId !== null) {
      this.transitionToFollower(this.epoch, this.leaderId, false);
    } else {
      this.transitionToUnattached(this.epoch, this.votedId, false);
    }
  }

  // ---------------------------------------------------------------- inputs

  /** Advance time; fires every timer that is due. */
  tick(elapsedMs: number): void {
    assert(elapsedMs >= 0, 'time goes forward');
    this.nowMs += elapsedMs;
    this.expireInflight();
    switch (this.role) {
      case 'leader':
        this.leaderTick();
        break;
      case 'follower':
        if (this.nowMs >= this.fetchDeadlineMs) this.onFetchTimeout();
        else this.maybeSendFetch();
        break;
      case 'unattached':
      case 'prospective':
      case 'candidate':
      case 'resigned':
        if (this.nowMs >= this.electionDeadlineMs) this.onElectionTimeout();
        else if (this.role === 'unattached' && !this.isVoter) this.maybeSendFetch();
        break;
      default:
        assertNever(this.role);
    }
  }

  handleRequest(from: NodeId, requestId: number, request: RaftRequest): void {
    if (request.clusterId !== this.config.clusterId) {
      this.respond(from, requestId, this.errorResponse(request, ErrorCode.INCONSISTENT_CLUSTER_ID));
      return;
    }
    switch (request.type) {
      case 'vote':
        return this.handleVote(from, requestId, request);
      case 'beginQuorumEpoch':
        return this.handleBeginQuorumEpoch(from, requestId, request);
      case 'endQuorumEpoch':
        return this.handleEndQuorumEpoch(from, requestId, request);
      case 'fetch':
        return this.handleFetch(from, requestId, request);
      case 'fetchSnapshot':
        return this.handleFetchSnapshot(from, requestId, request);
      default:
        assertNever(request);
    }
  }

  handleResponse(from: NodeId, correlationId: number, response: RaftResponse): void {
    const inflight = this.inflight.get(correlationId);
    if (!inflight || inflight.to !== from || inflight.type !== response.type) return; // stale
    this.inflight.delete(correlationId);
    if (correlationId === this.fetchCorrelationId) this.fetchCorrelationId = null;
    if (this.maybeLearnEpoch(response.epoch, response.leaderId)) return;
    switch (response.type) {
      case 'vote':
        return this.handleVoteResponse(from, response);
      case 'beginQuorumEpoch':
      case 'endQuorumEpoch':
        return; // acknowledgements; nothing more to learn
      case 'fetch':
        return this.handleFetchResponse(from, response);
      case 'fetchSnapshot':
        return this.handleFetchSnapshotResponse(from, response);
      default:
        assertNever(response);
    }
  }

  /** The transport could not deliver a request or got no answer. */
  handleRequestFailure(to: NodeId, correlationId: number): void {
    const inflight = this.inflight.get(correlationId);
    if (!inflight || inflight.to !== to) return;
    this.inflight.delete(correlationId);
    this.onRequestFailed(correlationId);
  }

  /** Leader only: append data records. They commit once a majority of voters has them. */
  propose(payloads: readonly Uint8Array[]): ProposeResult {
    if (this.role !== 'leader') {
      return { ok: false, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, leaderId: this.leaderId };
    }
    const baseOffset = this.log.endOffset;
    this.appendAsLeader(payloads.map((payload) => ({ kind: 'data' as const, payload })));
    return { ok: true, baseOffset, epoch: this.epoch };
  }

  /** Graceful shutdown of a leader (EndQuorumEpoch): lets a successor take over at once. */
  resign(): void {
    if (this.role !== 'leader') return;
    const successors = [...this.replicas.entries()]
      .filter(([id]) => id !== this.config.nodeId && this.config.voters.includes(id))
      .sort((a, b) => b[1].endOffset - a[1].endOffset)
      .map(([id]) => id);
    this.transitionToResigned(successors);
  }

  /** The driver made `ready` durable; only now do its entries count toward the HW. */
  persisted(ready: Ready): void {
    const last = ready.entries[ready.entries.length - 1];
    if (this.role === 'leader' && last && last.epoch === this.epoch) {
      this.flushedEndOffset = Math.max(this.flushedEndOffset, last.offset + 1);
      this.maybeAdvanceLeaderHighWatermark();
    }
    const chunk = ready.snapshotChunk;
    if (chunk?.complete && this.download && sameSnapshot(chunk.snapshotId, this.download.snapshotId)) {
      this.installSnapshot(chunk.snapshotId);
    }
  }

  /** The driver wrote a snapshot of the applied state up to id.endOffset; compact below it. */
  snapshotCreated(id: SnapshotId): void {
    assert(id.endOffset <= this.appliedOffset, 'snapshot beyond the applied offset');
    const current = this.log.snapshotId;
    if (current && current.endOffset >= id.endOffset) return;
    if (id.endOffset < this.log.startOffset) return;
    const entry = this.log.entryAt(id.endOffset - 1);
    assert(!entry || entry.epoch === id.epoch, 'snapshot epoch does not match the log');
    this.log.compactTo(id);
    this.outDeleteBefore = id.endOffset;
  }

  takeReady(): Ready {
    const ready: Ready = {
      snapshotChunk: this.outChunk,
      truncateToOffset: this.outTruncate,
      entries: this.outEntries,
      quorumState: this.outQuorumState,
      messages: this.out,
      loadSnapshot: this.outLoadSnapshot,
      committed: this.outCommitted,
      deleteBefore: this.outDeleteBefore,
    };
    this.outChunk = null;
    this.outTruncate = null;
    this.outEntries = [];
    this.outQuorumState = null;
    this.out = [];
    this.outLoadSnapshot = null;
    this.outCommitted = [];
    this.outDeleteBefore = null;
    return ready;
  }

  hasReady(): boolean {
    return (
      this.out.length > 0 ||
      this.outEntries.length > 0 ||
      this.outTruncate !== null ||
      this.outQuorumState !== null ||
      this.outChunk !== null ||
      this.outLoadSnapshot !== null ||
      this.outCommitted.length > 0 ||
      this.outDeleteBefore !== null
    );
  }

  // ---------------------------------------------------------------- reads

  /** The role alone (status() builds the replica list; this is for per-input checks). */
  currentRole(): Role {
    return this.role;
  }

  status(): QuorumStatus {
    const replicas: ReplicaProgress[] = [];
    if (this.role === 'leader') {
      for (const [nodeId, r] of this.replicas) {
        replicas.push({
          nodeId,
          isVoter: this.config.voters.includes(nodeId),
          logEndOffset: nodeId === this.config.nodeId ? this.flushedEndOffset : r.endOffset,
          lastFetchMs: nodeId === this.config.nodeId ? this.nowMs : r.lastFetchMs,
          lastCaughtUpMs: nodeId === this.config.nodeId ? this.nowMs : r.lastCaughtUpMs,
        });
      }
      replicas.sort((a, b) => Number(b.isVoter) - Number(a.isVoter) || a.nodeId - b.nodeId);
    }
    return {
      nodeId: this.config.nodeId,
      role: this.role,
      epoch: this.epoch,
      leaderId: this.leaderId,
      votedId: this.votedId,
      highWatermark: this.highWatermark,
      logStartOffset: this.log.startOffset,
      logEndOffset: this.log.endOffset,
      lastEpoch: this.log.lastEpoch,
      isVoter: this.isVoter,
      leaderReachable: this.role === 'leader' || this.isHearingLeader(),
      replicas,
    };
  }

  /** Current time on the core's clock (the sum of ticks). */
  get currentTimeMs(): number {
    return this.nowMs;
  }

  get lastAppliedOffset(): Offset {
    return this.appliedOffset;
  }

  entryAt(offset: Offset): LogEntry | undefined {
    return this.log.entryAt(offset);
  }

  // ---------------------------------------------------------------- transitions

  private persistElectionState(): void {
    this.outQuorumState = { epoch: this.epoch, leaderId: this.leaderId, votedId: this.votedId };
  }

  private resetRoleState(): void {
    this.electionDeadlineMs = Infinity;
    this.fetchDeadlineMs = Infinity;
    this.checkQuorumDeadlineMs = Infinity;
    this.idleDeadlineMs = Infinity;
    this.beginEpochResendMs = Infinity;
    this.lastLeaderFetchMs = null;
    this.grantedVotes = new Set();
    this.rejectedVotes = new Set();
    this.replicas = new Map();
    this.leaderHwKnown = false;
    this.download = null;
    this.fetchCorrelationId = null;
    this.inflight.clear();
    this.answerParkedFetches(true);
  }

  private transitionToUnattached(epoch: Epoch, votedId: NodeId | null, persist = true): void {
    assert(epoch >= this.epoch, 'epochs never go back');
    this.resetRoleState();
    const changed = epoch !== this.epoch || votedId !== this.votedId || this.leaderId !== null;
    this.role = 'unattached';
    this.epoch = epoch;
    this.leaderId = null;
    this.votedId = votedId;
    this.electionDeadlineMs = this.isVoter ? this.nowMs + this.randomElectionTimeoutMs() : Infinity;
    if (persist && changed) this.persistElectionState();
    if (!this.isVoter) this.maybeSendFetch();
  }

  private transitionToFollower(epoch: Epoch, leaderId: NodeId, persist = true): void {
    assert(epoch >= this.epoch, 'epochs never go back');
    assert(leaderId !== this.config.nodeId, 'a node does not follow itself');
    const changed = epoch !== this.epoch || leaderId !== this.leaderId;
    const votedId = epoch === this.epoch ? this.votedId : null;
    this.resetRoleState();
    this.role = 'follower';
    this.epoch = epoch;
    this.leaderId = leaderId;
    this.votedId = votedId;
    this.electionsLost = 0;
    this.resetFetchTimer();
    this.fetchBackoffUntilMs = 0;
    if (persist && changed) this.persistElectionState();
    this.maybeSendFetch();
  }

  private transitionToProspective(): void {
    assert(this.isVoter, 'observers never campaign');
    const leaderId = this.leaderId === this.config.nodeId ? null : this.leaderId;
    this.resetRoleState();
    this.role = 'prospective';
    this.leaderId = leaderId; // remembered so a lost pre-vote goes back to following it
    this.grantedVotes.add(this.config.nodeId);
    this.electionDeadlineMs = this.nowMs + this.randomElectionTimeoutMs();
    this.sendVoteRequests(true);
    this.maybeWinElection();
  }

  private transitionToCandidate(): void {
    assert(this.isVoter, 'observers never campaign');
    this.resetRoleState();
    this.role = 'candidate';
    this.epoch += 1;
    this.leaderId = null;
    this.votedId = this.config.nodeId;
    this.persistElectionState();
    this.grantedVotes.add(this.config.nodeId);
    this.electionDeadlineMs = this.nowMs + this.randomElectionTimeoutMs();
    this.sendVoteRequests(false);
    this.maybeWinElection();
  }

  private becomeLeader(): void {
    assert(this.role === 'candidate', 'only a candidate becomes leader');
    this.resetRoleState();
    this.role = 'leader';
    this.leaderId = this.config.nodeId;
    this.electionsLost = 0;
    this.persistElectionState();
    this.flushedEndOffset = this.log.endOffset;
    this.epochStartOffset = this.log.endOffset;
    for (const id of this.config.voters) {
      this.replicas.set(id, { endOffset: 0, lastFetchMs: null, lastCaughtUpMs: null, fetchedThisEpoch: false });
    }
    this.checkQuorumDeadlineMs = this.nowMs + this.checkQuorumTimeoutMs();
    this.appendAsLeader([
      { kind: 'leader-change', payload: encodeLeaderChange(this.config.nodeId, this.config.voters) },
    ]);
    this.sendBeginQuorumEpoch();
  }

  private transitionToResigned(successors: readonly NodeId[]): void {
    this.resetRoleState();
    this.role = 'resigned';
    this.preferredSuccessors = successors;
    this.electionDeadlineMs = this.nowMs + this.randomElectionTimeoutMs();
    for (const id of this.config.voters) {
      if (id === this.config.nodeId) continue;
      this.sendRequest(id, {
        type: 'endQuorumEpoch',
        clusterId: this.config.clusterId,
        epoch: this.epoch,
        leaderId: this.config.nodeId,
        preferredSuccessors: successors,
      });
    }
  }

  /**
   * A message told us of a newer epoch (or the leader of ours): follow it. Returns true when the
   * caller should stop handling the message because our role changed under it.
   */
  private maybeLearnEpoch(epoch: Epoch, leaderId: NodeId): boolean {
    if (epoch > this.epoch) {
      if (leaderId !== NO_LEADER && leaderId !== this.config.nodeId) this.transitionToFollower(epoch, leaderId);
      else this.transitionToUnattached(epoch, null);
      return true;
    }
    if (epoch === this.epoch && leaderId !== NO_LEADER && leaderId !== this.config.nodeId && this.leaderId === null) {
      // Someone won the election of our epoch (candidates of this epoch included): follow it.
      this.transitionToFollower(epoch, leaderId);
      return true;
    }
    return false;
  }

  // ---------------------------------------------------------------- elections

  private randomElectionTimeoutMs(): number {
    return this.config.electionTimeoutMs + this.random.nextInt(this.config.electionTimeoutMs);
  }

  /** Exponential backoff after lost elections, capped by election.backoff.max.ms, randomised. */
  private electionBackoffMs(): number {
    const cap = Math.min(
      this.config.electionBackoffMaxMs,
      this.config.retryBackoffMs * 2 ** Math.min(this.electionsLost, 16),
    );
    return 1 + this.random.nextInt(Math.max(1, cap));
  }

  /** Preferred successor k waits retry.backoff · 2^k (k = 0 at once), capped by the backoff max. */
  private successorBackoffMs(position: number): number {
    return position === 0 ? 0 : Math.min(this.config.electionBackoffMaxMs, this.config.retryBackoffMs * 2 ** position);
  }

  private checkQuorumTimeoutMs(): number {
    return Math.floor(this.config.fetchTimeoutMs * 1.5);
  }

  /**
   * The fetch timer runs fetch.timeout.ms plus a random part of the election timeout: followers
   * that last heard from a dead leader at the same moment would otherwise campaign at the same
   * moment and split the vote (Raft's randomised election timeout, applied to KRaft's timer).
   */
  private resetFetchTimer(): void {
    this.fetchDeadlineMs = this.nowMs + this.config.fetchTimeoutMs + this.random.nextInt(this.config.electionTimeoutMs);
  }

  /** KIP-996: a follower that fetched from its leader within fetch.timeout.ms refuses pre-votes. */
  private isHearingLeader(): boolean {
    return (
      this.role === 'follower' &&
      this.lastLeaderFetchMs !== null &&
      this.nowMs - this.lastLeaderFetchMs < this.config.fetchTimeoutMs
    );
  }

  private onFetchTimeout(): void {
    if (!this.isVoter && this.role === 'follower') {
      // An observer whose fetch is still on its way to the leader waits for that answer (up to the
      // request's own deadline) before looking for another leader: on a loaded machine answers
      // can take longer than fetch.timeout.ms, and giving up on each one dropped its entries (or
      // restarted a snapshot download), so a busy broker never caught up with the metadata log.
      // A dead leader's connection fails at once; a silent one hits the request deadline.
      const pending = this.fetchCorrelationId === null ? undefined : this.inflight.get(this.fetchCorrelationId);
      if (pending && pending.to === this.leaderId && this.nowMs < pending.deadlineMs) {
        this.fetchDeadlineMs = pending.deadlineMs;
        return;
      }
    }
    if (this.isVoter) this.transitionToProspective();
    else this.transitionToUnattached(this.epoch, this.votedId);
  }

  private onElectionTimeout(): void {
    if (!this.isVoter) return;
    switch (this.role) {
      case 'unattached':
      case 'resigned':
        this.transitionToProspective();
        break;
      case 'prospective':
      case 'candidate':
        this.loseElection();
        break;
      case 'leader':
      case 'follower':
        break;
      default:
        assertNever(this.role);
    }
  }

  /** Back off, then try again (as prospective). A known leader is followed meanwhile. */
  private loseElection(): void {
    this.electionsLost += 1;
    const leaderId = this.role === 'prospective' ? this.leaderId : null;
    if (leaderId !== null) {
      this.transitionToFollower(this.epoch, leaderId, false);
      return;
    }
    const backoffMs = this.electionBackoffMs();
    this.transitionToUnattached(this.epoch, this.votedId);
    this.electionDeadlineMs = this.nowMs + backoffMs;
  }

  private sendVoteRequests(preVote: boolean): void {
    for (const id of this.config.voters) {
      if (id === this.config.nodeId) continue;
      this.sendRequest(id, {
        type: 'vote',
        clusterId: this.config.clusterId,
        candidateEpoch: preVote ? this.epoch + 1 : this.epoch,
        candidateId: this.config.nodeId,
        lastOffsetEpoch: this.log.lastEpoch,
        lastOffset: this.log.endOffset,
        preVote,
      });
    }
  }

  private majority(): number {
    return Math.floor(this.config.voters.length / 2) + 1;
  }

  private maybeWinElection(): void {
    if (this.grantedVotes.size < this.majority()) return;
    if (this.role === 'prospective') this.transitionToCandidate();
    else if (this.role === 'candidate') this.becomeLeader();
  }

  private logIsUpToDate(lastOffsetEpoch: Epoch, lastOffset: Offset): boolean {
    const ours = this.log.lastEpoch;
    return lastOffsetEpoch > ours || (lastOffsetEpoch === ours && lastOffset >= this.log.endOffset);
  }

  private handleVote(from: NodeId, requestId: number, req: VoteRequest): void {
    const reply = (granted: boolean, errorCode: number = ErrorCode.NONE): void =>
      this.respond(from, requestId, {
        type: 'vote',
        errorCode,
        epoch: this.epoch,
        leaderId: this.leaderId ?? NO_LEADER,
        voteGranted: granted,
        preVote: req.preVote,
      });
    if (!this.isVoter || !this.config.voters.includes(req.candidateId)) {
      reply(false, ErrorCode.INCONSISTENT_VOTER_SET);
      return;
    }
    if (req.preVote) {
      // A pre-vote never changes our state (KIP-996). Grant only if an election in that epoch
      // could happen: we are not hearing from a leader and the candidate's log is up to date.
      const hearingLeader = this.role === 'leader' || this.isHearingLeader();
      const granted =
        req.candidateEpoch > this.epoch && !hearingLeader && this.logIsUpToDate(req.lastOffsetEpoch, req.lastOffset);
      reply(granted);
      return;
    }
    if (req.candidateEpoch < this.epoch) {
      reply(false, ErrorCode.FENCED_LEADER_EPOCH);
      return;
    }
    if (req.candidateEpoch > this.epoch) this.transitionToUnattached(req.candidateEpoch, null);
    const mayVote =
      (this.votedId === null || this.votedId === req.candidateId) &&
      this.leaderId === null &&
      this.role !== 'leader' &&
      this.role !== 'candidate';
    const granted = mayVote && this.logIsUpToDate(req.lastOffsetEpoch, req.lastOffset);
    if (granted && this.votedId !== req.candidateId) {
      this.votedId = req.candidateId;
      this.persistElectionState();
      // Having voted, give the candidate a full election timeout before campaigning ourselves.
      this.electionDeadlineMs = this.nowMs + this.randomElectionTimeoutMs();
    }
    reply(granted);
  }

  protected handleVoteResponse(from: NodeId, resp: VoteResponse): void {
    const expected = resp.preVote ? 'prospective' : 'candidate';
    if (this.role !== expected) return;
    if (resp.voteGranted) this.grantedVotes.add(from);
    else this.rejectedVotes.add(from);
    if (this.rejectedVotes.size >= this.majority()) {
      this.loseElection();
      return;
    }
    this.maybeWinElection();
  }

  private handleBeginQuorumEpoch(from: NodeId, requestId: number, req: BeginQuorumEpochRequest): void {
    if (req.epoch < this.epoch) {
      this.respond(from, requestId, this.errorResponse(req, ErrorCode.FENCED_LEADER_EPOCH));
      return;
    }
    if (req.leaderId !== this.config.nodeId && (req.epoch > this.epoch || this.leaderId !== req.leaderId)) {
      assert(!(req.epoch === this.epoch && this.role === 'leader'), 'two leaders in one epoch');
      this.transitionToFollower(req.epoch, req.leaderId);
    }
    this.respond(from, requestId, {
      type: 'beginQuorumEpoch',
      errorCode: ErrorCode.NONE,
      epoch: this.epoch,
      leaderId: this.leaderId ?? NO_LEADER,
    });
  }

  private handleEndQuorumEpoch(from: NodeId, requestId: number, req: EndQuorumEpochRequest): void {
    if (req.epoch < this.epoch) {
      this.respond(from, requestId, this.errorResponse(req, ErrorCode.FENCED_LEADER_EPOCH));
      return;
    }
    const endsOurLeader = req.epoch > this.epoch || this.leaderId === req.leaderId;
    if (endsOurLeader && req.leaderId !== this.config.nodeId && this.isVoter) {
      // The leader is leaving: campaign soon, the most caught-up successor first.
      const position = req.preferredSuccessors.indexOf(this.config.nodeId);
      const votedId = req.epoch === this.epoch ? this.votedId : null;
      this.transitionToUnattached(req.epoch, votedId);
      this.electionDeadlineMs =
        this.nowMs + (position < 0 ? this.randomElectionTimeoutMs() : this.successorBackoffMs(position));
    } else if (endsOurLeader && !this.isVoter) {
      this.transitionToUnattached(req.epoch, null);
    }
    this.respond(from, requestId, {
      type: 'endQuorumEpoch',
      errorCode: ErrorCode.NONE,
      epoch: this.epoch,
      leaderId: this.leaderId ?? NO_LEADER,
    });
  }

  // ---------------------------------------------------------------- leader

  private appendAsLeader(items: readonly { kind: LogEntry['kind']; payload: Uint8Array }[]): void {
    assert(this.role === 'leader', 'only the leader appends');
    const entries: LogEntry[] = [];
    for (const item of items) {
      entries.push({
        offset: this.log.endOffset + entries.length,
        epoch: this.epoch,
        kind: item.kind,
        payload: item.payload,
      });
    }
    this.log.append(entries);
    appendAll(this.outEntries, entries);
    this.idleDeadlineMs = this.nowMs + this.config.maxIdleIntervalMs;
    this.answerParkedFetches(false);
  }

  private leaderTick(): void {
    if (this.nowMs >= this.checkQuorumDeadlineMs) {
      // Check quorum: without fetches from a majority we may be on the minority side of a
      // partition; step down so the majority side can elect a leader that clients can reach.
      const recent = [...this.replicas.entries()].filter(
        ([id, r]) =>
          id === this.config.nodeId ||
          (this.config.voters.includes(id) &&
            r.lastFetchMs !== null &&
            this.nowMs - r.lastFetchMs < this.checkQuorumTimeoutMs()),
      ).length;
      if (recent < this.majority()) {
        this.transitionToResigned([]);
        return;
      }
      this.checkQuorumDeadlineMs = this.nowMs + this.config.fetchTimeoutMs / 2;
    }
    if (this.nowMs >= this.idleDeadlineMs) {
      this.appendAsLeader([{ kind: 'noop', payload: new Uint8Array(0) }]);
    }
    if (this.nowMs >= this.beginEpochResendMs) this.sendBeginQuorumEpoch();
    this.answerExpiredParkedFetches();
  }

  /**
   * Tell voters that are not fetching from us who leads, again every fetch.timeout/2 while any
   * is silent. This also rescues a voter stranded in a higher epoch (it campaigned alone behind
   * a partition and pre-vote keeps it from winning): it answers with its epoch, and we step
   * down so the quorum moves past it (as etcd does with check-quorum and pre-vote).
   */
  private sendBeginQuorumEpoch(): void {
    for (const id of this.config.voters) {
      if (id === this.config.nodeId) continue;
      const r = this.replicas.get(id);
      if (r?.fetchedThisEpoch && r.lastFetchMs !== null && this.nowMs - r.lastFetchMs < this.config.fetchTimeoutMs)
        continue;
      const alreadyInflight = [...this.inflight.values()].some((f) => f.to === id && f.type === 'beginQuorumEpoch');
      if (alreadyInflight) continue;
      this.sendRequest(id, {
        type: 'beginQuorumEpoch',
        clusterId: this.config.clusterId,
        epoch: this.epoch,
        leaderId: this.config.nodeId,
      });
    }
    this.beginEpochResendMs = this.nowMs + Math.max(1, Math.floor(this.config.fetchTimeoutMs / 2));
  }

  private maybeAdvanceLeaderHighWatermark(): void {
    const ends = this.config.voters
      .map((id) => (id === this.config.nodeId ? this.flushedEndOffset : (this.replicas.get(id)?.endOffset ?? 0)))
      .sort((a, b) => b - a);
    const candidate = ends[this.majority() - 1]!;
    // Only an entry of our own epoch commits earlier ones (Raft §5.4.2).
    if (candidate <= this.epochStartOffset) return;
    this.leaderHwKnown = true;
    if (candidate > this.highWatermark) {
      this.highWatermark = candidate;
      this.emitCommitted();
      this.answerParkedFetches(false);
    }
  }

  private handleFetch(from: NodeId, requestId: number, req: FetchRequest): void {
    const notLeader = this.fetchEpochError(req.epoch);
    if (notLeader !== null) {
      this.respond(from, requestId, this.fetchResponse(notLeader, [], null, null));
      return;
    }
    // Validate (fetchOffset, lastFetchedEpoch) against our log: diverged or compacted away?
    if (req.fetchOffset < this.log.startOffset) {
      this.respond(from, requestId, this.fetchResponse(ErrorCode.NONE, [], null, this.log.snapshotId));
      return;
    }
    const epochEnd = this.log.endOffsetForEpoch(req.lastFetchedEpoch);
    if (epochEnd === null) {
      this.respond(from, requestId, this.fetchResponse(ErrorCode.NONE, [], null, this.log.snapshotId));
      return;
    }
    if (epochEnd.epoch !== req.lastFetchedEpoch || epochEnd.endOffset < req.fetchOffset) {
      if (epochEnd.endOffset < this.log.startOffset) {
        this.respond(from, requestId, this.fetchResponse(ErrorCode.NONE, [], null, this.log.snapshotId));
      } else {
        this.respond(from, requestId, this.fetchResponse(ErrorCode.NONE, [], epochEnd, null));
      }
      return;
    }
    this.updateReplica(from, req.fetchOffset);
    if (req.fetchOffset >= this.log.endOffset && req.maxWaitMs > 0 && this.parked.length < parkedFetchesMax) {
      this.parked = this.parked.filter((p) => p.from !== from);
      this.parked.push({
        from,
        requestId,
        request: req,
        deadlineMs: this.nowMs + req.maxWaitMs,
        highWatermark: this.highWatermark,
      });
      return;
    }
    this.respond(
      from,
      requestId,
      this.fetchResponse(ErrorCode.NONE, this.log.read(req.fetchOffset, req.maxBytes), null, null),
    );
  }

  private fetchEpochError(epoch: Epoch): number | null {
    if (epoch < this.epoch) return ErrorCode.FENCED_LEADER_EPOCH;
    if (epoch > this.epoch) return ErrorCode.UNKNOWN_LEADER_EPOCH;
    if (this.role !== 'leader') return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    return null;
  }

  private updateReplica(id: NodeId, fetchOffset: Offset): void {
    let r = this.replicas.get(id);
    if (!r) {
      // An observer: tracked for DescribeQuorum, never counted toward the HW.
      r = { endOffset: 0, lastFetchMs: null, lastCaughtUpMs: null, fetchedThisEpoch: false };
      this.replicas.set(id, r);
    }
    r.endOffset = fetchOffset;
    r.lastFetchMs = this.nowMs;
    r.fetchedThisEpoch = true;
    if (fetchOffset >= this.log.endOffset) r.lastCaughtUpMs = this.nowMs;
    if (this.config.voters.includes(id)) this.maybeAdvanceLeaderHighWatermark();
  }

  /** Answer parked fetches that now have data (or all of them when `all`). */
  private answerParkedFetches(all: boolean): void {
    if (this.parked.length === 0) return;
    const keep: ParkedFetch[] = [];
    for (const p of this.parked) {
      if (all || this.log.endOffset > p.request.fetchOffset || this.highWatermark > p.highWatermark) {
        this.answerParked(p);
      } else {
        keep.push(p);
      }
    }
    this.parked = keep;
  }

  private answerExpiredParkedFetches(): void {
    if (this.parked.length === 0) return;
    const keep: ParkedFetch[] = [];
    for (const p of this.parked) {
      if (this.nowMs >= p.deadlineMs) this.answerParked(p);
      else keep.push(p);
    }
    this.parked = keep;
  }

  private answerParked(p: ParkedFetch): void {
    const error = this.fetchEpochError(p.request.epoch);
    const entries = error === null ? this.log.read(p.request.fetchOffset, p.request.maxBytes) : [];
    this.respond(p.from, p.requestId, this.fetchResponse(error ?? ErrorCode.NONE, entries, null, null));
  }

  private fetchResponse(
    errorCode: number,
    entries: readonly LogEntry[],
    divergingEpoch: FetchResponse['divergingEpoch'],
    snapshotId: SnapshotId | null,
  ): FetchResponse {
    return {
      type: 'fetch',
      errorCode,
      epoch: this.epoch,
      leaderId: this.leaderId ?? NO_LEADER,
      highWatermark: this.role === 'leader' && this.leaderHwKnown ? this.highWatermark : -1,
      logStartOffset: this.log.startOffset,
      divergingEpoch,
      snapshotId,
      entries,
    };
  }

  private handleFetchSnapshot(from: NodeId, requestId: number, req: FetchSnapshotRequest): void {
    const error = this.fetchEpochError(req.epoch);
    const snapshot = this.log.snapshotId;
    const base = {
      type: 'fetchSnapshot' as const,
      epoch: this.epoch,
      leaderId: this.leaderId ?? NO_LEADER,
      snapshotId: req.snapshotId,
      size: 0,
      position: req.position,
      bytes: new Uint8Array(0),
    };
    if (error !== null) {
      this.respond(from, requestId, { ...base, errorCode: error });
      return;
    }
    if (!snapshot || !sameSnapshot(snapshot, req.snapshotId)) {
      this.respond(from, requestId, { ...base, errorCode: ErrorCode.SNAPSHOT_NOT_FOUND });
      return;
    }
    const r = this.replicas.get(from);
    if (r) r.lastFetchMs = this.nowMs; // a replica downloading a snapshot is alive
    this.out.push({
      kind: 'response',
      to: from,
      requestId,
      response: { ...base, errorCode: ErrorCode.NONE },
      snapshotRead: {
        snapshotId: snapshot,
        position: req.position,
        maxBytes: Math.min(req.maxBytes, this.config.snapshotChunkBytes),
      },
    });
  }

  // ---------------------------------------------------------------- follower / observer

  private maybeSendFetch(): void {
    if (this.fetchCorrelationId !== null || this.nowMs < this.fetchBackoffUntilMs) return;
    let target: NodeId | null = null;
    if (this.role === 'follower') target = this.leaderId;
    else if (this.role === 'unattached' && !this.isVoter) {
      // An observer without a leader asks the voters in turn; any answers with the leader.
      target = this.config.voters[this.bootstrapCursor % this.config.voters.length]!;
      this.bootstrapCursor += 1;
    }
    if (target === null) return;
    if (this.download) {
      this.fetchCorrelationId = this.sendRequest(target, {
        type: 'fetchSnapshot',
        clusterId: this.config.clusterId,
        replicaId: this.config.nodeId,
        epoch: this.epoch,
        snapshotId: this.download.snapshotId,
        position: this.download.position,
        maxBytes: this.config.snapshotChunkBytes,
      });
      return;
    }
    this.fetchCorrelationId = this.sendRequest(target, {
      type: 'fetch',
      clusterId: this.config.clusterId,
      replicaId: this.config.nodeId,
      epoch: this.epoch,
      fetchOffset: this.log.endOffset,
      lastFetchedEpoch: this.log.lastEpoch,
      maxBytes: this.config.fetchMaxBytes,
      maxWaitMs: this.role === 'follower' ? fetchMaxWaitMsFor(this.config.fetchTimeoutMs) : 0,
    });
  }

  private handleFetchResponse(from: NodeId, resp: FetchResponse): void {
    if (this.role !== 'follower' || from !== this.leaderId) {
      if (this.role === 'unattached' && !this.isVoter)
        this.fetchBackoffUntilMs = this.nowMs + this.config.retryBackoffMs;
      return;
    }
    if (resp.errorCode !== ErrorCode.NONE) {
      this.fetchBackoffUntilMs = this.nowMs + this.config.retryBackoffMs;
      return;
    }
    this.lastLeaderFetchMs = this.nowMs;
    this.resetFetchTimer();
    if (resp.divergingEpoch) {
      const ours = this.log.endOffsetForEpoch(resp.divergingEpoch.epoch);
      const truncateTo = Math.min(resp.divergingEpoch.endOffset, ours?.endOffset ?? this.log.startOffset);
      this.truncateTo(Math.max(truncateTo, this.log.startOffset));
    } else if (resp.snapshotId) {
      this.download = { snapshotId: resp.snapshotId, position: 0 };
    } else {
      const fresh = resp.entries.filter((e) => e.offset >= this.log.endOffset);
      if (fresh.length > 0 && fresh[0]!.offset === this.log.endOffset) {
        this.log.append(fresh);
        appendAll(this.outEntries, fresh);
      }
      if (resp.highWatermark >= 0) this.advanceFollowerHighWatermark(resp.highWatermark);
    }
    this.maybeSendFetch();
  }

  private handleFetchSnapshotResponse(from: NodeId, resp: FetchSnapshotResponse): void {
    const download = this.download;
    if (this.role !== 'follower' || from !== this.leaderId || !download) return;
    if (
      resp.errorCode !== ErrorCode.NONE ||
      !sameSnapshot(resp.snapshotId, download.snapshotId) ||
      resp.position !== download.position
    ) {
      // The leader moved on to a newer snapshot (or we asked for a stale one): start over.
      this.download = null;
      this.fetchBackoffUntilMs = this.nowMs + this.config.retryBackoffMs;
      return;
    }
    this.lastLeaderFetchMs = this.nowMs;
    this.resetFetchTimer();
    download.position += resp.bytes.length;
    const complete = download.position >= resp.size;
    assert(this.outChunk === null, 'one snapshot chunk per Ready');
    this.outChunk = {
      snapshotId: download.snapshotId,
      position: resp.position,
      bytes: resp.bytes,
      size: resp.size,
      complete,
    };
    // The next request goes out only after this chunk is durable (see persisted()).
    if (!complete) this.maybeSendFetch();
  }

  private installSnapshot(id: SnapshotId): void {
    this.download = null;
    this.log.resetTo(id);
    this.highWatermark = Math.max(this.highWatermark, id.endOffset);
    this.appliedOffset = id.endOffset;
    this.outLoadSnapshot = id;
    this.maybeSendFetch();
  }

  private truncateTo(offset: Offset): void {
    assert(this.role !== 'leader', 'a leader never truncates its log');
    assert(offset >= this.highWatermark, `truncate to ${offset} below the high watermark ${this.highWatermark}`);
    if (offset >= this.log.endOffset) return;
    this.log.truncateTo(offset);
    // Entries of this Ready above the cut were never made durable: drop them instead.
    this.outEntries = this.outEntries.filter((e) => e.offset < offset);
    this.outTruncate = this.outTruncate === null ? offset : Math.min(this.outTruncate, offset);
  }

  private advanceFollowerHighWatermark(leaderHw: Offset): void {
    const hw = Math.min(leaderHw, this.log.endOffset);
    if (hw > this.highWatermark) {
      this.highWatermark = hw;
      this.emitCommitted();
    }
  }

  // ---------------------------------------------------------------- plumbing

  private emitCommitted(): void {
    if (this.highWatermark <= this.appliedOffset) return;
    appendAll(this.outCommitted, this.log.slice(this.appliedOffset, this.highWatermark));
    this.appliedOffset = this.highWatermark;
  }

  private sendRequest(to: NodeId, request: RaftRequest): number {
    const correlationId = this.nextCorrelationId++;
    this.inflight.set(correlationId, {
      to,
      type: request.type,
      deadlineMs: this.nowMs + this.requestDeadlineMs(request),
    });
    this.out.push({ kind: 'request', to, correlationId, request });
    return correlationId;
  }

  private requestDeadlineMs(request: RaftRequest): number {
    return request.type === 'fetch' ? request.maxWaitMs + this.config.requestTimeoutMs : this.config.requestTimeoutMs;
  }

  private respond(to: NodeId, requestId: number, response: RaftResponse): void {
    this.out.push({ kind: 'response', to, requestId, response });
  }

  private expireInflight(): void {
    for (const [id, f] of this.inflight) {
      if (this.nowMs >= f.deadlineMs) {
        this.inflight.delete(id);
        this.onRequestFailed(id);
      }
    }
  }

  private onRequestFailed(correlationId: number): void {
    if (correlationId === this.fetchCorrelationId) {
      this.fetchCorrelationId = null;
      this.fetchBackoffUntilMs = this.nowMs + this.config.retryBackoffMs;
    }
    // Votes and BeginQuorumEpoch are not retried one by one: elections time out and the leader
    // resends BeginQuorumEpoch on its own timer.
  }

  private errorResponse(request: RaftRequest, errorCode: number): RaftResponse {
    const base = { errorCode, epoch: this.epoch, leaderId: this.leaderId ?? NO_LEADER };
    switch (request.type) {
      case 'vote':
        return { ...base, type: 'vote', voteGranted: false, preVote: request.preVote };
      case 'beginQuorumEpoch':
        return { ...base, type: 'beginQuorumEpoch' };
      case 'endQuorumEpoch':
        return { ...base, type: 'endQuorumEpoch' };
      case 'fetch':
        return { ...this.fetchResponse(errorCode, [], null, null), ...base };
      case 'fetchSnapshot':
        return {
          ...base,
          type: 'fetchSnapshot',
          snapshotId: request.snapshotId,
          size: 0,
          position: request.position,
          bytes: new Uint8Array(0),
        };
      default:
        return assertNever(request);
    }
  }
}

function sameSnapshot(a: SnapshotId, b: SnapshotId): boolean {
  return a.endOffset === b.endOffset && a.epoch === b.epoch;
}
