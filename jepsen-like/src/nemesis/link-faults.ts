// Packet-level link faults for the nemesis: loss, duplication, delay (with jitter where the
// network can) and reordering, on every link to and from one node or on every node-to-node link.
// They need a network that handles packets: `--net netns` (nftables for loss and duplication,
// tc netem for delay, jitter and reordering); the proxy mesh makes fixed delays only and refuses
// the rest (linkFaultRefused says why, before a run starts). Called by Nemesis.
import type { SeededRandom } from '../../../src/testing/seeded-random.js';
import type { HarnessCluster } from '../cluster/harness-cluster.js';
import type { HarnessNet, LinkDegradation } from '../net/harness-net.js';

export const linkFaultKinds = ['loss', 'duplicate', 'delay', 'reorder'] as const;
export type LinkFaultKind = (typeof linkFaultKinds)[number];

/** What each kind needs of the network (the delay kind adds jitter only where it can). */
const needs: Readonly<Record<LinkFaultKind, Partial<LinkDegradation>>> = {
  loss: { lossPercent: 1 },
  duplicate: { duplicatePercent: 1 },
  delay: { delayMs: 1 },
  reorder: { delayMs: 1, reorderPercent: 1 },
};

export function isLinkFault(kind: string): kind is LinkFaultKind {
  return (linkFaultKinds as readonly string[]).includes(kind);
}

/** Why `net` cannot make the link faults among `kinds` (null: it can make them all). */
export function linkFaultRefused(net: HarnessNet, kinds: readonly string[]): string | null {
  for (const k of kinds) {
    const why = isLinkFault(k) ? net.refuses(needs[k]) : null;
    if (why) return `--nemesis ${k}: ${why}`;
  }
  return null;
}

function spec(kind: LinkFaultKind, rng: SeededRandom, net: HarnessNet): Partial<LinkDegradation> {
  switch (kind) {
    case 'loss':
      return { lossPercent: rng.pick([5, 10, 20, 30]) };
    case 'duplicate':
      return { duplicatePercent: rng.pick([5, 10, 25]) };
    case 'delay': {
      const delayMs = rng.pick([20, 50, 100]);
      return net.refuses({ jitterMs: 1 }) ? { delayMs } : { delayMs, jitterMs: delayMs / 2 };
    }
    case 'reorder':
      return { delayMs: rng.pick([10, 30]), reorderPercent: rng.pick([25, 50]) };
  }
}

/** Degrades the links of one random node (both ways) or all node links; heal restores them. */
export async function applyLinkFault(
  c: HarnessCluster,
  rng: SeededRandom,
  kind: LinkFaultKind,
): Promise<{ targets: number[]; detail: string; heal: () => Promise<void> }> {
  const ids = c.nodeIds;
  const s = spec(kind, rng, c.net);
  const one = rng.chance(0.5) ? rng.pick(ids) : null;
  const links = ids.flatMap((a) =>
    ids.filter((b) => a !== b && (one === null || a === one || b === one)).map((b) => [a, b] as const),
  );
  c.net.degrade(links, s);
  await c.net.settled();
  return {
    targets: one === null ? [...ids] : [one],
    detail: `${one === null ? 'every node link' : `the links of node ${one}`}: ${c.net.describe()}`,
    heal: async () => {
      c.net.heal();
      await c.net.settled();
    },
  };
}
