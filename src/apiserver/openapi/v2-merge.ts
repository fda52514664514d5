// SPDX-License-Identifier: Apache-2.0
/**
 * Merging an extension API server's swagger 2.0 document into /openapi/v2,
 * as kube-aggregator does with kube-openapi's aggregator: the extension's
 * document keeps only its paths under /apis/ and what they reference; a path
 * the merged document already has stays as it is (the first document in
 * priority order wins); a definition or shared parameter of the same name
 * is reused when equal and otherwise renamed `<name>_v2`, `<name>_v3`, ...
 * with every reference to it rewritten, so both schemas stay correct.
 */
import { deepEqual, isPlainObject } from '../../api/index.js';

/** SwaggerDocument is a swagger 2.0 document as JSON. */
export interface SwaggerDocument {
  paths?: Record<string, unknown>;
  definitions?: Record<string, unknown>;
  parameters?: Record<string, unknown>;
  [field: string]: unknown;
}

/** The two kinds of named, referable parts a document shares among its paths, and their reference prefixes. */
const SHARED = [
  { field: 'definitions', prefix: '#/definitions/' },
  { field: 'parameters', prefix: '#/parameters/' },
] as const;

/** AGGREGATED_PATH_PREFIX: kube-aggregator keeps only these paths of an extension server's document. */
export const AGGREGATED_PATH_PREFIX = '/apis/';

/** forEachRef calls fn with every `$ref` string in value (nested anywhere), replacing it with what fn returns. */
function forEachRef(value: unknown, fn: (ref: string) => string): void {
  if (Array.isArray(value)) {
    for (const v of value) forEachRef(v, fn);
  } else if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      // A schema may have a property named "$ref" (JSONSchemaProps does); only a string is a reference.
      if (k === '$ref' && typeof v === 'string') value[k] = fn(v);
      else forEachRef(v, fn);
    }
  }
}

/**
 * filterByPaths returns a copy of doc with the paths keep accepts and only the
 * definitions and shared parameters those paths reference, directly or
 * through each other (kube-openapi's FilterSpecByPaths). doc is not changed.
 */
export function filterByPaths(doc: SwaggerDocument, keep: (path: string) => boolean): SwaggerDocument {
  const paths: Record<string, unknown> = {};
  for (const [p, item] of Object.entries(doc.paths ?? {})) if (keep(p)) paths[p] = item;
  const used = { definitions: new Set<string>(), parameters: new Set<string>() };
  const pending: unknown[] = [paths];
  while (pending.length > 0) {
    forEachRef(pending.pop(), (ref) => {
      for (const { field, prefix } of SHARED) {
        const name = ref.startsWith(prefix) ? ref.slice(prefix.length) : undefined;
        if (name === undefined || used[field].has(name) || !doc[field] || !(name in doc[field]!)) continue;
        used[field].add(name);
        pending.push(doc[field]![name]);
      }
      return ref;
    });
  }
  const out: SwaggerDocument = { ...doc, paths };
  for (const { field } of SHARED) {
    if (!doc[field]) continue;
    out[field] = Object.fromEntries(Object.entries(doc[field]!).filter(([name]) => used[field].has(name)));
  }
  return out;
}

/**
 * mergeInto adds source's paths that dest lacks to dest, with the definitions
 * and shared parameters they need (kube-openapi's
 * MergeSpecsIgnorePathConflictRenamingDefinitionsAndParameters). dest's own
 * maps are replaced, never changed in place, so shared maps stay intact;
 * source is not changed.
 */
export function mergeInto(dest: SwaggerDocument, source: SwaggerDocument): void {
  const destPaths = dest.paths ?? {};
  const fresh = Object.keys(source.paths ?? {}).filter((p) => !(p in destPaths));
  if (fresh.length === 0) return;
  const wanted = new Set(fresh);
  // A deep copy, since references in it may be rewritten below.
  const src = structuredClone(filterByPaths(source, (p) => wanted.has(p)));
  const renames = new Map<string, string>();
  const taken = new Set<string>();
  for (const { field, prefix } of SHARED) {
    const have = dest[field] ?? {};
    const incoming = src[field] ?? {};
    for (const [name, value] of Object.entries(incoming)) {
      if (!(name in have) || deepEqual(have[name], value)) continue;
      let i = 2;
      while (`${name}_v${i}` in have || `${name}_v${i}` in incoming || taken.has(prefix + `${name}_v${i}`)) i++;
      renames.set(prefix + name, prefix + `${name}_v${i}`);
      taken.add(prefix + `${name}_v${i}`);
    }
  }
  if (renames.size > 0) {
    forEachRef(src, (ref) => renames.get(ref) ?? ref);
    for (const { field, prefix } of SHARED) {
      if (!src[field]) continue;
      src[field] = Object.fromEntries(Object.entries(src[field]!).map(([name, v]) => [(renames.get(prefix + name) ?? prefix + name).slice(prefix.length), v]));
    }
  }
  for (const { field } of SHARED) {
    const incoming = src[field];
    if (!incoming || Object.keys(incoming).length === 0) continue;
    const merged = { ...(dest[field] ?? {}) };
    for (const [name, value] of Object.entries(incoming)) if (!(name in merged)) merged[name] = value;
    dest[field] = merged;
  }
  dest.paths = { ...destPaths, ...src.paths };
}

/** mergeAggregated merges extension documents, in priority order, into a copy of the local document. */
export function mergeAggregated(local: SwaggerDocument, extensions: readonly SwaggerDocument[]): SwaggerDocument {
  const out: SwaggerDocument = { ...local };
  for (const doc of extensions) mergeInto(out, filterByPaths(doc, (p) => p.startsWith(AGGREGATED_PATH_PREFIX)));
  return out;
}
