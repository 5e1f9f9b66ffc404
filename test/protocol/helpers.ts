// Test helpers for the protocol codecs: hex, a seeded RNG, a schema-driven random value
// generator and `project` (what a value looks like after a round trip at a given version).
import { defaultValueOf, isFlexible } from '../../src/protocol/schema/codec.js';
import {
  inRange,
  type FieldSpec,
  type MessageSchema,
  type StructBase,
  type TypeSpec,
} from '../../src/protocol/schema/dsl.js';

export function hex(...parts: string[]): Buffer {
  const s = parts.join('').replace(/\s+/g, '');
  if (!/^([0-9a-f]{2})*$/i.test(s)) throw new Error(`bad hex: ${s}`);
  return Buffer.from(s, 'hex');
}

/** mulberry32: small, fast, seeded. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Obj = Record<string, unknown>;
type Rand = () => number;

function int(r: Rand, min: number, max: number): number {
  return min + Math.floor(r() * (max - min + 1));
}

function randomString(r: Rand): string {
  const alphabet = ['a', 'b', 'z', '-', '.', '_', '0', 'é', '日', '🙂'];
  let s = '';
  const n = int(r, 0, 8);
  for (let i = 0; i < n; i++) s += alphabet[int(r, 0, alphabet.length - 1)];
  return s;
}

function randomBytes(r: Rand): Buffer {
  const n = int(r, 0, 12);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = int(r, 0, 255);
  return b;
}

function sampleType(t: TypeSpec, version: number, flexible: boolean, r: Rand, all: boolean): unknown {
  switch (t) {
    case 'bool':
      return r() < 0.5;
    case 'int8':
      return int(r, -128, 127);
    case 'int16':
      return int(r, -32768, 32767);
    case 'int32':
      return int(r, -2147483648, 2147483647);
    case 'int64': {
      const pick = r();
      if (pick < 0.3) return int(r, -2, 2);
      if (pick < 0.6) return int(r, 0, 2 ** 40);
      return int(r, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    }
    case 'uint16':
      return int(r, 0, 65535);
    case 'uint32':
      return int(r, 0, 4294967295);
    case 'float64':
      return r() * 1e6;
    case 'string':
      return randomString(r);
    case 'bytes':
    case 'records':
      return randomBytes(r);
    case 'uuid':
      return randomBytes16(r).toString('base64url');
    default:
      if (t.kind === 'struct') return sampleStructValue(t, version, flexible, r, all);
      return Array.from({ length: int(r, 0, 3) }, () => sampleType(t.of, version, flexible, r, all));
  }
}

function randomBytes16(r: Rand): Buffer {
  const b = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) b[i] = int(r, 0, 255);
  return b;
}

function onWire(f: FieldSpec, version: number, flexible: boolean): boolean {
  return inRange(f.versions, version) && (f.tag === null || flexible);
}

/**
 * A random value of a struct at a version. With `all`, every field gets a random value even when
 * the version does not carry it (to test that encode skips it and decode restores the default);
 * without, absent fields hold their default.
 */
function sampleStructValue(s: StructBase, version: number, flexible: boolean, r: Rand, all: boolean): Obj {
  const out: Obj = {};
  for (const f of s.fields) {
    const present = onWire(f, version, flexible);
    if (!present && !all) {
      out[f.name] = defaultValueOf(f);
      continue;
    }
    const nullable = present ? inRange(f.nullableVersions, version) : f.isNullable;
    out[f.name] = nullable && r() < 0.2 ? null : sampleType(f.type, version, flexible, r, all);
  }
  return out;
}

export function sampleMessage(schema: MessageSchema, version: number, r: Rand, all = false): Obj {
  return sampleStructValue(schema.struct, version, isFlexible(schema, version), r, all);
}

function projectType(t: TypeSpec, version: number, flexible: boolean, v: unknown): unknown {
  if (v === null || typeof t === 'string') return v;
  if (t.kind === 'array') return (v as unknown[]).map((e) => projectType(t.of, version, flexible, e));
  return projectStruct(t, version, flexible, v as Obj);
}

function projectStruct(s: StructBase, version: number, flexible: boolean, v: Obj): Obj {
  const out: Obj = {};
  for (const f of s.fields) {
    out[f.name] = onWire(f, version, flexible)
      ? projectType(f.type, version, flexible, v[f.name] === undefined ? defaultValueOf(f) : v[f.name])
      : defaultValueOf(f);
  }
  return out;
}

/** What decode(encode(value, version)) must return: absent fields replaced by their defaults. */
export function project(schema: MessageSchema, version: number, value: unknown): Obj {
  return projectStruct(schema.struct, version, isFlexible(schema, version), value as Obj);
}
