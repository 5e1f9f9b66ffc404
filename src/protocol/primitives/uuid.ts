// Kafka UUIDs (topic ids) on the wire are 16 raw bytes; raftka shows them the way Java does:
// unpadded URL-safe base64, 22 characters (same convention as src/metadata/records.ts, kept as
// two tiny functions here so protocol/ does not import metadata/).
import { ProtocolEncodeError } from '../errors.js';

export const uuidBytes = 16;
/** Kafka's Uuid.ZERO_UUID, the default of every uuid field. */
export const zeroUuid = 'AAAAAAAAAAAAAAAAAAAAAA';

export function uuidFromBytes(buf: Buffer, start: number): string {
  return buf.toString('base64url', start, start + uuidBytes);
}

export function uuidToBytes(id: string): Buffer {
  const b = Buffer.from(id, 'base64url');
  if (b.length !== uuidBytes || id.length !== 22) throw new ProtocolEncodeError(`"${id}" is not a 22-character base64url UUID`);
  return b;
}
