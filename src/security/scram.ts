// SCRAM credentials (RFC 5802, as Kafka keeps them): the client salts the password,
// SaltedPassword = Hi(password, salt, iterations), and only StoredKey = H(HMAC(SaltedPassword,
// "Client Key")) and ServerKey = HMAC(SaltedPassword, "Server Key") are stored. Clients (the CLI)
// compute saltedPassword; the controller derives the keys it writes to the metadata log. The
// maths is scram-exchange.ts's; this file maps Kafka's mechanism ids onto it.
import { ScramMechanism } from '../protocol/scram-types.js';
import { type ScramHash, scramKeysOf, scramSaltedPassword } from './scram-exchange.js';

const hashOf: ReadonlyMap<number, ScramHash> = new Map([
  [ScramMechanism.SCRAM_SHA_256, 'sha256'],
  [ScramMechanism.SCRAM_SHA_512, 'sha512'],
]);

/** Kafka's bounds on SCRAM iterations. */
export const scramIterationsMin = 4096;
export const scramIterationsMax = 16384;

export interface ScramDeletion {
  readonly name: string;
  readonly mechanism: number;
}
export interface ScramUpsertion extends ScramDeletion {
  readonly iterations: number;
  readonly salt: Uint8Array;
  readonly saltedPassword: Uint8Array;
}

/** Whether `mechanism` is a SCRAM mechanism id we can compute credentials for. */
export function isScramMechanism(mechanism: number): boolean {
  return hashOf.has(mechanism);
}

/** The hash of a SCRAM mechanism id. */
export function scramHashOf(mechanism: number): ScramHash {
  const hash = hashOf.get(mechanism);
  if (!hash) throw new Error(`unknown SCRAM mechanism ${mechanism}`);
  return hash;
}

/** Hi(password, salt, i) of RFC 5802, i.e. PBKDF2 with the mechanism's HMAC; for clients (the CLI). */
export function saltedPassword(mechanism: number, password: string, salt: Uint8Array, iterations: number): Buffer {
  return scramSaltedPassword(scramHashOf(mechanism), password, salt, iterations);
}

export function scramKeys(mechanism: number, salted: Uint8Array): { storedKey: Buffer; serverKey: Buffer } {
  return scramKeysOf(scramHashOf(mechanism), salted);
}
