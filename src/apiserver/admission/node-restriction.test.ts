// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { lookupResource } from '../../api/resources.js';
import { newContext } from '../registry/request-context.js';
import type { AdmissionOperation } from './admission.js';
import { nodeRestrictionAdmission } from './node-restriction.js';

const stored: Record<string, KubeObject> = {};
const plugin = nodeRestrictionAdmission(async (namespace, name) => stored[`${namespace}/${name}`]);
const nodeA = newContext({ name: 'system:node:a', groups: ['system:nodes', 'system:authenticated'] });
const pods = lookupResource('', 'v1', 'pods')!;
const nodes = lookupResource('', 'v1', 'nodes')!;

async function run(op: AdmissionOperation, resource = pods, object: KubeObject, oldObject?: KubeObject, subresource?: string, ctx = nodeA): Promise<string | undefined> {
  try {
    await plugin.validate!({ operation: op, resource, object, oldObject, subresource, ctx });
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

const pod = (name: string, nodeName: string, annotations?: Record<string, string>): KubeObject => ({ metadata: { name, namespace: 'default', annotations }, spec: { nodeName } });
const node = (name: string, labels?: Record<string, string>): KubeObject => ({ metadata: { name, labels } });

test('a node writes only its own pods, and creates only mirror pods', async () => {
  assert.equal(await run('CREATE', pods, pod('p', 'a')), 'pods "p" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "a" can only create mirror pods');
  assert.equal(await run('CREATE', pods, pod('p', 'a', { 'kubernetes.io/config.mirror': 'x' })), undefined);
  assert.equal(await run('UPDATE', pods, pod('p', 'b'), pod('p', 'b'), 'status'), 'pods "p" is forbidden: node "a" can only update pod status for pods with spec.nodeName set to itself');
  assert.equal(await run('UPDATE', pods, pod('p', 'a'), pod('p', 'a'), 'status'), undefined);
  assert.equal(await run('DELETE', pods, pod('p', 'b'), pod('p', 'b')), 'pods "p" is forbidden: node "a" can only delete pods with spec.nodeName set to itself');
  assert.equal(await run('DELETE', pods, pod('p', 'a'), pod('p', 'a')), undefined);
  // Other users are not this plugin's business.
  assert.equal(await run('CREATE', pods, pod('p', 'b'), undefined, undefined, newContext({ name: 'alice', groups: ['system:authenticated'] })), undefined);
});

test('a node modifies only its own Node, and not the labels reserved for administrators', async () => {
  assert.equal(await run('UPDATE', nodes, node('b'), node('b')), 'nodes "b" is forbidden: node "a" is not allowed to modify node "b"');
  assert.equal(await run('UPDATE', nodes, node('a', { role: 'x' }), node('a')), undefined);
  assert.equal(await run('UPDATE', nodes, node('a', { 'node-restriction.kubernetes.io/pool': 'x' }), node('a')), 'nodes "a" is forbidden: is not allowed to modify labels: node-restriction.kubernetes.io/pool');
  assert.equal(await run('UPDATE', nodes, node('a', { 'node-restriction.kubernetes.io/pool': 'x' }), node('a', { 'node-restriction.kubernetes.io/pool': 'x' })), undefined, 'unchanged is fine');
});

test('a node evicts only pods bound to itself, and leaves a missing pod to the eviction (404)', async () => {
  stored['default/mine'] = pod('mine', 'a');
  stored['default/theirs'] = pod('theirs', 'b');
  const eviction = (name: string): KubeObject => ({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'default' } });
  const inDefault = newContext(nodeA.user, 'default');
  assert.equal(await run('CREATE', pods, eviction('theirs'), undefined, 'eviction', inDefault), 'pods "theirs" is forbidden: node a can only evict pods with spec.nodeName set to itself');
  assert.equal(await run('CREATE', pods, eviction('mine'), undefined, 'eviction', inDefault), undefined);
  assert.equal(await run('CREATE', pods, eviction('gone'), undefined, 'eviction', inDefault), undefined);
  assert.equal(await run('CREATE', pods, eviction('theirs'), undefined, 'eviction', newContext({ name: 'alice', groups: ['system:authenticated'] }, 'default')), undefined);
});

test('a node creates, updates and deletes only the CSINode named after it', async () => {
  const csinodes = lookupResource('storage.k8s.io', 'v1', 'csinodes')!;
  const csiNode = (name: string): KubeObject => ({ apiVersion: 'storage.k8s.io/v1', kind: 'CSINode', metadata: { name }, spec: { drivers: [] } });
  assert.ok(plugin.handles(csinodes, undefined, 'CREATE'));
  for (const op of ['CREATE', 'UPDATE', 'DELETE'] as const) {
    assert.equal(await run(op, csinodes, csiNode('a'), op === 'CREATE' ? undefined : csiNode('a')), undefined, op);
    assert.equal(await run(op, csinodes, csiNode('b'), op === 'CREATE' ? undefined : csiNode('b')), 'csinodes.storage.k8s.io "b" is forbidden: can only access CSINode with the same name as the requesting node', op);
  }
  assert.equal(await run('CREATE', csinodes, csiNode('b'), undefined, undefined, newContext({ name: 'alice', groups: ['system:authenticated'] })), undefined);
});

test('a node creates and writes only its own Lease, and only in kube-node-lease', async () => {
  const leases = lookupResource('coordination.k8s.io', 'v1', 'leases')!;
  const lease = (name: string, namespace = 'kube-node-lease'): KubeObject => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace } });
  const inNamespace = (ns: string): ReturnType<typeof newContext> => newContext(nodeA.user, ns);
  assert.ok(plugin.handles(leases, undefined, 'CREATE'));
  for (const op of ['CREATE', 'UPDATE', 'DELETE'] as const) {
    const old = (l: KubeObject): KubeObject | undefined => (op === 'CREATE' ? undefined : l);
    assert.equal(await run(op, leases, lease('a'), old(lease('a')), undefined, inNamespace('kube-node-lease')), undefined, op);
    assert.equal(await run(op, leases, lease('b'), old(lease('b')), undefined, inNamespace('kube-node-lease')), 'leases.coordination.k8s.io "b" is forbidden: can only access node lease with the same name as the requesting node', op);
    assert.equal(await run(op, leases, lease('a', 'default'), old(lease('a', 'default')), undefined, inNamespace('default')), 'leases.coordination.k8s.io "a" is forbidden: can only access leases in the "kube-node-lease" system namespace', op);
  }
  assert.equal(await run('CREATE', leases, lease('b'), undefined, undefined, newContext({ name: 'alice', groups: ['system:authenticated'] }, 'kube-node-lease')), undefined);
});
