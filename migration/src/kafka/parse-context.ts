// Shared plumbing of the layout parsers: the znode source, the problem list, and JSON znode
// reading that turns unparseable data into a malformed_json problem at the znode's path
// instead of an exception (bad data in ZooKeeper is the operator's to fix, not a crash).
import { asBuffer } from '../../../src/common/bytes.js';
import type { Problem, Severity } from '../problems.js';
import type { ZnodeSource } from '../zk/znode-tree.js';

type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };
export type JsonObject = { [k: string]: JsonValue };

export class ParseContext {
  readonly problems: Problem[] = [];

  constructor(readonly zk: ZnodeSource) {}

  report(severity: Severity, code: string, path: string, message: string): void {
    this.problems.push({ severity, code, path, message });
  }

  async text(path: string): Promise<string | null> {
    const n = await this.zk.get(path);
    if (!n || n.data === null) return null;
    return asBuffer(n.data).toString('utf8');
  }

  /**
   * The znode's JSON, or: undefined when the znode is absent or holds null/empty data; null
   * when it is malformed (a malformed_json problem has been reported, naming `entity`).
   */
  async json(path: string, entity: string, severity: Severity = 'error'): Promise<JsonValue | undefined | null> {
    const text = await this.text(path);
    if (text === null || text === '') return undefined;
    try {
      return JSON.parse(text) as JsonValue;
    } catch (err) {
      this.report(
        severity,
        'malformed_json',
        path,
        `${entity}: the znode does not hold valid JSON (${err instanceof Error ? err.message : String(err)})`,
      );
      return null;
    }
  }

  /** Like json() but requires an object; a non-object is an invalid_znode problem (returns null). */
  async object(path: string, entity: string, severity: Severity = 'error'): Promise<JsonObject | undefined | null> {
    const v = await this.json(path, entity, severity);
    if (v === undefined || v === null) return v;
    if (!isObject(v)) {
      this.report(severity, 'invalid_znode', path, `${entity}: expected a JSON object`);
      return null;
    }
    return v;
  }
}

export function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isIntArray(v: JsonValue | undefined): v is number[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isInteger(x));
}

/** An int given as a JSON number or a decimal string (Kafka writes both). */
export function intOf(v: JsonValue | undefined): number | null {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v) && Number.isSafeInteger(Number(v))) return Number(v);
  return null;
}

/** Sanitizer.desanitize: URL decoding of entity names (user principals, client ids). */
export function desanitize(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

/** A config znode's `config` map; null when the shape is wrong (problem reported). */
export function configMapOf(
  ctx: ParseContext,
  path: string,
  entity: string,
  obj: JsonObject,
  severity: Severity = 'error',
): Map<string, string> | null {
  const cfg = obj['config'];
  if (cfg === undefined) return new Map();
  if (!isObject(cfg)) {
    ctx.report(severity, 'invalid_znode', path, `${entity}: "config" must be an object`);
    return null;
  }
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(cfg)) {
    if (typeof v !== 'string') {
      ctx.report(severity, 'invalid_znode', path, `${entity}: value of ${k} must be a string`);
      return null;
    }
    out.set(k, v);
  }
  return out;
}
