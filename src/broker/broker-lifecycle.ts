// A broker's life with the controller (KIP-631): register (a new incarnation id each process
// start), then heartbeat every broker.heartbeat.interval.ms with the metadata offset it has
// applied. Like Kafka's broker it asks to stay fenced (wantFence) until two things hold: the
// controller has said it caught up with the metadata log (`onCaughtUp`: only then does the broker
// act on the image — a restarted broker's own log is stale and would make it lead partitions that
// moved on), and the broker says it is ready (`readyToUnfence`: its partition logs are open).
// A lost registration (stale epoch, unknown id after a controller failover) is redone. On
// shutdown it asks for a controlled shutdown and waits (bounded) until the controller has moved
// its leaderships away.
import type { Logger } from 'pino';
import { ErrorCode, errorName } from '../common/errors.js';
import type { NodeConfig } from '../common/node-config.js';
import { randomUuid } from '../common/uuid.js';
import { ControllerClient, type ControllerResponse } from '../client/controller-client.js';
import { uuidToBytes } from '../common/uuid.js';

interface BrokerLifecycleOptions {
  readonly config: NodeConfig;
  readonly clusterId: string;
  readonly logger: Logger;
  /** The highest metadata offset this broker has applied. */
  readonly metadataOffset: () => number;
  /** Called once, the first time the controller says this broker has caught up with the metadata log. */
  readonly onCaughtUp?: () => void;
  /**
   * Whether the broker can serve once caught up (asked after `onCaughtUp`; once true it stays
   * true for this process). Until then heartbeats ask to stay fenced. Default: always ready.
   */
  readonly readyToUnfence?: () => boolean;
  /**
   * Whether this node hears from a metadata quorum leader (it leads, or its leader answered within
   * fetch.timeout.ms). Controlled shutdown stops waiting for an unanswered controller when it does
   * not (the whole cluster is stopping). Default: always.
   */
  readonly quorumHasLeader?: () => boolean;
  /** The controller RPCs (tests give their own); default: a ControllerClient on the quorum voters. */
  readonly client?: Pick<ControllerClient, 'registerBroker' | 'brokerHeartbeat' | 'close'>;
  /** Endpoints registered beside the advertised listeners (the replication endpoint). */
  readonly extraEndpoints?: readonly { name: string; host: string; port: number }[];
}

type BrokerState = 'registering' | 'fenced' | 'running' | 'shutting-down' | 'stopped';

/** Bound on how long a controlled shutdown waits for the controller. */
const controlledShutdownTimeoutMs = 10_000;

export class BrokerLifecycle {
  private readonly client: Pick<ControllerClient, 'registerBroker' | 'brokerHeartbeat' | 'close'>;
  private readonly incarnationId = randomUuid();
  private brokerEpoch = -1;
  private stateValue: BrokerState = 'registering';
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private caughtUp = false;
  private ready = false;

  constructor(private readonly options: BrokerLifecycleOptions) {
    this.client =
      options.client ?? new ControllerClient(options.config.quorumVoters.map((v) => ({ host: v.host, port: v.port })));
  }

  get state(): BrokerState {
    return this.stateValue;
  }

  get epoch(): number {
    return this.brokerEpoch;
  }

  start(): void {
    this.timer = setInterval(() => void this.step(), this.options.config.brokerHeartbeatIntervalMs);
    void this.step();
  }

  /** Controlled shutdown, then stop heartbeating. */
  async shutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.brokerEpoch >= 0 && this.stateValue !== 'stopped') {
      this.stateValue = 'shutting-down';
      const deadline = Date.now() + controlledShutdownTimeoutMs;
      while (Date.now() < deadline) {
        try {
          // Each try is bounded like a normal heartbeat, so that a quorum that is gone is noticed:
          // when the whole cluster stops no controller will answer, and waiting out the full
          // bound only delayed the exit (`cluster down` SIGKILLed the last node).
          const res = await this.heartbeat(
            true,
            Math.max(1, Math.min(deadline - Date.now(), this.options.config.brokerHeartbeatIntervalMs * 2)),
          );
          if (res.shouldShutDown || res.errorCode !== ErrorCode.NONE) break;
        } catch {
          // Unanswered: a slow or moving controller is tried again; with no quorum leader there is
          // nobody to hand over to.
          if (!(this.options.quorumHasLeader?.() ?? true)) break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    this.stateValue = 'stopped';
    this.client.close();
  }

  private async step(): Promise<void> {
    if (this.busy || this.stateValue === 'shutting-down' || this.stateValue === 'stopped') return;
    this.busy = true;
    try {
      if (this.brokerEpoch < 0) await this.register();
      else await this.beat();
    } catch (err) {
      this.options.logger.debug({ err: String(err) }, 'controller unreachable; will retry');
    } finally {
      this.busy = false;
    }
  }

  private async register(): Promise<void> {
    const c = this.options.config;
    const res = await this.client.registerBroker(
      {
        brokerId: c.nodeId,
        clusterId: this.options.clusterId,
        incarnationId: uuidToBytes(this.incarnationId),
        listeners: [
          ...c.advertisedListeners.map((l) => ({
            name: l.name,
            host: l.host,
            port: l.port,
            securityProtocol: c.listenerSecurityProtocolMap.get(l.name) ?? 'PLAINTEXT',
          })),
          ...(this.options.extraEndpoints ?? []).map((l) => ({ ...l, securityProtocol: 'PLAINTEXT' })),
        ],
        rack: '',
      },
      { timeoutMs: c.brokerHeartbeatIntervalMs * 2 },
    );
    const code = res.errorCode;
    if (code !== ErrorCode.NONE) {
      this.options.logger.warn({ error: errorName(code), message: res.errorMessage }, 'broker registration refused');
      return;
    }
    this.brokerEpoch = res.brokerEpoch;
    this.stateValue = 'fenced';
    this.options.logger.info({ brokerEpoch: this.brokerEpoch }, 'registered with the controller');
    await this.beat();
  }

  /** Caught up and ready: from then on it stays so for this process. */
  private isReady(): boolean {
    if (!this.ready && this.caughtUp) this.ready = this.options.readyToUnfence?.() ?? true;
    return this.ready;
  }

  private heartbeat(wantShutDown: boolean, timeoutMs: number): Promise<ControllerResponse<'BrokerHeartbeat'>> {
    return this.client.brokerHeartbeat(
      {
        brokerId: this.options.config.nodeId,
        brokerEpoch: this.brokerEpoch,
        currentMetadataOffset: this.options.metadataOffset(),
        wantFence: !wantShutDown && !this.isReady(),
        wantShutDown,
      },
      { timeoutMs },
    );
  }

  private async beat(): Promise<void> {
    const askedFenced = !this.isReady();
    const res = await this.heartbeat(false, this.options.config.brokerHeartbeatIntervalMs * 2);
    const code = res.errorCode;
    if (code === ErrorCode.STALE_BROKER_EPOCH || code === ErrorCode.BROKER_ID_NOT_REGISTERED) {
      this.options.logger.warn({ error: errorName(code) }, 'registration lost; registering again');
      this.brokerEpoch = -1;
      this.stateValue = 'registering';
      return;
    }
    if (code !== ErrorCode.NONE) return;
    if (res.isCaughtUp && !this.caughtUp) {
      this.caughtUp = true;
      this.options.onCaughtUp?.();
    }
    const next: BrokerState = res.isFenced ? 'fenced' : 'running';
    if (next !== this.stateValue)
      this.options.logger.info({ state: next, brokerEpoch: this.brokerEpoch }, 'broker state changed');
    this.stateValue = next;
    // Became ready since this heartbeat went out: say so now rather than a heartbeat interval later.
    if (askedFenced && this.isReady()) await this.beat();
  }

  /** Heartbeat now if the broker has just become ready (e.g. its last partition log opened). */
  nudge(): void {
    if (this.stateValue === 'fenced' && this.caughtUp && !this.ready && this.isReady()) void this.step();
  }
}
