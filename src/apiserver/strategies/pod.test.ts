// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { podStrategy, podQOSClass, POD_UPDATE_FORBIDDEN_MSG } from './pod.js';
import { imageTag } from './pod-defaults.js';
import { runCreate, runUpdate } from './strategy-harness.js';

function pod(containers: unknown[], extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers, ...extra } };
}

test('pod defaults match upstream v1 defaults', () => {
  const { obj, messages } = runCreate(podStrategy, pod([{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }], livenessProbe: { httpGet: { port: 80 } } }]));
  assert.deepEqual(messages, []);
  const spec = obj.spec as Record<string, any>; // any: test reads or edits defaulted JSON
  assert.equal(spec.restartPolicy, 'Always');
  assert.equal(spec.dnsPolicy, 'ClusterFirst');
  assert.equal(spec.terminationGracePeriodSeconds, 30);
  assert.equal(spec.schedulerName, 'default-scheduler');
  assert.deepEqual(spec.securityContext, {});
  assert.equal(spec.enableServiceLinks, true);
  assert.equal(spec.tolerations.length, 2);
  const c = spec.containers[0];
  assert.equal(c.imagePullPolicy, 'Always');
  assert.equal(c.terminationMessagePath, '/dev/termination-log');
  assert.equal(c.terminationMessagePolicy, 'File');
  assert.equal(c.ports[0].protocol, 'TCP');
  assert.deepEqual(c.livenessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  assert.deepEqual(obj.status, { phase: 'Pending', qosClass: 'BestEffort' });
});

test('imagePullPolicy follows the tag', () => {
  assert.equal(imageTag('nginx'), 'latest');
  assert.equal(imageTag('nginx:1.25'), '1.25');
  assert.equal(imageTag('registry:5000/nginx'), 'latest');
  assert.equal(imageTag('nginx@sha256:abc'), '');
  const { obj } = runCreate(podStrategy, pod([{ name: 'c', image: 'nginx:1.25' }]));
  assert.equal((obj.spec as any).containers[0].imagePullPolicy, 'IfNotPresent'); // any: test reads or edits defaulted JSON
});

test('requests default to limits and quantities are canonical; QoS follows', () => {
  const { obj } = runCreate(podStrategy, pod([{ name: 'c', image: 'x', resources: { limits: { cpu: '1000m', memory: '1024Mi' } } }]));
  const c = (obj.spec as any).containers[0]; // any: test reads or edits defaulted JSON
  assert.deepEqual(c.resources, { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } });
  assert.equal((obj.status as any).qosClass, 'Guaranteed'); // any: test reads or edits defaulted JSON
  assert.equal(podQOSClass({ containers: [{ name: 'c', resources: { requests: { cpu: '100m' } } }] }), 'Burstable');
});

test('container validation messages', () => {
  const { messages } = runCreate(
    podStrategy,
    pod([
      { name: 'Bad_Name', image: '' },
      { name: 'b', image: 'x', ports: [{ containerPort: 70000 }], volumeMounts: [{ name: 'data', mountPath: '/d' }], env: [{ name: 'A=B' }] },
      { name: 'b', image: 'x', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } },
    ]),
  );
  assert.ok(messages.includes('spec.containers[0].image: Required value'));
  assert.ok(messages.some((m) => m.startsWith('spec.containers[0].name: Invalid value: "Bad_Name": a lowercase RFC 1123 label must consist of')));
  assert.ok(messages.includes('spec.containers[1].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive'));
  assert.ok(messages.includes('spec.containers[1].volumeMounts[0].name: Not found: "data"'));
  assert.ok(messages.includes(`spec.containers[1].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`));
  assert.ok(messages.includes('spec.containers[2].name: Duplicate value: "b"'));
  assert.ok(messages.includes('spec.containers[2].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1'));
});

test('pod-level validation: containers required, restartPolicy, volumes, probes', () => {
  assert.deepEqual(runCreate(podStrategy, pod([])).messages, ['spec.containers: Required value']);
  const { messages } = runCreate(
    podStrategy,
    pod([{ name: 'c', image: 'x', readinessProbe: {}, livenessProbe: { exec: { command: ['true'] }, successThreshold: 2 } }], { restartPolicy: 'Sometimes', volumes: [{ name: 'v', emptyDir: {}, hostPath: { path: '/x' } }] }),
  );
  assert.ok(messages.includes('spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'));
  assert.ok(messages.includes('spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type'));
  assert.ok(messages.includes('spec.containers[0].readinessProbe: Required value: must specify a handler type'));
  assert.ok(messages.includes('spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1'));
});

test('pod updates may change images only', () => {
  const created = runCreate(podStrategy, pod([{ name: 'c', image: 'nginx:1' }])).obj;
  created.metadata.resourceVersion = '5';
  const imageOnly = structuredClone(created);
  (imageOnly.spec as any).containers[0].image = 'nginx:2'; // any: test reads or edits defaulted JSON
  assert.deepEqual(runUpdate(podStrategy, created, imageOnly).messages, []);
  const other = structuredClone(created);
  (other.spec as any).dnsPolicy = 'Default'; // any: test reads or edits defaulted JSON
  const r = runUpdate(podStrategy, created, other);
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0].field, 'spec');
  assert.ok(r.messages[0].startsWith(`spec: Forbidden: ${POD_UPDATE_FORBIDDEN_MSG}\n`));
  assert.match(r.messages[0], /dnsPolicy/);
});
