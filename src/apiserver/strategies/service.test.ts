// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { serviceStrategy, validateNodePortRange, DEFAULT_NODE_PORT_RANGE } from './service.js';
import { runCreate, runUpdate } from './strategy-harness.js';
import { fieldErrorMessage } from '../../machinery/errors.js';

function svc(spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec };
}

test('service defaults', () => {
  const { obj, messages } = runCreate(serviceStrategy, svc({ selector: { app: 'web' }, ports: [{ port: 80 }] }));
  assert.deepEqual(messages, []);
  assert.deepEqual(obj.spec, {
    selector: { app: 'web' },
    ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
    sessionAffinity: 'None',
    type: 'ClusterIP',
    internalTrafficPolicy: 'Cluster',
    ipFamilyPolicy: 'SingleStack',
    ipFamilies: ['IPv4'],
  });
  const np = runCreate(serviceStrategy, svc({ type: 'NodePort', ports: [{ port: 80, targetPort: 'http' }] })).obj.spec as Record<string, unknown>;
  assert.equal(np.externalTrafficPolicy, 'Cluster');
  const lb = runCreate(serviceStrategy, svc({ type: 'LoadBalancer', ports: [{ port: 80 }] })).obj.spec as Record<string, unknown>;
  assert.equal(lb.allocateLoadBalancerNodePorts, true);
});

test('service rejections', () => {
  assert.deepEqual(runCreate(serviceStrategy, svc({})).messages, ['spec.ports: Required value']);
  assert.deepEqual(runCreate(serviceStrategy, svc({ clusterIP: 'None' })).messages, []);
  assert.deepEqual(runCreate(serviceStrategy, svc({ ports: [{ port: 0 }] })).messages, [
    'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
    'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive',
  ]);
  assert.deepEqual(runCreate(serviceStrategy, svc({ ports: [{ port: 80, nodePort: 30080 }] })).messages, ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]);
  assert.deepEqual(runCreate(serviceStrategy, svc({ ports: [{ port: 80 }, { port: 81 }] })).messages, ['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value']);
  assert.deepEqual(runCreate(serviceStrategy, svc({ type: 'ExternalName' })).messages, ['spec.externalName: Required value']);
  assert.deepEqual(runCreate(serviceStrategy, svc({ type: 'ExternalName', externalName: 'example.com.' })).messages, []);
  assert.deepEqual(runCreate(serviceStrategy, svc({ type: 'NodePort', clusterIP: 'None', ports: [{ port: 80 }] })).messages, [
    "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services",
  ]);
});

test('validateNodePortRange gives the allocator message', () => {
  assert.deepEqual(validateNodePortRange(30080, DEFAULT_NODE_PORT_RANGE, 'spec.ports[0].nodePort'), []);
  assert.deepEqual(validateNodePortRange(80, DEFAULT_NODE_PORT_RANGE, 'spec.ports[0].nodePort').map(fieldErrorMessage), [
    'spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767',
  ]);
});

test('clusterIP may not change; allocated values carry over', () => {
  const old = runCreate(serviceStrategy, svc({ type: 'NodePort', clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80, nodePort: 30080 }] })).obj;
  const applied = runUpdate(serviceStrategy, old, svc({ type: 'NodePort', ports: [{ name: 'http', port: 80 }] }));
  assert.deepEqual(applied.messages, []);
  const spec = applied.obj.spec as Record<string, any>; // any: reading the updated service JSON
  assert.equal(spec.clusterIP, '10.96.0.10');
  assert.deepEqual(spec.clusterIPs, ['10.96.0.10']);
  assert.equal(spec.ports[0].nodePort, 30080);
  const changed = runUpdate(serviceStrategy, old, svc({ type: 'NodePort', clusterIP: '10.96.0.11', ports: [{ name: 'http', port: 80 }] }));
  assert.deepEqual(changed.messages, ['spec.clusterIPs[0]: Invalid value: ["10.96.0.11"]: may not change once set']);
  const headless = runUpdate(serviceStrategy, runCreate(serviceStrategy, svc({ clusterIP: '10.96.99.37', ports: [{ port: 80 }] })).obj, svc({ clusterIP: 'None', ports: [{ port: 80 }] }));
  assert.deepEqual(headless.messages, ['spec.clusterIPs[0]: Invalid value: ["None"]: may not change once set']);
});

test('switching NodePort to ClusterIP drops the node ports the client left alone', () => {
  const old = runCreate(serviceStrategy, svc({ type: 'NodePort', clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80, nodePort: 30080 }] })).obj;
  const next = structuredClone(old);
  (next.spec as Record<string, unknown>).type = 'ClusterIP';
  const r = runUpdate(serviceStrategy, old, next);
  assert.deepEqual(r.messages, []);
  const spec = r.obj.spec as Record<string, any>; // any: reading the updated service JSON
  assert.equal(spec.ports[0].nodePort, undefined);
  assert.equal(spec.externalTrafficPolicy, undefined);
});
