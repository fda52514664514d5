// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { persistentVolumeClaimTableConvertor, persistentVolumeTableConvertor, storageClassTableConvertor } from './storage-printers.js';

const now = new Date('2024-05-01T12:00:00Z');
const created = new Date(now.getTime() - 90 * 1000).toISOString();

function obj(body: object, metadata: object = {}): KubeObject {
  return { metadata: { name: 'data', creationTimestamp: created, ...metadata }, ...body };
}

test('pvc columns and a bound claim', () => {
  assert.deepEqual(
    persistentVolumeClaimTableConvertor.columns.map((c) => [c.name, c.priority]),
    [['Name', 0], ['Status', 0], ['Volume', 0], ['Capacity', 0], ['Access Modes', 0], ['StorageClass', 0], ['VolumeAttributesClass', 0], ['Age', 0], ['VolumeMode', 1]],
  );
  const bound = obj({
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'local-path', volumeName: 'pvc-123', volumeMode: 'Filesystem' },
    status: { phase: 'Bound', accessModes: ['ReadWriteOnce', 'ReadWriteOncePod'], capacity: { storage: '1Gi' } },
  });
  assert.deepEqual(persistentVolumeClaimTableConvertor.row(bound, now), ['data', 'Bound', 'pvc-123', '1Gi', 'RWO,RWOP', 'local-path', '<unset>', '90s', 'Filesystem']);
});

test('an unbound or deleting claim', () => {
  const pending = obj({ spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Pending' } }, {
    annotations: { 'volume.beta.kubernetes.io/storage-class': 'old-class' },
  });
  assert.deepEqual(persistentVolumeClaimTableConvertor.row(pending, now), ['data', 'Pending', '', '', '', 'old-class', '<unset>', '90s', '<unset>']);
  const deleting = obj({ spec: {}, status: { phase: 'Bound' } }, { deletionTimestamp: created });
  assert.equal(persistentVolumeClaimTableConvertor.row(deleting, now)[1], 'Terminating');
});

test('persistent volumes', () => {
  const pv = obj({
    spec: {
      capacity: { storage: '10Gi' },
      accessModes: ['ReadWriteMany', 'ReadOnlyMany', 'ReadWriteOnce', 'ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Retain',
      claimRef: { namespace: 'default', name: 'data' },
      storageClassName: 'nfs',
      volumeMode: 'Block',
    },
    status: { phase: 'Released', reason: 'Manual' },
  }, { name: 'pv-1' });
  assert.deepEqual(persistentVolumeTableConvertor.row(pv, now), ['pv-1', '10Gi', 'RWO,ROX,RWX', 'Retain', 'Released', 'default/data', 'nfs', '<unset>', 'Manual', '90s', 'Block']);
  const bare = obj({ spec: {}, status: { phase: 'Available' } }, { name: 'pv-2' });
  assert.deepEqual(persistentVolumeTableConvertor.row(bare, now), ['pv-2', '0', '', '', 'Available', '', '', '<unset>', '', '90s', '<unset>']);
});

test('storageclasses mark the default and fill upstream defaults', () => {
  const sc = obj({ provisioner: 'rancher.io/local-path', volumeBindingMode: 'WaitForFirstConsumer', reclaimPolicy: 'Delete' }, {
    name: 'local-path',
    annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
  });
  assert.deepEqual(storageClassTableConvertor.row(sc, now), ['local-path (default)', 'rancher.io/local-path', 'Delete', 'WaitForFirstConsumer', false, '90s']);
  const plain = obj({ provisioner: 'x', allowVolumeExpansion: true }, { name: 'fast' });
  assert.deepEqual(storageClassTableConvertor.row(plain, now), ['fast', 'x', 'Delete', 'Immediate', true, '90s']);
});
