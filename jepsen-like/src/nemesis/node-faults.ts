// The nemesis's per-node faults beyond kill, pause and the network: clocks, disks, and kill -9
// inside a write. Nemesis.apply hands these kinds here with the targets it chose; each returns
// what it did and a heal that undoes it (and may say what happened meanwhile, for the stop event).
// - clock-skew: every target's wall clock set off by its own random amount (±1 s .. ±2 min);
//   healed by setting it right, itself a jump back.
// - clock-jump: the targets' wall clocks leap ±2 .. ±10 minutes at once; healed by leaping back.
//   Both clock faults' stop events say what each target's clock read just before the heal (the
//   Date header of its admin HTTP answer).
// - disk-full: the targets' log dirs (tmpfs) filled to the last byte; healed by deleting the
//   filler and restarting any node that stopped (a full metadata log halts a node by design).
// - slow-disk: every partition-log write and fsync of the targets delayed 20–200 ms (blocking,
//   as a stuck synchronous write does), metadata log writes too (without blocking).
// - kill-snapshot / kill-roll: the targets stop inside their next metadata snapshot write /
//   partition segment roll, and are killed -9 there the moment the harness sees it; healed by a
//   restart. If none began within the fault's interval (at least 5 s), the stop event says so. (kill-snapshot
//   creates a scratch topic, since a snapshot is only written after new metadata records.)
// Who calls: nemesis.ts. Setup (libfaketime, tmpfs, hook control files): node-fault-kit.ts.
import type { SeededRandom } from '../../../src/testing/seeded-random.js';
import type { HarnessCluster } from '../cluster/harness-cluster.js';
import type { NodeFaultKind } from './node-fault-kit.js';

interface AppliedFault {
  readonly targets: number[];
  readonly detail: string;
  /** Undoes the fault; a string replaces the detail of the stop event. */
  readonly heal: () => Promise<string | undefined>;
}

const hookPollMs = 10;
/** How long an armed node holds still inside a write for the kill to land. */
const pauseInsideMs = 15_000;
/**
 * The least time a node stays armed, however short the nemesis interval: snapshots come due
 * every 2 s at best (metadata.log.max.snapshot.interval.ms) and rolls 2 s after an append.
 */
const armedMinMs = 5_000;

/** How long a clock heal waits for the targets' clocks to show their offset before reading them. */
const clockSettleMs = 3_000;

const signed = (s: number): string => `${s >= 0 ? '+' : ''}${s} s`;

/**
 * Node `id`'s clock offset as it reads it, waiting up to clockSettleMs for it to show `expected`
 * (libfaketime re-reads its file at most once a second, node's HTTP Date header is renewed once a
 * second); the last reading if it never does, null if the node never answered.
 */
async function clockReading(c: HarnessCluster, id: number, expected: number): Promise<number | null> {
  const deadline = Date.now() + clockSettleMs;
  let last: number | null = null;
  for (;;) {
    last = (await c.wallClockOffsetS(id).catch(() => null)) ?? last;
    if ((last !== null && Math.abs(last - expected) <= 2) || Date.now() >= deadline) return last;
    await new Promise((r) => setTimeout(r, 200)); // polling cadence of the wait above
  }
}

function clockFault(kind: 'clock-skew' | 'clock-jump', c: HarnessCluster, rng: SeededRandom, targets: number[]) {
  const kit = c.faultKit;
  const set = new Map<number, number>();
  const offsets = targets.map((id) => {
    const magnitude = kind === 'clock-skew' ? 1 + rng.nextInt(120) : 120 + rng.nextInt(481);
    const s = rng.chance(0.5) ? magnitude : -magnitude;
    kit.setClockOffset(id, s);
    set.set(id, s);
    return `node ${id} ${signed(s)}`;
  });
  return {
    targets,
    detail: `${kind === 'clock-skew' ? 'wall clocks skewed' : 'wall clocks jumped'}: ${offsets.join(', ')}`,
    heal: async () => {
      // What the nodes' clocks read before they are set right: the proof the shim moved them.
      const read = await Promise.all(
        targets.map(async (id) => {
          const s = await clockReading(c, id, set.get(id)!);
          return `node ${id} ${s === null ? 'did not answer' : `read ${signed(s)}`}`;
        }),
      );
      for (const id of targets) kit.setClockOffset(id, 0);
      return `wall clocks set right; before that, ${read.join(', ')}`;
    },
  };
}

function diskFull(c: HarnessCluster, targets: number[]): AppliedFault {
  const filled = targets.map((id) => `node ${id} (${(c.faultKit.fillDisk(id) / 1048576).toFixed(1)} MiB filler)`);
  return {
    targets,
    detail: `log dir filled to the brim: ${filled.join(', ')}`,
    heal: async () => {
      for (const id of targets) c.faultKit.freeDisk(id);
      const restarted = await c.restartExited();
      return `log dir freed: node ${targets.join(', ')}${
        restarted.length > 0 ? `; restarted node ${restarted.join(', ')} (it had stopped on the full disk)` : ''
      }`;
    },
  };
}

function slowDisk(c: HarnessCluster, rng: SeededRandom, targets: number[]): AppliedFault {
  const delayMs = 20 + rng.nextInt(181);
  for (const id of targets) c.faultKit.setHooks(id, { diskDelayMs: delayMs });
  return {
    targets,
    detail: `slow disk: every write and fsync of node ${targets.join(', ')} takes ${delayMs} ms more`,
    heal: async () => {
      for (const id of targets) c.faultKit.setHooks(id, {});
      return undefined;
    },
  };
}

/** Arms the targets to stop inside their next snapshot / roll and kills each there as soon as it does. */
function killInWrite(kind: 'kill-snapshot' | 'kill-roll', c: HarnessCluster, targets: number[]): AppliedFault {
  const point = kind === 'kill-snapshot' ? 'metadata-snapshot' : 'segment-roll';
  const what = kind === 'kill-snapshot' ? 'metadata snapshot write' : 'partition segment roll';
  const kit = c.faultKit;
  for (const id of targets) kit.setHooks(id, { pauseAt: [point], pauseMs: pauseInsideMs });
  // A snapshot needs new metadata records since the last one: a scratch topic makes some. (The
  // nodes read the control file within 200 ms; snapshots come due metadata.log.max.snapshot.interval.ms later.)
  if (kind === 'kill-snapshot') void c.nudgeMetadata().catch(() => undefined);
  const killed: number[] = [];
  const armedAt = performance.now();
  let watching = true;
  const watch = (async () => {
    while (watching && killed.length < targets.length) {
      for (const id of targets) {
        if (killed.includes(id) || c.state(id) !== 'running' || kit.hookHit(id) !== point) continue;
        await c.kill(id);
        killed.push(id);
      }
      await new Promise((r) => setTimeout(r, hookPollMs));
    }
  })();
  return {
    targets,
    detail: `node ${targets.join(', ')} armed: kill -9 inside the next ${what}`,
    heal: async () => {
      while (killed.length < targets.length && performance.now() - armedAt < armedMinMs)
        await new Promise((r) => setTimeout(r, hookPollMs));
      watching = false;
      await watch;
      for (const id of targets) kit.setHooks(id, {});
      await c.restartKilled();
      const missed = targets.filter((id) => !killed.includes(id));
      return [
        killed.length > 0 ? `killed -9 inside a ${what}: node ${killed.join(', ')}, restarted` : '',
        missed.length > 0 ? `no ${what} began on node ${missed.join(', ')} within the interval` : '',
      ]
        .filter((s) => s !== '')
        .join('; ');
    },
  };
}

export function applyNodeFault(
  kind: NodeFaultKind,
  c: HarnessCluster,
  rng: SeededRandom,
  targets: number[],
): AppliedFault {
  switch (kind) {
    case 'clock-skew':
    case 'clock-jump':
      return clockFault(kind, c, rng, targets);
    case 'disk-full':
      return diskFull(c, targets);
    case 'slow-disk':
      return slowDisk(c, rng, targets);
    case 'kill-snapshot':
    case 'kill-roll':
      return killInWrite(kind, c, targets);
  }
}
