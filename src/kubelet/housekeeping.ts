// SPDX-License-Identifier: Apache-2.0
/**
 * The kubelet's periodic housekeeping, on upstream's periods (the kubelet
 * itself sweeps orphaned pods every 2 s, HandlePodCleanups' period): node-pressure
 * eviction every 10 s (the eviction monitoring period), container log
 * rotation every 10 s, container GC every minute and image GC every 5
 * minutes (ContainerGCPeriod, ImageGCPeriod).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ImageService, RuntimeService } from './cri/runtime-service.js';
import { ContainerGC, type ContainerGCPolicy } from './container-gc.js';
import { POD_UID_LABEL } from './cri-labels.js';
import { EvictionManager, NodeSignalSource, parseThresholds, DEFAULT_EVICTION_HARD, type SignalSource, type Threshold } from './eviction/index.js';
import { ImageGC, type FsStats, type ImageGCPolicy } from './image-gc.js';
import { ContainerLogManager, type ContainerLogPolicy } from './logs/index.js';
import type { ResourceReservation } from './node-allocatable.js';

/** evictionThresholds are the hard thresholds (upstream's defaults unless configured) and the soft ones. */
export function evictionThresholds(c: HousekeepingConfig): Threshold[] {
  return [...(c.evictionHard ?? parseThresholds(DEFAULT_EVICTION_HARD)), ...(c.evictionSoft ?? [])];
}

/** HousekeepingConfig is what an operator can tune (agent flags) and tests inject. */
export interface HousekeepingConfig {
  /** evictionHard are the hard eviction thresholds (default upstream's DefaultEvictionHard). */
  evictionHard?: Threshold[];
  /** evictionSoft are the soft thresholds, each with its grace period (--eviction-soft, --eviction-soft-grace-period). */
  evictionSoft?: Threshold[];
  /** evictionMaxPodGracePeriodSeconds caps a soft eviction's grace period (--eviction-max-pod-grace-period, default 0). */
  evictionMaxPodGracePeriodSeconds?: number;
  evictionPressureTransitionMs?: number;
  /** kubeReserved and systemReserved are held back from node allocatable (--kube-reserved, --system-reserved). */
  kubeReserved?: ResourceReservation;
  systemReserved?: ResourceReservation;
  /** signalSource replaces the node's real measurements (tests). */
  signalSource?: SignalSource;
  containerGC?: ContainerGCPolicy;
  imageGC?: ImageGCPolicy;
  /** imageFsStats replaces the image filesystem's measurement for image GC (tests). */
  imageFsStats?: () => Promise<FsStats>;
  containerLog?: ContainerLogPolicy;
  /** syncFrequencyMs is the kubelet's periodic sync of every pod (--sync-frequency, default 10 s), read by the kubelet with the other flags' values. */
  syncFrequencyMs?: number;
  /** periods in ms: orphans 2 s (the kubelet sweeps them), eviction 10 s, logs 10 s, containers 60 s, images 300 s. */
  orphanIntervalMs?: number;
  evictionIntervalMs?: number;
  logRotationIntervalMs?: number;
  containerGCIntervalMs?: number;
  imageGCIntervalMs?: number;
}

/** HousekeepingOptions connect housekeeping to the kubelet. */
export interface HousekeepingOptions extends HousekeepingConfig {
  runtime: RuntimeService;
  images: ImageService;
  dataDir: string;
  podsDir: string;
  logRoot: string;
  cgroupRoot: string;
  pinnedImages: string[];
  /** knownPods are the uids bound here or still handled by a worker. */
  knownPods(): Set<string>;
  removeOrphan(uid: string): Promise<void>;
  activePods(): Pod[];
  evictPod(pod: Pod, message: string, gracePeriodSeconds: number): Promise<void>;
  nodeEvent(type: 'Normal' | 'Warning', reason: string, message: string): void;
  conditionsChanged(): void;
  every(ms: number, fn: () => Promise<unknown>): void;
  log(msg: string): void;
}

/** Housekeeping owns the collectors and the eviction manager. */
export class Housekeeping {
  readonly containerGC: ContainerGC;
  readonly imageGC: ImageGC;
  readonly logs: ContainerLogManager;
  readonly eviction: EvictionManager;
  readonly #o: HousekeepingOptions;

  constructor(o: HousekeepingOptions) {
    this.#o = o;
    this.containerGC = new ContainerGC({ runtime: o.runtime, policy: o.containerGC, knownPods: o.knownPods, removeOrphan: o.removeOrphan, log: o.log });
    this.imageGC = new ImageGC({
      runtime: o.runtime, images: o.images, policy: o.imageGC, pinned: o.pinnedImages, fsStats: o.imageFsStats, log: o.log,
      warn: (reason, msg) => o.nodeEvent('Warning', reason, msg),
    });
    this.logs = new ContainerLogManager({ runtime: o.runtime, policy: o.containerLog, log: o.log });
    const source = o.signalSource ?? new NodeSignalSource({
      runtime: o.runtime, images: o.images, dataDir: o.dataDir, podsDir: o.podsDir, logRoot: o.logRoot, cgroupRoot: o.cgroupRoot,
    });
    this.eviction = new EvictionManager({
      thresholds: evictionThresholds(o), source, activePods: o.activePods, evictPod: o.evictPod,
      conditionsChanged: o.conditionsChanged, pressureTransitionMs: o.evictionPressureTransitionMs, maxPodGracePeriodSeconds: o.evictionMaxPodGracePeriodSeconds, log: o.log,
      podCleanedUp: (pod) => podResourcesReclaimed(o.runtime, o.podsDir, pod.metadata?.uid ?? ''),
      reclaimer: {
        deleteUnusedContainers: async () => void (await this.containerGC.collect(true)),
        deleteUnusedImages: async () => void (await this.imageGC.deleteUnusedImages()),
      },
    });
  }

  /** start schedules every collector on its period. */
  start(): void {
    const o = this.#o;
    o.every(o.evictionIntervalMs ?? 10_000, () => this.eviction.synchronize());
    o.every(o.logRotationIntervalMs ?? 10_000, () => this.logs.rotateLogs());
    o.every(o.containerGCIntervalMs ?? 60_000, () => this.containerGC.collect());
    o.every(o.imageGCIntervalMs ?? 300_000, () => this.imageGC.garbageCollect());
  }
}

/** podResourcesReclaimed: the pod's volumes are torn down and none of its containers runs (upstream's podResourcesAreReclaimed, less the cgroup). */
async function podResourcesReclaimed(runtime: RuntimeService, podsDir: string, uid: string): Promise<boolean> {
  if (existsSync(join(podsDir, uid, 'volumes'))) return false;
  const { containers } = await runtime.listContainers({ filter: { label_selector: { [POD_UID_LABEL]: uid } } });
  return !containers.some((c) => c.state === 'CONTAINER_RUNNING');
}
