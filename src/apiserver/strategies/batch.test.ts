// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { jobStrategy, JOB_LABELS } from './job.js';
import { cronJobStrategy } from './cron-job.js';
import { runCreate, runUpdate } from './strategy-harness.js';

const podTemplate = (restartPolicy = 'Never') => ({ spec: { restartPolicy, containers: [{ name: 'c', image: 'busybox' }] } });

function job(spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi', namespace: 'default', uid: 'u-1' }, spec };
}

test('job defaults and generated selector', () => {
  const { obj, messages } = runCreate(jobStrategy, job({ template: podTemplate() }));
  assert.deepEqual(messages, []);
  const spec = obj.spec as Record<string, any>; // any: reading defaulted job JSON
  assert.equal(spec.completions, 1);
  assert.equal(spec.parallelism, 1);
  assert.equal(spec.backoffLimit, 6);
  assert.equal(spec.completionMode, 'NonIndexed');
  assert.equal(spec.suspend, false);
  assert.equal(spec.podReplacementPolicy, 'TerminatingOrFailed');
  assert.deepEqual(spec.selector, { matchLabels: { [JOB_LABELS.controllerUid]: 'u-1' } });
  assert.deepEqual(spec.template.metadata.labels, { 'job-name': 'pi', 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': 'u-1', 'batch.kubernetes.io/controller-uid': 'u-1' });
  assert.deepEqual(obj.metadata.labels, spec.template.metadata.labels);
});

test('job rejections', () => {
  assert.deepEqual(runCreate(jobStrategy, job({ template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } })).messages, [
    'spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
  ]);
  assert.deepEqual(runCreate(jobStrategy, job({ template: podTemplate(), completionMode: 'Indexed', completions: undefined, parallelism: 2 })).messages, [
    'spec.completions: Required value: when completion mode is Indexed',
  ]);
  const manual = runCreate(jobStrategy, job({ manualSelector: true, selector: { matchLabels: { a: 'b' } }, template: podTemplate() }));
  assert.deepEqual(manual.messages, ['spec.template.metadata.labels: Invalid value: null: `selector` does not match template `labels`']);
});

test('job template is immutable', () => {
  const old = runCreate(jobStrategy, job({ template: podTemplate() })).obj;
  const next = structuredClone(old);
  (next.spec as any).template.spec.containers[0].image = 'busybox:2'; // any: editing nested JSON
  const r = runUpdate(jobStrategy, old, next);
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0].field, 'spec.template');
  assert.match(r.messages[0], /: field is immutable$/);
  const bump = structuredClone(old);
  (bump.spec as Record<string, unknown>).completions = 3;
  assert.deepEqual(runUpdate(jobStrategy, old, bump).messages, ['spec.completions: Invalid value: 3: field is immutable']);
});

function cronJob(schedule: string, extra: Record<string, unknown> = {}, name = 'hello'): KubeObject {
  return { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name, namespace: 'default' }, spec: { schedule, jobTemplate: { spec: { template: podTemplate('OnFailure') } }, ...extra } };
}

test('cronjob defaults', () => {
  const { obj, messages } = runCreate(cronJobStrategy, cronJob('*/1 * * * *'));
  assert.deepEqual(messages, []);
  const spec = obj.spec as Record<string, unknown>;
  assert.equal(spec.concurrencyPolicy, 'Allow');
  assert.equal(spec.suspend, false);
  assert.equal(spec.successfulJobsHistoryLimit, 3);
  assert.equal(spec.failedJobsHistoryLimit, 1);
});

test('cronjob rejections read as upstream', () => {
  assert.deepEqual(runCreate(cronJobStrategy, cronJob('x')).messages, ['spec.schedule: Invalid value: "x": expected exactly 5 fields, found 1: [x]']);
  assert.deepEqual(runCreate(cronJobStrategy, cronJob('TZ=UTC 0 * * * *')).messages, [
    'spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
  ]);
  assert.deepEqual(runCreate(cronJobStrategy, cronJob('0 * * * *', { timeZone: 'Mars/Olympus' })).messages, ['spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus']);
  assert.deepEqual(runCreate(cronJobStrategy, cronJob('0 * * * *', { timeZone: 'Europe/Berlin' })).messages, []);
  assert.deepEqual(runCreate(cronJobStrategy, cronJob('0 * * * *', { concurrencyPolicy: 'Sometimes' })).messages, [
    'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
  ]);
  const long = 'a'.repeat(53);
  assert.deepEqual(runCreate(cronJobStrategy, cronJob('0 * * * *', {}, long)).messages, [`metadata.name: Invalid value: "${long}": must be no more than 52 characters`]);
});

test('job selector with generateName is generated at validation, after the name', () => {
  const s = jobStrategy;
  const obj: KubeObject = { apiVersion: 'batch/v1', kind: 'Job', metadata: { generateName: 'pi-', namespace: 'default', uid: 'u-2' }, spec: { template: podTemplate() } };
  s.prepareForCreate?.(obj);
  s.default?.(obj);
  obj.metadata.name = 'pi-abcde';
  assert.deepEqual(s.validate?.(obj), []);
  assert.equal((obj.spec as any).template.metadata.labels['job-name'], 'pi-abcde'); // any: reading generated labels
});
