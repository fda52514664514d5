// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ManagedObject as KubeObject } from './managed-object.js';
import { definitions, resolveSchema, schemaFor, type Schema } from '../../apiserver/openapi/index.js';
import { ConflictsError, newApplyConflict } from './conflicts.js';
import { FieldManager } from './field-manager.js';
import { applyWithMigration, LAST_APPLIED_ANNOTATION } from './last-applied.js';
import { FieldSet } from './field-set.js';
import type { SchemaNode } from './type-shape.js';

const resolve = (s: SchemaNode) => resolveSchema(s as Schema, definitions()) as SchemaNode;
const deploymentSchema = schemaFor('apps/v1', 'Deployment')!.schema;
const statusOnly = new FieldSet();
statusOnly.insert(['f:status']);
const fm = () => new FieldManager({ schema: deploymentSchema, resolve, apiVersion: 'apps/v1', ignored: statusOnly, now: () => new Date('2026-01-02T03:04:05.678Z') });

function deployment(replicas: number, image = 'nginx'): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image, ports: [{ containerPort: 80 }] }] } },
    },
  };
}

function stored(obj: KubeObject): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, uid: 'u1', resourceVersion: '5', creationTimestamp: '2026-01-01T00:00:00Z' } };
}

test('create records an Update entry with upstream FieldsV1 (no "." on metadata/spec, "." on new maps and list items)', () => {
  const obj = deployment(2);
  fm().update(undefined, obj, 'kubectl-create');
  const [entry] = obj.metadata.managedFields!;
  assert.equal(entry.manager, 'kubectl-create');
  assert.equal(entry.operation, 'Update');
  assert.equal(entry.apiVersion, 'apps/v1');
  assert.equal(entry.time, '2026-01-02T03:04:05Z');
  assert.equal(entry.fieldsType, 'FieldsV1');
  const f = entry.fieldsV1 as Record<string, Record<string, unknown>>;
  assert.deepEqual(f['f:metadata'], { 'f:labels': { '.': {}, 'f:app': {} } });
  assert.deepEqual(Object.keys(f['f:spec']), ['f:replicas', 'f:selector', 'f:template']);
  const containers = ((f['f:spec']['f:template'] as Record<string, Record<string, unknown>>)['f:spec']['f:containers']) as Record<string, unknown>;
  assert.deepEqual(containers, {
    'k:{"name":"app"}': { '.': {}, 'f:image': {}, 'f:name': {}, 'f:ports': { '.': {}, 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } } },
  });
});

test('apply conflicts with another manager on a changed field, and force takes it over', () => {
  const live = deployment(2);
  fm().update(undefined, live, 'kubectl-client-side-apply');
  const current = stored(live);
  assert.throws(() => fm().apply(current, deployment(3), 'other', false), (err: unknown) => {
    assert.ok(err instanceof ConflictsError);
    const status = newApplyConflict(err.conflicts);
    assert.equal(status.code, 409);
    assert.equal(status.message, 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
    assert.equal(status.details?.causes?.[0].field, '.spec.replicas');
    return true;
  });
  // The same values are shared, not conflicts.
  const shared = fm().apply(current, deployment(2), 'other', false);
  assert.equal(shared.metadata.managedFields!.length, 2);
  const forced = fm().apply(current, deployment(3), 'other', true);
  assert.equal((forced.spec as { replicas: number }).replicas, 3);
  const csa = forced.metadata.managedFields!.find((e) => e.manager === 'kubectl-client-side-apply')!;
  assert.ok(!('f:replicas' in (csa.fieldsV1 as Record<string, Record<string, unknown>>)['f:spec']));
});

test('apply removes a field dropped from the configuration unless another manager owns it', () => {
  const first = fm().apply({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } }, deployment(2), 'a', false);
  const withExtra = deployment(2);
  (withExtra.metadata.labels as Record<string, string>).tier = 'front';
  const second = fm().apply(stored(first), withExtra, 'a', false);
  assert.equal(second.metadata.labels?.tier, 'front');
  const third = fm().apply(stored(second), deployment(2), 'a', false);
  assert.equal(third.metadata.labels?.tier, undefined);
  // Shared with b: kept when a drops it.
  const sharedB = fm().apply(stored(second), withExtra, 'b', false);
  const fourth = fm().apply(stored(sharedB), deployment(2), 'a', false);
  assert.equal(fourth.metadata.labels?.tier, 'front');
});

test('apply merges containers by name and ports by key', () => {
  const live = stored(fm().apply({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } }, deployment(1), 'a', false));
  const sidecar = deployment(1);
  (sidecar.spec as { template: { spec: { containers: unknown[] } } }).template.spec.containers = [{ name: 'side', image: 'busybox' }];
  const merged = fm().apply(live, sidecar, 'b', false);
  const names = ((merged.spec as { template: { spec: { containers: { name: string }[] } } }).template.spec.containers).map((c) => c.name);
  assert.deepEqual(names, ['app', 'side']);
});

test('kubectl apply --server-side after client-side apply takes over unchanged fields and rewrites the annotation', () => {
  const csa = deployment(2);
  csa.metadata.annotations = { [LAST_APPLIED_ANNOTATION]: JSON.stringify(deployment(2)) };
  fm().update(undefined, csa, 'kubectl-client-side-apply');
  const o = { schema: deploymentSchema, resolve };
  const out = applyWithMigration(fm(), o, stored(csa), deployment(3), 'kubectl', false);
  assert.equal((out.spec as { replicas: number }).replicas, 3);
  assert.equal(JSON.parse(out.metadata.annotations![LAST_APPLIED_ANNOTATION]).spec.replicas, 3);
  // Another manager gets no such pass.
  assert.throws(() => applyWithMigration(fm(), o, stored(csa), deployment(3), 'someone', false), ConflictsError);
});

test('Update managers beyond ten are merged into ancient-changes', () => {
  let obj = deployment(1);
  fm().update(undefined, obj, 'm0');
  for (let i = 1; i <= 11; i++) {
    const next = structuredClone(obj);
    (next.metadata.labels as Record<string, string>)[`l${i}`] = 'x';
    new FieldManager({ schema: deploymentSchema, resolve, apiVersion: 'apps/v1', now: () => new Date(Date.UTC(2026, 0, 1, 0, i)) }).update(obj, next, `m${i}`);
    obj = next;
  }
  const managers = obj.metadata.managedFields!.map((e) => e.manager);
  assert.equal(managers.length, 10);
  assert.ok(managers.includes('ancient-changes'));
});
