// The harness's network faults as state: a set of blocked directions and a set of degraded
// directed links, applied by a backend. "from ↛ to" blocks the bytes `from` sends to `to` on
// every connection between them — the ones `from` opened and the ones `to` opened — which is
// what a dropped one-way path does to TCP. A degraded link loses, duplicates, delays (with
// jitter) or reorders the packets `from` sends to `to`.
// Named shapes (Jepsen's grudges, jepsen.md §1.5): partition into groups, majorities-ring,
// isolating nodes from clients. heal() clears every fault.
// Backends: ProxyBackend (the default `--net proxy`: every link a LinkProxy; blocks and fixed
// delays only, since a TCP proxy sees a byte stream, not packets) and NetnsNet (`--net netns`:
// nftables rules and tc netem in the kernel; netns-net.ts). Called by the nemesis, the schedules
// and HarnessCluster.
import { healthyLink, type LinkProxy } from './link-proxy.js';

/** What a degraded directed link does to the packets on it (0: nothing). */
export interface LinkDegradation {
  readonly lossPercent: number;
  readonly duplicatePercent: number;
  readonly delayMs: number;
  /** Each packet's delay varies by up to ± this much (netem jitter). */
  readonly jitterMs: number;
  /** Packets sent at once (not delayed), overtaking the delayed ones before them. */
  readonly reorderPercent: number;
}

export const noDegradation: LinkDegradation = {
  lossPercent: 0,
  duplicatePercent: 0,
  delayMs: 0,
  jitterMs: 0,
  reorderPercent: 0,
};

export interface NetState {
  /** Directed node pairs whose bytes are dropped, as "from>to"; "client>n" for clients. */
  readonly blocked: ReadonlySet<string>;
  /** Directed pairs dropped on one listener kind only, as "from>to@kind". */
  readonly blockedKinds: ReadonlySet<string>;
  /** Degraded directed node pairs, "from>to". */
  readonly degraded: ReadonlyMap<string, LinkDegradation>;
}

export interface NetBackend {
  /** 'proxy' or 'netns'. */
  readonly mode: string;
  /** Why this network cannot make links do `what` (null: it can). */
  refuses(what: keyof LinkDegradation): string | null;
  /** Makes the network look like `state` (the latest state wins; may complete asynchronously). */
  apply(state: NetState): void;
  /** Resolves once every state handed to apply() is in place; rejects if applying one failed. */
  settled(): Promise<void>;
}

/** Every link a TCP proxy: blocks pause a direction, delay holds every chunk. */
export class ProxyBackend implements NetBackend {
  readonly mode = 'proxy';

  constructor(private readonly links: readonly LinkProxy[]) {}

  refuses(what: keyof LinkDegradation): string | null {
    if (what === 'delayMs') return null;
    return `${what.replace(/Percent|Ms/, '')} needs --net netns: a TCP proxy forwards a byte stream, so it cannot lose, duplicate, jitter or reorder packets (TCP would hide it anyway)`;
  }

  apply(state: NetState): void {
    for (const l of this.links) {
      const fwd = `${l.from}>${l.to}`;
      const back = `${l.to}>${l.from}`;
      const delayMs = Math.max(state.degraded.get(fwd)?.delayMs ?? 0, state.degraded.get(back)?.delayMs ?? 0);
      const dropped = (pair: string): boolean => state.blocked.has(pair) || state.blockedKinds.has(`${pair}@${l.kind}`);
      const faults = {
        blockForward: dropped(fwd),
        blockBackward: dropped(back) || (l.from === 'client' && dropped(fwd)),
        delayMs,
      };
      l.setFaults(faults.blockForward || faults.blockBackward || faults.delayMs > 0 ? faults : healthyLink);
    }
  }

  settled(): Promise<void> {
    return Promise.resolve();
  }
}

export class HarnessNet {
  private readonly blocked = new Set<string>();
  private readonly blockedKinds = new Set<string>();
  private readonly degraded = new Map<string, LinkDegradation>();

  constructor(readonly backend: NetBackend) {}

  /** Drops everything `from` sends to `to` (one way); with `kind`, only on that listener's connections. */
  cut(from: number, to: number, kind?: LinkProxy['kind']): void {
    if (kind) this.blockedKinds.add(`${from}>${to}@${kind}`);
    else this.blocked.add(`${from}>${to}`);
    this.apply();
  }

  /** Nodes only reach the nodes of their own group (both ways). */
  partition(groups: readonly (readonly number[])[]): void {
    const groupOf = new Map<number, number>();
    groups.forEach((g, i) => g.forEach((n) => groupOf.set(n, i)));
    const nodes = [...groupOf.keys()];
    for (const a of nodes)
      for (const b of nodes) if (a !== b && groupOf.get(a) !== groupOf.get(b)) this.blocked.add(`${a}>${b}`);
    this.apply();
  }

  /**
   * Majorities-ring: each node reaches a majority (itself and its ring neighbours), no two nodes
   * the same one. Three nodes cannot do that with two-way links, so there each link is one-way
   * around the ring: node i sends only to i+1 and hears only from i-1.
   */
  ring(nodes: readonly number[]): void {
    const n = nodes.length;
    if (n === 3) {
      for (let i = 0; i < 3; i++) this.blocked.add(`${nodes[i]}>${nodes[(i + 2) % 3]}`);
      this.apply();
      return;
    }
    const reach = Math.floor(n / 2);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const d = Math.min((i - j + n) % n, (j - i + n) % n);
        if (i !== j && d > Math.floor(reach / 2) + (reach % 2)) this.blocked.add(`${nodes[i]}>${nodes[j]}`);
      }
    }
    this.apply();
  }

  /** Clients cannot reach these nodes (nor they the clients). */
  isolateClients(nodes: readonly number[]): void {
    for (const n of nodes) this.blocked.add(`client>${n}`);
    this.apply();
  }

  /** Why the backend cannot make `spec` (null: it can). */
  refuses(spec: Partial<LinkDegradation>): string | null {
    for (const [k, v] of Object.entries(spec) as [keyof LinkDegradation, number][]) {
      const why = v > 0 ? this.backend.refuses(k) : null;
      if (why) return why;
    }
    return null;
  }

  /** Degrades the given directed node links (throws when the backend cannot, see refuses()). */
  degrade(links: readonly (readonly [number, number])[], spec: Partial<LinkDegradation>): void {
    const why = this.refuses(spec);
    if (why) throw new Error(why);
    for (const [a, b] of links) this.degraded.set(`${a}>${b}`, { ...noDegradation, ...spec });
    this.apply();
  }

  heal(): void {
    this.blocked.clear();
    this.blockedKinds.clear();
    this.degraded.clear();
    this.apply();
  }

  /** Resolves once the faults asked for are in place in the network. */
  settled(): Promise<void> {
    return this.backend.settled();
  }

  /** The current faults, e.g. "1↛2 1↛3 client↛2 1→2 loss 20%", or "healthy". */
  describe(): string {
    const parts = [...this.blocked, ...this.blockedKinds].sort().map((k) => k.replace('>', '↛'));
    for (const [pair, d] of [...this.degraded].sort())
      parts.push(`${pair.replace('>', '→')} ${describeDegradation(d)}`);
    return parts.length === 0 ? 'healthy' : parts.join(' ');
  }

  private apply(): void {
    this.backend.apply({
      blocked: new Set(this.blocked),
      blockedKinds: new Set(this.blockedKinds),
      degraded: new Map(this.degraded),
    });
  }
}

/** "loss 20% delay 50±10 ms reorder 25%" */
export function describeDegradation(d: LinkDegradation): string {
  const parts: string[] = [];
  if (d.lossPercent > 0) parts.push(`loss ${d.lossPercent}%`);
  if (d.duplicatePercent > 0) parts.push(`duplicate ${d.duplicatePercent}%`);
  if (d.delayMs > 0) parts.push(`delay ${d.delayMs}${d.jitterMs > 0 ? `±${d.jitterMs}` : ''} ms`);
  if (d.reorderPercent > 0) parts.push(`reorder ${d.reorderPercent}%`);
  return parts.join(' ') || 'no change';
}
