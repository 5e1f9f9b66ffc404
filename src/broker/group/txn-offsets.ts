// Transactional offset commits (Kafka's GroupCoordinator.handleTxnCommitOffsets and
// GroupMetadata's pendingTransactionalOffsetCommits): TxnOffsetCommit writes a producer's offsets
// to the group's `__consumer_offsets` partition as one transactional batch and holds them as
// pending for (group, producer id); OffsetFetch does not see them. When the transaction's
// COMMIT/ABORT marker lands in that partition, completeTransaction moves them into the committed
// offsets (where they are the later in the log) or drops them.
//
// Invariants:
// - An offset is pending from before its batch is appended until its marker: a marker that comes
//   while the batch is still being written finds it (and a failed write removes it again unless a
//   marker already settled it).
// - Committed offsets only move forward in log order: a pending offset replaces a committed one
//   only if its batch is later in the log (a plain commit written after it wins).
import { ErrorCode } from '../../common/errors.js';
import { CoordinatorPart, type TxnOffsetCommitRequest, type TxnOffsetCommitResult } from './coordinator-types.js';
import { Group, offsetMapKey, type CommittedOffset } from './group.js';
import { coordinatorAppendError } from './offsets-log.js';
import { offsetKey, offsetValue } from './offsets-records.js';

export class TxnOffsets extends CoordinatorPart {
  /** TxnOffsetCommit: an error code per requested partition, once the batch is committed in the log. */
  async txnOffsetCommit(req: TxnOffsetCommitRequest): Promise<TxnOffsetCommitResult> {
    const items = req.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, p })));
    const answer = (codes: readonly number[]): TxnOffsetCommitResult => {
      let i = 0;
      return {
        topics: req.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({ partition: p.partition, errorCode: codes[i++]! })),
        })),
      };
    };
    const all = (code: number): TxnOffsetCommitResult => answer(items.map(() => code));
    const err = this.check(req.groupId);
    if (err !== ErrorCode.NONE) return all(err);
    const anonymous = req.generationId < 0 && req.memberId === '' && req.groupInstanceId === null;
    let g = this.groups.get(req.groupId);
    if (g === undefined) {
      // A group not known here has no members: only a commit naming none is accepted (Kafka
      // creates the group first and then fails the member check, leaving an empty group behind).
      if (!anonymous) return all(ErrorCode.UNKNOWN_MEMBER_ID);
      g = new Group(req.groupId, this.partitionFor(req.groupId), this.o.clock.now());
      this.groups.set(req.groupId, g);
    }
    const invalid = this.memberCheck(g, req, anonymous);
    if (invalid !== ErrorCode.NONE) return all(invalid);

    const now = this.o.clock.now();
    const codes: number[] = items.map(({ topic, p }) => {
      if (!this.o.partitionExists(topic, p.partition)) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      if (p.committedMetadata !== null && Buffer.byteLength(p.committedMetadata) > this.o.offsetMetadataMaxBytes)
        return ErrorCode.OFFSET_METADATA_TOO_LARGE;
      return ErrorCode.NONE;
    });
    const accepted = items.flatMap(({ topic, p }, i) => {
      if (codes[i] !== ErrorCode.NONE) return [];
      const v = {
        offset: p.committedOffset,
        leaderEpoch: p.committedLeaderEpoch,
        metadata: p.committedMetadata ?? '',
        commitTimestamp: now,
      };
      const record = { key: offsetKey(req.groupId, topic, p.partition), value: offsetValue(v) };
      return [{ i, key: offsetMapKey(topic, p.partition), record, v }];
    });
    if (accepted.length === 0) return answer(codes);

    // Pending before the write, as Kafka does: requireStable fetches see the commit from now on.
    let pending = g.pendingTxnOffsets.get(req.producerId);
    if (pending === undefined) g.pendingTxnOffsets.set(req.producerId, (pending = new Map()));
    const prepared = new Map<string, CommittedOffset>();
    for (const a of accepted) {
      const c: CommittedOffset = { ...a.v, batchOffset: -1 };
      pending.set(a.key, c);
      prepared.set(a.key, c);
    }
    const appended = await this.o.log.append(
      g.partition,
      accepted.map((a) => a.record),
      { producerId: req.producerId, producerEpoch: req.producerEpoch },
    );
    const written = coordinatorAppendError(appended.errorCode, true);
    for (const a of accepted) codes[a.i] = written;
    this.settleWrite(g, req.producerId, prepared, written === ErrorCode.NONE ? appended.baseOffset : null);
    return answer(codes);
  }

  /**
   * After the write: the pending offsets it prepared learn their batch's offset, or are removed
   * when it failed. Ones a marker already settled, or a later commit of the same transaction
   * replaced, are left alone.
   */
  private settleWrite(
    g: Group,
    producerId: number,
    prepared: ReadonlyMap<string, CommittedOffset>,
    batchOffset: number | null,
  ): void {
    const pending = g.pendingTxnOffsets.get(producerId);
    if (pending === undefined) return;
    for (const [k, c] of prepared) {
      if (pending.get(k) !== c) continue;
      if (batchOffset === null) pending.delete(k);
      else pending.set(k, { ...c, batchOffset });
    }
    if (pending.size === 0) g.pendingTxnOffsets.delete(producerId);
  }

  /**
   * Kafka's validateOffsetCommit for transactional commits: a generation, member id or instance
   * id given must match the group's current member and generation; none given (older clients)
   * is accepted whatever the group's state.
   */
  private memberCheck(
    g: Group,
    req: { generationId: number; memberId: string; groupInstanceId: string | null },
    anonymous: boolean,
  ): number {
    if (g.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (anonymous) return ErrorCode.NONE;
    if (g.isStaticFenced(req.memberId, req.groupInstanceId)) return ErrorCode.FENCED_INSTANCE_ID;
    if (!g.members.has(req.memberId)) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (req.generationId !== g.generation) return ErrorCode.ILLEGAL_GENERATION;
    return ErrorCode.NONE;
  }

  /**
   * A COMMIT (`committed`) or ABORT marker of `producerId` is in offsets partition `partition`:
   * every group of that partition with pending offsets of the producer completes them. The
   * number of groups that had some.
   */
  completeTransaction(partition: number, producerId: number, committed: boolean): number {
    let completed = 0;
    // Every group of the partition is looked at: a marker is rare next to the commits it ends,
    // and no second index has to follow the groups' comings and goings.
    for (const g of this.groups.values()) {
      if (g.partition !== partition || g.state === 'Dead') continue;
      if (g.completeTxn(producerId, committed)) completed++;
    }
    return completed;
  }
}
