// What the web console's pages read: the node's own metadata state and Raft status, its config
// (voters, the report folders), the console's Kafka client of its own cluster, and the lag history.
// Built by web-console.ts; every page module takes it.
import type { Logger } from 'pino';
import type { NodeConfig } from '../common/node-config.js';
import type { MetadataState } from '../metadata/metadata-state.js';
import type { QuorumStatus } from '../raft/core/raft-core.js';
import type { RpcClientSecurity } from '../rpc/rpc-security.js';
import type { ConsoleClient } from './console-client.js';
import type { LagHistory } from './lag-history.js';
import type { SafeHtml } from './html.js';

export interface ConsoleContext {
  readonly config: NodeConfig;
  readonly clusterId: string;
  readonly state: MetadataState;
  readonly quorumStatus: () => QuorumStatus;
  readonly client: ConsoleClient;
  readonly lagHistory: LagHistory;
  readonly logger: Logger;
  /** How DescribeQuorum reaches the controller listener (the node's link security). */
  readonly controllerSecurity: RpcClientSecurity;
}

/** A rendered page: its title (also the active navigation entry) and body. */
export interface Page {
  readonly title: string;
  readonly nav: NavKey;
  readonly body: SafeHtml;
  /** Extra scripts (served from /ui/assets/) this page needs; the read-only content never does. */
  readonly scripts?: readonly string[];
  readonly status?: number;
}

export type NavKey = 'cluster' | 'brokers' | 'topics' | 'messages' | 'groups' | 'migrations' | 'jepsen';
