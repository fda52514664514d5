// SPDX-License-Identifier: Apache-2.0
/**
 * Node leases in kube-node-lease, as the kubelet's node lease controller
 * keeps them (pkg/kubelet/nodelease over component-helpers' lease code):
 * holderIdentity is the node, renewTime bumped each renewal, the Lease owned
 * by its Node. The kubelet renews its own node's lease; the simulated nodes
 * renew many.
 */
import type { KubeObject } from '../api/index.js';
import { isNotFound } from '../machinery/index.js';
import { R, type Client } from './client.js';

/** NODE_LEASE_NAMESPACE is where node leases live. */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/** LEASE_DURATION_SECONDS is upstream's default node lease duration. */
export const LEASE_DURATION_SECONDS = 40;

/** microTime formats a MicroTime (RFC 3339 with microseconds), as Lease.spec.renewTime uses. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/(\.\d{3})Z$/, '$1000Z');
}

/** NodeLeaseOptions: when the renewal happens and, for a new Lease, how long it lasts. */
export interface NodeLeaseOptions {
  nowMs?: number;
  leaseDurationSeconds?: number;
}

/** renewNodeLease bumps the node's Lease once, creating it when it does not exist. */
export async function renewNodeLease(client: Client, nodeName: string, nodeUid: string, opts: NodeLeaseOptions = {}): Promise<void> {
  const renewTime = microTime(opts.nowMs ?? Date.now());
  try {
    await client.patch(R.leases, nodeName, 'merge', { spec: { renewTime, holderIdentity: nodeName } }, { namespace: NODE_LEASE_NAMESPACE });
  } catch (err) {
    if (!isNotFound(err)) throw err;
    const lease: KubeObject = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: nodeName, namespace: NODE_LEASE_NAMESPACE, ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUid }] },
      spec: { holderIdentity: nodeName, leaseDurationSeconds: opts.leaseDurationSeconds ?? LEASE_DURATION_SECONDS, renewTime },
    };
    await client.create(R.leases, lease, { namespace: NODE_LEASE_NAMESPACE });
  }
}
