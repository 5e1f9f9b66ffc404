// Deterministic simulation of a KRaft quorum (in the spirit of TigerBeetle's VOPR and Kafka's
// RaftEventSimulationTest): voters and observers run the real RaftCore against a simulated
// network (drop, delay, duplicate, reorder, partitions, one-way links) and simulated disks (a
// crash loses what was not yet fsynced, possibly keeping a torn prefix). Everything random comes
// from one seed, so a seed replays a whole run. Invariants are checked after every event:
//  - at most one leader per epoch;
//  - a committed entry is never lost or changed (every node's applied state agrees offset by
//    offset; every leader's log holds every committed entry);
//  - every node's high watermark is monotonic (per incarnation: a restarted node relearns it);
//  - after faults heal, all nodes converge to one log and new proposals commit.
import { appendAll } from '../common/arrays.js';
import { assert, AssertionFailure } from '../common/assert.js';
import { RaftCore, type RaftCoreConfig } from '../raft/core/raft-core.js';
import type {
  LogEntry,
  NodeId,
  Offset,
  OutboundMessage,
  PersistedQuorumState,
  RaftRequest,
  RaftResponse,
  Ready,
  RecoveredLog,
  SnapshotId,
} from '../raft/core/types.js';
import { SeededRandom } from './seeded-random.js';
import { testCoreConfig } from './test-core-config.js';

export interface SimulationOptions {
  readonly seed: number;
  readonly voters: number;
  readonly observers: number;
  /** Simulated time with faults, then the same again healed, in ms. */
  readonly faultPhaseMs: number;
  readonly healPhaseMs: number;
  /** Make a (possibly broken) core; tests use it to inject bugs. */
  readonly createCore?: (config: RaftCoreConfig, random: SeededRandom, recovered: RecoveredLog) => RaftCore;
}

interface SimulationResult {
  readonly seed: number;
  readonly ok: boolean;
  readonly violation: string | null;
  readonly steps: number;
  readonly simulatedMs: number;
  readonly committedOffset: Offset;
  readonly leaderEpochs: number;
  readonly snapshotsInstalled: number;
}

const simulationDefaults = {
  voters: 5,
  observers: 2,
  faultPhaseMs: 8_000,
  healPhaseMs: 4_000,
} as const;

const tickIntervalMs = 5;
const snapshotEveryEntries = 40;
const proposeIntervalMs = 15;

class InvariantViolation extends Error {}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new InvariantViolation(message);
}

/** FNV-1a over numbers and bytes: a cheap running digest of applied entries. */
function digestStep(digest: number, entry: LogEntry): number {
  let h = digest ^ entry.offset;
  h = Math.imul(h, 16777619) ^ entry.epoch;
  h = Math.imul(h, 16777619) ^ entry.kind.length;
  for (const b of entry.payload) h = Math.imul(h ^ b, 16777619);
  return h >>> 0;
}

function entrySignature(e: LogEntry): string {
  return `${e.epoch}:${e.kind}:${Buffer.from(e.payload).toString('hex')}`;
}

interface Disk {
  quorumState: PersistedQuorumState | null;
  entries: LogEntry[]; // contiguous from logStart
  logStart: Offset;
  snapshot: { id: SnapshotId; bytes: Uint8Array } | null;
  partial: { id: SnapshotId; bytes: number[] } | null;
}

interface StateMachine {
  appliedOffset: Offset;
  digest: number;
  sinceSnapshot: number;
}

interface SimNode {
  readonly id: NodeId;
  readonly isVoter: boolean;
  alive: boolean;
  incarnation: number;
  core: RaftCore;
  disk: Disk;
  sm: StateMachine;
  busy: boolean;
  inbox: (() => void)[];
  lastHw: Offset;
  coreNowMs: number;
  /** Simulated time when this incarnation booted: its core's clock starts at 0 there. */
  incarnationStartMs: number;
  /** The Ready whose disk write is in progress (a crash may tear it). */
  pendingReady: Ready | null;
}

type Event = { at: number; seq: number; run: () => void };

class EventQueue {
  private heap: Event[] = [];
  private seq = 0;
  push(at: number, run: () => void): void {
    const e = { at, seq: this.seq++, run };
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (less(h[p]!, e)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = e;
  }
  pop(): Event | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined || h.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && less(h[r]!, h[l]!) ? r : l;
      if (less(last, h[c]!)) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
    return top;
  }
  get size(): number {
    return this.heap.length;
  }
}

function less(a: Event, b: Event): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

class RaftSimulation {
  private readonly rng: SeededRandom;
  private readonly queue = new EventQueue();
  private readonly nodes = new Map<NodeId, SimNode>();
  private readonly voterIds: NodeId[];
  private now = 0;
  private steps = 0;
  private snapshotsInstalled = 0;
  // Network state.
  private blocked = new Set<string>(); // "from>to"
  private dropRate = 0;
  private duplicateRate = 0;
  private maxDelayMs = 5;
  // Global knowledge for invariants.
  private readonly leaderOfEpoch = new Map<number, NodeId>();
  private readonly committed: string[] = []; // entry signature by offset
  private readonly digestAt = new Map<Offset, number>();
  private committedEnd: Offset = 0;
  private committedEpoch = 0;
  private payloadCounter = 0;

  constructor(private readonly options: SimulationOptions) {
    this.rng = new SeededRandom(options.seed);
    this.voterIds = Array.from({ length: options.voters }, (_, i) => i + 1);
    const ids = [...this.voterIds, ...Array.from({ length: options.observers }, (_, i) => 100 + i)];
    for (const id of ids) {
      const disk: Disk = { quorumState: null, entries: [], logStart: 0, snapshot: null, partial: null };
      const node: SimNode = {
        id,
        isVoter: this.voterIds.includes(id),
        alive: true,
        incarnation: 0,
        core: undefined as unknown as RaftCore,
        disk,
        sm: { appliedOffset: 0, digest: 0, sinceSnapshot: 0 },
        busy: false,
        inbox: [],
        lastHw: 0,
        coreNowMs: 0,
        incarnationStartMs: 0,
        pendingReady: null,
      };
      this.nodes.set(id, node);
      this.boot(node);
    }
  }

  run(): SimulationResult {
    const { faultPhaseMs, healPhaseMs } = this.options;
    try {
      for (const node of this.nodes.values()) this.scheduleTick(node);
      this.scheduleProposals(faultPhaseMs + healPhaseMs);
      this.scheduleFaults(faultPhaseMs);
      this.runUntil(faultPhaseMs);
      this.heal();
      const committedAtHeal = this.committedEnd;
      this.runUntil(faultPhaseMs + healPhaseMs);
      this.checkConvergence(committedAtHeal);
      return this.result(null);
    } catch (err) {
      if (err instanceof InvariantViolation || err instanceof AssertionFailure)
        return this.result(`${err.message} (at ${this.now} ms, step ${this.steps})`);
      throw err;
    }
  }

  private result(violation: string | null): SimulationResult {
    return {
      seed: this.options.seed,
      ok: violation === null,
      violation,
      steps: this.steps,
      simulatedMs: this.now,
      committedOffset: this.committedEnd,
      leaderEpochs: this.leaderOfEpoch.size,
      snapshotsInstalled: this.snapshotsInstalled,
    };
  }

  private runUntil(endMs: number): void {
    for (;;) {
      const e = this.queue.pop();
      if (!e) return;
      if (e.at > endMs) {
        this.queue.push(e.at, e.run);
        this.now = endMs;
        return;
      }
      this.now = e.at;
      e.run();
      this.steps++;
      this.checkInvariants();
    }
  }

  // ------------------------------------------------------------- nodes

  private boot(node: SimNode): void {
    const recovered: RecoveredLog = {
      quorumState: node.disk.quorumState,
      snapshotId: node.disk.snapshot?.id ?? null,
      entries: node.disk.entries.slice(),
    };
    const config = testCoreConfig(node.id, this.voterIds);
    const random = new SeededRandom(this.rng.nextInt(2 ** 31));
    node.core = this.options.createCore
      ? this.options.createCore(config, random, recovered)
      : new RaftCore(config, random, recovered);
    node.sm = { appliedOffset: 0, digest: 0, sinceSnapshot: 0 };
    if (node.disk.snapshot) this.loadSnapshot(node, node.disk.snapshot.bytes);
    node.busy = false;
    node.inbox = [];
    node.lastHw = node.core.status().highWatermark;
    node.coreNowMs = 0;
    this.drain(node);
  }

  /** Run an input on a node now, or once its pending disk write completes. */
  private input(node: SimNode, fn: () => void): void {
    if (!node.alive) return;
    if (node.busy) {
      node.inbox.push(fn);
      return;
    }
    this.advanceCoreClock(node);
    fn();
    this.drain(node);
  }

  private advanceCoreClock(node: SimNode): void {
    // The core's clock follows simulated time (offset per incarnation).
    const target = this.now - node.incarnationStartMs;
    if (target > node.coreNowMs) {
      node.core.tick(target - node.coreNowMs);
      node.coreNowMs = target;
    }
  }

  private drain(node: SimNode): void {
    while (!node.busy && node.alive) {
      if (!node.core.hasReady()) {
        const next = node.inbox.shift();
        if (!next) return;
        this.advanceCoreClock(node);
        next();
        continue;
      }
      const ready = node.core.takeReady();
      const needsDisk =
        ready.snapshotChunk !== null ||
        ready.truncateToOffset !== null ||
        ready.entries.length > 0 ||
        ready.quorumState !== null;
      if (!needsDisk) {
        this.complete(node, ready);
        continue;
      }
      node.busy = true;
      const incarnation = node.incarnation;
      this.queue.push(this.now + 1 + this.rng.nextInt(3), () => {
        if (!node.alive || node.incarnation !== incarnation) return;
        this.writeDisk(node, ready, Infinity);
        node.busy = false;
        this.complete(node, ready);
        this.drain(node);
      });
      node.pendingReady = ready;
    }
  }

  /** Apply a Ready's disk operations; `opsLimit` models a crash part-way through. */
  private writeDisk(node: SimNode, ready: Ready, opsLimit: number): void {
    let ops = 0;
    const disk = node.disk;
    const chunk = ready.snapshotChunk;
    if (chunk) {
      if (ops++ >= opsLimit) return;
      if (chunk.position === 0 || !disk.partial) disk.partial = { id: chunk.snapshotId, bytes: [] };
      disk.partial.bytes.length = chunk.position;
      appendAll(disk.partial.bytes, [...chunk.bytes]);
      if (chunk.complete) {
        disk.snapshot = { id: chunk.snapshotId, bytes: Uint8Array.from(disk.partial.bytes) };
        disk.partial = null;
        disk.entries = [];
        disk.logStart = chunk.snapshotId.endOffset;
      }
    }
    if (ready.truncateToOffset !== null) {
      if (ops++ >= opsLimit) return;
      disk.entries.length = Math.max(0, ready.truncateToOffset - disk.logStart);
    }
    for (const e of ready.entries) {
      if (ops++ >= opsLimit) return;
      assert(e.offset === disk.logStart + disk.entries.length, `sim disk append gap at ${e.offset}`);
      disk.entries.push(e);
    }
    if (ready.quorumState) {
      if (ops++ >= opsLimit) return;
      disk.quorumState = ready.quorumState;
    }
  }

  private complete(node: SimNode, ready: Ready): void {
    node.pendingReady = null;
    node.core.persisted(ready);
    for (const m of ready.messages) this.send(node, m);
    if (ready.loadSnapshot) {
      const snap = node.disk.snapshot;
      assert(
        snap !== null && snap.id.endOffset === ready.loadSnapshot.endOffset,
        'loadSnapshot without the snapshot on disk',
      );
      this.loadSnapshot(node, snap.bytes);
      this.snapshotsInstalled++;
    }
    for (const e of ready.committed) this.apply(node, e);
    if (ready.deleteBefore !== null) {
      const drop = ready.deleteBefore - node.disk.logStart;
      if (drop > 0) {
        node.disk.entries = node.disk.entries.slice(drop);
        node.disk.logStart = ready.deleteBefore;
      }
    }
    this.maybeSnapshot(node);
  }

  private apply(node: SimNode, e: LogEntry): void {
    check(
      e.offset === node.sm.appliedOffset,
      `node ${node.id} applied offset ${e.offset}, expected ${node.sm.appliedOffset}`,
    );
    const sig = entrySignature(e);
    const known = this.committed[e.offset];
    if (known === undefined) {
      this.committed[e.offset] = sig;
      this.committedEnd = Math.max(this.committedEnd, e.offset + 1);
      this.committedEpoch = Math.max(this.committedEpoch, e.epoch);
    } else {
      check(known === sig, `committed entry changed at offset ${e.offset} on node ${node.id}: ${sig} vs ${known}`);
    }
    node.sm.digest = digestStep(node.sm.digest, e);
    node.sm.appliedOffset = e.offset + 1;
    node.sm.sinceSnapshot++;
    const d = this.digestAt.get(node.sm.appliedOffset);
    if (d === undefined) this.digestAt.set(node.sm.appliedOffset, node.sm.digest);
    else check(d === node.sm.digest, `node ${node.id} state differs after offset ${e.offset}`);
  }

  private loadSnapshot(node: SimNode, bytes: Uint8Array): void {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const offset = view.getUint32(0);
    const digest = view.getUint32(4);
    const known = this.digestAt.get(offset);
    check(
      known === undefined || known === digest,
      `node ${node.id} loaded a snapshot at ${offset} that differs from the committed state`,
    );
    node.sm = { appliedOffset: offset, digest, sinceSnapshot: 0 };
  }

  private maybeSnapshot(node: SimNode): void {
    if (node.sm.sinceSnapshot < snapshotEveryEntries || node.busy) return;
    const offset = node.sm.appliedOffset;
    const last = node.core.entryAt(offset - 1);
    if (!last) return;
    const bytes = new Uint8Array(8);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, offset);
    view.setUint32(4, node.sm.digest);
    const id = { endOffset: offset, epoch: last.epoch };
    node.disk.snapshot = { id, bytes }; // written atomically (tmp + rename) in the real store
    node.sm.sinceSnapshot = 0;
    node.core.snapshotCreated(id);
    this.drain(node);
  }

  // ------------------------------------------------------------- network

  private send(from: SimNode, m: OutboundMessage): void {
    let outbound = m;
    if (m.kind === 'response' && m.snapshotRead && m.response.type === 'fetchSnapshot' && m.response.errorCode === 0) {
      const snap = from.disk.snapshot;
      assert(snap !== null, 'leader serves a snapshot it does not have');
      const { position, maxBytes } = m.snapshotRead;
      outbound = {
        ...m,
        response: { ...m.response, size: snap.bytes.length, bytes: snap.bytes.slice(position, position + maxBytes) },
      };
    }
    const to = this.nodes.get(m.to);
    if (!to) return;
    // A dropped message is noticed only by the sender's request deadline, as over a real link.
    if (this.blocked.has(`${from.id}>${to.id}`) || this.rng.chance(this.dropRate)) return;
    const copies = this.rng.chance(this.duplicateRate) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const incarnation = to.incarnation;
      this.queue.push(this.now + 1 + this.rng.nextInt(this.maxDelayMs), () => {
        if (!to.alive || to.incarnation !== incarnation) return;
        this.input(to, () => this.deliver(from.id, to, outbound));
      });
    }
  }

  private deliver(from: NodeId, to: SimNode, m: OutboundMessage): void {
    if (m.kind === 'request') to.core.handleRequest(from, m.correlationId, m.request as RaftRequest);
    else to.core.handleResponse(from, m.requestId, m.response as RaftResponse);
  }

  // ------------------------------------------------------------- schedule

  private scheduleTick(node: SimNode): void {
    const incarnation = node.incarnation;
    this.queue.push(this.now + tickIntervalMs, () => {
      if (!node.alive || node.incarnation !== incarnation) return;
      this.input(node, () => {});
      this.scheduleTick(node);
    });
  }

  private scheduleProposals(untilMs: number): void {
    const propose = (): void => {
      if (this.now >= untilMs) return;
      for (const node of this.nodes.values()) {
        if (!node.alive || node.core.status().role !== 'leader') continue;
        const payload = new TextEncoder().encode(`p${this.payloadCounter++}`);
        this.input(node, () => {
          node.core.propose([payload]);
        });
      }
      this.queue.push(this.now + proposeIntervalMs, propose);
    };
    this.queue.push(proposeIntervalMs, propose);
  }

  private scheduleFaults(untilMs: number): void {
    const nemesis = (): void => {
      if (this.now >= untilMs) return;
      this.randomFault();
      this.queue.push(this.now + 50 + this.rng.nextInt(400), nemesis);
    };
    this.queue.push(100 + this.rng.nextInt(300), nemesis);
  }

  private randomFault(): void {
    const all = [...this.nodes.keys()];
    switch (this.rng.nextInt(9)) {
      case 0: {
        // Partition into two random sides.
        this.blocked.clear();
        const side = new Set(all.filter(() => this.rng.chance(0.5)));
        for (const a of all) for (const b of all) if (side.has(a) !== side.has(b)) this.blocked.add(`${a}>${b}`);
        break;
      }
      case 1: {
        const victim = this.rng.pick(all);
        for (const other of all) {
          this.blocked.add(`${victim}>${other}`);
          this.blocked.add(`${other}>${victim}`);
        }
        break;
      }
      case 2: {
        // One-way link.
        const a = this.rng.pick(all);
        const b = this.rng.pick(all);
        if (a !== b) this.blocked.add(`${a}>${b}`);
        break;
      }
      case 3:
        this.blocked.clear();
        break;
      case 4:
      case 5: {
        const victim = this.rng.pick(all);
        const node = this.nodes.get(victim)!;
        if (node.alive) this.crash(node);
        else this.restart(node);
        break;
      }
      case 6:
        this.dropRate = this.rng.pick([0, 0.01, 0.05, 0.2]);
        break;
      case 7:
        this.duplicateRate = this.rng.pick([0, 0.02, 0.1]);
        break;
      case 8:
        this.maxDelayMs = this.rng.pick([2, 5, 20, 60]);
        break;
    }
  }

  private crash(node: SimNode): void {
    node.alive = false;
    const pending = node.pendingReady;
    if (pending) {
      // A crash mid-write keeps a random prefix of the write's operations (a torn write).
      this.writeDisk(node, pending, this.rng.nextInt(pending.entries.length + 3));
    }
    node.disk.partial = null;
    node.pendingReady = null;
    const downMs = 20 + this.rng.nextInt(500);
    this.queue.push(this.now + downMs, () => this.restart(node));
  }

  private restart(node: SimNode): void {
    if (node.alive) return;
    node.alive = true;
    node.incarnation++;
    node.incarnationStartMs = this.now;
    this.boot(node);
    this.scheduleTick(node);
  }

  private heal(): void {
    this.blocked.clear();
    this.dropRate = 0;
    this.duplicateRate = 0;
    this.maxDelayMs = 5;
    for (const node of this.nodes.values()) if (!node.alive) this.restart(node);
  }

  // ------------------------------------------------------------- invariants

  private checkInvariants(): void {
    for (const node of this.nodes.values()) {
      if (!node.alive) continue;
      const s = node.core.status();
      if (s.role === 'leader') {
        const existing = this.leaderOfEpoch.get(s.epoch);
        check(
          existing === undefined || existing === node.id,
          `two leaders in epoch ${s.epoch}: ${existing} and ${node.id}`,
        );
        this.leaderOfEpoch.set(s.epoch, node.id);
        check(s.isVoter, `observer ${node.id} became leader`);
        // Leader completeness: a leader of an epoch at least that of the newest committed entry
        // holds every committed entry (a deposed leader of an older epoch need not).
        if (s.epoch >= this.committedEpoch) {
          check(
            s.logEndOffset >= this.committedEnd,
            `leader ${node.id} (epoch ${s.epoch}) lacks committed entries: log end ${s.logEndOffset} < ${this.committedEnd}`,
          );
          for (let o = Math.max(s.logStartOffset, this.committedEnd - 8); o < this.committedEnd; o++) {
            const e = node.core.entryAt(o);
            check(
              e !== undefined && entrySignature(e) === this.committed[o],
              `leader ${node.id} has a different entry at committed offset ${o}`,
            );
          }
        }
      }
      check(
        s.highWatermark >= node.lastHw,
        `node ${node.id} high watermark went back from ${node.lastHw} to ${s.highWatermark}`,
      );
      check(
        s.highWatermark <= s.logEndOffset || s.logEndOffset === s.logStartOffset,
        `node ${node.id} HW ${s.highWatermark} above its log end ${s.logEndOffset}`,
      );
      node.lastHw = s.highWatermark;
    }
  }

  private checkConvergence(committedAtHeal: Offset): void {
    const statuses = [...this.nodes.values()].map((n) => ({ node: n, s: n.core.status() }));
    const leaders = statuses.filter((x) => x.s.role === 'leader');
    check(leaders.length === 1, `after healing there are ${leaders.length} leaders`);
    const leader = leaders[0]!;
    check(this.committedEnd > committedAtHeal, `no progress after healing: committed end stayed at ${committedAtHeal}`);
    for (const { node, s } of statuses) {
      check(s.epoch === leader.s.epoch, `node ${node.id} is at epoch ${s.epoch}, leader at ${leader.s.epoch}`);
      check(
        node.sm.appliedOffset >= committedAtHeal,
        `node ${node.id} applied only up to ${node.sm.appliedOffset} < ${committedAtHeal}`,
      );
      // Logs agree on every offset both hold.
      const from = Math.max(s.logStartOffset, leader.s.logStartOffset);
      const to = Math.min(s.logEndOffset, leader.s.logEndOffset);
      for (let o = from; o < to; o++) {
        const a = node.core.entryAt(o);
        const b = leader.node.core.entryAt(o);
        check(
          a !== undefined && b !== undefined && entrySignature(a) === entrySignature(b),
          `node ${node.id} log differs from the leader's at offset ${o}`,
        );
      }
    }
  }
}

export function runSimulation(options: Partial<SimulationOptions> & { seed: number }): SimulationResult {
  return new RaftSimulation({ ...simulationDefaults, ...options }).run();
}
