// A small, fully controlled cluster of RaftCores for scenario tests: messages wait in a queue
// until the test delivers them, disks persist instantly, links can be cut, time moves only by
// tick(). Snapshot bytes are kept per node so FetchSnapshot can be exercised.
import { appendAll } from '../common/arrays.js';
import { RaftCore, type RaftCoreConfig } from '../raft/core/raft-core.js';
import type {
  LogEntry,
  NodeId,
  OutboundMessage,
  RaftRequest,
  RaftResponse,
  Ready,
  SnapshotId,
} from '../raft/core/types.js';
import { SeededRandom } from './seeded-random.js';
import { testCoreConfig } from './test-core-config.js';

interface InFlight {
  readonly from: NodeId;
  readonly message: OutboundMessage;
}

interface HarnessNode {
  readonly id: NodeId;
  core: RaftCore;
  applied: LogEntry[];
  snapshot: { id: SnapshotId; bytes: Uint8Array } | null;
  partial: number[];
  loadedSnapshots: SnapshotId[];
}

export class CoreHarness {
  readonly nodes = new Map<NodeId, HarnessNode>();
  private queue: InFlight[] = [];
  private readonly cut = new Set<string>();
  /** Links whose messages wait (neither lost nor delivered) until `release`. */
  private readonly held = new Set<string>();
  private heldMessages: InFlight[] = [];

  constructor(
    voters: readonly NodeId[],
    observers: readonly NodeId[] = [],
    seed = 1,
    overrides: Partial<RaftCoreConfig> = {},
  ) {
    const rng = new SeededRandom(seed);
    for (const id of [...voters, ...observers]) {
      this.nodes.set(id, {
        id,
        core: new RaftCore(testCoreConfig(id, voters, overrides), new SeededRandom(rng.nextInt(2 ** 31)), {
          quorumState: null,
          snapshotId: null,
          entries: [],
        }),
        applied: [],
        snapshot: null,
        partial: [],
        loadedSnapshots: [],
      });
    }
  }

  node(id: NodeId): HarnessNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  /** Cut both directions between a and every node of `others` (a partition). */
  isolate(a: NodeId): void {
    for (const b of this.nodes.keys()) {
      if (b === a) continue;
      this.cutLink(a, b);
      this.cutLink(b, a);
    }
  }

  cutLink(from: NodeId, to: NodeId): void {
    this.cut.add(`${from}>${to}`);
  }

  /** Messages from `from` to `to` wait until `release` (a slow link or a busy receiver). */
  hold(from: NodeId, to: NodeId): void {
    this.held.add(`${from}>${to}`);
  }

  /** Stop holding every link and put the held messages back on the network, in order. */
  release(): void {
    this.held.clear();
    appendAll(this.queue, this.heldMessages);
    this.heldMessages = [];
  }

  healAll(): void {
    this.cut.clear();
  }

  /** Collect each node's pending Ready (persisting instantly) into the message queue. */
  flush(): void {
    let again = true;
    while (again) {
      again = false;
      for (const n of this.nodes.values()) {
        while (n.core.hasReady()) {
          again = true;
          this.process(n, n.core.takeReady());
        }
      }
    }
  }

  private process(n: HarnessNode, ready: Ready): void {
    const chunk = ready.snapshotChunk;
    if (chunk) {
      if (chunk.position === 0) n.partial = [];
      appendAll(n.partial, [...chunk.bytes]);
      if (chunk.complete) n.snapshot = { id: chunk.snapshotId, bytes: Uint8Array.from(n.partial) };
    }
    n.core.persisted(ready);
    for (const m of ready.messages) {
      if (m.kind === 'response' && m.snapshotRead && m.response.type === 'fetchSnapshot' && n.snapshot) {
        const { position, maxBytes } = m.snapshotRead;
        const bytes = n.snapshot.bytes.slice(position, position + maxBytes);
        this.queue.push({
          from: n.id,
          message: { ...m, response: { ...m.response, bytes, size: n.snapshot.bytes.length } },
        });
      } else {
        this.queue.push({ from: n.id, message: m });
      }
    }
    if (ready.loadSnapshot) n.loadedSnapshots.push(ready.loadSnapshot);
    appendAll(n.applied, ready.committed);
  }

  /** Deliver every queued message (and what they cause) until the network is quiet. */
  deliverAll(maxRounds = 1000): void {
    for (let round = 0; round < maxRounds; round++) {
      this.flush();
      const batch = this.queue;
      this.queue = [];
      if (batch.length === 0) return;
      for (const { from, message } of batch) {
        const to = this.nodes.get(message.to);
        if (!to || this.cut.has(`${from}>${message.to}`)) continue;
        if (this.held.has(`${from}>${message.to}`)) {
          this.heldMessages.push({ from, message });
          continue;
        }
        if (message.kind === 'request')
          to.core.handleRequest(from, message.correlationId, message.request as RaftRequest);
        else to.core.handleResponse(from, message.requestId, message.response as RaftResponse);
      }
    }
  }

  /** Advance every node's clock in small steps, delivering messages in between. */
  advance(ms: number, stepMs = 5): void {
    for (let t = 0; t < ms; t += stepMs) {
      for (const n of this.nodes.values()) n.core.tick(stepMs);
      this.deliverAll();
    }
  }

  leaders(): HarnessNode[] {
    return [...this.nodes.values()].filter((n) => n.core.status().role === 'leader');
  }

  /** Write a snapshot of node `id` at its applied offset (bytes = the applied count). */
  takeSnapshot(id: NodeId): SnapshotId {
    const n = this.node(id);
    const last = n.applied[n.applied.length - 1];
    if (!last) throw new Error('nothing applied');
    const snapshotId = { endOffset: last.offset + 1, epoch: last.epoch };
    n.snapshot = { id: snapshotId, bytes: new TextEncoder().encode(`applied-up-to-${snapshotId.endOffset}`) };
    n.core.snapshotCreated(snapshotId);
    this.flush();
    return snapshotId;
  }
}
