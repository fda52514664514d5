// SPDX-License-Identifier: Apache-2.0
/**
 * The JSON Schema subset Kubernetes' OpenAPI documents use, and the
 * definitions map generated from `kubernetes-types` by scripts/gen-openapi.ts.
 * References are stored in the swagger 2.0 form (`#/definitions/<name>`); the
 * v3 documents rewrite them to `#/components/schemas/<name>`.
 */
import { readFileSync } from 'node:fs';

/** GroupVersionKind is one entry of `x-kubernetes-group-version-kind`. */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** Schema is one schema object of the definitions map. */
export interface Schema {
  description?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  $ref?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  oneOf?: Schema[];
  allOf?: Schema[];
  enum?: string[];
  'x-kubernetes-group-version-kind'?: GroupVersionKind[];
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-unions'?: unknown[];
}

/** Definitions maps upstream definition names (`io.k8s.api.apps.v1.Deployment`) to schemas. */
export type Definitions = Record<string, Schema>;

/** DEFINITION_REF_PREFIX is how a stored `$ref` starts. */
export const DEFINITION_REF_PREFIX = '#/definitions/';

let cached: Definitions | undefined;

/**
 * definitions returns the generated definitions map, read once. The JSON is
 * read from disk rather than imported because Node 20 warns on JSON modules;
 * the paths cover running from dist/ (the build) and from src/.
 */
export function definitions(): Definitions {
  if (cached) return cached;
  const candidates = [
    new URL('../../../../src/api/generated/openapi-definitions.json', import.meta.url),
    new URL('../../api/generated/openapi-definitions.json', import.meta.url),
  ];
  let lastError: unknown;
  for (const url of candidates) {
    try {
      cached = JSON.parse(readFileSync(url, 'utf8')) as Definitions;
      return cached;
    } catch (err) {
      lastError = err;
    }
  }
  throw new Error(`openapi definitions not found (run scripts/gen-openapi): ${String(lastError)}`);
}

/** refName returns the definition name a `$ref` points at, or undefined for inline schemas. */
export function refName(s: Schema): string | undefined {
  return s.$ref?.startsWith(DEFINITION_REF_PREFIX) ? s.$ref.slice(DEFINITION_REF_PREFIX.length) : undefined;
}

/** resolveSchema follows `$ref` (one level; definitions never point at another ref). */
export function resolveSchema(s: Schema, defs: Definitions = definitions()): Schema {
  const name = refName(s);
  return name ? (defs[name] ?? {}) : s;
}
