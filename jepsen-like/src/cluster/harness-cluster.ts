// Cluster control for the jepsen-like harness: a real cluster of combined nodes (one process
// each, via the `raftka` CLI like the integration tests, ephemeral 127.0.0.1 ports, a fresh data
// directory) whose every link runs through a LinkProxy. Node k reaches node j's controller and
// replication listeners at proxy ports of its own (raftka.connect.address.map), and clients reach
// node j's Kafka listener through a client proxy (advertised.listeners), so HarnessNet can cut
// any directed link. The harness itself observes the nodes directly (admin HTTP, real Kafka
// ports), never through the proxies. Process faults: kill -9 and restart, SIGSTOP / SIGCONT.
import { findCoordinator } from '../../../src/client/group-client.js';
import { KafkaClient, type PartitionInfo } from '../../../src/client/kafka-client.js';
import { ClusterFixture, freePorts, type NodeLayout } from '../../../src/testing/cluster-fixture.js';
import { processIsAlive } from '../../../src/common/processes.js';
import { HarnessNet } from '../net/harness-net.js';
import { type ConfigFolder, harnessProtocolMap } from './config-folder.js';
import { LinkProxy } from '../net/link-proxy.js';

interface HarnessClusterOptions {
  /** The folder the nodes are modelled on (their count, ids and settings); without it, `nodes` combined nodes with the fixture's settings. */
  readonly folder?: ConfigFolder;
  readonly nodes?: number;
  /** Properties for every node (e.g. unclean.leader.election.enable), over the folder's. */
  readonly overrides?: Readonly<Record<string, string>>;
}

type ListenerKind = 'controller' | 'replica' | 'kafka';

interface LinkPlan {
  readonly from: number | 'client';
  readonly to: number;
  readonly kind: ListenerKind;
  readonly port: number;
}

type NodeState = 'running' | 'paused' | 'killed';

export class HarnessCluster {
  readonly net: HarnessNet;
  private readonly states = new Map<number, NodeState>();
  private readonly pids = new Map<number, number>();
  private observer: KafkaClient | null = null;

  private constructor(
    readonly fixture: ClusterFixture,
    readonly nodeIds: readonly number[],
    private readonly links: readonly LinkProxy[],
    /** Kafka listeners as clients see them: through the client proxies. */
    readonly bootstrapServers: string,
  ) {
    this.net = new HarnessNet(links);
    for (const id of nodeIds) this.states.set(id, 'running');
  }

  static async start(options: HarnessClusterOptions): Promise<HarnessCluster> {
    const n = options.folder?.settings.length ?? options.nodes ?? 3;
    const ids = Array.from({ length: n }, (_, k) => k + 1);
    const plan: LinkPlan[] = [];
    const ports = await freePorts(2 * n * (n - 1) + n);
    let next = 0;
    for (const from of ids) {
      for (const to of ids) {
        if (from === to) continue;
        plan.push({ from, to, kind: 'controller', port: ports[next++]! });
        plan.push({ from, to, kind: 'replica', port: ports[next++]! });
      }
    }
    for (const to of ids) plan.push({ from: 'client', to, kind: 'kafka', port: ports[next++]! });
    let layout: NodeLayout | null = null;
    const target = (l: NodeLayout, p: LinkPlan): number =>
      (p.kind === 'controller' ? l.controller : p.kind === 'replica' ? l.replica : l.kafka)[p.to - 1]!;
    const fixture = await ClusterFixture.combined({
      nodes: n,
      perNode: (k, l) => {
        layout = l;
        const id = k + 1;
        const map = plan.filter((p) => p.from === id).map((p) => `127.0.0.1:${target(l, p)}=127.0.0.1:${p.port}`);
        const clientPort = plan.find((p) => p.from === 'client' && p.to === id)!.port;
        return {
          ...options.folder?.settings[k],
          ...options.overrides,
          'raftka.connect.address.map': map.join(','),
          'advertised.listeners': `PLAINTEXT://127.0.0.1:${clientPort}`,
          // The folder's link security (mutual TLS through the proxies, which forward bytes).
          ...(options.folder ? { 'listener.security.protocol.map': harnessProtocolMap(options.folder.links) } : {}),
        };
      },
    });
    const l = layout as NodeLayout | null;
    if (!l) throw new Error('the fixture wrote no node configs');
    const links = plan.map((p) => new LinkProxy(p.from, p.to, { host: '127.0.0.1', port: target(l, p) }, p.kind));
    const cluster = new HarnessCluster(
      fixture,
      ids,
      links,
      plan
        .filter((p) => p.from === 'client')
        .map((p) => `127.0.0.1:${p.port}`)
        .join(','),
    );
    try {
      await Promise.all(links.map((link, i) => link.start(plan[i]!.port)));
      await fixture.up();
      await cluster.refreshPids();
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  /** Where each node writes its log. */
  get dataDir(): string {
    return this.fixture.dataDir;
  }

  state(id: number): NodeState {
    return this.states.get(id)!;
  }

  /** The active controller as the running nodes see it (null: none, or they disagree). */
  async activeController(): Promise<number | null> {
    const seen = new Set<number>();
    for (const id of this.nodeIds) {
      if (this.states.get(id) !== 'running') continue;
      const s = await this.fixture.nodeStatus(id - 1).catch(() => null);
      const leader = s ? Number(s['leaderId']) : NaN;
      if (Number.isInteger(leader) && leader > 0) seen.add(leader);
    }
    return seen.size === 1 ? [...seen][0]! : null;
  }

  /** A new client on the running nodes' real Kafka ports (never through the proxies). */
  private freshObserver(): KafkaClient {
    const live = this.nodeIds.filter((id) => this.states.get(id) === 'running');
    this.observer?.close();
    this.observer = new KafkaClient(
      live.map((id) => ({ host: '127.0.0.1', port: this.fixture.brokerPorts[id - 1]! })),
      { clientId: 'jepsen-observer', retries: 2, requestTimeoutMs: 3000 },
    );
    return this.observer;
  }

  private async partitionsOf(topic: string): Promise<readonly PartitionInfo[]> {
    const md = await this.freshObserver().metadata([topic]);
    return md.topics.find((x) => x.name === topic)?.partitions ?? [];
  }

  /** partition → leader node (-1 none), from a running node's metadata. */
  async partitionLeaders(topic: string): Promise<Map<number, number>> {
    return new Map((await this.partitionsOf(topic)).map((p) => [p.partition, p.leader]));
  }

  /** In-sync replicas of each partition of `topic`, from a running node's metadata. */
  async isr(topic: string): Promise<Map<number, number[]>> {
    return new Map((await this.partitionsOf(topic)).map((p) => [p.partition, [...p.isr]]));
  }

  /** The node coordinating a consumer group (null when none answers). */
  async groupCoordinator(group: string): Promise<number | null> {
    return findCoordinator(this.freshObserver(), group).then(
      (c) => c.nodeId,
      () => null,
    );
  }

  async kill(id: number): Promise<void> {
    if (this.states.get(id) === 'killed') return;
    if (this.states.get(id) === 'paused') process.kill(this.pids.get(id)!, 'SIGCONT');
    await this.fixture.kill9(id, this.pids.get(id));
    this.states.set(id, 'killed');
  }

  /** Starts every killed node again (`cluster up` starts only nodes that are not running). */
  async restartKilled(): Promise<void> {
    if (![...this.states.values()].includes('killed')) return;
    await this.fixture.up();
    await this.refreshPids();
    for (const [id, s] of this.states) if (s === 'killed') this.states.set(id, 'running');
  }

  pause(id: number): void {
    if (this.states.get(id) !== 'running') return;
    process.kill(this.pids.get(id)!, 'SIGSTOP');
    this.states.set(id, 'paused');
  }

  resume(id: number): void {
    if (this.states.get(id) !== 'paused') return;
    process.kill(this.pids.get(id)!, 'SIGCONT');
    this.states.set(id, 'running');
  }

  /** Resumes paused nodes, restarts killed ones, heals the network. */
  async healAll(): Promise<void> {
    for (const id of this.nodeIds) this.resume(id);
    this.net.heal();
    await this.restartKilled();
  }

  /** Stops exactly the processes this cluster started and closes the proxies. */
  async stop(): Promise<void> {
    this.observer?.close();
    for (const id of this.nodeIds) {
      const pid = this.pids.get(id);
      if (pid !== undefined && this.states.get(id) === 'paused' && processIsAlive(pid)) process.kill(pid, 'SIGCONT');
    }
    this.net.heal();
    await this.fixture.destroy();
    await Promise.all(this.links.map((l) => l.close()));
  }

  private async refreshPids(): Promise<void> {
    for (const s of await this.fixture.status()) if (s.pid !== null) this.pids.set(s.nodeId, s.pid);
  }
}
