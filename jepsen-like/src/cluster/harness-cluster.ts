// Cluster control for the jepsen-like harness: a real cluster of combined nodes (one process
// each, via the `raftka` CLI like the integration tests, a fresh data directory) whose links
// can be faulted, in one of two networks:
// - `proxy` (default): ephemeral 127.0.0.1 ports, every link through a LinkProxy. Node k
//   reaches node j's controller and replication listeners at proxy ports of its own
//   (raftka.connect.address.map), and clients reach node j's Kafka listener through a client
//   proxy (advertised.listeners), so HarnessNet can cut any directed link.
// - `netns`: every node in a network namespace of its own with its own address on a bridge
//   (netns-hosts.ts, netns-nodes.ts); faults are nftables rules and tc netem in the kernel
//   (netns-net.ts). Where namespaces cannot be made (not root, no `ip` or `nft`, the kernel
//   refuses), the proxy mesh is used instead and `netFallback` says why.
// The harness itself observes the nodes directly (admin HTTP, a Kafka listener clients' faults
// do not touch). Process faults: kill -9 and restart, SIGSTOP / SIGCONT. Ctrl-C (SIGINT,
// SIGTERM) while a cluster runs kills its nodes and removes its namespaces before exiting.
// Clock, disk and kill-in-write faults need per-node setup before the first start (libfaketime
// env files, tmpfs log dirs, fault-hook control files): the NodeFaultKit for the run's kinds.
import { findCoordinator } from '../../../src/client/group-client.js';
import { KafkaClient, type PartitionInfo } from '../../../src/client/kafka-client.js';
import type { Endpoint } from '../../../src/common/node-config.js';
import { ClusterFixture, freePorts, type NodeLayout, quorumTimeouts } from '../../../src/testing/cluster-fixture.js';
import { processIsAlive } from '../../../src/common/processes.js';
import { HarnessNet, ProxyBackend } from '../net/harness-net.js';
import { NetnsHosts, NetnsUnavailableError } from '../net/netns-hosts.js';
import { NetnsNet } from '../net/netns-net.js';
import { LinkProxy } from '../net/link-proxy.js';
import { type ClusterNodes, FixtureNodes } from './cluster-nodes.js';
import { type ConfigFolder, harnessProtocolMap, linksAreTls } from './config-folder.js';
import { NetnsNodes } from './netns-nodes.js';
import { NodeFaultKit } from '../nemesis/node-fault-kit.js';

export type NetMode = 'proxy' | 'netns';

interface HarnessClusterOptions {
  /** The folder the nodes are modelled on (their count, ids and settings); without it, `nodes` combined nodes with the fixture's settings. */
  readonly folder?: ConfigFolder;
  readonly nodes?: number;
  /** Properties for every node (e.g. unclean.leader.election.enable), over the folder's. */
  readonly overrides?: Readonly<Record<string, string>>;
  /** The network (default proxy); netns falls back to proxy where namespaces cannot be made. */
  readonly net?: NetMode;
  /** The run's fault kinds: the node faults among them get their per-node setup (NodeFaultKit). */
  readonly faultKinds?: readonly string[];
}

type ListenerKind = 'controller' | 'replica' | 'kafka';

interface LinkPlan {
  readonly from: number | 'client';
  readonly to: number;
  readonly kind: ListenerKind;
  readonly port: number;
}

type NodeState = 'running' | 'paused' | 'killed';

interface Parts {
  readonly nodes: ClusterNodes;
  readonly net: HarnessNet;
  readonly bootstrapServers: string;
  readonly links: readonly LinkProxy[];
  readonly hosts: NetnsHosts | null;
}

export class HarnessCluster {
  readonly net: HarnessNet;
  /** Kafka listeners as clients see them (through the client proxies, or at the namespaces' addresses). */
  readonly bootstrapServers: string;
  /** Why `--net netns` fell back to the proxy mesh (null: it did not). */
  netFallback: string | null = null;
  private readonly nodes: ClusterNodes;
  private readonly links: readonly LinkProxy[];
  /** The namespaces of a netns run. */
  readonly hosts: NetnsHosts | null;
  private readonly states = new Map<number, NodeState>();
  private readonly pids = new Map<number, number>();
  private observer: KafkaClient | null = null;
  private nudges = 0;
  private readonly onSignal = (signal: NodeJS.Signals): void => this.stopNow(signal);

  private constructor(
    readonly nodeIds: readonly number[],
    parts: Parts,
    /** Per-node setup for clock, disk and kill-in-write faults. */
    readonly faultKit: NodeFaultKit,
  ) {
    this.nodes = parts.nodes;
    this.net = parts.net;
    this.bootstrapServers = parts.bootstrapServers;
    this.links = parts.links;
    this.hosts = parts.hosts;
    for (const id of nodeIds) this.states.set(id, 'running');
    process.once('SIGINT', this.onSignal);
    process.once('SIGTERM', this.onSignal);
  }

  static async start(options: HarnessClusterOptions): Promise<HarnessCluster> {
    const n = options.folder?.settings.length ?? options.nodes ?? 3;
    const ids = Array.from({ length: n }, (_, k) => k + 1);
    const kit = NodeFaultKit.create(options.faultKinds ?? []);
    const withKit = { ...options, kitOverrides: (id: number) => kit.overrides(id) };
    let fallback: string | null = null;
    let parts: Parts;
    if (options.net === 'netns') {
      try {
        parts = await netnsParts(ids, withKit);
      } catch (err) {
        if (!(err instanceof NetnsUnavailableError)) throw err;
        fallback = err.message;
        parts = await proxyParts(ids, withKit);
      }
    } else parts = await proxyParts(ids, withKit);
    const cluster = new HarnessCluster(ids, parts, kit);
    cluster.netFallback = fallback;
    try {
      kit.prepare(ids.map((id) => ({ id, ...parts.nodes.nodeFiles(id) })));
      await parts.nodes.up();
      await cluster.refreshPids();
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  /** "proxy", or "netns: bridge rjbr5, nodes at 10.77.5.1-3, ..." for the results. */
  describeNet(): string {
    if (!this.hosts)
      return this.netFallback ? `proxy (--net netns unavailable: ${this.netFallback})` : 'proxy (TCP proxy per link)';
    const h = this.hosts;
    return `netns: bridge ${h.bridge} (${h.rootAddress}/24), nodes at ${h.hosts.map((x) => x.address).join(', ')}, nftables${h.netem ? ' and tc netem' : ' (no netem in this kernel: no delay/jitter/reorder)'}`;
  }

  /** The controller listeners the harness reaches directly (the metadata workload). */
  get controllerEndpoints(): Endpoint[] {
    return this.nodeIds.map((id) => this.nodes.controller(id));
  }

  /** Every node's log file. */
  logFiles(): string[] {
    return this.nodes.logFiles();
  }

  state(id: number): NodeState {
    return this.states.get(id)!;
  }

  /** The active controller as the running nodes see it (null: none, or they disagree). */
  async activeController(): Promise<number | null> {
    const seen = new Set<number>();
    for (const id of this.nodeIds) {
      if (this.states.get(id) !== 'running') continue;
      const s = await nodeStatus(this.nodes.admin(id)).catch(() => null);
      const leader = s ? Number(s['leaderId']) : NaN;
      if (Number.isInteger(leader) && leader > 0) seen.add(leader);
    }
    return seen.size === 1 ? [...seen][0]! : null;
  }

  /**
   * How far node `id`'s wall clock is from the harness's, in whole seconds, read from the Date
   * header of its admin HTTP answer (node's http server stamps it from the node's own clock, so a
   * libfaketime offset shows there); null when the node does not answer.
   */
  async wallClockOffsetS(id: number): Promise<number | null> {
    const admin = this.nodes.admin(id);
    const before = Date.now();
    const res = await fetch(`http://${admin.host}:${admin.port}/status`).catch(() => null);
    if (!res) return null;
    await res.arrayBuffer().catch(() => undefined);
    const stamped = Date.parse(res.headers.get('date') ?? '');
    return Number.isFinite(stamped) ? Math.round((stamped - before) / 1000) : null;
  }

  /** A new client on the running nodes' observer listeners (never through the proxies or client faults). */
  private freshObserver(): KafkaClient {
    const live = this.nodeIds.filter((id) => this.states.get(id) === 'running');
    this.observer?.close();
    this.observer = new KafkaClient(
      live.map((id) => this.nodes.observerKafka(id)),
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

  /** Writes a few metadata records (a one-partition scratch topic), so a metadata snapshot comes due. */
  async nudgeMetadata(): Promise<void> {
    await this.freshObserver().createTopic(`jepsen-nudge-${++this.nudges}`, 1, 1);
  }

  async kill(id: number): Promise<void> {
    if (this.states.get(id) === 'killed') return;
    if (this.states.get(id) === 'paused') process.kill(this.pids.get(id)!, 'SIGCONT');
    await this.nodes.kill9(id, this.pids.get(id)!);
    this.states.set(id, 'killed');
  }

  /** Starts every killed node again (`cluster up` starts only nodes that are not running). */
  async restartKilled(): Promise<void> {
    if (![...this.states.values()].includes('killed')) return;
    await this.nodes.up();
    await this.refreshPids();
    for (const [id, s] of this.states) if (s === 'killed') this.states.set(id, 'running');
  }

  /**
   * Starts again the nodes that stopped by themselves (a node whose metadata log dir filled up
   * halts); returns their ids.
   */
  async restartExited(): Promise<number[]> {
    const exited = this.nodeIds.filter(
      (id) => this.states.get(id) === 'running' && !processIsAlive(this.pids.get(id)!),
    );
    if (exited.length === 0) return [];
    await this.nodes.up();
    await this.refreshPids();
    return exited;
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
    await this.net.settled();
    await this.restartKilled();
  }

  /** Stops exactly the processes this cluster started, closes the proxies, removes the namespaces. */
  async stop(): Promise<void> {
    process.removeListener('SIGINT', this.onSignal);
    process.removeListener('SIGTERM', this.onSignal);
    this.observer?.close();
    for (const id of this.nodeIds) {
      const pid = this.pids.get(id);
      if (pid !== undefined && this.states.get(id) === 'paused' && processIsAlive(pid)) process.kill(pid, 'SIGCONT');
    }
    try {
      this.net.heal();
      await this.net.settled().catch(() => undefined);
      // tmpfs log dirs go first (lazily: the nodes still hold them), so removing the run's files
      // meets no mount point.
      this.faultKit.release();
      await this.nodes.destroy();
      await Promise.all(this.links.map((l) => l.close()));
    } finally {
      this.hosts?.destroy();
    }
  }

  /** Ctrl-C: SIGKILL every node this cluster started, remove the namespaces, exit. */
  private stopNow(signal: NodeJS.Signals): void {
    for (const pid of this.pids.values()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    this.hosts?.destroy();
    process.stderr.write(`${signal}: killed the cluster's nodes${this.hosts ? ' and removed its namespaces' : ''}\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  }

  private async refreshPids(): Promise<void> {
    for (const [id, pid] of await this.nodes.pids()) this.pids.set(id, pid);
  }
}

async function nodeStatus(admin: Endpoint): Promise<Record<string, unknown>> {
  const res = await fetch(`http://${admin.host}:${admin.port}/status`);
  return (await res.json()) as Record<string, unknown>;
}

/** The proxy mesh: the fixture's nodes on 127.0.0.1, every link a LinkProxy. */
/** The options plus the fault kit's properties per node. */
type PartsOptions = HarnessClusterOptions & { readonly kitOverrides: (id: number) => Record<string, string> };

async function proxyParts(ids: readonly number[], options: PartsOptions): Promise<Parts> {
  const n = ids.length;
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
        ...options.kitOverrides(id),
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
  await Promise.all(links.map((link, i) => link.start(plan[i]!.port)));
  return {
    nodes: new FixtureNodes(fixture),
    net: new HarnessNet(new ProxyBackend(links)),
    bootstrapServers: plan
      .filter((p) => p.from === 'client')
      .map((p) => `127.0.0.1:${p.port}`)
      .join(','),
    links,
    hosts: null,
  };
}

/** One namespace per node on a bridge of the run's own; throws NetnsUnavailableError where that cannot be made. */
async function netnsParts(ids: readonly number[], options: PartsOptions): Promise<Parts> {
  if (options.folder && linksAreTls(options.folder.links))
    throw new Error(
      '--net netns does not run folders with mutual-TLS links yet (their certificates name 127.0.0.1, not the namespaces addresses); use --net proxy',
    );
  const hosts = NetnsHosts.create(ids);
  try {
    // The same five port numbers in every namespace, free on 127.0.0.1 of the root namespace too,
    // so a test can tell that 127.0.0.1 does not reach the nodes.
    const [kafka, harnessKafka, controller, replica, admin] = await freePorts(5);
    const ports = {
      kafka: kafka!,
      harnessKafka: harnessKafka!,
      controller: controller!,
      replica: replica!,
      admin: admin!,
    };
    const nodes = NetnsNodes.create(hosts, ports, (id) => ({
      ...quorumTimeouts,
      ...options.folder?.settings[id - 1],
      ...options.overrides,
      ...options.kitOverrides(id),
    }));
    return {
      nodes,
      net: new HarnessNet(new NetnsNet(hosts, ports)),
      bootstrapServers: nodes.bootstrapServers,
      links: [],
      hosts,
    };
  } catch (err) {
    hosts.destroy();
    throw err;
  }
}
