// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { R } from '../../client/client.js';
import { newFixture } from '../controller-fixture.js';
import { ServiceLBController } from './servicelb-controller.js';

const node = (name: string, ip: string, o: { ready?: boolean; externalIP?: string; simulated?: boolean } = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'Node',
  metadata: { name, ...(o.simulated ? { annotations: { 'skiff.dev/simulated': 'true' } } : {}) },
  status: {
    conditions: [{ type: 'Ready', status: o.ready === false ? 'Unknown' : 'True' }],
    addresses: [{ type: 'InternalIP', address: ip }, ...(o.externalIP ? [{ type: 'ExternalIP', address: o.externalIP }] : []), { type: 'Hostname', address: name }],
  },
});
const service = (name: string, spec: Record<string, unknown>, ingress?: string[]): KubeObject => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'ns' },
  spec: { ports: [{ port: 80 }], ...spec },
  status: { loadBalancer: ingress ? { ingress: ingress.map((ip) => ({ ip, ipMode: 'VIP' })) } : {} },
});
const slice = (svc: string, endpoints: { node: string; ready: boolean }[]): KubeObject => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: `${svc}-x`, namespace: 'ns', labels: { 'kubernetes.io/service-name': svc } },
  addressType: 'IPv4', endpoints: endpoints.map((e, i) => ({ addresses: [`10.42.0.${i + 2}`], nodeName: e.node, conditions: { ready: e.ready } })),
});
const ingressOf = (f: ReturnType<typeof newFixture>, name: string) =>
  ((f.client.objects(R.services, 'ns').find((s) => s.metadata.name === name)!.status as { loadBalancer: { ingress?: { ip: string }[] } }).loadBalancer.ingress ?? []).map((i) => i.ip);

const NODES = [
  node('server', '198.51.100.10'), node('agent-1', '198.51.100.11'), node('agent-2', '198.51.100.12', { externalIP: '203.0.113.12' }),
  node('dead', '198.51.100.13', { ready: false }), node('sim', '198.51.100.14', { simulated: true }),
];

test('a LoadBalancer Service is published at every Ready node that serves, by ExternalIP when it has one', async () => {
  const f = newFixture([...NODES, service('web', { type: 'LoadBalancer' }), service('plain', { type: 'ClusterIP' }), service('other', { type: 'LoadBalancer', loadBalancerClass: 'example.com/lb' })]);
  const c = new ServiceLBController({ client: f.client, factory: f.factory, servesNode: (n) => n.metadata.annotations?.['skiff.dev/simulated'] !== 'true' });
  await f.start();
  for (const k of ['ns/web', 'ns/plain', 'ns/other']) await c.sync(k);
  assert.deepEqual(f.writes(), ['update services/status ns/web'], 'ClusterIP and another class\'s Services are left alone');
  assert.deepEqual(ingressOf(f, 'web'), ['198.51.100.10', '198.51.100.11', '203.0.113.12']);
  await f.settle();
  await c.sync('ns/web');
  assert.equal(f.writes().length, 1, 'no write when the status is already right');
  await f.stop();
});

test('externalTrafficPolicy Local publishes only the nodes with a ready endpoint', async () => {
  const f = newFixture([...NODES, service('local', { type: 'LoadBalancer', externalTrafficPolicy: 'Local' }), slice('local', [{ node: 'agent-1', ready: true }, { node: 'server', ready: false }, { node: 'dead', ready: true }])]);
  const c = new ServiceLBController({ client: f.client, factory: f.factory });
  await f.start();
  await c.sync('ns/local');
  assert.deepEqual(ingressOf(f, 'local'), ['198.51.100.11']);
  await f.stop();
});

test('a Service that is no LoadBalancer any more loses its addresses', async () => {
  const f = newFixture([...NODES, service('was', { type: 'ClusterIP' }, ['198.51.100.10'])]);
  const c = new ServiceLBController({ client: f.client, factory: f.factory });
  await f.start();
  await c.sync('ns/was');
  assert.deepEqual(ingressOf(f, 'was'), []);
  await f.stop();
});
