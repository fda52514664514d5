// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newFixture } from '../controllers/controller-fixture.js';
import { R } from '../client/client.js';
import type { PV, PVC } from '../api/volume/index.js';
import { LocalPathProvisioner } from './local-path-provisioner.js';
import { localPathStorageClass } from './local-path-storage-class.js';
import { provisionedVolumeName, volumeDirName } from './local-path-naming.js';
import { LocalVolumeDirectories, UnsafeVolumePathError } from './volume-directories.js';

const claim = (annotations: Record<string, string>): PVC => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'ns', uid: 'abc', annotations },
  spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'local-path', resources: { requests: { storage: '2Gi' } }, volumeMode: 'Filesystem' },
  status: { phase: 'Pending' },
});

describe('local-path naming', () => {
  it('names volumes pvc-<uid> and directories pvc-<uid>_<ns>_<name>, as rancher does', () => {
    const c = claim({});
    assert.equal(provisionedVolumeName(c), 'pvc-abc');
    assert.equal(volumeDirName(c), 'pvc-abc_ns_data');
  });
});

describe('LocalVolumeDirectories', () => {
  it('refuses paths outside its root', async () => {
    const d = new LocalVolumeDirectories('/var/lib/skiff/storage');
    await assert.rejects(d.remove('/var/lib/skiff'), UnsafeVolumePathError);
    await assert.rejects(d.remove('/var/lib/skiff/storage/../tls'), UnsafeVolumePathError);
    await assert.rejects(d.create('/var/lib/skiff/storage'), UnsafeVolumePathError);
  });
});

describe('LocalPathProvisioner', () => {
  async function setup(annotations: Record<string, string>) {
    const root = mkdtempSync(join(tmpdir(), 'skiff-lp-'));
    const f = newFixture([localPathStorageClass(), claim(annotations)]);
    const p = new LocalPathProvisioner({ client: f.client, factory: f.factory, recorder: f.recorder, storageFor: () => ({ root, dirs: new LocalVolumeDirectories(root) }) });
    await f.start();
    return { f, p, root, done: async () => { await f.stop(); rmSync(root, { recursive: true, force: true }); } };
  }
  const handed = { 'volume.kubernetes.io/storage-provisioner': 'skiff.dev/local-path' };

  it('waits for the binder and the scheduler before provisioning', async () => {
    const s = await setup({ 'volume.kubernetes.io/selected-node': 'n1' });
    await s.p.sync('claim:ns/data');
    const t = await setup(handed);
    await t.p.sync('claim:ns/data');
    assert.deepEqual([...s.f.writes(), ...t.f.writes()], []);
    await s.done();
    await t.done();
  });

  it('creates the directory and a pre-bound hostPath PV pinned to the selected node', async () => {
    const s = await setup({ ...handed, 'volume.kubernetes.io/selected-node': 'n1' });
    await s.p.sync('claim:ns/data');
    assert.deepEqual(s.f.writes(), ['create persistentvolumes pvc-abc']);
    const pv = s.f.client.objects(R.persistentvolumes)[0] as PV;
    assert.equal(pv.spec?.hostPath?.path, join(s.root, 'pvc-abc_ns_data'));
    assert.ok(existsSync(pv.spec!.hostPath!.path));
    assert.deepEqual(pv.spec?.claimRef?.uid, 'abc');
    assert.deepEqual(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms?.[0].matchExpressions?.[0].values, ['n1']);
    assert.equal(pv.spec?.persistentVolumeReclaimPolicy, 'Delete');
    assert.deepEqual((await s.f.events()).map((e) => e.split(' ')[1]), ['Provisioning', 'ProvisioningSucceeded']);
    await s.done();
  });

  it('removes the directory and the PV once it is Released', async () => {
    const s = await setup({ ...handed, 'volume.kubernetes.io/selected-node': 'n1' });
    await s.p.sync('claim:ns/data');
    const pv = s.f.client.objects(R.persistentvolumes)[0] as PV;
    await s.f.client.update(R.persistentvolumes, { ...pv, status: { phase: 'Released' } }, { subresource: 'status' });
    await s.f.settle();
    await s.p.sync('volume:pvc-abc');
    assert.equal(existsSync(pv.spec!.hostPath!.path), false);
    assert.deepEqual(s.f.client.objects(R.persistentvolumes), []);
    await s.done();
  });
});
