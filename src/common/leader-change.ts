// The LeaderChange entry's payload, the one codec for it: the pure Raft core writes it when a
// leader is elected, the driver checks it when it reads segments, and MetadataState and
// dump-log read it. Layout: int32 leader id, int32 voter count, int32 voter ids (big-endian).
// Uses no Node API (the core's tsconfig has no Node types).
import type { NodeId } from './log-types.js';

/** A payload naming more voters than this is corrupt (KRaft quorums have a handful). */
export const leaderChangeVotersMax = 1024;

export function encodeLeaderChange(leaderId: NodeId, voters: readonly NodeId[]): Uint8Array {
  if (voters.length > leaderChangeVotersMax)
    throw new RangeError(`${voters.length} voters, over ${leaderChangeVotersMax}`);
  const buf = new Uint8Array(8 + 4 * voters.length);
  const view = new DataView(buf.buffer);
  view.setInt32(0, leaderId);
  view.setInt32(4, voters.length);
  voters.forEach((v, i) => view.setInt32(8 + 4 * i, v));
  return buf;
}

/** Throws RangeError when the payload is short, long, or names too many voters. */
export function decodeLeaderChange(payload: Uint8Array): { leaderId: NodeId; voters: NodeId[] } {
  if (payload.byteLength < 8) throw new RangeError(`LeaderChange payload of ${payload.byteLength} bytes is too short`);
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const count = view.getInt32(4);
  if (count < 0 || count > leaderChangeVotersMax || payload.byteLength !== 8 + 4 * count) {
    throw new RangeError(`LeaderChange payload of ${payload.byteLength} bytes claims ${count} voters`);
  }
  return { leaderId: view.getInt32(0), voters: Array.from({ length: count }, (_, i) => view.getInt32(8 + 4 * i)) };
}
