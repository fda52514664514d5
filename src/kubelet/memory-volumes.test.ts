// SPDX-License-Identifier: Apache-2.0
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.js';
import { R } from '../client/client.js';
import { FakeClient } from '../client/fake-client.js';
import { ObjectCache } from './container-env.js';
import { MemoryVolumes } from './memory-volumes.js';
import { VolumeManager } from './volume-manager.js';
import { mountsUnder } from './volume-host.js';

const dir = mkdtempSync(join(tmpdir(), 'memory-volumes-'));
after(() => {
  for (const m of mountsUnder(dir)) spawnSync('umount', ['-l', m]);
  rmSync(dir, { recursive: true, force: true });
});

const canMount = process.getuid?.() === 0;
const mountLines = (path: string) => readFileSync('/proc/mounts', 'utf8').split('\n').filter((l) => l.split(' ')[1] === path);
const mode = (path: string) => statSync(path).mode & 0o7777;

describe('MemoryVolumes: one shared tmpfs for memory-backed volumes', { skip: canMount ? false : 'needs root to mount a tmpfs' }, () => {
  it('mounts one tmpfs on first use, hands out 0777 directories in it, and unmounts it once no pod is left', async () => {
    const root = join(dir, 'a', 'memory-volumes');
    const mem = new MemoryVolumes(root);
    assert.equal(existsSync(root), false, 'nothing is mounted before a volume needs it');
    const [d1, d2] = await Promise.all([
      mem.make('uid-1', 'kubernetes.io~projected', 'kube-api-access-abcde'),
      mem.make('uid-2', 'kubernetes.io~secret', 'sec'),
    ]);
    assert.equal(d1, join(root, 'uid-1', 'kubernetes.io~projected', 'kube-api-access-abcde'));
    const lines = mountLines(root);
    assert.equal(lines.length, 1, 'one mount for all volumes');
    assert.equal(lines[0].split(' ')[2], 'tmpfs');
    assert.doesNotMatch(lines[0].split(' ')[3], /mode=/, "mounted with upstream's per-volume tmpfs options (no mode)");
    assert.equal(mode(root), 0o700, 'the root is the kubelet\'s alone');
    assert.equal(mode(d1), 0o777);
    assert.equal(mode(d2), 0o777);
    assert.deepEqual(mountsUnder(root), [root], 'a volume is a directory, not a mount');
    assert.deepEqual(mem.podUIDs().sort(), ['uid-1', 'uid-2']);
    mem.removePod('uid-1');
    assert.equal(existsSync(join(root, 'uid-1')), false);
    await mem.close();
    assert.equal(mountLines(root).length, 1, 'a pod is left: the tmpfs stays');
    await assert.rejects(mem.make('uid-3', 'kubernetes.io~secret', 's'), /closed/, 'no new volume after close');
    mem.removePod('uid-2');
    await mem.close();
    assert.equal(mountLines(root).length, 0, 'no pod left: unmounted');
    assert.equal(existsSync(root), false);
  });

  it('a kubelet started later adopts the tmpfs its predecessor left mounted for running pods', async () => {
    const root = join(dir, 'b', 'memory-volumes');
    const first = new MemoryVolumes(root);
    const vol = await first.make('uid-1', 'kubernetes.io~projected', 'kube-api-access-abcde');
    writeFileSync(join(vol, 'token'), 'one');
    await first.close();
    const next = new MemoryVolumes(root);
    assert.equal(await next.make('uid-1', 'kubernetes.io~projected', 'kube-api-access-abcde'), vol);
    assert.equal(mountLines(root).length, 1, 'the same tmpfs, not a second one over it');
    assert.equal(readFileSync(join(vol, 'token'), 'utf8'), 'one', 'what the running container sees is where the new kubelet writes');
    next.removePod('uid-1');
    await next.close();
    assert.equal(mountLines(root).length, 0);
  });

  it('removes what is on disk below an unmounted root before mounting over it', async () => {
    const root = join(dir, 'c', 'memory-volumes');
    mkdirSync(join(root, 'stale-uid', 'kubernetes.io~secret', 's'), { recursive: true });
    writeFileSync(join(root, 'stale-uid', 'kubernetes.io~secret', 's', 'password'), 'on disk');
    const mem = new MemoryVolumes(root);
    await mem.make('uid-1', 'kubernetes.io~secret', 's');
    mem.removePod('uid-1');
    await mem.close();
    assert.equal(existsSync(root), false, 'the stale on-disk secret is gone with the root');
  });

  it('two agents on one host (their own data dirs) never share or unmount each other\'s tmpfs', async () => {
    const rootA = join(dir, 'agent-a', 'memory-volumes');
    const rootB = join(dir, 'agent-b', 'memory-volumes');
    const a = new MemoryVolumes(rootA);
    const b = new MemoryVolumes(rootB);
    await a.make('uid-a', 'kubernetes.io~secret', 's');
    await b.make('uid-b', 'kubernetes.io~secret', 's');
    assert.equal(mountLines(rootA).length, 1);
    assert.equal(mountLines(rootB).length, 1);
    a.removePod('uid-a');
    await a.close();
    assert.equal(mountLines(rootA).length, 0);
    assert.equal(mountLines(rootB).length, 1, "agent b's tmpfs stays");
    assert.ok(existsSync(join(rootB, 'uid-b', 'kubernetes.io~secret', 's')));
    b.removePod('uid-b');
    await b.close();
    assert.equal(mountLines(rootB).length, 0);
  });
});

describe('VolumeManager with the shared tmpfs', { skip: canMount ? false : 'needs root to mount a tmpfs' }, () => {
  it('Secret, downwardAPI and projected volumes are files in the shared tmpfs (no per-volume mount); a Memory emptyDir keeps its own sized tmpfs; teardown removes both', async () => {
    const base = join(dir, 'vm');
    const podsDir = join(base, 'pods');
    const memoryVolumesDir = join(base, 'memory-volumes');
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec', namespace: 'default' }, data: { password: Buffer.from('hunter2').toString('base64') } };
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, data: { 'ca.crt': 'CA' } };
    const pod = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'uid-vm', labels: { app: 'x' } },
      spec: {
        containers: [{ name: 'c', image: 'busybox' }],
        volumes: [
          { name: 'sec', secret: { secretName: 'sec', defaultMode: 0o400 } },
          { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
          { name: 'proj', projected: { defaultMode: 0o644, sources: [{ configMap: { name: 'cfg' } }, { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } }] } },
          { name: 'ram', emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } },
        ],
      },
    } as KubeObject & Pod;
    const client = new FakeClient([secret as KubeObject, cm as KubeObject, pod]);
    const vm = new VolumeManager({ client, podsDir, memoryVolumesDir, node: { cpuMilli: 1000, memoryBytes: 1 << 30, ephemeralStorageBytes: 1 << 30 } });
    const paths = await vm.setUp(pod, new ObjectCache(client), {});
    assert.equal(paths.get('sec'), join(memoryVolumesDir, 'uid-vm', 'kubernetes.io~secret', 'sec'));
    assert.equal(paths.get('info'), join(memoryVolumesDir, 'uid-vm', 'kubernetes.io~downward-api', 'info'));
    assert.equal(paths.get('proj'), join(memoryVolumesDir, 'uid-vm', 'kubernetes.io~projected', 'proj'));
    assert.equal(readFileSync(join(paths.get('sec')!, 'password'), 'utf8'), 'hunter2');
    assert.equal(statSync(join(paths.get('sec')!, 'password')).mode & 0o777, 0o400);
    assert.ok(lstatSync(join(paths.get('sec')!, 'password')).isSymbolicLink(), 'published through ..data as before');
    assert.equal(readFileSync(join(paths.get('info')!, 'labels'), 'utf8'), 'app="x"');
    assert.equal(readFileSync(join(paths.get('proj')!, 'ca.crt'), 'utf8'), 'CA');
    assert.equal(readFileSync(join(paths.get('proj')!, 'namespace'), 'utf8'), 'default');
    const ram = join(podsDir, 'uid-vm', 'volumes', 'kubernetes.io~empty-dir', 'ram');
    assert.equal(paths.get('ram'), ram);
    assert.deepEqual(mountsUnder(base).sort(), [memoryVolumesDir, ram].sort(), 'one shared tmpfs and the sized emptyDir, nothing per secret/projected/downwardAPI volume');
    assert.match(mountLines(ram)[0], /size=8192k/);
    assert.deepEqual(vm.podUIDs(), ['uid-vm']);
    // A second setUp (a resync) rewrites in place; a changed secret shows through the same directory.
    const stored = await client.get(R.secrets, 'sec', { namespace: 'default' });
    await client.update(R.secrets, { ...stored, data: { password: Buffer.from('s3cret').toString('base64') } } as KubeObject);
    assert.equal((await vm.setUp(pod, new ObjectCache(client), {})).get('sec'), paths.get('sec'));
    assert.equal(readFileSync(join(paths.get('sec')!, 'password'), 'utf8'), 's3cret');
    assert.deepEqual(mountsUnder(base).sort(), [memoryVolumesDir, ram].sort(), 'a resync mounts nothing');
    await vm.tearDownVolumes('uid-vm');
    assert.equal(existsSync(join(memoryVolumesDir, 'uid-vm')), false, 'a finished pod\'s memory-backed volumes go');
    assert.deepEqual(mountsUnder(base), [memoryVolumesDir]);
    await vm.tearDown('uid-vm');
    assert.deepEqual(vm.podUIDs(), []);
    await vm.close();
    assert.deepEqual(mountsUnder(base), [], 'nothing left mounted');
  });

  it('a pod known only by its memory-backed volumes is listed, so orphan housekeeping removes it', async () => {
    const base = join(dir, 'orphan');
    const client = new FakeClient([]);
    const vm = new VolumeManager({ client, podsDir: join(base, 'pods'), memoryVolumesDir: join(base, 'memory-volumes'), node: { cpuMilli: 1000, memoryBytes: 1 << 30, ephemeralStorageBytes: 1 << 30 } });
    const pod = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'o', namespace: 'default', uid: 'uid-orphan' },
      spec: { containers: [{ name: 'c', image: 'busybox' }], volumes: [{ name: 'info', downwardAPI: { items: [{ path: 'name', fieldRef: { fieldPath: 'metadata.name' } }] } }] },
    } as KubeObject & Pod;
    await vm.setUp(pod, new ObjectCache(client), {});
    assert.equal(existsSync(join(base, 'pods')), false, 'nothing of this pod is on disk');
    assert.deepEqual(vm.podUIDs(), ['uid-orphan']);
    await vm.tearDown('uid-orphan');
    assert.deepEqual(vm.podUIDs(), []);
    await vm.close();
    assert.deepEqual(mountsUnder(base), []);
  });
});
