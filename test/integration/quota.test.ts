// SPDX-License-Identifier: Apache-2.0
/**
 * ResourceQuota and LimitRange against a real `skiff server` with the real
 * kubectl: a pods quota refuses the pod over the limit with upstream's
 * message and reports usage; a compute quota demands explicit limits; a
 * LimitRange gives pods default requests and limits and enforces max.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type ServerHandle } from '../harness/server-harness.js';
import { waitFor } from '../harness/wait-for.js';

let s: ServerHandle;

const eventually = <T>(what: string, fn: () => T | undefined | false, timeoutMs = 15000): Promise<T> => waitFor(what, fn, timeoutMs, 200);

const pod = (ns: string, name: string, resources = '{}') => `apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: ${ns} }
spec:
  containers:
  - name: app
    image: nginx:1.25
    resources: ${resources}
`;

describe('resource quota and limit ranges', () => {
  before(async () => {
    s = await startServer({ args: ['--simulated-nodes', '2'] });
  });
  after(async () => {
    await s?.stop();
  });

  it('a pods: 2 quota refuses the third pod with the upstream message', async () => {
    s.kubectlOk(['create', 'namespace', 'q1']);
    s.kubectlOk(['create', 'quota', 'pods', '-n', 'q1', '--hard=pods=2,count/configmaps=5']);
    s.kubectlOk(['apply', '-f', '-'], { input: pod('q1', 'a') });
    s.kubectlOk(['apply', '-f', '-'], { input: pod('q1', 'b') });
    const third = s.kubectl(['apply', '-f', '-'], { input: pod('q1', 'c') });
    assert.notEqual(third.code, 0);
    assert.match(third.stderr, /pods "c" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=2, limited: pods=2/);
    const used = await eventually('status.used', () => {
      const q = JSON.parse(s.kubectlOk(['get', 'quota', 'pods', '-n', 'q1', '-o', 'json'])) as { status?: { used?: Record<string, string> } };
      return q.status?.used?.pods === '2' && q.status.used['count/configmaps'] === '1' ? q.status.used : false;
    });
    // The one ConfigMap is the root CA publisher's kube-root-ca.crt, which every namespace holds (and upstream counts too).
    assert.equal(used['count/configmaps'], '1');
  });

  it('a compute quota requires limits and counts requests', async () => {
    s.kubectlOk(['create', 'namespace', 'q2']);
    s.kubectlOk(['create', 'quota', 'compute', '-n', 'q2', '--hard=requests.cpu=2,limits.cpu=2']);
    const bare = s.kubectl(['apply', '-f', '-'], { input: pod('q2', 'bare') });
    assert.match(bare.stderr, /pods "bare" is forbidden: failed quota: compute: must specify limits.cpu for: app; requests.cpu for: app/);
    s.kubectlOk(['apply', '-f', '-'], { input: pod('q2', 'one', '{ limits: { cpu: 1500m } }') });
    const big = s.kubectl(['apply', '-f', '-'], { input: pod('q2', 'two', '{ limits: { cpu: "1" } }') });
    assert.match(big.stderr, /exceeded quota: compute, requested: limits.cpu=1,requests.cpu=1, used: limits.cpu=1500m,requests.cpu=1500m, limited: limits.cpu=2,requests.cpu=2/);
  });

  it('a LimitRange defaults requests and limits and enforces max', () => {
    s.kubectlOk(['create', 'namespace', 'lr']);
    s.kubectlOk(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: LimitRange
metadata: { name: limits, namespace: lr }
spec:
  limits:
  - type: Container
    default: { cpu: 500m, memory: 128Mi }
    defaultRequest: { cpu: 250m, memory: 64Mi }
    max: { cpu: "1" }
`,
    });
    s.kubectlOk(['apply', '-f', '-'], { input: pod('lr', 'defaulted') });
    const p = JSON.parse(s.kubectlOk(['get', 'pod', 'defaulted', '-n', 'lr', '-o', 'json'])) as { metadata: { annotations?: Record<string, string> }; spec: { containers: { resources: unknown }[] } };
    assert.deepEqual(p.spec.containers[0].resources, { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } });
    assert.equal(p.metadata.annotations?.['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app');
    const big = s.kubectl(['apply', '-f', '-'], { input: pod('lr', 'big', '{ limits: { cpu: "2" } }') });
    assert.match(big.stderr, /pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2/);
  });
});
