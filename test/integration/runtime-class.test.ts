// SPDX-License-Identifier: Apache-2.0
/**
 * node.k8s.io/v1 RuntimeClass against a real `skiff server` with the real
 * kubectl: discovery, get/describe/explain, upstream's 422 messages (handler
 * a DNS-1123 label, immutable), and the RuntimeClass admission plugin: a pod
 * naming a missing class is refused with upstream's message; a pod naming a
 * class gets its overhead, nodeSelector and tolerations.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type ServerHandle } from '../harness/server-harness.js';

let s: ServerHandle;

const runtimeClass = (name: string, handler: string, extra = '') => `apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata: { name: ${name} }
handler: ${handler}
${extra}`;

const pod = (name: string, spec = '') => `apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: default }
spec:
  containers:
  - name: app
    image: nginx:1.25
${spec}`;

describe('RuntimeClass', () => {
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    await s?.stop();
  });

  it('is served: api-resources, get, describe and explain', () => {
    const resources = s.kubectlOk(['api-resources', '--api-group=node.k8s.io']);
    assert.match(resources, /^runtimeclasses\s+node\.k8s\.io\/v1\s+false\s+RuntimeClass$/m);
    s.kubectlOk(['apply', '-f', '-'], { input: runtimeClass('sandboxed', 'runsc', 'overhead: { podFixed: { cpu: 250m, memory: 64Mi } }\n') });
    const table = s.kubectlOk(['get', 'runtimeclass', 'sandboxed']);
    assert.match(table, /^NAME\s+HANDLER\s+AGE\n/);
    assert.match(table, /^sandboxed\s+runsc\s+\d+s$/m);
    const described = s.kubectlOk(['describe', 'runtimeclass', 'sandboxed']);
    assert.match(described, /^Name:\s+sandboxed$/m);
    assert.match(described, /^Handler:\s+runsc$/m);
    const explained = s.kubectlOk(['explain', 'runtimeclass.handler']);
    assert.match(explained, /GROUP:\s+node\.k8s\.io/);
    assert.match(explained, /handler specifies the underlying runtime and configuration/);
    assert.equal(s.kubectlOk(['get', 'runtimeclass', 'sandboxed', '-o', 'jsonpath={.overhead.podFixed.memory}']), '64Mi');
  });

  it('refuses a handler that is not a DNS-1123 label, and a change of handler, with 422 and upstream messages', () => {
    const bad = s.kubectl(['apply', '-f', '-'], { input: runtimeClass('bad', 'Run_C') });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /The RuntimeClass "bad" is invalid: handler: Invalid value: "Run_C": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'/);
    s.kubectlOk(['apply', '-f', '-'], { input: runtimeClass('fixed', 'runc') });
    const changed = s.kubectl(['patch', 'runtimeclass', 'fixed', '--type=merge', '-p', '{"handler":"crun"}']);
    assert.notEqual(changed.code, 0);
    assert.match(changed.stderr, /The RuntimeClass "fixed" is invalid: handler: Invalid value: "crun": field is immutable/);
    assert.equal(s.kubectlOk(['get', 'runtimeclass', 'fixed', '-o', 'jsonpath={.handler}']), 'runc');
    const negative = s.kubectl(['apply', '-f', '-'], { input: runtimeClass('neg', 'runc', 'overhead: { podFixed: { cpu: "-1" } }\n') });
    assert.match(negative.stderr, /The RuntimeClass "neg" is invalid: overhead\.limits\[cpu\]: Invalid value: "-1": must be greater than or equal to 0/);
  });

  it('refuses a pod naming a missing RuntimeClass with upstream message', () => {
    const refused = s.kubectl(['apply', '-f', '-'], { input: pod('lost', '  runtimeClassName: nowhere\n') });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /pods "lost" is forbidden: pod rejected: RuntimeClass "nowhere" not found/);
    assert.notEqual(s.kubectl(['get', 'pod', 'lost']).code, 0);
  });

  it("gives a pod its class's overhead, nodeSelector and tolerations, and refuses conflicts", () => {
    s.kubectlOk(['apply', '-f', '-'], {
      input: runtimeClass('kata', 'kata', `overhead: { podFixed: { cpu: 100m, memory: 32Mi } }
scheduling:
  nodeSelector: { sandbox.example.com/kata: "true" }
  tolerations: [{ key: sandbox.example.com/kata, operator: Exists, effect: NoSchedule }]
`),
    });
    s.kubectlOk(['apply', '-f', '-'], { input: pod('boxed', '  runtimeClassName: kata\n  nodeSelector: { disk: ssd }\n') });
    const spec = JSON.parse(s.kubectlOk(['get', 'pod', 'boxed', '-o', 'jsonpath={.spec}'])) as {
      overhead?: Record<string, string>; nodeSelector?: Record<string, string>; tolerations?: Array<{ key?: string; effect?: string }>;
    };
    assert.deepEqual(spec.overhead, { cpu: '100m', memory: '32Mi' });
    assert.deepEqual(spec.nodeSelector, { disk: 'ssd', 'sandbox.example.com/kata': 'true' });
    assert.ok(spec.tolerations?.some((t) => t.key === 'sandbox.example.com/kata' && t.effect === 'NoSchedule'), JSON.stringify(spec.tolerations));
    const conflict = s.kubectl(['apply', '-f', '-'], { input: pod('clash', '  runtimeClassName: kata\n  nodeSelector: { sandbox.example.com/kata: "false" }\n') });
    assert.match(conflict.stderr, /pods "clash" is forbidden: conflict: runtimeClass\.scheduling\.nodeSelector\[sandbox\.example\.com\/kata\] = true; pod\.spec\.nodeSelector\[sandbox\.example\.com\/kata\] = false/);
    const overhead = s.kubectl(['apply', '-f', '-'], { input: pod('heavy', '  runtimeClassName: kata\n  overhead: { cpu: "2" }\n') });
    assert.match(overhead.stderr, /pods "heavy" is forbidden: pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead/);
    const orphan = s.kubectl(['apply', '-f', '-'], { input: pod('orphan', '  overhead: { cpu: "2" }\n') });
    assert.match(orphan.stderr, /pods "orphan" is forbidden: pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead/);
  });
});
