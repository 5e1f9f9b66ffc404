// The hosts of a `--net netns` run: one Linux network namespace per node, each with one address
// on a bridge this run creates, so every node is a separate host with its own address and port
// space, and the kernel carries (and, under faults, drops) its packets. Called by HarnessCluster
// (start, stop, Ctrl-C) and NetnsNet (the device names the fault rules hang on).
//
// For one run, with N a free /24 chosen at start (10.77.N.0/24):
//   bridge  rjbrN                10.77.N.254/24, the root namespace's side: the harness and the
//                                workload's clients reach the nodes through it
//   netns   rjepsenN-<id>        per node: `eth0` with 10.77.N.<id>/24, `lo`; no default route
//   veth    rjvN-<id>            the node's port on the bridge (root side of its eth0)
// Only the connected 10.77.N.0/24 route exists in a namespace, so no packet can leave the machine
// (and the root namespace does not forward: bridged frames stay on the bridge).
//
// Ownership: /run/raftka-jepsen-netns/<N>.owner (created exclusively, holding the harness's pid)
// is taken before anything of N exists and removed after everything of N is gone. A stale-leftover
// sweep at start tears down every rjbr/rjv/rjepsen name whose N has no owner file or a dead owner
// (a harness killed by SIGKILL), killing processes still inside those namespaces (nodes of that
// dead harness).
//
// Setup and teardown use execFileSync: they run before the workload starts or after it stopped,
// and the Ctrl-C path must finish before the process exits.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { processIsAlive } from '../../../src/common/processes.js';

const ownerDir = '/run/raftka-jepsen-netns';
/** An owner file with no pid yet is someone's setup in progress for at most this long. */
const ownerWriteGraceMs = 60_000;
const commandTimeoutMs = 10_000;
const subnetsMax = 254;

export interface NetnsHost {
  readonly id: number;
  /** The namespace's name (`ip netns exec <ns> ...`). */
  readonly ns: string;
  /** The node's address, on `eth0` inside its namespace. */
  readonly address: string;
  /** The node's port on the bridge, in the root namespace. */
  readonly port: string;
}

export class NetnsUnavailableError extends Error {
  override readonly name = 'NetnsUnavailableError';
}

function run(cmd: string, args: readonly string[], input?: string): string {
  return execFileSync(cmd, args, {
    encoding: 'utf8',
    timeout: commandTimeoutMs,
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(input === undefined ? {} : { input }),
  });
}

function tryRun(cmd: string, args: readonly string[]): string | null {
  try {
    return run(cmd, args);
  } catch {
    return null;
  }
}

/** Why namespaces cannot be made on this machine (null: they can be tried). */
export function netnsUnavailable(): string | null {
  if (process.platform !== 'linux') return `network namespaces are Linux-only (this is ${process.platform})`;
  if (process.getuid?.() !== 0)
    return 'not root: creating namespaces, veths, a bridge and nftables rules needs CAP_SYS_ADMIN and CAP_NET_ADMIN';
  if (tryRun('ip', ['-V']) === null) return 'no `ip` command (Debian package iproute2)';
  if (tryRun('nft', ['--version']) === null) return 'no `nft` command (Debian package nftables)';
  return null;
}

const bridgeName = (n: number): string => `rjbr${n}`;
const nsName = (n: number, id: number): string => `rjepsen${n}-${id}`;
const portName = (n: number, id: number): string => `rjv${n}-${id}`;
/** The nftables table (netdev family, root namespace) holding a run's fault rules. */
export const faultTableName = (n: number): string => `rjepsen_${n}`;

function ownerFile(n: number): string {
  return join(ownerDir, `${n}.owner`);
}

/** The owner file names a live process (or was created a moment ago and has no pid yet). */
function ownerAlive(n: number): boolean {
  let text: string;
  try {
    text = readFileSync(ownerFile(n), 'utf8').trim();
  } catch {
    return false;
  }
  if (text === '') return Date.now() - statSync(ownerFile(n)).mtimeMs < ownerWriteGraceMs;
  const pid = Number(text);
  return Number.isSafeInteger(pid) && pid > 0 && processIsAlive(pid);
}

/** Subnet numbers that have any of this harness's names in the root namespace. */
function numbersInUse(): Set<number> {
  const found = new Set<number>();
  for (const line of (tryRun('ip', ['netns', 'list']) ?? '').split('\n')) {
    const m = /^rjepsen(\d+)-\d+/.exec(line);
    if (m) found.add(Number(m[1]));
  }
  for (const m of (tryRun('ip', ['-o', 'link', 'show']) ?? '').matchAll(/\d+: (?:rjbr(\d+)|rjv(\d+)-\d+)[@:]/g))
    found.add(Number(m[1] ?? m[2]));
  for (const f of safeReaddir(ownerDir)) {
    const m = /^(\d+)\.owner$/.exec(f);
    if (m) found.add(Number(m[1]));
  }
  return found;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * Removes everything of subnet `n`: processes left in its namespaces (SIGKILL), the fault table,
 * the namespaces, the ports, the bridge, then the owner file. Errors of single steps are ignored
 * (a step's object may already be gone); returns what it removed, for the log.
 */
function teardown(n: number): string[] {
  const removed: string[] = [];
  const namespaces = (tryRun('ip', ['netns', 'list']) ?? '')
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(`rjepsen${n}-`));
  for (const ns of namespaces) {
    for (const pid of (tryRun('ip', ['netns', 'pids', ns]) ?? '').split('\n').filter((p) => /^\d+$/.test(p))) {
      try {
        process.kill(Number(pid), 'SIGKILL');
        removed.push(`pid ${pid} in ${ns}`);
      } catch {
        // gone already
      }
    }
  }
  if (tryRun('nft', ['delete', 'table', 'netdev', faultTableName(n)]) !== null)
    removed.push(`nft table ${faultTableName(n)}`);
  for (const ns of namespaces) if (tryRun('ip', ['netns', 'del', ns]) !== null) removed.push(`netns ${ns}`);
  for (const m of (tryRun('ip', ['-o', 'link', 'show']) ?? '').matchAll(/\d+: (rjv(\d+)-\d+)@/g))
    if (Number(m[2]) === n && tryRun('ip', ['link', 'del', m[1]!]) !== null) removed.push(`veth ${m[1]}`);
  if (tryRun('ip', ['link', 'del', bridgeName(n)]) !== null) removed.push(`bridge ${bridgeName(n)}`);
  rmSync(ownerFile(n), { force: true });
  return removed;
}

/** Tears down every subnet of this harness whose owner is gone; returns what it removed. */
export function sweepStale(): string[] {
  const removed: string[] = [];
  for (const n of numbersInUse()) if (!ownerAlive(n)) removed.push(...teardown(n));
  return removed;
}

/** Subnets some interface or route of the root namespace already uses (10.77.N.x). */
function subnetsTaken(): Set<number> {
  const taken = new Set<number>();
  const text = `${tryRun('ip', ['-4', '-o', 'addr', 'show']) ?? ''}\n${tryRun('ip', ['-4', 'route', 'show', 'table', 'all']) ?? ''}`;
  for (const m of text.matchAll(/\b10\.77\.(\d+)\./g)) taken.add(Number(m[1]));
  return taken;
}

/** Claims a free subnet number by creating its owner file exclusively. */
function claimSubnet(): number {
  mkdirSync(ownerDir, { recursive: true });
  const taken = subnetsTaken();
  const inUse = numbersInUse();
  const start = randomInt(1, subnetsMax + 1);
  for (let i = 0; i < subnetsMax; i++) {
    const n = ((start + i - 1) % subnetsMax) + 1;
    if (taken.has(n) || inUse.has(n)) continue;
    try {
      writeFileSync(ownerFile(n), `${process.pid}\n`, { flag: 'wx' });
      return n;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
  }
  throw new NetnsUnavailableError('no free 10.77.N.0/24 subnet (1..254 all in use)');
}

export class NetnsHosts {
  private destroyed = false;

  private constructor(
    /** The run's subnet: 10.77.<subnet>.0/24. */
    readonly subnet: number,
    readonly hosts: readonly NetnsHost[],
    /** Whether the kernel has the netem qdisc (delay, jitter, reordering). */
    readonly netem: boolean,
    /** What the stale-leftover sweep removed before this run. */
    readonly swept: readonly string[],
  ) {}

  get bridge(): string {
    return bridgeName(this.subnet);
  }

  /** The root namespace's address on the bridge: where the harness and its clients come from. */
  get rootAddress(): string {
    return `10.77.${this.subnet}.254`;
  }

  get faultTable(): string {
    return faultTableName(this.subnet);
  }

  host(id: number): NetnsHost {
    const h = this.hosts.find((x) => x.id === id);
    if (!h) throw new Error(`no namespace host for node ${id}`);
    return h;
  }

  /**
   * Sweeps stale leftovers, then makes the bridge and one namespace per node id (ids 1..253).
   * Throws NetnsUnavailableError (with the kernel's or the tool's message) when any step fails,
   * after removing what it made.
   */
  static create(nodeIds: readonly number[]): NetnsHosts {
    const why = netnsUnavailable();
    if (why) throw new NetnsUnavailableError(why);
    const bad = nodeIds.find((id) => !Number.isInteger(id) || id < 1 || id > 253);
    if (bad !== undefined) throw new NetnsUnavailableError(`node id ${bad} cannot be a host number on a /24`);
    const swept = sweepStale();
    const n = claimSubnet();
    const hosts = nodeIds.map((id) => ({
      id,
      ns: nsName(n, id),
      address: `10.77.${n}.${id}`,
      port: portName(n, id),
    }));
    try {
      const br = bridgeName(n);
      run('ip', ['link', 'add', br, 'type', 'bridge']);
      run('ip', ['addr', 'add', `10.77.${n}.254/24`, 'dev', br]);
      run('ip', ['link', 'set', br, 'up']);
      for (const h of hosts) {
        run('ip', ['netns', 'add', h.ns]);
        run('ip', ['link', 'add', h.port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.ns]);
        run('ip', ['link', 'set', h.port, 'master', br, 'up']);
        run('ip', ['-n', h.ns, 'addr', 'add', `${h.address}/24`, 'dev', 'eth0']);
        run('ip', ['-n', h.ns, 'link', 'set', 'eth0', 'up']);
        run('ip', ['-n', h.ns, 'link', 'set', 'lo', 'up']);
      }
      const first = hosts[0];
      const netem =
        first !== undefined &&
        tryRun('tc', ['qdisc', 'add', 'dev', first.port, 'root', 'netem', 'delay', '0ms']) !== null &&
        tryRun('tc', ['qdisc', 'del', 'dev', first.port, 'root']) !== null;
      return new NetnsHosts(n, hosts, netem, swept);
    } catch (err) {
      teardown(n);
      const e = err as { stderr?: string; message?: string };
      throw new NetnsUnavailableError(
        `could not make the namespaces: ${(e.stderr ?? e.message ?? String(err)).trim()}`,
      );
    }
  }

  /** Argv that runs `argv` inside node `id`'s namespace. */
  execArgs(id: number, argv: readonly string[]): string[] {
    return ['netns', 'exec', this.host(id).ns, ...argv];
  }

  /** Removes everything this run made (synchronously: also from a signal handler); idempotent. */
  destroy(): string[] {
    if (this.destroyed) return [];
    this.destroyed = true;
    return teardown(this.subnet);
  }
}
