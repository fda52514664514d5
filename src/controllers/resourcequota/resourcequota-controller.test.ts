// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.js';
import { R } from '../../client/client.js';
import { newFixture } from '../controller-fixture.js';
import { podConstraints, podUsage, prettyList, usageOf, matchesScopes } from '../../api/quota/quota-evaluator.js';
import { ResourceQuotaController } from './resourcequota-controller.js';

function pod(name: string, resources: Record<string, Record<string, string>> = {}, phase = 'Running', extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns' }, spec: { containers: [{ name: 'c', image: 'i', resources }], ...extra }, status: { phase } };
}

test('pod usage sums requests and limits, raised to the largest init container; terminal pods cost nothing', () => {
  const p = pod('a', { requests: { cpu: '500m', memory: '64Mi' }, limits: { cpu: '1' } }) as Pod;
  p.spec!.initContainers = [{ name: 'init', image: 'i', resources: { requests: { cpu: '2' } } }];
  const u = podUsage(p);
  assert.equal(prettyList(u), 'cpu=2,limits.cpu=1,memory=64Mi,pods=1,requests.cpu=2,requests.memory=64Mi');
  assert.deepEqual(podUsage(pod('done', {}, 'Succeeded') as Pod), {});
  assert.equal(prettyList(usageOf({ group: '', plural: 'pods' }, pod('done', {}, 'Succeeded'))), 'count/pods=1');
  assert.equal(prettyList(usageOf({ group: 'apps', plural: 'deployments' }, pod('x'))), 'count/deployments.apps=1');
  const svc: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'LoadBalancer', ports: [{ port: 1 }, { port: 2 }] } };
  assert.equal(prettyList(usageOf({ group: '', plural: 'services' }, svc)), 'count/services=1,services=1,services.loadbalancers=1,services.nodeports=2');
});

test('scopes and must-specify constraints', () => {
  const best = pod('b');
  const burst = pod('c', { requests: { cpu: '1' } });
  assert.equal(matchesScopes({ scopes: ['BestEffort'] }, { group: '', plural: 'pods' }, best), true);
  assert.equal(matchesScopes({ scopes: ['BestEffort'] }, { group: '', plural: 'pods' }, burst), false);
  assert.equal(matchesScopes({ scopes: ['Terminating'] }, { group: '', plural: 'pods' }, pod('t', {}, 'Running', { activeDeadlineSeconds: 10 })), true);
  assert.equal(matchesScopes({ scopes: ['NotTerminating'] }, { group: '', plural: 'configmaps' }, best), false);
  assert.equal(podConstraints(burst as Pod, ['pods', 'requests.cpu']), undefined);
  assert.equal(podConstraints(burst as Pod, ['limits.cpu', 'limits.memory', 'requests.memory']), 'must specify limits.cpu for: c; limits.memory for: c; requests.memory for: c');
});

test('status.used counts what exists in the namespace, status.hard mirrors spec.hard', async () => {
  const quota: KubeObject = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'ns' }, spec: { hard: { pods: '5', 'requests.cpu': '4', 'count/configmaps': '3', 'count/deployments.apps': '2' } } };
  const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'ns' } };
  const dep: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'ns' }, spec: {} };
  const f = newFixture([quota, cm, dep, pod('a', { requests: { cpu: '500m' } }), pod('b', { requests: { cpu: '1' } }), pod('done', { requests: { cpu: '1' } }, 'Failed'), { ...pod('other'), metadata: { name: 'other', namespace: 'elsewhere' } }]);
  const c = new ResourceQuotaController({ client: f.client, factory: f.factory, clock: f.clock });
  await f.start();
  await c.sync('ns/q');
  assert.deepEqual(f.writes(), ['update resourcequotas/status ns/q']);
  const status = f.client.objects(R.resourcequotas, 'ns')[0].status;
  assert.deepEqual(status, {
    hard: { pods: '5', 'requests.cpu': '4', 'count/configmaps': '3', 'count/deployments.apps': '2' },
    used: { pods: '2', 'requests.cpu': '1500m', 'count/configmaps': '1', 'count/deployments.apps': '1' },
  });
  await f.settle();
  f.client.clearActions();
  await c.sync('ns/q');
  assert.deepEqual(f.writes(), [], 'nothing changed, nothing written');
  await f.stop();
});
