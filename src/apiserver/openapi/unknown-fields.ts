// SPDX-License-Identifier: Apache-2.0
/**
 * Server-side field validation (`fieldValidation=Strict|Warn`): finding the
 * fields of a request body that the kind's schema does not declare. Upstream
 * reports each as `unknown field "spec.replicasx"` (Strict fails the request
 * with `strict decoding error: unknown field ...`, Warn adds one Warning
 * header per field); the paths here use the same dotted form, with list
 * indices as `[0]`.
 */
import { isPlainObject } from '../../api/index.js';
import { definitions, type Definitions, type Schema } from './schema.js';
import { isInherited, nodeOf, type SchemaNode } from './schema-nodes.js';

let byGVK: Map<string, string> | undefined;

/** gvkIndex maps `group/version/kind` to a definition name, from `x-kubernetes-group-version-kind`. */
function gvkIndex(defs: Definitions): Map<string, string> {
  if (byGVK) return byGVK;
  byGVK = new Map();
  for (const [name, s] of Object.entries(defs)) {
    for (const g of s['x-kubernetes-group-version-kind'] ?? []) {
      const key = `${g.group}/${g.version}/${g.kind}`;
      // Kinds shared by every group (DeleteOptions, WatchEvent) list many GVKs; a kind's own definition wins.
      if (!byGVK.has(key)) byGVK.set(key, name);
    }
  }
  return byGVK;
}

/** SchemaRef is a kind's definition name and schema. */
export interface SchemaRef {
  name: string;
  schema: Schema;
}

/** schemaFor finds the schema of a kind as written in a manifest (`apps/v1`, `Deployment`). */
export function schemaFor(apiVersion: string, kind: string): SchemaRef | undefined {
  // Looked up on every write (twice): the answer per apiVersion and kind is kept (null: none).
  let byKind = found.get(apiVersion);
  if (!byKind) found.set(apiVersion, (byKind = new Map()));
  let ref = byKind.get(kind);
  if (ref === undefined) {
    const defs = definitions();
    const slash = apiVersion.indexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
    const name = gvkIndex(defs).get(`${group}/${version}/${kind}`);
    ref = name ? { name, schema: defs[name] } : null;
    // apiVersions and kinds come from request bodies: keep the map from growing without bound.
    if (byKind.size >= 256) byKind.clear();
    if (found.size >= 256) found.clear();
    byKind.set(kind, ref);
  }
  return ref ?? undefined;
}

const found = new Map<string, Map<string, SchemaRef | null>>();

/**
 * findUnknownFields lists the fields of `obj` that the schema of
 * apiVersion/kind does not declare, as `spec.template.spec.containers[0].imagex`.
 * Maps (additionalProperties), free-form objects (no declared properties,
 * like RawExtension and FieldsV1) and `x-kubernetes-preserve-unknown-fields`
 * accept anything. An unknown kind yields no findings: the caller decides
 * whether the kind itself is acceptable. Type mismatches are not reported
 * here; validation does that.
 */
export function findUnknownFields(apiVersion: string, kind: string, obj: unknown): string[] {
  const found = schemaFor(apiVersion, kind);
  if (!found) return [];
  const out: string[] = [];
  walk(nodeOf(found.schema, definitions()), obj, [], out);
  return out;
}

/**
 * walk pushes the unknown fields under `value` onto `out`. The path is a
 * stack of segments (`spec`, `.containers`, `[0]`) joined only for a
 * finding, since most writes have none.
 */
function walk(node: SchemaNode, value: unknown, path: string[], out: string[]): void {
  // Scalars have no fields: nothing to look up.
  if (value === null || typeof value !== 'object') return;
  if (node.preserveUnknown) return;
  if (Array.isArray(value)) {
    const items = node.items();
    if (!items) return;
    for (let i = 0; i < value.length; i++) {
      path.push(`[${i}]`);
      walk(items, value[i], path, out);
      path.pop();
    }
    return;
  }
  if (!isPlainObject(value)) return;
  const additional = node.additional();
  if (!node.hasProperties && !additional) return;
  for (const key of Object.keys(value)) {
    let prop = additional;
    if (node.hasProperties) {
      const declared = node.property(key);
      // A name every object inherits (`constructor`) looked up in the properties found a function, which has no fields.
      if (!declared && isInherited(node.resolved.properties, key)) continue;
      prop = declared ?? additional;
    }
    path.push(path.length ? `.${key}` : key);
    if (prop) walk(prop, value[key], path, out);
    else if (!node.additionalAny) out.push(path.join(''));
    path.pop();
  }
}
