// SPDX-License-Identifier: Apache-2.0
/** Unit tests of webhook matching (rules, scope, selectors, matchConditions) and answer checks, against upstream's cases. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { namespaceSelectorMatches, objectSelectorMatches, ruleMatches, isExemptAdmissionConfigurationResource, type RequestFacts } from './rules.js';
import { evaluateMatchConditions } from './invocation.js';
import { decodePatch, verifyResponse } from './review.js';
import { toStatusError } from './call.js';
import { mutatingWebhookConfigurationStrategy } from './configuration.js';
import { fieldErrorMessage } from '../../../machinery/index.js';

const facts = (over: Partial<RequestFacts> = {}): RequestFacts => ({ operation: 'CREATE', group: 'apps', version: 'v1', resource: 'deployments', subresource: '', namespace: 'ns', ...over });
const rule = (resources: string[], extra = {}) => ({ operations: ['CREATE'], apiGroups: ['apps'], apiVersions: ['v1'], resources, ...extra });

describe('webhook rules', () => {
  it('matches resources and subresources with upstream wildcards', () => {
    const cases: [string[], string, boolean][] = [
      [['deployments'], '', true],
      [['deployments'], 'scale', false],
      [['*'], '', true],
      [['*'], 'scale', false],
      [['*/*'], 'scale', true],
      [['deployments/*'], 'scale', true],
      [['deployments/*'], '', false],
      [['*/scale'], 'scale', true],
      [['*/scale'], 'status', false],
      [['deployments/status'], 'status', true],
    ];
    for (const [resources, sub, want] of cases) assert.equal(ruleMatches(rule(resources), facts({ subresource: sub })), want, `${resources} ${sub}`);
  });

  it('matches operations, groups, versions and scope', () => {
    assert.equal(ruleMatches(rule(['*'], { operations: ['UPDATE'] }), facts()), false);
    assert.equal(ruleMatches(rule(['*'], { operations: ['*'] }), facts()), true);
    assert.equal(ruleMatches(rule(['*'], { apiGroups: [''] }), facts()), false);
    assert.equal(ruleMatches(rule(['*'], { apiVersions: ['v1beta1'] }), facts()), false);
    assert.equal(ruleMatches(rule(['*'], { scope: 'Cluster' }), facts()), false);
    assert.equal(ruleMatches(rule(['*'], { scope: 'Namespaced' }), facts()), true);
    // A Namespace object is cluster scoped even though its request carries its name as namespace.
    const ns = facts({ group: '', resource: 'namespaces', namespace: 'x' });
    assert.equal(ruleMatches({ ...rule(['*'], { scope: 'Cluster' }), apiGroups: [''] }, ns), true);
    assert.equal(ruleMatches({ ...rule(['*'], { scope: 'Namespaced' }), apiGroups: [''] }, ns), false);
  });

  it('exempts the admission configuration kinds', () => {
    assert.equal(isExemptAdmissionConfigurationResource({ group: 'admissionregistration.k8s.io', resource: 'validatingwebhookconfigurations' }), true);
    assert.equal(isExemptAdmissionConfigurationResource({ group: '', resource: 'configmaps' }), false);
  });

  it('selects on object or old object labels and on namespace labels', async () => {
    const obj = (labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'X', metadata: { labels } });
    const sel = { matchLabels: { a: 'b' } };
    assert.equal(objectSelectorMatches(sel, facts({ object: obj({ a: 'c' }), oldObject: obj({ a: 'b' }) })), true);
    assert.equal(objectSelectorMatches(sel, facts({ object: obj({}) })), false);
    assert.equal(objectSelectorMatches({}, facts()), true);
    const labelsOf = async (ns: string): Promise<Record<string, string>> => (ns === 'on' ? { a: 'b' } : {});
    assert.equal(await namespaceSelectorMatches(sel, facts({ namespace: 'on' }), labelsOf), true);
    assert.equal(await namespaceSelectorMatches(sel, facts({ namespace: 'off' }), labelsOf), false);
    // Cluster-scoped objects always match a namespaceSelector.
    assert.equal(await namespaceSelectorMatches(sel, facts({ namespace: '' }), labelsOf), true);
  });
});

describe('matchConditions', () => {
  const obj = { metadata: { name: 'n' } };
  it('skips on a false condition, fails or skips on errors by failurePolicy', () => {
    assert.deepEqual(evaluateMatchConditions([{ name: 'a', expression: "object.metadata.name == 'n'" }], { object: obj }, 'Fail'), { matches: true });
    assert.deepEqual(evaluateMatchConditions([{ name: 'a', expression: "object.metadata.name == 'x'" }], { object: obj }, 'Fail'), { matches: false, failedCondition: 'a' });
    const err = evaluateMatchConditions([{ name: 'a', expression: 'object.nope == 1' }], { object: obj }, 'Fail');
    assert.equal(err.error, "expression 'object.nope == 1' resulted in error: no such key: nope");
    assert.deepEqual(evaluateMatchConditions([{ name: 'a', expression: 'object.nope == 1' }], { object: obj }, 'Ignore'), { matches: false });
    // A false condition wins over an error, as upstream.
    assert.equal(evaluateMatchConditions([{ name: 'e', expression: 'object.nope == 1' }, { name: 'f', expression: 'false' }], { object: obj }, 'Fail').matches, false);
  });
});

describe('admission answers', () => {
  const ok = (response: Record<string, unknown>) => ({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'u', ...response } });
  it('verifies as upstream', () => {
    assert.equal(verifyResponse('u', 'v1', true, {}), 'webhook response was absent');
    assert.equal(verifyResponse('u', 'v1', true, ok({ uid: 'x' })), 'expected response.uid="u", got "x"');
    assert.equal(verifyResponse('u', 'v1', true, { ...ok({}), kind: 'Other' }), 'expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got admission.k8s.io/v1, Kind=Other');
    assert.equal(verifyResponse('u', 'v1', true, ok({ patch: 'W10=' })), 'webhook returned response.patch but not response.patchType');
    assert.equal(verifyResponse('u', 'v1', false, ok({ patch: 'W10=', patchType: 'JSONPatch' })), 'validating webhook may not return response.patch');
    const v = verifyResponse('u', 'v1', true, ok({ allowed: true, patch: 'W10=', patchType: 'JSONPatch', warnings: ['w'] }));
    assert.ok(typeof v !== 'string' && v.allowed && v.patch === 'W10=' && v.warnings[0] === 'w');
    // v1beta1 answers are not checked for uid or kind; a patch is a JSON patch.
    const b = verifyResponse('u', 'v1beta1', true, { response: { allowed: true, patch: 'W10=' } });
    assert.ok(typeof b !== 'string' && b.patchType === 'JSONPatch');
  });

  it('decodes patches and words denials as upstream', () => {
    assert.deepEqual(decodePatch(Buffer.from('[{"op":"add","path":"/a","value":1}]').toString('base64')), [{ op: 'add', path: '/a', value: 1 }]);
    assert.match(decodePatch(Buffer.from('{}').toString('base64')) as string, /^received undecodable patch in webhook response: json: cannot unmarshal object/);
    assert.equal(toStatusError('h', undefined).message, 'admission webhook "h" denied the request without explanation');
    assert.equal(toStatusError('h', { reason: 'Forbidden' }).message, 'admission webhook "h" denied the request: Forbidden');
    const e = toStatusError('h', { message: 'no', code: 200 });
    assert.deepEqual([e.message, e.code], ['admission webhook "h" denied the request: no', 400]);
    assert.equal(toStatusError('h', { code: 401 }).code, 401);
  });
});

describe('configuration defaults and validation', () => {
  it('defaults as upstream and reports upstream messages', () => {
    const obj = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'm' }, webhooks: [{ name: 'a.b.c', clientConfig: { service: { namespace: 'n', name: 's' } }, sideEffects: 'None', admissionReviewVersions: ['v1'], rules: [rule(['*'])] }] };
    mutatingWebhookConfigurationStrategy.default!(obj);
    const h = obj.webhooks[0] as Record<string, unknown>;
    assert.deepEqual([h.failurePolicy, h.matchPolicy, h.timeoutSeconds, h.reinvocationPolicy], ['Fail', 'Equivalent', 10, 'Never']);
    assert.equal((h.clientConfig as { service: { port: number } }).service.port, 443);
    assert.deepEqual(mutatingWebhookConfigurationStrategy.validate!(obj), []);
    const bad = structuredClone(obj);
    bad.webhooks.push(structuredClone(bad.webhooks[0]));
    (bad.webhooks[1] as Record<string, unknown>).clientConfig = {};
    const msgs = mutatingWebhookConfigurationStrategy.validate!(bad).map(fieldErrorMessage);
    assert.deepEqual(msgs, ['webhooks[1].name: Duplicate value: "a.b.c"', 'webhooks[1].clientConfig: Required value: exactly one of url or service is required']);
  });
});
