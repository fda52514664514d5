// SPDX-License-Identifier: Apache-2.0
/**
 * Authorization with field and label selectors (KEP-4601; AuthorizeWithSelectors
 * and AuthorizeNodeWithSelectors, on by default since 1.32) against a real
 * server: SubjectAccessReview, LocalSubjectAccessReview and
 * SelfSubjectAccessReview with spec.resourceAttributes.fieldSelector and
 * labelSelector from the real kubectl (`kubectl create -f -o json`; `kubectl
 * auth can-i` sends no selectors) and from @kubernetes/client-node; their
 * 422s; and a node identity (impersonated by the admin, as kubectl --as
 * does) listing pods and nodes over HTTP with and without the selectors.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { startServer, type ServerHandle } from '../harness/server-harness.js';

const NODE = 'sel-n1';
const AS_NODE = [`--as=system:node:${NODE}`, '--as-group=system:nodes'];
const POD_REASON = 'can only list/watch pods with spec.nodeName field selector';

interface Review {
  status: { allowed: boolean; reason?: string; evaluationError?: string };
}

describe('access reviews and node requests with selectors', () => {
  let s: ServerHandle;
  /** review posts an access review with the real kubectl and returns its answer. */
  const review = (kind: string, spec: object, namespace?: string): Review => {
    const body = { apiVersion: 'authorization.k8s.io/v1', kind, metadata: namespace ? { namespace } : {}, spec };
    return JSON.parse(s.kubectlOk(['create', '--validate=false', '-o', 'json', '-f', '-'], { input: JSON.stringify(body) })) as Review;
  };
  const nodeSAR = (resourceAttributes: object) => review('SubjectAccessReview', { user: `system:node:${NODE}`, groups: ['system:nodes', 'system:authenticated'], resourceAttributes }).status;

  before(async () => {
    s = await startServer();
    s.kubectlOk(['create', 'namespace', 'sel']);
    s.kubectlOk(['-n', 'sel', 'create', 'serviceaccount', 'bot']);
    s.kubectlOk(['-n', 'sel', 'create', 'rolebinding', 'bot-view', '--clusterrole=view', '--serviceaccount=sel:bot']);
    // RBAC is enforced once the server's caches are ready: wait for the binding to count.
    for (let i = 0; i < 100 && s.kubectl(['auth', 'can-i', 'list', 'pods', '-n', 'sel', '--as=system:serviceaccount:sel:bot']).stdout.trim() !== 'yes'; i++) {
      await new Promise((r) => setTimeout(r, 200));
    }
  });
  after(async () => {
    await s?.stop();
  });

  it('a SubjectAccessReview for a node listing pods is allowed only with its spec.nodeName field selector', () => {
    assert.deepEqual(nodeSAR({ verb: 'list', resource: 'pods', fieldSelector: { rawSelector: `spec.nodeName=${NODE}` } }), { allowed: true });
    assert.deepEqual(nodeSAR({ verb: 'watch', resource: 'pods', fieldSelector: { requirements: [{ key: 'spec.nodeName', operator: 'In', values: [NODE] }] } }), { allowed: true });
    assert.deepEqual(nodeSAR({ verb: 'list', resource: 'pods' }), { allowed: false, reason: POD_REASON });
    assert.deepEqual(nodeSAR({ verb: 'list', resource: 'pods', fieldSelector: { rawSelector: 'spec.nodeName=other' } }), { allowed: false, reason: POD_REASON });
    assert.deepEqual(nodeSAR({ verb: 'list', resource: 'pods', fieldSelector: { rawSelector: `spec.nodeName!=${NODE}` } }), { allowed: false, reason: POD_REASON });
    // Nodes: its own by name only.
    assert.deepEqual(nodeSAR({ verb: 'get', resource: 'nodes', name: NODE }), { allowed: true });
    assert.deepEqual(nodeSAR({ verb: 'get', resource: 'nodes', name: 'other' }), { allowed: false, reason: `node '${NODE}' cannot read 'other', only its own Node object` });
    assert.deepEqual(nodeSAR({ verb: 'list', resource: 'nodes' }), { allowed: false, reason: `node '${NODE}' cannot read all nodes, only its own Node object` });
  });

  it('selectors that cannot be used widen the question and say so in evaluationError', () => {
    const partly = nodeSAR({ verb: 'list', resource: 'pods', fieldSelector: { requirements: [{ key: 'spec.nodeName', operator: 'In', values: [NODE] }, { key: 'status.phase', operator: 'Exists' }] } });
    assert.deepEqual(partly, { allowed: true, evaluationError: 'spec.resourceAttributes.fieldSelector partially ignored due to parse error' });
    const unknown = nodeSAR({ verb: 'list', resource: 'pods', fieldSelector: { requirements: [{ key: 'spec.nodeName', operator: 'Near', values: [NODE] }] }, labelSelector: { rawSelector: 'app in (' } });
    assert.deepEqual(unknown, {
      allowed: false,
      reason: POD_REASON,
      evaluationError: 'spec.resourceAttributes.fieldSelector ignored due to parse error; spec.resourceAttributes.labelSelector ignored due to parse error',
    });
  });

  it('RBAC ignores selectors; LocalSubjectAccessReview and SelfSubjectAccessReview take them too', () => {
    const bot = { user: 'system:serviceaccount:sel:bot', groups: ['system:serviceaccounts', 'system:authenticated'] };
    const labels = { requirements: [{ key: 'app', operator: 'In', values: ['web'] }] };
    assert.deepEqual(review('LocalSubjectAccessReview', { ...bot, resourceAttributes: { namespace: 'sel', verb: 'list', resource: 'pods', labelSelector: labels } }, 'sel').status.allowed, true);
    assert.deepEqual(review('LocalSubjectAccessReview', { ...bot, resourceAttributes: { namespace: 'sel', verb: 'list', resource: 'secrets', labelSelector: labels } }, 'sel').status.allowed, false);
    const self = (resourceAttributes: object) => JSON.parse(s.kubectlOk(['create', '--validate=false', '-o', 'json', '-f', '-', ...AS_NODE], {
      input: JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes } }),
    })) as Review;
    assert.deepEqual(self({ verb: 'watch', resource: 'pods', fieldSelector: { rawSelector: `spec.nodeName=${NODE}` } }).status, { allowed: true });
    assert.deepEqual(self({ verb: 'watch', resource: 'pods' }).status, { allowed: false, reason: POD_REASON });
  });

  it('bad selector attributes are 422 Invalid with upstream field paths, and a wrong type is 400', () => {
    const post = (review: object) => s.kubectl(['create', '--validate=false', '-o', 'json', '-f', '-'], { input: JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', ...review }) });
    const create = (spec: object) => post({ kind: 'SubjectAccessReview', spec: { user: 'jane', ...spec } });
    const both = create({ resourceAttributes: { verb: 'list', resource: 'pods', fieldSelector: { rawSelector: 'a=b', requirements: [{ key: 'a', operator: 'In', values: ['b'] }] } } });
    assert.equal(both.code, 1);
    assert.equal(both.stderr.trim(), 'The SubjectAccessReview "" is invalid: spec.resourceAttributes.fieldSelector.rawSelector: Invalid value: "a=b": may not specified at the same time as requirements');
    const bad = create({ resourceAttributes: { verb: 'list', resource: 'pods', fieldSelector: {}, labelSelector: { requirements: [{ key: 'app', operator: 'Exists', values: ['x'] }, { key: 'app', operator: 'In' }] } } });
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr.trim(), [
      'The SubjectAccessReview "" is invalid: ',
      '* spec.resourceAttributes.fieldSelector.requirements: Required value: when spec.resourceAttributes.fieldSelector is specified, requirements or rawSelector is required',
      "* spec.resourceAttributes.labelSelector.requirements[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      "* spec.resourceAttributes.labelSelector.requirements[1].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    ].join('\n'));
    // The rest of upstream's review validation, gathered into one 422 with the selector errors.
    const neither = create({ user: '' });
    assert.equal(neither.stderr.trim(), [
      'The SubjectAccessReview "" is invalid: ',
      '* spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
      '* spec.user: Invalid value: "": at least one of user or group must be specified',
    ].join('\n'));
    const local = post({ kind: 'LocalSubjectAccessReview', metadata: { namespace: 'sel' }, spec: { user: 'jane', resourceAttributes: { verb: 'list', resource: 'pods' } } });
    assert.equal(local.stderr.trim(), 'The LocalSubjectAccessReview "" is invalid: spec.resourceAttributes.namespace: Invalid value: "": must match metadata.namespace');
    // A review is never stored: metadata must be empty (a local one's but for its namespace), after the spec's errors.
    const named = post({ kind: 'SubjectAccessReview', metadata: { name: 'x', labels: {} }, spec: { user: '', resourceAttributes: { verb: 'list', resource: 'pods' } } });
    assert.equal(named.stderr.trim(), [
      'The SubjectAccessReview "" is invalid: ',
      '* spec.user: Invalid value: "": at least one of user or group must be specified',
      '* metadata: Invalid value: {"labels":{},"name":"x"}: must be empty',
    ].join('\n'));
    const labelled = post({ kind: 'LocalSubjectAccessReview', metadata: { namespace: 'sel', labels: { a: 'b' } }, spec: { user: 'jane', resourceAttributes: { namespace: 'sel', verb: 'list', resource: 'pods' } } });
    assert.equal(labelled.stderr.trim(), 'The LocalSubjectAccessReview "" is invalid: metadata: Invalid value: {"labels":{"a":"b"},"namespace":"sel"}: must be empty except for namespace');
    const empty = post({ kind: 'SubjectAccessReview', metadata: { creationTimestamp: null, labels: {}, finalizers: [] }, spec: { user: 'jane', resourceAttributes: { verb: 'list', resource: 'pods' } } });
    assert.equal(empty.code, 0, empty.stderr);
    const typed = create({ resourceAttributes: { verb: 'list', resource: 'pods', labelSelector: { rawSelector: 7 } } });
    assert.equal(typed.code, 1);
    assert.match(typed.stderr, /cannot unmarshal number into Go struct field LabelSelectorAttributes\.spec\.resourceAttributes\.labelSelector\.rawSelector of type string/);
  });

  it('@kubernetes/client-node asks the same questions', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(s.kubeconfig);
    const authz = kc.makeApiClient(k8s.AuthorizationV1Api);
    const ask = async (fieldSelector?: k8s.V1FieldSelectorAttributes) => (await authz.createSubjectAccessReview({
      body: { spec: { user: `system:node:${NODE}`, groups: ['system:nodes'], resourceAttributes: { verb: 'list', resource: 'pods', fieldSelector } } },
    })).status;
    assert.equal((await ask({ requirements: [{ key: 'spec.nodeName', operator: 'In', values: [NODE] }] }))?.allowed, true);
    const denied = await ask();
    assert.equal(denied?.allowed, false);
    assert.equal(denied?.reason, POD_REASON);
    try {
      await ask({ rawSelector: `spec.nodeName=${NODE}`, requirements: [{ key: 'spec.nodeName', operator: 'In', values: [NODE] }] });
      assert.fail('accepted both rawSelector and requirements');
    } catch (err) {
      assert.ok(err instanceof k8s.ApiException, String(err));
      assert.equal(err.code, 422);
      const body = (typeof err.body === 'string' ? JSON.parse(err.body) : err.body) as { reason: string; message: string; details: { causes: { field: string }[] } };
      assert.equal(body.reason, 'Invalid');
      assert.equal(body.message, `SubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes.fieldSelector.rawSelector: Invalid value: "spec.nodeName=${NODE}": may not specified at the same time as requirements`);
      assert.deepEqual(body.details.causes.map((c) => c.field), ['spec.resourceAttributes.fieldSelector.rawSelector']);
    }
  });

  it('a node identity lists pods and nodes over HTTP only with its own selectors', () => {
    const allPods = s.kubectl(['get', 'pods', '-A', ...AS_NODE]);
    assert.equal(allPods.code, 1);
    assert.equal(allPods.stderr.trim(), `Error from server (Forbidden): pods is forbidden: User "system:node:${NODE}" cannot list resource "pods" in API group "" at the cluster scope: ${POD_REASON}`);
    const own = s.kubectl(['get', 'pods', '-A', '--field-selector', `spec.nodeName=${NODE}`, ...AS_NODE]);
    assert.equal(own.code, 0, own.stderr);
    const allNodes = s.kubectl(['get', 'nodes', ...AS_NODE]);
    assert.equal(allNodes.stderr.trim(), `Error from server (Forbidden): nodes is forbidden: User "system:node:${NODE}" cannot list resource "nodes" in API group "" at the cluster scope: node '${NODE}' cannot read all nodes, only its own Node object`);
    // A metadata.name selector names the object: the 403 names it too, as upstream's request info does.
    const otherNode = s.kubectl(['get', 'nodes', '--field-selector', 'metadata.name=other', ...AS_NODE]);
    assert.equal(otherNode.stderr.trim(), `Error from server (Forbidden): nodes "other" is forbidden: User "system:node:${NODE}" cannot list resource "nodes" in API group "" at the cluster scope: node '${NODE}' cannot read 'other', only its own Node object`);
    const ownNode = s.kubectl(['get', 'nodes', '--field-selector', `metadata.name=${NODE}`, ...AS_NODE]);
    assert.equal(ownNode.code, 0, ownNode.stderr);
    assert.match(ownNode.stderr, /No resources found/);
  });
});
