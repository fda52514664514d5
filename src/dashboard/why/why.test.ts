// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event, Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import { costByNamespace, diagnosePod, diagnoseService, nodeRooms, rolloutSteps } from './index.js';

const node = (name: string, cpu: string, memory = '4Gi'): Node => ({ metadata: { name }, status: { allocatable: { cpu, memory } } });
const pod = (name: string, cpu: string, nodeName?: string, extra: Partial<Pod['status']> = {}): Pod => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: { app: 'web' } },
  spec: { nodeName, containers: [{ name: 'c', image: 'i', resources: { requests: { cpu, memory: '128Mi' } }, ports: [{ containerPort: 8080, name: 'http' }] }] },
  status: { phase: nodeName ? 'Running' : 'Pending', ...extra },
});

test('nodeRooms subtracts the requests of pods that still hold resources', () => {
  const rooms = nodeRooms([node('n1', '1')], [pod('a', '300m', 'n1'), { ...pod('b', '500m', 'n1'), status: { phase: 'Succeeded' } }]);
  assert.deepEqual(rooms[0].free, { milliCPU: 700, memory: 4 * 1024 ** 3 - 128 * 1024 ** 2 });
});

test('a pending pod says what it needs against the largest free room', () => {
  const pending = pod('p', '500m', undefined, { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/2 nodes are available: 2 Insufficient cpu.' }] });
  const findings = diagnosePod(pending, [node('node-1', '1'), node('node-2', '1')], [pod('a', '900m', 'node-1'), pod('b', '700m', 'node-2')], []);
  assert.equal(findings.length, 1);
  assert.ok(findings[0].detail.includes('The scheduler says: 0/2 nodes are available: 2 Insufficient cpu.'));
  assert.ok(findings[0].detail.includes('It needs 500m CPU; the most any node has free is 300m (node-2).'), findings[0].detail.join('\n'));
});

test('a crash-looping container shows its last exit and liveness failures', () => {
  const p = pod('c', '100m', 'n1', {
    containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s' } }, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }],
  });
  const ev: Event = { metadata: {}, involvedObject: { kind: 'Pod', name: 'c', namespace: 'default', uid: 'uid-c' }, reason: 'Unhealthy', message: 'Liveness probe failed: HTTP probe failed with statuscode: 500' };
  const [f] = diagnosePod(p, [], [], [ev]);
  assert.equal(f.title, 'Container c is crash-looping');
  assert.deepEqual(f.detail, ['It has restarted 3 times.', 'Last exit: code 137 (OOMKilled).', 'It used more memory than its limit; raise resources.limits.memory or use less.', 'Liveness probe: Liveness probe failed: HTTP probe failed with statuscode: 500']);
});

test('a Service whose selector matches nothing, or whose named port is missing, says so', () => {
  const svc = (selector: Record<string, string>, targetPort: number | string): Service => ({ metadata: { name: 's', namespace: 'default' }, spec: { selector, ports: [{ port: 80, targetPort }] } });
  const ready = pod('r', '100m', 'n1', { conditions: [{ type: 'Ready', status: 'True' }] });
  assert.equal(diagnoseService(svc({ app: 'api' }, 8080), [ready])[0].title, 'The selector matches no pod');
  assert.deepEqual(diagnoseService(svc({ app: 'web' }, 8080), [ready]), []);
  assert.equal(diagnoseService(svc({ app: 'web' }, 'grpc'), [ready])[0].title, 'Port 80: named targetPort "grpc" not found');
  assert.equal(diagnoseService(svc({ app: 'web' }, 9090), [ready])[0].title, 'Port 80: targetPort 9090 is not a declared container port');
});

test('rollout steps replay ScalingReplicaSet events in order', () => {
  const ev = (t: string, message: string): Event => ({ metadata: {}, involvedObject: { kind: 'Deployment', name: 'web' }, reason: 'ScalingReplicaSet', message, lastTimestamp: t });
  const steps = rolloutSteps('web', [
    ev('2026-01-01T00:00:02Z', 'Scaled down replica set web-old to 1 from 2'),
    ev('2026-01-01T00:00:01Z', 'Scaled up replica set web-new to 1'),
    ev('2026-01-01T00:00:00Z', 'Scaled up replica set web-old to 2'),
  ]);
  assert.deepEqual(steps.map((s) => s.sizes), [{ 'web-old': 2 }, { 'web-old': 2, 'web-new': 1 }, { 'web-old': 1, 'web-new': 1 }]);
  assert.equal(steps[2].from, 2);
});

test('cost sums scheduled pods per namespace at the given prices', () => {
  const [line] = costByNamespace([pod('a', '1', 'n1'), pod('b', '1', undefined)], { perVCPUHour: 0.01, perGiBHour: 0.008 });
  assert.equal(line.key, 'default');
  assert.equal(line.milliCPU, 1000);
  assert.equal(Math.round(line.monthly * 100) / 100, Math.round((0.01 + 0.125 * 0.008) * 730 * 100) / 100);
});
