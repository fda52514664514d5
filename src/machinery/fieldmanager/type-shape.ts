// SPDX-License-Identifier: Apache-2.0
/**
 * The shape of a value for structured merge, read from the OpenAPI schema of
 * its field the way upstream's schemaconv turns OpenAPI into
 * structured-merge-diff types: lists are atomic unless
 * `x-kubernetes-list-type` says `set` or `map` (or, without it, a `merge`
 * patch strategy with a merge key makes a map keyed by it, and without a key
 * a set); objects are granular unless `x-kubernetes-map-type: atomic`.
 * Values without a schema are "deduced" as upstream does: objects are
 * granular maps of deduced values, lists atomic, the rest scalars.
 */

/** SchemaNode is the part of an OpenAPI schema that structured merge reads. */
export interface SchemaNode {
  type?: string;
  format?: string;
  $ref?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  required?: string[];
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

/** ResolveRef follows a `$ref` to the schema it names; nodes without one come back unchanged. */
export type ResolveRef = (node: SchemaNode) => SchemaNode | undefined;

export type Shape =
  | { kind: 'scalar' }
  | { kind: 'map'; atomic: boolean; field: (name: string) => SchemaNode | undefined; declared: (name: string) => boolean }
  | { kind: 'list'; relationship: 'atomic' | 'set' | 'map'; keys: readonly string[]; item: SchemaNode | undefined };

const SCALAR: Shape = { kind: 'scalar' };
const UNTYPED_MAP: Extract<Shape, { kind: 'map' }> = { kind: 'map', atomic: false, field: () => undefined, declared: () => false };
const ATOMIC_LIST: Shape = { kind: 'list', relationship: 'atomic', keys: [], item: undefined };

/**
 * shapeOf tells how to walk `value` whose field has schema `node` (undefined:
 * no schema, deduced from the value). A value whose JSON type disagrees with
 * its schema is walked as a scalar: it is replaced whole, as upstream's
 * deduced handling of mismatched values does.
 */
export function shapeOf(node: SchemaNode | undefined, value: unknown, resolve: ResolveRef): Shape {
  const isArray = Array.isArray(value);
  const isObject = typeof value === 'object' && value !== null && !isArray;
  if (!node) return isObject ? UNTYPED_MAP : isArray ? ATOMIC_LIST : SCALAR;
  if (!isArray && !isObject) return SCALAR;
  // Shapes depend on the schema node only: computed once per node (every write walks the same schemas).
  let cached = SHAPES.get(node);
  if (!cached) SHAPES.set(node, (cached = {}));
  if (isArray) return (cached.list ??= arrayShape(node, resolve));
  return (cached.object ??= objectShape(node, resolve));
}

const SHAPES = new WeakMap<SchemaNode, { list?: Shape; object?: Shape }>();

function arrayShape(own: SchemaNode, resolve: ResolveRef): Shape {
  // Extensions may sit on the referring property (list types) or on the definition (map type).
  const s = resolve(own) ?? {};
  if (s.type !== undefined && s.type !== 'array') return SCALAR;
  return listShape(own, s);
}

function objectShape(own: SchemaNode, resolve: ResolveRef): Shape {
  const s = resolve(own) ?? {};
  if (s.type !== undefined && s.type !== 'object') return SCALAR;
  const atomic = (own['x-kubernetes-map-type'] ?? s['x-kubernetes-map-type']) === 'atomic';
  const props = s.properties;
  const extra = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
  if (!props && !extra) return atomic ? { ...UNTYPED_MAP, atomic } : UNTYPED_MAP;
  return {
    kind: 'map',
    atomic,
    field: (name) => props?.[name] ?? extra,
    declared: (name) => !!props && Object.prototype.hasOwnProperty.call(props, name),
  };
}

function listShape(own: SchemaNode, s: SchemaNode): Shape {
  const listType = own['x-kubernetes-list-type'] ?? s['x-kubernetes-list-type'];
  const item = s.items;
  if (listType === 'map') return { kind: 'list', relationship: 'map', keys: own['x-kubernetes-list-map-keys'] ?? s['x-kubernetes-list-map-keys'] ?? [], item };
  if (listType === 'set') return { kind: 'list', relationship: 'set', keys: [], item };
  if (listType === 'atomic') return { kind: 'list', relationship: 'atomic', keys: [], item };
  const strategy = own['x-kubernetes-patch-strategy'] ?? s['x-kubernetes-patch-strategy'] ?? '';
  if (strategy.split(',').includes('merge')) {
    const key = own['x-kubernetes-patch-merge-key'] ?? s['x-kubernetes-patch-merge-key'];
    return key ? { kind: 'list', relationship: 'map', keys: [key], item } : { kind: 'list', relationship: 'set', keys: [], item };
  }
  return { kind: 'list', relationship: 'atomic', keys: [], item };
}
