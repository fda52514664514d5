// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { deploymentStrategy } from './deployment.js';
import { replicaSetStrategy, replicationControllerStrategy } from './replica-set.js';
import { statefulSetStrategy, STATEFULSET_UPDATE_FORBIDDEN_MSG } from './stateful-set.js';
import { daemonSetStrategy } from './daemon-set.js';
import { runCreate, runUpdate } from './strategy-harness.js';

const template = (labels: Record<string, string>) => ({ metadata: { labels }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });

function workload(kind: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'apps/v1', kind, metadata: { name: 'w', namespace: 'default' }, spec };
}

test('deployment defaults', () => {
  const { obj, messages } = runCreate(deploymentStrategy, workload('Deployment', { selector: { matchLabels: { app: 'x' } }, template: template({ app: 'x' }) }));
  assert.deepEqual(messages, []);
  const spec = obj.spec as Record<string, unknown>;
  assert.equal(spec.replicas, 1);
  assert.deepEqual(spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(spec.revisionHistoryLimit, 10);
  assert.equal(spec.progressDeadlineSeconds, 600);
  assert.equal((spec.template as any).spec.restartPolicy, 'Always'); // any: test reads or edits defaulted JSON
});

test('deployment rejections read as upstream', () => {
  const mismatch = runCreate(deploymentStrategy, workload('Deployment', { selector: { matchLabels: { app: 'y' } }, template: template({ app: 'x' }) }));
  assert.deepEqual(mismatch.messages, ['spec.template.metadata.labels: Invalid value: {"app":"x"}: `selector` does not match template `labels`']);
  const zero = runCreate(
    deploymentStrategy,
    workload('Deployment', { replicas: -1, selector: { matchLabels: { app: 'x' } }, template: template({ app: 'x' }), strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } }),
  );
  assert.deepEqual(zero.messages, ['spec.replicas: Invalid value: -1: must be greater than or equal to 0', 'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0']);
  const noSel = runCreate(deploymentStrategy, workload('Deployment', { template: template({ app: 'x' }) }));
  assert.deepEqual(noSel.messages, ['spec.selector: Required value']);
  const empty = runCreate(deploymentStrategy, workload('Deployment', { selector: {}, template: template({ app: 'x' }) }));
  assert.deepEqual(empty.messages, ['spec.selector: Invalid value: {}: empty selector is invalid for deployment']);
});

test('deployment selector is immutable; annotation changes bump generation', () => {
  const old = runCreate(deploymentStrategy, workload('Deployment', { selector: { matchLabels: { app: 'x' } }, template: template({ app: 'x', v: '1' }) })).obj;
  old.metadata.generation = 3;
  const next = structuredClone(old);
  (next.spec as Record<string, unknown>).selector = { matchLabels: { app: 'x', v: '1' } };
  assert.deepEqual(runUpdate(deploymentStrategy, old, next).messages, ['spec.selector: Invalid value: {"matchLabels":{"app":"x","v":"1"}}: field is immutable']);
  const annotated = structuredClone(old);
  annotated.metadata.annotations = { 'deployment.kubernetes.io/revision': '2' };
  assert.equal(runUpdate(deploymentStrategy, old, annotated).obj.metadata.generation, 4);
});

test('replicasets require Always restart policy', () => {
  const tpl = template({ app: 'x' });
  (tpl.spec as Record<string, unknown>).restartPolicy = 'Never';
  const r = runCreate(replicaSetStrategy, workload('ReplicaSet', { selector: { matchLabels: { app: 'x' } }, template: tpl }));
  assert.deepEqual(r.messages, ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']);
  assert.equal((r.obj.spec as Record<string, unknown>).replicas, 1);
});

test('replication controllers take selector and labels from the template', () => {
  const rc: KubeObject = { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'rc', namespace: 'default' }, spec: { template: template({ app: 'x' }) } };
  const { obj, messages } = runCreate(replicationControllerStrategy, rc);
  assert.deepEqual(messages, []);
  assert.deepEqual((obj.spec as Record<string, unknown>).selector, { app: 'x' });
  assert.deepEqual(obj.metadata.labels, { app: 'x' });
});

test('statefulset defaults and forbidden updates', () => {
  const sts = workload('StatefulSet', {
    selector: { matchLabels: { app: 'x' } },
    serviceName: 'x',
    template: template({ app: 'x' }),
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
  });
  const { obj, messages } = runCreate(statefulSetStrategy, sts);
  assert.deepEqual(messages, []);
  const spec = obj.spec as Record<string, unknown>;
  assert.equal(spec.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  assert.deepEqual(spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  assert.deepEqual((spec.volumeClaimTemplates as any)[0].status, { phase: 'Pending' }); // any: test reads or edits defaulted JSON
  const scaled = structuredClone(obj);
  (scaled.spec as Record<string, unknown>).replicas = 5;
  assert.deepEqual(runUpdate(statefulSetStrategy, obj, scaled).messages, []);
  const renamed = structuredClone(obj);
  (renamed.spec as Record<string, unknown>).serviceName = 'y';
  assert.deepEqual(runUpdate(statefulSetStrategy, obj, renamed).messages, [`spec: Forbidden: ${STATEFULSET_UPDATE_FORBIDDEN_MSG}`]);
});

test('daemonset defaults and rolling update rules', () => {
  const ds = workload('DaemonSet', { selector: { matchLabels: { app: 'x' } }, template: template({ app: 'x' }) });
  const { obj, messages } = runCreate(daemonSetStrategy, ds);
  assert.deepEqual(messages, []);
  assert.deepEqual((obj.spec as Record<string, unknown>).updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  (ds.spec as Record<string, unknown>).updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } };
  assert.deepEqual(runCreate(daemonSetStrategy, ds).messages, ['spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0']);
});
