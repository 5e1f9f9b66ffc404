// Whole frames: int32 size prefix + header + body, for both directions, and a splitter that cuts
// a byte stream into frames. Pure: the caller owns the socket.
//
// Invariants: a frame's size prefix counts the bytes after it; the splitter refuses sizes that are
// negative or above its limit (Kafka's socket.request.max.bytes, 100 MiB by default) with a
// ProtocolDecodeError before buffering them, so a bad peer cannot make us allocate.
import type { Api } from './messages/define.js';
import { ProtocolDecodeError } from './errors.js';
import { writeRequestHeader, writeResponseHeader } from './header.js';
import { Writer } from './primitives/writer.js';

const frameSizeBytes = 4;
/** Kafka's socket.request.max.bytes default. */
const requestBytesMaxDefault = 100 * 1024 * 1024;

/** A response frame as chunks for socket.write (big record Buffers are not copied). */
export function encodeResponseFrame<ResIn>(
  api: Api<unknown, never, unknown, ResIn>,
  apiVersion: number,
  correlationId: number,
  value: ResIn,
): Buffer[] {
  const w = new Writer();
  w.int32(0);
  writeResponseHeader(w, api.key, apiVersion, correlationId);
  api.writeResponse(apiVersion, value, w);
  w.patchInt32(0, w.length - frameSizeBytes);
  return w.toChunks();
}

/** A response frame around a body that is already encoded (e.g. unsupportedApiVersionsResponse()). */
export function encodeRawResponseFrame(
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  body: Buffer,
): Buffer {
  const w = new Writer(16 + body.length);
  w.int32(0);
  writeResponseHeader(w, apiKey, apiVersion, correlationId);
  w.raw(body);
  w.patchInt32(0, w.length - frameSizeBytes);
  return w.toBuffer();
}

/** A request frame (our own client). */
export function encodeRequestFrame<ReqIn>(
  api: Api<unknown, ReqIn, unknown, never>,
  apiVersion: number,
  correlationId: number,
  clientId: string | null,
  value: ReqIn,
): Buffer {
  const w = new Writer();
  w.int32(0);
  writeRequestHeader(w, { apiKey: api.key, apiVersion, correlationId, clientId });
  api.writeRequest(apiVersion, value, w);
  w.patchInt32(0, w.length - frameSizeBytes);
  return w.toBuffer();
}

/**
 * Cuts a TCP byte stream into frames (without their size prefix). push() returns the frames
 * completed by that chunk; a frame is a fresh Buffer or a slice of the pushed chunk.
 */
export class FrameSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes needed before another frame can complete (avoids re-joining chunks of a big frame). */
  private needed = frameSizeBytes;

  constructor(private readonly frameBytesMax: number = requestBytesMaxDefault) {}

  push(chunk: Buffer): Buffer[] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < this.needed) return [];
    const buf = this.pending.length === 1 ? chunk : Buffer.concat(this.pending, this.pendingBytes);
    const out: Buffer[] = [];
    let pos = 0;
    this.needed = frameSizeBytes;
    while (buf.length - pos >= frameSizeBytes) {
      const size = buf.readInt32BE(pos);
      if (size < 0 || size > this.frameBytesMax) {
        throw new ProtocolDecodeError(`frame size ${size} is outside [0, ${this.frameBytesMax}]`);
      }
      if (buf.length - pos - frameSizeBytes < size) {
        this.needed = frameSizeBytes + size;
        break;
      }
      out.push(buf.subarray(pos + frameSizeBytes, pos + frameSizeBytes + size));
      pos += frameSizeBytes + size;
    }
    const rest = buf.subarray(pos);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingBytes = rest.length;
    return out;
  }

  /** Bytes received but not yet part of a complete frame. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }
}
