// SPDX-License-Identifier: Apache-2.0
/**
 * Turns a protobuf-encoded Kubernetes message into the JSON-shaped object the
 * rest of the apiserver handles, driven by the field tables in ./schema.
 * The result is what upstream would produce by decoding into the Go struct
 * and marshalling that to JSON: zero-valued non-pointer fields are left out
 * (see the presence rules in schema/field-spec.ts), inlined structs are
 * flattened, and the special apimachinery types take their JSON form.
 */
import { MESSAGES, type FieldSpec, type ScalarType } from './schema/index.js';
import { readSpecialValue, toSafeNumber } from './special-values.js';
import { WireError, WireReader, WireType } from './wire-reader.js';

/** DecodeContext collects what a decode noticed but did not fail on. */
export interface DecodeContext {
  /** unknownFields lists fields whose number the table does not know, as `path: field N`. */
  unknownFields: string[];
}

/** Objects this deep are malicious or broken; refuse them before the stack does. */
const MAX_DEPTH = 64;

/** decodeMessage reads a whole message of the named type. A `@` wrapper message yields its only field's value. */
export function decodeMessage(r: WireReader, message: string, path: string, ctx: DecodeContext, depth = 0): unknown {
  const spec = MESSAGES.get(message);
  if (!spec) throw new WireError(`no protobuf schema for message ${message}`);
  if (depth > MAX_DEPTH) throw new WireError(`objects nested deeper than ${MAX_DEPTH} levels at ${path || '<root>'}`);
  const out: Record<string, unknown> = {};
  while (!r.done) {
    const tag = r.readTag();
    const field = spec.get(tag.field);
    if (!field) {
      ctx.unknownFields.push(`${path || '<root>'}: field ${tag.field}`);
      r.skip(tag.wireType, tag.field);
      continue;
    }
    const fieldPath = field.json === '*' || field.json === '@' ? path : path ? `${path}.${field.json}` : field.json;
    if (field.cardinality === 'map') readMapEntry(r, tag.wireType, field, out, fieldPath, ctx, depth);
    else if (field.cardinality === 'repeated') readRepeated(r, tag.wireType, field, out, fieldPath, ctx, depth);
    else readSingle(r, tag.wireType, field, out, fieldPath, ctx, depth);
  }
  if (spec.size === 1 && spec.get(1)?.json === '@') return out['@'] ?? [];
  return out;
}

function readSingle(r: WireReader, wireType: number, field: FieldSpec, out: Record<string, unknown>, path: string, ctx: DecodeContext, depth: number): void {
  const value = readValue(r, wireType, field, path, ctx, depth);
  if (field.json === '*') {
    Object.assign(out, value);
    return;
  }
  if (value === undefined || (field.presence === 'omitempty' && isZero(value))) delete out[field.json];
  else out[field.json] = value;
}

function readRepeated(r: WireReader, wireType: number, field: FieldSpec, out: Record<string, unknown>, path: string, ctx: DecodeContext, depth: number): void {
  const list = (out[field.json] ??= []) as unknown[];
  // proto2 repeated scalars arrive one per tag, but a packed run (one
  // length-delimited field of back-to-back values) is legal for any numeric type.
  if (wireType === WireType.LengthDelimited && 'scalar' in field.type && isNumeric(field.type.scalar)) {
    const packed = r.readMessage();
    while (!packed.done) list.push(readScalar(packed, field.type.scalar));
    return;
  }
  const value = readValue(r, wireType, field, `${path}[${list.length}]`, ctx, depth);
  list.push(value ?? null);
}

/** Kubernetes maps are repeated entry messages: 1 key (string), 2 value. A missing value is the zero value. */
function readMapEntry(r: WireReader, wireType: number, field: FieldSpec, out: Record<string, unknown>, path: string, ctx: DecodeContext, depth: number): void {
  expectWireType(wireType, WireType.LengthDelimited, path);
  const entry = r.readMessage();
  let key = '';
  let value: unknown;
  while (!entry.done) {
    const tag = entry.readTag();
    if (tag.field === 1 && tag.wireType === WireType.LengthDelimited) key = entry.readString();
    else if (tag.field === 2) value = readValue(entry, tag.wireType, field, `${path}[${key}]`, ctx, depth);
    else entry.skip(tag.wireType, tag.field);
  }
  const map = (out[field.json] ??= {}) as Record<string, unknown>;
  map[key] = value ?? zeroValue(field);
}

function readValue(r: WireReader, wireType: number, field: FieldSpec, path: string, ctx: DecodeContext, depth: number): unknown {
  const t = field.type;
  if ('scalar' in t) {
    expectWireType(wireType, scalarWireType(t.scalar), path);
    return readScalar(r, t.scalar);
  }
  expectWireType(wireType, WireType.LengthDelimited, path);
  if ('special' in t) return readSpecialValue(r.readMessage(), t.special);
  return decodeMessage(r.readMessage(), t.message, path, ctx, depth + 1);
}

function readScalar(r: WireReader, type: ScalarType): unknown {
  switch (type) {
    case 'string':
      return r.readString();
    case 'bytes':
      // []byte is base64 in Kubernetes JSON (Secret.data, ConfigMap.binaryData).
      return Buffer.from(r.readBytes()).toString('base64');
    case 'bool':
      return r.readBool();
    case 'int32':
      return r.readInt32();
    case 'uint32':
      return r.readUint32();
    case 'int64':
      return toSafeNumber(r.readInt64());
    case 'uint64':
      return toSafeNumber(r.readUint64());
    case 'double':
      return r.readDouble();
    case 'float':
      return r.readFloat();
  }
}

function scalarWireType(type: ScalarType): number {
  if (type === 'string' || type === 'bytes') return WireType.LengthDelimited;
  if (type === 'double') return WireType.Fixed64;
  if (type === 'float') return WireType.Fixed32;
  return WireType.Varint;
}

function isNumeric(type: ScalarType): boolean {
  return type !== 'string' && type !== 'bytes';
}

function expectWireType(got: number, want: number, path: string): void {
  if (got !== want) throw new WireError(`field ${path || '<root>'} has wire type ${got}, expected ${want}`);
}

/** isZero is Go's "empty value" for omitempty, extended to IntOrString (0 and "" mean unset to upstream defaulting). */
function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

function zeroValue(field: FieldSpec): unknown {
  const t = field.type;
  if ('scalar' in t) return t.scalar === 'string' || t.scalar === 'bytes' ? '' : t.scalar === 'bool' ? false : 0;
  if ('special' in t) return t.special === 'quantity' ? '0' : null;
  return {};
}
