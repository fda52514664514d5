// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorMessage, StatusError } from '../../machinery/index.js';
import { checkSelectorTypes, reviewSelectors, validateSelectorAttributes } from './access-review-selectors.js';

const messages = (ra: Parameters<typeof validateSelectorAttributes>[0]) => validateSelectorAttributes(ra).map(fieldErrorMessage);

test('selector attributes: rawSelector or requirements, not both, not neither', () => {
  assert.deepEqual(messages({ fieldSelector: { rawSelector: 'spec.nodeName=a' }, labelSelector: { requirements: [{ key: 'app', operator: 'In', values: ['web'] }] } }), []);
  assert.deepEqual(messages({ fieldSelector: { rawSelector: 'spec.nodeName=a', requirements: [{ key: 'spec.nodeName', operator: 'In', values: ['a'] }] } }), [
    'spec.resourceAttributes.fieldSelector.rawSelector: Invalid value: "spec.nodeName=a": may not specified at the same time as requirements',
  ]);
  assert.deepEqual(messages({ labelSelector: {} }), [
    'spec.resourceAttributes.labelSelector.requirements: Required value: when spec.resourceAttributes.labelSelector is specified, requirements or rawSelector is required',
  ]);
  assert.deepEqual(messages({ fieldSelector: null, labelSelector: null }), []);
});

test('selector requirements are validated as metav1 requirements, unknown operators allowed', () => {
  assert.deepEqual(messages({
    fieldSelector: { requirements: [{ operator: 'In', values: [] }, { key: 'spec.nodeName', operator: 'Exists', values: ['a'] }, { key: 'x', operator: 'Matches', values: ['a'] }] },
  }), [
    'spec.resourceAttributes.fieldSelector.requirements[0].key: Required value: must be specified',
    "spec.resourceAttributes.fieldSelector.requirements[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    "spec.resourceAttributes.fieldSelector.requirements[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
  ]);
  assert.deepEqual(messages({
    labelSelector: { requirements: [{ key: 'a b', operator: 'NotIn', values: [] }, { key: 'app', operator: 'DoesNotExist', values: ['x'] }, { key: 'app', operator: 'In', values: ['-bad-'] }, { key: 'app', operator: 'Near' }] },
  }), [
    "spec.resourceAttributes.labelSelector.requirements[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    `spec.resourceAttributes.labelSelector.requirements[0].key: Invalid value: "a b": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
    "spec.resourceAttributes.labelSelector.requirements[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
    `spec.resourceAttributes.labelSelector.requirements[2].values[0]: Invalid value: "-bad-": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
  ]);
});

test('selectors convert into authorizer requirements; what does not convert is dropped and reported', () => {
  assert.deepEqual(reviewSelectors({ fieldSelector: { rawSelector: 'spec.nodeName=a' }, labelSelector: { rawSelector: 'app=web,!canary' } }), {
    fieldSelector: [{ field: 'spec.nodeName', operator: '=', value: 'a' }],
    labelSelector: [{ key: 'app', operator: '=', values: ['web'] }, { key: 'canary', operator: '!', values: [] }],
    evaluationErrors: [],
  });
  // In and NotIn of one value are = and != (as a parsed field selector); several values, Exists and unknown operators are not supported.
  assert.deepEqual(reviewSelectors({ fieldSelector: { requirements: [{ key: 'spec.nodeName', operator: 'In', values: ['a'] }, { key: 'status.phase', operator: 'NotIn', values: ['Failed'] }] } }), {
    fieldSelector: [{ field: 'spec.nodeName', operator: '=', value: 'a' }, { field: 'status.phase', operator: '!=', value: 'Failed' }],
    evaluationErrors: [],
  });
  assert.deepEqual(reviewSelectors({ fieldSelector: { requirements: [{ key: 'spec.nodeName', operator: 'In', values: ['a'] }, { key: 'x', operator: 'In', values: ['1', '2'] }] } }), {
    fieldSelector: [{ field: 'spec.nodeName', operator: '=', value: 'a' }],
    evaluationErrors: ['spec.resourceAttributes.fieldSelector partially ignored due to parse error'],
  });
  assert.deepEqual(reviewSelectors({ fieldSelector: { requirements: [{ key: 'x', operator: 'Exists' }] }, labelSelector: { rawSelector: 'app in (' } }), {
    evaluationErrors: ['spec.resourceAttributes.fieldSelector ignored due to parse error', 'spec.resourceAttributes.labelSelector ignored due to parse error'],
  });
  assert.deepEqual(reviewSelectors({ labelSelector: { requirements: [{ key: 'app', operator: 'In', values: ['web', 'api'] }, { key: 'tier', operator: 'Near', values: ['x'] }] } }), {
    labelSelector: [{ key: 'app', operator: 'in', values: ['web', 'api'] }],
    evaluationErrors: ['spec.resourceAttributes.labelSelector partially ignored due to parse error'],
  });
});

test('wrongly typed selector fields are refused as the JSON decoder refuses them', () => {
  const refusal = (ra: Record<string, unknown>) => {
    try {
      checkSelectorTypes('SubjectAccessReview', ra);
    } catch (err) {
      assert.ok(err instanceof StatusError);
      assert.equal(err.code, 400);
      return err.message;
    }
    return undefined;
  };
  const prefix = 'SubjectAccessReview in version "v1" cannot be handled as a SubjectAccessReview: json: cannot unmarshal';
  assert.equal(refusal({ fieldSelector: { rawSelector: 5 } }), `${prefix} number into Go struct field FieldSelectorAttributes.spec.resourceAttributes.fieldSelector.rawSelector of type string`);
  assert.equal(refusal({ labelSelector: 'app=web' }), `${prefix} string into Go struct field ResourceAttributes.spec.resourceAttributes.labelSelector of type v1.LabelSelectorAttributes`);
  assert.equal(refusal({ labelSelector: { requirements: [{ key: 'a', operator: 'In', values: 'x' }] } }), `${prefix} string into Go struct field LabelSelectorRequirement.spec.resourceAttributes.labelSelector.requirements.values of type []string`);
  assert.equal(refusal({ fieldSelector: { requirements: {} } }), `${prefix} object into Go struct field FieldSelectorAttributes.spec.resourceAttributes.fieldSelector.requirements of type []v1.FieldSelectorRequirement`);
  assert.equal(refusal({ fieldSelector: { rawSelector: 'a=b', requirements: null }, labelSelector: null }), undefined);
});
