// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { RESOURCES } from '../../api/resources.js';
import { strategyFor } from './index.js';
import { runCreate, runUpdate } from './strategy-harness.js';

function obj(apiVersion: string, kind: string, body: Record<string, unknown>, namespace: string | undefined = 'default'): KubeObject {
  return { apiVersion, kind, metadata: { name: 'x', ...(namespace ? { namespace } : {}) }, ...body };
}

test('every served kind has a strategy with validation', () => {
  for (const r of RESOURCES) assert.ok(strategyFor(r.group, r.kind).validate, `${r.group}/${r.kind}`);
  assert.deepEqual(strategyFor('example.com', 'Widget'), {});
});

test('persistent volume claims: required fields and update rules', () => {
  const s = strategyFor('', 'PersistentVolumeClaim');
  assert.deepEqual(runCreate(s, obj('v1', 'PersistentVolumeClaim', { spec: {} })).messages, ['spec.accessModes: Required value: at least 1 access mode is required', 'spec.resources[storage]: Required value']);
  const created = runCreate(s, obj('v1', 'PersistentVolumeClaim', { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1024Mi' } } } }));
  assert.deepEqual(created.messages, []);
  assert.deepEqual(created.obj.spec, { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' });
  assert.deepEqual(created.obj.status, { phase: 'Pending' });
  const bound: KubeObject = { ...created.obj, status: { phase: 'Bound' } };
  const grow = structuredClone(bound);
  (grow.spec as any).resources.requests.storage = '2Gi'; // any: editing nested JSON
  assert.deepEqual(runUpdate(s, bound, grow).messages, []);
  const shrink = structuredClone(bound);
  (shrink.spec as any).resources.requests.storage = '512Mi'; // any: editing nested JSON
  assert.deepEqual(runUpdate(s, bound, shrink).messages, ['spec.resources.requests.storage: Forbidden: field can not be less than previous value']);
  const mode = structuredClone(bound);
  (mode.spec as any).accessModes = ['ReadWriteMany']; // any: editing nested JSON
  assert.match(runUpdate(s, bound, mode).messages[0], /^spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n/);
});

test('namespaces get their label, finalizer and phase', () => {
  const { obj: ns, messages } = runCreate(strategyFor('', 'Namespace'), obj('v1', 'Namespace', {}, undefined));
  assert.deepEqual(messages, []);
  assert.deepEqual(ns.metadata.labels, { 'kubernetes.io/metadata.name': 'x' });
  assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(ns.status, { phase: 'Active' });
});

test('ingress validation', () => {
  const s = strategyFor('networking.k8s.io', 'Ingress');
  assert.deepEqual(runCreate(s, obj('networking.k8s.io/v1', 'Ingress', { spec: {} })).messages, ['spec: Invalid value: null: either `defaultBackend` or `rules` must be specified']);
  const rules = [{ host: 'example.com', http: { paths: [{ path: 'api', backend: { service: { name: 'web' } } }, { path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }];
  assert.deepEqual(runCreate(s, obj('networking.k8s.io/v1', 'Ingress', { spec: { rules } })).messages, ['spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified']);
  rules[0].http.paths[0].pathType = 'Prefix';
  assert.deepEqual(runCreate(s, obj('networking.k8s.io/v1', 'Ingress', { spec: { rules } })).messages, [
    'spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path',
    'spec.rules[0].http.paths[0].backend: Required value: port name or number is required',
  ]);
  assert.deepEqual(runCreate(strategyFor('networking.k8s.io', 'IngressClass'), obj('networking.k8s.io/v1', 'IngressClass', { spec: {} }, undefined)).messages, ['spec.controller: Required value']);
});

test('horizontal pod autoscalers', () => {
  const s = strategyFor('autoscaling', 'HorizontalPodAutoscaler');
  const ok = runCreate(s, obj('autoscaling/v2', 'HorizontalPodAutoscaler', { spec: { maxReplicas: 5, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' } } }));
  assert.deepEqual(ok.messages, []);
  assert.equal((ok.obj.spec as Record<string, unknown>).minReplicas, 1);
  assert.deepEqual((ok.obj.spec as Record<string, unknown>).metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
  const bad = runCreate(s, obj('autoscaling/v2', 'HorizontalPodAutoscaler', { spec: { minReplicas: 3, maxReplicas: 2, scaleTargetRef: { kind: 'Deployment' } } }));
  assert.deepEqual(bad.messages, ['spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`', 'spec.scaleTargetRef.name: Required value']);
});

test('rbac, priority classes, storage classes, events, leases, pdbs', () => {
  const role = runCreate(strategyFor('rbac.authorization.k8s.io', 'Role'), obj('rbac.authorization.k8s.io/v1', 'Role', { rules: [{ apiGroups: [''], resources: ['pods'] }] }));
  assert.deepEqual(role.messages, ['rules[0].verbs: Required value: verbs must contain at least one value']);
  const rb = strategyFor('rbac.authorization.k8s.io', 'RoleBinding');
  const binding = runCreate(rb, obj('rbac.authorization.k8s.io/v1', 'RoleBinding', { roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'User', name: 'alice' }] }));
  assert.deepEqual(binding.messages, []);
  assert.deepEqual(binding.obj.subjects, [{ kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' }]);
  const rebound = { ...binding.obj, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'other' } };
  assert.deepEqual(runUpdate(rb, binding.obj, rebound).messages, ['roleRef: Invalid value: {"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"other"}: cannot change roleRef']);

  const pc = strategyFor('scheduling.k8s.io', 'PriorityClass');
  const high = runCreate(pc, obj('scheduling.k8s.io/v1', 'PriorityClass', { value: 100 }, undefined));
  assert.equal(high.obj.preemptionPolicy, 'PreemptLowerPriority');
  assert.deepEqual(runUpdate(pc, high.obj, { ...high.obj, value: 200 }).messages, ['value: Forbidden: may not be changed in an update.']);

  const sc = strategyFor('storage.k8s.io', 'StorageClass');
  assert.deepEqual(runCreate(sc, obj('storage.k8s.io/v1', 'StorageClass', {}, undefined)).messages, ['provisioner: Required value']);
  const cls = runCreate(sc, obj('storage.k8s.io/v1', 'StorageClass', { provisioner: 'skiff.dev/local-path', parameters: { a: '1' } }, undefined)).obj;
  assert.equal(cls.reclaimPolicy, 'Delete');
  assert.equal(cls.volumeBindingMode, 'Immediate');
  assert.deepEqual(runUpdate(sc, cls, { ...cls, parameters: { a: '2' } }).messages, ['parameters: Forbidden: updates to parameters are forbidden.']);

  const ev = runCreate(strategyFor('', 'Event'), obj('v1', 'Event', { involvedObject: { kind: 'Pod', name: 'p', namespace: 'other' } }));
  assert.deepEqual(ev.messages, ['involvedObject.namespace: Invalid value: "other": does not match event.namespace']);

  const lease = runCreate(strategyFor('coordination.k8s.io', 'Lease'), obj('coordination.k8s.io/v1', 'Lease', { spec: { leaseDurationSeconds: 0 } }));
  assert.deepEqual(lease.messages, ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0']);

  const pdb = runCreate(strategyFor('policy', 'PodDisruptionBudget'), obj('policy/v1', 'PodDisruptionBudget', { spec: { minAvailable: '150%' } }));
  assert.deepEqual(pdb.messages, ['spec.minAvailable: Invalid value: "150%": must not be greater than 100%']);
});
