// Kafka-style UUIDs: 16 random bytes shown as unpadded base64url (22 characters).
import { randomBytes } from 'node:crypto';

/** A new random UUID, never starting with '-' (Kafka re-draws those, they read as flags). */
export function randomUuid(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export function isValidUuid(id: string): boolean {
  return /^[A-Za-z0-9_-]{22}$/.test(id) && Buffer.from(id, 'base64url').length === 16;
}
