// The one interpreter that encodes and decodes any message schema (schema/dsl.ts) at any
// version. Flexible versions (>= the message's flexibleFrom) switch strings, bytes and arrays to
// their compact forms and add a tagged-fields section to the end of every struct.
//
// Rules (Kafka's generated code does the same):
// - A field outside its version range is not on the wire: decode fills Kafka's default (explicit
//   schema default, else 0 / "" / false / [] / empty bytes / null records / zero uuid / a struct of
//   defaults); encode skips it.
// - A tagged field is written only when its value differs from the default; unknown tags are
//   skipped on decode.
// - A nullable struct field is preceded by an int8 marker (-1 null, 1 present), as Kafka writes it.
// - Trailing bytes after a message are not an error (Kafka ignores them too).
// - Decoding throws only ProtocolDecodeError; encoding throws only ProtocolEncodeError.
// Per (struct, version, flexible) the list of fields on the wire is computed once and cached, so
// the hot paths (Produce decode, Fetch encode) do no range checks per field per message.
import { ProtocolDecodeError, ProtocolEncodeError } from '../errors.js';
import type { Reader } from '../primitives/reader.js';
import { Writer } from '../primitives/writer.js';
import { zeroUuid } from '../primitives/uuid.js';
import {
  inRange,
  type FieldSpec,
  type MessageInput,
  type MessageSchema,
  type MessageValue,
  type StructBase,
  type TypeSpec,
} from './dsl.js';

interface FieldPlan {
  readonly field: FieldSpec;
  readonly nullable: boolean;
}

interface StructPlan {
  /** Every field of the struct in schema order, with whether it is on the wire untagged. */
  readonly all: readonly { readonly field: FieldSpec; readonly regular: FieldPlan | null }[];
  readonly regular: readonly FieldPlan[];
  /** Tagged fields of this version, sorted by tag. */
  readonly tagged: readonly FieldPlan[];
  readonly byTag: ReadonlyMap<number, FieldPlan>;
}

type Obj = Record<string, unknown>;

const plans = new WeakMap<StructBase, Map<number, StructPlan>>();

function planFor(s: StructBase, version: number, flexible: boolean): StructPlan {
  let byVersion = plans.get(s);
  if (byVersion === undefined) {
    byVersion = new Map();
    plans.set(s, byVersion);
  }
  const key = version * 2 + (flexible ? 1 : 0);
  let plan = byVersion.get(key);
  if (plan === undefined) {
    plan = buildPlan(s, version, flexible);
    byVersion.set(key, plan);
  }
  return plan;
}

function buildPlan(s: StructBase, version: number, flexible: boolean): StructPlan {
  const all: { field: FieldSpec; regular: FieldPlan | null }[] = [];
  const regular: FieldPlan[] = [];
  const tagged: FieldPlan[] = [];
  for (const field of s.fields) {
    const present = inRange(field.versions, version);
    const fp: FieldPlan = { field, nullable: inRange(field.nullableVersions, version) };
    if (present && field.tag === null) {
      regular.push(fp);
      all.push({ field, regular: fp });
    } else {
      if (present && flexible) tagged.push(fp);
      all.push({ field, regular: null });
    }
  }
  tagged.sort((a, b) => (a.field.tag ?? 0) - (b.field.tag ?? 0));
  return { all, regular, tagged, byTag: new Map(tagged.map((t) => [t.field.tag ?? -1, t])) };
}

// ---- defaults --------------------------------------------------------------------------------

function defaultOfType(t: TypeSpec): unknown {
  switch (t) {
    case 'bool':
      return false;
    case 'int8':
    case 'int16':
    case 'int32':
    case 'int64':
    case 'uint16':
    case 'uint32':
    case 'float64':
      return 0;
    case 'string':
      return '';
    case 'bytes':
      return Buffer.alloc(0);
    case 'records':
      return null;
    case 'uuid':
      return zeroUuid;
    default:
      if (t.kind === 'array') return [];
      return defaultStruct(t);
  }
}

/** Kafka's default for a field: the explicit schema default, else the type's zero value. */
export function defaultValueOf(f: FieldSpec): unknown {
  return defaultOf(f);
}

function defaultOf(f: FieldSpec): unknown {
  return f.hasDefault ? f.defaultValue : defaultOfType(f.type);
}

function defaultStruct(s: StructBase): Obj {
  const out: Obj = {};
  for (const f of s.fields) out[f.name] = defaultOf(f);
  return out;
}

function isDefault(f: FieldSpec, v: unknown): boolean {
  if (v === undefined) return true;
  const d = defaultOf(f);
  if (v === null || d === null) return v === d;
  if (typeof f.type === 'string') {
    if (Buffer.isBuffer(v)) return v.length === 0 && Buffer.isBuffer(d);
    return v === d;
  }
  if (f.type.kind === 'array') return Array.isArray(v) && v.length === 0 && Array.isArray(d);
  const o = v as Obj;
  return f.type.fields.every((sf) => isDefault(sf, o[sf.name]));
}

// ---- decode ----------------------------------------------------------------------------------

function decodeValue(t: TypeSpec, nullable: boolean, version: number, flexible: boolean, r: Reader): unknown {
  switch (t) {
    case 'bool':
      return r.bool();
    case 'int8':
      return r.int8();
    case 'int16':
      return r.int16();
    case 'int32':
      return r.int32();
    case 'int64':
      return r.int64();
    case 'uint16':
      return r.uint16();
    case 'uint32':
      return r.uint32();
    case 'float64':
      return r.float64();
    case 'uuid':
      return r.uuid();
    case 'string':
      if (flexible) return nullable ? r.compactNullableString() : r.compactString();
      return nullable ? r.nullableString() : r.string();
    case 'bytes':
    case 'records':
      if (flexible) return nullable ? r.compactNullableBytes() : r.compactBytes();
      return nullable ? r.nullableBytes() : r.bytes();
    default: {
      if (t.kind === 'struct') {
        // A nullable struct (DescribeTopicPartitions' Cursor) starts with an int8: -1 null, 1 present.
        if (nullable && r.int8() < 0) return null;
        return decodeStruct(t, version, flexible, r);
      }
      const n = r.arrayLength(flexible);
      if (n === -1) {
        if (nullable) return null;
        throw new ProtocolDecodeError('non-nullable array is null');
      }
      const out = new Array<unknown>(n);
      const of = t.of;
      for (let i = 0; i < n; i++) out[i] = decodeValue(of, false, version, flexible, r);
      return out;
    }
  }
}

function decodeStruct(s: StructBase, version: number, flexible: boolean, r: Reader): Obj {
  const plan = planFor(s, version, flexible);
  const out: Obj = {};
  for (const { field, regular } of plan.all) {
    out[field.name] =
      regular === null ? defaultOf(field) : decodeValue(field.type, regular.nullable, version, flexible, r);
  }
  if (flexible) {
    // Fast path: an empty tagged-fields section (the common case) needs no callback.
    if (r.pos < r.end && r.buf[r.pos] === 0) {
      r.pos++;
      return out;
    }
    r.taggedFields((tag, fr) => {
      const fp = plan.byTag.get(tag);
      if (fp !== undefined) out[fp.field.name] = decodeValue(fp.field.type, fp.nullable, version, flexible, fr);
    });
  }
  return out;
}

// ---- encode ----------------------------------------------------------------------------------

function encodeValue(
  t: TypeSpec,
  nullable: boolean,
  version: number,
  flexible: boolean,
  v: unknown,
  w: Writer,
  path: string,
): void {
  if (v === null) {
    if (!nullable) throw new ProtocolEncodeError(`${path} is null but not nullable in version ${version}`);
    if (typeof t === 'string') {
      if (t === 'string') flexible ? w.compactNullableString(null) : w.nullableString(null);
      else if (t === 'bytes' || t === 'records') flexible ? w.compactNullableBytes(null) : w.nullableBytes(null);
      else throw new ProtocolEncodeError(`${path}: ${t} cannot be null`);
      return;
    }
    if (t.kind === 'array') {
      w.arrayLength(null, flexible);
      return;
    }
    w.int8(-1);
    return;
  }
  switch (t) {
    case 'bool':
      w.bool(v as boolean);
      return;
    case 'int8':
      w.int8(v as number);
      return;
    case 'int16':
      w.int16(v as number);
      return;
    case 'int32':
      w.int32(v as number);
      return;
    case 'int64':
      w.int64(v as number);
      return;
    case 'uint16':
      w.uint16(v as number);
      return;
    case 'uint32':
      w.uint32(v as number);
      return;
    case 'float64':
      w.float64(v as number);
      return;
    case 'uuid':
      w.uuid(v as string);
      return;
    case 'string':
      if (typeof v !== 'string') throw new ProtocolEncodeError(`${path} must be a string`);
      flexible ? w.compactString(v) : w.string(v);
      return;
    case 'bytes':
    case 'records':
      if (!(v instanceof Uint8Array)) throw new ProtocolEncodeError(`${path} must be a Buffer`);
      flexible ? w.compactBytes(v) : w.bytes(v);
      return;
    default: {
      if (t.kind === 'struct') {
        if (nullable) w.int8(1);
        encodeStruct(t, version, flexible, v as Obj, w, path);
        return;
      }
      if (!Array.isArray(v)) throw new ProtocolEncodeError(`${path} must be an array`);
      w.arrayLength(v.length, flexible);
      for (let i = 0; i < v.length; i++) encodeValue(t.of, false, version, flexible, v[i], w, path);
    }
  }
}

function encodeStruct(s: StructBase, version: number, flexible: boolean, value: Obj, w: Writer, path: string): void {
  if (typeof value !== 'object' || value === null) throw new ProtocolEncodeError(`${path} must be an object`);
  const plan = planFor(s, version, flexible);
  for (const fp of plan.regular) {
    const f = fp.field;
    let v = value[f.name];
    if (v === undefined) {
      if (!f.isOptional) throw new ProtocolEncodeError(`${path}.${f.name} is missing (version ${version})`);
      v = defaultOf(f);
    }
    encodeValue(f.type, fp.nullable, version, flexible, v, w, `${path}.${f.name}`);
  }
  if (!flexible) return;
  if (plan.tagged.length === 0) {
    w.emptyTaggedFields();
    return;
  }
  const present = plan.tagged.filter((fp) => !isDefault(fp.field, value[fp.field.name]));
  w.unsignedVarint(present.length);
  for (const fp of present) {
    const tmp = new Writer(64);
    encodeValue(fp.field.type, fp.nullable, version, flexible, value[fp.field.name], tmp, `${path}.${fp.field.name}`);
    const bytes = tmp.toBuffer();
    w.unsignedVarint(fp.field.tag ?? 0);
    w.unsignedVarint(bytes.length);
    w.raw(bytes);
  }
}

// ---- entry points ----------------------------------------------------------------------------

export function isFlexible(schema: MessageSchema, version: number): boolean {
  return version >= schema.flexibleFrom;
}

/** Decodes one message body at `version` from the reader's position. */
export function decodeMessage<M extends MessageSchema>(schema: M, version: number, r: Reader): MessageValue<M> {
  try {
    return decodeStruct(schema.struct, version, isFlexible(schema, version), r) as MessageValue<M>;
  } catch (e) {
    if (e instanceof ProtocolDecodeError)
      throw new ProtocolDecodeError(`${schema.name} v${version}: ${e.message}`, e.errorCode);
    throw e;
  }
}

/** Appends one message body at `version` to the writer (a new one when not given) and returns it. */
export function encodeMessage<M extends MessageSchema>(
  schema: M,
  version: number,
  value: MessageInput<M>,
  w: Writer = new Writer(),
): Writer {
  try {
    encodeStruct(schema.struct, version, isFlexible(schema, version), value as Obj, w, schema.name);
    return w;
  } catch (e) {
    if (e instanceof ProtocolEncodeError) throw new ProtocolEncodeError(`${schema.name} v${version}: ${e.message}`);
    // Buffer's own range checks (an int16 given 70000, a non-number) are encode errors too.
    if (e instanceof RangeError || e instanceof TypeError)
      throw new ProtocolEncodeError(`${schema.name} v${version}: ${e.message}`);
    throw e;
  }
}
