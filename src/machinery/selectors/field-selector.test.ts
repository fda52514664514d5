// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../errors.js';
import {
  escapeFieldValue,
  exactFieldValue,
  fieldSelectorToString,
  matchesFields,
  parseFieldSelector,
  unescapeFieldValue,
  validateFieldSelector,
} from './field-selector.js';
import { isEverything } from './label-selector.js';
import { fieldsSupportedFor, selectableFields } from './selectable-fields.js';

function badRequest(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof StatusError, String(err));
    assert.equal(err.code, 400);
    return err.message;
  }
  assert.fail('expected a 400');
}

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'default' },
  spec: { nodeName: 'node-1', restartPolicy: 'Always', hostNetwork: true },
  status: { phase: 'Running', podIPs: [{ ip: '10.0.0.5' }], podIP: '10.0.0.5' },
};

test('parse: =, == and != with sorting and the canonical string', () => {
  const sel = parseFieldSelector('status.phase!=Running,metadata.name==a,spec.nodeName=n1');
  assert.equal(fieldSelectorToString(sel), 'metadata.name=a,spec.nodeName=n1,status.phase!=Running');
  assert.ok(isEverything(parseFieldSelector('')));
  assert.deepEqual(parseFieldSelector('a=').requirements, [{ field: 'a', operator: '=', value: '' }]);
});

test('values escape \\, , and = (EscapeValue / UnescapeValue)', () => {
  assert.equal(escapeFieldValue('a,b=c\\d'), 'a\\,b\\=c\\\\d');
  assert.equal(unescapeFieldValue('a\\,b\\=c\\\\d'), 'a,b=c\\d');
  const sel = parseFieldSelector('metadata.name=a\\,b,metadata.namespace=x');
  assert.deepEqual(sel.requirements.map((r) => r.value), ['a,b', 'x']);
  assert.equal(fieldSelectorToString(sel), 'metadata.name=a\\,b,metadata.namespace=x');
});

test('malformed selectors are 400 with upstream messages', () => {
  assert.equal(badRequest(() => parseFieldSelector('foo')), "invalid selector: 'foo'; can't understand 'foo'");
  assert.equal(badRequest(() => parseFieldSelector('a=b\\x')), 'invalid field selector: invalid escape sequence: \\x');
  assert.equal(badRequest(() => parseFieldSelector('a=b=c')), 'invalid field selector: unescaped character in value: 61');
  assert.equal(badRequest(() => parseFieldSelector('a=b\\')), 'invalid field selector: invalid escape sequence: \\');
});

test('pods: supported fields, spec.host alias, upstream error for others', () => {
  assert.deepEqual(fieldsSupportedFor('', 'Pod').sort(), [
    'metadata.name',
    'metadata.namespace',
    'spec.hostNetwork',
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'status.nominatedNodeName',
    'status.phase',
    'status.podIP',
  ]);
  const converted = validateFieldSelector(parseFieldSelector('spec.host=node-1'), '', 'Pod');
  assert.equal(fieldSelectorToString(converted), 'spec.nodeName=node-1');
  assert.equal(badRequest(() => validateFieldSelector(parseFieldSelector('spec.foo=x'), '', 'Pod')), 'field label not supported: spec.foo');
});

test('unsupported fields use each group\'s wording', () => {
  assert.equal(
    badRequest(() => validateFieldSelector(parseFieldSelector('spec.replicas=1'), 'apps', 'Deployment')),
    '"spec.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"',
  );
  assert.equal(badRequest(() => validateFieldSelector(parseFieldSelector('spec.x=1'), 'batch', 'Job')), 'field label "spec.x" not supported for "Job"');
  assert.equal(badRequest(() => validateFieldSelector(parseFieldSelector('metadata.namespace=x'), '', 'Node')), 'field label not supported: metadata.namespace');
  assert.ok(validateFieldSelector(parseFieldSelector('type=Opaque,metadata.name=s'), '', 'Secret'));
  assert.ok(validateFieldSelector(parseFieldSelector('involvedObject.name=web,reason=Failed,source=kubelet,type=Warning,reportingComponent=x'), '', 'Event'));
});

test('matching pods reads values as the pod strategy does', () => {
  const match = (s: string) => matchesFields(parseFieldSelector(s), pod);
  assert.ok(match('spec.nodeName=node-1'));
  assert.ok(match('status.phase!=Pending,metadata.namespace=default'));
  assert.ok(match('spec.hostNetwork=true'));
  assert.ok(match('status.podIP=10.0.0.5'));
  assert.ok(match('spec.schedulerName='), 'absent fields read as the empty string');
  assert.equal(match('spec.nodeName=node-2'), false);
  assert.equal(match('metadata.name!=web-1'), false);
  const noHostNetwork = { ...pod, spec: { nodeName: 'n' } };
  assert.ok(matchesFields(parseFieldSelector('spec.hostNetwork=false'), noHostNetwork));
});

test('kind-specific values: job status.successful, node unschedulable, event source, rc replicas', () => {
  const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, status: { succeeded: 2 } };
  assert.ok(matchesFields(parseFieldSelector('status.successful=2'), job));
  assert.deepEqual(selectableFields('batch', 'Job', { metadata: { name: 'j' } }), { 'metadata.name': 'j', 'metadata.namespace': '', 'status.successful': '0' });
  const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, spec: { unschedulable: true } };
  assert.ok(matchesFields(parseFieldSelector('spec.unschedulable=true'), node));
  const event = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e' }, reportingComponent: 'kubelet', involvedObject: { kind: 'Pod', name: 'web' } };
  assert.ok(matchesFields(parseFieldSelector('source=kubelet,involvedObject.kind=Pod,involvedObject.name=web'), event));
  const rc = { metadata: { name: 'r' }, status: { replicas: 3 } };
  assert.ok(matchesFields(parseFieldSelector('status.replicas=3'), rc, { group: '', kind: 'ReplicationController' }));
});

test('exactFieldValue finds an equality requirement', () => {
  const sel = parseFieldSelector('metadata.name=web,spec.nodeName!=x');
  assert.equal(exactFieldValue(sel, 'metadata.name'), 'web');
  assert.equal(exactFieldValue(sel, 'spec.nodeName'), undefined);
});
