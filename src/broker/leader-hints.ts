// Leader discovery in data answers (KIP-951) and topic-id resolution (KIP-516) for the broker's
// Produce and Fetch handlers (kafka-apis.ts, fetch-api.ts). A partition answered NOT_LEADER_OR_FOLLOWER or
// FENCED_LEADER_EPOCH carries the leader this broker knows (CurrentLeader), and the answer lists
// those leaders' endpoints on the request's listener (NodeEndpoints), so a client can move without
// a Metadata round trip. Both read the broker's current metadata image only.
import { ErrorCode } from '../common/errors.js';
import type { MetadataImage } from '../metadata/image.js';

export interface LeaderHint {
  readonly leaderId: number;
  readonly leaderEpoch: number;
}

export interface NodeEndpoint {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly rack: string | null;
}

/** Errors after which Kafka tells the client the current leader (KIP-951). */
export function wantsLeaderHint(errorCode: number): boolean {
  return errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER || errorCode === ErrorCode.FENCED_LEADER_EPOCH;
}

/** The leader and epoch of a partition in the image, or undefined when the image does not know it. */
export function leaderHint(img: MetadataImage | null, topic: string, partition: number): LeaderHint | undefined {
  const p = img?.topicsByName.get(topic)?.partitions.get(partition);
  return p ? { leaderId: p.leader, leaderEpoch: p.leaderEpoch } : undefined;
}

/** The endpoints on `listenerName` of the live brokers among `nodeIds`, by id. */
export function nodeEndpoints(
  img: MetadataImage | null,
  nodeIds: Iterable<number>,
  listenerName: string,
): NodeEndpoint[] {
  if (!img) return [];
  const out: NodeEndpoint[] = [];
  for (const id of [...new Set(nodeIds)].sort((a, b) => a - b)) {
    const b = img.brokers.get(id);
    const ep = b && !b.fenced ? b.endpoints.find((e) => e.name === listenerName) : undefined;
    if (b && ep) out.push({ nodeId: id, host: ep.host, port: ep.port, rack: b.rack });
  }
  return out;
}

/** A topic's name from its id (KIP-516), undefined when the image has no such topic. */
export function topicNameOf(img: MetadataImage | null, topicId: string): string | undefined {
  return img?.topicsById.get(topicId)?.name;
}

/**
 * NodeEndpoints (KIP-951, Produce v10+ and Fetch v16+): the endpoints of every leader named in a
 * CurrentLeader of the answer, on the request's listener.
 */
export function leaderEndpoints(
  img: () => MetadataImage | null,
  responses: readonly { partitions: readonly { errorCode: number; currentLeader?: LeaderHint }[] }[],
  request: { readonly apiVersion: number; readonly listenerName: string },
  fromVersion: number,
): { nodeEndpoints?: NodeEndpoint[] } {
  if (request.apiVersion < fromVersion) return {};
  const leaders = responses.flatMap((t) => t.partitions.flatMap((p) => p.currentLeader?.leaderId ?? []));
  if (leaders.length === 0) return {};
  return { nodeEndpoints: nodeEndpoints(img(), leaders, request.listenerName) };
}
