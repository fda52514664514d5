// SPDX-License-Identifier: Apache-2.0
/**
 * EvictionManager is the kubelet's node-pressure eviction, as upstream
 * pkg/kubelet/eviction/eviction_manager.go synchronize(): every pass it
 * observes the signals, keeps each pressure condition for the transition
 * period after its threshold was last met (so the node does not flap),
 * and when a threshold is met now it first reclaims node-level resources
 * for disk signals (dead containers, unused images), observes again, and
 * only if still under pressure fails one pod, ranked as upstream ranks,
 * with reason Evicted and upstream's message: at once for a hard threshold,
 * and for a soft one with the pod's terminationGracePeriodSeconds capped at
 * --eviction-max-pod-grace-period. Pods are admitted as
 * upstream's Admit: under MemoryPressure only BestEffort pods are refused,
 * under any other pressure every pod but critical ones.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { canonicalQuantity } from '../../api/index.js';
import { podQOSClass } from '../pod-resources.js';
import { containerRequest, isCriticalPod, rankForEviction } from './ranking.js';
import type { PodUsage, SignalSource } from './signal-source.js';
import {
  conditionOf, formatAmount, isSoft, resourceOf, thresholdsMet, thresholdValue,
  type Observations, type PressureCondition, type Signal, type Threshold,
} from './thresholds.js';

/** DEFAULT_PRESSURE_TRANSITION_MS is upstream's --eviction-pressure-transition-period (5m). */
export const DEFAULT_PRESSURE_TRANSITION_MS = 5 * 60_000;

/** NodeReclaimer frees node-level resources before any pod is evicted for disk. */
export interface NodeReclaimer {
  /** deleteUnusedContainers removes every dead container and sandbox not needed (upstream DeleteAllUnusedContainers). */
  deleteUnusedContainers(): Promise<void>;
  /** deleteUnusedImages removes images no container uses (upstream DeleteUnusedImages). */
  deleteUnusedImages(): Promise<void>;
}

/** EvictionManagerOptions wire the manager to the kubelet. */
export interface EvictionManagerOptions {
  thresholds: Threshold[];
  source: SignalSource;
  reclaimer: NodeReclaimer;
  /** activePods are the pods bound here that are not yet terminal. */
  activePods(): Pod[];
  /** evictPod fails the pod with reason Evicted and this message, killing it with this grace period. */
  evictPod(pod: Pod, message: string, gracePeriodSeconds: number): Promise<void>;
  /** conditionsChanged asks for a node status update. */
  conditionsChanged(): void;
  pressureTransitionMs?: number;
  /** maxPodGracePeriodSeconds caps a soft eviction's grace period (upstream --eviction-max-pod-grace-period, default 0). */
  maxPodGracePeriodSeconds?: number;
  /**
   * podCleanedUp says whether an evicted pod's resources are reclaimed (its
   * containers stopped, its volumes torn down: upstream's podResourcesAreReclaimed).
   * After an eviction the manager waits for it before looking again, so the
   * space the pod frees is seen before another pod is chosen.
   */
  podCleanedUp?(pod: Pod): Promise<boolean>;
  /** How long and how often to wait for that (upstream's podCleanupTimeout 30 s and podCleanupPollFreq 1 s). */
  cleanupTimeoutMs?: number;
  cleanupPollMs?: number;
  log(msg: string): void;
  now?: () => number;
}

/** AdmitResult refuses a pod, with upstream's reason and message. */
export interface AdmitResult {
  reason: 'Evicted';
  message: string;
}

// Memory first, then signals that reclaim nothing first (pids), then disk, as upstream byEvictionPriority.
const SIGNAL_ORDER: Signal[] = ['memory.available', 'pid.available', 'nodefs.available', 'nodefs.inodesFree', 'imagefs.available', 'imagefs.inodesFree'];

/** EvictionManager watches node pressure and evicts pods to relieve it. */
export class EvictionManager {
  readonly #o: EvictionManagerOptions;
  readonly #lastMet = new Map<PressureCondition, number>();
  /** firstObserved is when each threshold met now was first seen met (soft thresholds count their grace period from it). */
  readonly #firstObserved = new Map<Threshold, number>();
  #conditions = new Set<PressureCondition>();
  #running = false;

  constructor(opts: EvictionManagerOptions) {
    this.#o = opts;
  }

  /** conditions are the pressure conditions the node reports now. */
  conditions(): Set<PressureCondition> {
    return new Set(this.#conditions);
  }

  /** admit refuses a new pod while the node is under pressure, as upstream's eviction admit handler. */
  admit(pod: Pod): AdmitResult | undefined {
    if (this.#conditions.size === 0 || isCriticalPod(pod)) return undefined;
    const onlyMemory = this.#conditions.size === 1 && this.#conditions.has('MemoryPressure');
    if (onlyMemory && podQOSClass(pod) !== 'BestEffort') return undefined;
    if (onlyMemory && (pod.spec?.tolerations ?? []).some((t) => t.key === 'node.kubernetes.io/memory-pressure' && (t.effect ?? 'NoSchedule') === 'NoSchedule')) return undefined;
    return { reason: 'Evicted', message: `The node had condition: [${[...this.#conditions].sort().join(', ')}]. ` };
  }

  /** synchronize makes one pass; it answers the pod it evicted, if any. */
  async synchronize(): Promise<Pod | undefined> {
    if (this.#running) return undefined;
    this.#running = true;
    try {
      const evicted = await this.#pass();
      if (evicted) await this.#waitForCleanup(evicted);
      return evicted;
    } finally {
      this.#running = false;
    }
  }

  /** waitForCleanup is upstream's waitForPodsCleanup: poll until the evicted pod is cleaned up, or give up after the timeout. */
  async #waitForCleanup(pod: Pod): Promise<void> {
    const cleanedUp = this.#o.podCleanedUp;
    if (!cleanedUp) return;
    const name = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    const deadline = Date.now() + (this.#o.cleanupTimeoutMs ?? 30_000);
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, this.#o.cleanupPollMs ?? 1000));
      if (await cleanedUp(pod).catch(() => false)) {
        this.#o.log(`eviction manager: pods ${name} successfully cleaned up`);
        return;
      }
    }
    this.#o.log(`eviction manager: timed out waiting for pods ${name} to be cleaned up`);
  }

  async #pass(): Promise<Pod | undefined> {
    const now = (this.#o.now ?? Date.now)();
    let observations = await this.#o.source.observe();
    const metNow = thresholdsMet(this.#o.thresholds, observations);
    for (const t of [...this.#firstObserved.keys()]) if (!metNow.includes(t)) this.#firstObserved.delete(t);
    for (const t of metNow) if (!this.#firstObserved.has(t)) this.#firstObserved.set(t, now);
    // A soft threshold sets its condition as soon as it is met, before its grace period ends (upstream nodeConditions(thresholds)).
    for (const t of metNow) this.#lastMet.set(conditionOf(t.signal), now);
    const transition = this.#o.pressureTransitionMs ?? DEFAULT_PRESSURE_TRANSITION_MS;
    const conditions = new Set([...this.#lastMet].filter(([, at]) => now - at < transition).map(([c]) => c));
    if (!sameSet(conditions, this.#conditions)) {
      this.#conditions = conditions;
      this.#o.log(`eviction manager: node conditions now [${[...conditions].sort().join(', ')}]`);
      this.#o.conditionsChanged();
    }
    // Upstream thresholdsMetGracePeriod: only thresholds met for their whole grace period drive eviction.
    const met = metNow.filter((t) => !isSoft(t) || now - this.#firstObserved.get(t)! >= t.gracePeriodMs!);
    if (met.length < metNow.length) this.#o.log(`eviction manager: thresholds not yet met for their grace period: ${metNow.filter((t) => !met.includes(t)).map((t) => describe(t, observations)).join(', ')}`);
    if (met.length === 0) return undefined;
    // Memory first (SIGNAL_ORDER), and at one signal a hard threshold before a soft one.
    const threshold = [...met].sort((a, b) => SIGNAL_ORDER.indexOf(a.signal) - SIGNAL_ORDER.indexOf(b.signal) || Number(isSoft(a)) - Number(isSoft(b)))[0];
    this.#o.log(`eviction manager: attempting to reclaim ${resourceOf(threshold.signal)} (${describe(threshold, observations)}${isSoft(threshold) ? ', soft' : ''})`);
    if (threshold.signal !== 'memory.available' && threshold.signal !== 'pid.available') {
      await this.#o.reclaimer.deleteUnusedContainers().catch((err) => this.#o.log(`eviction manager: container GC: ${(err as Error).message}`));
      await this.#o.reclaimer.deleteUnusedImages().catch((err) => this.#o.log(`eviction manager: image GC: ${(err as Error).message}`));
      observations = await this.#o.source.observe();
      if (thresholdsMet([threshold], observations).length === 0) {
        this.#o.log(`eviction manager: node-level reclaim relieved ${threshold.signal}; no pod evicted`);
        return undefined;
      }
    }
    const usage = await this.#o.source.podUsage();
    const candidates = this.#o.activePods().filter((p) => !isCriticalPod(p));
    for (const pod of rankForEviction(threshold.signal, candidates, usage)) {
      const message = evictionMessage(threshold, observations, pod, usage.get(pod.metadata?.uid ?? ''));
      const grace = evictionGracePeriodSeconds(threshold, pod, this.#o.maxPodGracePeriodSeconds ?? 0);
      this.#o.log(`eviction manager: evicting pod ${pod.metadata?.namespace}/${pod.metadata?.name} (grace period ${grace}s): ${message}`);
      try {
        await this.#o.evictPod(pod, message, grace);
        return pod;
      } catch (err) {
        this.#o.log(`eviction manager: evicting ${pod.metadata?.name}: ${(err as Error).message}`);
      }
    }
    this.#o.log('eviction manager: unable to evict any pods from the node');
    return undefined;
  }
}

/**
 * evictionGracePeriodSeconds is how long an evicted pod's containers get to
 * stop, as upstream's synchronize: none for a hard threshold, and for a soft
 * one --eviction-max-pod-grace-period, or the pod's own
 * terminationGracePeriodSeconds when that is shorter.
 */
export function evictionGracePeriodSeconds(t: Threshold, pod: Pod, maxPodGracePeriodSeconds: number): number {
  if (!isSoft(t)) return 0;
  const own = pod.spec?.terminationGracePeriodSeconds;
  return own === undefined ? maxPodGracePeriodSeconds : Math.min(own, maxPodGracePeriodSeconds);
}

function sameSet<T>(a: Set<T>, b: Set<T>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

function describe(t: Threshold, observations: Observations): string {
  const o = observations.get(t.signal);
  return `${t.signal} available ${o ? formatAmount(t.signal, o.available) : '?'} < ${o ? formatAmount(t.signal, thresholdValue(t, o.capacity)) : '?'}`;
}

/**
 * evictionMessage is upstream's evictionMessage: "The node was low on
 * resource: R. Threshold quantity: Q, available: A. " and, for memory and
 * ephemeral-storage, each container using more than it requested.
 */
export function evictionMessage(t: Threshold, observations: Observations, pod: Pod, usage: PodUsage | undefined): string {
  const resource = resourceOf(t.signal);
  let message = `The node was low on resource: ${resource}. `;
  const o = observations.get(t.signal);
  if (o) message += `Threshold quantity: ${formatAmount(t.signal, thresholdValue(t, o.capacity))}, available: ${formatAmount(t.signal, o.available)}. `;
  if ((resource === 'memory' || resource === 'ephemeral-storage') && usage) {
    for (const c of pod.spec?.containers ?? []) {
      const cu = usage.containers.get(c.name);
      if (!cu) continue;
      const used = resource === 'memory' ? cu.memoryBytes : cu.diskBytes;
      if (used <= containerRequest(c, resource)) continue;
      const raw = c.resources?.requests?.[resource];
      const request = raw === undefined ? '0' : String(canonicalQuantity(raw));
      message += `Container ${c.name} was using ${formatAmount(t.signal, used)}, request is ${request}, has larger consumption of ${resource}. `;
    }
  }
  return message;
}
