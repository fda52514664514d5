// SPDX-License-Identifier: Apache-2.0
/**
 * The swagger 2.0 document as gnostic's `openapi.v2.Document` protobuf
 * message, the form client-go's discovery asks /openapi/v2 for
 * (`application/com.github.proto-openapi.spec.v2@v1.0+protobuf`). kubectl
 * decodes it with gnostic and builds its client-side validation schema from
 * `definitions` (kube-openapi `proto.NewOpenAPIData`), reading vendor
 * extensions such as `x-kubernetes-group-version-kind` from `Any.yaml`.
 *
 * The mapping follows gnostic's compiler from JSON: maps become repeated
 * `Named*` (name, value) pairs in document order, `$ref` is the `_ref` field,
 * `type` is a `TypeItem` list, `items` an `ItemsItem` list, oneofs
 * (parameter kinds, additionalProperties, `$ref` or value) pick their member
 * from the JSON shape, and every `x-` key becomes a `NamedAny` whose YAML is
 * the value written as JSON (JSON is YAML, and quoting keeps YAML 1.1 from
 * reading strings like `no` as booleans). Field numbers are gnostic's
 * OpenAPIv2.proto. Not encoded: `xml` on schemas and the OAuth2 security
 * schemes, which our document does not use.
 */
import { ProtobufWriter } from './protobuf-writer.js';

/** Json is one JSON object of the swagger document. */
type Json = Record<string, unknown>;

const asObject = (v: unknown): Json | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);
const asString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const asNumber = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const asBool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);
const asStrings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** encodeGnosticDocument encodes a swagger 2.0 document (parsed JSON) as gnostic's `openapi.v2.Document`. */
export function encodeGnosticDocument(doc: Json): Buffer {
  const w = new ProtobufWriter()
    .string(1, asString(doc.swagger))
    .message(2, optional(doc.info, info))
    .string(3, asString(doc.host))
    .string(4, asString(doc.basePath))
    .strings(5, asStrings(doc.schemes))
    .strings(6, asStrings(doc.consumes))
    .strings(7, asStrings(doc.produces))
    .message(8, optional(doc.paths, paths))
    .message(9, optional(doc.definitions, (d) => named(d, schema).finish()))
    .message(10, optional(doc.parameters, (p) => named(p, parameter).finish()))
    .message(11, optional(doc.responses, (r) => named(r, response).finish()));
  for (const s of asList(doc.security)) w.message(12, securityRequirement(asObject(s) ?? {}));
  w.message(13, optional(doc.securityDefinitions, (d) => named(d, securityScheme).finish()));
  for (const t of asList(doc.tags)) w.message(14, tagMessage(asObject(t) ?? {}));
  w.message(15, optional(doc.externalDocs, externalDocs));
  return vendorExtensions(w, 16, doc).finish();
}

/** optional encodes v with encode when it is a JSON object. */
function optional(v: unknown, encode: (o: Json) => Buffer): Buffer | undefined {
  const o = asObject(v);
  return o ? encode(o) : undefined;
}

/**
 * named encodes a JSON map as a message whose field 1 repeats `Named*`
 * {name = 1, value = 2} entries, which is how gnostic writes every map
 * without vendor extensions (Definitions, Properties, Headers, ...).
 */
function named(map: Json, encode: (o: Json) => Buffer, field = 1, w = new ProtobufWriter()): ProtobufWriter {
  for (const [name, value] of Object.entries(map)) {
    w.message(field, new ProtobufWriter().string(1, name).message(2, encode(asObject(value) ?? {})).finish());
  }
  return w;
}

/** vendorExtensions writes every `x-` key of o as a NamedAny entry of field. */
function vendorExtensions(w: ProtobufWriter, field: number, o: Json): ProtobufWriter {
  for (const [name, value] of Object.entries(o)) {
    if (name.startsWith('x-')) w.message(field, new ProtobufWriter().string(1, name).message(2, anyValue(value)).finish());
  }
  return w;
}

/** anyValue is gnostic's `Any`: the value as YAML text (field 2); the protobuf Any (field 1) stays unset, as gnostic leaves it. */
function anyValue(value: unknown): Buffer {
  return new ProtobufWriter().string(2, `${JSON.stringify(value)}\n`).finish();
}

function withoutExtensions(o: Json): Json {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !k.startsWith('x-')));
}

function info(o: Json): Buffer {
  const w = new ProtobufWriter()
    .string(1, asString(o.title))
    .string(2, asString(o.version))
    .string(3, asString(o.description))
    .string(4, asString(o.termsOfService))
    .message(5, optional(o.contact, (c) => vendorExtensions(new ProtobufWriter().string(1, asString(c.name)).string(2, asString(c.url)).string(3, asString(c.email)), 4, c).finish()))
    .message(6, optional(o.license, (l) => vendorExtensions(new ProtobufWriter().string(1, asString(l.name)).string(2, asString(l.url)), 3, l).finish()));
  return vendorExtensions(w, 7, o).finish();
}

function externalDocs(o: Json): Buffer {
  return vendorExtensions(new ProtobufWriter().string(1, asString(o.description)).string(2, asString(o.url)), 3, o).finish();
}

function tagMessage(o: Json): Buffer {
  const w = new ProtobufWriter().string(1, asString(o.name)).string(2, asString(o.description)).message(3, optional(o.externalDocs, externalDocs));
  return vendorExtensions(w, 4, o).finish();
}

// ---- schemas ----

/** schema encodes a Schema object (definitions, properties, body and response schemas). */
function schema(s: Json): Buffer {
  const w = new ProtobufWriter().string(1, asString(s.$ref)).string(2, asString(s.format)).string(3, asString(s.title)).string(4, asString(s.description));
  if ('default' in s) w.message(5, anyValue(s.default));
  w.double(6, asNumber(s.multipleOf)).double(7, asNumber(s.maximum)).bool(8, asBool(s.exclusiveMaximum)).double(9, asNumber(s.minimum)).bool(10, asBool(s.exclusiveMinimum));
  w.int64(11, asNumber(s.maxLength)).int64(12, asNumber(s.minLength)).string(13, asString(s.pattern)).int64(14, asNumber(s.maxItems)).int64(15, asNumber(s.minItems));
  w.bool(16, asBool(s.uniqueItems)).int64(17, asNumber(s.maxProperties)).int64(18, asNumber(s.minProperties)).strings(19, asStrings(s.required));
  for (const e of asList(s.enum)) w.message(20, anyValue(e));
  w.message(21, additionalProperties(s.additionalProperties));
  if (s.type !== undefined) w.message(22, new ProtobufWriter().strings(1, asStrings(s.type)).finish());
  if (s.items !== undefined) w.message(23, itemsItem(s.items));
  for (const sub of asList(s.allOf)) w.message(24, schema(asObject(sub) ?? {}));
  w.message(25, optional(s.properties, (p) => named(p, schema).finish()));
  w.string(26, asString(s.discriminator)).bool(27, asBool(s.readOnly)).message(29, optional(s.externalDocs, externalDocs));
  if ('example' in s) w.message(30, anyValue(s.example));
  return vendorExtensions(w, 31, s).finish();
}

/** additionalProperties is the AdditionalPropertiesItem oneof: a schema (1) or a boolean (2). */
function additionalProperties(v: unknown): Buffer | undefined {
  if (typeof v === 'boolean') return new ProtobufWriter().oneofBool(2, v).finish();
  const o = asObject(v);
  return o ? new ProtobufWriter().message(1, schema(o)).finish() : undefined;
}

/** itemsItem lists the item schemas; swagger allows one schema or an array of them. */
function itemsItem(v: unknown): Buffer {
  const w = new ProtobufWriter();
  for (const item of Array.isArray(v) ? v : [v]) w.message(1, schema(asObject(item) ?? {}));
  return w.finish();
}

// ---- paths and operations ----

const METHOD_FIELDS: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8 };

/** paths encodes the Paths message: vendor extensions (1) and NamedPathItem entries (2). */
function paths(o: Json): Buffer {
  const w = vendorExtensions(new ProtobufWriter(), 1, o);
  return named(withoutExtensions(o), pathItem, 2, w).finish();
}

function pathItem(o: Json): Buffer {
  const w = new ProtobufWriter().string(1, asString(o.$ref));
  for (const [method, field] of Object.entries(METHOD_FIELDS)) w.message(field, optional(o[method], operation));
  for (const p of asList(o.parameters)) w.message(9, parametersItem(asObject(p) ?? {}));
  return vendorExtensions(w, 10, o).finish();
}

function operation(o: Json): Buffer {
  const w = new ProtobufWriter()
    .strings(1, asStrings(o.tags))
    .string(2, asString(o.summary))
    .string(3, asString(o.description))
    .message(4, optional(o.externalDocs, externalDocs))
    .string(5, asString(o.operationId))
    .strings(6, asStrings(o.produces))
    .strings(7, asStrings(o.consumes));
  for (const p of asList(o.parameters)) w.message(8, parametersItem(asObject(p) ?? {}));
  w.message(9, optional(o.responses, responses)).strings(10, asStrings(o.schemes)).bool(11, asBool(o.deprecated));
  for (const s of asList(o.security)) w.message(12, securityRequirement(asObject(s) ?? {}));
  return vendorExtensions(w, 13, o).finish();
}

/** jsonReference is gnostic's JsonReference {_ref = 1, description = 2}. */
function jsonReference(o: Json): Buffer {
  return new ProtobufWriter().string(1, asString(o.$ref)).string(2, asString(o.description)).finish();
}

/** parametersItem is the oneof of a Parameter (1) or a JsonReference (2). */
function parametersItem(p: Json): Buffer {
  if (typeof p.$ref === 'string') return new ProtobufWriter().message(2, jsonReference(p)).finish();
  return new ProtobufWriter().message(1, parameter(p)).finish();
}

/**
 * parameter is the oneof of a BodyParameter (1) or a NonBodyParameter (2),
 * itself a oneof by `in`. The four non-body sub-schemas share one field
 * layout: required, in, description, name, (allowEmptyValue for query and
 * formData), then the primitive fields, then vendor extensions.
 */
function parameter(p: Json): Buffer {
  if (p.in === 'body') {
    const body = new ProtobufWriter().string(1, asString(p.description)).string(2, asString(p.name)).string(3, 'body').bool(4, asBool(p.required));
    body.message(5, optional(p.schema, schema));
    return new ProtobufWriter().message(1, vendorExtensions(body, 6, p).finish()).finish();
  }
  const oneof = ({ header: 1, formData: 2, query: 3, path: 4 } as Record<string, number>)[asString(p.in) ?? ''] ?? 3;
  const hasAllowEmpty = oneof === 2 || oneof === 3;
  const sub = new ProtobufWriter().bool(1, asBool(p.required)).string(2, asString(p.in)).string(3, asString(p.description)).string(4, asString(p.name));
  if (hasAllowEmpty) sub.bool(5, asBool(p.allowEmptyValue));
  const next = primitiveFields(sub, p, hasAllowEmpty ? 6 : 5);
  const nonBody = new ProtobufWriter().message(oneof, vendorExtensions(sub, next, p).finish()).finish();
  return new ProtobufWriter().message(2, nonBody).finish();
}

/**
 * primitiveFields writes the seventeen fields every primitive-typed message
 * (non-body parameters, PrimitivesItems, Header) lists in the same order from
 * `type` to `multipleOf`, starting at field number first. It returns the next
 * free field number.
 */
function primitiveFields(w: ProtobufWriter, o: Json, first: number): number {
  w.string(first, asString(o.type)).string(first + 1, asString(o.format));
  w.message(first + 2, optional(o.items, primitivesItems)).string(first + 3, asString(o.collectionFormat));
  if ('default' in o) w.message(first + 4, anyValue(o.default));
  w.double(first + 5, asNumber(o.maximum)).bool(first + 6, asBool(o.exclusiveMaximum)).double(first + 7, asNumber(o.minimum)).bool(first + 8, asBool(o.exclusiveMinimum));
  w.int64(first + 9, asNumber(o.maxLength)).int64(first + 10, asNumber(o.minLength)).string(first + 11, asString(o.pattern));
  w.int64(first + 12, asNumber(o.maxItems)).int64(first + 13, asNumber(o.minItems)).bool(first + 14, asBool(o.uniqueItems));
  for (const e of asList(o.enum)) w.message(first + 15, anyValue(e));
  w.double(first + 16, asNumber(o.multipleOf));
  return first + 17;
}

function primitivesItems(o: Json): Buffer {
  const w = new ProtobufWriter();
  return vendorExtensions(w, primitiveFields(w, o, 1), o).finish();
}

function header(o: Json): Buffer {
  const w = new ProtobufWriter();
  const next = primitiveFields(w, o, 1);
  return vendorExtensions(w.string(next, asString(o.description)), next + 1, o).finish();
}

/** responses encodes Responses: NamedResponseValue entries (1), each a Response (1) or a JsonReference (2), and vendor extensions (2). */
function responses(o: Json): Buffer {
  const w = named(withoutExtensions(o), (r) => (typeof r.$ref === 'string' ? new ProtobufWriter().message(2, jsonReference(r)) : new ProtobufWriter().message(1, response(r))).finish());
  return vendorExtensions(w, 2, o).finish();
}

/** response encodes a Response; its schema is a SchemaItem oneof: a Schema (1) or, for `type: file`, a FileSchema (2). */
function response(o: Json): Buffer {
  const s = asObject(o.schema);
  const schemaItem = s ? new ProtobufWriter().message(s.type === 'file' ? 2 : 1, s.type === 'file' ? fileSchema(s) : schema(s)).finish() : undefined;
  const w = new ProtobufWriter().string(1, asString(o.description)).message(2, schemaItem);
  w.message(3, optional(o.headers, (h) => named(h, header).finish()));
  w.message(4, optional(o.examples, (e) => anyMap(e)));
  return vendorExtensions(w, 5, o).finish();
}

function fileSchema(s: Json): Buffer {
  const w = new ProtobufWriter().string(1, asString(s.format)).string(2, asString(s.title)).string(3, asString(s.description));
  if ('default' in s) w.message(4, anyValue(s.default));
  w.strings(5, asStrings(s.required)).string(6, 'file').bool(7, asBool(s.readOnly)).message(8, optional(s.externalDocs, externalDocs));
  if ('example' in s) w.message(9, anyValue(s.example));
  return vendorExtensions(w, 10, s).finish();
}

/** anyMap encodes a map of arbitrary values as NamedAny entries of field 1 (Examples, Default). */
function anyMap(o: Json): Buffer {
  const w = new ProtobufWriter();
  for (const [name, value] of Object.entries(o)) w.message(1, new ProtobufWriter().string(1, name).message(2, anyValue(value)).finish());
  return w.finish();
}

// ---- security ----

/** securityRequirement maps a scheme name to its scopes: NamedStringArray entries whose value is a StringArray. */
function securityRequirement(o: Json): Buffer {
  const w = new ProtobufWriter();
  for (const [name, scopes] of Object.entries(o)) {
    const value = new ProtobufWriter().strings(1, asStrings(scopes)).finish();
    w.message(1, new ProtobufWriter().string(1, name).message(2, value).finish());
  }
  return w.finish();
}

/** securityScheme is the SecurityDefinitionsItem oneof; only basic (1) and apiKey (2) are encoded. */
function securityScheme(o: Json): Buffer {
  if (o.type === 'basic') {
    const basic = new ProtobufWriter().string(1, 'basic').string(2, asString(o.description));
    return new ProtobufWriter().message(1, vendorExtensions(basic, 3, o).finish()).finish();
  }
  if (o.type !== 'apiKey') return Buffer.alloc(0);
  const apiKey = new ProtobufWriter().string(1, 'apiKey').string(2, asString(o.name)).string(3, asString(o.in)).string(4, asString(o.description));
  return new ProtobufWriter().message(2, vendorExtensions(apiKey, 5, o).finish()).finish();
}
