// SPDX-License-Identifier: Apache-2.0
/**
 * The fast paths of compare and FieldSet against the plain forms they
 * replace, kept here as oracles: compare records added subtrees node by node
 * (walkAdded) where it inserted each path from the root; toFieldsV1 encodes
 * in one pass where it asked every child isEmpty(); keyElement writes a
 * one-field key directly. Each must give exactly what the plain form gives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { definitions, resolveSchema, schemaFor, type Schema } from '../../apiserver/openapi/index.js';
import { changedFieldsV1 } from './changed-fields.js';
import { compare, type Comparison } from './compare.js';
import { deepEqual } from './managed-object.js';
import { FieldSet, type FieldsV1 } from './field-set.js';
import { itemElement } from './list-item.js';
import { compareElements, fieldElement, keyElement } from './path-element.js';
import { shapeOf, type ResolveRef, type SchemaNode, type Shape } from './type-shape.js';

const resolve: ResolveRef = (s) => resolveSchema(s as Schema, definitions()) as SchemaNode;
const schemaOf = (apiVersion: string, kind: string) => schemaFor(apiVersion, kind)!.schema as SchemaNode;

// ---------------------------------------------------------------- oracles: the plain forms

function isEmptyValue(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v).length === 0;
  return false;
}

/** plainCompare is compare as it was: every path inserted from the root. */
function plainCompare(lhs: unknown, rhs: unknown, root: SchemaNode | undefined, skip?: FieldSet): Comparison {
  const out: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  plainWalk(lhs, rhs, root, [], out, skip);
  return out;
}

function plainWalk(lhs: unknown, rhs: unknown, node: SchemaNode | undefined, path: string[], out: Comparison, skip?: FieldSet): void {
  const ls = lhs === undefined ? undefined : shapeOf(node, lhs, resolve);
  const rs = rhs === undefined ? undefined : shapeOf(node, rhs, resolve);
  let shape: Shape;
  if (lhs === null && rs) shape = rs;
  else if (rhs === null && ls) shape = ls;
  else shape = ls && rs && ls.kind !== rs.kind ? { kind: 'scalar' } : (rs ?? ls!);
  let inLeaf = false;
  if (shape.kind === 'scalar' || (shape.kind === 'list' && shape.relationship === 'atomic') || (shape.kind === 'map' && shape.atomic) || (isEmptyValue(lhs) && isEmptyValue(rhs))) {
    if (lhs === undefined) out.added.insert(path);
    else if (rhs === undefined) out.removed.insert(path);
    else if (!deepEqual(lhs, rhs)) out.modified.insert(path);
    inLeaf = true;
  } else if (shape.kind === 'list') {
    const left = new Map<string, unknown>();
    ((lhs ?? []) as unknown[]).forEach((item, i) => left.set(itemElement(shape, item, i), item));
    const right = new Map<string, unknown>();
    ((rhs ?? []) as unknown[]).forEach((item, i) => right.set(itemElement(shape, item, i), item));
    for (const pe of new Set([...right.keys(), ...left.keys()])) {
      path.push(pe);
      plainWalk(left.get(pe), right.get(pe), shape.item, path, out);
      path.pop();
    }
  } else {
    const l = (lhs ?? {}) as Record<string, unknown>;
    const r = (rhs ?? {}) as Record<string, unknown>;
    if (!shape.atomic && (typeof l !== 'object' || typeof r !== 'object')) return;
    for (const key of new Set([...Object.keys(l), ...Object.keys(r)])) {
      if (l[key] === undefined && r[key] === undefined) continue;
      const pe = fieldElement(key);
      if (skip?.members.has(pe)) continue;
      path.push(pe);
      plainWalk(l[key], r[key], shape.field(key), path, out, skip?.children.get(pe));
      path.pop();
    }
  }
  if (!inLeaf && path.length > 0) {
    if (lhs === undefined) out.added.insert(path);
    else if (rhs === undefined) out.removed.insert(path);
  }
}

/** plainFieldsV1 is toFieldsV1 as it was: elements of non-empty children, sorted by compareElements. */
function plainFieldsV1(set: FieldSet): FieldsV1 {
  const all = new Set<string>(set.members);
  for (const [pe, c] of set.children) if (!c.isEmpty()) all.add(pe);
  const out: FieldsV1 = {};
  for (const pe of [...all].sort(compareElements)) {
    const c = set.children.get(pe);
    if (!c || c.isEmpty()) {
      out[pe] = {};
      continue;
    }
    out[pe] = Object.assign(set.members.has(pe) ? { '.': {} } : {}, plainFieldsV1(c));
  }
  return out;
}

/** structure renders a set with its nodes in insertion order (empty nodes included), to compare sets node for node. */
function structure(set: FieldSet): unknown {
  return { members: [...set.members], children: [...set.children].map(([pe, c]) => [pe, structure(c)]) };
}

// ---------------------------------------------------------------- objects

function container(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name, image: 'registry.local/app:1', args: ['--a', '--b'],
    ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { containerPort: 9090 }],
    env: [{ name: 'A', value: '1' }, { name: 'B', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
    resources: { requests: { cpu: '100m' }, limits: {} },
    volumeMounts: [{ name: 'cfg', mountPath: '/etc/app' }],
    ...extra,
  };
}

const podSpec = () => ({
  containers: [container('app'), container('side', { ports: [] , env: null })],
  volumes: [{ name: 'cfg', configMap: { name: 'c', items: [{ key: 'k', path: 'p' }] } }, { name: 'e', emptyDir: {} }],
  tolerations: [{ key: 'a', operator: 'Exists' }, { key: 'a', operator: 'Exists' }],
  securityContext: {}, nodeSelector: { disk: 'ssd' }, hostAliases: [{ ip: '192.0.2.1', hostnames: ['x', 'y'] }],
  readinessGates: [{ conditionType: 'r' }],
});

const samples: { apiVersion: string; kind: string; obj: Record<string, unknown> }[] = [
  { apiVersion: 'v1', kind: 'ConfigMap', obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'd', labels: { a: 'b' }, annotations: {} }, data: { k: 'v', e: '' }, binaryData: {} } },
  { apiVersion: 'v1', kind: 'Pod', obj: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'd', uid: 'u', labels: { app: 'web' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'r', uid: 'o', controller: true }], finalizers: ['f/one', 'f/two'] }, spec: podSpec(), status: { phase: 'Pending' } } },
  { apiVersion: 'apps/v1', kind: 'Deployment', obj: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'd' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'k', operator: 'In', values: ['a'] }] }, template: { metadata: { labels: { app: 'web' } }, spec: podSpec() }, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } } } } },
  { apiVersion: 'v1', kind: 'Service', obj: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'd' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }, { port: 53, protocol: 'UDP' }], clusterIPs: ['10.0.0.1'], ipFamilies: ['IPv4'] } } },
  // Untyped (deduced) content: a custom kind without a schema.
  { apiVersion: 'example.com/v1', kind: 'Widget', obj: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { list: [1, 2], deep: { a: { b: null, c: [] } }, empty: {} } } },
];

/** variants gives the object and copies with fields removed, emptied or nulled, to compare as before/after pairs. */
function variants(obj: Record<string, unknown>): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [obj];
  const walk = (v: unknown, edit: (f: (x: Record<string, unknown>) => void) => void): void => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return;
    for (const key of Object.keys(v)) {
      for (const replacement of [undefined, null, {}, []]) {
        edit((x) => {
          if (replacement === undefined) delete x[key];
          else x[key] = replacement;
        });
      }
      const child = (v as Record<string, unknown>)[key];
      walk(child, (f) => edit((x) => {
        const inner = x[key];
        if (typeof inner === 'object' && inner !== null && !Array.isArray(inner)) f(inner as Record<string, unknown>);
      }));
    }
  };
  walk(obj, (f) => {
    const copy = structuredClone(obj);
    f(copy);
    out.push(copy);
  });
  return out;
}

/** skeletonOf is a create's "before" as the field manager makes it: the kind's empty object, with Go's non-omitted fields (null) and templates. */
function skeletonOf(apiVersion: string, kind: string): Record<string, unknown> {
  const base = { apiVersion, kind, metadata: {}, status: {} };
  if (kind === 'Pod') return { ...base, spec: { containers: null } };
  if (kind === 'Deployment') return { ...base, spec: { selector: null, template: { metadata: {}, spec: { containers: null } } } };
  if (kind === 'Service') return { ...base, spec: {} };
  return base;
}

const stripped = new FieldSet();
for (const p of [['f:apiVersion'], ['f:kind'], ['f:metadata', 'f:name'], ['f:metadata', 'f:uid'], ['f:status']]) stripped.insert(p);

test('compare records added subtrees exactly as inserting each path did', () => {
  let pairs = 0;
  for (const { apiVersion, kind, obj } of samples) {
    const schema = schemaFor(apiVersion, kind) ? schemaOf(apiVersion, kind) : undefined;
    const all = variants(obj);
    // Every variant against the object, both ways, against nothing, and against an empty object (a create).
    const pairsOf: [unknown, unknown][] = [];
    for (const v of all) pairsOf.push([v, obj], [obj, v], [undefined, v], [{ apiVersion, kind, metadata: {} }, v], [skeletonOf(apiVersion, kind), v]);
    for (const [lhs, rhs] of pairsOf) {
      for (const skip of [undefined, stripped]) {
        const fast = compare(lhs, rhs, schema, resolve, skip);
        const plain = plainCompare(lhs, rhs, schema, skip);
        for (const k of ['added', 'modified', 'removed'] as const) {
          assert.deepEqual(structure(fast[k]), structure(plain[k]), `${kind} ${k}`);
        }
        // What a create records: added and modified together, encoded (changedFieldsV1 writes it without sets).
        const changed = plain.modified.union(plain.added);
        assert.equal(JSON.stringify(changedFieldsV1(lhs, rhs, schema, resolve, skip)), JSON.stringify(plainFieldsV1(changed)), `${kind} changed`);
        pairs++;
      }
    }
  }
  assert.ok(pairs > 1000, `compared ${pairs} pairs`);
});

test('toFieldsV1 encodes in one pass exactly what the plain encoding gave, empty children and key order included', () => {
  for (const { apiVersion, kind, obj } of samples) {
    const schema = schemaFor(apiVersion, kind) ? schemaOf(apiVersion, kind) : undefined;
    for (const v of variants(obj)) {
      const { added, modified, removed } = compare({ apiVersion, kind, metadata: {} }, v, schema, resolve);
      for (const set of [added, modified, removed, added.union(modified), added.difference(removed)]) {
        assert.equal(JSON.stringify(set.toFieldsV1()), JSON.stringify(plainFieldsV1(set)));
      }
    }
  }
  const mixed = new FieldSet();
  for (const p of [['f:b'], ['f:a', 'i:10'], ['f:a', 'i:9'], ['f:a', 'v:"x"'], ['f:a', 'k:{"n":1}', 'f:z'], ['f:a', 'f:y'], ['f:c', 'f:d']]) mixed.insert(p);
  mixed.child('f:empty').child('f:deeper');
  mixed.add('f:c');
  assert.equal(JSON.stringify(mixed.toFieldsV1()), JSON.stringify(plainFieldsV1(mixed)));
  assert.deepEqual(new FieldSet().toFieldsV1(), {});
});

test('keyElement writes a one-field key as the sorted-object JSON it always was', () => {
  const values: unknown[] = ['app', '', 'quote " and \\ slash', 'ünïcode ☃', '\u2028', 0, 80, -1, 1.5, true, false, { nested: [1, 'a'] }, [1, 2]];
  for (const v of values) {
    for (const name of ['name', 'containerPort', 'weird "name"']) {
      assert.equal(keyElement({ [name]: v }), `k:${JSON.stringify({ [name]: v })}`);
    }
  }
  assert.equal(keyElement({ protocol: 'TCP', containerPort: 80 }), 'k:{"containerPort":80,"protocol":"TCP"}');
});
