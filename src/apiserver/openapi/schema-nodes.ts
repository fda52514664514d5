// SPDX-License-Identifier: Apache-2.0
/**
 * SchemaNode is a schema of the definitions as the body walks read it (type
 * mismatches, unknown fields): its `$ref` resolved once, the extensions they
 * test read once, and its properties in a Map. Every create and update walks
 * its whole body against the same few definitions; definitions parsed from
 * JSON are hundreds of differently shaped objects, and reading a dozen
 * properties of each at every level of every body is most of a walk's time.
 * Nodes are made on first use and kept for the process (the definitions
 * are read once and never change).
 */
import { resolveSchema, type Definitions, type Schema } from './schema.js';

/** CUSTOM_DECODED names the types with their own JSON decoding (Quantity, IntOrString, Time, RawExtension, ...). */
const CUSTOM_DECODED = /(resource\.Quantity|intstr\.IntOrString|v1\.Time|v1\.MicroTime|runtime\.RawExtension|v1\.FieldsV1|v1\.Duration)$/;

export class SchemaNode {
  /** source is the schema as referred to (a `$ref` for named types); resolved is what it stands for. */
  readonly source: Schema;
  readonly resolved: Schema;
  readonly #defs: Definitions;
  /** customDecoded: the `$ref` names a type whose own UnmarshalJSON decides (encoding/json does not check it). */
  readonly customDecoded: boolean;
  /** opaque: preserve-unknown-fields, int-or-string or date-time; encoding/json's type check stops here. */
  readonly opaque: boolean;
  readonly preserveUnknown: boolean;
  readonly type: Schema['type'];
  readonly byteArray: boolean;
  readonly hasProperties: boolean;
  /** additionalAny: `additionalProperties: true`. */
  readonly additionalAny: boolean;
  /** structName is the Go struct a named object type decodes into (`Container`), when it has properties. */
  readonly structName: string | undefined;
  #properties: Map<string, SchemaNode> | undefined;
  #additional: SchemaNode | null | undefined;
  #items: SchemaNode | null | undefined;

  constructor(source: Schema, defs: Definitions) {
    const s = resolveSchema(source, defs);
    this.source = source;
    this.resolved = s;
    this.#defs = defs;
    this.customDecoded = source.$ref !== undefined && CUSTOM_DECODED.test(source.$ref);
    this.preserveUnknown = !!s['x-kubernetes-preserve-unknown-fields'];
    this.opaque = this.preserveUnknown || !!s['x-kubernetes-int-or-string'] || s.format === 'int-or-string' || s.format === 'date-time';
    this.type = s.type;
    this.byteArray = s.format === 'byte';
    this.hasProperties = !!s.properties;
    this.additionalAny = s.additionalProperties === true;
    const ref = source.$ref?.slice(source.$ref.lastIndexOf('/') + 1);
    this.structName = s.properties && ref ? ref.slice(ref.lastIndexOf('.') + 1) : undefined;
  }

  /**
   * property is the schema of a declared field. `inherited` is a name an
   * object literal answers from its prototype (`constructor`, `toString`):
   * a plain lookup in the definitions finds a function there, which never
   * has fields or a type, and the walks have always treated it so.
   */
  property(name: string): SchemaNode | undefined {
    const props = this.resolved.properties;
    if (!props) return undefined;
    this.#properties ??= new Map();
    let node = this.#properties.get(name);
    if (node === undefined && Object.prototype.hasOwnProperty.call(props, name)) {
      node = nodeOf(props[name], this.#defs);
      this.#properties.set(name, node);
    }
    return node;
  }

  /** additional is the schema of a map's values (`additionalProperties` as a schema). */
  additional(): SchemaNode | undefined {
    if (this.#additional === undefined) {
      const a = this.resolved.additionalProperties;
      this.#additional = typeof a === 'object' ? nodeOf(a, this.#defs) : null;
    }
    return this.#additional ?? undefined;
  }

  items(): SchemaNode | undefined {
    if (this.#items === undefined) this.#items = this.resolved.items ? nodeOf(this.resolved.items, this.#defs) : null;
    return this.#items ?? undefined;
  }
}

/** INHERITED tells a name found on every object's prototype chain (see SchemaNode.property). */
export function isInherited(props: Record<string, unknown> | undefined, name: string): boolean {
  return !!props && name in props && !Object.prototype.hasOwnProperty.call(props, name);
}

const nodes = new WeakMap<Schema, SchemaNode>();

/** nodeOf is the node of a schema object of `defs`, made once. */
export function nodeOf(schema: Schema, defs: Definitions): SchemaNode {
  let node = nodes.get(schema);
  if (!node) nodes.set(schema, (node = new SchemaNode(schema, defs)));
  return node;
}
