// Parsing of kafka-configs.sh style assignments, shared by the CLI tools: `k=v,k2=v2` where a
// value may be a bracketed list (`SCRAM-SHA-256=[iterations=8192,password=secret]`), and the
// client half of SCRAM (salting a password so the controller never sees it).
import { randomBytes } from 'node:crypto';
import { ScramMechanism } from '../protocol/scram-types.js';
import { saltedPassword, scramIterationsMin, type ScramUpsertion } from '../security/scram.js';

interface ConfigAssignment {
  readonly name: string;
  readonly value: string;
}

/** Split on commas outside brackets; each part is `name=value` (value may be `[...]`). */
export function parseConfigAssignments(text: string): ConfigAssignment[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) throw new Error(`unbalanced [ ] in "${text}"`);
  parts.push(text.slice(start));
  return parts
    .filter((p) => p.trim() !== '')
    .map((kv) => {
      const i = kv.indexOf('=');
      if (i <= 0) throw new Error(`expected k=v[,k=v...], got "${kv}"`);
      return { name: kv.slice(0, i).trim(), value: kv.slice(i + 1).trim() };
    });
}

/** The names of `--delete-config k[,k...]`, trimmed, empty ones dropped. */
export function parseConfigNames(text: string): string[] {
  return text
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
}

export const scramMechanismByName: ReadonlyMap<string, number> = new Map([
  ['SCRAM-SHA-256', ScramMechanism.SCRAM_SHA_256],
  ['SCRAM-SHA-512', ScramMechanism.SCRAM_SHA_512],
]);

/** `[iterations=N,password=P]` (or just `[password=P]`) for `user` → a salted upsertion. */
export function scramUpsertion(user: string, mechanismName: string, value: string): ScramUpsertion {
  const mechanism = scramMechanismByName.get(mechanismName);
  if (mechanism === undefined) throw new Error(`unknown SCRAM mechanism ${mechanismName}`);
  const inner = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  const fields = new Map(parseConfigAssignments(inner).map((a) => [a.name, a.value]));
  const password = fields.get('password');
  if (!password)
    throw new Error(`${mechanismName} needs password=..., e.g. ${mechanismName}=[iterations=8192,password=secret]`);
  const iterations = fields.has('iterations') ? Number(fields.get('iterations')) : scramIterationsMin;
  if (!Number.isInteger(iterations)) throw new Error(`${mechanismName} iterations must be a whole number`);
  const salt = randomBytes(32);
  return {
    name: user,
    mechanism,
    iterations,
    salt,
    saltedPassword: saltedPassword(mechanism, password, salt, iterations),
  };
}
