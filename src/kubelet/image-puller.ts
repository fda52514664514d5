// SPDX-License-Identifier: Apache-2.0
/**
 * ImagePuller makes sure a container's image is present, as upstream
 * pkg/kubelet/images/image_manager.go does: the pull policy decides
 * (Always, IfNotPresent, Never; unset means Always for `:latest` or no tag),
 * pulls are announced with Pulling/Pulled/Failed events, a failed pull is
 * ErrImagePull and later attempts within the back-off are ImagePullBackOff.
 * Credentials come from the pod's imagePullSecrets of type
 * kubernetes.io/dockerconfigjson (or dockercfg) through the credential
 * keyring, and reach the runtime as PullImage's `auth`. Every failure also
 * records "Error: <reason>", as upstream's kuberuntime startContainer does.
 */
import type { Container, Pod, Secret } from 'kubernetes-types/core/v1.js';
import type { ImageService } from './cri/runtime-service.js';
import type { AuthConfig, Image } from './cri/cri-types.js';
import { credentialsFor } from './credential-keyring.js';
import type { EventRecorder } from '../client/index.js';
import type { KubeObject } from '../api/index.js';
import { Backoff, type BackoffTimings } from './backoff.js';
import type { PodObjects } from './container-env.js';

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

/** EnsuredImage is the reference to create a container with and the image's status, when the runtime gave one. */
export interface EnsuredImage {
  ref: string;
  image: Image | null;
}

/** pullPolicyOf applies upstream defaulting: :latest or untagged images are Always, others IfNotPresent. */
export function pullPolicyOf(c: Container): string {
  if (c.imagePullPolicy) return c.imagePullPolicy;
  const image = c.image ?? '';
  const lastPart = image.split('/').pop() ?? '';
  if (image.includes('@')) return 'IfNotPresent';
  return !lastPart.includes(':') || lastPart.endsWith(':latest') ? 'Always' : 'IfNotPresent';
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
  async ensure(pod: Pod, c: Container, objects: PodObjects): Promise<string> {
    return (await this.ensureImage(pod, c, objects)).ref;
  }

  /** ensureImage is ensure that also answers the image's status (its user, for runAsNonRoot), so the caller need not ask the runtime again. */
  async ensureImage(pod: Pod, c: Container, objects: PodObjects): Promise<EnsuredImage> {
    const image = c.image ?? '';
    const obj = pod as KubeObject;
    const policy = pullPolicyOf(c);
    const present = (await this.#images.imageStatus({ image: { image } })).image;
    if (present && policy !== 'Always') {
      void this.#recorder.event(obj, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
      return { ref: present.id, image: present };
    }
    if (policy === 'Never') {
      const msg = `Container image "${image}" is not present with pull policy of Never`;
      void this.#recorder.event(obj, 'Warning', 'ErrImageNeverPull', msg);
      throw this.#failed(obj, 'ErrImageNeverPull', msg);
    }
    const key = `${pod.metadata?.uid}/${image}`;
    const bo = this.#backoff.inBackoffSince(key, Date.now());
    if (bo.inBackoff) {
      const msg = `Back-off pulling image "${image}"`;
      void this.#recorder.event(obj, 'Normal', 'BackOff', msg);
      throw this.#failed(obj, 'ImagePullBackOff', msg, bo.remainingMs);
    }
    return this.#pull(pod, c, objects, key);
  }

  // Upstream's startContainer records "Error: <reason>" for every failure EnsureImageExists returns.
  #failed(obj: KubeObject, reason: string, message: string, retryInMs = 0): ImagePullError {
    void this.#recorder.event(obj, 'Warning', 'Failed', `Error: ${reason}`);
    return new ImagePullError(reason, message, retryInMs);
  }

  async #pull(pod: Pod, c: Container, objects: PodObjects, key: string): Promise<EnsuredImage> {
    const image = c.image ?? '';
    const obj = pod as KubeObject;
    const secrets = await this.#pullSecrets(pod, objects);
    void this.#recorder.event(obj, 'Normal', 'Pulling', `Pulling image "${image}"`);
    const started = Date.now();
    const creds = credentialsFor(image, secrets);
    // As upstream's kuberuntime pullImage: without matching credentials one anonymous pull; with
    // them, each in turn and no anonymous attempt, the errors aggregated when all fail.
    const auths: (AuthConfig | undefined)[] = creds.length ? creds : [undefined];
    const errors: string[] = [];
    for (const auth of auths) {
      try {
        const { image_ref } = await this.#images.pullImage({ image: { image }, auth });
        const took = formatDuration(Date.now() - started);
        const pulled = (await this.#images.imageStatus({ image: { image: image_ref } }).catch(() => undefined))?.image ?? null;
        void this.#recorder.event(obj, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${took} (${took} including waiting). Image size: ${pulled?.size ?? '0'} bytes.`);
        this.#backoff.reset(key);
        return { ref: image_ref, image: pulled };
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    this.#backoff.next(key, Date.now());
    const cause = errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`;
    void this.#recorder.event(obj, 'Warning', 'Failed', `Failed to pull image "${image}": ${cause}`);
    throw this.#failed(obj, 'ErrImagePull', cause, this.#backoff.get(key));
  }

  // Upstream pulls even when some pull secrets cannot be read, after a warning event naming them.
  async #pullSecrets(pod: Pod, objects: PodObjects): Promise<Secret[]> {
    const secrets: Secret[] = [];
    const missing: string[] = [];
    for (const ref of pod.spec?.imagePullSecrets ?? []) {
      try {
        secrets.push(await objects.secret(pod.metadata?.namespace ?? 'default', ref.name ?? ''));
      } catch {
        missing.push(ref.name ?? '');
      }
    }
    if (missing.length) {
      const msg = `Unable to retrieve some image pull secrets (${missing.join(', ')}); attempting to pull the image may not succeed.`;
      void this.#recorder.event(pod as KubeObject, 'Warning', 'FailedToRetrieveImagePullSecret', msg);
    }
    return secrets;
  }
}

// Go's time.Duration text at millisecond precision ("512ms", "1.234s"), as upstream's Pulled event prints it.
function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  return `${(ms / 1000).toFixed(3).replace(/\.?0+$/, '')}s`;
}
