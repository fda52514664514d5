// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { R } from '../../client/client.js';
import { newFixture } from '../controller-fixture.js';
import { JobController } from './job-controller.js';
import { formatIndexes, parseIndexes } from './job-pod.js';

const T0 = Date.parse('2024-01-01T00:00:00Z');

function job(spec: Record<string, unknown> = {}, status?: Record<string, unknown>): KubeObject {
  const labels = { 'batch.kubernetes.io/controller-uid': 'job-uid', 'batch.kubernetes.io/job-name': 'pi' };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi', namespace: 'ns', uid: 'job-uid' },
    spec: {
      completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, podReplacementPolicy: 'TerminatingOrFailed',
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'job-uid' } },
      template: { metadata: { labels }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
      ...spec,
    },
    ...(status ? { status } : {}),
  };
}

function pod(name: string, phase: string, extra: { finalizer?: boolean; index?: number; finishedAt?: string } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name, namespace: 'ns', uid: `${name}-uid`, creationTimestamp: '2024-01-01T00:00:00Z',
      labels: { 'batch.kubernetes.io/controller-uid': 'job-uid', ...(extra.index !== undefined ? { 'batch.kubernetes.io/job-completion-index': String(extra.index) } : {}) },
      annotations: extra.index !== undefined ? { 'batch.kubernetes.io/job-completion-index': String(extra.index) } : undefined,
      finalizers: extra.finalizer === false ? undefined : ['batch.kubernetes.io/job-tracking'],
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: 'job-uid', controller: true, blockOwnerDeletion: true }],
    },
    spec: { restartPolicy: 'Never', containers: [] },
    status: { phase, containerStatuses: extra.finishedAt ? [{ name: 'c', state: { terminated: { exitCode: 1, finishedAt: extra.finishedAt } } }] : [] },
  };
}

async function setup(objects: KubeObject[]) {
  const f = newFixture(objects, undefined);
  f.clock.step(T0 - f.clock.now());
  const c = new JobController({ client: f.client, factory: f.factory, recorder: f.recorder, clock: f.clock });
  await f.start();
  return { f, c };
}

function status(f: { client: { objects(r: typeof R.jobs, ns: string): KubeObject[] } }): Record<string, unknown> {
  return f.client.objects(R.jobs, 'ns')[0].status as Record<string, unknown>;
}

test('creates parallelism pods, each with the tracking finalizer, and records startTime', async () => {
  const { f, c } = await setup([job({ completions: 3, parallelism: 2 })]);
  await c.sync('ns/pi');
  assert.deepEqual(f.writes(), ['create pods ns/', 'create pods ns/', 'update jobs/status ns/pi']);
  const [p] = f.client.objects(R.pods, 'ns');
  assert.deepEqual(p.metadata.finalizers, ['batch.kubernetes.io/job-tracking']);
  assert.match(p.metadata.name!, /^pi-/);
  assert.equal(p.metadata.ownerReferences?.[0].kind, 'Job');
  const st = status(f);
  assert.equal(st.active, 2);
  assert.equal(st.startTime, '2024-01-01T00:00:00Z');
  await f.stop();
});

test('a succeeded pod is counted through uncountedTerminatedPods, released, and completes the Job', async () => {
  const { f, c } = await setup([job({}, { startTime: '2024-01-01T00:00:00Z' }), pod('pi-a', 'Succeeded')]);
  await c.sync('ns/pi');
  assert.deepEqual(f.writes(), ['update jobs/status ns/pi', 'patch pods ns/pi-a', 'update jobs/status ns/pi']);
  const first = f.client.actions.find((a) => a.verb === 'update')!.object as { status: { uncountedTerminatedPods: { succeeded: string[] } } };
  assert.deepEqual(first.status.uncountedTerminatedPods.succeeded, ['pi-a-uid'], 'the uid is recorded before the finalizer goes');
  assert.deepEqual(f.client.objects(R.pods, 'ns')[0].metadata.finalizers ?? [], []);
  const st = status(f) as { succeeded: number; completionTime: string; conditions: { type: string; reason: string; message: string }[]; uncountedTerminatedPods: unknown };
  assert.equal(st.succeeded, 1);
  assert.deepEqual(st.uncountedTerminatedPods, { succeeded: [], failed: [] });
  assert.deepEqual(st.conditions.map((x) => `${x.type}/${x.reason}`), ['SuccessCriteriaMet/CompletionsReached', 'Complete/CompletionsReached']);
  assert.equal(st.conditions[1].message, 'Reached expected number of succeeded pods');
  assert.equal(st.completionTime, '2024-01-01T00:00:00Z');
  assert.deepEqual(await f.events(), ['Normal Completed Job completed']);
  await f.stop();
});

test('failures are retried after a 10 s back-off, doubling; past backoffLimit the Job fails', async () => {
  const { f, c } = await setup([job({ backoffLimit: 1 }, { startTime: '2024-01-01T00:00:00Z' }), pod('pi-a', 'Failed', { finishedAt: '2024-01-01T00:00:00Z' })]);
  await c.sync('ns/pi');
  assert.equal(status(f).failed, 1);
  assert.deepEqual(f.writes().filter((w) => w.startsWith('create')), [], 'no replacement within the back-off');
  f.clock.step(10_000);
  f.client.clearActions();
  await c.sync('ns/pi');
  assert.deepEqual(f.writes().filter((w) => w.startsWith('create')), ['create pods ns/']);

  const created = f.client.objects(R.pods, 'ns').find((p) => p.metadata.name !== 'pi-a')!;
  f.client.seed({ ...created, status: { phase: 'Failed', containerStatuses: [{ name: 'c', state: { terminated: { exitCode: 1, finishedAt: '2024-01-01T00:00:10Z' } } }] } });
  await f.settle();
  f.client.clearActions();
  await c.sync('ns/pi');
  const st = status(f) as { failed: number; conditions: { type: string; reason: string }[] };
  assert.equal(st.failed, 2);
  assert.deepEqual(st.conditions.map((x) => `${x.type}/${x.reason}`), ['FailureTarget/BackoffLimitExceeded', 'Failed/BackoffLimitExceeded']);
  assert.ok((await f.events()).includes('Warning BackoffLimitExceeded Job has reached the specified backoff limit'));
  await f.stop();
});

test('activeDeadlineSeconds fails the Job with DeadlineExceeded after deleting its pods', async () => {
  const { f, c } = await setup([job({ activeDeadlineSeconds: 5 }, { startTime: '2023-12-31T23:59:50Z' }), pod('pi-a', 'Running')]);
  await c.sync('ns/pi');
  assert.deepEqual(f.writes(), ['delete pods ns/pi-a', 'update jobs/status ns/pi']);
  const st = status(f) as { conditions: { type: string; reason: string; message: string }[] };
  assert.deepEqual(st.conditions.map((x) => `${x.type}/${x.reason}`), ['FailureTarget/DeadlineExceeded']);
  assert.equal(st.conditions[0].message, 'Job was active longer than specified deadline');
  await f.stop();
});

test('Indexed jobs give each pod an index (annotation, label, hostname, env) and skip completed indexes', async () => {
  const { f, c } = await setup([job({ completionMode: 'Indexed', completions: 3, parallelism: 3 }, { startTime: '2024-01-01T00:00:00Z', completedIndexes: '1' })]);
  await c.sync('ns/pi');
  const pods = f.client.objects(R.pods, 'ns');
  assert.deepEqual(pods.map((p) => p.metadata.annotations!['batch.kubernetes.io/job-completion-index']).sort(), ['0', '2']);
  const p0 = pods.find((p) => p.metadata.labels!['batch.kubernetes.io/job-completion-index'] === '0')!;
  assert.match(p0.metadata.name!, /^pi-0-/);
  const spec = p0.spec as { hostname: string; containers: { env: { name: string; valueFrom: { fieldRef: { fieldPath: string } } }[] }[] };
  assert.equal(spec.hostname, 'pi-0');
  assert.deepEqual(spec.containers[0].env[0], { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } });
  await f.stop();
});

test('suspend deletes active pods and sets Suspended; orphans of a deleted Job lose the finalizer', async () => {
  const { f, c } = await setup([job({ suspend: true }, { startTime: '2024-01-01T00:00:00Z' }), pod('pi-a', 'Running')]);
  await c.sync('ns/pi');
  assert.deepEqual(f.writes(), ['delete pods ns/pi-a', 'update jobs/status ns/pi']);
  assert.equal((status(f).conditions as { type: string; status: string }[])[0].type, 'Suspended');
  await f.stop();

  const g = await setup([pod('pi-b', 'Running')]);
  await g.c.sync('ns/pi');
  assert.deepEqual(g.f.writes(), ['patch pods ns/pi-b']);
  await g.f.stop();
});

test('completedIndexes intervals', () => {
  assert.equal(formatIndexes([4, 0, 1, 2, 7, 8]), '0-2,4,7-8');
  assert.deepEqual([...parseIndexes('0-2,4')], [0, 1, 2, 4]);
});

test('ttlSecondsAfterFinished deletes a finished Job once the TTL has passed', async () => {
  const { TTLAfterFinishedController } = await import('./ttl-after-finished-controller.js');
  const finished = job({ ttlSecondsAfterFinished: 30 }, { conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z' }] });
  const f = newFixture([finished]);
  f.clock.step(T0 + 10_000 - f.clock.now());
  const c = new TTLAfterFinishedController({ client: f.client, factory: f.factory, clock: f.clock });
  await f.start();
  await c.sync('ns/pi');
  assert.deepEqual(f.writes(), [], 'not yet');
  f.clock.step(20_000);
  await c.sync('ns/pi');
  assert.deepEqual(f.writes(), ['delete jobs ns/pi']);
  assert.equal(f.client.actions.find((a) => a.verb === 'delete')?.propagationPolicy, 'Foreground');
  await f.stop();
});
