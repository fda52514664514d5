// SPDX-License-Identifier: Apache-2.0
/**
 * The DaemonSet controller, after upstream pkg/controller/daemon: each sync
 * claims the DaemonSet's revisions and pods, records the current template as
 * a ControllerRevision, makes every eligible node run exactly one pod
 * (deleting failed, duplicate and misplaced ones), rolls old pods to the
 * current revision within maxUnavailable/maxSurge, and writes status.
 */
import type { DaemonSetStatus } from 'kubernetes-types/apps/v1.js';
import { deepClone, deepEqual, type KubeObject } from '../../api/index.js';
import { labelSelectorMatches } from '../../api/index.js';
import { R, type Client } from '../../client/index.js';
import type { EventRecorder } from '../../client/index.js';
import { keyOf, type InformerFactory, type SharedInformer } from '../../client/index.js';
import { systemClock, type Clock } from '../../client/index.js';
import { isConflict, isNotFound } from '../../machinery/index.js';
import { Reconciler } from '../../client/index.js';
import { controllerRefOf } from '../controller-ref.js';
import { type ControllerRevisionObj, truncateHistory } from '../controller-revision.js';
import { ControllerExpectations } from '../expectations.js';
import { claimObjects } from '../claim-objects.js';
import { newDaemonPod, targetNodeOf, type DaemonSetObj, type NodeObj, type PodObj } from './daemon-pod.js';
import { DaemonSetHistory } from './daemonset-history.js';
import { computeStatus, nodeStates, planNodes, planRollingUpdate, type NodeState } from './daemonset-plan.js';

/** Event reasons, as upstream. */
export const SuccessfulCreate = 'SuccessfulCreate';
export const FailedCreate = 'FailedCreate';
export const SuccessfulDelete = 'SuccessfulDelete';
export const FailedDelete = 'FailedDelete';
export const FailedDaemonPod = 'FailedDaemonPod';

/** FAILED_POD_BACKOFF bounds how fast a node's failed daemon pod is replaced (upstream failedPodsBackoff: 1 s doubling to 15 min). */
const FAILED_POD_BACKOFF = { initialMs: 1000, maxMs: 15 * 60 * 1000 };

/** DaemonSetControllerOptions are the dependencies of a DaemonSetController. */
export interface DaemonSetControllerOptions {
  client: Client;
  factory: InformerFactory;
  recorder: EventRecorder;
  clock?: Clock;
  log?: (msg: string) => void;
}

/** DaemonSetController reconciles DaemonSets with one pod per eligible node. */
export class DaemonSetController extends Reconciler {
  readonly expectations: ControllerExpectations;
  readonly #client: Client;
  readonly #recorder: EventRecorder;
  readonly #clock: Clock;
  readonly #sets: SharedInformer<DaemonSetObj>;
  readonly #pods: SharedInformer<PodObj>;
  readonly #nodes: SharedInformer<NodeObj>;
  readonly #revisions: SharedInformer<ControllerRevisionObj>;
  readonly #history: DaemonSetHistory;
  /** backoff remembers, per `ds key/node`, when a replacement for a failed pod may be created. */
  readonly #backoff = new Map<string, { delayMs: number; until: number }>();

  constructor(opts: DaemonSetControllerOptions) {
    super({ name: 'daemonset-controller', clock: opts.clock, log: opts.log, maxRetries: 15 });
    this.#client = opts.client;
    this.#recorder = opts.recorder;
    this.#clock = opts.clock ?? systemClock;
    this.expectations = new ControllerExpectations(this.#clock);
    this.#sets = opts.factory.informer<DaemonSetObj>(R.daemonsets);
    this.#pods = opts.factory.informer<PodObj>(R.pods);
    this.#nodes = opts.factory.informer<NodeObj>(R.nodes);
    this.#revisions = opts.factory.informer<ControllerRevisionObj>(R.controllerrevisions);
    this.#history = new DaemonSetHistory(opts.client);
    this.#sets.addEventHandler({
      onAdd: (s) => this.enqueue(keyOf(s)),
      onUpdate: (_o, s) => this.enqueue(keyOf(s)),
      onDelete: (s) => {
        this.expectations.delete(keyOf(s));
        this.enqueue(keyOf(s));
      },
    });
    this.#pods.addEventHandler({
      onAdd: (p) => this.#podEvent(p, 'add'),
      onUpdate: (old, p) => this.#podUpdated(old, p),
      onDelete: (p) => this.#podEvent(p, 'delete'),
    });
    this.#nodes.addEventHandler({
      onAdd: (n) => this.#nodeChanged(n),
      onUpdate: (old, n) => this.#nodeChanged(n, old),
      onDelete: (n) => this.#nodeChanged(n),
    });
  }

  #ownerKey(pod: KubeObject): string | undefined {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== 'DaemonSet') return undefined;
    const key = `${pod.metadata.namespace}/${ref.name}`;
    return this.#sets.get(key)?.metadata.uid === ref.uid ? key : undefined;
  }

  #podEvent(pod: PodObj, what: 'add' | 'delete'): void {
    const owner = this.#ownerKey(pod);
    if (!owner) {
      if (what === 'add' && !controllerRefOf(pod)) this.#enqueueMatching(pod);
      return;
    }
    if (what === 'add' && !pod.metadata.deletionTimestamp) this.expectations.creationObserved(owner);
    else this.expectations.deletionObserved(owner, keyOf(pod));
    this.enqueue(owner);
  }

  #podUpdated(old: PodObj, pod: PodObj): void {
    const owner = this.#ownerKey(pod);
    if (owner && pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) this.expectations.deletionObserved(owner, keyOf(pod));
    const oldOwner = this.#ownerKey(old);
    if (oldOwner && oldOwner !== owner) this.enqueue(oldOwner);
    if (owner) {
      this.enqueue(owner);
      const minReady = this.#sets.get(owner)?.spec?.minReadySeconds ?? 0;
      if (minReady > 0) this.queue.addAfter(owner, minReady * 1000 + 100);
    } else if (!controllerRefOf(pod)) {
      this.#enqueueMatching(pod);
    }
  }

  #enqueueMatching(pod: PodObj): void {
    for (const ds of this.#sets.listNamespace(pod.metadata.namespace ?? '')) {
      if (labelSelectorMatches(ds.spec?.selector, pod.metadata.labels)) this.enqueue(keyOf(ds));
    }
  }

  /** nodeChanged re-syncs every DaemonSet when a node appears, goes, or changes labels, taints or schedulability. */
  #nodeChanged(node: NodeObj, old?: NodeObj): void {
    if (old && deepEqual(old.metadata.labels, node.metadata.labels) && deepEqual(old.spec, node.spec)) return;
    for (const ds of this.#sets.list()) this.enqueue(keyOf(ds));
  }

  /** sync makes one reconcile step for the DaemonSet at key. */
  async sync(key: string): Promise<void> {
    const ds = this.#sets.get(key);
    if (!ds) {
      this.expectations.delete(key);
      return;
    }
    const common = { client: this.#client, ownerRef: R.daemonsets, owner: ds, apiVersion: 'apps/v1', kind: 'DaemonSet', selector: ds.spec?.selector };
    const ns = ds.metadata.namespace ?? '';
    const revisions = await claimObjects({ ...common, ref: R.controllerrevisions, candidates: this.#revisions.listNamespace(ns) });
    const { hash, all, collisionCount } = await this.#history.current(ds, revisions);
    const pods = await claimObjects({ ...common, ref: R.pods, candidates: this.#pods.listNamespace(ns) });
    const states = nodeStates(ds, this.#nodes.list(), this.#byNode(pods));
    const now = this.#clock.now();
    if (!ds.metadata.deletionTimestamp && this.expectations.satisfied(key)) {
      const gone = await this.#manage(key, ds, states, pods, hash);
      if (ds.spec?.updateStrategy?.type !== 'OnDelete' && this.expectations.satisfied(key)) {
        // What manage just deleted may still be in the cache: leave it out of the rollout's arithmetic.
        const remaining = states.map((s) => ({ ...s, pods: s.pods.filter((p) => !gone.has(p.metadata.uid!)) }));
        const step = planRollingUpdate(ds, remaining, hash, now);
        await this.#syncNodes(key, ds, step.create, step.delete, hash);
      }
    }
    await this.#updateStatus(ds, { ...computeStatus(ds, states, hash, now), collisionCount });
    const live = new Set(pods.map((p) => all.find((r) => r.metadata.labels?.['controller-revision-hash'] === p.metadata.labels?.['controller-revision-hash'])?.metadata.name ?? ''));
    live.add(all.find((r) => r.metadata.labels?.['controller-revision-hash'] === hash)?.metadata.name ?? '');
    await truncateHistory(this.#client, all, live, ds.spec?.revisionHistoryLimit ?? 10);
  }

  #byNode(pods: readonly PodObj[]): Map<string, PodObj[]> {
    const out = new Map<string, PodObj[]>();
    for (const p of pods) {
      const node = targetNodeOf(p);
      if (!node) continue;
      const list = out.get(node);
      if (list) list.push(p);
      else out.set(node, [p]);
    }
    return out;
  }

  /** manage creates and deletes so each eligible node runs one pod; unscheduled pods pinned to a vanished node go too. */
  async #manage(key: string, ds: DaemonSetObj, states: readonly NodeState[], pods: readonly PodObj[], hash: string): Promise<Set<string>> {
    const plan = planNodes(ds, states, hash, this.#clock.now());
    const known = new Set(states.map((s) => s.node.metadata.name));
    for (const p of pods) if (!p.spec?.nodeName && !p.metadata.deletionTimestamp && !known.has(targetNodeOf(p))) plan.delete.push(p);
    for (const p of plan.failed) {
      const node = targetNodeOf(p) ?? '';
      void this.#recorder.event(ds, 'Warning', FailedDaemonPod, `Found failed daemon pod ${p.metadata.namespace}/${p.metadata.name} on node ${node}, will try to kill it`);
      this.#bumpBackoff(`${key}/${node}`);
    }
    const create = plan.create.filter((node) => this.#backoffPassed(key, `${key}/${node}`));
    await this.#syncNodes(key, ds, create, plan.delete, hash);
    return new Set(plan.delete.map((p) => p.metadata.uid!));
  }

  #bumpBackoff(id: string): void {
    const prev = this.#backoff.get(id);
    const delayMs = prev ? Math.min(prev.delayMs * 2, FAILED_POD_BACKOFF.maxMs) : FAILED_POD_BACKOFF.initialMs;
    this.#backoff.set(id, { delayMs, until: this.#clock.now() + delayMs });
  }

  #backoffPassed(key: string, id: string): boolean {
    const b = this.#backoff.get(id);
    if (!b) return true;
    const wait = b.until - this.#clock.now();
    if (wait <= 0) return true;
    this.queue.addAfter(key, wait);
    return false;
  }

  /** syncNodes deletes, then creates, recording expectations first so a lagging cache does not double up (upstream syncNodes). */
  async #syncNodes(key: string, ds: DaemonSetObj, create: readonly string[], remove: readonly PodObj[], hash: string): Promise<void> {
    if (create.length === 0 && remove.length === 0) return;
    const unique = [...new Map(remove.map((p) => [p.metadata.uid, p])).values()];
    if (unique.length > 0) this.expectations.expectDeletions(key, unique.map((p) => keyOf(p)));
    const errors: unknown[] = [];
    for (const p of unique) await this.#deletePod(key, ds, p).catch((e) => errors.push(e));
    if (create.length > 0) this.expectations.expectCreations(key, create.length);
    for (const node of create) await this.#createPod(key, ds, node, hash).catch((e) => errors.push(e));
    if (errors.length > 0) throw errors[0];
  }

  async #createPod(key: string, ds: DaemonSetObj, node: string, hash: string): Promise<void> {
    try {
      const created = await this.#client.create(R.pods, newDaemonPod(ds, node, hash), { namespace: ds.metadata.namespace });
      void this.#recorder.event(ds, 'Normal', SuccessfulCreate, `Created pod: ${created.metadata.name}`);
    } catch (err) {
      this.expectations.creationObserved(key);
      void this.#recorder.event(ds, 'Warning', FailedCreate, `Error creating: ${(err as Error).message}`);
      throw err;
    }
  }

  async #deletePod(key: string, ds: DaemonSetObj, pod: PodObj): Promise<void> {
    try {
      await this.#client.delete(R.pods, pod.metadata.name!, { namespace: pod.metadata.namespace, preconditions: { uid: pod.metadata.uid } });
      void this.#recorder.event(ds, 'Normal', SuccessfulDelete, `Deleted pod: ${pod.metadata.name}`);
    } catch (err) {
      this.expectations.deletionObserved(key, keyOf(pod));
      if (isNotFound(err) || isConflict(err)) return;
      void this.#recorder.event(ds, 'Warning', FailedDelete, `Error deleting: ${(err as Error).message}`);
      throw err;
    }
  }

  async #updateStatus(ds: DaemonSetObj, status: DaemonSetStatus): Promise<void> {
    const old = (ds.status ?? {}) as Record<string, unknown>;
    if (Object.entries(status).every(([k, v]) => deepEqual(old[k] ?? 0, v ?? 0))) return;
    const copy = deepClone(ds) as KubeObject;
    copy.status = { ...(ds.status ?? {}), ...status };
    try {
      await this.#client.update(R.daemonsets, copy, { namespace: ds.metadata.namespace, subresource: 'status' });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
