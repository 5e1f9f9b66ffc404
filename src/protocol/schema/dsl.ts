// The schema language for Kafka messages: a message is a struct, a struct is an ordered list of
// fields, a field has a type, the versions it exists in, the versions in which it may be null,
// an optional tag (tagged field in flexible versions) and Kafka's default value.
//
// Schemas are written by hand per API in src/protocol/messages/ from the public protocol facts
// (field order, types, version ranges, defaults). The TypeScript types of decoded values are
// *derived* from the schema (MessageValue / MessageInput), so a schema and its interface can
// never disagree.
//
// Version ranges are written like Kafka's: "0+", "3-7", "5", "none".
// Wire names are camelCased: ThrottleTimeMs → throttleTimeMs.

type Prim =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint16'
  | 'uint32'
  | 'float64'
  | 'string'
  | 'bytes'
  | 'records'
  | 'uuid';

interface VersionRange {
  readonly min: number;
  readonly max: number; // Infinity for "N+"; min > max for "none"
}

interface ArrayBase {
  readonly kind: 'array';
  readonly of: TypeSpec;
}

export interface StructBase {
  readonly kind: 'struct';
  readonly fields: readonly FieldSpec[];
}

export type TypeSpec = Prim | ArrayBase | StructBase;

interface ArraySpec<E extends TypeSpec> extends ArrayBase {
  readonly of: E;
}

interface StructSpec<F extends readonly FieldSpec[]> extends StructBase {
  readonly fields: F;
}

export interface FieldSpec {
  readonly name: string;
  readonly type: TypeSpec;
  readonly versions: VersionRange;
  /** Versions in which null is allowed (intersected with `versions`); null = never. */
  readonly nullableVersions: VersionRange | null;
  /** Tag number when this is a tagged field (only in flexible versions). */
  readonly tag: number | null;
  /** True when the schema gives an explicit default. */
  readonly hasDefault: boolean;
  readonly defaultValue: unknown;
  /** Type-level markers (also set at runtime): may be null in some version; may be omitted on
   * encode (it has a default, is tagged, or is marked optional). */
  readonly isNullable: boolean;
  readonly isOptional: boolean;
}

interface Field<N extends string, T extends TypeSpec, Nl extends boolean, Op extends boolean> extends FieldSpec {
  readonly name: N;
  readonly type: T;
  readonly isNullable: Nl;
  readonly isOptional: Op;
}

interface FieldOptions {
  /** Versions in which the field may be null, e.g. "1+". */
  readonly nullable?: string;
  /** Tagged field number (the field is tagged in every flexible version it exists in). */
  readonly tag?: number;
  /** Kafka's default when the field is absent; a field with a default may be omitted on encode. */
  readonly default?: number | string | boolean | null;
  /** May be omitted on encode (Kafka's implicit default is written), without declaring a default. */
  readonly optional?: true;
}

export interface MessageSchema<F extends readonly FieldSpec[] = readonly FieldSpec[]> {
  readonly name: string;
  /** First flexible version (compact encodings + tagged fields); Infinity when none. */
  readonly flexibleFrom: number;
  readonly struct: StructSpec<F>;
}

function parseVersions(spec: string): VersionRange {
  if (spec === 'none') return { min: 1, max: 0 };
  let m = /^(\d+)\+$/.exec(spec);
  if (m) return { min: Number(m[1]), max: Infinity };
  m = /^(\d+)-(\d+)$/.exec(spec);
  if (m) return { min: Number(m[1]), max: Number(m[2]) };
  m = /^(\d+)$/.exec(spec);
  if (m) return { min: Number(m[1]), max: Number(m[1]) };
  throw new Error(`bad version range "${spec}"`);
}

export function inRange(r: VersionRange | null, v: number): boolean {
  return r !== null && v >= r.min && v <= r.max;
}

type IsNullable<O> = O extends { readonly nullable: string } ? true : false;
type IsOptional<O> = O extends { readonly default: unknown }
  ? true
  : O extends { readonly tag: number }
    ? true
    : O extends { readonly optional: true }
      ? true
      : false;

export function field<
  const N extends string,
  const T extends TypeSpec,
  const O extends FieldOptions = Record<never, never>,
>(name: N, type: T, versions: string, options?: O): Field<N, T, IsNullable<O>, IsOptional<O>> {
  const o: FieldOptions = options ?? {};
  const hasDefault = 'default' in o;
  return {
    name,
    type,
    versions: parseVersions(versions),
    nullableVersions: o.nullable === undefined ? null : parseVersions(o.nullable),
    tag: o.tag ?? null,
    hasDefault,
    defaultValue: hasDefault ? o.default : undefined,
    isNullable: (o.nullable !== undefined) as IsNullable<O>,
    isOptional: (hasDefault || o.tag !== undefined || o.optional === true) as IsOptional<O>,
  };
}

export function array<const E extends TypeSpec>(of: E): ArraySpec<E> {
  return { kind: 'array', of };
}

export function struct<const F extends readonly FieldSpec[]>(fields: F): StructSpec<F> {
  return { kind: 'struct', fields };
}

export function message<const F extends readonly FieldSpec[]>(
  name: string,
  flexibleVersions: string,
  fields: F,
): MessageSchema<F> {
  const flex = parseVersions(flexibleVersions);
  return { name, flexibleFrom: flex.min > flex.max ? Infinity : flex.min, struct: struct(fields) };
}

// ---- TypeScript types derived from schemas -------------------------------------------------

interface PrimValue {
  bool: boolean;
  int8: number;
  int16: number;
  int32: number;
  int64: number;
  uint16: number;
  uint32: number;
  float64: number;
  string: string;
  bytes: Buffer;
  records: Buffer | null;
  uuid: string;
}

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The decoded value of a type: every field present (absent ones hold Kafka's default). */
type ValueOf<T> = T extends Prim
  ? PrimValue[T]
  : T extends { readonly kind: 'array'; readonly of: infer E }
    ? ValueOf<E>[]
    : T extends { readonly kind: 'struct'; readonly fields: infer F extends readonly FieldSpec[] }
      ? StructValue<F>
      : never;

type FieldValue<K extends FieldSpec> = ValueOf<K['type']> | (K['isNullable'] extends true ? null : never);

type StructValue<F extends readonly FieldSpec[]> = Simplify<{ [K in F[number] as K['name']]: FieldValue<K> }>;

/** What an encoder accepts: like ValueOf, but fields with a default or a tag may be left out. */
type InputOf<T> = T extends Prim
  ? PrimValue[T]
  : T extends { readonly kind: 'array'; readonly of: infer E }
    ? readonly InputOf<E>[]
    : T extends { readonly kind: 'struct'; readonly fields: infer F extends readonly FieldSpec[] }
      ? StructInput<F>
      : never;

type FieldInput<K extends FieldSpec> = InputOf<K['type']> | (K['isNullable'] extends true ? null : never);

type StructInput<F extends readonly FieldSpec[]> = Simplify<
  { [K in F[number] as K['isOptional'] extends true ? never : K['name']]: FieldInput<K> } & {
    [K in F[number] as K['isOptional'] extends true ? K['name'] : never]?: FieldInput<K>;
  }
>;

export type MessageValue<M> = M extends MessageSchema<infer F> ? StructValue<F> : never;
export type MessageInput<M> = M extends MessageSchema<infer F> ? StructInput<F> : never;
