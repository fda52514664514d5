// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorMessage, type FieldError } from '../../machinery/index.js';
import { validateValue } from './schema-validation.js';
import { applyDefaults } from './defaulting.js';
import { prune, unknownFields } from './pruning.js';
import { validateStructuralSchema } from './structural.js';
import type { JSONSchemaProps } from './types.js';

const schema: JSONSchemaProps = {
  type: 'object',
  required: ['spec'],
  properties: {
    spec: {
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string', minLength: 2, maxLength: 5, pattern: '^[a-z]+$' },
        replicas: { type: 'integer', minimum: 1, maximum: 3, default: 1 },
        ratio: { type: 'number', exclusiveMaximum: true, maximum: 1, multipleOf: 0.25 },
        mode: { type: 'string', enum: ['a', 'b'], default: 'a' },
        when: { type: 'string', format: 'date-time' },
        port: { 'x-kubernetes-int-or-string': true },
        note: { type: 'string', nullable: true },
        tags: { type: 'array', items: { type: 'string' }, maxItems: 2, 'x-kubernetes-list-type': 'set' },
        ports: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, port: { type: 'integer' } } }, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        raw: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', properties: { a: { type: 'string' } } } } },
        nested: { type: 'object', default: {}, properties: { level: { type: 'string', default: 'info' } } },
      },
    },
  },
};

function messages(value: unknown, s: JSONSchemaProps = schema): string[] {
  const errs: FieldError[] = [];
  validateValue(s, value, '', errs);
  return errs.map(fieldErrorMessage);
}

describe('custom resource schema validation', () => {
  it('accepts a valid object', () => {
    assert.deepEqual(messages({ spec: { name: 'web', replicas: 2, port: 'http', note: null, tags: ['a'], labels: { x: 'y' }, raw: { any: [1] } } }), []);
    assert.deepEqual(messages({ spec: { name: 'web', port: 80, template: { apiVersion: 'v1', kind: 'Pod', metadata: {} } } }), []);
  });

  it('reports types with upstream wording', () => {
    assert.deepEqual(messages({ spec: { name: 'web', replicas: 'x' } }), ['spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"']);
    assert.deepEqual(messages({ spec: { name: 'web', replicas: 1.5 } }), ['spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number"']);
    assert.deepEqual(messages({ spec: { name: 'web', port: true } }), ['spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"']);
    assert.deepEqual(messages({ spec: { name: null } }), ['spec.name: Invalid value: "null": spec.name in body must be of type string: "null"']);
    assert.deepEqual(messages({ spec: [] }), ['spec: Invalid value: "array": spec in body must be of type object: "array"']);
  });

  it('reports required, bounds, pattern, enum, format and list errors', () => {
    assert.deepEqual(messages({}), ['spec: Required value']);
    assert.deepEqual(messages({ spec: {} }), ['spec.name: Required value']);
    assert.deepEqual(messages({ spec: { name: 'Toolong' } }), [
      'spec.name: Too long: "Toolong": may not be more than 5 bytes',
      `spec.name: Invalid value: "Toolong": spec.name in body should match '^[a-z]+$'`,
    ]);
    assert.deepEqual(messages({ spec: { name: 'a' } }), ['spec.name: Invalid value: "a": spec.name in body should be at least 2 chars long']);
    assert.deepEqual(messages({ spec: { name: 'ab', replicas: 0, ratio: 1 } }), [
      'spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1',
      'spec.ratio: Invalid value: 1: spec.ratio in body should be less than 1',
    ]);
    assert.deepEqual(messages({ spec: { name: 'ab', ratio: 0.3 } }), ['spec.ratio: Invalid value: 0.3: spec.ratio in body should be a multiple of 0.25']);
    assert.deepEqual(messages({ spec: { name: 'ab', mode: 'c' } }), ['spec.mode: Unsupported value: "c": supported values: "a", "b"']);
    assert.deepEqual(messages({ spec: { name: 'ab', when: 'yesterday' } }), ['spec.when: Invalid value: "yesterday": spec.when in body must be of type date-time: "yesterday"']);
    assert.deepEqual(messages({ spec: { name: 'ab', tags: ['a', 'b', 'a'] } }), ['spec.tags: Too many: 3: must have at most 2 items', 'spec.tags[2]: Duplicate value: "a"']);
    assert.deepEqual(messages({ spec: { name: 'ab', ports: [{ name: 'x', port: 1 }, { name: 'x', port: 2 }] } }), ['spec.ports[1]: Duplicate value: {"name":"x"}']);
    assert.deepEqual(messages({ spec: { name: 'ab', labels: { a: 1 } } }), ['spec.labels.a: Invalid value: "integer": spec.labels.a in body must be of type string: "integer"']);
    assert.deepEqual(messages({ spec: { name: 'ab', template: { spec: {} } } }), ['spec.template.apiVersion: Required value', 'spec.template.kind: Required value']);
  });
});

describe('custom resource defaulting and pruning', () => {
  it('defaults missing fields, inside defaulted objects too', () => {
    const obj: Record<string, unknown> = { spec: { name: 'ab', mode: null } };
    applyDefaults(schema, obj);
    assert.deepEqual(obj.spec, { name: 'ab', mode: 'a', replicas: 1, nested: { level: 'info' } });
  });

  it('prunes undeclared fields but keeps metadata, maps, preserved and embedded type meta', () => {
    const obj: Record<string, unknown> = {
      apiVersion: 'example.com/v1', kind: 'W', metadata: { name: 'x', labels: { a: 'b' } }, extra: 1,
      spec: { name: 'ab', bogus: true, labels: { k: 'v' }, raw: { keep: { deep: 1 } }, template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { a: 'x', b: 'y' } } },
    };
    assert.deepEqual(unknownFields(schema, obj), ['extra', 'spec.bogus', 'spec.template.spec.b']);
    assert.equal((obj.spec as Record<string, unknown>).bogus, true, 'unknownFields does not change its input');
    assert.deepEqual(prune(schema, obj), ['extra', 'spec.bogus', 'spec.template.spec.b']);
    assert.deepEqual(obj, {
      apiVersion: 'example.com/v1', kind: 'W', metadata: { name: 'x', labels: { a: 'b' } },
      spec: { name: 'ab', labels: { k: 'v' }, raw: { keep: { deep: 1 } }, template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { a: 'x' } } },
    });
  });
});

describe('structural schema checks', () => {
  function structural(s: JSONSchemaProps | undefined): string[] {
    const errs: FieldError[] = [];
    validateStructuralSchema(s, 'spec.versions[0].schema.openAPIV3Schema', errs);
    return errs.map(fieldErrorMessage);
  }
  it('accepts the schema above', () => assert.deepEqual(structural(schema), []));
  it('rejects non-structural schemas with upstream paths', () => {
    assert.deepEqual(structural(undefined), ['spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required']);
    assert.deepEqual(structural({ type: 'string' }), ['spec.versions[0].schema.openAPIV3Schema.type: Invalid value: "string": must be object at the root']);
    assert.deepEqual(structural({ type: 'object', properties: { spec: { properties: { a: { type: 'string' } } } } }), [
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields',
    ]);
    assert.deepEqual(structural({ type: 'object', properties: { l: { type: 'array', items: { properties: {} } } } }), [
      'spec.versions[0].schema.openAPIV3Schema.properties[l].items.type: Required value: must not be empty for specified array items',
    ]);
    assert.deepEqual(structural({ type: 'object', properties: { p: { type: 'string', 'x-kubernetes-int-or-string': true } } }), [
      'spec.versions[0].schema.openAPIV3Schema.properties[p].type: Forbidden: type must be empty if x-kubernetes-int-or-string is true',
    ]);
    assert.deepEqual(structural({ type: 'object', properties: { l: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'map' } } }), [
      'spec.versions[0].schema.openAPIV3Schema.properties[l].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map',
    ]);
  });
});
