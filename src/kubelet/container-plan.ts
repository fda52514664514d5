// SPDX-License-Identifier: Apache-2.0
/**
 * ContainerPlanner makes the container decisions of upstream
 * kuberuntime_manager.go computePodActions and carries them out as they are
 * made: init containers in order (sidecars with restartPolicy Always keep
 * running), then app containers per the restart policy with
 * CrashLoopBackOff, and kills for failed liveness/startup probes or a
 * changed image.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/index.js';
import type { EventRecorder } from '../client/index.js';
import type { ContainerStatus, PodSandbox, PodSandboxConfig } from './cri/cri-types.js';
import { formatDelay, type Backoff } from './backoff.js';
import { CONTAINER_IMAGE_ANNOTATION, formatPod } from './cri-labels.js';
import { graceSeconds, type ContainerRunner, type StartContext } from './container-runner.js';
import type { WaitingReason } from './pod-status.js';
import type { ProbeManager } from './probe-manager.js';
import type { PodRuntimeState } from './runtime-state.js';

/** Plan is what one sync decided: waiting reasons, when to look again, and whether init is done. */
export interface Plan {
  reasons: Map<string, WaitingReason>;
  retryInMs?: number;
  initDone: boolean;
}

/** ContainerPlannerOptions are what the planner acts through. */
export interface ContainerPlannerOptions {
  recorder: EventRecorder;
  probes: ProbeManager;
  backoff: Backoff;
  containers: ContainerRunner;
  sandboxConfig(pod: Pod, sandbox: PodSandbox): PodSandboxConfig;
}

/** ContainerPlanner decides and acts on a pod's containers. */
export class ContainerPlanner {
  readonly #o: ContainerPlannerOptions;

  constructor(opts: ContainerPlannerOptions) {
    this.#o = opts;
  }

  // The container decisions of upstream computePodActions, carried out as they are made.
  /** plan starts, restarts and kills containers for one sync and says what the status should show. */
  async plan(ctx: StartContext, state: PodRuntimeState): Promise<Plan> {
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
    // Ephemeral containers (kubectl debug) start once and are never restarted, as upstream.
    for (const ec of pod.spec?.ephemeralContainers ?? []) {
      if (anyInstance(ec.name).length > 0) continue;
      const target = ec.targetContainerName ? inSandbox(ec.targetContainerName).find((x) => x.state === 'CONTAINER_RUNNING')?.id : undefined;
      const failure = await this.#o.containers.start(ctx, ec as Container, 'ephemeral', 0, this.#o.sandboxConfig(pod, ctx.sandbox), target);
      if (failure) {
        plan.reasons.set(ec.name, failure.reason);
        plan.retryInMs = minDefined(plan.retryInMs, failure.retryInMs);
      }
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
    await this.#o.containers.kill(ctx.pod, c, latest.id, graceSeconds(ctx.pod), ctx.podIP);
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
      const bo = this.#o.backoff.inBackoffSince(key, finished);
      if (bo.inBackoff) {
        const delay = formatDelay(this.#o.backoff.get(key));
        plan.reasons.set(c.name, { reason: 'CrashLoopBackOff', message: `back-off ${delay} restarting failed container=${c.name} pod=${formatPod(pod)}` });
        void this.#o.recorder.event(pod as KubeObject, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${formatPod(pod)}`);
        plan.retryInMs = minDefined(plan.retryInMs, bo.remainingMs + 50);
        return;
      }
      this.#o.backoff.next(key, finished);
    }
    const sandboxConfig = this.#o.sandboxConfig(pod, ctx.sandbox);
    // With no earlier instance left (its sandbox was replaced and removed), the
    // count comes from the log files, as upstream's calcRestartCountByLogDir.
    const attempt = all.length ? (all[0].metadata?.attempt ?? 0) + 1 : restartCountFromLogs(join(sandboxConfig.log_directory ?? '', c.name));
    const failure = await this.#o.containers.start(ctx, c, kind, attempt, sandboxConfig);
    if (failure) {
      plan.reasons.set(c.name, failure.reason);
      plan.retryInMs = minDefined(plan.retryInMs, failure.retryInMs);
    }
  }
}

/**
 * restartCountFromLogs is one more than the highest `<N>.log` (rotated or not)
 * in a container's log directory, 0 when there is none: upstream
 * kuberuntime's calcRestartCountByLogDir, which keeps the count (and the
 * earlier logs) across a sandbox that was replaced.
 */
export function restartCountFromLogs(dir: string): number {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  let count = 0;
  for (const name of names) {
    const m = /^(\d+)\.log(\..*)?$/.exec(name);
    if (m) count = Math.max(count, Number(m[1]) + 1);
  }
  return count;
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
