// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { R } from '../../client/client.js';
import { newFixture } from '../controller-fixture.js';
import { CronJobController } from './cronjob-controller.js';

function cronJob(spec: Record<string, unknown> = {}, status?: Record<string, unknown>, created = '2024-01-01T00:00:00Z'): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'tick', namespace: 'ns', uid: 'cj-uid', creationTimestamp: created },
    spec: {
      schedule: '*/5 * * * *', concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1,
      jobTemplate: { metadata: { labels: { app: 'tick' } }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } },
      ...spec,
    },
    ...(status ? { status } : {}),
  };
}

function childJob(name: string, cond?: 'Complete' | 'Failed', start = '2024-01-01T00:00:00Z'): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'ns', uid: `${name}-uid`, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid: 'cj-uid', controller: true }] },
    spec: {},
    status: { startTime: start, ...(cond ? { conditions: [{ type: cond, status: 'True' }], completionTime: cond === 'Complete' ? '2024-01-01T00:01:00Z' : undefined } : {}) },
  };
}

async function setup(objects: KubeObject[], now: string) {
  const f = newFixture(objects);
  f.clock.step(Date.parse(now) - f.clock.now());
  const c = new CronJobController({ client: f.client, factory: f.factory, recorder: f.recorder, clock: f.clock });
  await f.start();
  return { f, c };
}

test('creates the Job of the most recent activation, named by its minute, and records it in status', async () => {
  const { f, c } = await setup([cronJob()], '2024-01-01T00:11:30Z');
  await c.sync('ns/tick');
  assert.deepEqual(f.writes(), ['create jobs ns/tick-28401130', 'update cronjobs/status ns/tick'], 'only the latest of the two missed activations runs');
  const [job] = f.client.objects(R.jobs, 'ns');
  assert.equal(job.metadata.annotations!['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2024-01-01T00:10:00Z');
  assert.deepEqual(job.metadata.labels, { app: 'tick' });
  assert.equal(job.metadata.ownerReferences?.[0].kind, 'CronJob');
  const st = f.client.objects(R.cronjobs, 'ns')[0].status as { active: { name: string; uid: string }[]; lastScheduleTime: string };
  assert.equal(st.lastScheduleTime, '2024-01-01T00:10:00Z');
  assert.equal(st.active[0].name, 'tick-28401130');
  assert.deepEqual(await f.events(), ['Normal SuccessfulCreate Created job tick-28401130']);

  // Nothing due until 00:15: the next sync writes nothing.
  f.client.clearActions();
  await f.settle();
  await c.sync('ns/tick');
  assert.deepEqual(f.writes(), []);
  await f.stop();
});

test('Forbid skips while a Job runs; Replace deletes it first', async () => {
  const active = { active: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'tick-1', namespace: 'ns', uid: 'tick-1-uid' }], lastScheduleTime: '2024-01-01T00:00:00Z' };
  const forbid = await setup([cronJob({ concurrencyPolicy: 'Forbid' }, active), childJob('tick-1')], '2024-01-01T00:05:01Z');
  await forbid.c.sync('ns/tick');
  assert.deepEqual(forbid.f.writes(), []);
  assert.deepEqual(await forbid.f.events(), ['Normal JobAlreadyActive Not starting job because prior execution is running and concurrency policy is Forbid']);
  await forbid.f.stop();

  const replace = await setup([cronJob({ concurrencyPolicy: 'Replace' }, active), childJob('tick-1')], '2024-01-01T00:05:01Z');
  await replace.c.sync('ns/tick');
  assert.deepEqual(replace.f.writes(), ['delete jobs ns/tick-1', 'create jobs ns/tick-28401125', 'update cronjobs/status ns/tick']);
  await replace.f.stop();
});

test('finished Jobs leave status.active with SawCompletedJob and are trimmed to the history limits', async () => {
  const st = { active: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'tick-4', namespace: 'ns', uid: 'tick-4-uid' }], lastScheduleTime: '2024-01-01T00:00:00Z' };
  const { f, c } = await setup(
    [cronJob({ successfulJobsHistoryLimit: 1, suspend: true }, st), childJob('tick-1', 'Complete', '2024-01-01T00:00:01Z'), childJob('tick-2', 'Failed', '2024-01-01T00:00:02Z'), childJob('tick-3', 'Failed', '2024-01-01T00:00:03Z'), childJob('tick-4', 'Complete', '2024-01-01T00:00:04Z')],
    '2024-01-01T00:06:00Z',
  );
  await c.sync('ns/tick');
  assert.deepEqual(f.writes(), ['delete jobs ns/tick-1', 'delete jobs ns/tick-2', 'update cronjobs/status ns/tick']);
  const status = f.client.objects(R.cronjobs, 'ns')[0].status as Record<string, unknown>;
  assert.equal(status.active, undefined);
  assert.equal(status.lastSuccessfulTime, '2024-01-01T00:01:00Z');
  assert.ok((await f.events()).includes('Normal SawCompletedJob Saw completed job: tick-4, condition: Complete'));
  await f.stop();
});

test('schedules in spec.timeZone and stamps the activation with its offset', async () => {
  const { f, c } = await setup([cronJob({ schedule: '0 9 * * *', timeZone: 'Asia/Tokyo' }, undefined, '2023-12-31T23:00:00Z')], '2024-01-01T00:00:30Z');
  await c.sync('ns/tick');
  const [job] = f.client.objects(R.jobs, 'ns');
  assert.equal(job.metadata.name, `tick-${Date.parse('2024-01-01T00:00:00Z') / 60000}`);
  assert.equal(job.metadata.annotations!['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2024-01-01T09:00:00+09:00');
  await f.stop();
});

test('a long outage with startingDeadlineSeconds only considers the recent window', async () => {
  const { f, c } = await setup([cronJob({ schedule: '* * * * *', startingDeadlineSeconds: 30 }, { lastScheduleTime: '2023-01-01T00:00:00Z' })], '2024-01-01T00:00:20Z');
  await c.sync('ns/tick');
  assert.deepEqual(f.writes(), ['create jobs ns/tick-28401120', 'update cronjobs/status ns/tick']);
  await f.stop();
});

test('a schedule that never fires (Feb 31) records InvalidSchedule and creates nothing', async () => {
  const { f, c } = await setup([cronJob({ schedule: '59 23 31 2 *' })], '2024-01-01T00:11:30Z');
  await c.sync('ns/tick');
  assert.deepEqual(f.writes(), []);
  assert.deepEqual(await f.events(), ['Warning InvalidSchedule invalid schedule: 59 23 31 2 * : time difference between two schedules is less than 1 second']);
  await f.stop();
});
