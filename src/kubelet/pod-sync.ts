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
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/index.js';
import { deepEqual } from '../api/index.js';
import { R, type Client } from '../client/index.js';
import type { EventRecorder } from '../client/index.js';
import { isConflict, isNotFound } from '../machinery/index.js';
import type { ImageService, RuntimeService } from './cri/runtime-service.js';
import type { ContainerStatus, PodSandbox, PodSandboxConfig } from './cri/cri-types.js';
import { Backoff, formatDelay, type BackoffTimings } from './backoff.js';
import { CONTAINER_IMAGE_ANNOTATION, CONTAINER_NAME_LABEL, POD_UID_LABEL, formatPod } from './cri-labels.js';
import { makeEnvironment, ObjectCache } from './container-env.js';
import { containerConfig } from './container-config.js';
import type { NodeAllocatable } from './downward-api.js';
import { ImagePullError, type ImagePuller } from './image-puller.js';
import { runLifecycleHook } from './lifecycle-hooks.js';
import { removeCgroup } from './pod-cgroups.js';
import type { ClusterDNS } from './pod-dns.js';
import { computePodStatus, type WaitingReason } from './pod-status.js';
import type { ProbeManager, RunningContainer } from './probe-manager.js';
import { podCgroupParent, podLogDirName, podSandboxConfig } from './sandbox-config.js';
import { VolumeError, type VolumeManager } from './volume-manager.js';

/** PodSyncerOptions are the node-wide pieces a pod sync uses. */
export interface PodSyncerOptions {
  client: Client;
  runtime: RuntimeService;
  images: ImageService;
  recorder: EventRecorder;
  puller: ImagePuller;
  probes: ProbeManager;
  volumes: VolumeManager;
  crashBackoff: BackoffTimings;
  hostIP: string;
  logRoot: string;
  cgroupRoot: string;
  dns: ClusterDNS;
  node: NodeAllocatable;
  log: (msg: string) => void;
}

/** RuntimeContainer is a container's runtime status with the sandbox it belongs to. */
export type RuntimeContainer = ContainerStatus & { pod_sandbox_id: string };

/** PodRuntimeState is what the runtime holds for one pod, newest first. */
export interface PodRuntimeState {
  sandboxes: PodSandbox[];
  containers: RuntimeContainer[];
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

const DEFAULT_GRACE_SECONDS = 30;
const VOLUME_RETRY_MS = 2000;

function newest<T extends { created_at: string }>(xs: T[]): T[] {
  return [...xs].sort((a, b) => (BigInt(b.created_at) > BigInt(a.created_at) ? 1 : BigInt(b.created_at) < BigInt(a.created_at) ? -1 : 0));
}

/** PodSyncer syncs pods; one call at a time per pod (the pod worker serialises). */
export class PodSyncer {
  readonly #o: PodSyncerOptions;
  readonly #backoff: Backoff;
  /** sandboxConfigs remembers the config each sandbox was created with (CreateContainer needs it again). */
  readonly #sandboxConfigs = new Map<string, PodSandboxConfig>();
  readonly #failedMountSeen = new Map<string, string>();
  /** terminal holds pods this kubelet saw finish; they are never started again, even if the cache lags behind. */
  readonly #terminal = new Set<string>();

  constructor(opts: PodSyncerOptions) {
    this.#o = opts;
    this.#backoff = new Backoff(opts.crashBackoff);
  }

  /** observe lists a pod's sandboxes and container statuses from the runtime. */
  async observe(uid: string): Promise<PodRuntimeState> {
    const rt = this.#o.runtime;
    const sel = { label_selector: { [POD_UID_LABEL]: uid } };
    const [{ items }, { containers }] = await Promise.all([rt.listPodSandbox({ filter: sel }), rt.listContainers({ filter: sel })]);
    const statuses = await Promise.all(containers.map((c) => rt.containerStatus({ container_id: c.id })
      .then((r) => (r.status ? { ...r.status, pod_sandbox_id: c.pod_sandbox_id } : null))
      .catch(() => null)));
    return { sandboxes: newest(items), containers: newest(statuses.filter((s): s is RuntimeContainer => !!s)) };
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
      const created = await this.#createSandbox(pod, state);
      if (!created) return { retryInMs: 2000 };
      state = await this.observe(uid);
      sandbox = state.sandboxes.find((s) => s.id === created);
    }
    if (!sandbox) return { retryInMs: 1000 };
    const podIP = await this.#podIP(sandbox.id);
    const ctx = { pod, sandbox, podIP, volumes, objects };
    const plan = await this.#plan(ctx, state);
    state = await this.observe(uid);
    await this.#garbageCollect(state);
    const status = await this.#writeStatus(pod, state, plan, podIP);
    if (status.phase === 'Succeeded' || status.phase === 'Failed') {
      this.#terminal.add(uid);
      await this.#stopPod(uid, 0, pod);
    }
    this.#o.probes.sync(pod, podIP, runningOf(state, sandbox.id));
    return { retryInMs: plan.retryInMs };
  }

  async #podIP(sandboxId: string): Promise<string> {
    const st = await this.#o.runtime.podSandboxStatus({ pod_sandbox_id: sandboxId });
    return st.status?.network?.ip || (st.status?.linux?.namespaces?.options?.network === 'NODE' ? this.#o.hostIP : '');
  }

  async #createSandbox(pod: Pod, state: PodRuntimeState): Promise<string | undefined> {
    // A dead sandbox takes its containers with it (upstream kills them and starts over with attempt+1).
    for (const c of state.containers) if (c.state === 'CONTAINER_RUNNING') await this.#o.runtime.stopContainer({ container_id: c.id, timeout: 0 });
    for (const s of state.sandboxes) await this.#o.runtime.stopPodSandbox({ pod_sandbox_id: s.id }).catch(() => undefined);
    const attempt = state.sandboxes.length ? (state.sandboxes[0].metadata?.attempt ?? 0) + 1 : 0;
    const config = podSandboxConfig(pod, { logRoot: this.#o.logRoot, cgroupRoot: this.#o.cgroupRoot, dns: this.#o.dns, attempt });
    mkdirSync(config.log_directory!, { recursive: true });
    try {
      const { pod_sandbox_id } = await this.#o.runtime.runPodSandbox({ config });
      this.#sandboxConfigs.set(pod_sandbox_id, config);
      await this.#writeEtcHosts(pod, pod_sandbox_id);
      for (const s of state.sandboxes) await this.#o.runtime.removePodSandbox({ pod_sandbox_id: s.id }).catch(() => undefined);
      return pod_sandbox_id;
    } catch (err) {
      const msg = `Failed to create pod sandbox: ${(err as Error).message}`;
      void this.#o.recorder.event(pod as KubeObject, 'Warning', 'FailedCreatePodSandBox', msg);
      this.#o.log(`kubelet: ${formatPod(pod)}: ${msg}`);
      return undefined;
    }
  }

  // Upstream manages /etc/hosts per pod: localhost entries, the pod's IP and hostname, and hostAliases.
  async #writeEtcHosts(pod: Pod, sandboxId: string): Promise<void> {
    const ip = await this.#podIP(sandboxId);
    const host = pod.spec?.hostname ?? pod.metadata?.name ?? '';
    const fqdn = pod.spec?.subdomain ? `${host}.${pod.spec.subdomain}.${pod.metadata?.namespace}.svc.${this.#o.dns.domain}\t` : '';
    const lines = ['# Kubernetes-managed hosts file.', '127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback',
      'fe00::0\tip6-localnet', 'fe00::0\tip6-mcastprefix', 'fe00::1\tip6-allnodes', 'fe00::2\tip6-allrouters'];
    if (ip) lines.push(`${ip}\t${fqdn}${host}`);
    for (const a of pod.spec?.hostAliases ?? []) lines.push(`${a.ip}\t${(a.hostnames ?? []).join('\t')}`);
    const path = join(this.#o.volumes.podDir(pod.metadata?.uid ?? ''), 'etc-hosts');
    mkdirSync(this.#o.volumes.podDir(pod.metadata?.uid ?? ''), { recursive: true });
    writeFileSync(path, `${lines.join('\n')}\n`);
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
    await this.#killContainer(ctx.pod, c, latest.id, graceSeconds(ctx.pod), ctx.podIP);
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
    const failure = await this.#startContainer(ctx, c, kind, attempt);
    if (failure) {
      plan.reasons.set(c.name, failure.reason);
      plan.retryInMs = minDefined(plan.retryInMs, failure.retryInMs);
    }
  }

  async #startContainer(ctx: StartContext, c: Container, kind: 'init' | 'app', attempt: number): Promise<{ reason: WaitingReason; retryInMs: number } | undefined> {
    const { pod, sandbox } = ctx;
    const rec = (type: 'Normal' | 'Warning', reason: string, msg: string) => void this.#o.recorder.event(pod as KubeObject, type, reason, msg);
    let imageRef: string;
    try {
      imageRef = await this.#o.puller.ensure(pod, c, ctx.objects);
    } catch (err) {
      if (err instanceof ImagePullError) return { reason: { reason: err.reason, message: err.message }, retryInMs: Math.max(1000, err.retryInMs) };
      return { reason: { reason: 'ErrImagePull', message: (err as Error).message }, retryInMs: 5000 };
    }
    let config;
    try {
      const image = (await this.#o.images.imageStatus({ image: { image: imageRef } })).image;
      const env = await makeEnvironment(pod, c, { objects: ctx.objects, node: this.#o.node, runtime: { podIP: ctx.podIP, hostIP: this.#o.hostIP } });
      config = containerConfig(pod, c, {
        kind, attempt, imageRef, image, env, volumes: ctx.volumes, podDir: this.#o.volumes.podDir(pod.metadata?.uid ?? ''),
        etcHosts: join(this.#o.volumes.podDir(pod.metadata?.uid ?? ''), 'etc-hosts'), memoryCapacityBytes: this.#o.node.memoryBytes,
      });
    } catch (err) {
      rec('Warning', 'Failed', `Error: ${(err as Error).message}`);
      return { reason: { reason: 'CreateContainerConfigError', message: (err as Error).message }, retryInMs: 2000 };
    }
    const sandboxConfig = this.#sandboxConfigs.get(sandbox.id) ?? podSandboxConfig(pod, {
      logRoot: this.#o.logRoot, cgroupRoot: this.#o.cgroupRoot, dns: this.#o.dns, attempt: sandbox.metadata?.attempt ?? 0,
    });
    mkdirSync(join(sandboxConfig.log_directory!, c.name), { recursive: true });
    let id: string;
    try {
      ({ container_id: id } = await this.#o.runtime.createContainer({ pod_sandbox_id: sandbox.id, config, sandbox_config: sandboxConfig }));
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

  async #postStart(ctx: StartContext, c: Container, id: string): Promise<{ reason: WaitingReason; retryInMs: number } | undefined> {
    const hook = c.lifecycle?.postStart;
    if (!hook) return undefined;
    const msg = await runLifecycleHook(hook, { runtime: this.#o.runtime, containerId: id, podIP: ctx.podIP, container: c }, graceSeconds(ctx.pod) * 1000);
    if (!msg) return undefined;
    void this.#o.recorder.event(ctx.pod as KubeObject, 'Warning', 'FailedPostStartHook', msg);
    await this.#o.runtime.stopContainer({ container_id: id, timeout: graceSeconds(ctx.pod) }).catch(() => undefined);
    return { reason: { reason: 'PostStartHookError', message: msg }, retryInMs: 1000 };
  }

  async #killContainer(pod: Pod, c: Container | undefined, id: string, graceSec: number, podIP: string): Promise<void> {
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

  // Keep the current and the previous instance of each container (for `logs --previous`), as upstream's container GC with MaxPerPodContainer 1.
  async #garbageCollect(state: PodRuntimeState): Promise<void> {
    const byName = new Map<string, ContainerStatus[]>();
    for (const c of state.containers) {
      const name = c.labels?.[CONTAINER_NAME_LABEL] ?? c.metadata?.name ?? '';
      byName.set(name, [...(byName.get(name) ?? []), c]);
    }
    for (const list of byName.values()) {
      for (const old of list.slice(2)) {
        if (old.state !== 'CONTAINER_RUNNING') await this.#o.runtime.removeContainer({ container_id: old.id }).catch(() => undefined);
      }
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
    await this.#putStatus(pod, status);
    return status;
  }

  async #putStatus(pod: Pod, status: NonNullable<Pod['status']>): Promise<void> {
    if (deepEqual(pod.status ?? {}, status)) return;
    const ns = pod.metadata?.namespace;
    let current = pod as KubeObject;
    for (let i = 0; i < 3; i++) {
      try {
        await this.#o.client.update(R.pods, { ...current, status } as KubeObject, { namespace: ns, subresource: 'status' });
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err)) throw err;
        current = await this.#o.client.get(R.pods, pod.metadata?.name ?? '', { namespace: ns });
        if (current.metadata.uid !== pod.metadata?.uid) return;
      }
    }
  }

  async #stopPod(uid: string, graceSec: number, pod?: Pod): Promise<void> {
    const state = await this.observe(uid);
    const running = state.containers.filter((c) => c.state === 'CONTAINER_RUNNING');
    const specOf = (name: string) => [...(pod?.spec?.containers ?? []), ...(pod?.spec?.initContainers ?? [])].find((c) => c.name === name);
    await Promise.all(running.map((c) => this.#killContainer(pod ?? ({} as Pod), pod ? specOf(c.metadata?.name ?? '') : undefined, c.id, graceSec, pod?.status?.podIP ?? '')));
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
    const grace = pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
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
      const cfg = this.#sandboxConfigs.get(s.id);
      cgroupParent ??= cfg?.linux?.cgroup_parent;
      logDir ??= cfg?.log_directory;
      await this.#o.runtime.stopPodSandbox({ pod_sandbox_id: s.id }).catch(() => undefined);
      await this.#o.runtime.removePodSandbox({ pod_sandbox_id: s.id });
      this.#sandboxConfigs.delete(s.id);
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

interface StartContext {
  pod: Pod;
  sandbox: PodSandbox;
  podIP: string;
  volumes: Map<string, string>;
  objects: ObjectCache;
}


function shouldRestart(pod: Pod, last: ContainerStatus): boolean {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  if (policy === 'Always') return true;
  if (policy === 'OnFailure') return last.exit_code !== 0;
  return false;
}

function graceSeconds(pod: Pod): number {
  return pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

function isCriGone(err: unknown): boolean {
  return /not found|NOT_FOUND/i.test((err as Error)?.message ?? '');
}

function runningOf(state: PodRuntimeState, sandboxId: string): Map<string, RunningContainer> {
  const out = new Map<string, RunningContainer>();
  for (const c of state.containers) {
    if (c.state !== 'CONTAINER_RUNNING' || c.pod_sandbox_id !== sandboxId) continue;
    const name = c.metadata?.name ?? '';
    if (!out.has(name)) out.set(name, { id: c.id, startedAtMs: Number(BigInt(c.started_at) / 1_000_000n) });
  }
  return out;
}
