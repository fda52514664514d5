// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { eventTableConvertor } from './event-printer.js';

const now = new Date('2024-05-01T12:00:00Z');
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString().replace('.000Z', 'Z');

test('event columns: LAST SEEN TYPE REASON OBJECT MESSAGE, the rest wide', () => {
  assert.deepEqual(
    eventTableConvertor.columns.map((c) => [c.name, c.priority]),
    [['Last Seen', 0], ['Type', 0], ['Reason', 0], ['Object', 0], ['Subobject', 1], ['Source', 1], ['Message', 0], ['First Seen', 1], ['Count', 1], ['Name', 1]],
  );
  assert.equal(eventTableConvertor.columns.find((c) => c.name === 'Name')?.format, 'name');
});

test('a core/v1 kubelet event prints as printEvent', () => {
  const ev: KubeObject = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'web-1.17c2a', namespace: 'default', creationTimestamp: ago(600) },
    involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-1', fieldPath: 'spec.containers{nginx}' },
    reason: 'BackOff',
    message: 'Back-off restarting failed container nginx in pod web-1_default(uid)\n',
    source: { component: 'kubelet', host: 'node-a' },
    firstTimestamp: ago(600),
    lastTimestamp: ago(30),
    count: 12,
    type: 'Warning',
  };
  assert.deepEqual(eventTableConvertor.row(ev, now), [
    '30s', 'Warning', 'BackOff', 'pod/web-1', 'spec.containers{nginx}', 'kubelet, node-a',
    'Back-off restarting failed container nginx in pod web-1_default(uid)', '10m', 12, 'web-1.17c2a',
  ]);
});

test('new-style events: eventTime, series, reportingComponent, singleton count 1', () => {
  const single: KubeObject = {
    kind: 'Event',
    metadata: { name: 'web.1', namespace: 'default' },
    involvedObject: { kind: 'Deployment', name: 'web' },
    reason: 'ScalingReplicaSet',
    message: 'Scaled up replica set web-5d4f to 3',
    eventTime: '2024-05-01T11:58:00.123456Z',
    reportingComponent: 'deployment-controller',
    type: 'Normal',
  };
  assert.deepEqual(eventTableConvertor.row(single, now), [
    '119s', 'Normal', 'ScalingReplicaSet', 'deployment/web', '', 'deployment-controller', 'Scaled up replica set web-5d4f to 3', '119s', 1, 'web.1',
  ]);
  const series: KubeObject = { ...single, series: { count: 7, lastObservedTime: '2024-05-01T11:59:50.000000Z' } };
  const row = eventTableConvertor.row(series, now);
  assert.equal(row[0], '10s');
  assert.equal(row[8], 7);
  const noName: KubeObject = { ...single, involvedObject: { kind: 'Node' } };
  assert.equal(eventTableConvertor.row(noName, now)[3], 'node');
});

test('events.k8s.io/v1 events print with the same columns and cells', () => {
  const ev: KubeObject = {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: 'web-1.17c2a', namespace: 'default' },
    regarding: { kind: 'Pod', name: 'web-1', fieldPath: 'spec.containers{nginx}' },
    note: 'Pulling image "nginx"',
    reason: 'Pulling',
    type: 'Normal',
    eventTime: null,
    reportingController: 'kubelet',
    reportingInstance: 'node-a',
    deprecatedFirstTimestamp: ago(300),
    deprecatedLastTimestamp: ago(60),
    deprecatedCount: 3,
    deprecatedSource: { component: 'kubelet', host: 'node-a' },
  };
  assert.deepEqual(eventTableConvertor.row(ev, now), [
    '60s', 'Normal', 'Pulling', 'pod/web-1', 'spec.containers{nginx}', 'kubelet, node-a', 'Pulling image "nginx"', '5m', 3, 'web-1.17c2a',
  ]);
});
