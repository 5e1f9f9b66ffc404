// defineApi: binds an API's request and response schemas to the versions raftka serves and gives
// the four typed codecs every API exports (decode/encode × request/response).
//
// Invariants: request and response share Kafka's flexibleFrom; decoding a version outside
// [minVersion, maxVersion] is a ProtocolDecodeError carrying UNSUPPORTED_VERSION (the version came
// off the wire), encoding one is a ProtocolEncodeError (our bug).
import { decodeMessage, encodeMessage } from '../schema/codec.js';
import type { MessageInput, MessageSchema, MessageValue } from '../schema/dsl.js';
import { ProtocolDecodeError, ProtocolEncodeError, ProtocolErrorCode } from '../errors.js';
import type { Reader } from '../primitives/reader.js';
import { Writer } from '../primitives/writer.js';

export interface ApiInfo {
  readonly key: number;
  readonly name: string;
  /** Versions raftka serves and advertises in ApiVersions. */
  readonly minVersion: number;
  readonly maxVersion: number;
  /** Kafka's first flexible version (Infinity when none); decides request/response header versions. */
  readonly flexibleFrom: number;
}

export interface Api<Req, ReqIn, Res, ResIn> extends ApiInfo {
  readonly request: MessageSchema;
  readonly response: MessageSchema;
  decodeRequest(version: number, reader: Reader): Req;
  /** Encodes a request body into a new Buffer. */
  encodeRequest(version: number, value: ReqIn): Buffer;
  decodeResponse(version: number, reader: Reader): Res;
  /** Encodes a response body into a new Buffer. */
  encodeResponse(version: number, value: ResIn): Buffer;
  /** Appends a body to a writer without producing a Buffer (zero-copy framing of big Fetch responses). */
  writeResponse(version: number, value: ResIn, writer: Writer): void;
  writeRequest(version: number, value: ReqIn, writer: Writer): void;
}

/** An API with its value types erased, as held by the registry. */
export type AnyApi = Api<unknown, never, unknown, never>;

export function defineApi<Q extends MessageSchema, S extends MessageSchema>(d: {
  key: number;
  name: string;
  minVersion: number;
  maxVersion: number;
  request: Q;
  response: S;
}): Api<MessageValue<Q>, MessageInput<Q>, MessageValue<S>, MessageInput<S>> {
  if (d.request.flexibleFrom !== d.response.flexibleFrom)
    throw new Error(`${d.name}: request and response disagree on flexible versions`);
  const decodeCheck = (version: number): void => {
    if (!Number.isInteger(version) || version < d.minVersion || version > d.maxVersion) {
      throw new ProtocolDecodeError(
        `${d.name} v${version} is not supported (${d.minVersion}-${d.maxVersion})`,
        ProtocolErrorCode.UNSUPPORTED_VERSION,
      );
    }
  };
  const encodeCheck = (version: number): void => {
    if (!Number.isInteger(version) || version < d.minVersion || version > d.maxVersion) {
      throw new ProtocolEncodeError(`${d.name} v${version} is not supported (${d.minVersion}-${d.maxVersion})`);
    }
  };
  return {
    key: d.key,
    name: d.name,
    minVersion: d.minVersion,
    maxVersion: d.maxVersion,
    flexibleFrom: d.request.flexibleFrom,
    request: d.request,
    response: d.response,
    decodeRequest: (version, reader) => {
      decodeCheck(version);
      return decodeMessage(d.request, version, reader);
    },
    decodeResponse: (version, reader) => {
      decodeCheck(version);
      return decodeMessage(d.response, version, reader);
    },
    encodeRequest: (version, value) => {
      encodeCheck(version);
      return encodeMessage(d.request, version, value, new Writer()).toBuffer();
    },
    encodeResponse: (version, value) => {
      encodeCheck(version);
      return encodeMessage(d.response, version, value, new Writer()).toBuffer();
    },
    writeRequest: (version, value, writer) => {
      encodeCheck(version);
      encodeMessage(d.request, version, value, writer);
    },
    writeResponse: (version, value, writer) => {
      encodeCheck(version);
      encodeMessage(d.response, version, value, writer);
    },
  };
}
