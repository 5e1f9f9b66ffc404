// QuorumController: the controller logic of the active controller (the Raft leader). One event
// queue: each write reads the committed image, lets a manager decide records + response,
// proposes the records (several at once go inside a metadata transaction, so a torn batch can
// never become half visible), waits until they are committed and applied, and only then
// answers. State changes only through replay (MetadataState), on every node alike.
//
// A controller is active once it leads and has applied its own epoch's LeaderChange (its image
// then holds every earlier committed record). On activation it aborts a transaction the
// previous leader left open and starts every broker session afresh.
//
// It reaches Raft only through the ControllerRaft port below (the RaftDriver in a node, an
// in-memory Raft in tests) and reads the node's MetadataState, which that Raft applies to.
//
// Failures are never swallowed; they are logged, and handled the way Kafka's QuorumController
// handles an event that failed (handleEventException): when this node no longer leads, nothing
// is to be done — the next active controller redoes the work from the committed image (it aborts
// an open transaction, starts broker sessions afresh and fences whoever stays silent). When it
// still leads, Kafka renounces (resigns leadership so a controller with a clean state takes over)
// on unexpected failures; we do the same, after bounded retries where a retry can help:
//  - the periodic preferred-leader election: logged; the next period runs it again;
//  - activation (aborting a transaction left open, bootstrap records): logged; no write runs
//    until it succeeds (each write and session sweep tries it again), and after
//    activationAttemptsMax failures in one epoch this controller resigns;
//  - broker fencing: retried with backoff while this controller stays active in the same epoch and
//    the broker stays silent; after fenceAttemptsMax attempts it resigns (its successor fences the
//    broker once its session times out there);
//  - aborting our own failed migration import: resign at once — an open transaction must not
//    take in the next writes, and the next active controller aborts it on activation.
import type { Logger } from 'pino';
import { ErrorCode } from '../common/errors.js';
import type { MetadataImage } from '../metadata/image.js';
import { configResourceKey } from '../metadata/image.js';
import { applicableDynamicConfigs, dynamicValue } from '../common/dynamic-broker-config.js';
import {
  ConfigResourceType,
  decodeRecord,
  encodeRecord,
  RecordDecodeError,
  type MetadataRecord,
} from '../metadata/records.js';
import { decideMigrationImport } from './migration-control.js';
import type { MetadataState } from '../metadata/metadata-state.js';
import type { ProposeResult, QuorumStatus } from '../raft/core/raft-core.js';
import { randomUuid } from '../common/uuid.js';
import {
  BrokerSessions,
  brokerHeartbeat,
  fenceBroker,
  registerBroker,
  registerController,
  type RegisterControllerRequest,
  type BrokerHeartbeatRequest,
  type BrokerHeartbeatResponse,
  type Decision,
  type RegisterBrokerRequest,
  type RegisterBrokerResponse,
} from './cluster-control.js';
import { createAcls, deleteAcls, type AclBinding, type AclFilter, type AclResult } from './acl-control.js';
import { alterPartition, type AlterPartitionRequest, type AlterPartitionResponse } from './alter-partition.js';
import {
  allocateProducerIds,
  incrementalAlterConfigs,
  type AllocateProducerIdsResponse,
  type AlterConfigsResource,
  type AlterConfigsResult,
} from './config-control.js';
import {
  bootstrapFeatureRecords,
  updateFeatures,
  type FeatureUpdate,
  type FeatureUpdateResult,
} from './feature-control.js';
import { alterPartitionReassignments, type ReassignmentItem, type ReassignmentResult } from './reassignment-control.js';
import { alterClientQuotas, type QuotaAlteration, type QuotaAlterResult } from './quota-control.js';
import { alterUserScramCredentials, type ScramAlterResult } from './scram-control.js';
import { electLeaders, type ElectionResult, type ElectionTarget } from './leader-election.js';
import type { ScramDeletion, ScramUpsertion } from '../security/scram.js';
import {
  createPartitions,
  createTopics,
  deleteTopics,
  electPreferredLeaders,
  moveAwayFrom,
  type CreatableTopic,
  type ControlResult,
  type DeletableTopic,
  type PartitionsIncrease,
  type TopicResult,
} from './replication-control.js';

/** What the controller needs from the metadata Raft (RaftDriver implements it). */
export interface ControllerRaft {
  status(): Pick<QuorumStatus, 'role' | 'epoch' | 'leaderId' | 'logEndOffset'>;
  /** Leader only: append data records; resolves once they are appended (not yet committed). */
  propose(payloads: readonly Uint8Array[]): Promise<ProposeResult>;
  /** Resolves true once every entry below `offset` is applied to the state, false after timeoutMs. */
  waitForApplied(offset: number, timeoutMs: number): Promise<boolean>;
  /** Step down if still leading `epoch` (Kafka's renounce). */
  resign(epoch: number): Promise<void>;
}

interface QuorumControllerOptions {
  readonly nodeId: number;
  readonly clusterId: string;
  readonly raft: ControllerRaft;
  /** The state `raft` applies committed entries to. */
  readonly state: MetadataState;
  readonly logger: Logger;
  readonly defaultPartitions: number;
  readonly defaultReplicationFactor: number;
  readonly deleteTopicEnable: boolean;
  readonly uncleanLeaderElectionEnable: boolean;
  readonly brokerSessionTimeoutMs: number;
  /** Preferred-leader election every this many ms; null when auto.leader.rebalance.enable=false. */
  readonly leaderRebalanceIntervalMs: number | null;
  /** Monotonic milliseconds for broker sessions (default performance.now; tests inject one). */
  readonly nowMs?: () => number;
  /**
   * Called for each controller event that failed for a reason other than lost leadership (Kafka
   * counts these in MetadataErrorCount); the node counts them in /metrics.
   */
  readonly onEventError?: (err: unknown) => void;
}

/** Bound on leader changes one rebalance pass writes. */
const rebalanceChangesMax = 1000;
/** Bound on records in one write of a fencing sweep (a CreateTopics of 50 × 100 is this size). */
const writeRecordsMax = 5000;

/** Records per proposal of a migration import (one transaction, many proposals). 5,000 cost the
 * leader its leadership on a loaded 2-core machine with 300 ms fetch timeouts; 1,000 do not. */
const importSliceRecords = 1000;
/** Records decoded between yields to the event loop (decoding costs ~10 µs a record). */
const decodeSliceRecords = 500;

interface MigrationImportResult {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly alreadyMigrated: boolean;
  readonly conflicts: readonly string[];
  readonly recordsWritten: number;
  readonly metadataOffset: number;
  readonly notes: readonly string[];
}

const emptyImportResult: MigrationImportResult = {
  errorCode: ErrorCode.NONE,
  errorMessage: null,
  alreadyMigrated: false,
  conflicts: [],
  recordsWritten: 0,
  metadataOffset: -1,
  notes: [],
};

/** How long a write waits for its records to commit before answering NOT_CONTROLLER. */
const commitTimeoutMs = 10_000;
/** How often the active controller looks for expired broker sessions. */
const sessionCheckIntervalMs = 100;
/** Bound on writes waiting in the queue; beyond it callers get NOT_CONTROLLER to back off. */
const pendingWritesMax = 10_000;
/** Attempts to fence one broker before this controller resigns. */
const fenceAttemptsMax = 5;
/** Backoff after the first failed fencing attempt; doubles per attempt up to fenceRetryBackoffMaxMs. */
const fenceRetryBackoffMs = 100;
const fenceRetryBackoffMaxMs = 2000;
/** Failed activations in one epoch before this controller resigns. */
const activationAttemptsMax = 5;

export class NotControllerError extends Error {
  override readonly name = 'NotControllerError';
  readonly errorCode = ErrorCode.NOT_CONTROLLER;

  /** `lostLeadership`: this controller was active, ran the write, and lost its leadership before it committed. */
  constructor(
    message: string,
    readonly lostLeadership = false,
  ) {
    super(message);
  }
}

export class QuorumController {
  private queue: Promise<unknown> = Promise.resolve();
  private pendingWrites = 0;
  private activeEpoch = -1;
  private sessions = new BrokerSessions();
  /** Brokers whose fencing (with its retries) is under way: the session sweep skips them. */
  private readonly fencing = new Set<number>();
  private activationFailures = { epoch: -1, count: 0 };
  private closed = false;
  private readonly retryTimers = new Set<{ readonly timer: NodeJS.Timeout; readonly wake: () => void }>();
  private readonly timer: NodeJS.Timeout;
  private readonly rebalanceTimer: NodeJS.Timeout | null;
  private readonly raft: ControllerRaft;
  private readonly nowMs: () => number;

  constructor(private readonly options: QuorumControllerOptions) {
    this.raft = options.raft;
    this.nowMs = options.nowMs ?? (() => performance.now());
    this.timer = setInterval(() => this.checkSessions(), sessionCheckIntervalMs);
    this.rebalanceTimer =
      options.leaderRebalanceIntervalMs === null
        ? null
        : setInterval(() => this.rebalanceLeaders(), options.leaderRebalanceIntervalMs);
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    if (this.rebalanceTimer) clearInterval(this.rebalanceTimer);
    for (const t of this.retryTimers) {
      clearTimeout(t.timer);
      t.wake();
    }
    this.retryTimers.clear();
  }

  private rebalanceLeaders(): void {
    if (!this.isActive()) return;
    // Periodic: a failed pass is logged and the next period runs it again.
    void this.write((image) => ({ records: electPreferredLeaders(image, rebalanceChangesMax), response: null })).catch(
      (err: unknown) => this.logFailure('preferred leader election', err),
    );
  }

  /** The leader's node id as this controller knows it (-1 when unknown). */
  leaderId(): number {
    return this.raft.status().leaderId ?? -1;
  }

  image(): MetadataImage {
    return this.options.state.image;
  }

  registerBroker(req: RegisterBrokerRequest): Promise<RegisterBrokerResponse> {
    return this.write((image) =>
      registerBroker(image, req, {
        clusterId: this.options.clusterId,
        nextOffset: this.raft.status().logEndOffset,
        nowMs: this.nowMs(),
        sessionTimeoutMs: this.options.brokerSessionTimeoutMs,
        sessions: this.sessions,
      }),
    );
  }

  registerController(req: RegisterControllerRequest): Promise<{ errorCode: number; errorMessage: string | null }> {
    return this.write((image) => registerController(image, req, this.options.clusterId));
  }

  brokerHeartbeat(req: BrokerHeartbeatRequest): Promise<BrokerHeartbeatResponse> {
    const decide = (image: MetadataImage): Decision<BrokerHeartbeatResponse> =>
      brokerHeartbeat(image, req, {
        nowMs: this.nowMs(),
        sessions: this.sessions,
        uncleanAllowed: (t) => this.uncleanAllowed(image, t),
        movesMax: writeRecordsMax,
      });
    // A heartbeat keeps the session alive when it arrives, not when the write queue reaches it
    // (a big CreateTopics must not get brokers fenced), and one that changes nothing is answered
    // at once from the committed image.
    if (this.isActive() && this.activeEpoch === this.raft.status().epoch) {
      const now = decide(this.image());
      if (now.records.length === 0) return Promise.resolve(now.response);
    }
    return this.write(decide);
  }

  createTopics(topics: readonly CreatableTopic[], validateOnly: boolean): Promise<readonly TopicResult[]> {
    return this.write((image) =>
      asDecision(
        createTopics(image, topics, {
          defaultPartitions: this.options.defaultPartitions,
          defaultReplicationFactor: this.options.defaultReplicationFactor,
          validateOnly,
          newTopicId: randomUuid,
        }),
      ),
    );
  }

  deleteTopics(topics: readonly DeletableTopic[]): Promise<readonly TopicResult[]> {
    return this.write((image) => asDecision(deleteTopics(image, topics, this.options.deleteTopicEnable)));
  }

  createPartitions(increases: readonly PartitionsIncrease[], validateOnly: boolean): Promise<readonly TopicResult[]> {
    return this.write((image) => asDecision(createPartitions(image, increases, validateOnly)));
  }

  alterPartition(req: AlterPartitionRequest): Promise<AlterPartitionResponse> {
    return this.write((image) => alterPartition(image, req));
  }

  incrementalAlterConfigs(
    resources: readonly AlterConfigsResource[],
    validateOnly: boolean,
  ): Promise<readonly AlterConfigsResult[]> {
    return this.write((image) => incrementalAlterConfigs(image, resources, validateOnly));
  }

  allocateProducerIds(brokerId: number, brokerEpoch: number): Promise<AllocateProducerIdsResponse> {
    return this.write((image) => allocateProducerIds(image, brokerId, brokerEpoch));
  }

  createAcls(bindings: readonly AclBinding[]): Promise<readonly AclResult[]> {
    return this.write((image) => createAcls(image, bindings, randomUuid));
  }

  deleteAcls(filters: readonly AclFilter[]): Promise<readonly AclResult[]> {
    return this.write((image) => deleteAcls(image, filters));
  }

  alterUserScramCredentials(
    deletions: readonly ScramDeletion[],
    upsertions: readonly ScramUpsertion[],
  ): Promise<readonly ScramAlterResult[]> {
    return this.write((image) => alterUserScramCredentials(image, deletions, upsertions));
  }

  alterClientQuotas(
    alterations: readonly QuotaAlteration[],
    validateOnly: boolean,
  ): Promise<readonly QuotaAlterResult[]> {
    return this.write((image) => alterClientQuotas(image, alterations, validateOnly));
  }

  alterPartitionReassignments(items: readonly ReassignmentItem[]): Promise<readonly ReassignmentResult[]> {
    return this.write((image) => alterPartitionReassignments(image, items));
  }

  updateFeatures(updates: readonly FeatureUpdate[], validateOnly: boolean): Promise<readonly FeatureUpdateResult[]> {
    return this.write((image) => updateFeatures(image, updates, validateOnly));
  }

  electLeaders(electionType: number, targets: readonly ElectionTarget[] | null): Promise<readonly ElectionResult[]> {
    return this.write((image) => electLeaders(image, electionType, targets));
  }

  /**
   * The image for a linearizable read: on the active controller, once a NoOp record proposed
   * now (in this epoch) has been applied. That proves this node still led when the read was
   * served (a deposed leader cut off by a partition cannot commit it) and that every write
   * acknowledged before the read is in the image. Costs one metadata-log write; reads that may be
   * stale use image() instead.
   */
  readBarrier(): Promise<MetadataImage> {
    return this.enqueue(async () => {
      await this.propose([{ type: 'noOp' }]);
      return this.image();
    });
  }

  /** The committed image, answered only by the active controller (the newest committed state). */
  activeImage(): MetadataImage {
    if (!this.isActive()) throw new NotControllerError('not the active controller');
    return this.image();
  }

  /**
   * Import a ZooKeeper migration (issue 7) as ONE metadata transaction, all or nothing. The
   * records arrive encoded; they are decoded in slices (yielding, so heartbeats and Raft traffic
   * keep flowing), judged by decideMigrationImport on the committed image, and the kept ones are
   * proposed as their original bytes in slices of importSliceRecords, each committed before the
   * next: no single Raft batch holds an event loop, and the transaction is never visible half
   * way. If this controller dies mid-way the next active one aborts the open transaction
   * (activateIfNeeded); if a slice fails while we still lead, we abort it ourselves before any
   * other write can run, so no other write ever lands inside it.
   */
  async importMigration(zkClusterId: string, encoded: readonly Uint8Array[]): Promise<MigrationImportResult> {
    let records: MetadataRecord[];
    try {
      records = await decodeInSlices(encoded);
    } catch (err) {
      if (!(err instanceof RecordDecodeError)) throw err;
      return { ...emptyImportResult, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: err.message };
    }
    return this.enqueue(async () => {
      const decision = decideMigrationImport(this.image(), this.options.clusterId, { zkClusterId, records });
      const offset = (): number => this.options.state.appliedOffset;
      if (decision.kind === 'refuse')
        return {
          ...emptyImportResult,
          errorCode: decision.errorCode,
          errorMessage: decision.errorMessage,
          conflicts: decision.conflicts,
        };
      if (decision.kind === 'already-migrated')
        return { ...emptyImportResult, alreadyMigrated: true, metadataOffset: offset() };
      const payloads: Uint8Array[] = [encodeRecord({ type: 'beginTransaction', name: decision.transactionName })];
      for (const i of decision.keep) payloads.push(encoded[i]!);
      payloads.push(encodeRecord({ type: 'endTransaction' }));
      this.options.logger.info({ records: decision.keep.length, zkClusterId }, 'importing a ZooKeeper migration');
      try {
        for (let at = 0; at < payloads.length; at += importSliceRecords)
          await this.proposeEncoded(payloads.slice(at, at + importSliceRecords));
      } catch (err) {
        await this.maybeAbortTransaction('migration import failed');
        throw err;
      }
      this.options.logger.info({ records: decision.keep.length, offset: offset() }, 'ZooKeeper migration committed');
      return {
        ...emptyImportResult,
        recordsWritten: decision.keep.length,
        metadataOffset: offset(),
        notes: decision.notes,
      };
    });
  }

  /**
   * Still leading in an epoch where we opened a transaction: append its abort. If the abort fails
   * too, resign: the transaction must not take in the next writes of this queue, and the next
   * active controller (this one again, perhaps, in a later epoch) aborts it on activation.
   */
  private async maybeAbortTransaction(reason: string): Promise<void> {
    const s = this.raft.status();
    if (s.role !== 'leader' || s.epoch !== this.activeEpoch) return; // the next active controller aborts it
    this.options.logger.warn({ reason }, 'aborting our open metadata transaction');
    try {
      await this.propose([{ type: 'abortTransaction', reason }]);
    } catch (err) {
      await this.renounce(s.epoch, 'could not abort our open metadata transaction', err);
    }
  }

  private uncleanAllowed(image: MetadataImage, topic: string): boolean {
    const v = image.configs
      .get(configResourceKey(ConfigResourceType.TOPIC, topic))
      ?.get('unclean.leader.election.enable');
    if (v !== undefined) return v.toLowerCase() === 'true';
    // Kafka's precedence below the topic: this controller's per-node dynamic config, the cluster
    // default, then the node's file.
    const layers = {
      perBroker: applicableDynamicConfigs(
        image.configs.get(configResourceKey(ConfigResourceType.BROKER, String(this.options.nodeId))),
        true,
      ).applied,
      clusterDefault: applicableDynamicConfigs(
        image.configs.get(configResourceKey(ConfigResourceType.BROKER, '')),
        false,
      ).applied,
    };
    const dynamic = dynamicValue(layers, 'unclean.leader.election.enable');
    return dynamic === undefined ? this.options.uncleanLeaderElectionEnable : dynamic.trim().toLowerCase() === 'true';
  }

  private checkSessions(): void {
    if (!this.isActive() || this.pendingWrites > 0) return;
    if (this.activeEpoch !== this.raft.status().epoch) {
      // Newly active: start every session afresh (activation runs first in the write queue)
      // before judging anyone by heartbeats an older term of ours saw. A failed activation is
      // counted (and acted on) in activateIfNeeded; the next sweep tries again.
      void this.write(() => ({ records: [], response: null })).catch((err: unknown) =>
        this.logFailure('controller activation', err),
      );
      return;
    }
    const now = this.nowMs();
    for (const brokerId of this.sessions.expired(this.image(), now, this.options.brokerSessionTimeoutMs)) {
      if (this.fencing.has(brokerId)) continue;
      this.options.logger.warn({ brokerId }, 'broker session expired; fencing it');
      // Its session is forgotten once the fencing is over: until then a heartbeat shows up in it.
      const sessions = this.sessions;
      this.fencing.add(brokerId);
      void this.fenceWithRetries(brokerId, this.activeEpoch).finally(() => {
        this.fencing.delete(brokerId);
        sessions.forget(brokerId);
      });
    }
  }

  /**
   * Fence `brokerId`, retrying with backoff while this controller stays active in `epoch` and the
   * broker stays silent (a heartbeat since then touched its session). Gives up when leadership
   * is gone (the successor fences it); resigns after fenceAttemptsMax failed attempts, since a
   * broker nobody hears from must not stay leader of its partitions, and a successor that can
   * write will fence it. Never rejects.
   */
  private async fenceWithRetries(brokerId: number, epoch: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.fenceInSlices(brokerId);
        return;
      } catch (err) {
        const log = this.options.logger;
        if (!this.isActiveIn(epoch) || this.closed) {
          log.warn(
            { brokerId, err },
            'fencing a broker failed and this controller is no longer active; the next active controller fences it',
          );
          return;
        }
        if (attempt >= fenceAttemptsMax) {
          await this.renounce(epoch, `fencing broker ${brokerId} failed ${attempt} times`, err);
          return;
        }
        const backoffMs = Math.min(fenceRetryBackoffMaxMs, fenceRetryBackoffMs * 2 ** (attempt - 1));
        log.warn({ brokerId, attempt, backoffMs, err }, 'fencing a broker failed; retrying');
        await this.sleep(backoffMs);
        if (!this.isActiveIn(epoch) || this.closed) return;
        if (this.sessions.isAlive(brokerId, this.nowMs(), this.options.brokerSessionTimeoutMs)) {
          log.info({ brokerId }, 'broker heartbeated while its fencing was retried; not fencing it');
          return;
        }
      }
    }
  }

  /** Active and activated in `epoch` (a later epoch of ours starts sessions afresh). */
  private isActiveIn(epoch: number): boolean {
    return this.isActive() && this.activeEpoch === epoch && this.raft.status().epoch === epoch;
  }

  /**
   * Kafka's renounce: this controller still leads `epoch` but cannot do its job, so it steps
   * down and lets a controller with a clean state take over.
   */
  private async renounce(epoch: number, reason: string, err: unknown): Promise<void> {
    this.options.logger.error({ epoch, reason, err }, 'resigning as the active controller');
    try {
      await this.raft.resign(epoch);
    } catch (resignErr) {
      this.noteEventError(resignErr);
      this.options.logger.error({ epoch, err: resignErr }, 'could not resign as the active controller');
    }
  }

  /** A controller event failed: lost leadership is expected, anything else is a metadata error. */
  private noteEventError(err: unknown): void {
    if (!(err instanceof NotControllerError)) this.options.onEventError?.(err);
  }

  /** A background write failed: expected when leadership moved on, else worth an error. */
  private logFailure(task: string, err: unknown): void {
    if (err instanceof NotControllerError)
      this.options.logger.warn({ task, err }, 'controller background write failed');
    else this.options.logger.error({ task, err }, 'controller background write failed');
  }

  /** Wait `ms`, or less when the controller closes. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.retryTimers.delete(entry);
          resolve();
        }, ms),
        wake: resolve,
      };
      this.retryTimers.add(entry);
    });
  }

  /**
   * Fence a broker, then move its partitions in writes of at most writeRecordsMax records: one
   * write for 100,000 partitions would hold every node's event loop long enough to cost the
   * quorum its leader.
   */
  private async fenceInSlices(brokerId: number): Promise<void> {
    const unclean = (image: MetadataImage) => (t: string) => this.uncleanAllowed(image, t);
    await this.write((image) => ({
      records: fenceBroker(image, brokerId, unclean(image), writeRecordsMax),
      response: null,
    }));
    for (;;) {
      const moved = await this.write((image) => {
        const records = moveAwayFrom(image, brokerId, unclean(image), writeRecordsMax);
        return { records, response: records.length };
      });
      if (moved < writeRecordsMax) return;
    }
  }

  /** Leading, and our epoch's LeaderChange is applied: the image is complete (Kafka's ActiveControllerCount is 1). */
  isActive(): boolean {
    const s = this.raft.status();
    return s.role === 'leader' && this.options.state.lastLeaderChange?.epoch === s.epoch;
  }

  /**
   * Activation runs before the first write of an epoch; until it succeeds no write runs (so none
   * can land inside a transaction left open). A failure is logged and fails the write that
   * triggered it; the next write or session sweep tries again, and after activationAttemptsMax
   * failures in one epoch this controller resigns (Kafka renounces when activation fails).
   */
  private async activateIfNeeded(): Promise<void> {
    const epoch = this.raft.status().epoch;
    if (this.activeEpoch === epoch) return;
    this.sessions = new BrokerSessions();
    try {
      if (this.options.state.inTransaction) {
        this.options.logger.warn('aborting a metadata transaction the previous controller left open');
        await this.propose([{ type: 'abortTransaction', reason: 'controller failover' }]);
      }
      // The first controller of a new cluster finalizes metadata.version (bootstrap metadata).
      const bootstrap = bootstrapFeatureRecords(this.image());
      if (bootstrap.length > 0) await this.propose(bootstrap);
    } catch (err) {
      await this.activationFailed(epoch, err);
      throw err;
    }
    this.activeEpoch = epoch;
    this.options.logger.info({ epoch }, 'active controller');
  }

  private async activationFailed(epoch: number, err: unknown): Promise<void> {
    if (this.activationFailures.epoch !== epoch) this.activationFailures = { epoch, count: 0 };
    const count = ++this.activationFailures.count;
    this.options.logger.warn({ epoch, attempt: count, err }, 'controller activation failed');
    const s = this.raft.status();
    if (count >= activationAttemptsMax && s.role === 'leader' && s.epoch === epoch) {
      await this.renounce(epoch, `activation failed ${count} times`, err);
    }
  }

  private write<R>(decide: (image: MetadataImage) => Decision<R>): Promise<R> {
    return this.enqueue(async () => {
      const decision = decide(this.image());
      if (decision.records.length > 0) {
        const records =
          decision.records.length > 1
            ? [
                { type: 'beginTransaction' as const, name: 'controller write' },
                ...decision.records,
                { type: 'endTransaction' as const },
              ]
            : decision.records;
        await this.propose(records);
      }
      return decision.response;
    });
  }

  /** Run `task` alone on the write queue, once this controller is active (and activated). */
  private enqueue<R>(task: () => Promise<R>): Promise<R> {
    if (this.pendingWrites >= pendingWritesMax)
      return Promise.reject(new NotControllerError('the controller is overloaded; retry'));
    this.pendingWrites++;
    const run = async (): Promise<R> => {
      if (!this.isActive()) throw new NotControllerError('not the active controller');
      try {
        await this.activateIfNeeded();
        return await task();
      } catch (err) {
        this.noteEventError(err);
        throw err;
      }
    };
    const p = this.queue.then(run, run);
    const settled = (): void => {
      this.pendingWrites--;
    };
    this.queue = p.then(settled, settled);
    return p;
  }

  private propose(records: readonly MetadataRecord[]): Promise<void> {
    return this.proposeEncoded(records.map(encodeRecord));
  }

  private async proposeEncoded(payloads: readonly Uint8Array[]): Promise<void> {
    const raft = this.raft;
    const result = await raft.propose(payloads);
    if (!result.ok) throw new NotControllerError('lost leadership', true);
    const committed = await raft.waitForApplied(result.baseOffset + payloads.length, commitTimeoutMs);
    const s = raft.status();
    // Still leading in the same epoch means our entries cannot have been truncated.
    if (!committed || s.role !== 'leader' || s.epoch !== result.epoch)
      throw new NotControllerError('lost leadership before the write committed', true);
  }
}

/** Decode records, yielding to the event loop between slices. Throws RecordDecodeError. */
async function decodeInSlices(encoded: readonly Uint8Array[]): Promise<MetadataRecord[]> {
  const out: MetadataRecord[] = [];
  for (let i = 0; i < encoded.length; i++) {
    out.push(decodeRecord(encoded[i]!));
    if ((i + 1) % decodeSliceRecords === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return out;
}

function asDecision(r: ControlResult<TopicResult>): Decision<readonly TopicResult[]> {
  return { records: r.records, response: r.results };
}
