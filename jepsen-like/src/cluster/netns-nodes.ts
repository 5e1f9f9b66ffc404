// `--net netns` node processes: node k runs inside its own network namespace (netns-hosts.ts),
// started by `ip netns exec <ns> raftka cluster up` on a one-node config folder of its own, so
// the whole of `cluster up` (storage format, port checks, pid file, readiness wait) runs inside
// the namespace and the node's listeners bind the namespace's address — the one exception to
// "bind 127.0.0.1", for addresses that exist only on the run's bridge. Every node gets the same
// cluster id (`--cluster-id`) and the same port numbers (each namespace is its own port space,
// as separate hosts are). Pids come from the pid files, checked against /proc like
// `raftka cluster status` does (the pid namespace is shared). Called by HarnessCluster.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Endpoint } from '../../../src/common/node-config.js';
import { repoPath } from '../../../src/common/paths.js';
import { processIsAlive } from '../../../src/common/processes.js';
import { clusterDown, loadClusterNodes, resolvePaths, runningPid } from '../../../src/server/cluster-manager.js';
import { randomUuid } from '../../../src/server/storage-format.js';
import { waitFor } from '../../../src/testing/cluster-fixture.js';
import type { NetnsHosts } from '../net/netns-hosts.js';
import type { NetnsPorts } from '../net/netns-net.js';
import type { ClusterNodes } from './cluster-nodes.js';

const execFileAsync = promisify(execFile);
/** `cluster up` of one node waits for its readiness (a quorum leader, registered and unfenced). */
const upTimeoutMs = 120_000;

interface NetnsNode {
  readonly id: number;
  readonly configDir: string;
  readonly dataDir: string;
}

export class NetnsNodes implements ClusterNodes {
  private readonly clusterId = randomUuid();

  private constructor(
    readonly root: string,
    private readonly hosts: NetnsHosts,
    private readonly ports: NetnsPorts,
    private readonly nodes: readonly NetnsNode[],
  ) {}

  /**
   * Writes one config folder per node: the listeners on the namespace's address (PLAINTEXT for
   * clients, HARNESS for the harness's observer, CONTROLLER), the voters at their namespaces'
   * addresses, then `props(id)` (the folder's settings and the run's overrides).
   */
  static create(
    hosts: NetnsHosts,
    ports: NetnsPorts,
    props: (id: number) => Readonly<Record<string, string>>,
  ): NetnsNodes {
    const root = mkdtempSync(join(tmpdir(), 'raftka-jepsen-netns-'));
    const voters = hosts.hosts.map((h) => `${h.id}@${h.address}:${ports.controller}`).join(',');
    const nodes = hosts.hosts.map((h) => {
      const node = { id: h.id, configDir: join(root, `node-${h.id}`, 'config'), dataDir: join(root, `node-${h.id}`) };
      mkdirSync(node.configDir, { recursive: true });
      const a = h.address;
      const config: Record<string, string> = {
        ...props(h.id),
        'node.id': String(h.id),
        'process.roles': 'broker,controller',
        'controller.quorum.voters': voters,
        listeners: `PLAINTEXT://${a}:${ports.kafka},HARNESS://${a}:${ports.harnessKafka},CONTROLLER://${a}:${ports.controller}`,
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,HARNESS:PLAINTEXT,CONTROLLER:PLAINTEXT',
        'controller.listener.names': 'CONTROLLER',
        'admin.listener': `${a}:${ports.admin}`,
        'replica.listener': `${a}:${ports.replica}`,
      };
      writeFileSync(
        join(node.configDir, `node-${h.id}.properties`),
        `${Object.entries(config)
          .map(([k, v]) => `${k}=${v}`)
          .join('\n')}\n`,
      );
      return node;
    });
    return new NetnsNodes(root, hosts, ports, nodes);
  }

  /** Clients' bootstrap list: every node's PLAINTEXT listener at its namespace address. */
  get bootstrapServers(): string {
    return this.hosts.hosts.map((h) => `${h.address}:${this.ports.kafka}`).join(',');
  }

  private endpoint(id: number, port: number): Endpoint {
    return { host: this.hosts.host(id).address, port };
  }

  observerKafka(id: number): Endpoint {
    return this.endpoint(id, this.ports.harnessKafka);
  }

  controller(id: number): Endpoint {
    return this.endpoint(id, this.ports.controller);
  }

  admin(id: number): Endpoint {
    return this.endpoint(id, this.ports.admin);
  }

  logFiles(): string[] {
    return this.nodes.map((n) => join(n.dataDir, `node-${n.id}.log`));
  }

  private pidOf(n: NetnsNode): number | null {
    const node = loadClusterNodes(resolvePaths(n.configDir, n.dataDir))[0];
    return node ? runningPid(node) : null;
  }

  nodeFiles(id: number): { readonly envFile: string; readonly logDir: string } {
    const n = this.nodes.find((x) => x.id === id)!;
    return { envFile: join(n.configDir, `node-${id}.env`), logDir: join(n.dataDir, `node-${id}`, 'logs') };
  }

  async up(): Promise<void> {
    const cli = repoPath('bin', 'raftka.js');
    await Promise.all(
      this.nodes
        .filter((n) => this.pidOf(n) === null)
        .map((n) =>
          execFileAsync(
            'ip',
            this.hosts.execArgs(n.id, [
              process.execPath,
              cli,
              'cluster',
              'up',
              '--config-dir',
              n.configDir,
              '--data-dir',
              n.dataDir,
              '--cluster-id',
              this.clusterId,
              '--detach',
            ]),
            { timeout: upTimeoutMs },
          ),
        ),
    );
  }

  async pids(): Promise<Map<number, number>> {
    const pids = new Map<number, number>();
    for (const n of this.nodes) {
      const pid = this.pidOf(n);
      if (pid !== null) pids.set(n.id, pid);
    }
    return pids;
  }

  /** The running nodes' pids, synchronously (the Ctrl-C path). */
  pidsNow(): number[] {
    return this.nodes.map((n) => this.pidOf(n)).filter((p): p is number => p !== null);
  }

  async kill9(_id: number, pid: number): Promise<void> {
    process.kill(pid, 'SIGKILL');
    await waitFor(`pid ${pid} to exit`, async () => (processIsAlive(pid) ? undefined : true), 5_000, 5);
  }

  async destroy(): Promise<void> {
    await Promise.all(this.nodes.map((n) => clusterDown({ configDir: n.configDir, dataDir: n.dataDir })));
    if (process.env['RAFTKA_KEEP_TEST_DATA']) console.error(`kept test data in ${this.root}`);
    else rmSync(this.root, { recursive: true, force: true });
  }
}
