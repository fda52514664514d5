// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Event, Pod, Secret } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.js';
import { R } from '../client/client.js';
import { FakeClient } from '../client/fake-client.js';
import { EventRecorder } from '../client/event-recorder.js';
import { FakeRuntime } from './cri/fake-runtime.js';
import type * as cri from './cri/cri-types.js';
import { ObjectCache } from './container-env.js';
import { ImagePullError, ImagePuller, pullPolicyOf } from './image-puller.js';
import { credentialsFor, registryHost } from './credential-keyring.js';

function pullSecret(name: string, auths: Record<string, object>): Secret & KubeObject {
  const data = Buffer.from(JSON.stringify({ auths })).toString('base64');
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'default' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': data } };
}

const basic = (user: string, pass: string) => ({ username: user, password: pass, auth: Buffer.from(`${user}:${pass}`).toString('base64') });

describe('image pulling rules', () => {
  it('defaults the pull policy as upstream', () => {
    assert.equal(pullPolicyOf({ name: 'c', image: 'busybox' }), 'Always');
    assert.equal(pullPolicyOf({ name: 'c', image: 'busybox:latest' }), 'Always');
    assert.equal(pullPolicyOf({ name: 'c', image: 'busybox:1.35' }), 'IfNotPresent');
    assert.equal(pullPolicyOf({ name: 'c', image: 'localhost:5000/x' }), 'Always');
    assert.equal(pullPolicyOf({ name: 'c', image: 'busybox:1.35', imagePullPolicy: 'Never' }), 'Never');
  });

  it('finds the registry host of a reference', () => {
    assert.equal(registryHost('busybox'), 'docker.io');
    assert.equal(registryHost('library/busybox:1'), 'docker.io');
    assert.equal(registryHost('localhost:5000/a/b:1'), 'localhost:5000');
    assert.equal(registryHost('quay.io/x/y'), 'quay.io');
  });
});

describe('credential keyring', () => {
  it('matches dockerconfigjson credentials by registry host and port, without a server_address', () => {
    const secret = pullSecret('s', { 'https://index.docker.io/v1/': { auth: Buffer.from('hub:pw').toString('base64') }, 'localhost:5000': { username: 'u', password: 'p' } });
    assert.deepEqual(credentialsFor('localhost:5000/app:1', [secret]), [{ username: 'u', password: 'p' }]);
    assert.deepEqual(credentialsFor('nginx:1', [secret]).map((a) => [a.username, a.password]), [['hub', 'pw']]);
    assert.deepEqual(credentialsFor('docker.io/library/nginx:1', [secret]).map((a) => a.username), ['hub']);
    assert.deepEqual(credentialsFor('quay.io/x:1', [secret]), []);
    assert.deepEqual(credentialsFor('localhost:5001/app:1', [secret]), []);
    assert.deepEqual(credentialsFor('localhost/app:1', [secret]), []);
  });

  it('reads what kubectl create secret docker-registry writes for an IP:port server', () => {
    // kubectl writes the server as given, with username, password and auth.
    const secret = pullSecret('regcred', { '127.0.0.1:40123': basic('user', 'pa:ss') });
    assert.deepEqual(credentialsFor('127.0.0.1:40123/test/busybox:1', [secret]), [{ username: 'user', password: 'pa:ss' }]);
    assert.deepEqual(credentialsFor('127.0.0.1:40123/test/busybox@sha256:abcd', [secret]).length, 1);
    assert.deepEqual(credentialsFor('127.0.0.2:40123/test/busybox:1', [secret]), []);
  });

  it('honours globs, paths and specificity, across secrets', () => {
    const a = pullSecret('a', { '*.example.com': basic('wild', '1'), 'reg.example.com/team': basic('team', '2') });
    const b = pullSecret('b', { 'https://reg.example.com': basic('host', '3') });
    const users = (image: string) => credentialsFor(image, [a, b]).map((c) => c.username);
    assert.deepEqual(users('reg.example.com/team/app:1'), ['team', 'host', 'wild']);
    assert.deepEqual(users('reg.example.com/other/app:1'), ['host', 'wild']);
    assert.deepEqual(users('a.b.example.com/x:1'), []);
  });

  it('skips secrets of other types and broken configs', () => {
    const opaque: Secret = { type: 'Opaque', data: { '.dockerconfigjson': pullSecret('x', { 'r.io': basic('u', 'p') }).data!['.dockerconfigjson'] } };
    const broken: Secret = { type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': Buffer.from('{').toString('base64') } };
    assert.deepEqual(credentialsFor('r.io/x:1', [opaque, broken]), []);
  });
});

// A fake registry behind the fake runtime: images under reg.test:5000 need user/pass.
class AuthRuntime extends FakeRuntime {
  readonly auths: (cri.AuthConfig | undefined)[] = [];
  override async pullImage(req: { image: cri.ImageSpec; auth?: cri.AuthConfig }) {
    this.auths.push(req.auth);
    if (req.image.image.startsWith('reg.test:5000/') && !(req.auth?.username === 'user' && req.auth.password === 'pass')) {
      throw new Error(`rpc error: code = Unknown desc = failed to pull and unpack image "${req.image.image}": 401 Unauthorized`);
    }
    return super.pullImage(req);
  }
}

function setup(...objects: KubeObject[]) {
  const client = new FakeClient(objects);
  const runtime = new AuthRuntime({ images: ['present:1'] });
  const recorder = new EventRecorder(client, 'kubelet');
  const puller = new ImagePuller(runtime, recorder, { initialMs: 60_000, maxMs: 120_000 });
  const events = async () => {
    await recorder.flush();
    return ((await client.list(R.events, { namespace: 'default' })).items as unknown as Event[]).map((e) => `${e.type} ${e.reason}: ${e.message}`);
  };
  const ensure = (pod: Pod, i = 0) => puller.ensure(pod, pod.spec!.containers[i], new ObjectCache(client));
  return { runtime, events, ensure };
}

function pod(name: string, image: string, extra: Partial<Pod['spec']> = {}, policy?: string): Pod & KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: { containers: [{ name: 'c', image, imagePullPolicy: policy }], ...extra },
  };
}

async function rejection(p: Promise<unknown>): Promise<ImagePullError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof ImagePullError, `expected an ImagePullError, got ${String(err)}`);
  return err;
}

describe('ImagePuller', () => {
  it('pulls with the pod\'s pull secret and records Pulling/Pulled', async () => {
    const t = setup(pullSecret('regcred', { 'reg.test:5000': basic('user', 'pass') }));
    const ref = await t.ensure(pod('p', 'reg.test:5000/app:1', { imagePullSecrets: [{ name: 'regcred' }] }));
    assert.ok(ref);
    assert.deepEqual(t.runtime.auths, [{ username: 'user', password: 'pass' }]);
    const ev = await t.events();
    assert.equal(ev[0], 'Normal Pulling: Pulling image "reg.test:5000/app:1"');
    assert.match(ev[1], /^Normal Pulled: Successfully pulled image "reg\.test:5000\/app:1" in \d+(\.\d+)?m?s \(.* including waiting\)\. Image size: \d+ bytes\.$/);
  });

  it('fails with ErrImagePull, then ImagePullBackOff, without trying anonymously after credentials', async () => {
    const t = setup(pullSecret('regcred', { 'reg.test:5000': basic('user', 'wrong') }));
    const p = pod('p', 'reg.test:5000/app:1', { imagePullSecrets: [{ name: 'regcred' }] });
    const first = await rejection(t.ensure(p));
    assert.equal(first.reason, 'ErrImagePull');
    assert.match(first.message, /^rpc error: .*401 Unauthorized$/);
    assert.equal(t.runtime.auths.length, 1);
    const second = await rejection(t.ensure(p));
    assert.equal(second.reason, 'ImagePullBackOff');
    assert.equal(second.message, 'Back-off pulling image "reg.test:5000/app:1"');
    assert.ok(second.retryInMs > 0);
    assert.deepEqual((await t.events()).slice(1), [
      `Warning Failed: Failed to pull image "reg.test:5000/app:1": ${first.message}`,
      'Warning Failed: Error: ErrImagePull',
      'Normal BackOff: Back-off pulling image "reg.test:5000/app:1"',
      'Warning Failed: Error: ImagePullBackOff',
    ]);
  });

  it('pulls anonymously with a warning when a pull secret is missing', async () => {
    const t = setup();
    await rejection(t.ensure(pod('p', 'reg.test:5000/app:1', { imagePullSecrets: [{ name: 'nope' }] })));
    assert.deepEqual(t.runtime.auths, [undefined]);
    assert.ok((await t.events()).includes('Warning FailedToRetrieveImagePullSecret: Unable to retrieve some image pull secrets (nope); attempting to pull the image may not succeed.'));
  });

  it('applies Never, IfNotPresent and Always', async () => {
    const t = setup();
    const never = await rejection(t.ensure(pod('n', 'absent:1', {}, 'Never')));
    assert.equal(never.reason, 'ErrImageNeverPull');
    assert.equal(never.message, 'Container image "absent:1" is not present with pull policy of Never');
    await t.ensure(pod('i', 'present:1', {}, 'IfNotPresent'));
    assert.equal(t.runtime.auths.length, 0);
    await t.ensure(pod('a', 'present:1', {}, 'Always'));
    assert.equal(t.runtime.auths.length, 1);
    const ev = await t.events();
    assert.deepEqual(ev.slice(0, 3), [
      'Warning ErrImageNeverPull: Container image "absent:1" is not present with pull policy of Never',
      'Warning Failed: Error: ErrImageNeverPull',
      'Normal Pulled: Container image "present:1" already present on machine',
    ]);
  });
});
