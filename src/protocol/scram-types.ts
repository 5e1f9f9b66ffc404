// Kafka's SCRAM vocabulary: the mechanism ids of (Alter|Describe)UserScramCredentials and their
// SASL names. The credential maths lives in src/security/scram.ts.

/** Kafka's ScramMechanism ids. */
export const ScramMechanism = { SCRAM_SHA_256: 1, SCRAM_SHA_512: 2 } as const;
export const scramMechanismNames: ReadonlyMap<number, string> = new Map([
  [ScramMechanism.SCRAM_SHA_256, 'SCRAM-SHA-256'],
  [ScramMechanism.SCRAM_SHA_512, 'SCRAM-SHA-512'],
]);
