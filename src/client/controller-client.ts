// A client of the controllers' RPCs (proto/controller.proto) for brokers and CLI tools: one typed
// method per RPC. It starts from bootstrap controllers and follows NOT_CONTROLLER answers (which
// name the active controller) until the active one answers, retrying for a bounded time while
// there is none.
import { ErrorCode } from '../common/errors.js';
import type { Endpoint } from '../common/node-config.js';
import {
  ControllerChannel,
  type ControllerAnswer,
  type ControllerMethod,
  type ControllerRequest,
  type ControllerResponse,
} from '../rpc/controller-rpc.js';
import { plaintextRpc, refusalDetail, type RpcClientSecurity } from '../rpc/rpc-security.js';

export type { ControllerMethod, ControllerRequest, ControllerResponse };

export class ControllerUnavailableError extends Error {
  override readonly name = 'ControllerUnavailableError';
}

/** One failed try of a call, before the next one. */
export interface ControllerRetry {
  /** host:port that was asked. */
  readonly target: string;
  readonly reason: string;
  /**
   * True for a NOT_CONTROLLER answer of a standby (nothing ran there); false for an error or a
   * controller that lost its leadership during the call (the call may have been running).
   */
  readonly notController: boolean;
  /** How long that try took, in milliseconds. */
  readonly elapsedMs: number;
}

interface ControllerCallOptions {
  /** Give up after this long (default 15 s). */
  readonly timeoutMs?: number;
  /** Let a standby answer (reads of the committed image). */
  readonly anyController?: boolean;
  /** Told of every failed try before the next one (migrate apply reports them). */
  readonly onRetry?: (retry: ControllerRetry) => void;
  /**
   * A controller that refused this client (UNAUTHENTICATED: plaintext, no or a foreign certificate
   * on a mutual-TLS listener; a failed TLS handshake) ends the call at once instead of being retried
   * until the deadline: for tools, whose certificate will not change while they wait.
   */
  readonly stopWhenRefused?: boolean;
}

const callDeadlineMs = 15_000;
const retryBackoffMs = 50;

export class ControllerClient {
  private readonly channels = new Map<string, ControllerChannel>();
  private preferred: Endpoint | null = null;
  private next = 0;
  /** host:port of the controller that gave the last answer; null before any. */
  answeredBy: string | null = null;

  /** `security`: how to reach the controller listener (plaintext, or mutual TLS when it is SSL). */
  constructor(
    private readonly bootstrap: readonly Endpoint[],
    private readonly security: RpcClientSecurity = plaintextRpc,
  ) {
    if (bootstrap.length === 0) throw new Error('no controller to talk to');
  }

  registerBroker(
    request: ControllerRequest<'RegisterBroker'>,
    opts?: ControllerCallOptions,
  ): Promise<ControllerResponse<'RegisterBroker'>> {
    return this.call('RegisterBroker', request, opts);
  }

  registerController(
    request: ControllerRequest<'RegisterController'>,
    opts?: ControllerCallOptions,
  ): Promise<ControllerResponse<'RegisterController'>> {
    return this.call('RegisterController', request, opts);
  }

  brokerHeartbeat(
    request: ControllerRequest<'BrokerHeartbeat'>,
    opts?: ControllerCallOptions,
  ): Promise<ControllerResponse<'BrokerHeartbeat'>> {
    return this.call('BrokerHeartbeat', request, opts);
  }

  createTopics(
    request: ControllerRequest<'CreateTopics'>,
    opts?: ControllerCallOptions,
  ): Promise<ControllerResponse<'CreateTopics'>> {
    return this.call('CreateTopics', request, opts);
  }

  deleteTopics(
    request: ControllerRequest<'DeleteTopics'>,
    opts?: ControllerCallOptions,
  ): Promise<ControllerResponse<'DeleteTopics'>> {
    return this.call('DeleteTopics', request, opts);
  }

  createPartitions(
    request: ControllerRequest<'CreatePartitions'>,
    opts?: ControllerCallOptions,
  ): Promise<ControllerResponse<'CreatePartitions'>> {
    return this.call('CreatePartitions', request, opts);
  }

  describeTopics(
    request: ControllerRequest<'DescribeTopics'>,
    opts?: ControllerCallOptions,
  ): Promise<ControllerResponse<'DescribeTopics'>> {
    return this.call('DescribeTopics', request, opts);
  }

  alterPartition(
    request: ControllerRequest<'AlterPartition'>,
    opts?: ControllerCallOptions,
  ): Promise<ControllerResponse<'AlterPartition'>> {
    return this.call('AlterPartition', request, opts);
  }

  incrementalAlterConfigs(
    request: ControllerRequest<'IncrementalAlterConfigs'>,
    opts?: ControllerCallOptions,
  ): Promise<ControllerResponse<'IncrementalAlterConfigs'>> {
    return this.call('IncrementalAlterConfigs', request, opts);
  }

  describeConfigs(
    request: ControllerRequest<'DescribeConfigs'>,
    opts?: ControllerCallOptions,
  ): Promise<ControllerResponse<'DescribeConfigs'>> {
    return this.call('DescribeConfigs', request, opts);
  }

  allocateProducerIds(
    request: ControllerRequest<'AllocateProducerIds'>,
    opts?: ControllerCallOptions,
  ): Promise<ControllerResponse<'AllocateProducerIds'>> {
    return this.call('AllocateProducerIds', request, opts);
  }

  createAcls(
    request: ControllerRequest<'CreateAcls'>,
    opts?: ControllerCallOptions,
  ): Promise<ControllerResponse<'CreateAcls'>> {
    return this.call('CreateAcls', request, opts);
  }

  deleteAcls(
    request: ControllerRequest<'DeleteAcls'>,
    opts?: ControllerCallOptions,
  ): Promise<ControllerResponse<'DeleteAcls'>> {
    return this.call('DeleteAcls', request, opts);
  }

  describeAcls(
    request: ControllerRequest<'DescribeAcls'>,
    opts?: ControllerCallOptions,
  ): Promise<ControllerResponse<'DescribeAcls'>> {
    return this.call('DescribeAcls', request, opts);
  }

  alterUserScramCredentials(
    request: ControllerRequest<'AlterUserScramCredentials'>,
    opts?: ControllerCallOptions,
  ): Promise<ControllerResponse<'AlterUserScramCredentials'>> {
    return this.call('AlterUserScramCredentials', request, opts);
  }

  describeUserScramCredentials(
    request: ControllerRequest<'DescribeUserScramCredentials'>,
    opts?: ControllerCallOptions,
  ): Promise<ControllerResponse<'DescribeUserScramCredentials'>> {
    return this.call('DescribeUserScramCredentials', request, opts);
  }

  alterClientQuotas(
    request: ControllerRequest<'AlterClientQuotas'>,
    opts?: ControllerCallOptions,
  ): Promise<ControllerResponse<'AlterClientQuotas'>> {
    return this.call('AlterClientQuotas', request, opts);
  }

  describeClientQuotas(
    request: ControllerRequest<'DescribeClientQuotas'>,
    opts?: ControllerCallOptions,
  ): Promise<ControllerResponse<'DescribeClientQuotas'>> {
    return this.call('DescribeClientQuotas', request, opts);
  }

  electLeaders(
    request: ControllerRequest<'ElectLeaders'>,
    opts?: ControllerCallOptions,
  ): Promise<ControllerResponse<'ElectLeaders'>> {
    return this.call('ElectLeaders', request, opts);
  }

  updateFeatures(
    request: ControllerRequest<'UpdateFeatures'>,
    opts?: ControllerCallOptions,
  ): Promise<ControllerResponse<'UpdateFeatures'>> {
    return this.call('UpdateFeatures', request, opts);
  }

  describeFeatures(
    request: ControllerRequest<'DescribeFeatures'>,
    opts?: ControllerCallOptions,
  ): Promise<ControllerResponse<'DescribeFeatures'>> {
    return this.call('DescribeFeatures', request, opts);
  }

  alterPartitionReassignments(
    request: ControllerRequest<'AlterPartitionReassignments'>,
    opts?: ControllerCallOptions,
  ): Promise<ControllerResponse<'AlterPartitionReassignments'>> {
    return this.call('AlterPartitionReassignments', request, opts);
  }

  listPartitionReassignments(
    request: ControllerRequest<'ListPartitionReassignments'>,
    opts?: ControllerCallOptions,
  ): Promise<ControllerResponse<'ListPartitionReassignments'>> {
    return this.call('ListPartitionReassignments', request, opts);
  }

  importMigration(
    request: ControllerRequest<'ImportMigration'>,
    opts?: ControllerCallOptions,
  ): Promise<ControllerResponse<'ImportMigration'>> {
    return this.call('ImportMigration', request, opts);
  }

  describeMetadataImage(
    request: ControllerRequest<'DescribeMetadataImage'>,
    opts?: ControllerCallOptions,
  ): Promise<ControllerResponse<'DescribeMetadataImage'>> {
    return this.call('DescribeMetadataImage', request, opts);
  }

  /**
   * Call `method` on the active controller. `anyController` lets a standby answer (reads of the
   * committed image). Gives up after timeoutMs.
   */
  async call<M extends ControllerMethod>(
    method: M,
    request: ControllerRequest<M>,
    opts: ControllerCallOptions = {},
  ): Promise<ControllerResponse<M>> {
    const deadline = Date.now() + (opts.timeoutMs ?? callDeadlineMs);
    let lastProblem = 'no controller answered';
    for (;;) {
      const target = this.preferred ?? this.bootstrap[this.next++ % this.bootstrap.length]!;
      const key = `${target.host}:${target.port}`;
      const tried = Date.now();
      let notController = false;
      try {
        const res = await this.channel(target).call(method, request, Math.max(1, deadline - Date.now()));
        const answer: ControllerAnswer = res;
        if (answer.errorCode !== ErrorCode.NOT_CONTROLLER || opts.anyController) {
          this.preferred = target;
          this.answeredBy = key;
          return res;
        }
        const host = answer.controller?.leaderHost ?? '';
        const port = answer.controller?.leaderPort ?? 0;
        this.preferred =
          host !== '' && port > 0 && (host !== target.host || port !== target.port) ? { host, port } : null;
        // A controller that ran the call and lost its leadership meanwhile is a failure of the call
        // (it may have written part of it), not the search for the active controller.
        const lost = answer.controller?.lostLeadership === true;
        lastProblem = lost ? `${key} lost its leadership during the call` : `${key} is not the active controller`;
        notController = !lost;
      } catch (err) {
        this.preferred = null;
        lastProblem = `${key}: ${err instanceof Error ? err.message : String(err)}`;
        if (opts.stopWhenRefused && refusalDetail(err) !== null)
          throw new ControllerUnavailableError(`${method} refused: ${lastProblem}`);
      }
      opts.onRetry?.({ target: key, reason: lastProblem, notController, elapsedMs: Date.now() - tried });
      if (Date.now() >= deadline)
        throw new ControllerUnavailableError(`no active controller answered ${method}: ${lastProblem}`);
      if (this.preferred === null) await new Promise((r) => setTimeout(r, retryBackoffMs));
    }
  }

  close(): void {
    for (const c of this.channels.values()) c.close();
    this.channels.clear();
  }

  private channel(target: Endpoint): ControllerChannel {
    const key = `${target.host}:${target.port}`;
    let c = this.channels.get(key);
    if (!c) {
      c = new ControllerChannel(key, this.security);
      this.channels.set(key, c);
    }
    return c;
  }
}
