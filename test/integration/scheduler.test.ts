// SPDX-License-Identifier: Apache-2.0
/**
 * The scheduler, simulated nodes and the node lifecycle controller against
 * a real `skiff server` with the real kubectl. Nodes are cluster-wide, so
 * the tests run in order and each removes the Nodes it created.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type ServerHandle } from '../harness/server-harness.js';
import { waitFor as waitForShared } from '../harness/wait-for.js';

let s: ServerHandle;

function simNode(name: string, o: { cpu?: string; labels?: Record<string, string>; taints?: string } = {}): string {
  const labels = Object.entries(o.labels ?? {}).map(([k, v]) => `    ${k}: "${v}"`).join('\n');
  return `apiVersion: v1
kind: Node
metadata:
  name: ${name}
  annotations: {skiff.dev/simulated: "true"}
  labels:
    kubernetes.io/hostname: ${name}
${labels}
spec:
  taints: ${o.taints ?? '[]'}
status:
  capacity: {cpu: "${o.cpu ?? '1'}", memory: 4Gi, pods: "110"}
---
`;
}

function pod(name: string, o: { cpu?: string; extra?: string } = {}): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {app: ${name.replace(/-\d+$/, '')}}}
spec:
  containers:
  - name: c
    image: busybox
    resources: {requests: {cpu: ${o.cpu ?? '100m'}}}
${o.extra ?? ''}
---
`;
}

const waitFor = <T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> => waitForShared(what, fn, timeoutMs, 200);

function phases(ns: string): Record<string, string> {
  const out = s.kubectlOk(['get', 'pods', '-n', ns, '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.phase}{"\\n"}{end}']);
  return Object.fromEntries(out.trim().split('\n').filter(Boolean).map((l) => l.split('=')));
}

describe('scheduler and simulated nodes', () => {
  before(async () => {
    s = await startServer({ args: ['--node-monitor-grace-period', '3s'] });
  });
  after(async () => {
    await s?.stop();
  });

  it('leaves the pod that does not fit Pending with the upstream message, and runs it once requests shrink', async () => {
    s.kubectlOk(['apply', '-f', '-'], { input: simNode('cpu-a') + simNode('cpu-b') });
    s.kubectlOk(['create', 'namespace', 'fit']);
    await waitFor('nodes Ready', () => /cpu-a\s+Ready[\s\S]*cpu-b\s+Ready/.test(s.kubectlOk(['get', 'nodes'])));
    s.kubectlOk(['apply', '-n', 'fit', '-f', '-'], { input: pod('web-1', { cpu: '500m' }) + pod('web-2', { cpu: '500m' }) + pod('web-3', { cpu: '500m' }) + pod('web-4', { cpu: '500m' }) + pod('web-5', { cpu: '500m' }) });
    const msg = '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.';
    await waitFor('4 running, 1 pending', () => {
      const p = Object.values(phases('fit'));
      return p.filter((x) => x === 'Running').length === 4 && p.filter((x) => x === 'Pending').length === 1;
    });
    const pending = Object.entries(phases('fit')).find(([, ph]) => ph === 'Pending')![0];
    const described = await waitFor('FailedScheduling in describe', () => {
      const d = s.kubectlOk(['describe', 'pod', '-n', 'fit', pending]);
      return d.includes(msg) && d;
    });
    assert.match(described, /PodScheduled\s+False/);
    assert.match(s.kubectlOk(['get', 'events', '-n', 'fit']), /FailedScheduling\s+pod\/web-\d\s+0\/2 nodes are available: 2 Insufficient cpu\./);
    assert.match(s.kubectlOk(['get', 'events', '-n', 'fit']), /Scheduled\s+pod\/web-\d\s+Successfully assigned fit\/web-\d to cpu-[ab]/);
    // Pods cannot change their requests: replace them with smaller ones, as a Deployment rollout would.
    s.kubectlOk(['delete', 'pods', '--all', '-n', 'fit', '--wait=true']);
    s.kubectlOk(['apply', '-n', 'fit', '-f', '-'], { input: [1, 2, 3, 4, 5, 6, 7, 8].map((i) => pod(`web-${i}`, { cpu: '250m' })).join('') });
    await waitFor('8 running', () => Object.values(phases('fit')).filter((x) => x === 'Running').length === 8);
    const wide = s.kubectlOk(['get', 'pods', '-n', 'fit', '-o', 'wide']);
    assert.match(wide, /web-1\s+1\/1\s+Running\s+0\s+\S+\s+10\.\d+\.\d+\.\d+\s+cpu-[ab]/);
    s.kubectlOk(['delete', 'namespace', 'fit', '--wait=false']);
    s.kubectlOk(['delete', 'node', 'cpu-a', 'cpu-b']);
  });

  it('honours nodeSelector, taints and tolerations', async () => {
    s.kubectlOk(['apply', '-f', '-'], { input: simNode('sel-ssd', { labels: { disk: 'ssd' } }) + simNode('sel-gpu', { taints: '[{key: gpu, value: "true", effect: NoSchedule}]' }) });
    s.kubectlOk(['create', 'namespace', 'sel']);
    const selector = '  nodeSelector: {disk: ssd}\n';
    const toleration = '  nodeSelector: {kubernetes.io/hostname: sel-gpu}\n  tolerations: [{key: gpu, operator: Equal, value: "true", effect: NoSchedule}]\n';
    const nowhere = '  nodeSelector: {disk: nvme}\n';
    const untolerated = '  nodeSelector: {kubernetes.io/hostname: sel-gpu}\n';
    s.kubectlOk(['apply', '-n', 'sel', '-f', '-'], { input: pod('ssd', { extra: selector }) + pod('gpu', { extra: toleration }) + pod('nowhere', { extra: nowhere }) + pod('untol', { extra: untolerated }) });
    await waitFor('ssd and gpu running', () => {
      const p = phases('sel');
      return p.ssd === 'Running' && p.gpu === 'Running';
    });
    assert.equal(s.kubectlOk(['get', 'pod', '-n', 'sel', 'ssd', '-o', 'jsonpath={.spec.nodeName}']), 'sel-ssd');
    assert.equal(s.kubectlOk(['get', 'pod', '-n', 'sel', 'gpu', '-o', 'jsonpath={.spec.nodeName}']), 'sel-gpu');
    const events = await waitFor('both failures', () => {
      const e = s.kubectlOk(['get', 'events', '-n', 'sel', '-o', 'jsonpath={range .items[*]}{.involvedObject.name}: {.message}{"\\n"}{end}']);
      return e.includes('nowhere:') && e.includes('untol:') && e;
    });
    assert.ok(
      // TaintToleration runs before NodeAffinity (upstream order), so the tainted node reports its taint.
      events.includes(
        "nowhere: 0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {gpu: true}. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
      ),
      events,
    );
    assert.ok(
      events.includes(
        "untol: 0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {gpu: true}. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
      ),
      events,
    );
    s.kubectlOk(['delete', 'namespace', 'sel', '--wait=false']);
    s.kubectlOk(['delete', 'node', 'sel-ssd', 'sel-gpu']);
  });

  it('marks a node whose lease stops Unknown, taints it, and evicts its pods after tolerationSeconds', async () => {
    s.kubectlOk(['apply', '-f', '-'], { input: simNode('dying') });
    s.kubectlOk(['create', 'namespace', 'evict']);
    const quick = '  tolerations: [{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 3}]\n';
    s.kubectlOk(['apply', '-n', 'evict', '-f', '-'], { input: pod('quick', { extra: quick }) + pod('patient') });
    await waitFor('pods running', () => {
      const p = phases('evict');
      return p.quick === 'Running' && p.patient === 'Running';
    });
    const stoppedAt = Date.now();
    s.kubectlOk(['annotate', 'node', 'dying', 'skiff.dev/simulated-stopped=true']);
    await waitFor('node NotReady', () => /dying\s+NotReady/.test(s.kubectlOk(['get', 'nodes'])));
    const described = s.kubectlOk(['describe', 'node', 'dying']);
    assert.match(described, /Taints:\s+node\.kubernetes\.io\/unreachable:NoExecute\s+node\.kubernetes\.io\/unreachable:NoSchedule/);
    assert.match(described, /Ready\s+Unknown .*NodeStatusUnknown\s+Kubelet stopped posting node status\./);
    await waitFor('quick pod evicted', () => s.kubectlOk(['get', 'pod', '-n', 'evict', 'quick', '-o', 'jsonpath={.metadata.deletionTimestamp}']) !== '');
    assert.ok(Date.now() - stoppedAt >= 3000, 'eviction waited for the grace period and tolerationSeconds');
    assert.equal(s.kubectlOk(['get', 'pod', '-n', 'evict', 'patient', '-o', 'jsonpath={.metadata.deletionTimestamp}']), '');
    assert.equal(s.kubectlOk(['get', 'pod', '-n', 'evict', 'patient', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']), 'False');
    assert.match(s.kubectlOk(['get', 'events', '-n', 'evict']), /TaintManagerEviction\s+pod\/quick\s+Marking for deletion Pod evict\/quick/);
    // The kubelet comes back: Ready again, taints gone.
    s.kubectlOk(['annotate', 'node', 'dying', 'skiff.dev/simulated-stopped-']);
    await waitFor('node Ready again', () => /dying\s+Ready/.test(s.kubectlOk(['get', 'nodes'])));
    await waitFor('taints removed', () => !s.kubectlOk(['get', 'node', 'dying', '-o', 'jsonpath={.spec.taints}']).includes('unreachable'));
    s.kubectlOk(['delete', 'namespace', 'evict', '--wait=false']);
    s.kubectlOk(['delete', 'node', 'dying']);
  });
});
