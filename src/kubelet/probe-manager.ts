// SPDX-License-Identifier: Apache-2.0
/**
 * ProbeManager runs the startup, liveness and readiness probes of running
 * containers, one worker per (pod, container, probe type) as upstream
 * pkg/kubelet/prober/worker.go: the first attempt waits initialDelaySeconds
 * from the container's start, then every periodSeconds; a result flips only
 * after successThreshold/failureThreshold attempts in a row; liveness and
 * readiness wait until the startup probe has passed; readiness starts as
 * failed, liveness as passed. A failed liveness or startup probe puts the
 * worker on hold until the container is replaced. Every flip calls
 * `onChange(podUid)` so the pod worker syncs.
 */
import type { Container, Pod, Probe } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/index.js';
import type { EventRecorder } from '../client/index.js';
import type { RuntimeService } from './cri/runtime-service.js';
import { runProbe } from './prober.js';

/** ProbeType is startup, liveness or readiness. */
export type ProbeType = 'startup' | 'liveness' | 'readiness';

const PROBE_NAME: Record<ProbeType, string> = { startup: 'Startup', liveness: 'Liveness', readiness: 'Readiness' };

/** ProbeState is a probe's current verdict: 'none' when the container has no such probe, 'unknown' before the first verdict. */
export type ProbeState = 'none' | 'unknown' | 'success' | 'failure';

/** RunningContainer is what the manager needs to probe a container instance. */
export interface RunningContainer {
  id: string;
  startedAtMs: number;
}

interface Worker {
  pod: Pod;
  container: Container;
  type: ProbeType;
  probe: Probe;
  containerId: string;
  startedAtMs: number;
  result: ProbeState;
  lastResult?: boolean;
  run: number;
  onHold: boolean;
  timer?: NodeJS.Timeout;
  stopped: boolean;
}

/** ProbeManager owns every probe worker of the node. */
export class ProbeManager {
  readonly #runtime: RuntimeService;
  readonly #recorder: EventRecorder;
  readonly #onChange: (podUid: string) => void;
  readonly #podIP = new Map<string, string>();
  readonly #workers = new Map<string, Worker>();

  constructor(runtime: RuntimeService, recorder: EventRecorder, onChange: (podUid: string) => void) {
    this.#runtime = runtime;
    this.#recorder = recorder;
    this.#onChange = onChange;
  }

  /** sync makes workers match the running containers of a pod (name → instance). */
  sync(pod: Pod, podIP: string, running: Map<string, RunningContainer>): void {
    const uid = pod.metadata?.uid ?? '';
    this.#podIP.set(uid, podIP);
    const want = new Set<string>();
    const containers = [...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'), ...(pod.spec?.containers ?? [])];
    for (const c of containers) {
      const inst = running.get(c.name);
      if (!inst) continue;
      for (const type of ['startup', 'liveness', 'readiness'] as const) {
        const probe = c[`${type}Probe`];
        if (!probe) continue;
        const key = `${uid}/${c.name}/${type}`;
        want.add(key);
        const w = this.#workers.get(key);
        if (w && w.containerId === inst.id) {
          w.pod = pod;
          continue;
        }
        if (w) this.#stopWorker(key, w);
        this.#startWorker(key, pod, c, type, probe, inst);
      }
    }
    for (const [key, w] of this.#workers) if (key.startsWith(`${uid}/`) && !want.has(key)) this.#stopWorker(key, w);
  }

  /** removePod stops a pod's workers. */
  removePod(uid: string): void {
    for (const [key, w] of this.#workers) if (key.startsWith(`${uid}/`)) this.#stopWorker(key, w);
    this.#podIP.delete(uid);
  }

  /** stop ends every worker. */
  stop(): void {
    for (const [key, w] of this.#workers) this.#stopWorker(key, w);
  }

  /** state answers a probe's current verdict for a container instance. */
  state(uid: string, name: string, type: ProbeType, containerId: string): ProbeState {
    const w = this.#workers.get(`${uid}/${name}/${type}`);
    if (!w || w.containerId !== containerId) return 'none';
    return w.result;
  }

  /**
   * passing says whether a probe lets the container count as started (startup)
   * or ready (readiness). A container without such a probe passes; one with a
   * probe passes only on a success of the current instance, so a container
   * whose worker has not started yet is not ready (upstream's prober manager
   * UpdatePodStatus: no cached result means not ready).
   */
  passing(pod: Pod, name: string, type: ProbeType, containerId: string): boolean {
    const declared = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find((c) => c.name === name);
    if (!declared?.[`${type}Probe`]) return true;
    return this.state(pod.metadata?.uid ?? '', name, type, containerId) === 'success';
  }

  #startWorker(key: string, pod: Pod, c: Container, type: ProbeType, probe: Probe, inst: RunningContainer): void {
    const w: Worker = {
      pod, container: c, type, probe, containerId: inst.id, startedAtMs: inst.startedAtMs,
      result: type === 'liveness' ? 'success' : type === 'readiness' ? 'failure' : 'unknown', run: 0, onHold: false, stopped: false,
    };
    this.#workers.set(key, w);
    const firstAt = inst.startedAtMs + (probe.initialDelaySeconds ?? 0) * 1000;
    w.timer = setTimeout(() => void this.#tick(w), Math.max(0, firstAt - Date.now()));
  }

  #stopWorker(key: string, w: Worker): void {
    w.stopped = true;
    if (w.timer) clearTimeout(w.timer);
    this.#workers.delete(key);
  }

  async #tick(w: Worker): Promise<void> {
    if (w.stopped) return;
    const uid = w.pod.metadata?.uid ?? '';
    const startupPending = w.type !== 'startup' && !this.passing(w.pod, w.container.name, 'startup', w.containerId);
    if (!w.onHold && !startupPending) await this.#attempt(w, uid);
    if (!w.stopped) w.timer = setTimeout(() => void this.#tick(w), (w.probe.periodSeconds ?? 10) * 1000);
  }

  async #attempt(w: Worker, uid: string): Promise<void> {
    const r = await runProbe(w.probe, { runtime: this.#runtime, containerId: w.containerId, podIP: this.#podIP.get(uid) ?? '', container: w.container });
    if (w.stopped) return;
    if (!r.ok) {
      void this.#recorder.event(w.pod as KubeObject, 'Warning', 'Unhealthy', `${PROBE_NAME[w.type]} probe failed: ${r.output.trim()}`);
    }
    w.run = w.lastResult === r.ok ? w.run + 1 : 1;
    w.lastResult = r.ok;
    const threshold = r.ok ? (w.probe.successThreshold ?? 1) : (w.probe.failureThreshold ?? 3);
    const verdict = r.ok ? 'success' : 'failure';
    if (w.run < threshold || w.result === verdict) return;
    w.result = verdict;
    if (!r.ok && w.type !== 'readiness') {
      // Upstream stops probing a container it is about to restart until a new instance appears.
      w.onHold = true;
      w.run = 0;
    }
    this.#onChange(uid);
  }
}
