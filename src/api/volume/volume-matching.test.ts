// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from 'kubernetes-types/core/v1.js';
import { findMatchingVolume, mismatchReason } from './volume-matching.js';
import type { PV, PVC } from './volume-annotations.js';

function pv(name: string, storage: string, extra: Partial<NonNullable<PV['spec']>> = {}, labels?: Record<string, string>): PV {
  return {
    apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name, labels },
    spec: { capacity: { storage }, accessModes: ['ReadWriteOnce'], storageClassName: '', hostPath: { path: `/tmp/${name}` }, ...extra },
    status: { phase: 'Available' },
  };
}

function pvc(storage: string, extra: Partial<NonNullable<PVC['spec']>> = {}): PVC {
  return {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c', namespace: 'ns', uid: 'u1' },
    spec: { accessModes: ['ReadWriteOnce'], storageClassName: '', resources: { requests: { storage } }, ...extra },
  };
}

const node = (name: string): Node => ({ metadata: { name, labels: { 'kubernetes.io/hostname': name } } });
const pinned = (n: string): Partial<NonNullable<PV['spec']>> => ({ nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [n] }] }] } } });

describe('findMatchingVolume', () => {
  it('picks the smallest volume that covers the request', () => {
    const got = findMatchingVolume(pvc('2Gi'), [pv('big', '10Gi'), pv('small', '1Gi'), pv('fit', '3Gi')]);
    assert.equal(got?.metadata.name, 'fit');
  });

  it('requires the same class, a superset of access modes and a matching selector', () => {
    const vols = [pv('gold', '5Gi', { storageClassName: 'gold' }), pv('rwx', '5Gi', { accessModes: ['ReadWriteMany'] }), pv('labelled', '5Gi', {}, { tier: 'x' })];
    assert.equal(findMatchingVolume(pvc('1Gi'), vols)?.metadata.name, 'labelled');
    assert.equal(findMatchingVolume(pvc('1Gi', { selector: { matchLabels: { tier: 'y' } } }), vols), undefined);
    assert.equal(findMatchingVolume(pvc('1Gi', { accessModes: ['ReadWriteMany'] }), vols)?.metadata.name, 'rwx');
    assert.equal(findMatchingVolume(pvc('1Gi', { storageClassName: 'gold' }), vols)?.metadata.name, 'gold');
  });

  it('skips volumes that are not Available or already claimed', () => {
    const released = { ...pv('r', '5Gi'), status: { phase: 'Released' } };
    const claimed = pv('c', '5Gi', { claimRef: { name: 'other', namespace: 'ns' } });
    assert.equal(findMatchingVolume(pvc('1Gi'), [released, claimed]), undefined);
  });

  it('prefers a volume pre-bound to the claim, even a larger one', () => {
    const pre = pv('pre', '9Gi', { claimRef: { name: 'c', namespace: 'ns' } });
    assert.equal(findMatchingVolume(pvc('1Gi'), [pv('free', '1Gi'), pre])?.metadata.name, 'pre');
  });

  it('leaves free volumes of a delayed claim to the scheduler until the node is known', () => {
    const vols = [pv('a', '5Gi', pinned('n1')), pv('b', '5Gi', pinned('n2'))];
    assert.equal(findMatchingVolume(pvc('1Gi'), vols, { delayBinding: true }), undefined);
    assert.equal(findMatchingVolume(pvc('1Gi'), vols, { delayBinding: true, node: node('n2') })?.metadata.name, 'b');
  });

  it('explains a mismatch of a requested volume as upstream does', () => {
    assert.equal(mismatchReason(pv('x', '1Gi'), pvc('2Gi')), 'requested PV is too small');
    assert.equal(mismatchReason(pv('x', '5Gi', { storageClassName: 'a' }), pvc('2Gi')), 'storageClassName does not match');
    assert.equal(mismatchReason(pv('x', '5Gi'), pvc('2Gi', { accessModes: ['ReadOnlyMany'] })), 'incompatible accessMode');
    assert.equal(mismatchReason(pv('x', '5Gi'), pvc('2Gi')), '');
  });
});
