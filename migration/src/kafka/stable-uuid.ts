// Deterministic Kafka-style UUIDs (22-char base64url of 16 bytes) for things ZooKeeper gives no
// id: ACL bindings, and topics whose znode predates topic ids. Deterministic so that translating
// the same ZooKeeper data twice gives the same records (a second apply changes nothing).
import { createHash } from 'node:crypto';

export function stableUuid(...parts: readonly string[]): string {
  const b = createHash('sha256').update(parts.join('\u0000')).digest().subarray(0, 16);
  b[0] = b[0]! & 0x7f; // never starts with '-' (Kafka re-draws those: they read as CLI flags)
  if (b.every((x, i) => (i === 15 ? x <= 1 : x === 0))) b[15] = 2; // never Uuid.ZERO or Uuid.ONE (reserved)
  return Buffer.from(b).toString('base64url');
}
