// Kafka UUIDs (topic ids) on the wire are 16 raw bytes; raftka shows them the way Java does:
// unpadded URL-safe base64, 22 characters. The conversion itself is src/common/uuid.ts; this file
// adds what only the protocol needs: the zero uuid and the encoder's typed error.
import { ProtocolEncodeError } from '../errors.js';
import { uuidToBytes } from '../../common/uuid.js';

export { uuidBytes, uuidFromBytes } from '../../common/uuid.js';
/** Kafka's Uuid.ZERO_UUID, the default of every uuid field. */
export const zeroUuid = 'AAAAAAAAAAAAAAAAAAAAAA';

/** uuidToBytes for an encoder: a malformed id is a ProtocolEncodeError. */
export function uuidToWireBytes(id: string): Buffer {
  try {
    return uuidToBytes(id);
  } catch {
    throw new ProtocolEncodeError(`"${id}" is not a 22-character base64url UUID`);
  }
}
