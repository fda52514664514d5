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
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/index.js';
import { R, type Client } from '../client/index.js';
import { isConflict, isNotFound } from '../machinery/index.js';
import type { ContainerStatus } from './cri/cri-types.js';
import { Backoff, formatDelay, type BackoffTimings } from './backoff.js';
import { CONTAINER_IMAGE_ANNOTATION, formatPod } from './cri-labels.js';
import { ObjectCache } from './container-env.js';
import { removeOldInstances } from './container-gc.js';
import { ContainerRunner, graceSeconds, type ContainerRunnerOptions, type StartContext } from './container-runner.js';
import { removeCgroup } from './pod-cgroups.js';
import type { ClusterDNS } from './pod-dns.js';
import { computePodStatus, type WaitingReason } from './pod-status.js';
import type { ProbeManager } from './probe-manager.js';
import { observePod, runningOf, type PodRuntimeState } from './runtime-state.js';
import { podCgroupParent, podLogDirName } from './sandbox-config.js';
import { SandboxManager } from './sandbox-manager.js';
import { putPodStatus } from './status-writer.js';
import { VolumeError } from './volume-manager.js';

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
}

/** SyncResult tells the pod worker when to look again (besides events). */
export interface SyncResult {
  retryInMs?: number;
  /** deleted: the pod object is gone and the worker can end. */
  deleted?: boolean;
}

interface Plan {
  reasons: Map<string, WaitingReason>;
  retryInMs?: number;
  initDone: boolean;
}

const VOLUME_RETRY_MS = 2000;

/** PodSyncer syncs pods; one call at a time per pod (the pod worker serialises). */
export class PodSyncer {
  readonly #o: PodSyncerOptions;
  readonly #backoff: Backoff;
  readonly #containers: ContainerRunner;
  readonly #sandboxes: SandboxManager;
  readonly #failedMountSeen = new Map<string, string>();
  /** terminal holds pods this kubelet saw finish; they are never started again, even if the cache lags behind. */
  readonly #terminal = new Set<string>();

  constructor(opts: PodSyncerOptions) {
    this.#o = opts;
    this.#backoff = new Backoff(opts.crashBackoff);
    this.#containers = new ContainerRunner(opts);
    this.#sandboxes = new SandboxManager(opts);
  }

  /** observe lists a pod's sandboxes and container statuses from the runtime. */
  async observe(uid: string): Promise<PodRuntimeState> {
    return observePod(this.#o.runtime, uid);
  }

  /** sync makes one step for a live pod and writes its status. */
  async sync(pod: Pod): Promise<SyncResult> {
    if (pod.metadata?.deletionTimestamp) return this.terminate(pod, true);
    const uid = pod.metadata?.uid ?? '';
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed' || this.#terminal.has(uid)) {
      await this.#stopPod(uid, 0, pod);
      return {};
    }
    const objects = new ObjectCache(this.#o.client);
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
    let state = await this.observe(uid);
    let sandbox = state.sandboxes.find((s) => s.state === 'SANDBOX_READY');
    if (!sandbox) {
      const created = await this.#sandboxes.create(pod, state);
      if (!created) return { retryInMs: 2000 };
      state = await this.observe(uid);
      sandbox = state.sandboxes.find((s) => s.id === created);
    }
    if (!sandbox) return { retryInMs: 1000 };
    const podIP = await this.#sandboxes.podIP(sandbox.id);
    const ctx = { pod, sandbox, podIP, volumes, objects };
    const plan = await this.#plan(ctx, state);
    state = await this.observe(uid);
    await removeOldInstances(this.#o.runtime, state);
    const status = await this.#writeStatus(pod, state, plan, podIP);
    if (status.phase === 'Succeeded' || status.phase === 'Failed') {
      this.#terminal.add(uid);
      await this.#stopPod(uid, 0, pod);
    }
    this.#o.probes.sync(pod, podIP, runningOf(state, sandbox.id));
    return { retryInMs: plan.retryInMs };
  }

  // The container decisions of upstream computePodActions, carried out as they are made.
  async #plan(ctx: StartContext, state: PodRuntimeState): Promise<Plan> {
    const { pod, sandbox } = ctx;
    const plan: Plan = { reasons: new Map(), initDone: true };
    const inSandbox = (name: string) => state.containers.filter((c) => c.metadata?.name === name && c.pod_sandbox_id === sandbox.id);
    const anyInstance = (name: string) => state.containers.filter((c) => c.metadata?.name === name);
    // Once app containers have run, a restarting sidecar no longer holds the pod back (upstream: restartable init containers after initialization).
    const appsStarted = (pod.spec?.containers ?? []).some((c) => inSandbox(c.name).length > 0);
    for (const c of pod.spec?.initContainers ?? []) {
      const [latest] = inSandbox(c.name);
      const sidecar = c.restartPolicy === 'Always';
      if (sidecar && appsStarted && latest?.state !== 'CONTAINER_RUNNING') {
        await this.#startWithBackoff(ctx, c, 'init', latest, anyInstance(c.name), plan);
        continue;
      }
      if (latest?.state === 'CONTAINER_RUNNING') {
        if (sidecar && (await this.#restartIfUnhealthy(ctx, c, latest, plan))) {
          plan.initDone = false;
          break;
        }
        if (sidecar && this.#o.probes.passing(pod, c.name, 'startup', latest.id)) continue;
        plan.initDone = false;
        break;
      }
      if (latest?.state === 'CONTAINER_EXITED' && latest.exit_code === 0 && !sidecar) continue;
      plan.initDone = false;
      if (latest?.state === 'CONTAINER_EXITED' && !sidecar && (pod.spec?.restartPolicy ?? 'Always') === 'Never') break;
      await this.#startWithBackoff(ctx, c, 'init', latest, anyInstance(c.name), plan);
      break;
    }
    if (!plan.initDone) return plan;
    for (const c of pod.spec?.containers ?? []) {
      const [latest] = inSandbox(c.name);
      const [prevAny] = anyInstance(c.name);
      if (latest?.state === 'CONTAINER_RUNNING') {
        await this.#restartIfUnhealthy(ctx, c, latest, plan);
        continue;
      }
      const last = latest ?? prevAny;
      if (last && last.state === 'CONTAINER_EXITED' && !shouldRestart(pod, last)) continue;
      await this.#startWithBackoff(ctx, c, 'app', latest, anyInstance(c.name), plan);
    }
    return plan;
  }

  // Liveness/startup failure or a changed image kills the container; the next sync restarts it per policy.
  async #restartIfUnhealthy(ctx: StartContext, c: Container, latest: ContainerStatus, plan: Plan): Promise<boolean> {
    const uid = ctx.pod.metadata?.uid ?? '';
    let why = '';
    if (this.#o.probes.state(uid, c.name, 'liveness', latest.id) === 'failure') why = `Container ${c.name} failed liveness probe, will be restarted`;
    else if (this.#o.probes.state(uid, c.name, 'startup', latest.id) === 'failure') {
      why = `Container ${c.name} failed startup probe, will be restarted`;
    } else if ((latest.annotations?.[CONTAINER_IMAGE_ANNOTATION] ?? c.image) !== c.image) why = `Container ${c.name} definition changed, will be restarted`;
    if (!why) return false;
    void this.#o.recorder.event(ctx.pod as KubeObject, 'Normal', 'Killing', why);
    await this.#containers.kill(ctx.pod, c, latest.id, graceSeconds(ctx.pod), ctx.podIP);
    plan.retryInMs = 0;
    return true;
  }

  async #startWithBackoff(
    ctx: StartContext, c: Container, kind: 'init' | 'app', latest: ContainerStatus | undefined, all: ContainerStatus[], plan: Plan,
  ): Promise<void> {
    const pod = ctx.pod;
    const key = `${pod.metadata?.uid}/${c.name}`;
    const lastExit = all.find((x) => x.state === 'CONTAINER_EXITED');
    if (latest?.state === 'CONTAINER_EXITED' || (lastExit && !latest)) {
      const finished = Number(BigInt((latest ?? lastExit)!.finished_at) / 1_000_000n);
      const bo = this.#backoff.inBackoffSince(key, finished);
      if (bo.inBackoff) {
        const delay = formatDelay(this.#backoff.get(key));
        plan.reasons.set(c.name, { reason: 'CrashLoopBackOff', message: `back-off ${delay} restarting failed container=${c.name} pod=${formatPod(pod)}` });
        void this.#o.recorder.event(pod as KubeObject, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${formatPod(pod)}`);
        plan.retryInMs = minDefined(plan.retryInMs, bo.remainingMs + 50);
        return;
      }
      this.#backoff.next(key, finished);
    }
    const attempt = all.length ? (all[0].metadata?.attempt ?? 0) + 1 : 0;
    const failure = await this.#containers.start(ctx, c, kind, attempt, this.#sandboxes.configFor(pod, ctx.sandbox));
    if (failure) {
      plan.reasons.set(c.name, failure.reason);
      plan.retryInMs = minDefined(plan.retryInMs, failure.retryInMs);
    }
  }

  async #writeStatus(pod: Pod, state: PodRuntimeState, plan: Plan, podIP: string, allWaiting?: WaitingReason) {
    const uid = pod.metadata?.uid ?? '';
    const instances = new Map<string, ContainerStatus[]>();
    for (const c of state.containers) {
      const name = c.metadata?.name ?? '';
      instances.set(name, [...(instances.get(name) ?? []), c]);
    }
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
    this.#o.volumes.tearDown(uid);
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
  }
}

function shouldRestart(pod: Pod, last: ContainerStatus): boolean {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  if (policy === 'Always') return true;
  if (policy === 'OnFailure') return last.exit_code !== 0;
  return false;
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}
