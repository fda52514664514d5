// SPDX-License-Identifier: Apache-2.0
/** RuntimeClass validation (upstream pkg/apis/node/validation: paths and messages) and its NAME HANDLER AGE table. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { fieldErrorMessage, type FieldError } from '../../machinery/index.js';
import { runtimeClassStrategy } from './runtime-class.js';
import { validatePodSpec } from './pod-spec-validation.js';
import { runtimeClassTableConvertor } from '../printers/runtime-class-printer.js';

const msgs = (errs: FieldError[] | undefined) => (errs ?? []).map(fieldErrorMessage);
const now = new Date('2024-05-01T12:00:00Z');
const created = new Date(now.getTime() - 90 * 1000).toISOString();
const rc = (body: object): KubeObject => ({ metadata: { name: 'gvisor', creationTimestamp: created }, ...body });
const LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

test('a RuntimeClass with a handler, overhead and scheduling is valid and prints NAME HANDLER AGE', () => {
  const ok = rc({ handler: 'runsc', overhead: { podFixed: { cpu: '250m', memory: '64Mi' } }, scheduling: { nodeSelector: { 'sandbox.example.com/gvisor': 'true' }, tolerations: [{ key: 'sandbox', operator: 'Exists', effect: 'NoSchedule' }] } });
  assert.deepEqual(msgs(runtimeClassStrategy.validate!(ok)), []);
  assert.deepEqual(runtimeClassTableConvertor.columns.map((c) => [c.name, c.type]), [['Name', 'string'], ['Handler', 'string'], ['Age', 'string']]);
  assert.deepEqual(runtimeClassTableConvertor.row(ok, now), ['gvisor', 'runsc', '90s']);
});

test('the handler is a DNS-1123 label, an empty one reported as the label rule (as upstream)', () => {
  assert.deepEqual(msgs(runtimeClassStrategy.validate!(rc({ handler: 'Run_C' }))), [`handler: Invalid value: "Run_C": ${LABEL}`]);
  assert.deepEqual(msgs(runtimeClassStrategy.validate!(rc({}))), [`handler: Invalid value: "": ${LABEL}`]);
  assert.deepEqual(msgs(runtimeClassStrategy.validate!(rc({ handler: 'a'.repeat(64) }))), [`handler: Invalid value: "${'a'.repeat(64)}": must be no more than 63 characters`]);
});

test('the handler is immutable; other fields may change', () => {
  const old = rc({ handler: 'runc' });
  assert.deepEqual(msgs(runtimeClassStrategy.validateUpdate!(rc({ handler: 'runsc' }), old)), ['handler: Invalid value: "runsc": field is immutable']);
  assert.deepEqual(msgs(runtimeClassStrategy.validateUpdate!(rc({ handler: 'runc', overhead: { podFixed: { cpu: '1' } } }), old)), []);
});

test('overhead is checked as container limits, scheduling as a pod nodeSelector and tolerations', () => {
  const bad = rc({
    handler: 'runc',
    overhead: { podFixed: { cpu: '-1', memory: 'lots' } },
    scheduling: {
      nodeSelector: { 'bad key!': 'v' },
      tolerations: [{ key: 'a', operator: 'Equal', value: 'b', effect: 'Sometimes' }, { operator: 'Equal' }, { key: 'k', operator: 'Exists' }, { key: 'k', operator: 'Exists' }],
    },
  });
  const got = msgs(runtimeClassStrategy.validate!(bad));
  assert.ok(got.includes('overhead.limits[cpu]: Invalid value: "-1": must be greater than or equal to 0'), got.join('\n'));
  assert.ok(got.some((m) => m.startsWith('overhead.limits[memory]: Invalid value: "lots": quantities must match')), got.join('\n'));
  assert.ok(got.some((m) => m.startsWith('scheduling.nodeSelector: Invalid value: "bad key!": name part must consist of')), got.join('\n'));
  assert.ok(got.includes('scheduling.tolerations[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"'), got.join('\n'));
  assert.ok(got.includes('scheduling.tolerations[1].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"'), got.join('\n'));
  assert.ok(got.some((m) => m.startsWith('scheduling.tolerations[3]: Duplicate value: ')), got.join('\n'));
  assert.equal(got.length, 6, got.join('\n'));
});

test("a pod's runtimeClassName is a DNS subdomain (upstream ValidateRuntimeClassName)", () => {
  const errs = (name: string) => msgs(validatePodSpec({ runtimeClassName: name, containers: [] }, 'spec')).filter((m) => m.startsWith('spec.runtimeClassName'));
  assert.deepEqual(errs('kata.example'), []);
  assert.deepEqual(errs('Kata_1'), [
    "spec.runtimeClassName: Invalid value: \"Kata_1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  ]);
});
