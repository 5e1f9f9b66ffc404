// SCRAM credentials on the active controller (KIP-554): AlterUserScramCredentials (upsert with a
// client-salted password, or delete) and DescribeUserScramCredentials. The controller never sees
// a password: the client sends salt + SaltedPassword = Hi(password, salt, iterations) and the
// controller stores StoredKey and ServerKey (src/security/scram.ts), as RFC 5802 and Kafka do.
// Pure: records + answers.
import { ErrorCode } from '../common/errors.js';
import { scramKey, type MetadataImage } from '../metadata/image.js';
import type { MetadataRecord } from '../metadata/records.js';
import { scramMechanismNames } from '../protocol/scram-types.js';
import {
  isScramMechanism,
  scramIterationsMax,
  scramIterationsMin,
  scramKeys,
  type ScramDeletion,
  type ScramUpsertion,
} from '../security/scram.js';
import type { Decision } from './cluster-control.js';

export interface ScramAlterResult {
  readonly user: string;
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

function problem(
  image: MetadataImage,
  op: ScramDeletion | ScramUpsertion,
  isDeletion: boolean,
): [number, string] | null {
  if (op.name === '') return [ErrorCode.UNACCEPTABLE_CREDENTIAL, 'the user name is empty'];
  if (!isScramMechanism(op.mechanism))
    return [
      ErrorCode.UNSUPPORTED_SASL_MECHANISM,
      `unknown SCRAM mechanism ${op.mechanism} (1 SCRAM-SHA-256, 2 SCRAM-SHA-512)`,
    ];
  if (isDeletion) {
    if (!image.scram.has(scramKey(op.name, op.mechanism)))
      return [
        ErrorCode.RESOURCE_NOT_FOUND,
        `user ${op.name} has no ${scramMechanismNames.get(op.mechanism)} credential to delete`,
      ];
    return null;
  }
  const u = op as ScramUpsertion;
  if (u.iterations < scramIterationsMin)
    return [ErrorCode.UNACCEPTABLE_CREDENTIAL, `too few iterations: ${u.iterations} < ${scramIterationsMin}`];
  if (u.iterations > scramIterationsMax)
    return [ErrorCode.UNACCEPTABLE_CREDENTIAL, `too many iterations: ${u.iterations} > ${scramIterationsMax}`];
  if (u.salt.length === 0) return [ErrorCode.UNACCEPTABLE_CREDENTIAL, 'the salt is empty'];
  if (u.saltedPassword.length === 0) return [ErrorCode.UNACCEPTABLE_CREDENTIAL, 'the salted password is empty'];
  return null;
}

/**
 * One result per user named in the request. A user whose operations include any failure gets
 * that error and none of its operations is written; as in Kafka, a user may appear at most once
 * per mechanism across deletions and upsertions (DUPLICATE_RESOURCE).
 */
export function alterUserScramCredentials(
  image: MetadataImage,
  deletions: readonly ScramDeletion[],
  upsertions: readonly ScramUpsertion[],
): Decision<readonly ScramAlterResult[]> {
  const users: string[] = [];
  const failures = new Map<string, [number, string]>();
  const recordsByUser = new Map<string, MetadataRecord[]>();
  const seen = new Set<string>();
  const consider = (op: ScramDeletion | ScramUpsertion, isDeletion: boolean): void => {
    if (!users.includes(op.name)) users.push(op.name);
    if (failures.has(op.name)) return;
    const key = scramKey(op.name, op.mechanism);
    const p = seen.has(key)
      ? ([ErrorCode.DUPLICATE_RESOURCE, `user ${op.name} is altered twice for one mechanism in the same request`] as [
          number,
          string,
        ])
      : problem(image, op, isDeletion);
    seen.add(key);
    if (p) {
      failures.set(op.name, p);
      return;
    }
    const list = recordsByUser.get(op.name) ?? [];
    if (isDeletion) list.push({ type: 'removeUserScramCredential', name: op.name, mechanism: op.mechanism });
    else {
      const u = op as ScramUpsertion;
      list.push({
        type: 'userScramCredential',
        name: u.name,
        mechanism: u.mechanism,
        salt: u.salt,
        iterations: u.iterations,
        ...scramKeys(u.mechanism, u.saltedPassword),
      });
    }
    recordsByUser.set(op.name, list);
  };
  for (const d of deletions) consider(d, true);
  for (const u of upsertions) consider(u, false);
  const records: MetadataRecord[] = [];
  const response = users.map((user) => {
    const f = failures.get(user);
    if (f) return { user, errorCode: f[0], errorMessage: f[1] };
    for (const r of recordsByUser.get(user) ?? []) records.push(r);
    return { user, errorCode: ErrorCode.NONE, errorMessage: null };
  });
  return { records, response };
}

interface ScramDescription {
  readonly user: string;
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly credentials: readonly { mechanism: number; iterations: number }[];
}

/** `users` null or empty: every user with a credential. */
export function describeUserScramCredentials(
  image: MetadataImage,
  users: readonly string[] | null,
): readonly ScramDescription[] {
  const byUser = new Map<string, { mechanism: number; iterations: number }[]>();
  for (const c of image.scram.values()) {
    const list = byUser.get(c.name) ?? [];
    list.push({ mechanism: c.mechanism, iterations: c.iterations });
    byUser.set(c.name, list);
  }
  for (const list of byUser.values()) list.sort((a, b) => a.mechanism - b.mechanism);
  if (!users || users.length === 0)
    return [...byUser.keys()]
      .sort()
      .map((user) => ({ user, errorCode: ErrorCode.NONE, errorMessage: null, credentials: byUser.get(user)! }));
  const counts = new Map<string, number>();
  for (const u of users) counts.set(u, (counts.get(u) ?? 0) + 1);
  return [...counts.keys()].map((user) => {
    if (counts.get(user)! > 1)
      return {
        user,
        errorCode: ErrorCode.DUPLICATE_RESOURCE,
        errorMessage: `user ${user} is named more than once`,
        credentials: [],
      };
    const creds = byUser.get(user);
    if (!creds)
      return {
        user,
        errorCode: ErrorCode.RESOURCE_NOT_FOUND,
        errorMessage: `user ${user} has no SCRAM credential`,
        credentials: [],
      };
    return { user, errorCode: ErrorCode.NONE, errorMessage: null, credentials: creds };
  });
}
