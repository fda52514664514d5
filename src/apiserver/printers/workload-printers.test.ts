// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import {
  controllerRevisionTableConvertor,
  cronJobTableConvertor,
  daemonSetTableConvertor,
  deploymentTableConvertor,
  jobTableConvertor,
  replicaSetTableConvertor,
  replicationControllerTableConvertor,
  statefulSetTableConvertor,
} from './workload-printers.js';

const now = new Date('2024-05-01T12:00:00Z');
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString().replace('.000Z', 'Z');
const names = (c: { columns: Array<{ name: string; priority: number }> }) => c.columns.map((x) => (x.priority ? `${x.name}*` : x.name));

const template = {
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }, { name: 'sidecar', image: 'busybox' }] },
};

function obj(kind: string, spec: object, status: object, metadata: object = {}): KubeObject {
  return { kind, metadata: { name: 'web', namespace: 'default', creationTimestamp: ago(2 * 86400 + 3 * 3600), ...metadata }, spec, status };
}

test('deployment: NAME READY UP-TO-DATE AVAILABLE AGE, wide CONTAINERS IMAGES SELECTOR', () => {
  assert.deepEqual(names(deploymentTableConvertor), ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers*', 'Images*', 'Selector*']);
  const d = obj('Deployment', { replicas: 3, selector: { matchLabels: { app: 'web' } }, template }, { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 });
  assert.deepEqual(deploymentTableConvertor.row(d, now), ['web', '2/3', 3, 2, '2d3h', 'nginx,sidecar', 'nginx:1.25,busybox', 'app=web']);
  // A fresh deployment has no status yet; an empty selector string stays empty as in printDeployment.
  const fresh = obj('Deployment', { replicas: 1, selector: {}, template }, {});
  assert.deepEqual(deploymentTableConvertor.row(fresh, now).slice(1, 4), ['0/1', 0, 0]);
  assert.equal(deploymentTableConvertor.row(fresh, now)[7], '');
});

test('replicaset and replicationcontroller: NAME DESIRED CURRENT READY AGE', () => {
  assert.deepEqual(names(replicaSetTableConvertor), ['Name', 'Desired', 'Current', 'Ready', 'Age', 'Containers*', 'Images*', 'Selector*']);
  const rs = obj('ReplicaSet', { replicas: 3, selector: { matchLabels: { app: 'web', 'pod-template-hash': '5d4f' } }, template }, { replicas: 3, readyReplicas: 1 });
  assert.deepEqual(replicaSetTableConvertor.row(rs, now), ['web', 3, 3, 1, '2d3h', 'nginx,sidecar', 'nginx:1.25,busybox', 'app=web,pod-template-hash=5d4f']);
  const rc = obj('ReplicationController', { replicas: 2, selector: { app: 'web' }, template }, { replicas: 2, readyReplicas: 2 });
  assert.deepEqual(replicationControllerTableConvertor.row(rc, now), ['web', 2, 2, 2, '2d3h', 'nginx,sidecar', 'nginx:1.25,busybox', 'app=web']);
});

test('statefulset: NAME READY AGE; daemonset: counts and node selector', () => {
  assert.deepEqual(names(statefulSetTableConvertor), ['Name', 'Ready', 'Age', 'Containers*', 'Images*']);
  const sts = obj('StatefulSet', { replicas: 3, template }, { readyReplicas: 3 });
  assert.deepEqual(statefulSetTableConvertor.row(sts, now), ['web', '3/3', '2d3h', 'nginx,sidecar', 'nginx:1.25,busybox']);

  assert.deepEqual(names(daemonSetTableConvertor), [
    'Name', 'Desired', 'Current', 'Ready', 'Up-to-date', 'Available', 'Node Selector', 'Age', 'Containers*', 'Images*', 'Selector*',
  ]);
  const ds = obj(
    'DaemonSet',
    { selector: { matchLabels: { app: 'agent' } }, template: { spec: { ...template.spec, nodeSelector: { 'kubernetes.io/os': 'linux' } } } },
    { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 1, updatedNumberScheduled: 2, numberAvailable: 1 },
  );
  assert.deepEqual(daemonSetTableConvertor.row(ds, now).slice(0, 8), ['web', 2, 2, 1, 2, 1, 'kubernetes.io/os=linux', '2d3h']);
  const noSelector = obj('DaemonSet', { template }, {});
  assert.equal(daemonSetTableConvertor.row(noSelector, now)[6], '<none>');
});

test('controllerrevision: CONTROLLER is kind.group/name of the controller owner', () => {
  const cr = obj('ControllerRevision', {}, {}, {
    name: 'web-7c9d',
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u', controller: true }],
  });
  (cr as Record<string, unknown>).revision = 2;
  assert.deepEqual(controllerRevisionTableConvertor.row(cr, now), ['web-7c9d', 'statefulset.apps/web', 2, '2d3h']);
  const orphan = obj('ControllerRevision', {}, {}, { name: 'x' });
  (orphan as Record<string, unknown>).revision = 1;
  assert.equal(controllerRevisionTableConvertor.row(orphan, now)[1], '<none>');
});

test('job: STATUS, COMPLETIONS and DURATION as printJob', () => {
  assert.deepEqual(names(jobTableConvertor), ['Name', 'Status', 'Completions', 'Duration', 'Age', 'Containers*', 'Images*', 'Selector*']);
  const sel = { matchLabels: { 'batch.kubernetes.io/controller-uid': 'abc' } };
  const done = obj(
    'Job',
    { completions: 1, parallelism: 1, selector: sel, template },
    { succeeded: 1, startTime: ago(600), completionTime: ago(570), conditions: [{ type: 'Complete', status: 'True' }] },
  );
  assert.deepEqual(jobTableConvertor.row(done, now).slice(0, 5), ['web', 'Complete', '1/1', '30s', '2d3h']);
  const runningJob = obj('Job', { completions: 5, selector: sel, template }, { succeeded: 2, active: 1, startTime: ago(200) });
  assert.deepEqual(jobTableConvertor.row(runningJob, now).slice(1, 4), ['Running', '2/5', '3m20s']);
  const workQueue = obj('Job', { parallelism: 3, template }, { succeeded: 0 });
  assert.deepEqual(jobTableConvertor.row(workQueue, now).slice(1, 4), ['Running', '0/1 of 3', '']);
  const failed = obj('Job', { completions: 1, template }, { failed: 1, conditions: [{ type: 'FailureTarget', status: 'True' }, { type: 'Failed', status: 'True' }] });
  assert.equal(jobTableConvertor.row(failed, now)[1], 'Failed');
  const suspended = obj('Job', { completions: 1, suspend: true, template }, { conditions: [{ type: 'Suspended', status: 'True' }] });
  assert.equal(jobTableConvertor.row(suspended, now)[1], 'Suspended');
  const deleting = obj('Job', { completions: 1, template }, { conditions: [{ type: 'Suspended', status: 'True' }] }, { deletionTimestamp: ago(1) });
  assert.equal(jobTableConvertor.row(deleting, now)[1], 'Terminating');
});

test('cronjob: SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE', () => {
  assert.deepEqual(names(cronJobTableConvertor), [
    'Name', 'Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age', 'Containers*', 'Images*', 'Selector*',
  ]);
  const cj = obj('CronJob', { schedule: '*/5 * * * *', suspend: false, jobTemplate: { spec: { template } } }, { active: [{ name: 'web-1' }], lastScheduleTime: ago(90) });
  assert.deepEqual(cronJobTableConvertor.row(cj, now), ['web', '*/5 * * * *', '<none>', 'False', 1, '90s', '2d3h', 'nginx,sidecar', 'nginx:1.25,busybox', '<none>']);
  const never = obj('CronJob', { schedule: '@hourly', timeZone: 'Etc/UTC', jobTemplate: { spec: { template } } }, {});
  assert.deepEqual(cronJobTableConvertor.row(never, now).slice(1, 6), ['@hourly', 'Etc/UTC', '<unset>', 0, '<none>']);
});
