// Integration-test fixture: a throwaway cluster-config folder with ephemeral 127.0.0.1 ports,
// driven through the real `raftka` command line exactly as a user would (cluster up / status /
// down, metadata-quorum describe). It only ever signals processes it started (pids from
// `cluster status --json` of its own data dir), and `destroy()` stops them all.
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoPath } from '../common/paths.js';
import { processIsAlive as isAlive } from '../common/processes.js';

const execFileAsync = promisify(execFile);

interface FixtureNodeStatus {
  readonly nodeId: number;
  readonly name: string;
  readonly pid: number | null;
  readonly state: string;
}

interface QuorumStatusJson {
  readonly clusterId: string;
  readonly leaderId: number;
  readonly leaderEpoch: number;
  readonly highWatermark: number;
  readonly currentVoters: number[];
  readonly currentObservers: number[];
}

interface ReplicaJson {
  readonly nodeId: number;
  readonly logEndOffset: number;
  readonly lag: number;
  readonly status: string;
}

/** The first port of the kernel's ephemeral range (the source ports of outgoing connections). */
function ephemeralRangeStart(): number {
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(first) && first > 2048 ? first : 32768;
  } catch {
    return 32768;
  }
}

/** Ports already handed out by this process: never handed out twice. */
const handedOut = new Set<number>();

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/**
 * `count` distinct free 127.0.0.1 ports for listeners the nodes bind later. They are drawn at
 * random *below* the kernel's ephemeral range: a port the OS handed out for port 0 would be free
 * again once probed, and the source port of any outgoing connection made before the node binds it
 * (a node retrying a peer that is not up yet) could take it, failing `cluster up` with "port in
 * use". Ports below the range are never picked by the kernel.
 */
export async function freePorts(count: number): Promise<number[]> {
  const high = ephemeralRangeStart();
  const low = Math.max(1024, Math.min(15_000, high - 4096));
  // Test files run side by side, each its own process with its own `handedOut`: a port two of them
  // draw at once is free when each probes it and taken when the second node binds it. Each process
  // draws from a slice of the range of its own (by pid), so two files rarely share one; the whole
  // range is the fallback when the slice runs out.
  const slices = Math.max(1, Math.floor((high - low) / 1024));
  const sliceLow = low + (process.pid % slices) * 1024;
  const ports: number[] = [];
  for (let tries = 0; ports.length < count; tries++) {
    if (tries > 100 * count + 1000) throw new Error(`no ${count} free ports below ${high}`);
    const port = tries < 20 * count ? randomInt(sliceLow, sliceLow + 1024) : randomInt(low, high);
    if (handedOut.has(port) || !(await bindable(port))) continue;
    handedOut.add(port);
    ports.push(port);
  }
  return ports;
}

/** Poll `probe` until it returns a value (not undefined) or the deadline passes. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Listener ports of combined nodes, indexed by node (node id = index + 1). */
export interface NodeLayout {
  readonly kafka: readonly number[];
  readonly controller: readonly number[];
  readonly replica: readonly number[];
  readonly admin: readonly number[];
}

interface ControllerClusterOptions {
  readonly controllers: number;
  /** Broker-only nodes (Raft observers), node ids 100, 101, ... */
  readonly brokers?: number;
  /** Extra properties for every node. */
  readonly extra?: Readonly<Record<string, string>>;
}

/** The same quorum timeouts as cluster-configs/three-controllers. */
export const quorumTimeouts: Readonly<Record<string, string>> = {
  'controller.quorum.fetch.timeout.ms': '300',
  'controller.quorum.election.timeout.ms': '150',
  'controller.quorum.election.backoff.max.ms': '150',
  'controller.quorum.request.timeout.ms': '1000',
};

export class ClusterFixture {
  readonly root: string;
  readonly configDir: string;
  readonly dataDir: string;
  readonly controllerPorts: number[];
  readonly adminPorts: number[];
  /** Kafka (PLAINTEXT) listener ports of the broker-role nodes, in node order. */
  readonly brokerPorts: number[];
  /** replica.listener ports of combined nodes, in node order ([] for other layouts). */
  replicaPorts: number[] = [];

  private constructor(root: string, controllerPorts: number[], adminPorts: number[], brokerPorts: number[] = []) {
    this.root = root;
    this.configDir = join(root, 'configs');
    this.dataDir = join(root, 'data');
    this.controllerPorts = controllerPorts;
    this.adminPorts = adminPorts;
    this.brokerPorts = brokerPorts;
  }

  /** `bootstrap.servers` style list of the Kafka listeners. */
  get bootstrapServers(): string {
    return this.brokerPorts.map((p) => `127.0.0.1:${p}`).join(',');
  }

  /**
   * Combined nodes (broker and controller in one process), node ids 1..n. `perNode` adds or
   * overrides properties of node k, knowing every node's ports (the jepsen-like harness points
   * nodes at its proxies this way).
   */
  static async combined(options: {
    readonly nodes: number;
    readonly extra?: Readonly<Record<string, string>>;
    readonly perNode?: (k: number, layout: NodeLayout) => Readonly<Record<string, string>>;
  }): Promise<ClusterFixture> {
    const n = options.nodes;
    // Per node: controller, admin, Kafka and replication ports, all chosen here (a port-0 listener
    // could take a port another node of the fixture is about to bind).
    const ports = await freePorts(4 * n);
    const f = new ClusterFixture(
      mkdtempSync(join(tmpdir(), 'raftka-it-')),
      ports.slice(0, n),
      ports.slice(n, 2 * n),
      ports.slice(2 * n, 3 * n),
    );
    mkdirSync(f.configDir);
    const voters = f.controllerPorts.map((p, k) => `${k + 1}@127.0.0.1:${p}`).join(',');
    f.replicaPorts = ports.slice(3 * n, 4 * n);
    const layout: NodeLayout = {
      kafka: f.brokerPorts,
      controller: f.controllerPorts,
      replica: f.replicaPorts,
      admin: f.adminPorts,
    };
    for (let k = 0; k < n; k++) {
      f.writeNodeConfig(`node-${k}`, {
        'node.id': String(k + 1),
        'process.roles': 'broker,controller',
        'controller.quorum.voters': voters,
        listeners: `PLAINTEXT://127.0.0.1:${f.brokerPorts[k]},CONTROLLER://127.0.0.1:${f.controllerPorts[k]}`,
        'controller.listener.names': 'CONTROLLER',
        'admin.listener': `127.0.0.1:${f.adminPorts[k]}`,
        'replica.listener': `127.0.0.1:${ports[3 * n + k]}`,
        ...quorumTimeouts,
        ...options.extra,
        ...options.perNode?.(k, layout),
      });
    }
    return f;
  }

  private writeNodeConfig(file: string, props: Readonly<Record<string, string>>): void {
    writeFileSync(
      join(this.configDir, `${file}.properties`),
      `${Object.entries(props)
        .map(([key, v]) => `${key}=${v}`)
        .join('\n')}\n`,
    );
  }

  static async controllers(options: ControllerClusterOptions): Promise<ClusterFixture> {
    const n = options.controllers;
    const b = options.brokers ?? 0;
    // Per controller: its listener and admin port; per broker: its Kafka listener, admin and
    // replication ports (all chosen here: a port-0 listener could take one another node will bind).
    const ports = await freePorts(2 * n + 3 * b);
    const f = new ClusterFixture(
      mkdtempSync(join(tmpdir(), 'raftka-it-')),
      ports.slice(0, n),
      [...ports.slice(n, 2 * n), ...ports.slice(2 * n + b, 2 * n + 2 * b)],
      ports.slice(2 * n, 2 * n + b),
    );
    mkdirSync(f.configDir);
    const voters = f.controllerPorts.map((p, k) => `${k + 1}@127.0.0.1:${p}`).join(',');
    const nodes: { file: string; id: number; roles: string; listeners: string; replica?: string }[] = [
      ...Array.from({ length: n }, (_, k) => ({
        file: `controller-${k}`,
        id: k + 1,
        roles: 'controller',
        listeners: `CONTROLLER://127.0.0.1:${f.controllerPorts[k]}`,
      })),
      ...Array.from({ length: b }, (_, k) => ({
        file: `broker-${k}`,
        id: 100 + k,
        roles: 'broker',
        listeners: `PLAINTEXT://127.0.0.1:${ports[2 * n + k]}`,
        replica: `127.0.0.1:${ports[2 * n + 2 * b + k]}`,
      })),
    ];
    for (const [k, node] of nodes.entries()) {
      const props: Record<string, string> = {
        'node.id': String(node.id),
        'process.roles': node.roles,
        'controller.quorum.voters': voters,
        listeners: node.listeners,
        'controller.listener.names': 'CONTROLLER',
        'admin.listener': `127.0.0.1:${f.adminPorts[k]}`,
        ...(node.replica ? { 'replica.listener': node.replica } : {}),
        ...quorumTimeouts,
        ...options.extra,
      };
      f.writeNodeConfig(node.file, props);
    }
    return f;
  }

  async raftka(...args: string[]): Promise<string> {
    const { stdout } = await execFileAsync(process.execPath, [repoPath('bin', 'raftka.js'), ...args], {
      cwd: this.root,
      timeout: 60_000,
    });
    return stdout;
  }

  up(): Promise<string> {
    return this.raftka('cluster', 'up', '--config-dir', this.configDir, '--data-dir', this.dataDir, '--detach');
  }

  down(): Promise<string> {
    return this.raftka('cluster', 'down', '--config-dir', this.configDir, '--data-dir', this.dataDir);
  }

  async status(): Promise<FixtureNodeStatus[]> {
    return JSON.parse(
      await this.raftka('cluster', 'status', '--config-dir', this.configDir, '--data-dir', this.dataDir, '--json'),
    ) as FixtureNodeStatus[];
  }

  async quorumStatus(controllerIndex = 0): Promise<QuorumStatusJson> {
    const out = await this.raftka(
      'metadata-quorum',
      '--bootstrap-controller',
      `127.0.0.1:${this.controllerPorts[controllerIndex]}`,
      'describe',
      '--status',
      '--json',
    );
    return JSON.parse(out) as QuorumStatusJson;
  }

  async replication(controllerIndex = 0): Promise<ReplicaJson[]> {
    const out = await this.raftka(
      'metadata-quorum',
      '--bootstrap-controller',
      `127.0.0.1:${this.controllerPorts[controllerIndex]}`,
      'describe',
      '--replication',
      '--json',
    );
    return JSON.parse(out) as ReplicaJson[];
  }

  /** A node's own view (admin /status); index counts controllers first, then brokers. */
  async nodeStatus(index: number): Promise<Record<string, unknown>> {
    const res = await fetch(`http://127.0.0.1:${this.adminPorts[index]}/status`);
    return (await res.json()) as Record<string, unknown>;
  }

  async metrics(index: number): Promise<string> {
    return (await fetch(`http://127.0.0.1:${this.adminPorts[index]}/metrics`)).text();
  }

  metadataDir(nodeIndex: number): string {
    return join(this.dataDir, `controller-${nodeIndex}`, 'logs', '__cluster_metadata-0');
  }

  /** The pid of a running node of this fixture (from `cluster status --json`). */
  async pidOf(nodeId: number): Promise<number> {
    const node = (await this.status()).find((s) => s.nodeId === nodeId);
    if (!node?.pid) throw new Error(`node ${nodeId} is not running`);
    return node.pid;
  }

  /** SIGKILL a node this fixture started; resolves once the process is gone. */
  async kill9(nodeId: number, knownPid?: number): Promise<number> {
    const pid = knownPid ?? (await this.pidOf(nodeId));
    process.kill(pid, 'SIGKILL');
    await waitFor(`pid ${pid} to exit`, async () => (isAlive(pid) ? undefined : true), 5_000, 5);
    return pid;
  }

  /**
   * Stop every node (gracefully, then by force; or at once by SIGKILL when `graceful` is false, for
   * tests that only need the processes gone) and remove the fixture's files.
   */
  async destroy(options: { graceful?: boolean } = {}): Promise<void> {
    const killAll = async (): Promise<void> => {
      for (const s of await this.status().catch(() => []))
        if (s.pid && isAlive(s.pid)) await this.kill9(s.nodeId, s.pid).catch(() => undefined);
    };
    if (options.graceful === false) await killAll();
    else {
      try {
        await this.down();
      } catch {
        await killAll();
      }
    }
    // RAFTKA_KEEP_TEST_DATA=1 keeps configs, data and node logs for a post-mortem.
    if (process.env['RAFTKA_KEEP_TEST_DATA']) console.error(`kept test data in ${this.root}`);
    else rmSync(this.root, { recursive: true, force: true });
  }
}

export { processIsAlive as isAlive } from '../common/processes.js';
