// SPDX-License-Identifier: Apache-2.0
/**
 * ValidatingAdmissionPolicy and bindings against a real `skiff server`
 * with the real kubectl: a CEL policy with params from a ConfigMap refuses
 * too many replicas with its messageExpression (Deny), warns (Warn), and a
 * policy that does not compile is refused with upstream's field path.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type ServerHandle } from '../harness/server-harness.js';

let s: ServerHandle;

const policy = {
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingAdmissionPolicy',
  metadata: { name: 'max-replicas' },
  spec: {
    paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
    matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'] }] },
    variables: [{ name: 'limit', expression: 'int(params.data.maxReplicas)' }],
    validations: [
      { expression: 'object.spec.replicas <= variables.limit', messageExpression: "'replicas ' + string(object.spec.replicas) + ' is more than ' + string(variables.limit)" },
      { expression: "!has(object.metadata.labels) || !('forbidden' in object.metadata.labels)", message: 'the forbidden label may not be set', reason: 'Forbidden' },
    ],
  },
};

const binding = (actions: string[]) => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingAdmissionPolicyBinding',
  metadata: { name: 'max-replicas-binding' },
  spec: {
    policyName: 'max-replicas',
    validationActions: actions,
    paramRef: { name: 'limits', namespace: 'policy', parameterNotFoundAction: 'Deny' },
    matchResources: { namespaceSelector: { matchLabels: { policed: 'yes' } } },
  },
});

const deployment = (name: string, replicas: number, labels: Record<string, string> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'policed', labels: { app: name, ...labels } },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
});

describe('ValidatingAdmissionPolicy', () => {
  before(async () => {
    s = await startServer();
    s.kubectlOk(['create', 'namespace', 'policy']);
    s.kubectlOk(['create', 'namespace', 'policed']);
    s.kubectlOk(['label', 'namespace', 'policed', 'policed=yes']);
    s.kubectlOk(['create', 'configmap', 'limits', '-n', 'policy', '--from-literal=maxReplicas=3']);
    s.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(policy) });
  });
  after(async () => {
    await s?.stop();
  });

  it('Deny refuses with the messageExpression and the validation reason; nothing is stored', async () => {
    s.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(binding(['Deny'])) });
    const r = await s.request('POST', '/apis/apps/v1/namespaces/policed/deployments', deployment('big', 5));
    assert.equal(r.status, 422, r.body);
    const st = JSON.parse(r.body) as { reason: string; message: string };
    assert.equal(st.reason, 'Invalid');
    assert.equal(st.message, "ValidatingAdmissionPolicy 'max-replicas' with binding 'max-replicas-binding' denied request: replicas 5 is more than 3");
    const k = s.kubectl(['apply', '-f', '-'], { input: JSON.stringify(deployment('labelled', 1, { forbidden: 'x' })) });
    assert.match(k.stderr, /ValidatingAdmissionPolicy 'max-replicas' with binding 'max-replicas-binding' denied request: the forbidden label may not be set/);
    assert.equal(s.kubectl(['get', 'deploy', 'big', 'labelled', '-n', 'policed']).code, 1);
    s.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(deployment('small', 2)) });
    // Another namespace is outside the binding's matchResources.
    const other = deployment('elsewhere', 9);
    other.metadata.namespace = 'policy';
    s.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(other) });
  });

  it('Warn lets the request through with a warning', () => {
    s.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(binding(['Warn', 'Audit'])) });
    const r = s.kubectl(['apply', '-f', '-'], { input: JSON.stringify(deployment('warned', 4)) });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Warning: Validation failed for ValidatingAdmissionPolicy 'max-replicas' with binding 'max-replicas-binding': replicas 4 is more than 3/);
  });

  it('missing params with parameterNotFoundAction Deny refuse the request', async () => {
    s.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(binding(['Deny'])) });
    s.kubectlOk(['delete', 'configmap', 'limits', '-n', 'policy']);
    const r = await s.request('POST', '/apis/apps/v1/namespaces/policed/deployments', deployment('orphan', 1));
    assert.equal(r.status, 422, r.body);
    assert.match((JSON.parse(r.body) as { message: string }).message, /no params found for policy binding with `Deny` parameterNotFoundAction/);
  });

  it('a policy whose expression does not compile is refused with its field path', () => {
    const bad = structuredClone(policy);
    bad.metadata.name = 'broken';
    bad.spec.validations = [{ expression: 'object.spec.replicas <=', messageExpression: '' } as never];
    const r = s.kubectl(['apply', '-f', '-'], { input: JSON.stringify(bad) });
    assert.match(r.stderr, /spec\.validations\[0\]\.expression: Invalid value: "object\.spec\.replicas <=": compilation failed: /);
    assert.equal(s.kubectl(['get', 'validatingadmissionpolicy', 'broken']).code, 1);
    assert.match(s.kubectlOk(['get', 'validatingadmissionpolicies']), /max-replicas\s+2\s+v1\/ConfigMap/);
  });
});
