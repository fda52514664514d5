// SPDX-License-Identifier: Apache-2.0
/**
 * Scheduler places pods that name this scheduler and no node: it keeps a
 * SchedulerCache from the node and pod informers, takes pods from the
 * SchedulingQueue, runs the Framework, and binds through pods/binding,
 * as upstream's schedule_one.go. Binding is asynchronous (the pod is
 * assumed on its node first), so scheduling never waits on storage.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/index.js';
import { deepEqual } from '../api/index.js';
import { R, type Client } from '../client/index.js';
import { EventRecorder } from '../client/index.js';
import { InformerFactory, type SharedInformer } from '../client/index.js';
import type { Clock } from '../client/index.js';
import { isConflict, isNotFound } from '../machinery/index.js';
import { defaultProfile } from './default-plugins.js';
import { fitErrorMessage, NO_NODES_AVAILABLE, type Diagnosis } from './framework/fit-error.js';
import { Framework } from './framework/framework.js';
import { newPodInfo, podKey, type PodInfo } from './framework/pod-info.js';
import { preempt } from './preemption.js';
import { withResolvedPriority } from './priority.js';
import { SchedulerCache } from './scheduler-cache.js';
import { SchedulingQueue, type QueuedPod } from './scheduling-queue.js';
import { bindPod, evictVictim, recordUnschedulable } from './pod-updates.js';
import { VolumeBinding } from './plugins/volume-binding.js';
import { ComponentLifecycle } from '../machinery/index.js';

/** DEFAULT_SCHEDULER_NAME is the spec.schedulerName this scheduler serves by default. */
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

/** DEFAULT_MAX_IN_FLIGHT_BINDINGS bounds memory, not throughput: see SchedulerOptions.maxInFlightBindings. */
export const DEFAULT_MAX_IN_FLIGHT_BINDINGS = 2048;

/** SchedulerOptions configures a Scheduler; every field has a default. */
export interface SchedulerOptions {
  schedulerName?: string;
  /** informers lets the scheduler share informers with other components (it starts its own otherwise). */
  informers?: InformerFactory;
  recorder?: EventRecorder;
  percentageOfNodesToScore?: number;
  /**
   * maxInFlightBindings caps concurrent binding writes (default 2048).
   * Upstream binds each pod in its own goroutine with no cap; a low cap here
   * starves binding whenever other writers (5000 simulated nodes renewing
   * Leases) fill the write path, since a freed slot only refills on the
   * scheduling loop's next turn.
   */
  maxInFlightBindings?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** preemption can be turned off (upstream: disable the DefaultPreemption plugin). */
  preemption?: boolean;
  clock?: Clock;
  log?: (msg: string) => void;
}

/** SchedulerStats counts outcomes, for benchmarks and tests. */
export interface SchedulerStats {
  attempts: number;
  scheduled: number;
  unschedulable: number;
  bindErrors: number;
}

/** Scheduler is the default scheduler component. */
export class Scheduler {
  readonly name = 'scheduler';
  readonly cache = new SchedulerCache();
  readonly queue: SchedulingQueue;
  readonly stats: SchedulerStats = { attempts: 0, scheduled: 0, unschedulable: 0, bindErrors: 0 };
  readonly #client: Client;
  readonly #opts: SchedulerOptions;
  readonly #framework: Framework;
  readonly #recorder: EventRecorder;
  readonly #schedulerName: string;
  readonly #volumeBinding = new VolumeBinding();
  #informers?: InformerFactory;
  #priorityClasses?: SharedInformer;
  readonly #lifecycle = new ComponentLifecycle();
  #inFlight = 0;
  #slotWaiter?: () => void;
  #loop?: Promise<void>;

  constructor(client: Client, opts: SchedulerOptions = {}) {
    this.#client = client;
    this.#opts = opts;
    this.#schedulerName = opts.schedulerName ?? DEFAULT_SCHEDULER_NAME;
    this.#framework = new Framework({ ...defaultProfile(this.#volumeBinding), percentageOfNodesToScore: opts.percentageOfNodesToScore });
    this.#recorder = opts.recorder ?? new EventRecorder(client, this.#schedulerName, { log: opts.log });
    this.queue = new SchedulingQueue({ clock: opts.clock, initialBackoffMs: opts.initialBackoffMs, maxBackoffMs: opts.maxBackoffMs });
  }

  /** start wires the informers, waits for them to sync and starts the scheduling loop in the background. */
  async start(signal: AbortSignal): Promise<void> {
    const run = this.#lifecycle.begin(signal);
    const informers = this.#opts.informers ?? new InformerFactory(this.#client, { log: this.#opts.log });
    this.#informers = informers;
    this.#priorityClasses = informers.informer(R.priorityclasses);
    this.#volumeBinding.attach(informers, () => this.queue.moveAllToActiveOrBackoff());
    informers.informer<KubeObject & Node>(R.nodes).addEventHandler({
      onAdd: (n) => this.onNodeAdd(n),
      onUpdate: (o, n) => this.onNodeUpdate(o, n),
      onDelete: (n) => this.onNodeDelete(n),
    });
    informers.informer<KubeObject & Pod>(R.pods).addEventHandler({
      onAdd: (p) => this.onPodAdd(p),
      onUpdate: (o, p) => this.onPodUpdate(o, p),
      onDelete: (p) => this.onPodDelete(p),
    });
    // Starting is idempotent per informer, so a shared factory is safe to start again here.
    informers.start(run);
    await informers.waitForSync(run);
    this.#loop = this.#run(run);
  }

  /** stop ends the loop and waits for it. */
  async stop(): Promise<void> {
    this.#lifecycle.stop();
    this.queue.close();
    await this.#loop;
  }

  /** onNodeAdd, onNodeUpdate, onNodeDelete keep the cache current and wake pods a new or changed node may fit. */
  onNodeAdd(node: Node): void {
    this.cache.upsertNode(node);
    this.queue.moveAllToActiveOrBackoff();
  }

  onNodeUpdate(old: Node, node: Node): void {
    // Heartbeat-only updates change nothing a plugin reads.
    if (old !== node && deepEqual(old.spec, node.spec) && deepEqual(old.metadata?.labels, node.metadata?.labels) && deepEqual(old.status?.allocatable, node.status?.allocatable)) return;
    this.cache.upsertNode(node);
    this.queue.moveAllToActiveOrBackoff();
  }

  onNodeDelete(node: Node): void {
    this.cache.removeNode(node.metadata?.name ?? '');
  }

  /** onPodAdd, onPodUpdate, onPodDelete route bound pods to the cache and pending ones to the queue. */
  onPodAdd(pod: Pod): void {
    if (pod.spec?.nodeName) {
      this.queue.delete(podKey(pod));
      this.cache.upsertBoundPod(pod);
    } else if (this.#responsibleFor(pod)) {
      this.queue.add(this.#podInfo(pod));
    }
  }

  onPodUpdate(old: Pod, pod: Pod): void {
    if (pod.spec?.nodeName) {
      this.queue.delete(podKey(pod));
      const wasTerminal = isTerminal(old);
      this.cache.upsertBoundPod(pod);
      if (!wasTerminal && isTerminal(pod)) this.queue.moveAllToActiveOrBackoff();
      return;
    }
    if (!this.#responsibleFor(pod)) {
      this.queue.delete(podKey(pod));
      return;
    }
    // Status-only updates (ours, mostly) must not wake an unschedulable pod, or it would spin.
    if (this.queue.has(podKey(pod)) && deepEqual(old.spec, pod.spec) && deepEqual(old.metadata?.labels, pod.metadata?.labels)) {
      this.queue.refresh(this.#podInfo(pod));
      return;
    }
    this.queue.add(this.#podInfo(pod));
  }

  onPodDelete(pod: Pod): void {
    const key = podKey(pod);
    if (pod.spec?.nodeName) {
      this.cache.removePod(key);
      this.queue.moveAllToActiveOrBackoff();
    } else {
      this.queue.delete(key);
    }
  }

  #responsibleFor(pod: Pod): boolean {
    return (pod.spec?.schedulerName ?? DEFAULT_SCHEDULER_NAME) === this.#schedulerName && !pod.metadata?.deletionTimestamp && !isTerminal(pod);
  }

  #podInfo(pod: Pod): PodInfo {
    return newPodInfo(withResolvedPriority(pod, (name) => this.#priorityClasses?.get(name)?.value as number | undefined));
  }

  async #run(signal: AbortSignal): Promise<void> {
    let sliceStart = Date.now();
    while (!signal.aborted) {
      const qp = await this.queue.pop();
      if (!qp) return;
      if (this.#inFlight >= (this.#opts.maxInFlightBindings ?? DEFAULT_MAX_IN_FLIGHT_BINDINGS)) await new Promise<void>((r) => (this.#slotWaiter = r));
      try {
        this.scheduleOne(qp);
      } catch (err) {
        this.#opts.log?.(`scheduler: ${qp.info.key}: ${(err as Error).message}`);
        this.queue.requeueBackoff(qp);
      }
      // Give informer events and binding writes a turn: pop() resolves without yielding while pods are queued.
      if (Date.now() - sliceStart > 20) {
        await new Promise((r) => setImmediate(r));
        sliceStart = Date.now();
      }
    }
  }

  /** scheduleOne runs one synchronous scheduling cycle for a popped pod and starts its binding. */
  scheduleOne(qp: QueuedPod): void {
    this.stats.attempts++;
    const result = this.#framework.schedule(qp.info, this.cache);
    if (result.node) {
      this.cache.assume(qp.info, result.node.name);
      this.queue.done(qp.info.key);
      this.#startBinding(qp, result.node.name);
      return;
    }
    this.stats.unschedulable++;
    this.#handleFailure(qp, result.diagnosis);
  }

  #handleFailure(qp: QueuedPod, diagnosis: Diagnosis): void {
    const pod = qp.info.pod;
    let message = NO_NODES_AVAILABLE;
    if (this.cache.nodes.length) {
      if (this.#opts.preemption !== false) {
        const outcome = preempt(this.#framework, qp.info, this.cache, diagnosis);
        if ('message' in outcome) diagnosis.postFilterMsg = `preemption: ${outcome.message}`;
        else void this.#nominate(pod, outcome.nodeName, outcome.victims);
      }
      message = fitErrorMessage(this.cache.nodes.length, diagnosis);
    }
    void this.#recorder.event(pod as KubeObject, 'Warning', 'FailedScheduling', message);
    void recordUnschedulable(this.#client, pod, message).catch((err) => this.#opts.log?.(`scheduler: status of ${qp.info.key}: ${(err as Error).message}`));
    this.queue.requeueUnschedulable(qp);
  }

  async #nominate(pod: Pod, nodeName: string, victims: PodInfo[]): Promise<void> {
    try {
      await this.#client.patch(R.pods, pod.metadata!.name!, 'merge', { status: { nominatedNodeName: nodeName } }, { namespace: pod.metadata!.namespace, subresource: 'status' });
      for (const v of victims) {
        void this.#recorder.event(v.pod as KubeObject, 'Normal', 'Preempted', `Preempted by pod ${pod.metadata?.uid} on node ${nodeName}`);
        await evictVictim(this.#client, v.pod, this.#schedulerName);
      }
    } catch (err) {
      this.#opts.log?.(`scheduler: preemption for ${podKey(pod)}: ${(err as Error).message}`);
    }
  }

  #startBinding(qp: QueuedPod, nodeName: string): void {
    this.#inFlight++;
    const pod = qp.info.pod;
    this.#volumeBinding.preBind(this.#client, pod, this.cache.get(nodeName)?.node, nodeName, this.#lifecycle.signal)
      .then(() => bindPod(this.#client, pod, nodeName))
      .then(() => {
        this.stats.scheduled++;
        void this.#recorder.event(pod as KubeObject, 'Normal', 'Scheduled', `Successfully assigned ${podKey(pod)} to ${nodeName}`);
      })
      .catch((err: unknown) => {
        this.stats.bindErrors++;
        this.cache.forget(qp.info.key);
        // Gone, or bound by someone else: nothing left to do. Anything else: try again later.
        if (isNotFound(err) || isConflict(err)) return;
        this.#opts.log?.(`scheduler: binding ${qp.info.key} to ${nodeName}: ${(err as Error).message}`);
        this.queue.requeueAfterError(qp);
      })
      .finally(() => {
        this.#inFlight--;
        const w = this.#slotWaiter;
        this.#slotWaiter = undefined;
        w?.();
      });
  }
}

function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}
