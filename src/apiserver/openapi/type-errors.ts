// SPDX-License-Identifier: Apache-2.0
/**
 * Wrongly typed fields, reported as upstream's decoders report them. A
 * create or update body is decoded by encoding/json into the Go type, which
 * stops at the first mismatch with `json: cannot unmarshal string into Go
 * struct field ObjectMeta.metadata.labels of type map[string]string`; a
 * strategic merge patch result goes through the unstructured converter,
 * whose words are `cannot restore map from string`. The kind's OpenAPI
 * schema stands in for the Go type. Types with their own JSON decoding
 * (Quantity, IntOrString, Time, RawExtension) are left to validation.
 */
import { isPlainObject } from '../../api/index.js';
import { definitions, resolveSchema, type Definitions, type Schema } from './schema.js';
import { schemaFor } from './unknown-fields.js';
import { isInherited, nodeOf, type SchemaNode } from './schema-nodes.js';

/** TypeMismatch is the first field whose JSON type the Go type cannot take. */
export interface TypeMismatch {
  /** JSON path from the root without list indices, as encoding/json's Field (`spec.containers.name`). */
  field: string;
  /** The Go struct holding the field (`Container`). */
  struct: string;
  /** The Go type of the field (`map[string]string`, `int32`, `[]v1.Container`, `v1.PodSpec`). */
  goType: string;
  /** encoding/json's name of the value: string, number (with its text for a fraction), bool, object, array. */
  jsonValue: string;
  /** The unstructured converter's message for the same mismatch. */
  converterMessage: string;
}

/** findTypeMismatch walks `obj` against the schema of apiVersion/kind and returns the first mismatch in document order. */
export function findTypeMismatch(apiVersion: string, kind: string, obj: unknown): TypeMismatch | undefined {
  const found = schemaFor(apiVersion, kind);
  if (!found) return undefined;
  const defs = definitions();
  return walk(nodeOf(kindRef(found.name), defs), obj, [], kind, defs);
}

/** Root `$ref`s by definition name: one schema object per kind, so its node is made once. */
const kindRefs = new Map<string, Schema>();

function kindRef(name: string): Schema {
  let ref = kindRefs.get(name);
  if (!ref) kindRefs.set(name, (ref = { $ref: `#/definitions/${name}` }));
  return ref;
}

/** decodeError is jsonDecodeMessage of the first mismatch of a body, or undefined when it decodes. */
export function decodeError(apiVersion: string, kind: string, obj: unknown): string | undefined {
  const m = findTypeMismatch(apiVersion, kind, obj);
  return m && jsonDecodeMessage(m);
}

/** jsonDecodeMessage is encoding/json's UnmarshalTypeError text. */
export function jsonDecodeMessage(m: TypeMismatch): string {
  return `json: cannot unmarshal ${m.jsonValue} into Go struct field ${m.struct}.${m.field} of type ${m.goType}`;
}

function refName(s: Schema): string | undefined {
  return s.$ref?.slice(s.$ref.lastIndexOf('/') + 1);
}

/** goTypeName renders the Go type a schema stands for (`v1.PodSpec` for io.k8s.api.core.v1.PodSpec). */
function goTypeName(schema: Schema, defs: Definitions): string {
  const ref = refName(schema);
  if (ref) {
    const parts = ref.split('.');
    const s = resolveSchema(schema, defs);
    if (s.type && s.type !== 'object') return goTypeName({ ...s, $ref: undefined }, defs);
    return parts.slice(-2).join('.');
  }
  switch (schema.type) {
    case 'string':
      return schema.format === 'byte' ? '[]uint8' : 'string';
    case 'integer':
      return schema.format === 'int32' ? 'int32' : 'int64';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    case 'array':
      return `[]${schema.items ? goTypeName(schema.items, defs) : 'interface {}'}`;
    case 'object':
      if (typeof schema.additionalProperties === 'object') return `map[string]${goTypeName(schema.additionalProperties, defs)}`;
      return 'map[string]interface {}';
    default:
      return 'interface {}';
  }
}

/** jsonName is encoding/json's word for a value's JSON type. */
function jsonName(v: unknown, intoInteger: boolean): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return intoInteger && !Number.isInteger(v) ? `number ${v}` : 'number';
  return Array.isArray(v) ? 'array' : 'object';
}

/** goKind is reflect.Kind of a value decoded into interface{} by Kubernetes' JSON decoder (integers as int64). */
function goKind(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  return Array.isArray(v) ? 'slice' : 'map';
}

/** scalarMismatch says whether a JSON value does not fit a scalar schema, with the converter's message. */
function scalarMismatch(schema: Schema, s: Schema, v: unknown, defs: Definitions): string | undefined {
  const kind = goKind(v);
  switch (s.type) {
    case 'string':
      if (kind === 'string') return undefined;
      // reflect: an int64 converts to a string (as a rune) and is refused by name; other kinds are not convertible.
      return kind === 'int64' ? `cannot convert int64 to ${goTypeName(schema, defs)}` : `unrecognized type: ${goTypeName(schema, defs)}`;
    case 'boolean':
      return kind === 'bool' ? undefined : `unrecognized type: ${goTypeName(schema, defs)}`;
    case 'integer':
      if (kind === 'int64') return undefined;
      if (kind === 'float64') return `cannot convert float64 to ${goTypeName(schema, defs)}`;
      return `unrecognized type: ${goTypeName(schema, defs)}`;
    case 'number':
      return kind === 'int64' || kind === 'float64' ? undefined : `unrecognized type: ${goTypeName(schema, defs)}`;
    default:
      return undefined;
  }
}

/**
 * walk finds the first mismatch under `value`. `path` is the field path as a
 * stack of names, joined only when a mismatch is reported: every write walks
 * its whole object, and most fit.
 */
function walk(node: SchemaNode, value: unknown, path: string[], struct: string, defs: Definitions): TypeMismatch | undefined {
  // null decodes to the zero value everywhere, as encoding/json does.
  if (value === null || value === undefined) return undefined;
  if (node.customDecoded || node.opaque) return undefined;
  if (node.type === 'array') {
    if (node.byteArray && typeof value === 'string') return undefined;
    if (!Array.isArray(value)) return mismatchAt(node, value, path, struct, defs, `cannot restore slice from ${goKind(value)}`);
    const items = node.items();
    if (!items) return undefined;
    for (const item of value) {
      const m = walk(items, item, path, struct, defs);
      if (m) return m;
    }
    return undefined;
  }
  if (node.type === 'object' || node.hasProperties) {
    const isStruct = node.hasProperties;
    if (!isPlainObject(value)) return mismatchAt(node, value, path, struct, defs, isStruct ? `cannot restore struct from: ${goKind(value)}` : `cannot restore map from ${goKind(value)}`);
    const childStruct = node.structName ?? struct;
    for (const key of Object.keys(value)) {
      let prop = node.property(key);
      // A name every object inherits (`constructor`) looked up in the properties found a function, which never mismatches.
      if (!prop && isInherited(node.resolved.properties, key)) continue;
      prop ??= node.additional();
      if (!prop) continue;
      path.push(key);
      const m = walk(prop, value[key], path, childStruct, defs);
      path.pop();
      if (m) return m;
    }
    return undefined;
  }
  const msg = scalarMismatch(node.source, node.resolved, value, defs);
  return msg ? mismatchAt(node, value, path, struct, defs, msg) : undefined;
}

/** mismatchAt describes the mismatch of `value` at `path`, naming the Go type. */
function mismatchAt(node: SchemaNode, value: unknown, path: string[], struct: string, defs: Definitions, converterMessage: string): TypeMismatch {
  return { field: path.join('.'), struct, goType: goTypeName(node.source, defs), jsonValue: jsonName(value, node.type === 'integer'), converterMessage };
}

/** goFormat prints a decoded JSON value as Go's `%+v` prints map[string]interface{} (sorted keys, no quotes). */
export function goFormat(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`;
  if (isPlainObject(v)) {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${goFormat(v[k])}`).join(' ')}]`;
  }
  return String(v);
}
