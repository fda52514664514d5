// SPDX-License-Identifier: Apache-2.0
/**
 * Pod status as the kubelet reports it (upstream kubelet_pods.go
 * generateAPIPodStatus, convertToAPIContainerStatuses, getPhase and
 * pkg/kubelet/status/generate.go): container states from the runtime and the
 * reasons of containers that could not start, lastState from the previous
 * instance, ready/started from probes, the phase, and the PodScheduled,
 * PodReadyToStartContainers, Initialized, ContainersReady and Ready
 * conditions with stable transition times.
 */
import { readFileSync } from 'node:fs';
import type { Container, ContainerState, ContainerStatus as ApiContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import type { ContainerStatus } from './cri/cri-types.js';
import { TERMINATION_MESSAGE_HOST_ANNOTATION } from './cri-labels.js';
import { podQOSClass } from './pod-resources.js';

/** WaitingReason is why a container is not running (ErrImagePull, CrashLoopBackOff, ...). */
export interface WaitingReason {
  reason: string;
  message: string;
}

/** StatusInput is the observed state a status is computed from. */
export interface StatusInput {
  /** instances: container name → runtime statuses, newest first. */
  instances: Map<string, ContainerStatus[]>;
  reasons: Map<string, WaitingReason>;
  ready: (name: string, containerId: string) => boolean;
  started: (name: string, containerId: string) => boolean;
  sandboxReady: boolean;
  podIP: string;
  hostIP: string;
  initDone: boolean;
  /** forceWaitingReason overrides every non-running container's waiting reason (volume set-up failures). */
  allWaiting?: WaitingReason;
}

const MAX_MESSAGE = 4096;

/** nanosToRFC3339 turns CRI Unix nanoseconds into an API timestamp (seconds precision, as metav1.Time). */
export function nanosToRFC3339(ns: string | number): string {
  const ms = Number(BigInt(ns) / 1_000_000n);
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function terminationMessage(s: ContainerStatus, c: Container): string {
  const path = s.annotations?.[TERMINATION_MESSAGE_HOST_ANNOTATION];
  let msg = '';
  try {
    if (path) msg = readFileSync(path).subarray(0, MAX_MESSAGE).toString();
  } catch {
    // the file is gone with the container; fall back below
  }
  if (!msg && c.terminationMessagePolicy === 'FallbackToLogsOnError' && s.exit_code !== 0 && s.log_path) msg = tailLog(s.log_path);
  return msg || s.message || '';
}

// The last 80 lines or 2048 bytes of a CRI log file, without the timestamp/stream/tag prefix.
function tailLog(path: string): string {
  try {
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n').slice(-80);
    const text = lines.map((l) => l.replace(/^\S+ (stdout|stderr) [FP] /, '')).join('\n');
    return text.slice(-2048);
  } catch {
    return '';
  }
}

function terminatedState(s: ContainerStatus, c: Container): ContainerState {
  const reason = s.reason || (s.exit_code === 0 ? 'Completed' : 'Error');
  const message = terminationMessage(s, c);
  return {
    terminated: {
      exitCode: s.exit_code,
      reason,
      ...(message ? { message } : {}),
      startedAt: Number(s.started_at) ? nanosToRFC3339(s.started_at) : undefined,
      finishedAt: nanosToRFC3339(s.finished_at),
      containerID: `containerd://${s.id}`,
    },
  };
}

function containerStatus(c: Container, isInit: boolean, input: StatusInput): ApiContainerStatus {
  const inst = input.instances.get(c.name) ?? [];
  const [latest, prev] = inst;
  const restartCount = latest?.metadata?.attempt ?? 0;
  const out: ApiContainerStatus = { name: c.name, image: c.image ?? '', imageID: '', ready: false, restartCount, started: false, state: {}, lastState: {} };
  const reason = input.allWaiting ?? input.reasons.get(c.name);
  const defaultWaiting = !isInit && !input.initDone ? 'PodInitializing' : 'ContainerCreating';
  if (latest) {
    out.imageID = latest.image_ref ?? '';
    out.containerID = `containerd://${latest.id}`;
  }
  if (latest?.state === 'CONTAINER_RUNNING') {
    out.state = { running: { startedAt: nanosToRFC3339(latest.started_at) } };
    out.started = input.started(c.name, latest.id);
    out.ready = out.started && input.ready(c.name, latest.id);
    if (prev && prev.state === 'CONTAINER_EXITED') out.lastState = terminatedState(prev, c);
  } else if (reason) {
    out.state = { waiting: { reason: reason.reason, ...(reason.message ? { message: reason.message } : {}) } };
    if (latest?.state === 'CONTAINER_EXITED') out.lastState = terminatedState(latest, c);
  } else if (latest?.state === 'CONTAINER_EXITED') {
    out.state = terminatedState(latest, c);
    if (prev?.state === 'CONTAINER_EXITED') out.lastState = terminatedState(prev, c);
  } else {
    out.state = { waiting: { reason: defaultWaiting } };
  }
  return out;
}

/** podPhase follows upstream getPhase. */
export function podPhase(pod: Pod, init: ApiContainerStatus[], app: ApiContainerStatus[], initDone: boolean): PodStatus['phase'] {
  const spec = pod.spec!;
  const policy = spec.restartPolicy ?? 'Always';
  const regularInit = new Set((spec.initContainers ?? []).filter((c) => c.restartPolicy !== 'Always').map((c) => c.name));
  const initFailed = init.some((s) => regularInit.has(s.name) && (s.state?.terminated?.exitCode ?? 0) !== 0 ||
    (regularInit.has(s.name) && s.state?.waiting && (s.lastState?.terminated?.exitCode ?? 0) !== 0));
  if (!initDone) {
    if (initFailed && policy === 'Never') return 'Failed';
    const anyAppStarted = app.some((s) => s.state?.running || s.state?.terminated || s.lastState?.terminated);
    if (!anyAppStarted) return 'Pending';
  }
  let running = 0, waiting = 0, stopped = 0, succeeded = 0;
  for (const s of app) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.lastState?.terminated) stopped++;
    else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function condition(type: string, ok: boolean, reason?: string, message?: string): PodCondition {
  return { type, status: ok ? 'True' : 'False', ...(ok ? {} : { reason, message }) } as PodCondition;
}

/** computePodStatus builds the status to report; old conditions keep their transition times when unchanged. */
export function computePodStatus(pod: Pod, input: StatusInput): PodStatus {
  const spec = pod.spec!;
  const old = pod.status ?? {};
  const init = (spec.initContainers ?? []).map((c) => containerStatus(c, true, input));
  const app = spec.containers.map((c) => containerStatus(c, false, input));
  // Ephemeral containers are never ready and do not count towards the phase (upstream convertToAPIContainerStatuses for ephemeral containers).
  const ephemeral = (spec.ephemeralContainers ?? []).map((c) => ({ ...containerStatus(c as Container, false, input), ready: false }));
  const phase = podPhase(pod, init, app, input.initDone);
  const sidecars = new Set((spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  const unready = [...init.filter((s) => sidecars.has(s.name)), ...app].filter((s) => !s.ready).map((s) => s.name);
  const incomplete = init.filter((s) => (sidecars.has(s.name) ? !s.started : s.state?.terminated?.exitCode !== 0)).map((s) => s.name);
  const terminalDone = phase === 'Succeeded' || phase === 'Failed';
  const conds: PodCondition[] = [];
  conds.push(condition('PodReadyToStartContainers', input.sandboxReady));
  conds.push(input.initDone || terminalDone
    ? condition('Initialized', true)
    : condition('Initialized', false, 'ContainersNotInitialized', `containers with incomplete status: [${incomplete.join(' ')}]`));
  const reason = terminalDone ? 'PodCompleted' : 'ContainersNotReady';
  const msg = terminalDone ? '' : `containers with unready status: [${unready.join(' ')}]`;
  const gatesOk = (spec.readinessGates ?? []).every((g) => old.conditions?.some((c) => c.type === g.conditionType && c.status === 'True'));
  conds.push(unready.length === 0 && !terminalDone ? condition('ContainersReady', true) : condition('ContainersReady', false, reason, msg || undefined));
  conds.push(unready.length === 0 && gatesOk && !terminalDone ? condition('Ready', true) : condition('Ready', false, reason, msg || undefined));
  const now = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const oldConds = old.conditions ?? [];
  const merged: PodCondition[] = [];
  // Conditions others own (PodScheduled, readiness gates, DisruptionTarget) stay as they are.
  for (const c of oldConds) if (!conds.some((n) => n.type === c.type)) merged.push(c);
  for (const c of conds) {
    const prev = oldConds.find((o) => o.type === c.type);
    const same = prev && prev.status === c.status && prev.reason === c.reason && prev.message === c.message;
    merged.push(same ? prev : { ...c, lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : now });
  }
  const podIP = input.podIP || old.podIP;
  return {
    ...old,
    phase,
    conditions: merged,
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    ...(podIP ? { podIP, podIPs: [{ ip: podIP }] } : {}),
    startTime: old.startTime ?? now,
    qosClass: podQOSClass(pod),
    ...(init.length ? { initContainerStatuses: init } : {}),
    containerStatuses: app,
    ...(ephemeral.length ? { ephemeralContainerStatuses: ephemeral } : {}),
  };
}
