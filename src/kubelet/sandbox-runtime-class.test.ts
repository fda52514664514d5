// SPDX-License-Identifier: Apache-2.0
/** The kubelet passes a pod's RuntimeClass handler to RunPodSandbox; a class that is gone fails the sandbox with an event. */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../api/object.js';
import { R } from '../client/client.js';
import { podSyncFixture } from './pod-sync-fixture.js';
import { removeCgroup } from './pod-cgroups.js';

const dir = mkdtempSync(join(tmpdir(), 'sandbox-rc-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
  removeCgroup('/skiff-unit-test-rc');
});

function setup(pod: KubeObject, objects: KubeObject[] = []) {
  const { client, runtime, syncer, get } = podSyncFixture({ dir, cgroupRoot: '/skiff-unit-test-rc', pod, objects });
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
