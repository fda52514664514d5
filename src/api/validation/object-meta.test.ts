// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorMessage } from '../../machinery/errors.js';
import { validateObjectMeta, nameRuleFor } from './object-meta.js';
import { validateLabelSelector, labelSelectorMatches } from './label-selector.js';

const msgs = (errs: { field: string }[]) => errs.map((e) => fieldErrorMessage(e as never));

test('nameRuleFor follows upstream per kind', () => {
  assert.equal(nameRuleFor('', 'Namespace'), 'label');
  assert.equal(nameRuleFor('', 'Service'), 'dns1035-label');
  assert.equal(nameRuleFor('', 'Pod'), 'subdomain');
  assert.equal(nameRuleFor('rbac.authorization.k8s.io', 'ClusterRole'), 'path-segment');
});

test('validateObjectMeta checks names, namespace, labels and annotations', () => {
  const ns = { namespaced: true, nameRule: 'subdomain' as const };
  assert.deepEqual(validateObjectMeta({ name: 'web', namespace: 'default' }, ns), []);
  assert.deepEqual(msgs(validateObjectMeta({ namespace: 'default' }, ns)), ['metadata.name: Required value: name or generateName is required']);
  assert.deepEqual(validateObjectMeta({ generateName: 'web-', namespace: 'default' }, ns), []);
  assert.deepEqual(msgs(validateObjectMeta({ name: 'web' }, ns)), ['metadata.namespace: Required value']);
  assert.deepEqual(msgs(validateObjectMeta({ name: 'n', namespace: 'x' }, { namespaced: false, nameRule: 'label' })), ['metadata.namespace: Forbidden: not allowed on this type']);
  const bad = msgs(validateObjectMeta({ name: 'web', namespace: 'default', labels: { app: 'a b' } }, ns));
  assert.equal(bad.length, 1);
  assert.match(bad[0], /^metadata\.labels: Invalid value: "a b": a valid label must be/);
  const big = msgs(validateObjectMeta({ name: 'web', namespace: 'default', annotations: { a: 'x'.repeat(256 * 1024) } }, ns));
  assert.deepEqual(big, ['metadata.annotations: Too long: may not be more than 262144 bytes']);
  const owners = [{ apiVersion: 'v1', kind: 'A', name: 'a', uid: '1', controller: true }, { apiVersion: 'v1', kind: 'B', name: 'b', uid: '2', controller: true }];
  const o = validateObjectMeta({ name: 'web', namespace: 'default', ownerReferences: owners }, ns);
  assert.match(o[0].detail ?? '', /Only one reference can have Controller set to true. Found "true" in references for a and b/);
});

test('label selectors validate and match', () => {
  const errs = validateLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In' }] }, 'spec.selector');
  assert.deepEqual(msgs(errs), ["spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"]);
  const sel = { matchLabels: { app: 'x' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] };
  assert.ok(labelSelectorMatches(sel, { app: 'x', tier: 'web' }));
  assert.ok(!labelSelectorMatches(sel, { app: 'x', tier: 'db' }));
  assert.ok(!labelSelectorMatches(sel, { app: 'y' }));
});
