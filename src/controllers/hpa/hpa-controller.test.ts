// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HorizontalPodAutoscalerStatus } from 'kubernetes-types/autoscaling/v2.js';
import type { KubeObject } from '../../api/object.js';
import { R } from '../../client/client.js';
import { newFixture } from '../controller-fixture.js';
import { HorizontalController } from './hpa-controller.js';
import type { PodMetrics, PodMetricsSource } from './pod-metrics.js';

function hpa(target = 'web'): KubeObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', namespace: 'ns', uid: 'hpa-uid', generation: 1 },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target },
      minReplicas: 1,
      maxReplicas: 5,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
    },
  };
}

function pod(name: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', labels: { app: 'web' } },
    spec: { containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: '500m' } } }] },
    status: { phase: 'Running', startTime: '2020-01-01T00:00:00Z', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2020-01-01T00:00:00Z' }] },
  };
}

const deployment: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'ns' }, spec: { replicas: 2 } };

function fakeMetrics(cpu: string): PodMetricsSource & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async podMetrics(namespace: string, selector: string): Promise<PodMetrics[]> {
      calls.push(`${namespace} ${selector}`);
      return ['a', 'b'].map((p) => ({ pod: p, timestamp: new Date().toISOString(), window: '30s', containers: [{ name: 'c', usage: { cpu, memory: '1Mi' } }] }));
    },
  };
}

function setup(objects: KubeObject[], cpu: string) {
  const f = newFixture(objects);
  const metrics = fakeMetrics(cpu);
  let replicas = 2;
  f.client.on('get', 'deployments', (a) => {
    if (a.subresource !== 'scale') return undefined;
    if (!objects.some((o) => o.kind === 'Deployment' && o.metadata.name === a.name)) {
      throw Object.assign(new Error(`deployments.apps "${a.name}" not found`), { code: 404 });
    }
    return { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: a.name, namespace: 'ns' }, spec: { replicas }, status: { replicas, selector: 'app=web' } };
  });
  f.client.on('update', 'deployments', (a) => {
    if (a.subresource !== 'scale') return undefined;
    replicas = (a.object as { spec: { replicas: number } }).spec.replicas;
    return a.object as KubeObject;
  });
  const c = new HorizontalController({ client: f.client, factory: f.factory, recorder: f.recorder, metrics, clock: f.clock });
  return { f, c, metrics, replicas: () => replicas };
}

test('scales the target up through the scale subresource and reports status and an Event', async () => {
  const { f, c, metrics, replicas } = setup([hpa(), deployment, pod('a'), pod('b')], '400m');
  await f.start();
  await c.sync('ns/web');
  assert.deepEqual(metrics.calls, ['ns app=web']);
  assert.deepEqual(f.writes(), ['update deployments/scale ns/web', 'update horizontalpodautoscalers/status ns/web']);
  assert.equal(replicas(), 4);
  assert.deepEqual(await f.events(), ['Normal SuccessfulRescale New size: 4; reason: cpu resource utilization (percentage of request) above target']);
  const status = f.client.objects(R.horizontalpodautoscalers, 'ns')[0].status as HorizontalPodAutoscalerStatus;
  assert.equal(status.currentReplicas, 2);
  assert.equal(status.desiredReplicas, 4);
  assert.ok(status.lastScaleTime);
  assert.deepEqual(status.currentMetrics, [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 80, averageValue: '400m' } } }]);
  assert.deepEqual(status.conditions?.map((x) => `${x.type}=${x.status} ${x.reason}`), [
    'AbleToScale=True SucceededRescale',
    'ScalingActive=True ValidMetricFound',
    'ScalingLimited=False DesiredWithinRange',
  ]);
  await f.stop();
});

test('a missing target sets AbleToScale=False FailedGetScale', async () => {
  const { f, c } = setup([hpa('nope'), pod('a'), pod('b')], '400m');
  await f.start();
  await c.sync('ns/web');
  assert.deepEqual(f.writes(), ['update horizontalpodautoscalers/status ns/web']);
  const status = f.client.objects(R.horizontalpodautoscalers, 'ns')[0].status as HorizontalPodAutoscalerStatus;
  assert.deepEqual(status.conditions?.map((x) => [x.type, x.status, x.reason, x.message]), [
    ['AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: deployments.apps "nope" not found`],
  ]);
  assert.deepEqual(await f.events(), ['Warning FailedGetScale deployments.apps "nope" not found']);
  await f.stop();
});

test('no metrics: ScalingActive=False FailedGetResourceMetric and no rescale', async () => {
  const { f, c } = setup([hpa(), deployment, pod('a'), pod('b')], '400m');
  const empty: PodMetricsSource = { podMetrics: async () => [] };
  const c2 = new HorizontalController({ client: f.client, factory: f.factory, recorder: f.recorder, metrics: empty, clock: f.clock });
  void c;
  await f.start();
  await c2.sync('ns/web');
  assert.deepEqual(f.writes(), ['update horizontalpodautoscalers/status ns/web']);
  const status = f.client.objects(R.horizontalpodautoscalers, 'ns')[0].status as HorizontalPodAutoscalerStatus;
  const active = status.conditions?.find((x) => x.type === 'ScalingActive');
  assert.equal(active?.reason, 'FailedGetResourceMetric');
  assert.equal(active?.message, 'the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API');
  const events = await f.events();
  assert.ok(events.includes('Warning FailedComputeMetricsReplicas invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API'), events.join('\n'));
  await f.stop();
});
