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
import { definitions, resolveSchema, type Definitions, type Schema } from './schema.js';

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
  const defs = definitions();
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const name = gvkIndex(defs).get(`${group}/${version}/${kind}`);
  return name ? { name, schema: defs[name] } : undefined;
}

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
  walk(found.schema, obj, [], definitions(), out);
  return out;
}

/**
 * walk pushes the unknown fields under `value` onto `out`. The path is a
 * stack of segments (`spec`, `.containers`, `[0]`) joined only for a
 * finding, since most writes have none.
 */
function walk(schema: Schema, value: unknown, path: string[], defs: Definitions, out: string[]): void {
  // Scalars have no fields: nothing to look up.
  if (value === null || typeof value !== 'object') return;
  const s = resolveSchema(schema, defs);
  if (s['x-kubernetes-preserve-unknown-fields']) return;
  if (Array.isArray(value)) {
    if (!s.items) return;
    for (let i = 0; i < value.length; i++) {
      path.push(`[${i}]`);
      walk(s.items, value[i], path, defs, out);
      path.pop();
    }
    return;
  }
  if (!isPlainObject(value)) return;
  const additional = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
  if (!s.properties && !additional) return;
  for (const key of Object.keys(value)) {
    path.push(path.length ? `.${key}` : key);
    const prop = s.properties ? (s.properties[key] ?? additional) : additional;
    if (prop) walk(prop, value[key], path, defs, out);
    else if (s.additionalProperties !== true) out.push(path.join(''));
    path.pop();
  }
}
