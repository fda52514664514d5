// SPDX-License-Identifier: Apache-2.0
/**
 * ImagePuller makes sure a container's image is present, as upstream
 * pkg/kubelet/images/image_manager.go does: the pull policy decides
 * (Always, IfNotPresent, Never; unset means Always for `:latest` or no tag),
 * pulls are announced with Pulling/Pulled/Failed events, a failed pull is
 * ErrImagePull and later attempts within the back-off are ImagePullBackOff.
 * Credentials come from the pod's imagePullSecrets of type
 * kubernetes.io/dockerconfigjson (or dockercfg), matched by registry host
 * like the credential keyring does.
 */
import type { Container, Pod, Secret } from 'kubernetes-types/core/v1.js';
import type { ImageService } from './cri/runtime-service.js';
import type { AuthConfig } from './cri/cri-types.js';
import type { EventRecorder } from '../client/event-recorder.js';
import type { KubeObject } from '../api/object.js';
import { Backoff, type BackoffTimings } from './backoff.js';
import type { ObjectCache } from './container-env.js';

/** ImagePullError carries the waiting reason (ErrImagePull, ImagePullBackOff, ErrImageNeverPull, InvalidImageName). */
export class ImagePullError extends Error {
  readonly reason: string;
  /** retryInMs is when a retry makes sense (the back-off left), if known. */
  readonly retryInMs: number;

  constructor(reason: string, message: string, retryInMs = 0) {
    super(message);
    this.reason = reason;
    this.retryInMs = retryInMs;
  }
}

/** pullPolicyOf applies upstream defaulting: :latest or untagged images are Always, others IfNotPresent. */
export function pullPolicyOf(c: Container): string {
  if (c.imagePullPolicy) return c.imagePullPolicy;
  const image = c.image ?? '';
  const lastPart = image.split('/').pop() ?? '';
  if (image.includes('@')) return 'IfNotPresent';
  return !lastPart.includes(':') || lastPart.endsWith(':latest') ? 'Always' : 'IfNotPresent';
}

/** registryHost is the registry part of an image reference, "docker.io" when none is named (as the docker reference normaliser). */
export function registryHost(image: string): string {
  const first = image.split('/')[0];
  if (!image.includes('/') || (!first.includes('.') && !first.includes(':') && first !== 'localhost')) return 'docker.io';
  return first;
}

function hostOfConfigKey(key: string): string {
  const h = key.replace(/^[a-z]+:\/\//, '').split('/')[0];
  return h === 'index.docker.io' || h === 'registry-1.docker.io' ? 'docker.io' : h;
}

/** credentialsFor lists the auths of the pod's pull secrets whose registry matches the image, in secret order. */
export function credentialsFor(image: string, secrets: Secret[]): AuthConfig[] {
  const host = registryHost(image);
  const out: AuthConfig[] = [];
  for (const s of secrets) {
    let auths: Record<string, { username?: string; password?: string; auth?: string; identitytoken?: string }> = {};
    try {
      if (s.type === 'kubernetes.io/dockerconfigjson' && s.data?.['.dockerconfigjson']) {
        auths = JSON.parse(Buffer.from(s.data['.dockerconfigjson'], 'base64').toString()).auths ?? {};
      } else if (s.type === 'kubernetes.io/dockercfg' && s.data?.['.dockercfg']) {
        auths = JSON.parse(Buffer.from(s.data['.dockercfg'], 'base64').toString());
      }
    } catch {
      continue;
    }
    for (const [key, a] of Object.entries(auths)) {
      if (hostOfConfigKey(key) !== host) continue;
      let { username, password } = a;
      if (!username && a.auth) [username, password] = Buffer.from(a.auth, 'base64').toString().split(/:(.*)/s);
      out.push({ username, password, server_address: key, identity_token: a.identitytoken });
    }
  }
  return out;
}

/** ImagePuller ensures images for containers. */
export class ImagePuller {
  readonly #images: ImageService;
  readonly #recorder: EventRecorder;
  readonly #backoff: Backoff;

  constructor(images: ImageService, recorder: EventRecorder, timings: BackoffTimings) {
    this.#images = images;
    this.#recorder = recorder;
    this.#backoff = new Backoff(timings);
  }

  /** forgetPod drops a deleted pod's back-off entries. */
  forgetPod(uid: string): void {
    this.#backoff.forgetPrefix(`${uid}/`);
  }

  /** ensure returns the image reference (ID) to create the container with, or throws ImagePullError. */
  async ensure(pod: Pod, c: Container, objects: ObjectCache): Promise<string> {
    const image = c.image ?? '';
    const obj = pod as KubeObject;
    const policy = pullPolicyOf(c);
    const present = (await this.#images.imageStatus({ image: { image } })).image;
    if (present && policy !== 'Always') {
      void this.#recorder.event(obj, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
      return present.id;
    }
    if (policy === 'Never') {
      const msg = `Container image "${image}" is not present with pull policy of Never`;
      void this.#recorder.event(obj, 'Warning', 'ErrImageNeverPull', msg);
      throw new ImagePullError('ErrImageNeverPull', msg);
    }
    const key = `${pod.metadata?.uid}/${image}`;
    const bo = this.#backoff.inBackoffSince(key, Date.now());
    if (bo.inBackoff) {
      const msg = `Back-off pulling image "${image}"`;
      void this.#recorder.event(obj, 'Normal', 'BackOff', msg);
      throw new ImagePullError('ImagePullBackOff', msg, bo.remainingMs);
    }
    return this.#pull(pod, c, objects, key);
  }

  async #pull(pod: Pod, c: Container, objects: ObjectCache, key: string): Promise<string> {
    const image = c.image ?? '';
    const obj = pod as KubeObject;
    void this.#recorder.event(obj, 'Normal', 'Pulling', `Pulling image "${image}"`);
    const started = Date.now();
    const secrets: Secret[] = [];
    for (const ref of pod.spec?.imagePullSecrets ?? []) {
      // Upstream ignores pull secrets it cannot read (with a warning event), and pulls without them.
      secrets.push(await objects.secret(pod.metadata?.namespace ?? 'default', ref.name ?? '').catch(() => ({}) as Secret));
    }
    const auths: (AuthConfig | undefined)[] = [...credentialsFor(image, secrets), undefined];
    let lastErr: Error | undefined;
    for (const auth of auths) {
      try {
        const { image_ref } = await this.#images.pullImage({ image: { image }, auth });
        const secs = ((Date.now() - started) / 1000).toFixed(3);
        const size = (await this.#images.imageStatus({ image: { image: image_ref } }).catch(() => undefined))?.image?.size ?? '0';
        void this.#recorder.event(obj, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${secs}s (${secs}s including waiting). Image size: ${size} bytes.`);
        this.#backoff.reset(key);
        return image_ref;
      } catch (err) {
        lastErr = err as Error;
      }
    }
    this.#backoff.next(key, Date.now());
    const msg = `Failed to pull image "${image}": ${lastErr?.message ?? 'unknown error'}`;
    void this.#recorder.event(obj, 'Warning', 'Failed', msg);
    void this.#recorder.event(obj, 'Warning', 'Failed', 'Error: ErrImagePull');
    throw new ImagePullError('ErrImagePull', msg, this.#backoff.get(key));
  }
}
