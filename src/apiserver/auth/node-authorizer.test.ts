// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import type { AuthorizationAttributes } from '../authz.js';
import { forbiddenMessage, selectorAttributes } from '../authz.js';
import { NodeAuthorizer, nodeIdentity } from './node-authorizer.js';
import { NodeGraph } from './node-graph.js';
import { nodeRules } from './bootstrap-policy.js';

const pods: KubeObject[] = [
  {
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      nodeName: 'a',
      serviceAccountName: 'web-sa',
      imagePullSecrets: [{ name: 'pull' }],
      volumes: [
        { name: 's', secret: { secretName: 'tls' } },
        { name: 'c', configMap: { name: 'conf' } },
        { name: 'p', projected: { sources: [{ configMap: { name: 'kube-root-ca.crt' } }, { secret: { name: 'proj' } }] } },
        { name: 'd', persistentVolumeClaim: { claimName: 'data' } },
      ],
      containers: [{ name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'env-secret', key: 'k' } } }], envFrom: [{ configMapRef: { name: 'env-cm' } }] }],
    },
  },
  { metadata: { name: 'db', namespace: 'default' }, spec: { nodeName: 'b', volumes: [{ name: 's', secret: { secretName: 'db-secret' } }], containers: [{ name: 'c' }] } },
];
const claims: KubeObject[] = [{ metadata: { name: 'data', namespace: 'default' }, spec: { volumeName: 'pv-1' } }];

const graph = new NodeGraph({
  podsOnNode: (n) => pods.filter((p) => (p.spec as { nodeName?: string }).nodeName === n),
  claim: (ns, name) => claims.find((c) => c.metadata.namespace === ns && c.metadata.name === name),
});
const authz = new NodeAuthorizer(graph, nodeRules());
const nodeA = { name: 'system:node:a', groups: ['system:nodes', 'system:authenticated'] };

function req(verb: string, resource: string, extra: Partial<AuthorizationAttributes> = {}): AuthorizationAttributes {
  return { user: nodeA, verb, resourceRequest: true, group: '', resource, namespace: 'default', ...extra };
}

test('node identity: system:node:<name> in system:nodes', () => {
  assert.equal(nodeIdentity(nodeA), 'a');
  assert.equal(nodeIdentity({ name: 'system:node:a', groups: [] }), undefined);
  assert.equal(nodeIdentity({ name: 'kubelet', groups: ['system:nodes'] }), '');
  assert.equal(authz.authorize(req('get', 'secrets', { name: 'tls', user: { name: 'kubelet', groups: ['system:nodes'] } })).reason, 'unknown node for user "kubelet"');
  assert.deepEqual(authz.authorize(req('get', 'secrets', { name: 'tls', user: { name: 'alice', groups: [] } })), { allowed: false, reason: undefined });
});

test('a node reads what its pods reference, and nothing else', () => {
  for (const [resource, name] of [['secrets', 'tls'], ['secrets', 'pull'], ['secrets', 'proj'], ['secrets', 'env-secret'], ['configmaps', 'conf'], ['configmaps', 'kube-root-ca.crt'], ['configmaps', 'env-cm'], ['persistentvolumeclaims', 'data']]) {
    assert.ok(authz.authorize(req('get', resource, { name })).allowed, `${resource}/${name}`);
  }
  assert.ok(authz.authorize(req('get', 'persistentvolumes', { name: 'pv-1', namespace: undefined })).allowed);
  assert.ok(authz.authorize(req('watch', 'secrets', { name: 'tls' })).allowed, 'a single-object watch');
  assert.ok(authz.authorize(req('create', 'serviceaccounts', { name: 'web-sa', subresource: 'token' })).allowed);
  assert.ok(authz.authorize(req('get', 'pods', { name: 'web' })).allowed);

  const other = req('get', 'secrets', { name: 'db-secret' });
  const d = authz.authorize(other);
  assert.equal(d.allowed, false);
  assert.equal(
    `${forbiddenMessage(other)}: ${d.reason}`,
    `secrets "db-secret" is forbidden: User "system:node:a" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node 'a' and this object`,
  );
  assert.equal(authz.authorize(req('get', 'secrets', { name: 'tls', namespace: 'other' })).allowed, false, 'same name, other namespace');
  assert.equal(authz.authorize(req('list', 'secrets')).reason, 'No Object name found');
  assert.equal(authz.authorize(req('update', 'secrets', { name: 'tls' })).reason, 'can only read resources of this type');
  assert.equal(authz.authorize(req('list', 'persistentvolumeclaims', { name: 'data' })).reason, 'can only get individual resources of this type');
  assert.equal(authz.authorize(req('get', 'persistentvolumes', { name: 'pv-2', namespace: undefined })).allowed, false);
  assert.equal(authz.authorize(req('create', 'serviceaccounts', { name: 'default', subresource: 'token' })).allowed, false);
  assert.equal(authz.authorize(req('get', 'pods', { name: 'db' })).allowed, false);
});

test('a node touches only its own lease; other resources follow the node rules', () => {
  const lease = (verb: string, name: string | undefined, namespace = 'kube-node-lease') => authz.authorize(req(verb, 'leases', { group: 'coordination.k8s.io', name, namespace }));
  assert.ok(lease('update', 'a').allowed);
  assert.ok(lease('create', undefined).allowed);
  assert.equal(lease('update', 'b').reason, 'can only access node lease with the same name as the requesting node');
  assert.equal(lease('get', 'a', 'default').reason, 'can only access leases in the "kube-node-lease" system namespace');
  assert.equal(lease('list', undefined).reason, 'can only get, create, update, patch, or delete a node lease');
  assert.ok(authz.authorize(req('patch', 'nodes', { name: 'a', namespace: undefined, subresource: 'status' })).allowed);
  assert.ok(authz.authorize(req('create', 'events')).allowed);
  assert.ok(authz.authorize(req('create', 'certificatesigningrequests', { group: 'certificates.k8s.io', namespace: undefined })).allowed);
  assert.equal(authz.authorize(req('create', 'deployments', { group: 'apps' })).allowed, false);
  assert.equal(authz.authorize(req('delete', 'namespaces', { name: 'default', namespace: undefined })).allowed, false);
});

test('a node lists and watches pods only with its own spec.nodeName field selector', () => {
  const own = selectorAttributes('list', new URLSearchParams({ fieldSelector: 'spec.nodeName=a' }));
  assert.ok(authz.authorize(req('list', 'pods', { namespace: undefined, ...own })).allowed);
  assert.ok(authz.authorize(req('watch', 'pods', { ...selectorAttributes('watch', new URLSearchParams({ fieldSelector: 'status.phase!=Failed,spec.nodeName=a' })) })).allowed);
  const all = req('list', 'pods', { namespace: undefined });
  const d = authz.authorize(all);
  assert.equal(d.allowed, false);
  assert.equal(
    `${forbiddenMessage(all)}: ${d.reason}`,
    'pods is forbidden: User "system:node:a" cannot list resource "pods" in API group "" at the cluster scope: can only list/watch pods with spec.nodeName field selector',
  );
  for (const fieldSelector of ['spec.nodeName=b', 'spec.nodeName!=a', 'spec.nodeName=a,,=bad=']) {
    assert.equal(authz.authorize(req('watch', 'pods', selectorAttributes('watch', new URLSearchParams({ fieldSelector })))).allowed, false, fieldSelector);
  }
  // A selector is not read for verbs that do not list.
  assert.deepEqual(selectorAttributes('get', new URLSearchParams({ fieldSelector: 'spec.nodeName=a' })), {});
  // A one-object watch of a pod bound to the node is a read of that pod.
  assert.ok(authz.authorize(req('watch', 'pods', { name: 'web' })).allowed);
  assert.equal(authz.authorize(req('watch', 'pods', { name: 'db' })).allowed, false);
  // Mirror pods, status writes and evictions are allowed (NodeRestriction admission narrows them); nothing else is.
  assert.ok(authz.authorize(req('create', 'pods')).allowed);
  assert.ok(authz.authorize(req('delete', 'pods', { name: 'web' })).allowed);
  assert.ok(authz.authorize(req('patch', 'pods', { name: 'web', subresource: 'status' })).allowed);
  assert.ok(authz.authorize(req('create', 'pods', { name: 'web', subresource: 'eviction' })).allowed);
  for (const [verb, subresource] of [['update', undefined], ['patch', undefined], ['deletecollection', undefined], ['get', 'status'], ['get', 'log'], ['create', 'exec']]) {
    assert.deepEqual(authz.authorize(req(verb!, 'pods', { name: 'web', subresource })), { allowed: false, reason: undefined }, `${verb} ${subresource}`);
  }
});

test('a node reads only its own Node: by name, or listed and watched with its metadata.name field selector', () => {
  const nodes = (verb: string, extra: Partial<AuthorizationAttributes> = {}) => authz.authorize(req(verb, 'nodes', { namespace: undefined, ...extra }));
  assert.ok(nodes('get', { name: 'a' }).allowed, 'before the Node exists too: names are compared, not looked up');
  for (const verb of ['list', 'watch']) {
    const own = selectorAttributes(verb, new URLSearchParams({ fieldSelector: 'metadata.name=a' }));
    assert.equal(own.name, 'a', 'the selector names the object, as upstream request info does');
    assert.ok(nodes(verb, own).allowed, verb);
    assert.equal(nodes(verb, selectorAttributes(verb, new URLSearchParams({ fieldSelector: 'metadata.name=b' }))).reason, "node 'a' cannot read 'b', only its own Node object");
  }
  const all = req('list', 'nodes', { namespace: undefined });
  assert.equal(
    `${forbiddenMessage(all)}: ${authz.authorize(all).reason}`,
    `nodes is forbidden: User "system:node:a" cannot list resource "nodes" in API group "" at the cluster scope: node 'a' cannot read all nodes, only its own Node object`,
  );
  const other = req('get', 'nodes', { namespace: undefined, name: 'b' });
  assert.equal(
    `${forbiddenMessage(other)}: ${authz.authorize(other).reason}`,
    `nodes "b" is forbidden: User "system:node:a" cannot get resource "nodes" in API group "" at the cluster scope: node 'a' cannot read 'b', only its own Node object`,
  );
  // A selector that only excludes, or a watch of every node but one, is not a read of its own Node.
  assert.equal(nodes('watch', selectorAttributes('watch', new URLSearchParams({ fieldSelector: 'metadata.name!=b' }))).allowed, false);
  assert.deepEqual(selectorAttributes('deletecollection', new URLSearchParams({ fieldSelector: 'metadata.name=a' })).name, undefined);
  assert.deepEqual(selectorAttributes('list', new URLSearchParams({ fieldSelector: 'metadata.name=a/b' })).name, undefined, 'not a path segment');
  assert.equal(selectorAttributes('watch', { fieldSelector: 'metadata.name=a' }, 'x').name, undefined, 'a name in the path stays');
  // Writes go to NodeRestriction admission; delete and other subresources are no opinion.
  for (const verb of ['create', 'update', 'patch']) assert.ok(nodes(verb, { name: 'b' }).allowed, verb);
  assert.ok(nodes('patch', { name: 'a', subresource: 'status' }).allowed);
  assert.deepEqual(nodes('delete', { name: 'a' }), { allowed: false, reason: undefined });
  assert.deepEqual(nodes('get', { name: 'a', subresource: 'proxy' }), { allowed: false, reason: undefined });
});

test('a claim status write is related and of the status subresource', () => {
  assert.ok(authz.authorize(req('patch', 'persistentvolumeclaims', { name: 'data', subresource: 'status' })).allowed);
  assert.equal(authz.authorize(req('get', 'persistentvolumeclaims', { name: 'data', subresource: 'status' })).reason, 'can only get/update/patch this type');
});

test('a node gets only attachments to itself, and only its own CSINode; CSIDrivers follow the node rules', () => {
  const attachments: KubeObject[] = [
    { metadata: { name: 'va-a' }, spec: { attacher: 'x.csi', nodeName: 'a', source: { persistentVolumeName: 'pv-1' } } },
    { metadata: { name: 'va-b' }, spec: { attacher: 'x.csi', nodeName: 'b', source: { persistentVolumeName: 'pv-2' } } },
  ];
  const withVAs = new NodeAuthorizer(new NodeGraph({ podsOnNode: () => [], claim: () => undefined, volumeAttachment: (name) => attachments.find((v) => v.metadata.name === name) }), nodeRules());
  const storage = (verb: string, resource: string, extra: Partial<AuthorizationAttributes> = {}) => req(verb, resource, { group: 'storage.k8s.io', namespace: undefined, ...extra });
  assert.ok(withVAs.authorize(storage('get', 'volumeattachments', { name: 'va-a' })).allowed);
  const other = storage('get', 'volumeattachments', { name: 'va-b' });
  assert.equal(
    `${forbiddenMessage(other)}: ${withVAs.authorize(other).reason}`,
    `volumeattachments.storage.k8s.io "va-b" is forbidden: User "system:node:a" cannot get resource "volumeattachments" in API group "storage.k8s.io" at the cluster scope: no relationship found between node 'a' and this object`,
  );
  assert.equal(withVAs.authorize(storage('get', 'volumeattachments', { name: 'missing' })).reason, "no relationship found between node 'a' and this object");
  assert.equal(withVAs.authorize(storage('list', 'volumeattachments')).reason, 'can only get individual resources of this type');
  assert.equal(withVAs.authorize(storage('patch', 'volumeattachments', { name: 'va-a', subresource: 'status' })).reason, 'can only get individual resources of this type');
  // A graph without attachments relates none.
  assert.equal(authz.authorize(storage('get', 'volumeattachments', { name: 'va-a' })).allowed, false);

  for (const verb of ['get', 'update', 'patch', 'delete']) assert.ok(authz.authorize(storage(verb, 'csinodes', { name: 'a' })).allowed, verb);
  assert.ok(authz.authorize(storage('create', 'csinodes')).allowed, 'a create is checked by NodeRestriction');
  const theirs = storage('get', 'csinodes', { name: 'b' });
  assert.equal(
    `${forbiddenMessage(theirs)}: ${authz.authorize(theirs).reason}`,
    'csinodes.storage.k8s.io "b" is forbidden: User "system:node:a" cannot get resource "csinodes" in API group "storage.k8s.io" at the cluster scope: can only access CSINode with the same name as the requesting node',
  );
  assert.equal(authz.authorize(storage('list', 'csinodes')).reason, 'can only get, create, update, patch, or delete a CSINode');
  assert.equal(authz.authorize(storage('update', 'csinodes', { name: 'a', subresource: 'status' })).reason, 'cannot authorize CSINode subresources');
  for (const verb of ['get', 'list', 'watch']) assert.ok(authz.authorize(storage(verb, 'csidrivers', { name: 'x.csi' })).allowed, verb);
  assert.equal(authz.authorize(storage('create', 'csidrivers')).allowed, false);
});
