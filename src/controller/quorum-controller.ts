// QuorumController: the controller logic of the active controller (the Raft leader). One event
// queue: each write reads the committed image, lets a manager decide records + response,
// proposes the records (several at once go inside a metadata transaction, so a torn batch can
// never become half visible), waits until they are committed and applied, and only then
// answers. State changes only through replay (MetadataState), on every node alike.
//
// A controller is active once it leads and has applied its own epoch's LeaderChange (its image
// then holds every earlier committed record). On activation it aborts a transaction the
// previous leader left open and starts every broker session afresh.
import type { Logger } from 'pino';
import { ErrorCode } from '../common/errors.js';
import type { MetadataImage } from '../metadata/image.js';
import { configResourceKey } from '../metadata/image.js';
import { ConfigResourceType, decodeRecord, encodeRecord, RecordDecodeError, type MetadataRecord } from '../metadata/records.js';
import { decideMigrationImport } from './migration-control.js';
import type { RaftDriver } from '../raft/driver/raft-driver.js';
import { randomUuid } from '../common/uuid.js';
import {
  BrokerSessions,
  brokerHeartbeat,
  fenceBroker,
  registerBroker,
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
import { bootstrapFeatureRecords, updateFeatures, type FeatureUpdate, type FeatureUpdateResult } from './feature-control.js';
import { alterPartitionReassignments, type ReassignmentItem, type ReassignmentResult } from './reassignment-control.js';
import { alterClientQuotas, type QuotaAlteration, type QuotaAlterResult } from './quota-control.js';
import { alterUserScramCredentials, type ScramAlterResult } from './scram-control.js';
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

export interface QuorumControllerOptions {
  readonly nodeId: number;
  readonly clusterId: string;
  readonly driver: RaftDriver;
  readonly logger: Logger;
  readonly defaultPartitions: number;
  readonly defaultReplicationFactor: number;
  readonly deleteTopicEnable: boolean;
  readonly uncleanLeaderElectionEnable: boolean;
  readonly brokerSessionTimeoutMs: number;
  /** Preferred-leader election every this many ms; null when auto.leader.rebalance.enable=false. */
  readonly leaderRebalanceIntervalMs: number | null;
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

export interface MigrationImportResult {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly alreadyMigrated: boolean;
  readonly conflicts: readonly string[];
  readonly recordsWritten: number;
  readonly metadataOffset: number;
  readonly notes: readonly string[];
}

const emptyImportResult: MigrationImportResult = { errorCode: ErrorCode.NONE, errorMessage: null, alreadyMigrated: false, conflicts: [], recordsWritten: 0, metadataOffset: -1, notes: [] };

/** How long a write waits for its records to commit before answering NOT_CONTROLLER. */
const commitTimeoutMs = 10_000;
/** How often the active controller looks for expired broker sessions. */
const sessionCheckIntervalMs = 100;
/** Bound on writes waiting in the queue; beyond it callers get NOT_CONTROLLER to back off. */
const pendingWritesMax = 10_000;

export class NotControllerError extends Error {
  override readonly name = 'NotControllerError';
  readonly errorCode = ErrorCode.NOT_CONTROLLER;
}

export class QuorumController {
  private queue: Promise<unknown> = Promise.resolve();
  private pendingWrites = 0;
  private activeEpoch = -1;
  private sessions = new BrokerSessions();
  private readonly timer: NodeJS.Timeout;
  private readonly rebalanceTimer: NodeJS.Timeout | null;

  constructor(private readonly options: QuorumControllerOptions) {
    this.timer = setInterval(() => this.checkSessions(), sessionCheckIntervalMs);
    this.rebalanceTimer = options.leaderRebalanceIntervalMs === null ? null : setInterval(() => this.rebalanceLeaders(), options.leaderRebalanceIntervalMs);
  }

  close(): void {
    clearInterval(this.timer);
    if (this.rebalanceTimer) clearInterval(this.rebalanceTimer);
  }

  private rebalanceLeaders(): void {
    if (!this.isActive()) return;
    void this.write((image) => ({ records: electPreferredLeaders(image, rebalanceChangesMax), response: null })).catch(() => {});
  }

  /** The leader's node id as this controller knows it (-1 when unknown). */
  leaderId(): number {
    return this.options.driver.status().leaderId ?? -1;
  }

  image(): MetadataImage {
    return this.options.driver.appliedState().image;
  }

  registerBroker(req: RegisterBrokerRequest): Promise<RegisterBrokerResponse> {
    return this.write((image) =>
      registerBroker(image, req, {
        clusterId: this.options.clusterId,
        nextOffset: this.options.driver.status().logEndOffset,
        nowMs: performance.now(),
        sessionTimeoutMs: this.options.brokerSessionTimeoutMs,
        sessions: this.sessions,
      }),
    );
  }

  brokerHeartbeat(req: BrokerHeartbeatRequest): Promise<BrokerHeartbeatResponse> {
    const decide = (image: MetadataImage): Decision<BrokerHeartbeatResponse> =>
      brokerHeartbeat(image, req, { nowMs: performance.now(), sessions: this.sessions, uncleanAllowed: (t) => this.uncleanAllowed(image, t), movesMax: writeRecordsMax });
    // A heartbeat keeps the session alive when it arrives, not when the write queue reaches it
    // (a big CreateTopics must not get brokers fenced), and one that changes nothing is answered
    // at once from the committed image.
    if (this.isActive() && this.activeEpoch === this.options.driver.status().epoch) {
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

  incrementalAlterConfigs(resources: readonly AlterConfigsResource[], validateOnly: boolean): Promise<readonly AlterConfigsResult[]> {
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

  alterUserScramCredentials(deletions: readonly ScramDeletion[], upsertions: readonly ScramUpsertion[]): Promise<readonly ScramAlterResult[]> {
    return this.write((image) => alterUserScramCredentials(image, deletions, upsertions));
  }

  alterClientQuotas(alterations: readonly QuotaAlteration[], validateOnly: boolean): Promise<readonly QuotaAlterResult[]> {
    return this.write((image) => alterClientQuotas(image, alterations, validateOnly));
  }

  alterPartitionReassignments(items: readonly ReassignmentItem[]): Promise<readonly ReassignmentResult[]> {
    return this.write((image) => alterPartitionReassignments(image, items));
  }

  updateFeatures(updates: readonly FeatureUpdate[], validateOnly: boolean): Promise<readonly FeatureUpdateResult[]> {
    return this.write((image) => updateFeatures(image, updates, validateOnly));
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
      const offset = (): number => this.options.driver.appliedState().appliedOffset;
      if (decision.kind === 'refuse') return { ...emptyImportResult, errorCode: decision.errorCode, errorMessage: decision.errorMessage, conflicts: decision.conflicts };
      if (decision.kind === 'already-migrated') return { ...emptyImportResult, alreadyMigrated: true, metadataOffset: offset() };
      const payloads: Uint8Array[] = [encodeRecord({ type: 'beginTransaction', name: decision.transactionName })];
      for (const i of decision.keep) payloads.push(encoded[i]!);
      payloads.push(encodeRecord({ type: 'endTransaction' }));
      this.options.logger.info({ records: decision.keep.length, zkClusterId }, 'importing a ZooKeeper migration');
      try {
        for (let at = 0; at < payloads.length; at += importSliceRecords) await this.proposeEncoded(payloads.slice(at, at + importSliceRecords));
      } catch (err) {
        await this.maybeAbortTransaction('migration import failed');
        throw err;
      }
      this.options.logger.info({ records: decision.keep.length, offset: offset() }, 'ZooKeeper migration committed');
      return { ...emptyImportResult, recordsWritten: decision.keep.length, metadataOffset: offset(), notes: decision.notes };
    });
  }

  /** Still leading in an epoch where we opened a transaction: append its abort (best effort). */
  private async maybeAbortTransaction(reason: string): Promise<void> {
    const s = this.options.driver.status();
    if (s.role !== 'leader' || s.epoch !== this.activeEpoch) return; // the next active controller aborts it
    this.options.logger.warn({ reason }, 'aborting our open metadata transaction');
    await this.propose([{ type: 'abortTransaction', reason }]).catch(() => {});
  }

  private uncleanAllowed(image: MetadataImage, topic: string): boolean {
    const v = image.configs.get(configResourceKey(ConfigResourceType.TOPIC, topic))?.get('unclean.leader.election.enable');
    return v === undefined ? this.options.uncleanLeaderElectionEnable : v.toLowerCase() === 'true';
  }

  private checkSessions(): void {
    if (!this.isActive() || this.pendingWrites > 0) return;
    if (this.activeEpoch !== this.options.driver.status().epoch) {
      // Newly active: start every session afresh (activation runs first in the write queue)
      // before judging anyone by heartbeats an older term of ours saw.
      void this.write(() => ({ records: [], response: null })).catch(() => {});
      return;
    }
    const now = performance.now();
    for (const brokerId of this.sessions.expired(this.image(), now, this.options.brokerSessionTimeoutMs)) {
      this.options.logger.warn({ brokerId }, 'broker session expired; fencing it');
      this.sessions.forget(brokerId);
      void this.fenceInSlices(brokerId).catch(() => {});
    }
  }

  /**
   * Fence a broker, then move its partitions in writes of at most writeRecordsMax records: one
   * write for 100,000 partitions would hold every node's event loop long enough to cost the
   * quorum its leader.
   */
  private async fenceInSlices(brokerId: number): Promise<void> {
    const unclean = (image: MetadataImage) => (t: string) => this.uncleanAllowed(image, t);
    await this.write((image) => ({ records: fenceBroker(image, brokerId, unclean(image), writeRecordsMax), response: null }));
    for (;;) {
      const moved = await this.write((image) => {
        const records = moveAwayFrom(image, brokerId, unclean(image), writeRecordsMax);
        return { records, response: records.length };
      });
      if (moved < writeRecordsMax) return;
    }
  }

  /** Leading, and our epoch's LeaderChange is applied: the image is complete. */
  private isActive(): boolean {
    const s = this.options.driver.status();
    return s.role === 'leader' && this.options.driver.appliedState().lastLeaderChange?.epoch === s.epoch;
  }

  private async activateIfNeeded(): Promise<void> {
    const epoch = this.options.driver.status().epoch;
    if (this.activeEpoch === epoch) return;
    this.sessions = new BrokerSessions();
    if (this.options.driver.appliedState().inTransaction) {
      this.options.logger.warn('aborting a metadata transaction the previous controller left open');
      await this.propose([{ type: 'abortTransaction', reason: 'controller failover' }]);
    }
    // The first controller of a new cluster finalizes metadata.version (bootstrap metadata).
    const bootstrap = bootstrapFeatureRecords(this.image());
    if (bootstrap.length > 0) await this.propose(bootstrap);
    this.activeEpoch = epoch;
    this.options.logger.info({ epoch }, 'active controller');
  }

  private write<R>(decide: (image: MetadataImage) => Decision<R>): Promise<R> {
    return this.enqueue(async () => {
      const decision = decide(this.image());
      if (decision.records.length > 0) {
        const records = decision.records.length > 1 ? [{ type: 'beginTransaction' as const, name: 'controller write' }, ...decision.records, { type: 'endTransaction' as const }] : decision.records;
        await this.propose(records);
      }
      return decision.response;
    });
  }

  /** Run `task` alone on the write queue, once this controller is active (and activated). */
  private enqueue<R>(task: () => Promise<R>): Promise<R> {
    if (this.pendingWrites >= pendingWritesMax) return Promise.reject(new NotControllerError('the controller is overloaded; retry'));
    this.pendingWrites++;
    const run = async (): Promise<R> => {
      if (!this.isActive()) throw new NotControllerError('not the active controller');
      await this.activateIfNeeded();
      return task();
    };
    const p = this.queue.then(run, run);
    this.queue = p.then(
      () => (this.pendingWrites--, undefined),
      () => (this.pendingWrites--, undefined),
    );
    return p;
  }

  private propose(records: readonly MetadataRecord[]): Promise<void> {
    return this.proposeEncoded(records.map(encodeRecord));
  }

  private async proposeEncoded(payloads: readonly Uint8Array[]): Promise<void> {
    const driver = this.options.driver;
    const result = await driver.propose(payloads);
    if (!result.ok) throw new NotControllerError('lost leadership');
    const committed = await driver.waitForApplied(result.baseOffset + payloads.length, commitTimeoutMs);
    const s = driver.status();
    // Still leading in the same epoch means our entries cannot have been truncated.
    if (!committed || s.role !== 'leader' || s.epoch !== result.epoch) throw new NotControllerError('lost leadership before the write committed');
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
