// SPDX-License-Identifier: Apache-2.0
/**
 * ContainerRunner starts and kills one container, as upstream
 * kuberuntime_container.go startContainer/killContainer: pull the image,
 * build the config, create, start, run the postStart hook; on kill run the
 * preStop hook inside the grace period, then StopContainer with what is left.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/index.js';
import type { EventRecorder } from '../client/index.js';
import type { ImageService, RuntimeService } from './cri/runtime-service.js';
import type { PodSandbox, PodSandboxConfig } from './cri/cri-types.js';
import { makeEnvironment, type PodObjects } from './container-env.js';
import { containerConfig } from './container-config.js';
import type { NodeAllocatable } from './downward-api.js';
import { ETC_HOSTS_FILE } from './etc-hosts.js';
import { ImagePullError, type EnsuredImage, type ImagePuller } from './image-puller.js';
import { runLifecycleHook } from './lifecycle-hooks.js';
import type { WaitingReason } from './pod-status.js';
import type { VolumeManager } from './volume-manager.js';

/** ContainerRunnerOptions are the node-wide pieces starting a container uses. */
export interface ContainerRunnerOptions {
  runtime: RuntimeService;
  images: ImageService;
  recorder: EventRecorder;
  puller: ImagePuller;
  volumes: VolumeManager;
  hostIP: string;
  node: NodeAllocatable;
}

/** StartContext is what one sync knows about the pod when it starts containers. */
export interface StartContext {
  pod: Pod;
  sandbox: PodSandbox;
  podIP: string;
  volumes: Map<string, string>;
  objects: PodObjects;
  /** created collects the IDs of the containers this sync created, so their status can be read without relisting the runtime. */
  created: string[];
}

/** StartFailure is why a start did not happen and when to try again. */
export interface StartFailure {
  reason: WaitingReason;
  retryInMs: number;
}

/** DEFAULT_GRACE_SECONDS is the pod's terminationGracePeriodSeconds default. */
export const DEFAULT_GRACE_SECONDS = 30;

/** graceSeconds is the pod's effective grace period: the deletion's, else the spec's. */
export function graceSeconds(pod: Pod): number {
  return pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
}

function isCriGone(err: unknown): boolean {
  return /not found|NOT_FOUND/i.test((err as Error)?.message ?? '');
}

/** ContainerRunner starts and kills containers of pods. */
export class ContainerRunner {
  readonly #o: ContainerRunnerOptions;

  constructor(opts: ContainerRunnerOptions) {
    this.#o = opts;
  }

  /** start creates and starts container c in the pod's sandbox; it answers a failure or undefined. */
  async start(
    ctx: StartContext, c: Container, kind: 'init' | 'app' | 'ephemeral', attempt: number, sandboxConfig: PodSandboxConfig, targetContainerId?: string,
  ): Promise<StartFailure | undefined> {
    const { pod, sandbox } = ctx;
    const rec = (type: 'Normal' | 'Warning', reason: string, msg: string) => void this.#o.recorder.event(pod as KubeObject, type, reason, msg);
    let ensured: EnsuredImage;
    try {
      ensured = await this.#o.puller.ensureImage(pod, c, ctx.objects);
    } catch (err) {
      if (err instanceof ImagePullError) return { reason: { reason: err.reason, message: err.message }, retryInMs: Math.max(1000, err.retryInMs) };
      return { reason: { reason: 'ErrImagePull', message: (err as Error).message }, retryInMs: 5000 };
    }
    let config;
    try {
      const imageRef = ensured.ref;
      const image = ensured.image ?? (await this.#o.images.imageStatus({ image: { image: imageRef } })).image;
      const env = await makeEnvironment(pod, c, { objects: ctx.objects, node: this.#o.node, runtime: { podIP: ctx.podIP, hostIP: this.#o.hostIP } });
      config = containerConfig(pod, c, {
        kind, targetContainerId, attempt, imageRef, image, env, volumes: ctx.volumes, podDir: this.#o.volumes.podDir(pod.metadata?.uid ?? ''),
        etcHosts: join(this.#o.volumes.podDir(pod.metadata?.uid ?? ''), ETC_HOSTS_FILE), memoryCapacityBytes: this.#o.node.memoryBytes,
      });
    } catch (err) {
      rec('Warning', 'Failed', `Error: ${(err as Error).message}`);
      return { reason: { reason: 'CreateContainerConfigError', message: (err as Error).message }, retryInMs: 2000 };
    }
    mkdirSync(join(sandboxConfig.log_directory!, c.name), { recursive: true });
    let id: string;
    try {
      ({ container_id: id } = await this.#o.runtime.createContainer({ pod_sandbox_id: sandbox.id, config, sandbox_config: sandboxConfig }));
      ctx.created.push(id);
    } catch (err) {
      rec('Warning', 'Failed', `Error: ${(err as Error).message}`);
      return { reason: { reason: 'CreateContainerError', message: (err as Error).message }, retryInMs: 2000 };
    }
    rec('Normal', 'Created', `Created container ${c.name}`);
    try {
      await this.#o.runtime.startContainer({ container_id: id });
    } catch (err) {
      rec('Warning', 'Failed', `Error: ${(err as Error).message}`);
      return { reason: { reason: 'RunContainerError', message: (err as Error).message }, retryInMs: 1000 };
    }
    rec('Normal', 'Started', `Started container ${c.name}`);
    return this.#postStart(ctx, c, id);
  }

  async #postStart(ctx: StartContext, c: Container, id: string): Promise<StartFailure | undefined> {
    const hook = c.lifecycle?.postStart;
    if (!hook) return undefined;
    const msg = await runLifecycleHook(hook, { runtime: this.#o.runtime, containerId: id, podIP: ctx.podIP, container: c }, graceSeconds(ctx.pod) * 1000);
    if (!msg) return undefined;
    void this.#o.recorder.event(ctx.pod as KubeObject, 'Warning', 'FailedPostStartHook', msg);
    await this.#o.runtime.stopContainer({ container_id: id, timeout: graceSeconds(ctx.pod) }).catch(() => undefined);
    return { reason: { reason: 'PostStartHookError', message: msg }, retryInMs: 1000 };
  }

  /** kill runs c's preStop hook (when c is known) and stops the container within graceSec. */
  async kill(pod: Pod, c: Container | undefined, id: string, graceSec: number, podIP: string): Promise<void> {
    const started = Date.now();
    if (c) void this.#o.recorder.event(pod as KubeObject, 'Normal', 'Killing', `Stopping container ${c.name}`);
    if (c?.lifecycle?.preStop) {
      const msg = await runLifecycleHook(c.lifecycle.preStop, { runtime: this.#o.runtime, containerId: id, podIP, container: c }, graceSec * 1000);
      if (msg) void this.#o.recorder.event(pod as KubeObject, 'Warning', 'FailedPreStopHook', msg);
    }
    // The hook's time counts against the grace period; upstream grants at least 2 s more.
    const left = Math.max(2, graceSec - Math.floor((Date.now() - started) / 1000));
    await this.#o.runtime.stopContainer({ container_id: id, timeout: graceSec === 0 ? 0 : left }, { timeoutMs: (left + 30) * 1000 }).catch((err) => {
      if (!isCriGone(err)) throw err;
    });
  }
}
