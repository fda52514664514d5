// SPDX-License-Identifier: Apache-2.0
/**
 * renewNodeLease keeps the node's Lease in kube-node-lease fresh, as the
 * kubelet's nodelease controller does: holderIdentity is the node,
 * leaseDurationSeconds 40, renewTime bumped every 10 s, owned by the Node.
 */
import type { KubeObject } from '../api/object.js';
import { R, type Client } from '../client/client.js';
import { isNotFound } from '../machinery/errors.js';

/** NODE_LEASE_NAMESPACE is where node leases live. */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/** LEASE_DURATION_SECONDS is upstream's default node lease duration. */
export const LEASE_DURATION_SECONDS = 40;

function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/(\.\d{3})Z$/, '$1000Z');
}

/** renewNodeLease bumps (or creates) the node's Lease once. */
export async function renewNodeLease(client: Client, nodeName: string, nodeUid: string): Promise<void> {
  const renewTime = microTime(Date.now());
  try {
    await client.patch(R.leases, nodeName, 'merge', { spec: { renewTime, holderIdentity: nodeName } }, { namespace: NODE_LEASE_NAMESPACE });
  } catch (err) {
    if (!isNotFound(err)) throw err;
    const lease: KubeObject = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: nodeName, namespace: NODE_LEASE_NAMESPACE, ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUid }] },
      spec: { holderIdentity: nodeName, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime },
    };
    await client.create(R.leases, lease, { namespace: NODE_LEASE_NAMESPACE });
  }
}
