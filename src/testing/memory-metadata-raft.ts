// An in-memory metadata Raft for controller tests: one node's view of a quorum whose log lives in
// memory. It implements the QuorumController's ControllerRaft port: proposals are appended in
// order and committed on a later turn of the event loop (or held until the test releases them),
// and committed entries are replayed through the same MetadataState/MetadataLoader path as on a
// real node. The test moves leadership (becomeLeader, becomeFollower) and injects failures
// (failProposals). Entries a previous leader committed can be seeded with appendCommitted.
import { ErrorCode } from '../common/errors.js';
import type { LogEntry, NodeId } from '../common/log-types.js';
import type { ControllerRaft } from '../controller/quorum-controller.js';
import { MetadataState } from '../metadata/metadata-state.js';
import { encodeRecord, type MetadataRecord } from '../metadata/records.js';
import type { ProposeResult, QuorumStatus, Role } from '../raft/core/raft-core.js';
import { AppliedWaiters } from '../raft/driver/applied-waiters.js';
import { encodeLeaderChange } from '../common/leader-change.js';

export class MemoryMetadataRaft implements ControllerRaft {
  readonly log: LogEntry[] = [];
  /** Epochs this node resigned in (the controller's renounce). */
  readonly resignations: number[] = [];
  private role: Role = 'follower';
  private epoch = 0;
  private leader: NodeId | null = null;
  private held = false;
  private commitQueued = false;
  private failuresLeft = 0;
  private readonly waiters = new AppliedWaiters();

  constructor(
    readonly nodeId: NodeId = 1,
    readonly state: MetadataState = new MetadataState(),
    readonly voters: readonly NodeId[] = [nodeId],
  ) {}

  status(): Pick<QuorumStatus, 'role' | 'epoch' | 'leaderId' | 'logEndOffset' | 'highWatermark'> {
    return {
      role: this.role,
      epoch: this.epoch,
      leaderId: this.leader,
      logEndOffset: this.log.length,
      highWatermark: this.state.appliedOffset,
    };
  }

  /** A new epoch led by this node: its LeaderChange entry is appended and committed like any entry. */
  becomeLeader(): void {
    this.epoch++;
    this.role = 'leader';
    this.leader = this.nodeId;
    this.append('leader-change', [encodeLeaderChange(this.nodeId, this.voters)]);
  }

  /** A new epoch led by `leaderId` (another voter), which commits its LeaderChange. */
  becomeFollower(leaderId: NodeId): void {
    this.epoch++;
    this.role = 'follower';
    this.leader = leaderId;
    this.append('leader-change', [encodeLeaderChange(leaderId, this.voters)]);
  }

  /** Entries another leader wrote in the current epoch (e.g. a transaction it left open). */
  appendCommitted(records: readonly MetadataRecord[]): void {
    this.append('data', records.map(encodeRecord));
  }

  /** The next `n` proposals are refused (NOT_LEADER_OR_FOLLOWER) although this node still leads. */
  failProposals(n: number): void {
    this.failuresLeft = n;
  }

  /** Appended entries wait uncommitted until releaseCommits. */
  holdCommits(): void {
    this.held = true;
  }

  releaseCommits(): void {
    this.held = false;
    this.queueCommit();
  }

  propose(payloads: readonly Uint8Array[]): Promise<ProposeResult> {
    if (this.role !== 'leader' || this.failuresLeft > 0) {
      if (this.role === 'leader') this.failuresLeft--;
      return Promise.resolve({ ok: false, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, leaderId: this.leader });
    }
    const baseOffset = this.log.length;
    this.append('data', payloads);
    return Promise.resolve({ ok: true, baseOffset, epoch: this.epoch });
  }

  waitForApplied(offset: number, timeoutMs: number): Promise<boolean> {
    return this.waiters.wait(this.state.appliedOffset, offset, timeoutMs);
  }

  resign(epoch: number): Promise<void> {
    if (this.role === 'leader' && this.epoch === epoch) {
      this.role = 'resigned';
      this.leader = null;
      this.resignations.push(epoch);
    }
    return Promise.resolve();
  }

  /** The data records in the log, decoded lazily by the caller (entries of kind `data`). */
  dataPayloads(): Uint8Array[] {
    return this.log.filter((e) => e.kind === 'data').map((e) => e.payload);
  }

  private append(kind: LogEntry['kind'], payloads: readonly Uint8Array[]): void {
    for (const payload of payloads) this.log.push({ offset: this.log.length, epoch: this.epoch, kind, payload });
    this.queueCommit();
  }

  /** Commit (apply) everything appended, on a later macrotask, unless commits are held. */
  private queueCommit(): void {
    if (this.commitQueued || this.held) return;
    this.commitQueued = true;
    setImmediate(() => {
      this.commitQueued = false;
      if (this.held) return;
      const pending = this.log.slice(this.state.appliedOffset);
      if (pending.length > 0) this.state.applyAll(pending);
      this.waiters.applied(this.state.appliedOffset);
    });
  }
}
