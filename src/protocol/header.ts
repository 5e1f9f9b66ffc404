// Request and response headers (kafka-protocol.md §3).
//
//   request v1: ApiKey int16, ApiVersion int16, CorrelationId int32, ClientId nullable string
//               (int16 length, NEVER compact, even in v2)
//   request v2: v1 + tagged fields                       (used when the API version is flexible)
//   response v0: CorrelationId int32
//   response v1: v0 + tagged fields                      (flexible versions)
//
// Rules: header versions follow the API's flexibleFrom (from the registry); ApiVersions
// responses ALWAYS use response header v0 so a client can read them before it knows what the
// broker supports. An apiKey we do not know still gets its header fields decoded (header v1
// assumed) so the server can log, answer or close. A "frame" here is the request bytes AFTER the
// 4-byte size prefix.
import { apiFor } from './apis.js';
import { Reader } from './primitives/reader.js';
import type { Writer } from './primitives/writer.js';

export const apiVersionsKey = 18;

export interface RequestHeader {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
  /** Index in the frame where the request body starts. */
  readonly bodyOffset: number;
  readonly headerVersion: 1 | 2;
}

/** Request header version for an API version: 2 if flexible, else 1 (unknown APIs: 1). */
export function requestHeaderVersion(apiKey: number, apiVersion: number): 1 | 2 {
  const api = apiFor(apiKey);
  return api !== undefined && apiVersion >= api.flexibleFrom ? 2 : 1;
}

/** Response header version: 1 if flexible, else 0; always 0 for ApiVersions. */
export function responseHeaderVersion(apiKey: number, apiVersion: number): 0 | 1 {
  if (apiKey === apiVersionsKey) return 0;
  const api = apiFor(apiKey);
  return api !== undefined && apiVersion >= api.flexibleFrom ? 1 : 0;
}

/** Decodes the request header at the start of a frame; throws ProtocolDecodeError (primitives) if malformed. */
export function decodeRequestHeader(frame: Buffer): RequestHeader {
  const r = new Reader(frame);
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const clientId = r.nullableString();
  const headerVersion = requestHeaderVersion(apiKey, apiVersion);
  if (headerVersion === 2) r.taggedFields();
  return { apiKey, apiVersion, correlationId, clientId, bodyOffset: r.pos, headerVersion };
}

export function writeRequestHeader(
  w: Writer,
  h: { apiKey: number; apiVersion: number; correlationId: number; clientId: string | null },
): void {
  w.int16(h.apiKey).int16(h.apiVersion).int32(h.correlationId).nullableString(h.clientId);
  if (requestHeaderVersion(h.apiKey, h.apiVersion) === 2) w.emptyTaggedFields();
}

export function writeResponseHeader(w: Writer, apiKey: number, apiVersion: number, correlationId: number): void {
  w.int32(correlationId);
  if (responseHeaderVersion(apiKey, apiVersion) === 1) w.emptyTaggedFields();
}

/** Decodes a response header (the client side); returns the correlation id and where the body starts. */
export function decodeResponseHeader(
  frame: Buffer,
  apiKey: number,
  apiVersion: number,
): { correlationId: number; bodyOffset: number } {
  const r = new Reader(frame);
  const correlationId = r.int32();
  if (responseHeaderVersion(apiKey, apiVersion) === 1) r.taggedFields();
  return { correlationId, bodyOffset: r.pos };
}
