// The nemesis: a seeded schedule of faults against a HarnessCluster. Every `intervalMs` it picks
// one fault package from those enabled and a target (one node, a minority, the active
// controller, a partition leader), applies it, holds it for `intervalMs`, heals it, then leaves
// the cluster alone for half an interval (Jepsen's rotating packages with quiet gaps, §1.3).
// Each start and stop is reported, with its targets, so the history and the report can show
// the fault windows. One seed gives the same choices (timings depend on the cluster).
import { SeededRandom } from '../../../src/testing/seeded-random.js';
import type { HarnessCluster } from '../cluster/harness-cluster.js';
import { applyLinkFault, linkFaultKinds } from './link-faults.js';
import { nodeFaultKinds, type NodeFaultKind } from './node-fault-kit.js';
import { applyNodeFault } from './node-faults.js';

const processNetKinds = [
  'kill',
  'pause',
  'partition',
  'ring',
  'leader-isolation',
  'client-isolation',
  ...linkFaultKinds,
] as const;
export type FaultKind = (typeof processNetKinds)[number] | NodeFaultKind;
/** Every kind: processes and network here and in link-faults.ts; clocks, disks and kill-in-write in node-faults.ts. */
export const faultKinds: readonly FaultKind[] = [...processNetKinds, ...nodeFaultKinds];

/** `kill,partition,...` (or `none` / empty) as kinds; throws naming the unknown ones. */
export function parseFaultKinds(text: string): FaultKind[] {
  const names = text.split(',').filter((f) => f !== '' && f !== 'none');
  const bad = names.filter((f) => !(faultKinds as readonly string[]).includes(f));
  if (bad.length > 0) throw new Error(`unknown nemesis: ${bad.join(', ')}`);
  return names as FaultKind[];
}

export interface FaultEvent {
  readonly kind: FaultKind | string;
  readonly phase: 'start' | 'stop';
  readonly targets: readonly number[];
  readonly detail: string;
}

interface NemesisOptions {
  readonly seed: number;
  readonly faults: readonly FaultKind[];
  readonly intervalMs: number;
  /** The workload's topic, for faults aimed at partition leaders. */
  readonly topic?: string;
  /** The workload's consumer group, for faults aimed at its coordinator. */
  readonly group?: string;
  readonly onEvent: (e: FaultEvent) => void;
}

export class Nemesis {
  private readonly rng: SeededRandom;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private failure: Error | null = null;

  constructor(
    private readonly cluster: HarnessCluster,
    private readonly options: NemesisOptions,
  ) {
    this.rng = new SeededRandom(options.seed);
  }

  start(): void {
    if (this.options.faults.length === 0) return;
    this.running = true;
    // A fault that cannot be applied or healed (a node that does not start again) ends the
    // nemesis, not the process: stop() reports it, so the run breaks alone and a campaign goes on.
    this.loop = this.run().catch((err: unknown) => {
      this.running = false;
      this.failure = err instanceof Error ? err : new Error(String(err));
    });
  }

  /** Stops choosing faults, heals whatever is in place and waits for that; throws what broke the nemesis. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.cluster.healAll();
    if (this.failure) throw new Error(`the nemesis stopped: ${this.failure.message}`, { cause: this.failure });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        this.wake = null;
        resolve();
      };
    });
  }

  private async run(): Promise<void> {
    await this.sleep(this.options.intervalMs / 2);
    while (this.running) {
      const kind = this.rng.pick(this.options.faults);
      const { targets, detail, heal } = await this.apply(kind);
      this.options.onEvent({ kind, phase: 'start', targets, detail });
      await this.sleep(this.options.intervalMs);
      // A heal may say what happened meanwhile (a kill inside a write): the stop event's detail.
      const healed = await heal();
      this.options.onEvent({ kind, phase: 'stop', targets, detail: typeof healed === 'string' ? healed : detail });
      if (!this.running) break;
      await this.sleep(this.options.intervalMs / 2);
    }
  }

  private async leaderTarget(): Promise<number> {
    const ids = this.cluster.nodeIds;
    if (this.options.topic && this.rng.chance(0.5)) {
      const leaders = [
        ...(await this.cluster.partitionLeaders(this.options.topic).catch(() => new Map<number, number>())).values(),
      ].filter((l) => l > 0);
      if (leaders.length > 0) return this.rng.pick(leaders);
    }
    return (await this.cluster.activeController()) ?? this.rng.pick(ids);
  }

  /**
   * Whom a process fault hits: one node (a minority of three), a majority, the active
   * controller, a partition leader, or the consumer group's coordinator.
   */
  private async processTargets(): Promise<{ targets: number[]; aim: string }> {
    const ids = this.cluster.nodeIds;
    const aims = ['one', 'majority', 'leader', ...(this.options.group ? ['coordinator'] : [])];
    const aim = this.rng.pick(aims);
    if (aim === 'majority') {
      const shuffled = [...ids].sort(() => this.rng.next() - 0.5);
      return { targets: shuffled.slice(0, Math.floor(ids.length / 2) + 1), aim: 'a majority' };
    }
    if (aim === 'leader') return { targets: [await this.leaderTarget()], aim: 'a leader' };
    if (aim === 'coordinator') {
      const c = await this.cluster.groupCoordinator(this.options.group!);
      if (c !== null && ids.includes(c)) return { targets: [c], aim: 'the group coordinator' };
    }
    return { targets: [this.rng.pick(ids)], aim: 'one node' };
  }

  private async apply(kind: FaultKind): Promise<{ targets: number[]; detail: string; heal: () => Promise<unknown> }> {
    const c = this.cluster;
    const ids = c.nodeIds;
    switch (kind) {
      case 'kill': {
        const { targets, aim } = await this.processTargets();
        for (const t of targets) await c.kill(t);
        return { targets, detail: `kill -9 of ${aim}: node ${targets.join(', ')}`, heal: () => c.restartKilled() };
      }
      case 'pause': {
        const { targets, aim } = await this.processTargets();
        for (const t of targets) c.pause(t);
        return {
          targets,
          detail: `SIGSTOP of ${aim}: node ${targets.join(', ')}`,
          heal: async () => targets.forEach((t) => c.resume(t)),
        };
      }
      case 'partition': {
        const target = this.rng.pick(ids);
        c.net.partition([[target], ids.filter((i) => i !== target)]);
        return { targets: [target], detail: `node ${target} cut off from the others`, heal: async () => c.net.heal() };
      }
      case 'ring': {
        c.net.ring(ids);
        return { targets: [...ids], detail: `majorities ring: ${c.net.describe()}`, heal: async () => c.net.heal() };
      }
      case 'leader-isolation': {
        const target = await this.leaderTarget();
        c.net.partition([[target], ids.filter((i) => i !== target)]);
        return {
          targets: [target],
          detail: `leader node ${target} cut off from the others`,
          heal: async () => c.net.heal(),
        };
      }
      case 'client-isolation': {
        const target = this.rng.pick(ids);
        c.net.isolateClients([target]);
        return { targets: [target], detail: `clients cannot reach node ${target}`, heal: async () => c.net.heal() };
      }
      case 'loss':
      case 'duplicate':
      case 'delay':
      case 'reorder':
        return applyLinkFault(c, this.rng, kind);
      case 'clock-skew':
        return applyNodeFault(kind, c, this.rng, [...ids]);
      default:
        return applyNodeFault(kind, c, this.rng, (await this.processTargets()).targets);
    }
  }
}
