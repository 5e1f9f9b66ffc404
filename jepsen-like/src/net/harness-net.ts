// The harness's network: every directed link (node→node per listener, client→node) is a
// LinkProxy, and a fault is a set of blocked directions. "from ↛ to" blocks the bytes `from`
// sends to `to` on every connection between them — the ones `from` opened (forward) and the
// ones `to` opened (backward) — which is what a dropped one-way path does to TCP.
// Named shapes (Jepsen's grudges, jepsen.md §1.5): partition into groups, majorities-ring,
// isolating nodes from clients. heal() clears every fault.
import { healthyLink, type LinkProxy } from './link-proxy.js';

export class HarnessNet {
  /** Directed node pairs whose bytes are dropped, as "from>to"; "client>n" for clients. */
  private readonly blocked = new Set<string>();
  /** Directed pairs dropped on one listener kind only, as "from>to@kind". */
  private readonly blockedKinds = new Set<string>();
  private delayMs = 0;
  private delayedLinks: Set<string> | null = null;

  constructor(private readonly links: readonly LinkProxy[]) {}

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

  /** Adds latency to the given directed links (all when omitted). */
  delay(ms: number, links?: readonly (readonly [number, number])[]): void {
    this.delayMs = ms;
    this.delayedLinks = links ? new Set(links.map(([a, b]) => `${a}>${b}`)) : null;
    this.apply();
  }

  heal(): void {
    this.blocked.clear();
    this.blockedKinds.clear();
    this.delayMs = 0;
    this.delayedLinks = null;
    this.apply();
  }

  /** The current faults, e.g. "1↛2 1↛3 client↛2", or "healthy". */
  describe(): string {
    const parts = [...this.blocked, ...this.blockedKinds].sort().map((k) => k.replace('>', '↛'));
    if (this.delayMs > 0)
      parts.push(`delay ${this.delayMs} ms${this.delayedLinks ? ` on ${[...this.delayedLinks].join(' ')}` : ''}`);
    return parts.length === 0 ? 'healthy' : parts.join(' ');
  }

  private apply(): void {
    for (const l of this.links) {
      const fwd = `${l.from}>${l.to}`;
      const back = `${l.to}>${l.from}`;
      const delayed =
        this.delayMs > 0 && (this.delayedLinks === null || this.delayedLinks.has(fwd) || this.delayedLinks.has(back));
      const dropped = (pair: string): boolean => this.blocked.has(pair) || this.blockedKinds.has(`${pair}@${l.kind}`);
      const faults = {
        blockForward: dropped(fwd),
        blockBackward: dropped(back) || (l.from === 'client' && dropped(fwd)),
        delayMs: delayed ? this.delayMs : 0,
      };
      l.setFaults(faults.blockForward || faults.blockBackward || faults.delayMs > 0 ? faults : healthyLink);
    }
  }
}
