// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { horizontalPodAutoscalerTableConvertor as hpaPrinter } from './autoscaling-printer.js';

const now = new Date('2024-05-01T12:00:00Z');

function hpa(spec: object, status: object): KubeObject {
  return {
    metadata: { name: 'web', namespace: 'default', creationTimestamp: '2024-04-30T12:00:00Z' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 10, ...spec },
    status,
  };
}

const cpu = (target: object) => ({ type: 'Resource', resource: { name: 'cpu', target } });

test('hpa columns', () => {
  assert.deepEqual(hpaPrinter.columns.map((c) => c.name), ['Name', 'Reference', 'Targets', 'MinPods', 'MaxPods', 'Replicas', 'Age']);
});

test('v2 utilization targets with and without current metrics', () => {
  const fresh = hpa({ minReplicas: 1, metrics: [cpu({ type: 'Utilization', averageUtilization: 50 })] }, { currentReplicas: 0, desiredReplicas: 0 });
  assert.deepEqual(hpaPrinter.row(fresh, now), ['web', 'Deployment/web', 'cpu: <unknown>/50%', '1', 10, 0, '24h']);
  const measured = hpa(
    { minReplicas: 2, metrics: [cpu({ type: 'Utilization', averageUtilization: 50 }), { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '512Mi' } } }] },
    {
      currentReplicas: 3,
      currentMetrics: [
        { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 73, averageValue: '146m' } } },
        { type: 'Resource', resource: { name: 'memory', current: { averageValue: '300Mi' } } },
      ],
    },
  );
  assert.deepEqual(hpaPrinter.row(measured, now).slice(2, 6), ['cpu: 73%/50%, memory: 300Mi/512Mi', '2', 10, 3]);
});

test('pods, object and external metrics, and the + N more cut-off after two', () => {
  const metrics = [
    { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } },
    { type: 'Object', object: { metric: { name: 'hits' }, describedObject: { kind: 'Ingress', name: 'web' }, target: { type: 'Value', value: '2k' } } },
    { type: 'External', external: { metric: { name: 'queue' }, target: { type: 'AverageValue', averageValue: '30' } } },
  ];
  const h = hpa({ metrics }, { currentReplicas: 1, currentMetrics: [{ type: 'Pods', pods: { metric: { name: 'qps' }, current: { averageValue: '7' } } }] });
  assert.equal(hpaPrinter.row(h, now)[2], '7/10, <unknown>/2k + 1 more...');
  assert.equal(hpaPrinter.row(hpa({ metrics: [metrics[2]] }, {}), now)[2], '<unknown>/30 (avg)');
  assert.equal(hpaPrinter.row(hpa({}, {}), now)[2], '<none>');
  assert.equal(hpaPrinter.row(hpa({}, {}), now)[3], '<unset>');
});

test('autoscaling/v1 objects are read as a cpu utilization metric', () => {
  const v1 = hpa({ minReplicas: 1, targetCPUUtilizationPercentage: 80 }, { currentReplicas: 2, desiredReplicas: 2, currentCPUUtilizationPercentage: 12 });
  assert.deepEqual(hpaPrinter.row(v1, now).slice(2, 6), ['cpu: 12%/80%', '1', 10, 2]);
});
