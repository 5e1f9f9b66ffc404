// The node processes of a HarnessCluster, whichever way they run: FixtureNodes (`--net proxy`:
// the integration tests' ClusterFixture on 127.0.0.1, started with `raftka cluster up`) or
// NetnsNodes (`--net netns`: one namespace per node, netns-nodes.ts). HarnessCluster reaches the
// nodes only through this interface: where the harness itself talks to each node, start the
// nodes that are not running, their pids, kill -9, stop everything.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Endpoint } from '../../../src/common/node-config.js';
import type { ClusterFixture } from '../../../src/testing/cluster-fixture.js';

export interface ClusterNodes {
  /** The run's configs and data (removed by destroy()). */
  readonly root: string;
  /** The Kafka listener the harness's observer uses (never cut by client isolation). */
  observerKafka(id: number): Endpoint;
  /** The controller listener (the metadata workload's linearizable reads go there directly). */
  controller(id: number): Endpoint;
  /** Admin HTTP (/status, /metrics). */
  admin(id: number): Endpoint;
  /** Each node's log file (stdout and stderr, pino JSON). */
  logFiles(): string[];
  /**
   * Node `id`'s `<name>.env` beside its properties (extra environment `cluster up` gives that
   * node) and its log dir (log.dirs and metadata.log.dir): the clock and disk faults' setup.
   */
  nodeFiles(id: number): { readonly envFile: string; readonly logDir: string };
  /** Starts every node that is not running and waits until they are ready. */
  up(): Promise<void>;
  /** The pids of the running nodes, by node id. */
  pids(): Promise<Map<number, number>>;
  /** SIGKILLs node `id` (pid `pid`); resolves once the process is gone. */
  kill9(id: number, pid: number): Promise<void>;
  /** Stops every node (SIGTERM, then SIGKILL) and removes the run's files. */
  destroy(): Promise<void>;
}

/** `--net proxy`: the ClusterFixture's combined nodes on 127.0.0.1. */
export class FixtureNodes implements ClusterNodes {
  constructor(readonly fixture: ClusterFixture) {}

  get root(): string {
    return this.fixture.root;
  }

  observerKafka(id: number): Endpoint {
    return { host: '127.0.0.1', port: this.fixture.brokerPorts[id - 1]! };
  }

  controller(id: number): Endpoint {
    return { host: '127.0.0.1', port: this.fixture.controllerPorts[id - 1]! };
  }

  admin(id: number): Endpoint {
    return { host: '127.0.0.1', port: this.fixture.adminPorts[id - 1]! };
  }

  logFiles(): string[] {
    return readdirSync(this.fixture.dataDir)
      .filter((f) => f.endsWith('.log'))
      .map((f) => join(this.fixture.dataDir, f));
  }

  nodeFiles(id: number): { readonly envFile: string; readonly logDir: string } {
    return {
      envFile: join(this.fixture.configDir, `node-${id - 1}.env`),
      logDir: join(this.fixture.dataDir, `node-${id - 1}`, 'logs'),
    };
  }

  async up(): Promise<void> {
    await this.fixture.up();
  }

  async pids(): Promise<Map<number, number>> {
    const pids = new Map<number, number>();
    for (const s of await this.fixture.status()) if (s.pid !== null) pids.set(s.nodeId, s.pid);
    return pids;
  }

  async kill9(id: number, pid: number): Promise<void> {
    await this.fixture.kill9(id, pid);
  }

  destroy(): Promise<void> {
    return this.fixture.destroy();
  }
}
