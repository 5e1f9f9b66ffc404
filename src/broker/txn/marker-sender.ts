// The transaction coordinator's channel to partition leaders: markers for partitions this broker
// leads are written locally; the others are grouped by leader and sent over gRPC
// (proto/replica.proto WriteTxnMarkers) to the leader's replication endpoint. A partition whose
// leader is unknown or unreachable answers a retriable code, and the coordinator retries.
import { ErrorCode } from '../../common/errors.js';
import type { WriteTxnMarkersRequest } from '../../rpc/replica-rpc.js';
import type { BrokerChannels } from './broker-channels.js';
import type { MarkerWrite, TxnMarkerWriter } from './marker-writer.js';
import type { TopicPartition } from './txn-records.js';
import type { TxnMarkerSender, TxnMarkers } from './txn-types.js';

/** How long one WriteTxnMarkers call may take (it waits until the markers are replicated). */
const markerCallTimeoutMs = 30_000;

export interface MarkerSenderOptions {
  readonly brokerId: number;
  /** Writes the markers of partitions this broker leads. */
  readonly local: TxnMarkerWriter;
  /** The leader of a partition in the current image (-1 when it has none). */
  readonly leaderOf: (tp: TopicPartition) => number;
  readonly channels: BrokerChannels;
}

type PartitionResult = { readonly tp: TopicPartition; readonly errorCode: number };

export class GrpcMarkerSender implements TxnMarkerSender {
  constructor(private readonly o: MarkerSenderOptions) {}

  async writeMarkers(markers: TxnMarkers): Promise<readonly PartitionResult[]> {
    const byLeader = new Map<number, TopicPartition[]>();
    const results: PartitionResult[] = [];
    for (const tp of markers.partitions) {
      const leader = this.o.leaderOf(tp);
      if (leader < 0) {
        results.push({ tp, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER });
        continue;
      }
      const list = byLeader.get(leader) ?? [];
      list.push(tp);
      byLeader.set(leader, list);
    }
    const answers = await Promise.all(
      [...byLeader].map(([leader, partitions]) => this.writeTo(leader, { ...markers, partitions })),
    );
    for (const a of answers) results.push(...a);
    return results;
  }

  private async writeTo(leader: number, markers: TxnMarkers): Promise<PartitionResult[]> {
    const write: MarkerWrite = {
      producerId: markers.producerId,
      producerEpoch: markers.producerEpoch,
      coordinatorEpoch: markers.coordinatorEpoch,
      committed: markers.committed,
      partitions: markers.partitions,
    };
    if (leader === this.o.brokerId) {
      const signal = AbortSignal.timeout(markerCallTimeoutMs);
      return this.o.local.write(write, markerCallTimeoutMs, signal);
    }
    const all = (errorCode: number): PartitionResult[] => markers.partitions.map((tp) => ({ tp, errorCode }));
    const channel = this.o.channels.to(leader);
    if (!channel) return all(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    try {
      const res = await channel.writeTxnMarkers(toWire(write), markerCallTimeoutMs);
      const codes = new Map<string, number>();
      for (const m of res.markers)
        for (const p of m.partitions) codes.set(`${p.topic}\u0000${p.partition}`, p.errorCode);
      return markers.partitions.map((tp) => ({
        tp,
        errorCode: codes.get(`${tp.topic}\u0000${tp.partition}`) ?? ErrorCode.UNKNOWN_SERVER_ERROR,
      }));
    } catch {
      // Unreachable or too slow: retriable, the coordinator tries again after its backoff.
      return all(ErrorCode.REQUEST_TIMED_OUT);
    }
  }
}

function toWire(m: MarkerWrite): WriteTxnMarkersRequest {
  const topics = new Map<string, number[]>();
  for (const tp of m.partitions) topics.set(tp.topic, [...(topics.get(tp.topic) ?? []), tp.partition]);
  return {
    markers: [
      {
        producerId: m.producerId,
        producerEpoch: m.producerEpoch,
        coordinatorEpoch: m.coordinatorEpoch,
        committed: m.committed,
        topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })),
      },
    ],
  };
}
