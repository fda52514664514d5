// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { R } from '../../client/client.js';
import { newFixture } from '../controller-fixture.js';
import { EndpointSliceController } from '../endpointslice/endpointslice-controller.js';
import { EndpointsController } from './endpoints-controller.js';

const svc: KubeObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'api', namespace: 'ns', uid: 'svc-uid', labels: { team: 'x' } },
  spec: { selector: { app: 'api' }, ports: [{ name: 'web', port: 80, targetPort: 'http', protocol: 'TCP' }, { name: 'metrics', port: 9090, targetPort: 9090, protocol: 'TCP' }] },
};

function pod(name: string, ip: string | undefined, ready: boolean, opts: { named?: boolean; deleting?: boolean } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', uid: `${name}-uid`, labels: { app: 'api' }, ...(opts.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) },
    spec: { nodeName: 'n1', containers: [{ name: 'c', ports: opts.named === false ? [] : [{ name: 'http', containerPort: 8080 }] }] },
    status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

test('Endpoints list ready and not-ready pods by resolved ports, skipping pods without IPs', async () => {
  const f = newFixture([svc, pod('a', '10.0.0.2', true), pod('b', '10.0.0.1', false), pod('c', undefined, true), pod('d', '10.0.0.3', true, { named: false })]);
  const c = new EndpointsController({ client: f.client, factory: f.factory, clock: f.clock });
  await f.start();
  await c.sync('ns/api');
  assert.deepEqual(f.writes(), ['create endpoints ns/api']);
  const [ep] = f.client.objects(R.endpoints, 'ns');
  assert.deepEqual(ep.metadata.labels, { team: 'x' });
  const ref = (n: string) => ({ kind: 'Pod', namespace: 'ns', name: n, uid: `${n}-uid` });
  assert.deepEqual(ep.subsets, [
    {
      ports: [{ name: 'web', port: 8080, protocol: 'TCP' }, { name: 'metrics', port: 9090, protocol: 'TCP' }],
      addresses: [{ ip: '10.0.0.2', nodeName: 'n1', targetRef: ref('a') }],
      notReadyAddresses: [{ ip: '10.0.0.1', nodeName: 'n1', targetRef: ref('b') }],
    },
    // d has no port named http: it only serves the numeric one.
    { ports: [{ name: 'metrics', port: 9090, protocol: 'TCP' }], addresses: [{ ip: '10.0.0.3', nodeName: 'n1', targetRef: ref('d') }] },
  ]);
  f.client.clearActions();
  await f.settle();
  await c.sync('ns/api');
  assert.deepEqual(f.writes(), [], 'nothing to change');
  await f.stop();
});

test('EndpointSlices carry conditions, labels and an owner reference; terminating pods are reported not ready', async () => {
  const f = newFixture([svc, pod('a', '10.0.0.2', true), pod('t', '10.0.0.9', true, { deleting: true })]);
  const c = new EndpointSliceController({ client: f.client, factory: f.factory, clock: f.clock });
  await f.start();
  await c.sync('ns/api');
  assert.deepEqual(f.writes(), ['create endpointslices ns/']);
  const [s] = f.client.objects(R.endpointslices, 'ns');
  assert.match(s.metadata.name!, /^api-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.deepEqual(s.metadata.labels, { team: 'x', 'kubernetes.io/service-name': 'api', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
  assert.equal(s.metadata.ownerReferences?.[0].uid, 'svc-uid');
  assert.equal(s.addressType, 'IPv4');
  assert.deepEqual((s.endpoints as { addresses: string[]; conditions: unknown }[]).map((e) => [e.addresses[0], e.conditions]), [
    ['10.0.0.2', { ready: true, serving: true, terminating: false }],
    ['10.0.0.9', { ready: false, serving: true, terminating: true }],
  ]);
  f.client.clearActions();
  await f.settle();
  await c.sync('ns/api');
  assert.deepEqual(f.writes(), [], 'nothing to change');
  await f.client.delete(R.services, 'api', { namespace: 'ns' });
  await f.settle();
  f.client.clearActions();
  await c.sync('ns/api');
  assert.deepEqual(f.writes(), [`delete endpointslices ns/${s.metadata.name}`]);
  await f.stop();
});
