// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/index.js';
import { fieldErrorMessage, type FieldError } from '../../machinery/index.js';
import { celValidator } from './cel-rules.js';
import { validateStructuralSchema } from './structural.js';
import type { JSONSchemaProps } from './types.js';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      'x-kubernetes-validations': [
        { rule: 'self.minReplicas <= self.maxReplicas', message: 'minReplicas must not exceed maxReplicas' },
        { rule: "!has(self.mode) || self.mode != 'off' || self.maxReplicas == 0", fieldPath: '.mode', reason: 'FieldValueForbidden', message: 'off needs maxReplicas 0' },
        { rule: 'self.maxReplicas < 100' },
        { rule: 'self.maxReplicas >= oldSelf.maxReplicas', messageExpression: "'maxReplicas may not shrink below ' + string(oldSelf.maxReplicas)" },
      ],
      properties: {
        minReplicas: { type: 'integer' },
        maxReplicas: { type: 'integer' },
        mode: { type: 'string' },
        ratio: { type: 'number', 'x-kubernetes-validations': [{ rule: 'self < 1.0' }] },
        items: { type: 'array', items: { type: 'string', 'x-kubernetes-validations': [{ rule: "self.startsWith('x')", message: 'must start with x' }] } },
      },
    },
  },
};

const obj = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'example.com/v1', kind: 'Scaler', metadata: { name: 's' }, spec });
const run = (o: KubeObject, old?: KubeObject): string[] => celValidator(schema)!(o, old).map(fieldErrorMessage);

describe('x-kubernetes-validations', () => {
  it('passes objects that satisfy every rule', () => {
    assert.deepEqual(run(obj({ minReplicas: 1, maxReplicas: 3, ratio: 0.5, items: ['xa'] })), []);
  });
  it('reports failed rules with message, default text, fieldPath and reason', () => {
    assert.deepEqual(run(obj({ minReplicas: 5, maxReplicas: 3 })), ['spec: Invalid value: "object": minReplicas must not exceed maxReplicas']);
    assert.deepEqual(run(obj({ minReplicas: 0, maxReplicas: 300 })), ['spec: Invalid value: "object": failed rule: self.maxReplicas < 100']);
    assert.deepEqual(run(obj({ minReplicas: 0, maxReplicas: 1, mode: 'off' })), ['spec.mode: Forbidden: off needs maxReplicas 0']);
    assert.deepEqual(run(obj({ minReplicas: 0, maxReplicas: 1, ratio: 2.5, items: ['xa', 'b'] })), [
      'spec.ratio: Invalid value: "number": failed rule: self < 1.0',
      'spec.items[1]: Invalid value: "string": must start with x',
    ]);
  });
  it('reports evaluation errors', () => {
    assert.deepEqual(run(obj({ maxReplicas: 1 })), ['spec: Invalid value: "object": no such key: minReplicas evaluating rule: minReplicas must not exceed maxReplicas']);
  });
  it('runs transition rules only against an old object', () => {
    assert.deepEqual(run(obj({ minReplicas: 0, maxReplicas: 2 }), obj({ minReplicas: 0, maxReplicas: 5 })), ['spec: Invalid value: "object": maxReplicas may not shrink below 5']);
    assert.deepEqual(run(obj({ minReplicas: 0, maxReplicas: 6 }), obj({ minReplicas: 0, maxReplicas: 5 })), []);
  });
  it('rejects rules that do not compile when the CRD is validated', () => {
    const errs: FieldError[] = [];
    validateStructuralSchema({ type: 'object', 'x-kubernetes-validations': [{ rule: 'self.a >' }] }, 'spec.versions[0].schema.openAPIV3Schema', errs);
    assert.equal(errs.length, 1);
    assert.match(fieldErrorMessage(errs[0]!), /^spec\.versions\[0\]\.schema\.openAPIV3Schema\.x-kubernetes-validations\[0\]\.rule: Invalid value: "self\.a >": compilation failed: /);
  });
});
