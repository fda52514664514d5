// SPDX-License-Identifier: Apache-2.0
/**
 * NodeStatusManager registers the kubelet's Node and keeps its status and
 * Lease fresh, as upstream kubelet_node_status.go: registerWithAPIServer,
 * then updateNodeStatus on change or at least every minute (the heartbeat),
 * the Lease renewed on its own period. Registration also creates the node's
 * CSINode when missing (csi-node.ts).
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/index.js';
import { deepEqual } from '../api/index.js';
import { R, renewNodeLease, type Client } from '../client/index.js';
import { isNotFound } from '../machinery/index.js';
import type { ImageService, RuntimeService } from './cri/runtime-service.js';
import type { VersionResponse } from './cri/cri-types.js';
import { newNode, nodeLabels, nodeStatus, type MachineInfo } from './node-status.js';
import type { NodeAllocatable } from './downward-api.js';
import { ensureCSINode } from './csi-node.js';

/** NodeStatusManagerOptions are what the node status is made of. */
export interface NodeStatusManagerOptions {
  client: Client;
  runtime: RuntimeService;
  images: ImageService;
  nodeName: string;
  machine: MachineInfo;
  allocatable: NodeAllocatable;
  version: VersionResponse;
  hostIP: string;
  podCIDR?: string;
  kubeletPort: number;
  /** pressure lists the pressure conditions currently True (the eviction manager's). */
  pressure?: () => Set<string>;
  log: (msg: string) => void;
}

/** NodeStatusManager keeps the Node object current. */
export class NodeStatusManager {
  readonly #o: NodeStatusManagerOptions;
  #nodeUid = '';

  constructor(opts: NodeStatusManagerOptions) {
    this.#o = opts;
  }

  /** register creates the Node, or reconciles labels, podCIDR and status of an existing one (a restart). */
  async register(): Promise<void> {
    const status = await this.#compute(undefined);
    try {
      const created = await this.#o.client.create(R.nodes, newNode(this.#o.nodeName, this.#o.podCIDR, status) as KubeObject);
      this.#nodeUid = created.metadata.uid ?? '';
      this.#o.log(`kubelet: registered node ${this.#o.nodeName}`);
      await ensureCSINode(this.#o.client, this.#o.nodeName, this.#nodeUid, this.#o.log);
      return;
    } catch (err) {
      if (!/already exists/i.test((err as Error).message)) throw err;
    }
    // Already registered (a restart): reconcile labels and podCIDR, then status.
    const existing = await this.#o.client.get<KubeObject & Node>(R.nodes, this.#o.nodeName);
    this.#nodeUid = existing.metadata.uid ?? '';
    const patch: Record<string, unknown> = { metadata: { labels: nodeLabels(this.#o.nodeName) } };
    if (!existing.spec?.podCIDR && this.#o.podCIDR) patch.spec = { podCIDR: this.#o.podCIDR, podCIDRs: [this.#o.podCIDR] };
    await this.#o.client.patch(R.nodes, this.#o.nodeName, 'merge', patch);
    await ensureCSINode(this.#o.client, this.#o.nodeName, this.#nodeUid, this.#o.log);
    await this.update();
  }

  async #compute(old: Node['status']): Promise<NonNullable<Node['status']>> {
    let ready = true;
    let problem = '';
    try {
      const st = await this.#o.runtime.status({}, { timeoutMs: 5000 });
      const bad = (st.status?.conditions ?? []).filter((c) => (c.type === 'RuntimeReady' || c.type === 'NetworkReady') && !c.status);
      if (bad.length) {
        ready = false;
        problem = bad.map((c) => `${c.type}=false reason:${c.reason} message:${c.message}`).join(', ');
      }
    } catch (err) {
      ready = false;
      problem = (err as Error).message;
    }
    const images = await this.#o.images.listImages().then((r) => r.images).catch(() => []);
    const now = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    return nodeStatus({
      machine: this.#o.machine, allocatable: this.#o.allocatable, hostIP: this.#o.hostIP, version: this.#o.version, runtimeReady: ready, runtimeProblem: problem,
      images, kubeletPort: this.#o.kubeletPort, now, pressure: this.#o.pressure?.(),
    }, old);
  }

  /** update posts the status when it changed or a heartbeat is due. */
  async update(): Promise<void> {
    const node = await this.#o.client.get<KubeObject & Node>(R.nodes, this.#o.nodeName).catch((err) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
    // A deleted Node stays deleted while this kubelet runs, as upstream's (it registers only at start):
    // re-creating it would hand the node a new podCIDR under running pods. A restart registers it again.
    if (!node) return this.#o.log(`kubelet: error updating node status: error getting node "${this.#o.nodeName}": nodes "${this.#o.nodeName}" not found`);
    const status = await this.#compute(node.status);
    const withoutBeats = (s: unknown) => JSON.parse(JSON.stringify(s ?? {}).replace(/"lastHeartbeatTime":"[^"]*"/g, '"lastHeartbeatTime":""'));
    // Upstream posts on change or at least every nodeStatusReportFrequency; heartbeats change every time, so compare without them.
    if (deepEqual(withoutBeats(node.status), withoutBeats(status)) && !this.#heartbeatDue(node)) return;
    await this.#o.client.update(R.nodes, { ...node, status } as KubeObject, { subresource: 'status' });
  }

  #heartbeatDue(node: Node): boolean {
    const beat = node.status?.conditions?.find((c) => c.type === 'Ready')?.lastHeartbeatTime;
    return !beat || Date.now() - Date.parse(beat) > 60_000;
  }

  /** renewLease renews the node Lease. */
  async renewLease(): Promise<void> {
    await renewNodeLease(this.#o.client, this.#o.nodeName, this.#nodeUid);
  }
}
