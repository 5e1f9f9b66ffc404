// RaftDriver binds the pure RaftCore to time, disk and the network, the way etcd's raft
// examples drive their core: every input (a tick, a request, a response, a proposal) runs on one
// serial queue; after each input the driver takes the core's Ready and acts on it in the
// documented order — write and fsync the log and quorum-state, only then send messages, then
// apply committed entries to the state and take snapshots. Nothing here decides Raft questions.
// What is replicated is the caller's business: the driver applies entries to, snapshots and
// restores a StateMachine it is given (the node gives it a MetadataState).
import type { Logger } from 'pino';
import { assertNever } from '../../common/assert.js';
import type { Endpoint } from '../../common/node-config.js';
import { systemRandom } from '../../common/system-ports.js';
import { RaftCore, type ProposeResult, type QuorumStatus, type RaftCoreConfig } from '../core/raft-core.js';
import type { NodeId, Offset, OutboundMessage, RaftRequest, RaftResponse, Ready, SnapshotId } from '../core/types.js';
import type { RpcClientSecurity } from '../../rpc/rpc-security.js';
import { AppliedWaiters } from './applied-waiters.js';
import { RaftClientPool } from './grpc-transport.js';
import type { MetadataLogStore } from './metadata-log-store.js';
import type { RaftMetrics } from './raft-metrics.js';
import type { DescribeQuorumResponse, ReplicaState } from '../../rpc/kraft-rpc.js';
import type { StateMachine } from './state-machine.js';
import { ErrorCode } from '../../common/errors.js';
import { isDiskFull, isStorageError } from '../../storage/log-dir-health.js';

interface RaftDriverOptions<S extends StateMachine = StateMachine> {
  readonly core: RaftCoreConfig;
  /** The state the committed entries are applied to; start() restores it from the latest snapshot. */
  readonly stateMachine: S;
  readonly store: MetadataLogStore;
  /** Controller endpoints of the voters, by node id. */
  readonly voterEndpoints: ReadonlyMap<NodeId, Endpoint>;
  /** How the peer channels connect (plaintext, or mutual TLS on an SSL controller listener); default plaintext. */
  readonly peerSecurity?: RpcClientSecurity;
  readonly logger: Logger;
  readonly metrics: RaftMetrics;
  readonly snapshotBytesBetween: number;
  readonly snapshotIntervalMs: number;
  /** Called when the driver cannot go on (a disk write failed): the process must stop. */
  readonly onFatal: (err: unknown) => void;
  /** Called after each input and the Readies it caused (the quorum thread publishes the status then). */
  readonly onStep?: () => void;
}

/** How often the core's timers are checked. Election and fetch timeouts are far coarser. */
const tickIntervalMs = 10;
/** Leader: entries whose append time we remember for the append-to-commit histogram. */
const appendTimesMax = 100_000;
/** How long shutdown waits for EndQuorumEpoch to reach the other voters. */
const resignWaitMs = 500;

export class RaftDriver<S extends StateMachine = StateMachine> {
  private readonly core: RaftCore;
  private readonly applyListeners: ((state: S) => void)[] = [];
  private readonly state: S;
  private readonly clients: RaftClientPool;
  private readonly queue: (() => void)[] = [];
  private running = false;
  private stopped = false;
  private tickQueued = false;
  private timer: NodeJS.Timeout | null = null;
  private lastClockMs = performance.now();
  private lastSnapshotMs = performance.now();
  private nextRequestId = 1;
  private readonly pendingResponses = new Map<number, (response: RaftResponse) => void>();
  private readonly appendTimes = new Map<Offset, number>();
  private readonly inflightSends = new Set<Promise<unknown>>();
  private snapshotsWritten = 0;
  private readonly appliedWaiters = new AppliedWaiters();
  private lastRoleView = '';
  /** The last epoch this node stood as a candidate in, and the last leader (epoch/id) it knew. */
  private lastCandidateEpoch = -1;
  private lastLeaderView = '';
  private snapshotInProgress = false;
  private snapshotThresholdBytes = 0;

  private constructor(private readonly options: RaftDriverOptions<S>) {
    this.state = options.stateMachine;
    this.core = new RaftCore(options.core, systemRandom, options.store.recovered());
    this.clients = new RaftClientPool(options.voterEndpoints, options.peerSecurity);
    this.snapshotThresholdBytes = this.jitteredSnapshotThreshold();
  }

  /**
   * metadata.log.max.record.bytes.between.snapshots plus up to a quarter more, drawn anew each
   * time: nodes replay the same log, and without it they would all snapshot at the same offset
   * and compete for the CPU at the same moment.
   */
  private jitteredSnapshotThreshold(): number {
    const base = this.options.snapshotBytesBetween;
    return base + systemRandom.nextInt(Math.max(1, Math.floor(base / 4)));
  }

  /** Recover the state from the latest snapshot, then start ticking. */
  static async start<S extends StateMachine>(options: RaftDriverOptions<S>): Promise<RaftDriver<S>> {
    const recovered = options.store.recovered();
    if (recovered.snapshotId)
      options.stateMachine.loadSnapshot(await options.store.readSnapshot(recovered.snapshotId), recovered.snapshotId);
    const driver = new RaftDriver(options);
    options.logger.info(
      { snapshot: recovered.snapshotId, entries: recovered.entries.length, quorumState: recovered.quorumState },
      'metadata log recovered',
    );
    driver.timer = setInterval(() => driver.queueTick(), tickIntervalMs);
    driver.enqueue(() => {});
    return driver;
  }

  // ------------------------------------------------------------ inputs

  /** A request from a peer (gRPC server side). Resolves with the core's answer. */
  handleRequest(request: RaftRequest): Promise<RaftResponse> {
    return new Promise((resolve, reject) => {
      if (this.stopped) {
        reject(new Error('node is shutting down'));
        return;
      }
      const requestId = this.nextRequestId++;
      this.pendingResponses.set(requestId, resolve);
      this.enqueue(() => this.core.handleRequest(senderOf(request), requestId, request));
    });
  }

  /** Leader only: append data records; resolves once they are appended (not yet committed). */
  propose(payloads: readonly Uint8Array[]): Promise<ProposeResult> {
    return new Promise((resolve) => this.enqueue(() => resolve(this.core.propose(payloads))));
  }

  /**
   * Leader of `epoch` only: step down (EndQuorumEpoch to the voters) so another voter takes over.
   * The active controller does this when it cannot do its job (Kafka's QuorumController renounces).
   * Resolves once the core has resigned, or at once when it no longer leads that epoch.
   */
  resign(epoch: number): Promise<void> {
    return new Promise((resolve) =>
      this.enqueue(() => {
        const s = this.core.status();
        if (s.role === 'leader' && s.epoch === epoch) this.core.resign();
        resolve();
      }),
    );
  }

  status(): QuorumStatus {
    return this.core.status();
  }

  /** The quorum's metrics (and the node registry they are in, for the roles' own). */
  get metrics(): RaftMetrics {
    return this.options.metrics;
  }

  /** The state machine the caller gave (the same object for the driver's life). */
  appliedState(): S {
    return this.state;
  }

  /** Resolves true once every entry below `offset` is applied, false after timeoutMs. */
  waitForApplied(offset: Offset, timeoutMs: number): Promise<boolean> {
    return this.appliedWaiters.wait(this.state.appliedOffset, offset, timeoutMs);
  }

  /** Kafka's DescribeQuorum answer, with timestamps on the wall clock. */
  describeQuorum(clusterId: string): DescribeQuorumResponse {
    const s = this.core.status();
    const leader = s.leaderId;
    if (s.role !== 'leader') {
      const ep = leader !== null ? this.options.voterEndpoints.get(leader) : undefined;
      return {
        errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER,
        clusterId,
        leaderId: leader ?? -1,
        leaderEpoch: s.epoch,
        highWatermark: s.highWatermark,
        currentVoters: [],
        observers: [],
        leaderHost: ep?.host ?? '',
        leaderPort: ep?.port ?? 0,
      };
    }
    const wallNow = Date.now();
    const toWall = (t: number | null): number =>
      t === null ? -1 : Math.round(wallNow - (this.core.currentTimeMs - t));
    const replica = (r: QuorumStatus['replicas'][number]): ReplicaState => ({
      replicaId: r.nodeId,
      logEndOffset: r.lastFetchMs === null ? -1 : r.logEndOffset,
      lastFetchTimestamp: toWall(r.lastFetchMs),
      lastCaughtUpTimestamp: toWall(r.lastCaughtUpMs),
    });
    const self = this.options.voterEndpoints.get(this.options.core.nodeId);
    return {
      errorCode: ErrorCode.NONE,
      clusterId,
      leaderId: this.options.core.nodeId,
      leaderEpoch: s.epoch,
      highWatermark: s.highWatermark,
      currentVoters: s.replicas.filter((r) => r.isVoter).map(replica),
      observers: s.replicas.filter((r) => !r.isVoter).map(replica),
      leaderHost: self?.host ?? '',
      leaderPort: self?.port ?? 0,
    };
  }

  /** Stop: a leader first resigns (EndQuorumEpoch) so a successor takes over at once. */
  async shutdown(): Promise<void> {
    if (this.stopped) return;
    if (this.core.status().role === 'leader') {
      await new Promise<void>((resolve) =>
        this.enqueue(() => {
          this.core.resign();
          resolve();
        }),
      );
      await this.waitForIdle(resignWaitMs);
      await Promise.race([Promise.allSettled([...this.inflightSends]), delay(resignWaitMs)]);
    }
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.appliedWaiters.cancelAll();
    await this.waitForIdle(resignWaitMs);
    this.clients.close();
    await this.options.store.close();
  }

  // ------------------------------------------------------------ the loop

  private queueTick(): void {
    if (this.tickQueued || this.stopped) return;
    this.tickQueued = true;
    this.enqueue(() => {
      this.tickQueued = false;
    });
  }

  private enqueue(input: () => void): void {
    if (this.stopped) return;
    this.queue.push(input);
    if (!this.running) void this.runLoop();
  }

  private async runLoop(): Promise<void> {
    this.running = true;
    try {
      for (let input = this.queue.shift(); input; input = this.queue.shift()) {
        const now = performance.now();
        // A tick moves a follower (voter or observer) off its leader only when its fetch timer fired.
        const following = this.core.currentRole() === 'follower';
        this.core.tick(Math.max(0, now - this.lastClockMs));
        if (following && this.core.currentRole() !== 'follower') this.options.metrics.fetchTimeouts.inc();
        this.lastClockMs = now;
        input();
        while (this.core.hasReady()) await this.handleReady(this.core.takeReady());
        this.options.onStep?.();
      }
    } catch (err) {
      this.stopped = true;
      if (this.timer) clearInterval(this.timer);
      // As Kafka halts when its metadata log dir fails: a write of the log or quorum-state that
      // failed stops the node before anything depending on it was sent (persist, then send).
      if (isStorageError(err))
        this.options.logger.fatal(
          { metadataLogDir: this.options.store.dir, code: (err as NodeJS.ErrnoException).code, full: isDiskFull(err) },
          'metadata log dir write failed (full disk?): stopping; nothing unpersisted was acknowledged or voted; restart once space returns (recovery cuts a torn tail)',
        );
      this.options.onFatal(err);
    } finally {
      this.running = false;
    }
  }

  private async waitForIdle(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while ((this.running || this.queue.length > 0) && performance.now() < deadline) await delay(5);
  }

  private async handleReady(ready: Ready): Promise<void> {
    const store = this.options.store;
    let wrote = false;
    if (ready.snapshotChunk) {
      await store.writeSnapshotChunk(ready.snapshotChunk);
      wrote = true;
    }
    if (ready.truncateToOffset !== null) {
      await store.truncateTo(ready.truncateToOffset);
      wrote = true;
    }
    if (ready.entries.length > 0) {
      await store.append(ready.entries);
      wrote = true;
    }
    if (ready.quorumState) await store.writeQuorumState(ready.quorumState); // atomic + fsynced
    if (wrote) await store.flush();
    if (ready.entries.length > 0) this.countAppended(ready);
    this.core.persisted(ready);
    for (const m of ready.messages) this.send(m);
    if (ready.loadSnapshot) await this.loadSnapshot(ready.loadSnapshot);
    this.applyCommitted(ready);
    this.appliedWaiters.applied(this.state.appliedOffset);
    if (ready.deleteBefore !== null) await store.deleteSegmentsBefore(ready.deleteBefore);
    this.maybeSnapshot();
    this.updateGauges();
  }

  private send(m: OutboundMessage): void {
    switch (m.kind) {
      case 'request': {
        const deadlineMs = this.options.core.requestTimeoutMs + (m.request.type === 'fetch' ? m.request.maxWaitMs : 0);
        const p = this.clients.send(m.to, m.request, deadlineMs).then(
          (response) => this.enqueue(() => this.core.handleResponse(m.to, m.correlationId, response)),
          (err: unknown) => {
            this.options.logger.debug({ to: m.to, request: m.request.type, err: String(err) }, 'raft request failed');
            this.enqueue(() => this.core.handleRequestFailure(m.to, m.correlationId));
          },
        );
        this.inflightSends.add(p);
        void p.finally(() => this.inflightSends.delete(p));
        break;
      }
      case 'response': {
        const resolve = this.pendingResponses.get(m.requestId);
        if (!resolve) return;
        this.pendingResponses.delete(m.requestId);
        const read = m.snapshotRead;
        if (read && m.response.type === 'fetchSnapshot') {
          const base = m.response;
          this.options.store.readSnapshotFileChunk(read.snapshotId, read.position, read.maxBytes).then(
            ({ bytes, size }) =>
              resolve(
                read.position > size
                  ? { ...base, errorCode: ErrorCode.POSITION_OUT_OF_RANGE, size }
                  : { ...base, bytes, size },
              ),
            () => resolve({ ...base, errorCode: ErrorCode.SNAPSHOT_NOT_FOUND }),
          );
        } else {
          resolve(m.response);
        }
        break;
      }
      default:
        assertNever(m);
    }
  }

  private async loadSnapshot(id: SnapshotId): Promise<void> {
    this.state.loadSnapshot(await this.options.store.readSnapshot(id), id);
    this.lastSnapshotMs = performance.now();
    this.notifyApplied();
    this.options.logger.info({ snapshot: id }, 'loaded snapshot from the leader');
  }

  /** Call `listener` with the applied state after every apply (committed entries or a snapshot). */
  onApplied(listener: (state: S) => void): void {
    this.applyListeners.push(listener);
  }

  private notifyApplied(): void {
    for (const l of this.applyListeners) {
      try {
        l(this.state);
      } catch (err) {
        this.options.metrics.metadataErrors.inc({ source: 'apply' });
        this.options.logger.error({ err }, 'an apply listener failed');
      }
    }
  }

  private applyCommitted(ready: Ready): void {
    const now = performance.now();
    this.state.applyAll(ready.committed);
    if (ready.committed.length > 0) this.notifyApplied();
    for (const entry of ready.committed) {
      const appendedAt = this.appendTimes.get(entry.offset);
      if (appendedAt !== undefined) {
        this.options.metrics.appendToCommitSeconds.observe((now - appendedAt) / 1000);
        this.appendTimes.delete(entry.offset);
      }
    }
  }

  /** Appended entries by source; the leader's also start their append-to-commit clock. */
  private countAppended(ready: Ready): void {
    const leading = this.core.currentRole() === 'leader';
    this.options.metrics.appendedRecords.inc({ source: leading ? 'leader' : 'fetch' }, ready.entries.length);
    if (leading) this.rememberAppendTimes(ready);
  }

  private rememberAppendTimes(ready: Ready): void {
    const now = performance.now();
    for (const e of ready.entries) this.appendTimes.set(e.offset, now);
    while (this.appendTimes.size > appendTimesMax) {
      const oldest = this.appendTimes.keys().next().value;
      if (oldest === undefined) break;
      this.appendTimes.delete(oldest);
    }
  }

  /**
   * KIP-630: snapshot after enough bytes (or time) since the last one; older segments go once the
   * core knows of it. The snapshot is encoded and written off the input loop (the state's image
   * is immutable), so a large image never stalls fetches and elections.
   */
  private maybeSnapshot(): void {
    const st = this.state;
    const due =
      st.bytesSinceSnapshot >= this.snapshotThresholdBytes ||
      (st.bytesSinceSnapshot > 0 && performance.now() - this.lastSnapshotMs >= this.options.snapshotIntervalMs);
    if (!due || !st.canSnapshot || this.snapshotInProgress) return;
    const last = this.core.entryAt(st.appliedOffset - 1);
    if (!last) return;
    const id: SnapshotId = { endOffset: st.appliedOffset, epoch: last.epoch };
    this.lastSnapshotMs = performance.now();
    this.snapshotInProgress = true;
    this.snapshotThresholdBytes = this.jitteredSnapshotThreshold();
    const bytes = st.takeSnapshot();
    void bytes
      .then((body) => this.options.store.createSnapshot(id, body))
      .then(
        () => {
          this.snapshotsWritten++;
          this.options.metrics.snapshotsWritten.set(this.snapshotsWritten);
          this.options.logger.info({ snapshot: id }, 'wrote metadata snapshot');
          this.enqueue(() => this.core.snapshotCreated(id));
        },
        (err: unknown) => this.options.onFatal(err),
      )
      .finally(() => {
        this.snapshotInProgress = false;
      });
  }

  private updateGauges(): void {
    const s = this.core.status();
    const view = `${s.role}/${s.epoch}/${s.leaderId}`;
    if (view !== this.lastRoleView) {
      this.lastRoleView = view;
      this.options.logger.info(
        {
          role: s.role,
          epoch: s.epoch,
          leaderId: s.leaderId,
          highWatermark: s.highWatermark,
          logEndOffset: s.logEndOffset,
        },
        'quorum state changed',
      );
    }
    const m = this.options.metrics;
    // A leader stood as the candidate of its epoch, though a quick win may pass between two looks.
    if ((s.role === 'candidate' || s.role === 'leader') && s.epoch !== this.lastCandidateEpoch) {
      this.lastCandidateEpoch = s.epoch;
      m.elections.inc();
    }
    const leaderView = `${s.epoch}/${s.leaderId}`;
    if (s.leaderId !== null && leaderView !== this.lastLeaderView) {
      this.lastLeaderView = leaderView;
      m.leaderChanges.inc();
    }
    m.epoch.set(s.epoch);
    m.leaderId.set(s.leaderId ?? -1);
    m.highWatermark.set(s.highWatermark);
    m.logEndOffset.set(s.logEndOffset);
    m.logStartOffset.set(s.logStartOffset);
    m.isLeader.set(s.role === 'leader' ? 1 : 0);
  }
}

function senderOf(request: RaftRequest): NodeId {
  switch (request.type) {
    case 'vote':
      return request.candidateId;
    case 'beginQuorumEpoch':
    case 'endQuorumEpoch':
      return request.leaderId;
    case 'fetch':
    case 'fetchSnapshot':
      return request.replicaId;
    default:
      return assertNever(request);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
