// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorMessage } from '../../machinery/index.js';
import { apiServiceStrategy, validateAPIService } from './apiservice-strategy.js';
import { availableCell } from './apiservice-printer.js';
import type { APIService } from './types.js';

const svc = (name: string, spec: APIService['spec']): APIService => ({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name }, spec });
const messages = (s: APIService) => validateAPIService(s).map(fieldErrorMessage);

test('a valid remote APIService and the legacy v1. one pass', () => {
  assert.deepEqual(messages(svc('v1alpha1.wardle.example.com', { group: 'wardle.example.com', version: 'v1alpha1', groupPriorityMinimum: 1000, versionPriority: 15, service: { namespace: 'w', name: 'api', port: 443 } })), []);
  assert.deepEqual(messages(svc('v1.', { group: '', version: 'v1', groupPriorityMinimum: 18000, versionPriority: 1 })), []);
});

test('name, group, version and priorities are checked as upstream', () => {
  assert.deepEqual(messages(svc('v1.other', { group: '', version: 'v2', groupPriorityMinimum: 0, versionPriority: 1001 })), [
    'metadata.name: Invalid value: "v1.other": must be `spec.version+"."+spec.group`: "v2."',
    'spec.group: Required value: only v1 may have an empty group and it better be legacy kube',
    'spec.groupPriorityMinimum: Invalid value: 0: must be positive and less than 20000',
    'spec.versionPriority: Invalid value: 1001: must be positive and less than 1000',
  ]);
  assert.match(messages(svc('V1.Bad_Group', { group: 'Bad_Group', version: 'V1', groupPriorityMinimum: 1, versionPriority: 1 })).join('\n'), /spec\.group: Invalid value: "Bad_Group": a lowercase RFC 1123 subdomain[\s\S]*spec\.version: Invalid value: "V1": a DNS-1035 label/);
});

test('local APIServices take no TLS settings; remote ones name a service and not both', () => {
  assert.deepEqual(messages(svc('v1.x.io', { group: 'x.io', version: 'v1', groupPriorityMinimum: 1, versionPriority: 1, caBundle: 'Zm9vYg==', insecureSkipTLSVerify: true })), [
    'spec.caBundle: Invalid value: "4 bytes": local APIServices may not have a caBundle',
    'spec.insecureSkipTLSVerify: Invalid value: true: local APIServices may not have insecureSkipTLSVerify',
  ]);
  assert.deepEqual(messages(svc('v1.x.io', { group: 'x.io', version: 'v1', groupPriorityMinimum: 1, versionPriority: 1, caBundle: 'Zm9v', insecureSkipTLSVerify: true, service: { port: 70000 } })), [
    'spec.service.namespace: Required value',
    'spec.service.name: Required value',
    'spec.service.port: Invalid value: 70000: port is not valid: must be between 1 and 65535, inclusive',
    'spec.insecureSkipTLSVerify: Invalid value: true: may not be true if caBundle is present',
  ]);
});

test('the service port defaults to 443 and status conditions are True, False or Unknown', () => {
  const s = svc('v1.x.io', { group: 'x.io', version: 'v1', groupPriorityMinimum: 1, versionPriority: 1, service: { namespace: 'a', name: 'b' } });
  apiServiceStrategy.default!(s);
  assert.equal(s.spec?.service?.port, 443);
  const bad = { ...s, status: { conditions: [{ type: 'Available', status: 'Maybe' as 'True' }] } };
  assert.deepEqual(apiServiceStrategy.validateStatusUpdate!(bad, s).map(fieldErrorMessage), ['status.conditions[0].status: Unsupported value: "Maybe": supported values: "True", "False", "Unknown"']);
});

test('the AVAILABLE column shows the reason of a condition that is not True', () => {
  const s = svc('v1.x.io', {});
  assert.equal(availableCell(s), 'Unknown');
  assert.equal(availableCell({ ...s, status: { conditions: [{ type: 'Available', status: 'False', reason: 'MissingEndpoints' }] } }), 'False (MissingEndpoints)');
  assert.equal(availableCell({ ...s, status: { conditions: [{ type: 'Available', status: 'True', reason: 'Passed' }] } }), 'True');
});
