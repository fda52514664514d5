// SPDX-License-Identifier: Apache-2.0
/**
 * NodeLifecycleController watches node heartbeats (Leases and the Ready
 * condition). A node silent for longer than the grace period gets Unknown
 * conditions, the unreachable taints and its pods marked not Ready; a
 * NotReady node gets the not-ready taints; pods that do not tolerate a
 * node's NoExecute taints are evicted (upstream pkg/controller/
 * nodelifecycle with the taint-eviction controller).
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/index.js';
import { R, type Client } from '../../client/index.js';
import { EventRecorder } from '../../client/index.js';
import { InformerFactory, splitKey, type SharedInformer } from '../../client/index.js';
import { systemClock, WorkQueue, type Clock } from '../../client/index.js';
import { isConflict, isNotFound, rfc3339 } from '../../machinery/index.js';
import { desiredTaints, lastHeartbeatMs, unknownConditions } from './node-health.js';
import { evictionDecision } from './taint-eviction.js';
import { ComponentLifecycle } from '../../machinery/index.js';

/** NodeLifecycleOptions configures the controller; all times are options so tests run fast. */
export interface NodeLifecycleOptions {
  /** nodeMonitorGracePeriodMs: silence after which a node is Unknown (default 40 s, upstream --node-monitor-grace-period). */
  nodeMonitorGracePeriodMs?: number;
  /** nodeMonitorPeriodMs: how often heartbeats are checked (default 5 s, upstream --node-monitor-period). */
  nodeMonitorPeriodMs?: number;
  informers?: InformerFactory;
  recorder?: EventRecorder;
  clock?: Clock;
  log?: (msg: string) => void;
}

const NODE_PREFIX = 'node:';
const POD_PREFIX = 'pod:';

/** NodeLifecycleController is the node lifecycle and taint eviction controller. */
export class NodeLifecycleController {
  readonly name = 'node-lifecycle-controller';
  readonly queue: WorkQueue;
  readonly #client: Client;
  readonly #opts: NodeLifecycleOptions;
  readonly #clock: Clock;
  readonly #recorder: EventRecorder;
  #nodes?: SharedInformer<KubeObject & Node>;
  #leases?: SharedInformer;
  #pods?: SharedInformer<KubeObject & Pod>;
  readonly #lifecycle = new ComponentLifecycle();
  #monitorTimer?: unknown;
  #workers: Promise<void>[] = [];

  constructor(client: Client, opts: NodeLifecycleOptions = {}) {
    this.#client = client;
    this.#opts = opts;
    this.#clock = opts.clock ?? systemClock;
    this.#recorder = opts.recorder ?? new EventRecorder(client, 'node-controller', { log: opts.log });
    this.queue = new WorkQueue({ clock: this.#clock, baseDelayMs: 100, maxDelayMs: 10_000 });
  }

  /** start wires informers, waits for sync, then starts the monitor and workers. */
  async start(signal: AbortSignal): Promise<void> {
    const run = this.#lifecycle.begin(signal);
    const informers = this.#opts.informers ?? new InformerFactory(this.#client, { log: this.#opts.log });
    this.#nodes = informers.informer<KubeObject & Node>(R.nodes);
    this.#leases = informers.informer(R.leases, { namespace: 'kube-node-lease' });
    this.#pods = informers.informer<KubeObject & Pod>(R.pods);
    this.#pods.addIndexer('nodeName', (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []));
    this.#nodes.addEventHandler({ onAdd: (n) => this.#enqueueNode(n), onUpdate: (_o, n) => this.#enqueueNode(n) });
    this.#pods.addEventHandler({ onAdd: (p) => this.#enqueuePod(p), onUpdate: (_o, p) => this.#enqueuePod(p) });
    // Starting is idempotent per informer, so a shared factory is safe to start again here.
    informers.start(run);
    await informers.waitForSync(run);
    run.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    this.#workers = Array.from({ length: 4 }, () => this.#worker());
    this.#armMonitor();
  }

  /** stop ends the monitor and workers. */
  async stop(): Promise<void> {
    this.#lifecycle.stop();
    if (this.#monitorTimer) this.#clock.clearTimeout(this.#monitorTimer);
    this.queue.shutDown();
    await Promise.all(this.#workers);
  }

  #enqueueNode(n: Node): void {
    this.queue.add(NODE_PREFIX + (n.metadata?.name ?? ''));
  }

  #enqueuePod(p: Pod): void {
    const node = p.spec?.nodeName ? this.#nodes?.get(p.spec.nodeName) : undefined;
    if (node?.spec?.taints?.some((t) => t.effect === 'NoExecute')) this.queue.add(`${POD_PREFIX}${p.metadata?.namespace}/${p.metadata?.name}`);
  }

  /** The monitor re-checks every node: a heartbeat that stops produces no event, only silence. */
  #armMonitor(): void {
    this.#monitorTimer = this.#clock.setTimeout(() => {
      for (const n of this.#nodes?.list() ?? []) this.#enqueueNode(n);
      if (!this.#lifecycle.stopping) this.#armMonitor();
    }, this.#opts.nodeMonitorPeriodMs ?? 5000);
  }

  async #worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        if (key.startsWith(NODE_PREFIX)) await this.syncNode(key.slice(NODE_PREFIX.length));
        else await this.syncPod(key.slice(POD_PREFIX.length));
        this.queue.forget(key);
      } catch (err) {
        if (!isConflict(err)) this.#opts.log?.(`node-lifecycle: ${key}: ${(err as Error).message}`);
        this.queue.addRateLimited(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  /** syncNode marks a silent node Unknown, sets its taints from its Ready condition, and queues its pods for eviction checks. */
  async syncNode(name: string): Promise<void> {
    let node = this.#nodes?.get(name);
    if (!node) return;
    const now = this.#clock.now();
    const lease = this.#leases?.get(`kube-node-lease/${name}`) as { spec?: { renewTime?: string } } | undefined;
    const silentFor = now - lastHeartbeatMs(node, lease?.spec?.renewTime);
    if (silentFor > (this.#opts.nodeMonitorGracePeriodMs ?? 40_000)) {
      const conditions = unknownConditions(node, now);
      if (conditions) {
        node = (await this.#client.patch<KubeObject & Node>(R.nodes, name, 'merge', { status: { conditions } }, { subresource: 'status' })) ?? node;
        void this.#recorder.event(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
        await this.#markPodsNotReady(name);
      }
    }
    const taints = desiredTaints(node, now);
    if (taints) {
      node = await this.#client.patch<KubeObject & Node>(R.nodes, name, 'merge', { metadata: { resourceVersion: node.metadata.resourceVersion }, spec: { taints } });
    }
    if (node.spec?.taints?.some((t) => t.effect === 'NoExecute')) {
      for (const p of this.#pods?.byIndex('nodeName', name) ?? []) this.queue.add(`${POD_PREFIX}${p.metadata.namespace}/${p.metadata.name}`);
    }
  }

  /** markPodsNotReady sets Ready=False on the pods of a node that stopped reporting (upstream MarkPodsNotReady). */
  async #markPodsNotReady(nodeName: string): Promise<void> {
    for (const p of this.#pods?.byIndex('nodeName', nodeName) ?? []) {
      const conds = p.status?.conditions ?? [];
      if (!conds.some((c) => c.type === 'Ready' && c.status !== 'False')) continue;
      const now = rfc3339(this.#clock.now());
      const next = conds.map((c) => (c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: now } : c));
      try {
        await this.#client.patch(R.pods, p.metadata.name!, 'merge', { status: { conditions: next } }, { namespace: p.metadata.namespace, subresource: 'status' });
        void this.#recorder.event(p, 'Warning', 'NodeNotReady', 'Node is not ready');
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  /** syncPod evicts a pod whose node's NoExecute taints it does not (or no longer) tolerate. */
  async syncPod(key: string): Promise<void> {
    const pod = this.#pods?.get(key);
    if (!pod || pod.metadata.deletionTimestamp || !pod.spec?.nodeName) return;
    const node = this.#nodes?.get(pod.spec.nodeName);
    const now = this.#clock.now();
    const d = evictionDecision(pod, node?.spec?.taints ?? [], now);
    if (d.action === 'keep') return;
    if (d.action === 'wait') {
      this.queue.addAfter(POD_PREFIX + key, d.at - now);
      return;
    }
    const { namespace, name } = splitKey(key);
    void this.#recorder.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    const condition = { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: rfc3339(now) };
    try {
      await this.#client.patch(R.pods, name, 'strategic', { status: { conditions: [condition] } }, { namespace, subresource: 'status' });
      await this.#client.delete(R.pods, name, { namespace, preconditions: { uid: pod.metadata.uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
