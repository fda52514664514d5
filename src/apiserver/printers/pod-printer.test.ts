// SPDX-License-Identifier: Apache-2.0
/**
 * Pod rows, checked against what upstream's printPod prints for the same
 * statuses (the scenarios of upstream's TestPrintPod and
 * TestPrintPodWithRestartableInitContainer, plus everyday pods).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { podTableConvertor } from './pod-printer.js';

const now = new Date('2024-05-01T12:00:00Z');
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString().replace('.000Z', 'Z');

/** pod builds a pod with `containers` app containers (names c0..) and the given spec/status extras. */
function pod(name: string, containers: number, extra: { spec?: object; status?: object; metadata?: object }): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', creationTimestamp: ago(3600), ...extra.metadata },
    spec: { containers: Array.from({ length: containers }, (_, i) => ({ name: `c${i}`, image: 'busybox' })), ...extra.spec },
    status: extra.status ?? {},
  };
}

/** short returns the non-wide cells: NAME READY STATUS RESTARTS AGE. */
function short(p: KubeObject): unknown[] {
  return podTableConvertor.row(p, now).slice(0, 5);
}

const running = { running: { startedAt: ago(3000) } };

test('pod columns are upstream names, wide ones with priority 1', () => {
  assert.deepEqual(
    podTableConvertor.columns.map((c) => [c.name, c.priority]),
    [['Name', 0], ['Ready', 0], ['Status', 0], ['Restarts', 0], ['Age', 0], ['IP', 1], ['Node', 1], ['Nominated Node', 1], ['Readiness Gates', 1]],
  );
  assert.equal(podTableConvertor.columns[0]!.format, 'name');
});

test('a running pod prints Running, ready count, age and wide cells', () => {
  const p = pod('web-1', 2, {
    spec: { nodeName: 'node-a', readinessGates: [{ conditionType: 'example.com/lb' }] },
    status: {
      phase: 'Running',
      podIP: '10.42.0.7',
      podIPs: [{ ip: '10.42.0.7' }],
      conditions: [{ type: 'Ready', status: 'True' }, { type: 'example.com/lb', status: 'True' }],
      containerStatuses: [
        { name: 'c0', ready: true, restartCount: 0, state: running, image: 'busybox', imageID: '' },
        { name: 'c1', ready: true, restartCount: 0, state: running, image: 'busybox', imageID: '' },
      ],
    },
  });
  assert.deepEqual(podTableConvertor.row(p, now), ['web-1', '2/2', 'Running', '0', '60m', '10.42.0.7', 'node-a', '<none>', '1/1']);
});

test('a pending pod without status shows ContainerCreating from the waiting reason, <none> for wide fields', () => {
  const p = pod('new', 1, {
    status: {
      phase: 'Pending',
      containerStatuses: [{ name: 'c0', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }],
    },
  });
  assert.deepEqual(podTableConvertor.row(p, now), ['new', '0/1', 'ContainerCreating', '0', '60m', '<none>', '<none>', '<none>', '<none>']);
});

test('CrashLoopBackOff with restarts shows the time since the last termination', () => {
  const p = pod('crash', 1, {
    status: {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'c0',
          ready: false,
          restartCount: 5,
          state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 2m40s' } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(200) } },
        },
      ],
    },
  });
  assert.deepEqual(short(p), ['crash', '0/1', 'CrashLoopBackOff', '5 (3m20s ago)', '60m']);
});

test('the first container state wins, and ready without running is not counted (upstream test2-test5)', () => {
  const waiting = pod('w', 2, {
    status: {
      phase: 'podPhase',
      containerStatuses: [
        { ready: true, restartCount: 3, state: running },
        { restartCount: 3, state: { waiting: { reason: 'ContainerWaitingReason' } } },
      ],
    },
  });
  assert.deepEqual(short(waiting), ['w', '1/2', 'ContainerWaitingReason', '6', '60m']);
  const first = pod('t3', 2, {
    status: {
      phase: 'podPhase',
      containerStatuses: [
        { restartCount: 3, state: { waiting: { reason: 'ContainerWaitingReason' } } },
        { restartCount: 3, state: { terminated: { reason: 'ContainerTerminatedReason', exitCode: 0 } } },
      ],
    },
  });
  assert.deepEqual(short(first), ['t3', '0/2', 'ContainerWaitingReason', '6', '60m']);
  const reason = pod('t5', 2, {
    status: { reason: 'podReason', phase: 'podPhase', containerStatuses: [{ ready: true, restartCount: 3, state: running }, { ready: true, restartCount: 3 }] },
  });
  assert.deepEqual(short(reason), ['t5', '1/2', 'podReason', '6', '60m']);
});

test('Completed next to a running container is NotReady, or Running with a Ready condition', () => {
  const statuses = [
    { ready: true, restartCount: 3, state: { terminated: { reason: 'Completed', exitCode: 0 } } },
    { ready: true, restartCount: 3, state: running },
  ];
  assert.deepEqual(short(pod('t6', 2, { status: { phase: 'Running', containerStatuses: statuses } })), ['t6', '1/2', 'NotReady', '6', '60m']);
  const ready = pod('t6', 2, { status: { phase: 'Running', containerStatuses: statuses, conditions: [{ type: 'Ready', status: 'True' }] } });
  assert.deepEqual(short(ready), ['t6', '1/2', 'Running', '6', '60m']);
});

test('init containers: Init:i/n while one runs, restarts counted until initialized', () => {
  const lastTerm = (s: number) => ({ terminated: { exitCode: 1, finishedAt: ago(s) } });
  const t8 = pod('t8', 1, {
    spec: { initContainers: [{ name: 'i0', image: 'x' }, { name: 'i1', image: 'x' }] },
    status: {
      phase: 'Pending',
      initContainerStatuses: [
        { name: 'i0', ready: false, restartCount: 3, state: running, lastState: lastTerm(10) },
        { name: 'i1', ready: false, restartCount: 0, state: { waiting: {} } },
      ],
      containerStatuses: [{ name: 'c0', ready: false, restartCount: 0, state: { waiting: {} } }],
    },
  });
  assert.deepEqual(short(t8), ['t8', '0/1', 'Init:0/2', '3 (10s ago)', '60m']);

  // The first init container finished (exit code 0, even when the wire omits it): the second one is 1/2.
  const t10 = pod('t10', 1, {
    spec: { initContainers: [{ name: 'i0', image: 'x' }, { name: 'i1', image: 'x' }] },
    status: {
      phase: 'Pending',
      initContainerStatuses: [
        { name: 'i0', ready: false, restartCount: 2, state: { terminated: {} }, lastState: lastTerm(120) },
        { name: 'i1', ready: false, restartCount: 3, state: running, lastState: lastTerm(10) },
      ],
      containerStatuses: [{ name: 'c0', ready: false, restartCount: 0, state: { waiting: {} } }],
    },
  });
  assert.deepEqual(short(t10), ['t10', '0/1', 'Init:1/2', '5 (10s ago)', '60m']);

  // Once initialization is over, only app containers (and sidecars) count: upstream test11 expects "4 (20s ago)".
  const t11 = pod('t11', 1, {
    spec: { initContainers: [{ name: 'i0', image: 'x' }] },
    status: {
      phase: 'Running',
      initContainerStatuses: [{ name: 'i0', ready: false, restartCount: 2, state: { terminated: { exitCode: 0 } }, lastState: lastTerm(120) }],
      containerStatuses: [{ name: 'c0', ready: false, restartCount: 4, state: running, lastState: lastTerm(20) }],
    },
  });
  assert.deepEqual(short(t11), ['t11', '0/1', 'Running', '4 (20s ago)', '60m']);
});

test('failing init containers show Init:<reason>, Init:ExitCode:N and Init:CrashLoopBackOff', () => {
  const initPod = (state: object) =>
    pod('i', 1, {
      spec: { initContainers: [{ name: 'i0', image: 'x' }] },
      status: { phase: 'Pending', initContainerStatuses: [{ name: 'i0', ready: false, restartCount: 0, state }] },
    });
  assert.equal(short(initPod({ terminated: { exitCode: 2, reason: 'Error' } }))[2], 'Init:Error');
  assert.equal(short(initPod({ terminated: { exitCode: 2 } }))[2], 'Init:ExitCode:2');
  assert.equal(short(initPod({ terminated: { exitCode: 137, signal: 9 } }))[2], 'Init:Signal:9');
  assert.equal(short(initPod({ waiting: { reason: 'CrashLoopBackOff' } }))[2], 'Init:CrashLoopBackOff');
  assert.equal(short(initPod({ waiting: { reason: 'PodInitializing' } }))[2], 'Init:0/1');
});

test('PodInitializing while the main container waits after init finished', () => {
  const p = pod('pi', 1, {
    spec: { initContainers: [{ name: 'i0', image: 'x' }] },
    status: {
      phase: 'Pending',
      conditions: [{ type: 'Initialized', status: 'True' }],
      initContainerStatuses: [{ name: 'i0', ready: true, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
      containerStatuses: [{ name: 'c0', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
    },
  });
  assert.deepEqual(short(p), ['pi', '0/1', 'PodInitializing', '0', '60m']);
});

test('sidecar init containers count in READY and keep their restarts', () => {
  const sidecars = { initContainers: [{ name: 's1', image: 'x', restartPolicy: 'Always' }, { name: 's2', image: 'x', restartPolicy: 'Always' }] };
  const notStarted = pod('t1', 1, {
    spec: sidecars,
    status: {
      phase: 'Pending',
      conditions: [{ type: 'Initialized', status: 'False' }],
      initContainerStatuses: [
        { name: 's1', ready: false, restartCount: 3, started: true, state: running, lastState: { terminated: { exitCode: 1, finishedAt: ago(10) } } },
        { name: 's2', ready: false, restartCount: 0, started: false, state: running },
      ],
      containerStatuses: [{ name: 'c0', ready: false, restartCount: 0, state: { waiting: {} } }],
    },
  });
  assert.deepEqual(short(notStarted), ['t1', '0/3', 'Init:1/2', '3 (10s ago)', '60m']);

  const allUp = pod('t2', 1, {
    spec: sidecars,
    status: {
      phase: 'Running',
      conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' }],
      initContainerStatuses: [
        { name: 's1', ready: true, restartCount: 3, started: true, state: running, lastState: { terminated: { exitCode: 1, finishedAt: ago(10) } } },
        { name: 's2', ready: true, restartCount: 0, started: true, state: running },
      ],
      containerStatuses: [{ name: 'c0', ready: true, restartCount: 0, state: running }],
    },
  });
  assert.deepEqual(short(allUp), ['t2', '3/3', 'Running', '3 (10s ago)', '60m']);
});

test('completed and failed pods carry a Completed row condition', () => {
  const done = pod('job-x', 1, {
    status: { phase: 'Succeeded', containerStatuses: [{ name: 'c0', ready: false, restartCount: 0, state: { terminated: { reason: 'Completed', exitCode: 0 } } }] },
  });
  assert.deepEqual(short(done), ['job-x', '0/1', 'Completed', '0', '60m']);
  assert.deepEqual(podTableConvertor.rowConditions(done), [
    { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
  ]);
  const failed = pod('job-y', 1, {
    status: { phase: 'Failed', containerStatuses: [{ name: 'c0', ready: false, restartCount: 0, state: { terminated: { reason: 'Error', exitCode: 1 } } }] },
  });
  assert.deepEqual(short(failed), ['job-y', '0/1', 'Error', '0', '60m']);
  assert.equal(podTableConvertor.rowConditions(failed)?.[0]?.reason, 'Failed');
  assert.equal(podTableConvertor.rowConditions(pod('r', 1, { status: { phase: 'Running' } })), undefined);
});

test('deletion: Terminating unless terminal, Unknown for NodeLost', () => {
  const meta = { deletionTimestamp: ago(10) };
  const runningPod = pod('t19', 1, { metadata: meta, status: { phase: 'Running', containerStatuses: [{ ready: false, restartCount: 0, state: running }] } });
  assert.equal(short(runningPod)[2], 'Terminating');
  assert.equal(short(pod('t20', 1, { metadata: meta, status: { phase: 'Pending' } }))[2], 'Terminating');
  const succeeded = pod('t18', 1, {
    metadata: meta,
    status: { phase: 'Succeeded', containerStatuses: [{ ready: false, restartCount: 0, state: { terminated: { reason: 'Completed', exitCode: 0 } } }] },
  });
  assert.equal(short(succeeded)[2], 'Completed');
  assert.equal(short(pod('lost', 1, { metadata: meta, status: { phase: 'Running', reason: 'NodeLost' } }))[2], 'Unknown');
});

test('status.reason (Evicted) and SchedulingGated override the phase', () => {
  const evicted = pod('ev', 1, { status: { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' } });
  assert.equal(short(evicted)[2], 'Evicted');
  const gated = pod('g', 2, { status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] } });
  assert.deepEqual(short(gated), ['g', '0/2', 'SchedulingGated', '0', '60m']);
});

test('terminated without reason prints ExitCode or Signal', () => {
  const p = (t: object) => pod('x', 1, { status: { phase: 'Running', containerStatuses: [{ ready: false, restartCount: 0, state: { terminated: t } }] } });
  assert.equal(short(p({ exitCode: 3 }))[2], 'ExitCode:3');
  assert.equal(short(p({ exitCode: 143, signal: 15 }))[2], 'Signal:15');
});
