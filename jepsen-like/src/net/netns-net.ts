// The `--net netns` network backend: HarnessNet's faults made by the kernel on the run's bridge
// (netns-hosts.ts). Every rule hangs on a node's bridge port in the root namespace, i.e. in the
// "switch", so a dropped packet is one the network lost (the sender's send succeeds, TCP
// retransmits), not an error its own firewall returns:
// - nftables, one `netdev` table per run (`rjepsen_N`): per node a chain on the ingress of its
//   port (packets the node sends) and on the egress (packets the root namespace sends it).
//   Blocked pairs drop by address (and by listener port for one-kind cuts), client isolation drops
//   the node's Kafka listener traffic to and from the root address, loss drops a random share
//   (`numgen random`), duplication sends a copy straight out of the receiver's port (`dup to`).
// - tc netem (when the kernel has it): delay, jitter and reordering, as an htb class per sending
//   node (matched by source address) with a netem qdisc on the receiver's port.
// The whole ruleset is replaced atomically on every change (`nft -f`); states are applied one at
// a time, the latest wins. Called through HarnessNet by the nemesis and the schedules.
import { spawn } from 'node:child_process';
import type { LinkDegradation, NetBackend, NetState } from './harness-net.js';
import type { NetnsHost, NetnsHosts } from './netns-hosts.js';

/** The listener ports every node uses inside its own namespace (the same numbers on every host). */
export interface NetnsPorts {
  readonly kafka: number;
  /** A second Kafka listener for the harness's own observer, untouched by client isolation. */
  readonly harnessKafka: number;
  readonly controller: number;
  readonly replica: number;
  readonly admin: number;
}

interface RuleContext {
  readonly table: string;
  readonly hosts: readonly Pick<NetnsHost, 'id' | 'address' | 'port'>[];
  readonly rootAddress: string;
  readonly ports: NetnsPorts;
}

const kindPort = (ports: NetnsPorts, kind: string): number =>
  kind === 'controller' ? ports.controller : kind === 'replica' ? ports.replica : ports.kafka;

/** The match for a random share of the packets (percent, one decimal): every packet at 100 %. */
function share(percent: number): string {
  const perMille = Math.max(0, Math.min(1000, Math.round(percent * 10)));
  return perMille >= 1000 ? '' : `numgen random mod 1000 < ${perMille} `;
}

function quote(device: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(device)) throw new Error(`unexpected device name ${device}`);
  return `"${device}"`;
}

/** The rules on packets node `id` sends (its port's ingress). */
function fromRules(c: RuleContext, id: number, state: NetState): string[] {
  const rules: string[] = [];
  for (const to of c.hosts) {
    if (to.id === id) continue;
    const pair = `${id}>${to.id}`;
    if (state.blocked.has(pair)) rules.push(`ip daddr ${to.address} drop`);
    for (const kind of ['controller', 'replica', 'kafka']) {
      if (!state.blockedKinds.has(`${pair}@${kind}`)) continue;
      const p = kindPort(c.ports, kind);
      rules.push(`ip daddr ${to.address} tcp dport ${p} drop`, `ip daddr ${to.address} tcp sport ${p} drop`);
    }
    const d = state.degraded.get(pair);
    if (d && d.lossPercent > 0) rules.push(`ip daddr ${to.address} ${share(d.lossPercent)}drop`);
    if (d && d.duplicatePercent > 0)
      rules.push(`ip daddr ${to.address} ${share(d.duplicatePercent)}dup to ${quote(to.port)}`);
  }
  if (state.blocked.has(`client>${id}`)) rules.push(`ip daddr ${c.rootAddress} tcp sport ${c.ports.kafka} drop`);
  return rules;
}

/** The rules on packets the root namespace sends node `id` (its port's egress). */
function toRules(c: RuleContext, id: number, state: NetState): string[] {
  return state.blocked.has(`client>${id}`) ? [`ip saddr ${c.rootAddress} tcp dport ${c.ports.kafka} drop`] : [];
}

/** The nft script that replaces the run's table with the rules for `state` (or only deletes it). */
export function nftScript(c: RuleContext, state: NetState): string {
  const lines = [`table netdev ${c.table}`, `delete table netdev ${c.table}`];
  const chains: string[] = [];
  for (const h of c.hosts) {
    const from = fromRules(c, h.id, state);
    const to = toRules(c, h.id, state);
    if (from.length > 0)
      chains.push(
        `  chain from_${h.id} {`,
        `    type filter hook ingress device ${quote(h.port)} priority 0; policy accept;`,
        ...from.map((r) => `    ${r}`),
        '  }',
      );
    if (to.length > 0)
      chains.push(
        `  chain to_${h.id} {`,
        `    type filter hook egress device ${quote(h.port)} priority 0; policy accept;`,
        ...to.map((r) => `    ${r}`),
        '  }',
      );
  }
  if (chains.length > 0) lines.push(`table netdev ${c.table} {`, ...chains, '}');
  return `${lines.join('\n')}\n`;
}

const needsNetem = (d: LinkDegradation): boolean => d.delayMs > 0 || d.jitterMs > 0 || d.reorderPercent > 0;

/**
 * `tc -batch` lines giving the receiver's port of every degraded link with delay, jitter or
 * reordering an htb tree: default class 1:1 untouched, one class per sender (by source address)
 * with a netem qdisc. Keyed by device; a device without entries gets its root qdisc deleted.
 */
export function netemBatches(c: RuleContext, state: NetState): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const to of c.hosts) {
    const senders = c.hosts.filter((from) => {
      const d = state.degraded.get(`${from.id}>${to.id}`);
      return from.id !== to.id && d !== undefined && needsNetem(d);
    });
    if (senders.length === 0) continue;
    const dev = to.port;
    const lines = [
      `qdisc add dev ${dev} root handle 1: htb default 1`,
      `class add dev ${dev} parent 1: classid 1:1 htb rate 100gbit`,
    ];
    for (const from of senders) {
      const d = state.degraded.get(`${from.id}>${to.id}`)!;
      const minor = (0x100 + from.id).toString(16);
      const delay = `delay ${Math.max(1, d.delayMs)}ms${d.jitterMs > 0 ? ` ${d.jitterMs}ms` : ''}`;
      lines.push(
        `class add dev ${dev} parent 1: classid 1:${minor} htb rate 100gbit`,
        `qdisc add dev ${dev} parent 1:${minor} handle ${minor}: netem ${delay}${d.reorderPercent > 0 ? ` reorder ${d.reorderPercent}%` : ''}`,
        `filter add dev ${dev} parent 1: protocol ip prio 1 u32 match ip src ${from.address}/32 flowid 1:${minor}`,
      );
    }
    out.set(dev, lines);
  }
  return out;
}

/** Runs `cmd args` with `input` on stdin; rejects with its stderr on a non-zero exit. */
function runWithInput(cmd: string, args: readonly string[], input: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} failed (exit ${code}): ${stderr.trim()}`)),
    );
    child.stdin.end(input);
  });
}

export class NetnsNet implements NetBackend {
  readonly mode = 'netns';
  private desired: NetState | null = null;
  private busy = false;
  private current: Promise<void> = Promise.resolve();
  private failure: Error | null = null;
  /** Ports that carry an htb/netem tree now. */
  private netemDevices = new Set<string>();

  constructor(
    private readonly hosts: NetnsHosts,
    readonly ports: NetnsPorts,
  ) {}

  private get context(): RuleContext {
    return {
      table: this.hosts.faultTable,
      hosts: this.hosts.hosts,
      rootAddress: this.hosts.rootAddress,
      ports: this.ports,
    };
  }

  refuses(what: keyof LinkDegradation): string | null {
    if (what === 'lossPercent' || what === 'duplicatePercent' || this.hosts.netem) return null;
    return `${what.replace(/Percent|Ms/, '')} needs the kernel's netem qdisc (CONFIG_NET_SCH_NETEM), which this kernel lacks; loss and duplication work without it (nftables)`;
  }

  apply(state: NetState): void {
    this.desired = state;
    this.kick();
  }

  async settled(): Promise<void> {
    while (this.busy || this.desired) await this.current;
    if (this.failure) throw this.failure;
  }

  private kick(): void {
    if (this.busy || this.desired === null) return;
    const state = this.desired;
    this.desired = null;
    this.busy = true;
    this.current = this.applyNow(state)
      .catch((err: unknown) => {
        this.failure ??= err instanceof Error ? err : new Error(String(err));
      })
      .finally(() => {
        this.busy = false;
        this.kick();
      });
  }

  private async applyNow(state: NetState): Promise<void> {
    const c = this.context;
    await runWithInput('nft', ['-f', '-'], nftScript(c, state));
    if (!this.hosts.netem) return;
    const batches = netemBatches(c, state);
    for (const dev of new Set([...this.netemDevices, ...batches.keys()])) {
      const lines = [...(this.netemDevices.has(dev) ? [`qdisc del dev ${dev} root`] : []), ...(batches.get(dev) ?? [])];
      await runWithInput('tc', ['-batch', '-'], `${lines.join('\n')}\n`);
    }
    this.netemDevices = new Set(batches.keys());
  }
}
