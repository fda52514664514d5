// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeRuntime } from './fake-runtime.js';
import { CriError, isCriNotFound } from './errors.js';
import type { PodSandboxConfig } from './cri-types.js';

const sandboxConfig: PodSandboxConfig = {
  metadata: { name: 'web', uid: 'uid-1', namespace: 'default' },
  log_directory: '/var/log/pods/default_web_uid-1',
  labels: { app: 'web' },
};

test('FakeRuntime walks a pod through its lifecycle like containerd', async () => {
  const rt = new FakeRuntime({ images: ['docker.io/library/busybox:1.35'] });
  const { pod_sandbox_id: sb } = await rt.runPodSandbox({ config: sandboxConfig });
  const status = await rt.podSandboxStatus({ pod_sandbox_id: sb });
  assert.equal(status.status?.state, 'SANDBOX_READY');
  assert.match(status.status?.network?.ip ?? '', /^10\.88\.0\.\d+$/);

  const { container_id: c } = await rt.createContainer({
    pod_sandbox_id: sb, sandbox_config: sandboxConfig,
    config: { metadata: { name: 'app' }, image: { image: 'docker.io/library/busybox:1.35' }, log_path: 'app/0.log' },
  });
  await rt.startContainer({ container_id: c });
  await assert.rejects(rt.startContainer({ container_id: c }), CriError);
  const cs = await rt.containerStatus({ container_id: c });
  assert.equal(cs.status?.state, 'CONTAINER_RUNNING');
  assert.equal(cs.status?.log_path, '/var/log/pods/default_web_uid-1/app/0.log');

  await assert.rejects(rt.stopPodSandbox({ pod_sandbox_id: 'missing' }), (err) => isCriNotFound(err));
  await rt.removePodSandbox({ pod_sandbox_id: 'missing' });
  await rt.stopPodSandbox({ pod_sandbox_id: sb });
  assert.equal((await rt.containerStatus({ container_id: c })).status?.state, 'CONTAINER_EXITED');
  await rt.removePodSandbox({ pod_sandbox_id: sb });
  assert.deepEqual(rt.sandboxIds, []);
  assert.deepEqual(rt.containerIds, []);
  assert.deepEqual(
    rt.calls.map((x) => x.method),
    ['RunPodSandbox', 'PodSandboxStatus', 'CreateContainer', 'StartContainer', 'StartContainer', 'ContainerStatus',
      'StopPodSandbox', 'RemovePodSandbox', 'StopPodSandbox', 'ContainerStatus', 'RemovePodSandbox'],
  );
});

test('FakeRuntime does not pull implicitly and reports NotFound', async () => {
  const rt = new FakeRuntime();
  const { pod_sandbox_id: sb } = await rt.runPodSandbox({ config: sandboxConfig });
  await assert.rejects(
    rt.createContainer({ pod_sandbox_id: sb, sandbox_config: sandboxConfig, config: { metadata: { name: 'a' }, image: { image: 'nope:1' } } }),
    (err) => isCriNotFound(err),
  );
  assert.equal((await rt.imageStatus({ image: { image: 'nope:1' } })).image, null);
  await rt.pullImage({ image: { image: 'nope:1' } });
  assert.notEqual((await rt.imageStatus({ image: { image: 'nope:1' } })).image, null);
  await assert.rejects(rt.containerStatus({ container_id: 'missing' }), (err) => isCriNotFound(err));
});

test('FakeRuntime injects failures and exits', async () => {
  const rt = new FakeRuntime({ images: ['img:1'] });
  rt.failNext('RunPodSandbox', new CriError('Unavailable', 'RunPodSandbox', 'runtime down'));
  await assert.rejects(rt.runPodSandbox({ config: sandboxConfig }), (err) => err instanceof CriError && err.code === 'Unavailable');
  const { pod_sandbox_id: sb } = await rt.runPodSandbox({ config: sandboxConfig });
  const { container_id: c } = await rt.createContainer({
    pod_sandbox_id: sb, sandbox_config: sandboxConfig, config: { metadata: { name: 'a' }, image: { image: 'img:1' } },
  });
  await rt.startContainer({ container_id: c });
  rt.exitContainer(c, 3);
  const st = (await rt.containerStatus({ container_id: c })).status;
  assert.equal(st?.state, 'CONTAINER_EXITED');
  assert.equal(st?.exit_code, 3);
  assert.equal(st?.reason, 'Error');
  rt.execHandler = (_id, cmd) => ({ stdout: Buffer.from(cmd.join(' ')), stderr: Buffer.alloc(0), exit_code: 0 });
  await assert.rejects(rt.execSync({ container_id: c, cmd: ['echo'] }), /CONTAINER_EXITED/);
});
