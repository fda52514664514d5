// SPDX-License-Identifier: Apache-2.0
/**
 * SandboxManager creates pod sandboxes, as upstream kuberuntime_sandbox.go
 * createPodSandbox: a dead sandbox takes its containers with it and the pod
 * starts over with attempt+1; the pod's /etc/hosts is written once the IP is
 * known. It remembers each sandbox's config, which CreateContainer needs again.
 */
import { mkdirSync } from 'node:fs';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/index.js';
import { isNotFound } from '../machinery/index.js';
import { R, type Client, type EventRecorder } from '../client/index.js';
import type { RuntimeService } from './cri/runtime-service.js';
import type { PodSandbox, PodSandboxConfig, PodSandboxStatus } from './cri/cri-types.js';
import { formatPod } from './cri-labels.js';
import { writeEtcHosts } from './etc-hosts.js';
import { writePodCgroup } from './pod-cgroups.js';
import { podCgroupConfig } from './pod-resources.js';
import type { ClusterDNS } from './pod-dns.js';
import type { PodRuntimeState } from './runtime-state.js';
import { podSandboxConfig } from './sandbox-config.js';
import type { VolumeManager } from './volume-manager.js';

/** SandboxManagerOptions are the node-wide pieces sandbox creation uses. */
export interface SandboxManagerOptions {
  /** client reads the RuntimeClass a pod names, for its handler. */
  client: Client;
  runtime: RuntimeService;
  recorder: EventRecorder;
  volumes: VolumeManager;
  hostIP: string;
  logRoot: string;
  cgroupRoot: string;
  dns: ClusterDNS;
  log: (msg: string) => void;
}

/** CreatedSandbox is a sandbox create() made and the IP it got. */
export interface CreatedSandbox {
  sandbox: PodSandbox;
  podIP: string;
}

/** SandboxManager creates sandboxes and remembers their configs. */
export class SandboxManager {
  readonly #o: SandboxManagerOptions;
  readonly #configs = new Map<string, PodSandboxConfig>();

  constructor(opts: SandboxManagerOptions) {
    this.#o = opts;
  }

  /** podIP is the sandbox's IP; a host-network sandbox has the node's. */
  async podIP(sandboxId: string): Promise<string> {
    return this.#ipOf((await this.#o.runtime.podSandboxStatus({ pod_sandbox_id: sandboxId })).status);
  }

  #ipOf(status: PodSandboxStatus | null): string {
    return status?.network?.ip || (status?.linux?.namespaces?.options?.network === 'NODE' ? this.#o.hostIP : '');
  }

  /**
   * create replaces the pod's sandboxes with a new one; it answers the new
   * sandbox as ListPodSandbox would show it and its IP (read once, for
   * /etc/hosts and the pod's status), or undefined after an event when it failed.
   */
  async create(pod: Pod, state: PodRuntimeState): Promise<CreatedSandbox | undefined> {
    // A dead sandbox takes its containers with it (upstream kills them and starts over with attempt+1).
    for (const c of state.containers) if (c.state === 'CONTAINER_RUNNING') await this.#o.runtime.stopContainer({ container_id: c.id, timeout: 0 });
    for (const s of state.sandboxes) await this.#o.runtime.stopPodSandbox({ pod_sandbox_id: s.id }).catch(() => undefined);
    const attempt = state.sandboxes.length ? (state.sandboxes[0].metadata?.attempt ?? 0) + 1 : 0;
    const config = podSandboxConfig(pod, { logRoot: this.#o.logRoot, cgroupRoot: this.#o.cgroupRoot, dns: this.#o.dns, attempt });
    mkdirSync(config.log_directory!, { recursive: true });
    const problems = writePodCgroup(config.linux!.cgroup_parent!, podCgroupConfig(pod));
    if (problems.length) this.#o.log(`kubelet: ${formatPod(pod)}: pod cgroup limits not set: ${problems.join('; ')}`);
    try {
      const runtime_handler = await this.#runtimeHandler(pod);
      const { pod_sandbox_id } = await this.#o.runtime.runPodSandbox({ config, runtime_handler });
      this.#configs.set(pod_sandbox_id, config);
      const { status } = await this.#o.runtime.podSandboxStatus({ pod_sandbox_id });
      const podIP = this.#ipOf(status);
      writeEtcHosts(pod, podIP, this.#o.volumes.podDir(pod.metadata?.uid ?? ''), this.#o.dns.domain);
      for (const s of state.sandboxes) await this.#o.runtime.removePodSandbox({ pod_sandbox_id: s.id }).catch(() => undefined);
      const sandbox: PodSandbox = {
        id: pod_sandbox_id, metadata: status?.metadata ?? config.metadata ?? null, state: status?.state ?? 'SANDBOX_READY',
        created_at: status?.created_at ?? '0', labels: status?.labels ?? {}, annotations: status?.annotations ?? {}, runtime_handler: status?.runtime_handler ?? '',
      };
      return { sandbox, podIP };
    } catch (err) {
      const msg = `Failed to create pod sandbox: ${(err as Error).message}`;
      void this.#o.recorder.event(pod as KubeObject, 'Warning', 'FailedCreatePodSandBox', msg);
      this.#o.log(`kubelet: ${formatPod(pod)}: ${msg}`);
      return undefined;
    }
  }

  /**
   * runtimeHandler is the handler of the pod's RuntimeClass, '' (the runtime's default) when it names none, as
   * upstream's runtimeclass.Manager.LookupRuntimeHandler: a class that is gone fails with the API's NotFound, any
   * other error is wrapped. Upstream reads an informer's cache; a sandbox is created rarely enough to read it live.
   */
  async #runtimeHandler(pod: Pod): Promise<string> {
    const name = pod.spec?.runtimeClassName;
    if (!name) return '';
    try {
      return ((await this.#o.client.get(R.runtimeclasses, name)) as { handler?: string }).handler ?? '';
    } catch (err) {
      if (isNotFound(err)) throw err;
      throw new Error(`failed to lookup RuntimeClass ${name}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** configFor is the config the sandbox was created with (rebuilt when this kubelet did not create it). */
  configFor(pod: Pod, sandbox: PodSandbox): PodSandboxConfig {
    return this.#configs.get(sandbox.id) ?? podSandboxConfig(pod, {
      logRoot: this.#o.logRoot, cgroupRoot: this.#o.cgroupRoot, dns: this.#o.dns, attempt: sandbox.metadata?.attempt ?? 0,
    });
  }

  /** rememberedConfig is the config this kubelet created the sandbox with, if it did. */
  rememberedConfig(sandboxId: string): PodSandboxConfig | undefined {
    return this.#configs.get(sandboxId);
  }

  /** forget drops a removed sandbox's config. */
  forget(sandboxId: string): void {
    this.#configs.delete(sandboxId);
  }
}
