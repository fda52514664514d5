// SPDX-License-Identifier: Apache-2.0
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../api/object.js';
import { R } from '../client/client.js';
import type { PodSyncer } from './pod-sync.js';
import { podSyncFixture } from './pod-sync-fixture.js';
import { restartCountFromLogs } from './container-plan.js';
import { removeCgroup } from './pod-cgroups.js';

const dir = mkdtempSync(join(tmpdir(), 'podsync-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
  // Pod cgroups are created before each sandbox (with the pod's limits); remove what the fake pods made.
  removeCgroup('/skiff-unit-test');
});

function setup(pod: KubeObject, extra: Partial<ConstructorParameters<typeof PodSyncer>[0]> = {}) {
  return podSyncFixture({ dir, cgroupRoot: '/skiff-unit-test', pod, extra });
}

function newPod(name: string, restartPolicy: string, env: object[] = []): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: { nodeName: 'n', restartPolicy, containers: [{ name: 'c', image: 'busybox:1.35', imagePullPolicy: 'IfNotPresent', env }] },
    status: { phase: 'Pending' },
  };
}

describe('PodSyncer', () => {
  it('starts a pod, restarts a crashed container once, then backs off (CrashLoopBackOff)', async () => {
    const { runtime, syncer, get } = setup(newPod('crash', 'Always'));
    await syncer.sync(await get());
    let p = await get();
    assert.equal(p.status?.phase, 'Running');
    assert.equal(p.status?.podIP, '10.88.0.2');
    assert.equal(p.status?.containerStatuses?.[0].ready, true);
    runtime.exitContainer(runtime.containerIds[0], 2);
    await syncer.sync(await get());
    p = await get();
    assert.equal(p.status?.containerStatuses?.[0].restartCount, 1, 'first restart is immediate');
    runtime.exitContainer(runtime.containerIds.at(-1)!, 2);
    const r = await syncer.sync(await get());
    p = await get();
    const cs = p.status!.containerStatuses![0];
    assert.equal(cs.state?.waiting?.reason, 'CrashLoopBackOff');
    assert.match(cs.state?.waiting?.message ?? '', /^back-off 1m0s restarting failed container=c pod=crash_default\(uid-crash\)$/);
    assert.equal(cs.lastState?.terminated?.exitCode, 2);
    assert.ok(r.retryInMs! > 50_000);
  });

  it('runs init containers in order, then the sidecar, then app containers', async () => {
    const pod = newPod('init', 'Always');
    (pod.spec as { initContainers: object[] }).initContainers = [
      { name: 'init', image: 'busybox:1.35', imagePullPolicy: 'IfNotPresent' },
      { name: 'side', image: 'busybox:1.35', imagePullPolicy: 'IfNotPresent', restartPolicy: 'Always' },
    ];
    const { runtime, syncer, get } = setup(pod);
    const names = () => runtime.calls.filter((c) => c.method === 'CreateContainer').map((c) => (c.request as { config: { metadata: { name: string } } }).config.metadata.name);
    await syncer.sync(await get());
    assert.deepEqual(names(), ['init']);
    let p = await get();
    assert.equal(p.status?.containerStatuses?.[0].state?.waiting?.reason, 'PodInitializing');
    assert.equal(p.status?.conditions?.find((c) => c.type === 'Initialized')?.status, 'False');
    runtime.exitContainer(runtime.containerIds[0], 0);
    await syncer.sync(await get());
    await syncer.sync(await get());
    assert.deepEqual(names(), ['init', 'side', 'c']);
    p = await get();
    assert.equal(p.status?.phase, 'Running');
    assert.equal(p.status?.initContainerStatuses?.[0].state?.terminated?.reason, 'Completed');
    assert.ok(p.status?.initContainerStatuses?.[1].state?.running, 'sidecar keeps running');
  });

  it('restartPolicy Never leaves a failed container terminated and the pod Failed', async () => {
    const { runtime, syncer, get } = setup(newPod('never', 'Never'));
    await syncer.sync(await get());
    runtime.exitContainer(runtime.containerIds[0], 1);
    await syncer.sync(await get());
    const p = await get();
    assert.equal(p.status?.phase, 'Failed');
    assert.equal(p.status?.containerStatuses?.[0].state?.terminated?.reason, 'Error');
    assert.equal(runtime.containerIds.length, 1, 'not restarted');
  });

  it('reports CreateContainerConfigError for a missing ConfigMap', async () => {
    const { syncer, get } = setup(newPod('cfg', 'Always', [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'gone', key: 'k' } } }]));
    await syncer.sync(await get());
    const w = (await get()).status?.containerStatuses?.[0].state?.waiting;
    assert.equal(w?.reason, 'CreateContainerConfigError');
    assert.equal(w?.message, 'configmaps "gone" not found');
  });

  it('a first start the relist saw nothing of goes straight to the runtime: sandbox, its status, image, create, start, status', async () => {
    const { runtime, syncer, get } = setup(newPod('quick', 'Always'), { inLastRelist: () => false });
    await syncer.sync(await get());
    assert.deepEqual(runtime.calls.map((c) => c.method), ['RunPodSandbox', 'PodSandboxStatus', 'ImageStatus', 'CreateContainer', 'StartContainer', 'ContainerStatus']);
    assert.equal((await get()).status?.phase, 'Running');
    // Later syncs read the runtime: this kubelet may have changed it since the relist.
    runtime.calls.length = 0;
    await syncer.sync(await get());
    assert.ok(runtime.calls.some((c) => c.method === 'ListPodSandbox'));
  });

  it('replaces a dead sandbox: a new one with attempt 1 and the container started again in it', async () => {
    const { runtime, syncer, get } = setup(newPod('sbdead', 'Always'));
    await syncer.sync(await get());
    const [first] = runtime.sandboxIds;
    assert.equal((await get()).status?.phase, 'Running');
    // containerd wrote the first instance's log; the kubelet counts restarts from it once that instance is gone.
    const logDir = join(dir, 'logs', 'default_sbdead_uid-sbdead', 'c');
    mkdirSync(logDir, { recursive: true });
    writeFileSync(join(logDir, '0.log'), '');
    await runtime.stopPodSandbox({ pod_sandbox_id: first });
    await syncer.sync(await get());
    const p = await get();
    assert.equal(p.status?.containerStatuses?.[0].restartCount, 1);
    const { items } = await runtime.listPodSandbox();
    assert.equal(items.length, 1);
    assert.notEqual(items[0].id, first);
    assert.equal(items[0].metadata?.attempt, 1);
    const { containers } = await runtime.listContainers({ filter: { state: { state: 'CONTAINER_RUNNING' } } });
    assert.deepEqual(containers.map((c) => c.pod_sandbox_id), [items[0].id]);
    assert.equal(p.status?.phase, 'Running');
    assert.equal(p.status?.containerStatuses?.[0].ready, true);
  });

  it('terminates a deleted pod: containers stopped, sandbox removed, object deleted', async () => {
    const { client, runtime, syncer, get } = setup(newPod('del', 'Always'));
    await syncer.sync(await get());
    const p = await get();
    const r = await syncer.sync({ ...p, metadata: { ...p.metadata, deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 0 } });
    assert.equal(r.deleted, true);
    assert.deepEqual(runtime.sandboxIds, []);
    assert.deepEqual(runtime.containerIds, []);
    await assert.rejects(client.get(R.pods, 'del', { namespace: 'default' }), /not found/);
  });
});

describe('restartCountFromLogs', () => {
  it('is one more than the highest N.log, rotated names included, and 0 for no directory', () => {
    const d = join(dir, 'count');
    assert.equal(restartCountFromLogs(d), 0);
    mkdirSync(d, { recursive: true });
    for (const f of ['0.log', '3.log.20261207-030000.gz', '2.log', 'x.log', '10-termination-log']) writeFileSync(join(d, f), '');
    assert.equal(restartCountFromLogs(d), 4);
  });
});
