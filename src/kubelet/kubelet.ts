// SPDX-License-Identifier: Apache-2.0
/**
 * Kubelet is Skiff's node agent core: it registers the Node and keeps its
 * status and Lease fresh, watches the pods bound to the node, and runs one
 * serialised worker per pod that drives CRI toward the pod spec (PodSyncer).
 * A relist of the runtime every second (upstream's PLEG) wakes the worker of
 * any pod whose containers changed. On start it re-adopts the sandboxes and
 * containers it finds (running pods survive an agent restart) and removes
 * those whose pods no longer exist.
 */
import { join } from 'node:path';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/index.js';
import { R, type Client } from '../client/index.js';
import { EventRecorder } from '../client/index.js';
import { SharedInformer } from '../client/index.js';
import type { ImageService, RuntimeService } from './cri/runtime-service.js';
import { DEFAULT_BACKOFF, type BackoffTimings } from './backoff.js';
import { CONTAINER_NAME_LABEL, POD_UID_LABEL } from './cri-labels.js';
import { ImagePuller } from './image-puller.js';
import { machineInfo, type MachineInfo } from './node-status.js';
import { allocatableOf, hardEvictionReservation } from './node-allocatable.js';
import type { NodeAllocatable } from './downward-api.js';
import { NodeStatusManager } from './node-status-manager.js';
import { PodSyncer } from './pod-sync.js';
import { PodWorkers } from './pod-workers.js';
import { ProbeManager } from './probe-manager.js';
import { podLogDirName } from './sandbox-config.js';
import { VolumeManager } from './volume-manager.js';
import { PodObjectManager } from './pod-objects.js';
import { removeCgroup } from './pod-cgroups.js';
import { Housekeeping, evictionThresholds, type HousekeepingConfig } from './housekeeping.js';
import { PAUSE_IMAGE } from '../images/index.js';

/** KubeletOptions configure a Kubelet. */
export interface KubeletOptions {
  client: Client;
  runtime: RuntimeService;
  images: ImageService;
  nodeName: string;
  /** dataDir holds pods/ (volumes) and logs/pods/ (container logs). */
  dataDir: string;
  /** hostIP is the node's InternalIP. */
  hostIP: string;
  /** podCIDR is written to spec.podCIDR when the node is registered without one. */
  podCIDR?: string;
  /** clusterDNS are the cluster DNS server IPs (default 10.43.0.10). */
  clusterDNS?: string[];
  clusterDomain?: string;
  /** cgroupRoot is the cgroup every pod lives under (default "/skiff"). */
  cgroupRoot?: string;
  crashBackoff?: BackoffTimings;
  imageBackoff?: BackoffTimings;
  relistIntervalMs?: number;
  resyncIntervalMs?: number;
  nodeStatusIntervalMs?: number;
  leaseIntervalMs?: number;
  /** kubeletPort is advertised in daemonEndpoints (default 10250). */
  kubeletPort?: number;
  /** housekeeping tunes eviction thresholds, garbage collection and log rotation (agent flags; tests inject fakes). */
  housekeeping?: HousekeepingConfig;
  log?: (msg: string) => void;
}

/** Kubelet runs the pods of one node through a CRI runtime. */
export class Kubelet {
  readonly runtime: RuntimeService;
  readonly images: ImageService;
  readonly nodeName: string;
  /** logRoot is the directory of pod log directories (upstream /var/log/pods). */
  readonly logRoot: string;
  readonly #o: KubeletOptions;
  readonly #machine: MachineInfo;
  /** allocatable is capacity minus reservations and hard eviction thresholds, fixed at start as upstream computes it once. */
  readonly #allocatable: NodeAllocatable;
  readonly #recorder: EventRecorder;
  readonly #syncer: PodSyncer;
  readonly #workers: PodWorkers;
  readonly #probes: ProbeManager;
  readonly #volumes: VolumeManager;
  /** objects caches what pods reference: watched ConfigMaps and Secrets, and every Service (pod-objects.ts). */
  readonly #objects: PodObjectManager;
  readonly #housekeeping: Housekeeping;
  readonly #timers: NodeJS.Timeout[] = [];
  #informer?: SharedInformer<KubeObject>;
  #abort = new AbortController();
  #nodeStatus!: NodeStatusManager;
  #lastRelist = new Map<string, string>();
  /** relistedPods are the pod uids the last relist found in the runtime; undefined until the first relist. */
  #relistedPods?: Set<string>;
  #relisting = false;
  #informerDone: Promise<void> = Promise.resolve();
  #objectsDone: Promise<void> = Promise.resolve();

  constructor(opts: KubeletOptions) {
    this.#o = opts;
    this.runtime = opts.runtime;
    this.images = opts.images;
    this.nodeName = opts.nodeName;
    this.logRoot = join(opts.dataDir, 'logs', 'pods');
    this.#machine = machineInfo(opts.dataDir);
    const hk = opts.housekeeping ?? {};
    this.#allocatable = allocatableOf(this.#machine, [hk.kubeReserved ?? {}, hk.systemReserved ?? {}, hardEvictionReservation(evictionThresholds(hk), this.#machine)]);
    this.#recorder = new EventRecorder(opts.client, 'kubelet', { host: opts.nodeName, log: opts.log });
    this.#probes = new ProbeManager(opts.runtime, this.#recorder, (uid) => this.#workers.trigger(uid));
    this.#volumes = new VolumeManager({
      client: opts.client, podsDir: join(opts.dataDir, 'pods'), memoryVolumesDir: join(opts.dataDir, 'memory-volumes'), node: this.#allocatable,
    });
    this.#objects = new PodObjectManager(opts.client, {
      changed: (uids) => uids.forEach((uid) => this.#workers.trigger(uid)), syncPeriodMs: this.#resyncMs, log: opts.log,
    });
    this.#syncer = new PodSyncer({
      client: opts.client, objects: this.#objects, runtime: opts.runtime, images: opts.images, recorder: this.#recorder,
      puller: new ImagePuller(opts.images, this.#recorder, opts.imageBackoff ?? DEFAULT_BACKOFF),
      probes: this.#probes, volumes: this.#volumes, crashBackoff: opts.crashBackoff ?? DEFAULT_BACKOFF,
      hostIP: opts.hostIP, logRoot: this.logRoot, cgroupRoot: this.cgroupRoot,
      dns: { servers: opts.clusterDNS ?? ['10.43.0.10'], domain: opts.clusterDomain ?? 'cluster.local' },
      node: this.#allocatable, log: (m) => this.#log(m), admit: (pod) => this.#housekeeping.eviction.admit(pod),
      inLastRelist: (uid) => this.#relistedPods?.has(uid),
    });
    this.#housekeeping = new Housekeeping({
      ...opts.housekeeping, runtime: opts.runtime, images: opts.images, dataDir: opts.dataDir, podsDir: join(opts.dataDir, 'pods'),
      logRoot: this.logRoot, cgroupRoot: this.cgroupRoot, pinnedImages: [PAUSE_IMAGE],
      knownPods: () => this.#knownPods(), removeOrphan: (uid) => this.#removeOrphan(uid), activePods: () => this.#activePods(),
      evictPod: async (pod, message, grace) => this.#evict(pod, message, grace),
      nodeEvent: (type, reason, message) => void this.#recorder.event({ apiVersion: 'v1', kind: 'Node', metadata: { name: this.nodeName, uid: this.nodeName } } as KubeObject, type, reason, message),
      conditionsChanged: () => void this.#nodeStatus?.update().catch((err) => this.#log(`kubelet: node status: ${(err as Error).message}`)),
      every: (ms, fn) => this.#every(ms, async () => void (await fn())), log: (m) => this.#log(m),
    });
    this.#workers = new PodWorkers({
      sync: (pod) => this.#syncer.sync(pod),
      removed: async (pod) => void (await this.#syncer.terminate(pod, false)),
      log: (m) => this.#log(m),
    });
  }

  get #resyncMs(): number {
    return this.#o.resyncIntervalMs ?? this.#o.housekeeping?.syncFrequencyMs ?? 10_000;
  }

  /** cgroupRoot is the cgroup all of this node's pods live under. */
  get cgroupRoot(): string {
    return this.#o.cgroupRoot ?? '/skiff';
  }

  /** podLogDir is `<logRoot>/<namespace>_<name>_<uid>`, the sandbox log_directory. */
  podLogDir(pod: Pod): string {
    return join(this.logRoot, podLogDirName(pod));
  }

  /** containerIdFor finds the newest (or, with previous, the one before) container of a pod by name. */
  async containerIdFor(podUid: string, containerName: string, opts: { previous?: boolean } = {}): Promise<string | undefined> {
    const { containers } = await this.runtime.listContainers({ filter: { label_selector: { [POD_UID_LABEL]: podUid, [CONTAINER_NAME_LABEL]: containerName } } });
    const sorted = [...containers].sort((a, b) => (BigInt(b.created_at) > BigInt(a.created_at) ? 1 : -1));
    return sorted[opts.previous ? 1 : 0]?.id;
  }

  /** start registers the node, re-adopts the runtime's pods and begins syncing. Resolves once the pod informer has synced. */
  async start(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.#abort.abort(), { once: true });
    const version = await this.runtime.version();
    this.#nodeStatus = new NodeStatusManager({
      client: this.#o.client, runtime: this.runtime, images: this.images, nodeName: this.nodeName, machine: this.#machine, allocatable: this.#allocatable, version,
      hostIP: this.#o.hostIP, podCIDR: this.#o.podCIDR, kubeletPort: this.#o.kubeletPort ?? 10250, log: (m) => this.#log(m),
      pressure: () => this.#housekeeping.eviction.conditions(),
    });
    await this.#nodeStatus.register();
    await this.#nodeStatus.renewLease();
    this.#every(this.#o.leaseIntervalMs ?? 10_000, () => this.#nodeStatus.renewLease());
    this.#every(this.#o.nodeStatusIntervalMs ?? 10_000, () => this.#nodeStatus.update());
    const informer = new SharedInformer<KubeObject>(this.#o.client, R.pods, { fieldSelector: `spec.nodeName=${this.nodeName}`, log: this.#o.log });
    this.#informer = informer;
    this.#objectsDone = this.#objects.run(this.#abort.signal);
    // A pod's references are registered before its worker syncs it, as upstream's pod manager does before dispatching.
    const updated = (p: Pod) => (this.#objects.updatePod(p), this.#workers.update(p));
    informer.addEventHandler({
      onAdd: (p) => updated(p as Pod),
      onUpdate: (_o, p) => updated(p as Pod),
      onDelete: (p) => (this.#objects.deletePod(p as Pod), this.#workers.remove(p as Pod)),
    });
    this.#informerDone = informer.run(this.#abort.signal);
    await informer.waitForSync(this.#abort.signal);
    await this.#removeOrphans();
    this.#every(this.#o.housekeeping?.orphanIntervalMs ?? 2000, () => this.#removeOrphans());
    this.#housekeeping.start();
    this.#every(this.#o.relistIntervalMs ?? 1000, () => this.#relist());
    this.#every(this.#resyncMs, () => this.#workers.triggerAll());
    this.#log(`kubelet: node ${this.nodeName} running (${version.runtime_name} ${version.runtime_version})`);
  }

  /**
   * stop ends syncing; pods keep running (upstream kubelet leaves them to the runtime), and so does the tmpfs of their
   * memory-backed volumes, which the next kubelet adopts; with no pod left in it, it is unmounted.
   */
  async stop(): Promise<void> {
    this.#abort.abort();
    for (const t of this.#timers) clearInterval(t);
    this.#workers.stop();
    this.#probes.stop();
    this.#objects.close();
    await Promise.all([this.#informerDone, this.#objectsDone]).catch(() => undefined);
    await this.#volumes.close().catch((err) => this.#log(`kubelet: memory-backed volumes: ${(err as Error).message}`));
  }

  /** removeAllPods stops and removes every pod sandbox in the runtime with its volumes and cgroups (for --cleanup-on-exit). */
  async removeAllPods(): Promise<void> {
    const { items } = await this.runtime.listPodSandbox();
    const uids = new Set(items.map((s) => s.labels?.[POD_UID_LABEL] ?? s.metadata?.uid ?? ''));
    for (const uid of uids) {
      const { containers } = await this.runtime.listContainers({ filter: { label_selector: { [POD_UID_LABEL]: uid } } });
      await Promise.all(containers.map((c) => this.runtime.stopContainer({ container_id: c.id, timeout: 0 }).catch(() => undefined)));
      await this.#syncer.removePodResources(uid);
    }
    for (const uid of this.#volumes.podUIDs()) await this.#volumes.tearDown(uid);
    await this.#volumes.close();
    removeCgroup(this.cgroupRoot);
    rmSync(this.logRoot, { recursive: true, force: true });
  }

  #every(ms: number, fn: () => Promise<void> | void): void {
    const t = setInterval(() => {
      void Promise.resolve()
        .then(fn)
        .catch((err) => this.#log(`kubelet: ${(err as Error).message}`));
    }, ms);
    this.#timers.push(t);
  }

  // PLEG: compare the runtime's container and sandbox states with the last relist; wake the pods that changed.
  async #relist(): Promise<void> {
    if (this.#relisting) return;
    this.#relisting = true;
    try {
      const [{ containers }, { items }] = await Promise.all([this.runtime.listContainers(), this.runtime.listPodSandbox()]);
      const now = new Map<string, string>();
      for (const c of containers) now.set(`c/${c.id}`, `${c.state}|${c.labels?.[POD_UID_LABEL] ?? ''}`);
      for (const s of items) now.set(`s/${s.id}`, `${s.state}|${s.labels?.[POD_UID_LABEL] ?? ''}`);
      const changed = new Set<string>();
      for (const [id, v] of now) if (this.#lastRelist.get(id) !== v) changed.add(v.split('|')[1]);
      for (const [id, v] of this.#lastRelist) if (!now.has(id)) changed.add(v.split('|')[1]);
      this.#lastRelist = now;
      this.#relistedPods = new Set([...now.values()].map((v) => v.split('|')[1]));
      for (const uid of changed) if (uid) this.#workers.trigger(uid);
    } finally {
      this.#relisting = false;
    }
  }

  /** housekeeping exposes the collectors and the eviction manager (tests, streaming). */
  get housekeeping(): Housekeeping {
    return this.#housekeeping;
  }

  // Pods bound here (the informer) or still handled by a worker; anything else in the runtime is an orphan.
  #knownPods(): Set<string> {
    return new Set([...(this.#informer?.list() ?? []).map((p) => p.metadata.uid ?? ''), ...this.#workers.uids()]);
  }

  #activePods(): Pod[] {
    return (this.#informer?.list() ?? []).map((p) => p as Pod).filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed'
      && !p.metadata?.deletionTimestamp && !this.#syncer.killRequested(p.metadata?.uid ?? ''));
  }

  // Upstream evictPod: an event on the pod, then killPodNow through the pod's worker with status Failed/Evicted.
  #evict(pod: Pod, message: string, gracePeriodSeconds: number): void {
    const uid = pod.metadata?.uid ?? '';
    void this.#recorder.event(pod as KubeObject, 'Warning', 'Evicted', message);
    this.#syncer.requestKill(uid, { reason: 'Evicted', message, disruption: true, gracePeriodSeconds });
    this.#workers.trigger(uid);
  }

  async #removeOrphan(uid: string): Promise<void> {
    const { containers } = await this.runtime.listContainers({ filter: { label_selector: { [POD_UID_LABEL]: uid } } });
    await Promise.all(containers.map((c) => this.runtime.stopContainer({ container_id: c.id, timeout: 2 }).catch(() => undefined)));
    await this.#syncer.removePodResources(uid);
  }

  // Runtime pods, volume and log directories of pods the API no longer has (deleted while the agent was down, or a lost datastore) are removed; the rest are re-adopted by their workers.
  async #removeOrphans(): Promise<void> {
    await this.#housekeeping.containerGC.removeOrphans();
    const known = this.#knownPods();
    for (const uid of this.#volumes.podUIDs()) if (!known.has(uid)) await this.#volumes.tearDown(uid);
    if (existsSync(this.logRoot)) {
      for (const dir of readdirSync(this.logRoot)) if (!known.has(dir.split('_').pop() ?? '')) rmSync(join(this.logRoot, dir), { recursive: true, force: true });
    }
  }

  #log(msg: string): void {
    this.#o.log?.(msg);
  }
}
