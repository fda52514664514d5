// SPDX-License-Identifier: Apache-2.0
/**
 * PodSyncer drives one pod from its spec to running containers, as upstream
 * kubelet.SyncPod and kuberuntime_manager.SyncPod do, one step per call:
 * volumes, the sandbox (recreated when it died), init containers in order
 * (sidecars with restartPolicy Always keep running), app containers with
 * the restart policy and CrashLoopBackOff, liveness-driven restarts, then the
 * status. Terminating pods are stopped with their grace period and cleaned
 * up (sandbox, volumes, cgroups, logs) before the pod object is deleted.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/index.js';
import { R, type Client } from '../client/index.js';
import { isConflict, isNotFound, rfc3339 } from '../machinery/index.js';
import type { ContainerStatus } from './cri/cri-types.js';
import { Backoff, type BackoffTimings } from './backoff.js';
import { ObjectCache, type PodObjects } from './container-env.js';
import { removeOldInstances } from './container-gc.js';
import { ContainerPlanner, type Plan } from './container-plan.js';
import { ContainerRunner, graceSeconds, type ContainerRunnerOptions } from './container-runner.js';
import { removeCgroup } from './pod-cgroups.js';
import type { ClusterDNS } from './pod-dns.js';
import { computePodStatus, type WaitingReason } from './pod-status.js';
import type { ProbeManager } from './probe-manager.js';
import { observePod, refreshPod, runningOf, type PodRuntimeState } from './runtime-state.js';
import { podCgroupParent, podLogDirName } from './sandbox-config.js';
import { SandboxManager } from './sandbox-manager.js';
import { failedStatus, putPodStatus, type KillRequest } from './status-writer.js';
import { VolumeError } from './volume-host.js';

export type { PodRuntimeState, RuntimeContainer } from './runtime-state.js';

/** PodSyncerOptions are the node-wide pieces a pod sync uses. */
export interface PodSyncerOptions extends ContainerRunnerOptions {
  client: Client;
  probes: ProbeManager;
  crashBackoff: BackoffTimings;
  logRoot: string;
  cgroupRoot: string;
  dns: ClusterDNS;
  log: (msg: string) => void;
  /** admit may refuse a pod the kubelet has not started yet (node pressure). */
  admit?: (pod: Pod) => { reason: string; message: string } | undefined;
  /** objects serves the ConfigMaps, Secrets and Services pods reference (the kubelet's watch-fed caches); unset: read from the API each sync. */
  objects?: PodObjects;
  /** inLastRelist says whether the last runtime relist (PLEG) saw anything of a pod; undefined before the first relist. */
  inLastRelist?: (uid: string) => boolean | undefined;
}

/** SyncResult tells the pod worker when to look again (besides events). */
export interface SyncResult {
  retryInMs?: number;
  /** deleted: the pod object is gone and the worker can end. */
  deleted?: boolean;
}

const VOLUME_RETRY_MS = 2000;

/** PodSyncer syncs pods; one call at a time per pod (the pod worker serialises). */
export class PodSyncer {
  readonly #o: PodSyncerOptions;
  readonly #backoff: Backoff;
  readonly #planner: ContainerPlanner;
  readonly #containers: ContainerRunner;
  readonly #sandboxes: SandboxManager;
  readonly #failedMountSeen = new Map<string, string>();
  /** terminal holds pods this kubelet saw finish; they are never started again, even if the cache lags behind. */
  readonly #terminal = new Set<string>();
  /** kills are pods the kubelet fails on its own (eviction, admission), applied by their next sync. */
  readonly #kills = new Map<string, KillRequest>();
  /** synced holds the pods this kubelet has synced since they were last cleaned up. */
  readonly #synced = new Set<string>();

  constructor(opts: PodSyncerOptions) {
    this.#o = opts;
    this.#backoff = new Backoff(opts.crashBackoff);
    this.#containers = new ContainerRunner(opts);
    this.#sandboxes = new SandboxManager(opts);
    this.#planner = new ContainerPlanner({
      recorder: opts.recorder, probes: opts.probes, backoff: this.#backoff, containers: this.#containers,
      sandboxConfig: (pod, sandbox) => this.#sandboxes.configFor(pod, sandbox),
    });
  }

  /** observe lists a pod's sandboxes and container statuses from the runtime. */
  async observe(uid: string): Promise<PodRuntimeState> {
    return observePod(this.#o.runtime, uid);
  }

  /** sync makes one step for a live pod and writes its status. */
  async sync(pod: Pod): Promise<SyncResult> {
    if (pod.metadata?.deletionTimestamp) return this.terminate(pod, true);
    const uid = pod.metadata?.uid ?? '';
    // Admission happens once, before the kubelet first reports on the pod (upstream canAdmitPod in HandlePodAdditions).
    const fresh = !this.#kills.has(uid) && !pod.status?.startTime && (pod.status?.phase ?? 'Pending') === 'Pending';
    const admitted = fresh ? this.#o.admit?.(pod) : undefined;
    if (admitted) this.#kills.set(uid, { ...admitted, disruption: false });
    const kill = this.#kills.get(uid);
    if (kill) return this.#kill(pod, kill);
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed' || this.#terminal.has(uid)) {
      await this.#stopPod(uid, 0, pod);
      await this.#o.volumes.tearDownVolumes(uid);
      return {};
    }
    const objects = this.#o.objects ?? new ObjectCache(this.#o.client);
    let volumes: Map<string, string>;
    try {
      volumes = await this.#o.volumes.setUp(pod, objects, { podIP: pod.status?.podIP, hostIP: this.#o.hostIP });
      this.#failedMountSeen.delete(uid);
    } catch (err) {
      if (!(err instanceof VolumeError)) throw err;
      if (this.#failedMountSeen.get(uid) !== err.message) void this.#o.recorder.event(pod as KubeObject, 'Warning', 'FailedMount', err.message);
      this.#failedMountSeen.set(uid, err.message);
      const state = await this.observe(uid);
      await this.#writeStatus(pod, state, { reasons: new Map(), initDone: false }, '', { reason: 'ContainerCreating', message: '' });
      return { retryInMs: VOLUME_RETRY_MS };
    }
    // Upstream's syncPod reads the runtime state from the PLEG's cache. Before this kubelet's first sync of a pod only an
    // earlier run of the agent can have made its sandbox, and the relist would have seen it: none seen means none there.
    const unseen = !this.#synced.has(uid) && this.#o.inLastRelist?.(uid) === false;
    this.#synced.add(uid);
    let state = unseen ? { sandboxes: [], containers: [] } : await this.observe(uid);
    let sandbox = state.sandboxes.find((s) => s.state === 'SANDBOX_READY');
    let podIP: string;
    if (sandbox) podIP = await this.#sandboxes.podIP(sandbox.id);
    else {
      const created = await this.#sandboxes.create(pod, state);
      if (!created) return { retryInMs: 2000 };
      ({ sandbox, podIP } = created);
      // A first start had nothing in the runtime: the new sandbox is all there is. A recreation changed more (old containers stopped, old sandboxes removed): read it again.
      if (state.sandboxes.length || state.containers.length) state = await this.observe(uid);
      else state = { sandboxes: [sandbox], containers: [] };
    }
    const ctx = { pod, sandbox, podIP, volumes, objects, created: [] as string[] };
    const plan = await this.#planner.plan(ctx, state);
    state = await refreshPod(this.#o.runtime, state, ctx.created, sandbox.id);
    await removeOldInstances(this.#o.runtime, state);
    const status = await this.#writeStatus(pod, state, plan, podIP);
    if (status.phase === 'Succeeded' || status.phase === 'Failed') {
      this.#terminal.add(uid);
      await this.#stopPod(uid, 0, pod);
      // A pod that finished on its own keeps its object (and its dead containers, for logs) but not its volumes, as upstream's syncTerminatedPod.
      await this.#o.volumes.tearDownVolumes(uid);
      return {};
    }
    this.#o.probes.sync(pod, podIP, runningOf(state, sandbox.id));
    return { retryInMs: plan.retryInMs };
  }

  /** killRequested says whether the kubelet is failing the pod on its own. */
  killRequested(uid: string): boolean {
    return this.#kills.has(uid);
  }

  /** requestKill has the pod's next sync stop it at once and fail it (eviction). */
  requestKill(uid: string, kill: KillRequest): void {
    this.#kills.set(uid, kill);
  }

  // Upstream's killPodNow with a status function: stop at once, then Failed with the kubelet's reason.
  async #kill(pod: Pod, kill: KillRequest): Promise<SyncResult> {
    const uid = pod.metadata?.uid ?? '';
    this.#terminal.add(uid);
    await this.#stopPod(uid, kill.gracePeriodSeconds ?? 0, pod);
    // A failed pod's volumes are torn down (emptyDir data goes), as upstream's volume manager does for terminated pods; that is what relieves disk pressure.
    await this.#o.volumes.tearDown(uid);
    const state = await this.observe(uid);
    const status = computePodStatus(pod, {
      instances: byContainerName(state), reasons: new Map(), sandboxReady: false, podIP: pod.status?.podIP ?? '', hostIP: this.#o.hostIP,
      initDone: true, ready: () => false, started: () => false,
    });
    await putPodStatus(this.#o.client, pod, failedStatus(status, kill, rfc3339(Date.now())));
    return {};
  }

  async #writeStatus(pod: Pod, state: PodRuntimeState, plan: Plan, podIP: string, allWaiting?: WaitingReason) {
    const instances = byContainerName(state);
    const sandboxReady = state.sandboxes.some((s) => s.state === 'SANDBOX_READY');
    const status = computePodStatus(pod, {
      instances, reasons: plan.reasons, sandboxReady, podIP, hostIP: this.#o.hostIP, initDone: plan.initDone, allWaiting,
      ready: (name, id) => this.#o.probes.passing(pod, name, 'readiness', id),
      started: (name, id) => this.#o.probes.passing(pod, name, 'startup', id),
    });
    await putPodStatus(this.#o.client, pod, status);
    return status;
  }

  async #stopPod(uid: string, graceSec: number, pod?: Pod): Promise<void> {
    const state = await this.observe(uid);
    const running = state.containers.filter((c) => c.state === 'CONTAINER_RUNNING');
    const specOf = (name: string) => [...(pod?.spec?.containers ?? []), ...(pod?.spec?.initContainers ?? [])].find((c) => c.name === name);
    await Promise.all(running.map((c) => this.#containers.kill(pod ?? ({} as Pod), pod ? specOf(c.metadata?.name ?? '') : undefined, c.id, graceSec, pod?.status?.podIP ?? '')));
    for (const s of state.sandboxes) if (s.state === 'SANDBOX_READY') await this.#o.runtime.stopPodSandbox({ pod_sandbox_id: s.id });
    this.#o.probes.removePod(uid);
  }

  /**
   * terminate stops and removes everything of a pod. With deleteObject the
   * pod object is deleted afterwards (grace 0, uid precondition), as the
   * kubelet's status manager does once a terminating pod has no containers left.
   */
  async terminate(pod: Pod, deleteObject: boolean): Promise<SyncResult> {
    const uid = pod.metadata?.uid ?? '';
    const grace = graceSeconds(pod);
    await this.#stopPod(uid, grace, pod);
    await this.removePodResources(uid, pod);
    if (!deleteObject) return { deleted: true };
    try {
      await this.#o.client.delete(R.pods, pod.metadata?.name ?? '', { namespace: pod.metadata?.namespace, gracePeriodSeconds: 0, preconditions: { uid } });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
    return { deleted: true };
  }

  /** removePodResources removes a stopped pod's containers, sandboxes, volumes, cgroup and logs. */
  async removePodResources(uid: string, pod?: Pod): Promise<void> {
    const state = await this.observe(uid);
    for (const c of state.containers) await this.#o.runtime.removeContainer({ container_id: c.id }).catch(() => undefined);
    let cgroupParent: string | undefined;
    let logDir: string | undefined;
    for (const s of state.sandboxes) {
      const cfg = this.#sandboxes.rememberedConfig(s.id);
      cgroupParent ??= cfg?.linux?.cgroup_parent;
      logDir ??= cfg?.log_directory;
      await this.#o.runtime.stopPodSandbox({ pod_sandbox_id: s.id }).catch(() => undefined);
      await this.#o.runtime.removePodSandbox({ pod_sandbox_id: s.id });
      this.#sandboxes.forget(s.id);
    }
    this.#o.probes.removePod(uid);
    await this.#o.volumes.tearDown(uid);
    if (pod) {
      cgroupParent = podCgroupParent(this.#o.cgroupRoot, pod);
      logDir = join(this.#o.logRoot, podLogDirName(pod));
    }
    for (const qos of ['', '/burstable', '/besteffort']) removeCgroup(`${this.#o.cgroupRoot}/kubepods${qos}/pod${uid}`);
    if (cgroupParent) removeCgroup(cgroupParent);
    if (logDir) rmSync(logDir, { recursive: true, force: true });
    this.#backoff.forgetPrefix(`${uid}/`);
    this.#o.puller.forgetPod(uid);
    this.#failedMountSeen.delete(uid);
    this.#terminal.delete(uid);
    this.#kills.delete(uid);
    this.#synced.delete(uid);
  }
}

function byContainerName(state: PodRuntimeState): Map<string, ContainerStatus[]> {
  const instances = new Map<string, ContainerStatus[]>();
  for (const c of state.containers) {
    const name = c.metadata?.name ?? '';
    instances.set(name, [...(instances.get(name) ?? []), c]);
  }
  return instances;
}
