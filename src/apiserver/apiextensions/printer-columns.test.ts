// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateJSONPath, parseJSONPath } from './jsonpath.js';
import { printerColumnsConvertor } from './printer-columns.js';

const obj = {
  apiVersion: 'cert-manager.io/v1',
  kind: 'Certificate',
  metadata: { name: 'web', creationTimestamp: '2024-01-01T00:00:00Z', labels: { 'app.kubernetes.io/name': 'web' } },
  spec: { replicas: 2, dnsNames: ['a', 'b'], issuerRef: { name: 'ca' } },
  status: { conditions: [{ type: 'Issuing', status: 'False' }, { type: 'Ready', status: 'True' }] },
};

describe('JSONPath for printer columns', () => {
  it('selects fields, indices, wildcards and filters', () => {
    const at = (p: string) => evaluateJSONPath(parseJSONPath(p), obj);
    assert.deepEqual(at('.spec.issuerRef.name'), ['ca']);
    assert.deepEqual(at('.spec.dnsNames[1]'), ['b']);
    assert.deepEqual(at('.spec.dnsNames[-1]'), ['b']);
    assert.deepEqual(at('.spec.dnsNames[*]'), ['a', 'b']);
    assert.deepEqual(at('{.status.conditions[?(@.type=="Ready")].status}'), ['True']);
    assert.deepEqual(at(".metadata.labels['app.kubernetes.io/name']"), ['web']);
    assert.deepEqual(at('.metadata.labels.app\\.kubernetes\\.io/name'), ['web']);
    assert.deepEqual(at('.spec.missing'), []);
  });
});

describe('additionalPrinterColumns tables', () => {
  it('prints Name then each column, typed, with dates as ages', () => {
    const c = printerColumnsConvertor([
      { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
      { name: 'Issuer', type: 'string', jsonPath: '.spec.issuerRef', priority: 1 },
      { name: 'Missing', type: 'string', jsonPath: '.spec.nothing' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ]);
    assert.deepEqual(c.columns.map((x) => [x.name, x.type, x.priority]), [['Name', 'string', 0], ['Ready', 'string', 0], ['Replicas', 'integer', 0], ['Issuer', 'string', 1], ['Missing', 'string', 0], ['Age', 'date', 0]]);
    assert.deepEqual(c.row(obj, new Date('2024-01-03T00:00:00Z')), ['web', 'True', 2, '{"name":"ca"}', null, '2d']);
  });
  it('shows Age when a version declares no columns, as upstream', () => {
    const c = printerColumnsConvertor(undefined);
    assert.deepEqual(c.columns.map((x) => x.name), ['Name', 'Age']);
  });
});
