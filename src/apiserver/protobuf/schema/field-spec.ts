// SPDX-License-Identifier: Apache-2.0
/**
 * The notation of our protobuf field tables and its parser.
 *
 * Each message is one string of space-separated fields `json=number:type[mod]`:
 * - `json` is the field's name in the Kubernetes JSON API; `*` marks an
 *   embedded Go struct whose fields are inlined into the parent's JSON
 *   (`Volume` inlines `VolumeSource`, `Probe` inlines `ProbeHandler`); `@`
 *   marks a wrapper message whose JSON is just that field (go-to-protobuf
 *   wraps named slices such as `ExtraValue []string` in a message).
 * - `type` is a scalar (`string bool int32 int64 uint32 uint64 double float
 *   bytes`), a type with its own JSON form (`time microtime duration quantity
 *   intorstring json`), or a message name, qualified with its package alias
 *   (`meta.ObjectMeta`) unless it lives in the same package. `[]T` is a
 *   repeated field, `{T}` a map from string to T.
 * - `mod` says when a single field appears in the JSON. The Go structs behind
 *   the Kubernetes protos always marshal non-pointer fields, even when they
 *   hold the zero value, so presence on the wire only means something for
 *   pointers: `?` (a Go pointer) emits whatever was sent, including 0 and
 *   false; no mod (a value with `omitempty`) drops zero values as Go's JSON
 *   encoder would; `!` (a value without `omitempty`) always emits.
 */

/** SchemaPackage is one API group version's message table. */
export interface SchemaPackage {
  /** pkg is the alias other tables use to refer to these messages (`core`, `meta`). */
  pkg: string;
  /** apiVersion is how objects of this package name their group and version. */
  apiVersion: string;
  /** kinds are the top-level objects that may arrive in a request body. */
  kinds: readonly string[];
  messages: Readonly<Record<string, string>>;
}

/** ScalarType lists the proto scalar types the tables use. */
export type ScalarType = 'string' | 'bool' | 'int32' | 'int64' | 'uint32' | 'uint64' | 'double' | 'float' | 'bytes';

/** SpecialType lists apimachinery types whose JSON form is not their proto shape. */
export type SpecialType = 'time' | 'microtime' | 'duration' | 'quantity' | 'intorstring' | 'json';

/** Presence says when a decoded single field is written to the JSON object (see the notation above). */
export type Presence = 'pointer' | 'omitempty' | 'always';

/** FieldType is a scalar, a special type, or a reference to a message by qualified name. */
export type FieldType = { scalar: ScalarType } | { special: SpecialType } | { message: string };

/** FieldSpec describes one field of a message. */
export interface FieldSpec {
  number: number;
  /** json is the JSON name, `*` for an inlined struct, `@` for a wrapper's only field. */
  json: string;
  type: FieldType;
  cardinality: 'single' | 'repeated' | 'map';
  presence: Presence;
}

/** MessageSpec maps field numbers to fields. */
export type MessageSpec = ReadonlyMap<number, FieldSpec>;

const SCALARS = new Set<string>(['string', 'bool', 'int32', 'int64', 'uint32', 'uint64', 'double', 'float', 'bytes']);
const SPECIALS = new Set<string>(['time', 'microtime', 'duration', 'quantity', 'intorstring', 'json']);
const FIELD = /^([A-Za-z0-9_]+|\*|@)=(\d+):(\[\]|\{)?([A-Za-z0-9_.]+)(\})?([?!]?)$/;

/** parseMessageSpec turns one message's notation into a field map; `pkg` qualifies unqualified message names. */
export function parseMessageSpec(pkg: string, text: string): MessageSpec {
  const fields = new Map<number, FieldSpec>();
  for (const token of text.split(' ')) {
    if (token === '') continue;
    const m = FIELD.exec(token);
    if (!m || (m[3] === '{') !== (m[5] === '}')) throw new Error(`bad protobuf field notation ${JSON.stringify(token)} in package ${pkg}`);
    const [, json, num, container, typeName, , mod] = m as unknown as [string, string, string, string | undefined, string, string | undefined, string];
    const number = Number(num);
    if (fields.has(number)) throw new Error(`duplicate field number ${number} in package ${pkg}: ${text}`);
    fields.set(number, {
      number,
      json,
      type: fieldType(pkg, typeName),
      cardinality: container === '[]' ? 'repeated' : container === '{' ? 'map' : 'single',
      presence: mod === '?' ? 'pointer' : mod === '!' ? 'always' : 'omitempty',
    });
  }
  return fields;
}

function fieldType(pkg: string, name: string): FieldType {
  if (SCALARS.has(name)) return { scalar: name as ScalarType };
  if (SPECIALS.has(name)) return { special: name as SpecialType };
  return { message: name.includes('.') ? name : `${pkg}.${name}` };
}
