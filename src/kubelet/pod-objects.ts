// SPDX-License-Identifier: Apache-2.0
/**
 * PodObjectManager serves the ConfigMaps, Secrets and Services pod syncs read
 * from local caches instead of the API server, as upstream's kubelet does:
 * a node-wide Service informer (kubelet.go's serviceLister, the source of
 * service-link env vars) and the watch-based configmap and secret managers
 * (watched-objects.ts). Pods are registered when the kubelet learns of them
 * or of a new version, and unregistered when they are deleted or reach a
 * terminal phase, as upstream's pod manager does (basicManager.UpdatePod and
 * DeletePod); a registration changes only the references that changed.
 *
 * A watched object that changes wakes the pods referencing it (`changed`):
 * upstream leaves the update of their volumes to the next periodic sync (up
 * to a minute plus the cache's delay); the kubelet here re-syncs them at once,
 * which costs no API request since the sync reads the cache it just updated.
 */
import type { ConfigMap, Pod, Secret, Service } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/index.js';
import { R, SharedInformer, type Client, type Clock } from '../client/index.js';
import type { PodObjects } from './container-env.js';
import { podReferences, type PodReferences } from './pod-references.js';
import { WatchedObjects } from './watched-objects.js';

/** PodObjectManagerOptions configure the caches. */
export interface PodObjectManagerOptions {
  /** changed gets the uids of the pods referencing a ConfigMap or Secret that changed. */
  changed?: (podUIDs: string[]) => void;
  /** syncPeriodMs is the kubelet's periodic pod sync; a watch idle for 5 syncs stops (upstream's maxIdleTime). */
  syncPeriodMs?: number;
  /** syncTimeoutMs bounds a read's wait for an object's first list (upstream: 1 s). */
  syncTimeoutMs?: number;
  clock?: Clock;
  log?: (msg: string) => void;
}

interface Registered extends PodReferences {
  namespace: string;
}

/** PodObjectManager is the kubelet's PodObjects; see the file comment. */
export class PodObjectManager implements PodObjects {
  readonly #configMaps: WatchedObjects<KubeObject & ConfigMap>;
  readonly #secrets: WatchedObjects<KubeObject & Secret>;
  readonly #services: SharedInformer<KubeObject & Service>;
  readonly #registered = new Map<string, Registered>();

  constructor(client: Client, opts: PodObjectManagerOptions = {}) {
    const common = {
      changed: (uids: string[]) => opts.changed?.(uids),
      maxIdleMs: 5 * (opts.syncPeriodMs ?? 10_000), syncTimeoutMs: opts.syncTimeoutMs, clock: opts.clock, log: opts.log,
    };
    this.#configMaps = new WatchedObjects(client, R.configmaps, { ...common, resource: 'configmap' });
    this.#secrets = new WatchedObjects(client, R.secrets, { ...common, resource: 'secret' });
    this.#services = new SharedInformer(client, R.services, { clock: opts.clock, log: opts.log });
  }

  /** run keeps the Service cache until the signal aborts (resolves then). */
  run(signal: AbortSignal): Promise<void> {
    return this.#services.run(signal);
  }

  /** waitForServices resolves true once Services have been listed once. */
  waitForServices(signal?: AbortSignal): Promise<boolean> {
    return this.#services.waitForSync(signal);
  }

  /** updatePod registers the newest version of a pod, or unregisters it once its phase is terminal (it needs nothing any more). */
  updatePod(pod: Pod): void {
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return this.deletePod(pod);
    const uid = pod.metadata?.uid ?? '';
    const next: Registered = { namespace: pod.metadata?.namespace ?? 'default', ...podReferences(pod) };
    const prev = this.#registered.get(uid);
    this.#registered.set(uid, next);
    // Only the references that changed are added or dropped, so a status update starts or stops nothing.
    this.#diff(next.namespace, uid, next.configMaps, prev?.configMaps, this.#configMaps);
    this.#diff(next.namespace, uid, next.secrets, prev?.secrets, this.#secrets);
  }

  /** deletePod unregisters a pod; watches no other registered pod needs stop. */
  deletePod(pod: Pod): void {
    const uid = pod.metadata?.uid ?? '';
    const prev = this.#registered.get(uid);
    if (!prev) return;
    this.#registered.delete(uid);
    this.#diff(prev.namespace, uid, new Set(), prev.configMaps, this.#configMaps);
    this.#diff(prev.namespace, uid, new Set(), prev.secrets, this.#secrets);
  }

  configMap(ns: string, name: string): Promise<ConfigMap> {
    return this.#configMaps.get(ns, name);
  }

  secret(ns: string, name: string): Promise<Secret> {
    return this.#secrets.get(ns, name);
  }

  // Upstream's makeEnvironmentVariables refuses to build service links before the Service informer has listed once.
  async services(ns: string): Promise<Service[]> {
    if (!this.#services.hasSynced()) throw new Error('services have not yet been read at least once, cannot construct envvars');
    return this.#services.listNamespace(ns);
  }

  /** watching lists the watched objects, as `configmap ns/name` and `secret ns/name` (tests). */
  watching(): string[] {
    return [...this.#configMaps.watching().map((k) => `configmap ${k}`), ...this.#secrets.watching().map((k) => `secret ${k}`)];
  }

  /** close stops every ConfigMap and Secret watch (the Service informer stops with run's signal). */
  close(): void {
    this.#configMaps.close();
    this.#secrets.close();
  }

  #diff(ns: string, uid: string, next: Set<string>, prev: Set<string> | undefined, objects: Pick<WatchedObjects, 'addReference' | 'deleteReference'>): void {
    for (const name of next) if (!prev?.has(name)) objects.addReference(ns, name, uid);
    for (const name of prev ?? []) if (!next.has(name)) objects.deleteReference(ns, name, uid);
  }
}
