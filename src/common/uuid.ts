// Kafka-style UUIDs: 16 random bytes shown as unpadded base64url (22 characters), the way Java
// shows them. The one place that converts between the 16 bytes (Kafka wire, metadata records,
// gRPC fields) and the string; protocol/, metadata/, server/ and cli/ use it.
import { randomBytes } from 'node:crypto';
import { asBuffer } from './bytes.js';

/** A new random UUID, never starting with '-' (Kafka re-draws those, they read as flags). */
export function randomUuid(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export const uuidBytes = 16;

/** The id held by the 16 bytes at `start` of `buf`; throws RangeError when they are not there. */
export function uuidFromBytes(buf: Uint8Array, start = 0): string {
  if (start + uuidBytes > buf.length) throw new RangeError(`a UUID needs 16 bytes, got ${buf.length - start}`);
  return asBuffer(buf).toString('base64url', start, start + uuidBytes);
}

/** An id's 16 bytes; throws RangeError when `id` is not 22 base64url characters. */
export function uuidToBytes(id: string): Buffer {
  const b = Buffer.from(id, 'base64url');
  if (b.length !== uuidBytes || id.length !== 22) throw new RangeError(`"${id}" is not a 16-byte UUID`);
  return b;
}

export function isValidUuid(id: string): boolean {
  return /^[A-Za-z0-9_-]{22}$/.test(id) && Buffer.from(id, 'base64url').length === 16;
}
