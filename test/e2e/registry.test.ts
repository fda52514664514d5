// SPDX-License-Identifier: Apache-2.0
/**
 * Image pulls from a private registry, end to end: Debian's docker-registry
 * with htpasswd and TLS (test/e2e/fixtures/registry.ts) holds busybox; a real
 * `skiff server` with its node agent trusts the registry's CA through a
 * hosts.toml in containerd's registry config_path, and has no credentials of
 * its own. Pods pull with `kubectl create secret docker-registry` credentials
 * (imagePullSecrets → CRI PullImage auth), fail with ErrImagePull and then
 * ImagePullBackOff without them or with a wrong password, and follow the
 * Never, IfNotPresent and Always pull policies, with upstream's events.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { busyboxImage } from '../../src/images/index.js';
import { agentUnavailableReason, startAgentServer, type AgentServer } from './fixtures/agent-server.js';
import { registryUnavailableReason, startRegistry, type TestRegistry } from './fixtures/registry.js';
import { waitFor as waitForShared } from '../harness/wait-for.js';

interface PodJSON {
  status: {
    phase?: string;
    containerStatuses?: { imageID?: string; state: { running?: object; waiting?: { reason: string; message?: string } } }[];
  };
}

interface EventJSON {
  type: string;
  reason: string;
  message: string;
  count?: number;
  involvedObject: { name: string };
}

const skip = agentUnavailableReason() || registryUnavailableReason();
const NS = 'reg';

const waitFor = <T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> => waitForShared(what, fn, timeoutMs, 250);

describe('private registry pulls with imagePullSecrets', { skip: skip || undefined, timeout: 300_000 }, () => {
  let s: AgentServer;
  let r: TestRegistry;
  let digest: string;
  const image = (repoTag: string) => `${r.host}/${repoTag}`;
  const pod = (name: string) => s.json<PodJSON>(['pod', name, '-n', NS]);
  const waiting = (name: string) => pod(name).status.containerStatuses?.[0]?.state.waiting;
  const events = (name: string) =>
    s.json<{ items: EventJSON[] }>(['events', '-n', NS]).items.filter((e) => e.involvedObject.name === name);
  const eventLines = (name: string) => events(name).map((e) => `${e.type} ${e.reason}: ${e.message}`);
  const createPod = (name: string, img: string, opts: { secret?: string; policy?: string } = {}) =>
    s.kubectlOk(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'c', image: img, command: ['sleep', '3600'], ...(opts.policy ? { imagePullPolicy: opts.policy } : {}) }],
        ...(opts.secret ? { imagePullSecrets: [{ name: opts.secret }] } : {}),
      },
    }));
  const waitRunning = (name: string) => waitFor(`${name} running`, () => pod(name).status.containerStatuses?.[0]?.state.running, 90_000);

  before(async () => {
    r = await startRegistry({ username: 'user', password: 'pass' });
    // The same image under several names: each test needs a reference no earlier test made present on the node.
    digest = await r.push('test/busybox', '1', busyboxImage());
    for (const tag of ['nosecret', 'wrongpass']) await r.push('test/busybox', tag, busyboxImage());
    s = await startAgentServer();
    // The node trusts the registry's CA; it gets no credentials (those come only from imagePullSecrets).
    r.trustIn(join(s.dataDir, 'containerd', 'certs.d'));
    s.kubectlOk(['create', 'namespace', NS]);
    s.kubectlOk(['create', 'secret', 'docker-registry', 'regcred', '-n', NS, `--docker-server=${r.host}`, '--docker-username=user', '--docker-password=pass']);
    s.kubectlOk(['create', 'secret', 'docker-registry', 'badcred', '-n', NS, `--docker-server=${r.host}`, '--docker-username=user', '--docker-password=nope']);
  });

  after(async () => {
    await s?.stop();
    await r?.stop();
  });

  it('runs a pod whose image needs the imagePullSecret, with Pulling and Pulled events', async () => {
    createPod('with-secret', image('test/busybox:1'), { secret: 'regcred' });
    await waitRunning('with-secret');
    const lines = eventLines('with-secret');
    assert.ok(lines.includes(`Normal Pulling: Pulling image "${image('test/busybox:1')}"`), lines.join('\n'));
    const pulled = lines.find((l) => l.startsWith('Normal Pulled: '));
    assert.match(pulled ?? '', new RegExp(`^Normal Pulled: Successfully pulled image "${image('test/busybox:1').replace(/[.]/g, '\\.')}" in [\\d.]+m?s \\([\\d.]+m?s including waiting\\)\\. Image size: [1-9]\\d* bytes\\.$`));
    assert.match(pod('with-secret').status.containerStatuses?.[0]?.imageID ?? '', new RegExp(`${digest}$`), 'the imageID names the pushed manifest');
  });

  it('without the secret the pull fails with 401: ErrImagePull, then ImagePullBackOff', async () => {
    const ref = image('test/busybox:nosecret');
    createPod('no-secret', ref);
    const err = await waitFor('ErrImagePull', () => { const w = waiting('no-secret'); return w?.reason === 'ErrImagePull' ? w : undefined; });
    // containerd's words, as the kubelet passes them on from the CRI error.
    const escaped = ref.replace(/[.]/g, '\\.');
    assert.match(err.message ?? '', new RegExp(`failed to pull and unpack image "${escaped}": failed to resolve reference "${escaped}": .*401 Unauthorized`));
    const backoff = await waitFor('ImagePullBackOff', () => { const w = waiting('no-secret'); return w?.reason === 'ImagePullBackOff' ? w : undefined; });
    assert.equal(backoff.message, `Back-off pulling image "${ref}"`);
    const lines = await waitFor('the back-off events', () => {
      const l = eventLines('no-secret');
      return l.includes('Warning Failed: Error: ImagePullBackOff') && l;
    });
    assert.ok(lines.some((l) => l.startsWith(`Warning Failed: Failed to pull image "${ref}": `) && l.includes('401 Unauthorized')), lines.join('\n'));
    assert.ok(lines.includes('Warning Failed: Error: ErrImagePull'), lines.join('\n'));
    assert.ok(lines.includes(`Normal BackOff: Back-off pulling image "${ref}"`), lines.join('\n'));
    assert.equal(pod('no-secret').status.phase, 'Pending');
  });

  it('a secret with a wrong password fails too (no anonymous retry), and a missing secret is reported', async () => {
    createPod('bad-secret', image('test/busybox:wrongpass'), { secret: 'badcred' });
    const err = await waitFor('ErrImagePull', () => { const w = waiting('bad-secret'); return w?.reason === 'ErrImagePull' ? w : undefined; });
    assert.match(err.message ?? '', /401 Unauthorized/);
    createPod('missing-secret', image('test/busybox:wrongpass'), { secret: 'nosuch' });
    await waitFor('FailedToRetrieveImagePullSecret', () => eventLines('missing-secret').includes(
      'Warning FailedToRetrieveImagePullSecret: Unable to retrieve some image pull secrets (nosuch); attempting to pull the image may not succeed.'));
  });

  it('imagePullPolicy Never with an absent image is ErrImageNeverPull', async () => {
    const ref = image('test/busybox:never-pushed');
    createPod('never', ref, { policy: 'Never', secret: 'regcred' });
    const w = await waitFor('ErrImageNeverPull', () => { const w = waiting('never'); return w?.reason === 'ErrImageNeverPull' ? w : undefined; });
    assert.equal(w.message, `Container image "${ref}" is not present with pull policy of Never`);
    const lines = eventLines('never');
    assert.ok(lines.includes(`Warning ErrImageNeverPull: Container image "${ref}" is not present with pull policy of Never`), lines.join('\n'));
    assert.ok(!lines.some((l) => l.includes('Pulling image')), 'Never never pulls');
  });

  it('IfNotPresent uses the present image; Always pulls again', async () => {
    createPod('if-present', image('test/busybox:1'), { policy: 'IfNotPresent' });
    await waitRunning('if-present');
    assert.ok(eventLines('if-present').includes(`Normal Pulled: Container image "${image('test/busybox:1')}" already present on machine`));
    // Present from the first test, yet Always goes to the registry: without credentials that fails.
    createPod('always-anon', image('test/busybox:1'), { policy: 'Always' });
    await waitFor('ErrImagePull for Always without a secret', () => waiting('always-anon')?.reason === 'ErrImagePull');
    createPod('always', image('test/busybox:1'), { policy: 'Always', secret: 'regcred' });
    await waitRunning('always');
    const lines = eventLines('always');
    assert.ok(lines.includes(`Normal Pulling: Pulling image "${image('test/busybox:1')}"`), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith(`Normal Pulled: Successfully pulled image "${image('test/busybox:1')}"`)), lines.join('\n'));
    assert.ok(!lines.some((l) => l.includes('already present')), lines.join('\n'));
  });
});
