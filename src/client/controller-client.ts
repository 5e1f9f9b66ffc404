// A client of the controllers' RPCs (proto/controller.proto) for brokers and CLI tools. It starts
// from bootstrap controllers and follows NOT_CONTROLLER answers (which name the active
// controller) until the active one answers, retrying for a bounded time while there is none.
import * as grpc from '@grpc/grpc-js';
import { ErrorCode } from '../common/errors.js';
import type { Endpoint } from '../common/node-config.js';
import { callUnary, channelOptions, serviceFromProto } from '../raft/driver/grpc-transport.js';
import type { WireMessage } from '../raft/driver/raft-wire.js';
import { connectTarget } from '../common/connect-address.js';

export type ControllerMethod =
  | 'RegisterBroker'
  | 'BrokerHeartbeat'
  | 'CreateTopics'
  | 'DeleteTopics'
  | 'CreatePartitions'
  | 'DescribeTopics'
  | 'AlterPartition'
  | 'IncrementalAlterConfigs'
  | 'DescribeConfigs'
  | 'AllocateProducerIds'
  | 'CreateAcls'
  | 'DeleteAcls'
  | 'DescribeAcls'
  | 'AlterUserScramCredentials'
  | 'DescribeUserScramCredentials'
  | 'AlterClientQuotas'
  | 'DescribeClientQuotas'
  | 'UpdateFeatures'
  | 'DescribeFeatures'
  | 'AlterPartitionReassignments'
  | 'ListPartitionReassignments'
  | 'ImportMigration'
  | 'DescribeMetadataImage';

export class ControllerUnavailableError extends Error {
  override readonly name = 'ControllerUnavailableError';
}

const callDeadlineMs = 15_000;
const retryBackoffMs = 50;

export function controllerService(): ReturnType<typeof serviceFromProto> {
  return serviceFromProto('controller.proto', 'raftka.controller.Controller');
}

export class ControllerClient {
  private readonly clients = new Map<string, grpc.Client>();
  private preferred: Endpoint | null = null;
  private next = 0;

  constructor(private readonly bootstrap: readonly Endpoint[]) {
    if (bootstrap.length === 0) throw new Error('no controller to talk to');
  }

  /**
   * Call `method` on the active controller. `anyController` lets a standby answer (reads of the
   * committed image). Gives up after timeoutMs.
   */
  async call(method: ControllerMethod, request: WireMessage, opts: { timeoutMs?: number; anyController?: boolean } = {}): Promise<WireMessage> {
    const deadline = Date.now() + (opts.timeoutMs ?? callDeadlineMs);
    let lastProblem = 'no controller answered';
    for (;;) {
      const target = this.preferred ?? this.bootstrap[this.next++ % this.bootstrap.length]!;
      try {
        const res = await callUnary(this.client(target), method, request, Math.max(1, deadline - Date.now()));
        if (Number(res['errorCode']) !== ErrorCode.NOT_CONTROLLER || opts.anyController) {
          this.preferred = target;
          return res;
        }
        const hint = res['controller'] as WireMessage | null | undefined;
        const host = String(hint?.['leaderHost'] ?? '');
        const port = Number(hint?.['leaderPort'] ?? 0);
        this.preferred = host !== '' && port > 0 && (host !== target.host || port !== target.port) ? { host, port } : null;
        lastProblem = `${target.host}:${target.port} is not the active controller`;
      } catch (err) {
        this.preferred = null;
        lastProblem = `${target.host}:${target.port}: ${err instanceof Error ? err.message : String(err)}`;
      }
      if (Date.now() >= deadline) throw new ControllerUnavailableError(`no active controller answered ${method}: ${lastProblem}`);
      if (this.preferred === null) await new Promise((r) => setTimeout(r, retryBackoffMs));
    }
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }

  private client(target: Endpoint): grpc.Client {
    const key = `${target.host}:${target.port}`;
    let c = this.clients.get(key);
    if (!c) {
      const { Client } = controllerService();
      c = new Client(connectTarget(key), grpc.credentials.createInsecure(), channelOptions);
      this.clients.set(key, c);
    }
    return c;
  }
}
