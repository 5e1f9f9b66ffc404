// Typed errors of the protocol layer, and the Kafka error codes it needs that src/common/errors.ts
// does not list yet (kept here because this module may only touch src/protocol/).
//
// ProtocolDecodeError: the bytes that came off the wire (or out of a file) do not follow the
// grammar (a PeerInputError: no stack trace). It is the ONLY error a decoder throws; the server catches it and closes the connection
// (or answers with `errorCode` where it has a place to put one).
// ProtocolEncodeError: we were asked to encode a value the version cannot carry (e.g. null in a
// non-nullable field). That is a raftka bug, but it is localised to one response, so it is a
// typed error the server can log before closing the connection rather than a process-wide crash.
import { ErrorCode } from '../common/errors.js';

/** Kafka error codes used by the protocol layer (numbers from Kafka's Errors.java). */
export const ProtocolErrorCode = {
  CORRUPT_MESSAGE: ErrorCode.CORRUPT_MESSAGE, // 2
  INVALID_REQUEST: ErrorCode.INVALID_REQUEST, // 42
  UNSUPPORTED_VERSION: ErrorCode.UNSUPPORTED_VERSION, // 35
  UNSUPPORTED_FOR_MESSAGE_FORMAT: 43,
  UNSUPPORTED_COMPRESSION_TYPE: 76,
  INVALID_RECORD: 87,
} as const;

/**
 * An error about what a peer sent (bytes off the wire), not about a place in our code: it carries
 * no stack trace. A hostile or broken client can make thousands a second, and capturing the stack
 * was most of their cost (15% of a broker's CPU under the frame fuzz test).
 */
export class PeerInputError extends Error {
  constructor(message: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

export class ProtocolDecodeError extends PeerInputError {
  override readonly name = 'ProtocolDecodeError';
  /** The Kafka error code that describes the problem best (INVALID_REQUEST unless said otherwise). */
  readonly errorCode: number;
  constructor(message: string, errorCode: number = ProtocolErrorCode.INVALID_REQUEST) {
    super(message);
    this.errorCode = errorCode;
  }
}

export class ProtocolEncodeError extends Error {
  override readonly name = 'ProtocolEncodeError';
}

/** Compressing to a codec we cannot produce (zstd: only a decompressor is available). */
export class UnsupportedCompressionError extends Error {
  override readonly name = 'UnsupportedCompressionError';
  readonly errorCode = ProtocolErrorCode.UNSUPPORTED_COMPRESSION_TYPE;
}
