// The frames of replica fetch over plain TCP (or TLS) on a node's REPLICATION listener (DESIGN.md
// "Wires"; issue 18 item 2): a hand-written fixed layout, big-endian, no schema machinery, so the
// leader sends the record bytes its log read returned as they are (a slice, never re-encoded or
// copied into a frame) and the follower appends slices of the frame it received.
//
//   connection  := "RKR1" (the client's preface; the server sniffs its first byte) frame*
//   frame       := int32 size (of what follows) · int8 kind · int32 correlation id · body
//   kind 1 FETCH      body: int32 replica id · int64 broker epoch · int32 max wait ms · int32 max bytes
//                           · int32 session id · int32 session epoch
//                           · int32 n · n × (topic · int32 partition · int64 fetch offset
//                                            · int32 last fetched epoch · int32 current leader epoch)
//                           · int32 m · m × (topic · int32 partition)        the forgotten partitions
//   kind 2 FETCHED    body: int16 error code · int32 session id · int32 n · n × (topic · int32 partition
//                           · int16 error code · int64 high watermark · int64 log start · int64 log end
//                           · int8 diverged · int32 diverging epoch · int64 diverging end offset
//                           · int32 record bytes · the record bytes (whole RecordBatch v2 batches))
//   kind 3 REFUSED    body: UTF-8 reason (the server then closes; correlation id 0)
//   kind 4 FAILED     body: UTF-8 reason (this request failed on the server; the connection lives on)
//   topic       := int16 length · UTF-8
//
// The high watermark and log start offset ride in every answer, so a follower advances its high
// watermark without another round trip. Several requests may be in flight on one connection;
// answers carry the correlation id of their request and may come back in any order.
// int64s are JavaScript numbers (offsets stay below 2^53), written as two int32 halves.
// Pure code: replica-link.ts (both ends of a connection) frames and parses with it.

export const replicaPreface = Buffer.from('RKR1', 'latin1');
/** The TLS application protocol (ALPN) a replica fetch connection asks for. */
export const replicaAlpn = 'raftka-replica';

export const FrameKind = { fetch: 1, fetched: 2, refused: 3, failed: 4 } as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

/** Bound on one frame's size, as gRPC's 64 MiB message bound was on this link. */
export const replicaFrameBytesMax = 64 * 1024 * 1024;
const sizeBytes = 4;
const frameHeaderBytes = sizeBytes + 1 + 4;
const twoTo32 = 2 ** 32;

export interface ReplicaFetchPartition {
  readonly topic: string;
  readonly partition: number;
  readonly fetchOffset: number;
  /** -1: the follower's log is empty. */
  readonly lastFetchedEpoch: number;
  /** The leader epoch the follower believes in. */
  readonly currentLeaderEpoch: number;
}

export interface PartitionRef {
  readonly topic: string;
  readonly partition: number;
}

/**
 * A follower's fetch. Fetch sessions (KIP-227's semantics, the leader's session cache shared with
 * Kafka clients'): session epoch 0 is a full fetch asking for a session, -1 a full fetch without
 * one, n > 0 the n-th incremental fetch of the session, naming only partitions added or changed and
 * the forgotten ones.
 */
export interface ReplicaFetchRequest {
  readonly replicaId: number;
  readonly brokerEpoch: number;
  readonly maxWaitMs: number;
  readonly maxBytes: number;
  readonly sessionId: number;
  readonly sessionEpoch: number;
  readonly partitions: readonly ReplicaFetchPartition[];
  readonly forgotten: readonly PartitionRef[];
}

export interface FetchedPartition {
  readonly topic: string;
  readonly partition: number;
  readonly errorCode: number;
  readonly highWatermark: number;
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  /** Whole batches, appended by the follower byte for byte; empty when none. */
  readonly records: Buffer;
  /** Truncate to divergingEndOffset, then fetch again. */
  readonly diverged: boolean;
  readonly divergingEpoch: number;
  readonly divergingEndOffset: number;
}

export interface ReplicaFetchResponse {
  /** FETCH_SESSION_ID_NOT_FOUND, INVALID_FETCH_SESSION_EPOCH: start a new session. */
  readonly errorCode: number;
  /** 0: no session. */
  readonly sessionId: number;
  readonly partitions: readonly FetchedPartition[];
}

/** A frame as read: its kind, correlation id and body (a view of the received bytes). */
export interface Frame {
  readonly kind: number;
  readonly correlationId: number;
  readonly body: Buffer;
}

/** A frame that breaks the layout (the connection is closed). */
export class ReplicaWireError extends Error {}

/** Reassembles frames from a byte stream's chunks; a frame larger than `frameBytesMax` throws. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** The size of the frame being assembled (bytes after its size field), or -1 before it is known. */
  private wanted = -1;

  constructor(private readonly frameBytesMax: number = replicaFrameBytesMax) {}

  /** Bytes held for a frame not yet whole. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** Takes the next chunk; returns every frame completed by it, in order. */
  push(chunk: Buffer): Frame[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Frame[] = [];
    for (;;) {
      if (this.wanted < 0) {
        if (this.buffered < sizeBytes) return frames;
        const size = this.peekSize();
        if (size < frameHeaderBytes - sizeBytes || size > this.frameBytesMax)
          throw new ReplicaWireError(`a replica frame of ${size} bytes (at most ${this.frameBytesMax})`);
        this.wanted = size;
      }
      if (this.buffered < sizeBytes + this.wanted) return frames;
      const whole = this.take(sizeBytes + this.wanted);
      this.wanted = -1;
      frames.push({ kind: whole.readInt8(4), correlationId: whole.readInt32BE(5), body: whole.subarray(9) });
    }
  }

  private peekSize(): number {
    const first = this.chunks[0]!;
    if (first.length >= sizeBytes) return first.readInt32BE(0);
    const head = Buffer.concat(this.chunks, this.buffered).subarray(0, sizeBytes);
    return head.readInt32BE(0);
  }

  /** The first `n` buffered bytes: a view when one chunk holds them, else one copy. */
  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let at = 0;
      while (at < n) {
        const c = this.chunks[0]!;
        const part = Math.min(c.length, n - at);
        c.copy(out, at, 0, part);
        at += part;
        if (part === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(part);
      }
    }
    this.buffered -= n;
    return out;
  }
}

/** Writes numbers and strings into a buffer sized in advance. */
class Writer {
  at = 0;
  constructor(readonly buf: Buffer) {}
  i8(v: number): void {
    this.at = this.buf.writeInt8(v, this.at);
  }
  i16(v: number): void {
    this.at = this.buf.writeInt16BE(v, this.at);
  }
  i32(v: number): void {
    this.at = this.buf.writeInt32BE(v, this.at);
  }
  i64(v: number): void {
    this.at = this.buf.writeInt32BE(Math.floor(v / twoTo32), this.at);
    this.at = this.buf.writeUInt32BE(v >>> 0, this.at);
  }
  str(s: string, bytes: number): void {
    this.i16(bytes);
    this.at += this.buf.write(s, this.at, bytes, 'utf8');
  }
  frame(kind: FrameKind, correlationId: number): void {
    this.i32(this.buf.length - sizeBytes);
    this.i8(kind);
    this.i32(correlationId);
  }
}

/** Reads numbers and strings from a frame body; reading past its end throws ReplicaWireError. */
class Reader {
  at = 0;
  constructor(private readonly buf: Buffer) {}
  private need(n: number): void {
    if (this.at + n > this.buf.length) throw new ReplicaWireError('a truncated replica frame');
  }
  i8(): number {
    this.need(1);
    return this.buf.readInt8(this.at++);
  }
  i16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.at);
    this.at += 2;
    return v;
  }
  i32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.at);
    this.at += 4;
    return v;
  }
  i64(): number {
    this.need(8);
    const v = this.buf.readInt32BE(this.at) * twoTo32 + this.buf.readUInt32BE(this.at + 4);
    this.at += 8;
    return v;
  }
  str(): string {
    const n = this.i16();
    if (n < 0) throw new ReplicaWireError('a negative string length in a replica frame');
    this.need(n);
    const s = this.buf.toString('utf8', this.at, this.at + n);
    this.at += n;
    return s;
  }
  count(): number {
    const n = this.i32();
    if (n < 0 || n > this.buf.length - this.at) throw new ReplicaWireError(`a count of ${n} in a replica frame`);
    return n;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return b;
  }
  end(): void {
    if (this.at !== this.buf.length) throw new ReplicaWireError('trailing bytes in a replica frame');
  }
}

/** One FETCH frame. */
export function encodeFetchRequest(correlationId: number, r: ReplicaFetchRequest): Buffer {
  const topicBytes = (p: PartitionRef) => Buffer.byteLength(p.topic, 'utf8');
  let size = frameHeaderBytes + 4 + 8 + 4 + 4 + 4 + 4 + 4 + 4;
  for (const p of r.partitions) size += 2 + topicBytes(p) + 4 + 8 + 4 + 4;
  for (const p of r.forgotten) size += 2 + topicBytes(p) + 4;
  const w = new Writer(Buffer.allocUnsafe(size));
  w.frame(FrameKind.fetch, correlationId);
  w.i32(r.replicaId);
  w.i64(r.brokerEpoch);
  w.i32(r.maxWaitMs);
  w.i32(r.maxBytes);
  w.i32(r.sessionId);
  w.i32(r.sessionEpoch);
  w.i32(r.partitions.length);
  for (const p of r.partitions) {
    w.str(p.topic, topicBytes(p));
    w.i32(p.partition);
    w.i64(p.fetchOffset);
    w.i32(p.lastFetchedEpoch);
    w.i32(p.currentLeaderEpoch);
  }
  w.i32(r.forgotten.length);
  for (const p of r.forgotten) {
    w.str(p.topic, topicBytes(p));
    w.i32(p.partition);
  }
  return w.buf;
}

export function decodeFetchRequest(body: Buffer): ReplicaFetchRequest {
  const r = new Reader(body);
  const replicaId = r.i32();
  const brokerEpoch = r.i64();
  const maxWaitMs = r.i32();
  const maxBytes = r.i32();
  const sessionId = r.i32();
  const sessionEpoch = r.i32();
  const partitions: ReplicaFetchPartition[] = [];
  for (let n = r.count(); n > 0; n--)
    partitions.push({
      topic: r.str(),
      partition: r.i32(),
      fetchOffset: r.i64(),
      lastFetchedEpoch: r.i32(),
      currentLeaderEpoch: r.i32(),
    });
  const forgotten: PartitionRef[] = [];
  for (let n = r.count(); n > 0; n--) forgotten.push({ topic: r.str(), partition: r.i32() });
  r.end();
  return { replicaId, brokerEpoch, maxWaitMs, maxBytes, sessionId, sessionEpoch, partitions, forgotten };
}

/**
 * One FETCHED frame as the chunks to write in order (one socket writev): the frame's fixed fields
 * and each partition's header in one buffer, interleaved with the partitions' record buffers as
 * the caller gave them (not copied).
 */
export function encodeFetchResponse(correlationId: number, r: ReplicaFetchResponse): Buffer[] {
  const topicBytes = r.partitions.map((p) => Buffer.byteLength(p.topic, 'utf8'));
  const fixed = frameHeaderBytes + 2 + 4 + 4;
  let headers = fixed;
  let records = 0;
  r.partitions.forEach((p, i) => {
    headers += 2 + topicBytes[i]! + 4 + 2 + 8 + 8 + 8 + 1 + 4 + 8 + 4;
    records += p.records.length;
  });
  const w = new Writer(Buffer.allocUnsafe(headers));
  // The size field covers the record bytes, which are not in w's buffer: write it by hand.
  w.i32(headers + records - sizeBytes);
  w.i8(FrameKind.fetched);
  w.i32(correlationId);
  w.i16(r.errorCode);
  w.i32(r.sessionId);
  w.i32(r.partitions.length);
  const chunks: Buffer[] = [];
  let from = 0;
  r.partitions.forEach((p, i) => {
    w.str(p.topic, topicBytes[i]!);
    w.i32(p.partition);
    w.i16(p.errorCode);
    w.i64(p.highWatermark);
    w.i64(p.logStartOffset);
    w.i64(p.logEndOffset);
    w.i8(p.diverged ? 1 : 0);
    w.i32(p.divergingEpoch);
    w.i64(p.divergingEndOffset);
    w.i32(p.records.length);
    if (p.records.length > 0) {
      chunks.push(w.buf.subarray(from, w.at), p.records);
      from = w.at;
    }
  });
  if (from < w.at) chunks.push(w.buf.subarray(from, w.at));
  return chunks;
}

/** A FETCHED body; each partition's records are a view of `body`. */
export function decodeFetchResponse(body: Buffer): ReplicaFetchResponse {
  const r = new Reader(body);
  const errorCode = r.i16();
  const sessionId = r.i32();
  const partitions: FetchedPartition[] = [];
  for (let n = r.count(); n > 0; n--) {
    const topic = r.str();
    const partition = r.i32();
    const partErrorCode = r.i16();
    const highWatermark = r.i64();
    const logStartOffset = r.i64();
    const logEndOffset = r.i64();
    const diverged = r.i8() !== 0;
    const divergingEpoch = r.i32();
    const divergingEndOffset = r.i64();
    const size = r.i32();
    if (size < 0) throw new ReplicaWireError('a negative record size in a replica frame');
    partitions.push({
      topic,
      partition,
      errorCode: partErrorCode,
      highWatermark,
      logStartOffset,
      logEndOffset,
      records: r.bytes(size),
      diverged,
      divergingEpoch,
      divergingEndOffset,
    });
  }
  r.end();
  return { errorCode, sessionId, partitions };
}

/** A REFUSED or FAILED frame: a reason for people. */
export function encodeTextFrame(
  kind: typeof FrameKind.refused | typeof FrameKind.failed,
  correlationId: number,
  text: string,
): Buffer {
  const bytes = Buffer.byteLength(text, 'utf8');
  const w = new Writer(Buffer.allocUnsafe(frameHeaderBytes + bytes));
  w.frame(kind, correlationId);
  w.buf.write(text, w.at, bytes, 'utf8');
  return w.buf;
}
