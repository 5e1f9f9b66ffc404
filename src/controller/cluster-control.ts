// Brokers on the active controller: registration, heartbeats, fencing and controlled shutdown.
// The decisions are pure functions of (image, request) → records + response; only the
// heartbeat clock (BrokerSessions) is in-memory state of the active controller, and a newly
// active controller starts every session afresh (no broker is fenced for the failover gap).
import { ErrorCode } from '../common/errors.js';
import type { MetadataImage } from '../metadata/image.js';
import type { BrokerEndpoint, MetadataRecord } from '../metadata/records.js';
import { moveAwayFrom, electOfflineLeaders } from './replication-control.js';

export interface RegisterBrokerRequest {
  readonly brokerId: number;
  readonly clusterId: string;
  readonly incarnationId: string;
  readonly listeners: readonly BrokerEndpoint[];
  readonly rack: string | null;
}

export interface RegisterBrokerResponse {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly brokerEpoch: number;
}

/** A controller's Kafka-protocol listeners (KIP-919), registered at each start. */
export interface RegisterControllerRequest {
  readonly controllerId: number;
  readonly clusterId: string;
  readonly incarnationId: string;
  readonly listeners: readonly BrokerEndpoint[];
}

/**
 * A controller's registration: one RegisterControllerRecord, or none when the image already holds
 * exactly this one (a retried call after a failover writes nothing twice).
 */
export function registerController(
  image: MetadataImage,
  req: RegisterControllerRequest,
  clusterId: string,
): Decision<{ errorCode: number; errorMessage: string | null }> {
  if (req.clusterId !== clusterId)
    return {
      records: [],
      response: {
        errorCode: ErrorCode.INCONSISTENT_CLUSTER_ID,
        errorMessage: `controller ${req.controllerId} belongs to cluster ${req.clusterId}, this is ${clusterId}`,
      },
    };
  const existing = image.controllers.get(req.controllerId);
  const same =
    existing !== undefined &&
    existing.incarnationId === req.incarnationId &&
    JSON.stringify(existing.endpoints) === JSON.stringify(req.listeners);
  return {
    records: same
      ? []
      : [
          {
            type: 'registerController',
            controllerId: req.controllerId,
            incarnationId: req.incarnationId,
            endpoints: req.listeners,
          },
        ],
    response: { errorCode: ErrorCode.NONE, errorMessage: null },
  };
}

export interface BrokerHeartbeatRequest {
  readonly brokerId: number;
  readonly brokerEpoch: number;
  /** The highest metadata offset the broker has applied. */
  readonly currentMetadataOffset: number;
  readonly wantFence: boolean;
  readonly wantShutDown: boolean;
}

export interface BrokerHeartbeatResponse {
  readonly errorCode: number;
  readonly isCaughtUp: boolean;
  readonly isFenced: boolean;
  readonly shouldShutDown: boolean;
}

export interface Decision<R> {
  readonly records: readonly MetadataRecord[];
  readonly response: R;
}

/** When each broker was last heard from (ms on the controller's clock). */
export class BrokerSessions {
  private readonly lastContactMs = new Map<number, number>();

  touch(brokerId: number, nowMs: number): void {
    this.lastContactMs.set(brokerId, nowMs);
  }

  forget(brokerId: number): void {
    this.lastContactMs.delete(brokerId);
  }

  /** Whether the broker was heard from within the session timeout. */
  isAlive(brokerId: number, nowMs: number, sessionTimeoutMs: number): boolean {
    const last = this.lastContactMs.get(brokerId);
    return last !== undefined && nowMs - last < sessionTimeoutMs;
  }

  /** Unfenced brokers whose session expired; brokers never heard from start their clock now. */
  expired(image: MetadataImage, nowMs: number, sessionTimeoutMs: number): number[] {
    const out: number[] = [];
    for (const b of image.brokers.values()) {
      if (b.fenced) continue;
      const last = this.lastContactMs.get(b.id);
      if (last === undefined) this.lastContactMs.set(b.id, nowMs);
      else if (nowMs - last >= sessionTimeoutMs) out.push(b.id);
    }
    return out;
  }
}

export function registerBroker(
  image: MetadataImage,
  req: RegisterBrokerRequest,
  ctx: {
    readonly clusterId: string;
    readonly nextOffset: number;
    readonly nowMs: number;
    readonly sessionTimeoutMs: number;
    readonly sessions: BrokerSessions;
  },
): Decision<RegisterBrokerResponse> {
  const refuse = (errorCode: number, errorMessage: string): Decision<RegisterBrokerResponse> => ({
    records: [],
    response: { errorCode, errorMessage, brokerEpoch: -1 },
  });
  if (req.clusterId !== ctx.clusterId)
    return refuse(
      ErrorCode.INCONSISTENT_CLUSTER_ID,
      `broker ${req.brokerId} belongs to cluster ${req.clusterId}, this is ${ctx.clusterId}`,
    );
  const existing = image.brokers.get(req.brokerId);
  if (
    existing &&
    existing.incarnationId !== req.incarnationId &&
    ctx.sessions.isAlive(req.brokerId, ctx.nowMs, ctx.sessionTimeoutMs)
  ) {
    return refuse(
      ErrorCode.DUPLICATE_BROKER_REGISTRATION,
      `another incarnation of broker ${req.brokerId} is still registered and heartbeating`,
    );
  }
  // The broker epoch is the offset of its registration record: unique and ever increasing.
  const brokerEpoch = ctx.nextOffset;
  ctx.sessions.touch(req.brokerId, ctx.nowMs);
  return {
    records: [
      {
        type: 'registerBroker',
        brokerId: req.brokerId,
        incarnationId: req.incarnationId,
        brokerEpoch,
        endpoints: req.listeners,
        rack: req.rack,
        fenced: true, // unfenced once it has caught up with the metadata log
        inControlledShutdown: false,
      },
    ],
    response: { errorCode: ErrorCode.NONE, errorMessage: null, brokerEpoch },
  };
}

/**
 * Fence a broker and move its leaderships and ISR memberships away (at most `max` partition
 * changes; the rest follow with moveAwayFrom on later images).
 */
export function fenceBroker(
  image: MetadataImage,
  brokerId: number,
  uncleanAllowed: (topic: string) => boolean,
  max = Infinity,
): MetadataRecord[] {
  const b = image.brokers.get(brokerId);
  if (!b || b.fenced) return [];
  return [
    { type: 'fenceBroker', brokerId, brokerEpoch: b.epoch },
    ...moveAwayFrom(image, brokerId, uncleanAllowed, max),
  ];
}

export function brokerHeartbeat(
  image: MetadataImage,
  req: BrokerHeartbeatRequest,
  ctx: {
    readonly nowMs: number;
    readonly sessions: BrokerSessions;
    uncleanAllowed(topic: string): boolean;
    /** Bound on partition changes one heartbeat writes; a controlled shutdown continues on the next. */
    readonly movesMax?: number;
  },
): Decision<BrokerHeartbeatResponse> {
  const movesMax = ctx.movesMax ?? Infinity;
  const b = image.brokers.get(req.brokerId);
  const answer = (
    errorCode: number,
    records: MetadataRecord[] = [],
    fenced = true,
    shouldShutDown = false,
    isCaughtUp = false,
  ): Decision<BrokerHeartbeatResponse> => ({
    records,
    response: { errorCode, isCaughtUp, isFenced: fenced, shouldShutDown },
  });
  if (!b) return answer(ErrorCode.BROKER_ID_NOT_REGISTERED);
  if (b.epoch !== req.brokerEpoch) return answer(ErrorCode.STALE_BROKER_EPOCH);
  ctx.sessions.touch(req.brokerId, ctx.nowMs);
  const caughtUp = req.currentMetadataOffset >= b.epoch;
  if (req.wantShutDown) {
    // Controlled shutdown: first move every leadership and ISR membership away (in slices over
    // several heartbeats); once none is left, fence it and tell it to go.
    if (!b.inControlledShutdown) {
      const records: MetadataRecord[] = [
        {
          type: 'brokerRegistrationChange',
          brokerId: b.id,
          brokerEpoch: b.epoch,
          fenced: null,
          inControlledShutdown: true,
        },
        ...moveAwayFrom(image, b.id, ctx.uncleanAllowed, movesMax),
      ];
      return answer(ErrorCode.NONE, records, b.fenced, false, caughtUp);
    }
    // Still leading or in an ISR somewhere: move the next slice away.
    const pending = moveAwayFrom(image, b.id, ctx.uncleanAllowed, movesMax);
    if (pending.length > 0) return answer(ErrorCode.NONE, pending, b.fenced, false, caughtUp);
    return answer(
      ErrorCode.NONE,
      b.fenced ? [] : [{ type: 'fenceBroker', brokerId: b.id, brokerEpoch: b.epoch }],
      true,
      true,
      caughtUp,
    );
  }
  if (req.wantFence)
    return answer(ErrorCode.NONE, fenceBroker(image, b.id, ctx.uncleanAllowed, movesMax), true, false, caughtUp);
  if (b.fenced && caughtUp) {
    // Back in service: it also takes back the offline partitions it can lead.
    const records: MetadataRecord[] = [
      { type: 'unfenceBroker', brokerId: b.id, brokerEpoch: b.epoch },
      ...electOfflineLeaders(image, b.id, ctx.uncleanAllowed, movesMax),
    ];
    return answer(ErrorCode.NONE, records, false, false, true);
  }
  return answer(ErrorCode.NONE, [], b.fenced, false, caughtUp);
}
