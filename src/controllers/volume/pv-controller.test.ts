// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newFixture } from '../controller-fixture.js';
import { R } from '../../client/client.js';
import type { KubeObject } from '../../api/object.js';
import { PersistentVolumeController, NO_CLASS_MESSAGE, WAIT_FOR_CONSUMER_MESSAGE } from './pv-controller.js';
import { ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_STORAGE_PROVISIONER, type PV, type PVC, type SC } from '../../api/volume/volume-annotations.js';

const pv = (name: string, extra: Partial<NonNullable<PV['spec']>> = {}, phase = 'Available', meta: Partial<PV['metadata']> = {}): PV => ({
  apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name, ...meta },
  spec: { capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: '', persistentVolumeReclaimPolicy: 'Retain', hostPath: { path: `/tmp/${name}` }, ...extra },
  status: { phase },
});
const pvc = (name: string, extra: Partial<NonNullable<PVC['spec']>> = {}): PVC => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'ns', uid: `uid-${name}` },
  spec: { accessModes: ['ReadWriteOnce'], storageClassName: '', resources: { requests: { storage: '1Gi' } }, ...extra },
  status: { phase: 'Pending' },
});
const sc = (name: string, mode: string): SC => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner: 'skiff.dev/local-path', volumeBindingMode: mode, reclaimPolicy: 'Delete' });

async function setup(objects: KubeObject[]) {
  const f = newFixture(objects);
  const c = new PersistentVolumeController({ client: f.client, factory: f.factory, recorder: f.recorder });
  await f.start();
  return { f, c };
}

describe('PersistentVolumeController', () => {
  it('binds a claim to a matching volume in upstream order, with the binding annotations', async () => {
    const { f, c } = await setup([pv('v1'), pvc('a')]);
    await c.sync('claim:ns/a');
    assert.deepEqual(f.writes(), [
      'update persistentvolumes v1', 'update persistentvolumes/status v1',
      'update persistentvolumeclaims ns/a', 'update persistentvolumeclaims/status ns/a',
    ]);
    const claim = f.client.objects(R.persistentvolumeclaims, 'ns')[0] as PVC;
    assert.equal(claim.spec?.volumeName, 'v1');
    assert.equal(claim.metadata.annotations?.[ANN_BIND_COMPLETED], 'yes');
    assert.equal(claim.status?.phase, 'Bound');
    assert.equal(claim.status?.capacity?.storage, '5Gi');
    const vol = f.client.objects(R.persistentvolumes)[0] as PV;
    assert.equal(vol.spec?.claimRef?.uid, 'uid-a');
    assert.equal(vol.metadata.annotations?.[ANN_BOUND_BY_CONTROLLER], 'yes');
    await f.stop();
  });

  it('leaves a classless claim nothing matches Pending with the upstream event', async () => {
    const { f, c } = await setup([pv('small', { capacity: { storage: '1Mi' } }), pvc('a')]);
    await c.sync('claim:ns/a');
    assert.deepEqual(f.writes(), []);
    assert.deepEqual(await f.events(), [`Normal FailedBinding ${NO_CLASS_MESSAGE}`]);
    await f.stop();
  });

  it('waits for the first consumer, then hands a selected claim to the provisioner', async () => {
    const { f, c } = await setup([sc('local-path', 'WaitForFirstConsumer'), pvc('a', { storageClassName: 'local-path' })]);
    await c.sync('claim:ns/a');
    assert.deepEqual(await f.events(), [`Normal WaitForFirstConsumer ${WAIT_FOR_CONSUMER_MESSAGE}`]);
    await f.client.patch(R.persistentvolumeclaims, 'a', 'merge', { metadata: { annotations: { 'volume.kubernetes.io/selected-node': 'n1' } } }, { namespace: 'ns' });
    await f.settle();
    await c.sync('claim:ns/a');
    const claim = f.client.objects(R.persistentvolumeclaims, 'ns')[0] as PVC;
    assert.equal(claim.metadata.annotations?.[ANN_STORAGE_PROVISIONER], 'skiff.dev/local-path');
    assert.match((await f.events()).at(-1)!, /^Normal ExternalProvisioning Waiting for a volume to be created either by the external provisioner 'skiff.dev\/local-path'/);
    await f.stop();
  });

  it('reports a missing class as ProvisioningFailed', async () => {
    const { f, c } = await setup([pvc('a', { storageClassName: 'fast' })]);
    await c.sync('claim:ns/a');
    assert.deepEqual(await f.events(), ['Warning ProvisioningFailed storageclass.storage.k8s.io "fast" not found']);
    await f.stop();
  });

  it('releases a volume whose claim is gone: Retain keeps it, Delete removes a static one, provisioned ones are left to the provisioner', async () => {
    const ref = { name: 'gone', namespace: 'ns', uid: 'old' };
    const { f, c } = await setup([
      pv('keep', { claimRef: ref }, 'Bound'),
      pv('drop', { claimRef: ref, persistentVolumeReclaimPolicy: 'Delete' }, 'Bound'),
      pv('prov', { claimRef: ref, persistentVolumeReclaimPolicy: 'Delete' }, 'Bound', { annotations: { 'pv.kubernetes.io/provisioned-by': 'skiff.dev/local-path' } }),
    ]);
    for (const n of ['keep', 'drop', 'prov']) await c.sync(`volume:${n}`);
    assert.deepEqual(f.writes(), [
      'update persistentvolumes/status keep',
      'update persistentvolumes/status drop', 'delete persistentvolumes drop',
      'update persistentvolumes/status prov',
    ]);
    const phases = f.client.objects(R.persistentvolumes).map((v) => `${v.metadata.name}=${(v as PV).status?.phase}`);
    assert.deepEqual(phases.sort(), ['keep=Released', 'prov=Released']);
    await f.stop();
  });

  it('marks a bound claim whose volume vanished Lost', async () => {
    const claim = pvc('a', { volumeName: 'nowhere' });
    claim.metadata.annotations = { [ANN_BIND_COMPLETED]: 'yes' };
    const { f, c } = await setup([claim]);
    await c.sync('claim:ns/a');
    assert.equal((f.client.objects(R.persistentvolumeclaims, 'ns')[0] as PVC).status?.phase, 'Lost');
    assert.deepEqual(await f.events(), ['Warning ClaimLost Bound claim has lost its PersistentVolume. Data on the volume is lost!']);
    await f.stop();
  });

  it('expands a bound directory volume when the class allows it', async () => {
    const claim: PVC = { ...pvc('a', { storageClassName: 'lp', volumeName: 'v1', resources: { requests: { storage: '8Gi' } } }), status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '5Gi' } } };
    claim.metadata.annotations = { [ANN_BIND_COMPLETED]: 'yes' };
    const cls = { ...sc('lp', 'WaitForFirstConsumer'), allowVolumeExpansion: true };
    const { f, c } = await setup([cls, claim, pv('v1', { storageClassName: 'lp', claimRef: { name: 'a', namespace: 'ns', uid: 'uid-a' } }, 'Bound')]);
    await c.sync('claim:ns/a');
    assert.equal((f.client.objects(R.persistentvolumes)[0] as PV).spec?.capacity?.storage, '8Gi');
    assert.equal((f.client.objects(R.persistentvolumeclaims, 'ns')[0] as PVC).status?.capacity?.storage, '8Gi');
    await f.stop();
  });
});
