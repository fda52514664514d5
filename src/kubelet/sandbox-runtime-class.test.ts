// SPDX-License-Identifier: Apache-2.0
/** The kubelet passes a pod's RuntimeClass handler to RunPodSandbox; a class that is gone fails the sandbox with an event. */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.js';
import { R } from '../client/client.js';
import { FakeClient } from '../client/fake-client.js';
import { EventRecorder } from '../client/event-recorder.js';
import { FakeRuntime } from './cri/fake-runtime.js';
import { ImagePuller } from './image-puller.js';
import { PodSyncer } from './pod-sync.js';
import { removeCgroup } from './pod-cgroups.js';
import { ProbeManager } from './probe-manager.js';
import { VolumeManager } from './volume-manager.js';

const dir = mkdtempSync(join(tmpdir(), 'sandbox-rc-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
  removeCgroup('/skiff-unit-test-rc');
});

function setup(pod: KubeObject, objects: KubeObject[] = []) {
  const client = new FakeClient([pod, ...objects]);
  const runtime = new FakeRuntime({ images: ['docker.io/library/busybox:1.35', 'busybox:1.35'] });
  const recorder = new EventRecorder(client, 'kubelet');
  const node = { cpuMilli: 2000, memoryBytes: 1 << 30, ephemeralStorageBytes: 1 << 30 };
  const syncer = new PodSyncer({
    client, runtime, images: runtime, recorder, puller: new ImagePuller(runtime, recorder, { initialMs: 1000, maxMs: 4000 }),
    probes: new ProbeManager(runtime, recorder, () => undefined),
    volumes: new VolumeManager({ client, podsDir: join(dir, 'pods'), memoryVolumesDir: join(dir, 'memory-volumes'), node }), crashBackoff: { initialMs: 60_000, maxMs: 120_000 },
    hostIP: '192.0.2.2', logRoot: join(dir, 'logs'), cgroupRoot: '/skiff-unit-test-rc', dns: { servers: ['10.43.0.10'], domain: 'cluster.local' },
    node, log: () => undefined,
  });
  const get = async () => (await client.get(R.pods, pod.metadata.name!, { namespace: 'default' })) as Pod & KubeObject;
  const handlers = () => runtime.calls.filter((c) => c.method === 'RunPodSandbox').map((c) => (c.request as { runtime_handler?: string }).runtime_handler);
  return { client, syncer, get, handlers };
}

const pod = (name: string, runtimeClassName?: string): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}` },
  spec: { nodeName: 'n', restartPolicy: 'Always', runtimeClassName, containers: [{ name: 'c', image: 'busybox:1.35', imagePullPolicy: 'IfNotPresent' }] },
  status: { phase: 'Pending' },
});
const runtimeClass = (name: string, handler: string): KubeObject => ({ apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name }, handler } as KubeObject);

describe('RuntimeClass handler in RunPodSandbox', () => {
  it("passes the class's handler, and the runtime's default ('') without a class", async () => {
    const withClass = setup(pod('kata-pod', 'kata'), [runtimeClass('kata', 'kata-qemu')]);
    await withClass.syncer.sync(await withClass.get());
    assert.deepEqual(withClass.handlers(), ['kata-qemu']);
    const plain = setup(pod('plain'));
    await plain.syncer.sync(await plain.get());
    assert.deepEqual(plain.handlers(), ['']);
  });

  it('a class that is gone fails the sandbox with a FailedCreatePodSandBox event', async () => {
    const { client, syncer, get, handlers } = setup(pod('lost', 'gone'));
    await syncer.sync(await get());
    assert.deepEqual(handlers(), []);
    const events = (await client.list(R.events, { namespace: 'default' })).items as Array<{ reason?: string; message?: string }>;
    const failed = events.find((e) => e.reason === 'FailedCreatePodSandBox');
    assert.match(failed?.message ?? '', /^Failed to create pod sandbox: runtimeclasses\.node\.k8s\.io "gone" not found$/);
  });
});
