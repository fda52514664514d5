// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeRuntime } from '../cri/fake-runtime.js';
import { CONTAINER_NAME_LABEL, LocateError, PodLocator, POD_NAME_LABEL, POD_NAMESPACE_LABEL, POD_UID_LABEL } from './pod-locator.js';

const IMAGE = 'busybox:1.35';

/** runPod starts one incarnation of ns/web with a container "main" as the kubelet labels it. */
async function runPod(rt: FakeRuntime, uid: string): Promise<string> {
  const labels = { [POD_NAMESPACE_LABEL]: 'ns', [POD_NAME_LABEL]: 'web', [POD_UID_LABEL]: uid };
  const config = { metadata: { name: 'web', namespace: 'ns', uid, attempt: 0 }, labels };
  const { pod_sandbox_id } = await rt.runPodSandbox({ config });
  const { container_id } = await rt.createContainer({
    pod_sandbox_id, sandbox_config: config,
    config: { metadata: { name: 'main', attempt: 0 }, image: { image: IMAGE }, labels: { ...labels, [CONTAINER_NAME_LABEL]: 'main' } },
  });
  return container_id;
}

test('PodLocator: a uid pins one incarnation of a pod name', async () => {
  const rt = new FakeRuntime({ images: [IMAGE] });
  const locator = new PodLocator(rt);
  const old = await runPod(rt, 'uid-old');
  // The old pod is still on the node while its successor has no sandbox yet.
  assert.equal((await locator.container('ns', 'web', 'main')).id, old, 'by name alone: whatever is there');
  await assert.rejects(locator.container('ns', 'web', 'main', { uid: 'uid-new' }), (err: LocateError) => {
    assert.equal(err.code, 400);
    assert.equal(err.message, 'container "main" in pod "web" is waiting to start: ContainerCreating');
    return true;
  });
  const fresh = await runPod(rt, 'uid-new');
  assert.equal((await locator.container('ns', 'web', 'main', { uid: 'uid-new' })).id, fresh);
  assert.equal((await locator.container('ns', 'web', 'main', { uid: 'uid-old' })).id, old);
  assert.equal((await locator.sandbox('ns', 'web', 'uid-new')).labels[POD_UID_LABEL], 'uid-new');
  await assert.rejects(locator.sandbox('ns', 'web', 'uid-gone'), /pod "web" in namespace "ns" not found on this node/);
});
