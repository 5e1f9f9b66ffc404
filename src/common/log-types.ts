// The ids and the log entry shared by the Raft core (which writes entries) and the state
// machines that apply them (src/metadata/): a pure file with no runtime API, so the pure Raft
// core can import it (see src/raft/core/tsconfig.json) and src/metadata/ needs no Raft import.
//
// Numbers: node ids, epochs and offsets are JS numbers. Offsets are int64 on the wire, but a
// metadata log never nears 2^53 entries, so `number` is exact; the codecs reject larger values.

export type NodeId = number;
export type Epoch = number;
export type Offset = number;

/** `data` carries opaque metadata records; the other kinds are written by the core itself. */
export type EntryKind = 'data' | 'leader-change' | 'noop';

/** One entry of `__cluster_metadata` at one offset. */
export interface LogEntry {
  readonly offset: Offset;
  readonly epoch: Epoch;
  readonly kind: EntryKind;
  /** Opaque for `data`; for `leader-change`, see encodeLeaderChange. Empty for `noop`. */
  readonly payload: Uint8Array;
}
