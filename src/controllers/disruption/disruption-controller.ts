// SPDX-License-Identifier: Apache-2.0
/**
 * The disruption controller, after upstream pkg/controller/disruption:
 * keeps each PodDisruptionBudget's status current — how many selected pods
 * are healthy, how many must stay healthy, how many may be disrupted now —
 * which the eviction subresource consults (and decrements) before deleting
 * a pod. Evictions the API has granted but whose pod is not yet gone are
 * remembered in status.disruptedPods and count as unhealthy for 2 minutes.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import { deepClone, deepEqual, type KubeObject } from '../../api/index.js';
import { lookupKind } from '../../api/index.js';
import { selectorMatches, rfc3339 } from '../../machinery/index.js';
import { R, type Client } from '../../client/index.js';
import type { EventRecorder } from '../../client/index.js';
import { keyOf, type InformerFactory, type SharedInformer } from '../../client/index.js';
import { systemClock, type Clock } from '../../client/index.js';
import { isNotFound } from '../../machinery/index.js';
import { Reconciler } from '../../client/index.js';
import { controllerRefOf } from '../controller-ref.js';
import { isPodReady } from '../pod-status.js';
import { budgetStatus, desiredHealthyFor, type Budget } from './budget.js';

/** DELETION_TIMEOUT_MS is how long an eviction stays in disruptedPods waiting for the pod to go (upstream DeletionTimeout). */
export const DELETION_TIMEOUT_MS = 2 * 60_000;

/** DisruptionControllerOptions are the dependencies of the disruption controller. */
export interface DisruptionControllerOptions {
  client: Client;
  factory: InformerFactory;
  recorder: EventRecorder;
  clock?: Clock;
  log?: (msg: string) => void;
}

type PDB = PodDisruptionBudget & KubeObject;
type PodObj = Pod & KubeObject;

/** DisruptionController reconciles PodDisruptionBudget status. */
export class DisruptionController extends Reconciler {
  readonly #client: Client;
  readonly #recorder: EventRecorder;
  readonly #clock: Clock;
  readonly #pdbs: SharedInformer<PDB>;
  readonly #pods: SharedInformer<PodObj>;

  constructor(opts: DisruptionControllerOptions) {
    super({ name: 'disruption', clock: opts.clock, log: opts.log });
    this.#client = opts.client;
    this.#recorder = opts.recorder;
    this.#clock = opts.clock ?? systemClock;
    this.#pdbs = opts.factory.informer<PDB>(R.poddisruptionbudgets);
    this.#pods = opts.factory.informer<PodObj>(R.pods);
    this.#pdbs.addEventHandler({
      onAdd: (o) => this.enqueue(keyOf(o)),
      onUpdate: (_old, o) => this.enqueue(keyOf(o)),
    });
    this.#pods.addEventHandler({
      onAdd: (p) => this.#podChanged(p),
      onUpdate: (old, p) => {
        this.#podChanged(old);
        this.#podChanged(p);
      },
      onDelete: (p) => this.#podChanged(p),
    });
  }

  /** podChanged enqueues every budget of the pod's namespace that selects it. */
  #podChanged(pod: PodObj): void {
    for (const pdb of this.#pdbs.listNamespace(pod.metadata.namespace ?? '')) {
      if (selectorMatches(pdb.spec?.selector, pod.metadata.labels ?? {})) this.enqueue(keyOf(pdb));
    }
  }

  /** sync recomputes one budget's status. */
  async sync(key: string): Promise<void> {
    const pdb = this.#pdbs.get(key);
    if (!pdb) return;
    const pods = this.#pods.listNamespace(pdb.metadata.namespace ?? '').filter((p) => selectorMatches(pdb.spec?.selector, p.metadata.labels ?? {}));
    if (pods.length === 0) void this.#recorder.event(pdb, 'Normal', 'NoPods', 'No matching pods found');
    let budget: Budget;
    try {
      budget = await this.#expected(pdb, pods);
    } catch (err) {
      void this.#recorder.event(pdb, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${(err as Error).message}`);
      await this.#failSafe(pdb);
      throw err;
    }
    const now = this.#clock.now();
    const { disrupted, recheckAt } = disruptedPodMap(pdb, pods, now);
    const healthy = pods.filter((p) => !p.metadata.deletionTimestamp && !disrupted[p.metadata.name ?? ''] && isPodReady(p)).length;
    const status = budgetStatus(pdb, budget, healthy, disrupted, new Date(now));
    await this.#writeStatus(pdb, status);
    if (recheckAt !== undefined) this.queue.addAfter(key, Math.max(0, recheckAt - now));
  }

  /** expected is upstream's getExpectedPodCount: integer minAvailable counts the selected pods, anything else the controllers' scale. */
  async #expected(pdb: PDB, pods: PodObj[]): Promise<Budget> {
    const spec = pdb.spec ?? {};
    if (spec.maxUnavailable === undefined && typeof spec.minAvailable === 'number') {
      return { expected: pods.length, desiredHealthy: spec.minAvailable };
    }
    const { expected, unmanaged } = await this.#expectedScale(pods);
    if (unmanaged.length > 0) {
      void this.#recorder.event(pdb, 'Warning', 'UnmanagedPods', `Pods selected by this PodDisruptionBudget (selector: ${JSON.stringify(spec.selector ?? {})}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`);
    }
    return { expected, desiredHealthy: desiredHealthyFor(spec, expected) };
  }

  /** expectedScale sums the replicas of the controllers of the pods, each counted once (upstream getExpectedScale). */
  async #expectedScale(pods: PodObj[]): Promise<{ expected: number; unmanaged: string[] }> {
    const seen = new Map<string, number>();
    const unmanaged: string[] = [];
    for (const pod of pods) {
      const ref = controllerRefOf(pod);
      if (!ref) {
        unmanaged.push(pod.metadata.name ?? '');
        continue;
      }
      if (seen.has(ref.uid)) continue;
      const scale = await this.#controllerScale(pod.metadata.namespace ?? '', ref.apiVersion, ref.kind, ref.name, ref.uid);
      if (scale === undefined) throw new Error(`found no controllers for pod "${pod.metadata.name}"`);
      seen.set(ref.uid, scale);
    }
    let expected = 0;
    for (const n of seen.values()) expected += n;
    return { expected, unmanaged };
  }

  /**
   * controllerScale finds the replicas of a pod's controller. A ReplicaSet
   * owned by a Deployment answers with the Deployment's scale, as upstream's
   * finders do; other kinds answer through their scale subresource.
   */
  async #controllerScale(namespace: string, apiVersion: string, kind: string, name: string, uid: string): Promise<number | undefined> {
    const info = lookupKind(apiVersion, kind);
    if (!info || !info.subresources.includes('scale')) return undefined;
    const ref = { group: info.group, version: info.version, resource: info.plural };
    try {
      const obj = await this.#client.get(ref, name, { namespace });
      if (obj.metadata.uid !== uid) return undefined;
      const owner = controllerRefOf(obj);
      if (kind === 'ReplicaSet' && owner?.kind === 'Deployment') {
        const fromDeployment = await this.#controllerScale(namespace, owner.apiVersion, owner.kind, owner.name, owner.uid);
        if (fromDeployment !== undefined) return fromDeployment;
      }
      const scale = await this.#client.get(ref, name, { namespace, subresource: 'scale' });
      return (scale.spec as { replicas?: number } | undefined)?.replicas ?? 0;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** failSafe allows no disruption when the budget cannot be computed (upstream failSafe). */
  async #failSafe(pdb: PDB): Promise<void> {
    const status = deepClone(pdb.status ?? {}) as PodDisruptionBudgetStatus;
    status.disruptionsAllowed = 0;
    status.observedGeneration = pdb.metadata.generation;
    status.currentHealthy ??= 0;
    status.desiredHealthy ??= 0;
    status.expectedPods ??= 0;
    const conds = (status.conditions ?? []).filter((c) => c.type !== 'DisruptionAllowed');
    const old = status.conditions?.find((c) => c.type === 'DisruptionAllowed');
    const ts = old?.status === 'False' ? old.lastTransitionTime : rfc3339(this.#clock.now());
    conds.push({ type: 'DisruptionAllowed', status: 'False', reason: 'SyncFailed', message: '', lastTransitionTime: ts, observedGeneration: pdb.metadata.generation });
    status.conditions = conds;
    await this.#writeStatus(pdb, status);
  }

  async #writeStatus(pdb: PDB, status: PodDisruptionBudgetStatus): Promise<void> {
    if (deepEqual(pdb.status, status)) return;
    const copy = deepClone(pdb);
    copy.status = status;
    try {
      await this.#client.update(R.poddisruptionbudgets, copy, { namespace: pdb.metadata.namespace, subresource: 'status' });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

/**
 * disruptedPodMap keeps the disruptedPods entries whose pod is still
 * selected and not yet being deleted, dropping those older than the
 * deletion timeout, and says when the oldest kept one expires
 * (upstream buildDisruptedPodMap).
 */
export function disruptedPodMap(pdb: PodDisruptionBudget, pods: Pod[], now: number): { disrupted: Record<string, string>; recheckAt?: number } {
  const recorded = pdb.status?.disruptedPods ?? {};
  const disrupted: Record<string, string> = {};
  let recheckAt: number | undefined;
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '';
    if (pod.metadata?.deletionTimestamp || !recorded[name]) continue;
    const expires = Date.parse(recorded[name]) + DELETION_TIMEOUT_MS;
    if (expires < now) continue;
    disrupted[name] = recorded[name];
    if (recheckAt === undefined || expires < recheckAt) recheckAt = expires;
  }
  return { disrupted, recheckAt };
}
