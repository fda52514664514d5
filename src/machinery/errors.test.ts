// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newAlreadyExists, newInvalid, newStatus, field } from './errors.js';

test('Status serializes in metav1.Status field order with empty fields left out', () => {
  const text = JSON.stringify(newAlreadyExists({ group: '', resource: 'services' }, 'x').toStatus());
  assert.equal(text, '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"services \\"x\\" already exists","reason":"AlreadyExists","details":{"name":"x","kind":"services"},"code":409}');
  const apps = JSON.stringify(newAlreadyExists({ group: 'apps', resource: 'deployments' }, 'd').toStatus());
  assert.match(apps, /"details":\{"name":"d","group":"apps","kind":"deployments"\},"code":409\}$/);
});

test('Status causes keep reason, message, field order; success statuses carry no reason', () => {
  const s = newInvalid('Pod', '', 'p', [field.required('spec.containers')]).toStatus();
  assert.equal(JSON.stringify(s.details?.causes), '[{"reason":"FieldValueRequired","message":"Required value","field":"spec.containers"}]');
  assert.equal(JSON.stringify(newStatus({ status: 'Success', code: 201 })), '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","code":201}');
  assert.equal(JSON.stringify(newStatus({ typeMeta: false, status: 'Success' })), '{"metadata":{},"status":"Success"}');
});
