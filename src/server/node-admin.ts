// The node's admin HTTP wiring: /metrics from the node's registry, /readyz once the quorum has a
// leader and a high watermark, and the status JSON (quorum view, applied-state summary, broker
// lifecycle and log dirs, full or failing), and the web console under /ui/. Who calls: startNode,
// when admin.listener is set.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Endpoint, NodeConfig } from '../common/node-config.js';
import { createWebConsole } from '../console/web-console.js';
import type { BrokerLifecycle } from '../broker/broker-lifecycle.js';
import { imageDigest } from '../metadata/image-records.js';
import type { LogDirStatus } from '../storage/log-dir-health.js';
import type { MetadataState } from '../metadata/metadata-state.js';
import type { QuorumStatus } from '../raft/core/raft-core.js';
import type { RpcClientSecurity } from '../rpc/rpc-security.js';
import { startAdminHttp } from './admin-http.js';

interface NodeAdminContext {
  readonly config: NodeConfig;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly clusterId: string;
  readonly quorumStatus: () => QuorumStatus;
  readonly state: MetadataState;
  /** The broker's lifecycle on a node with the broker role, else null. */
  readonly broker: BrokerLifecycle | null;
  /** The broker's log dirs (full or failing), on a node with the broker role, else null. */
  readonly logDirs: (() => readonly LogDirStatus[]) | null;
  /** How the console reaches the controller listener (DescribeQuorum): plaintext or mutual TLS. */
  readonly controllerSecurity: RpcClientSecurity;
}

export interface NodeAdmin {
  readonly port: number;
  close(): Promise<void>;
}

export async function startNodeAdmin(listener: Endpoint, ctx: NodeAdminContext): Promise<NodeAdmin> {
  const broker = ctx.broker;
  const ui = createWebConsole({
    config: ctx.config,
    clusterId: ctx.clusterId,
    state: ctx.state,
    quorumStatus: ctx.quorumStatus,
    logger: ctx.logger,
    controllerSecurity: ctx.controllerSecurity,
  });
  let started: Awaited<ReturnType<typeof startAdminHttp>>;
  try {
    started = await startAdminHttp(listener, {
      ui: (path, query) => ui.handle(path, query),
      registry: ctx.registry,
      stallEndpoint: ctx.config.testStallEndpoint,
      ready: () => {
        const s = ctx.quorumStatus();
        return s.leaderId !== null && s.highWatermark > 0;
      },
      status: () => ({
        clusterId: ctx.clusterId,
        ...ctx.quorumStatus(),
        applied: appliedSummary(ctx.state),
        broker: broker ? { state: broker.state, epoch: broker.epoch, logDirs: ctx.logDirs?.() ?? [] } : null,
      }),
    });
  } catch (err) {
    ui.close();
    throw err;
  }
  const http = started.server;
  return {
    port: started.port,
    async close(): Promise<void> {
      ui.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function appliedSummary(s: MetadataState): Record<string, unknown> {
  return {
    appliedOffset: s.appliedOffset,
    logDigest: s.logDigest,
    imageDigest: imageDigest(s.image),
    brokers: s.image.brokers.size,
    topics: s.image.topicsById.size,
    dataRecords: s.dataRecords,
    noOps: s.noOps,
    leaderChanges: s.leaderChanges,
    lastLeaderChange: s.lastLeaderChange,
    inTransaction: s.inTransaction,
  };
}
