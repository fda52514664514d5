// SPDX-License-Identifier: Apache-2.0
/**
 * The kubelet's CSINode: as upstream's CSI node info manager
 * (pkg/volume/csi/nodeinfomanager InitializeCSINodeWithAnnotation), a kubelet
 * creates the storage.k8s.io/v1 CSINode named after its node when it is
 * missing, with no drivers yet and owned by its Node (so it goes when the
 * Node is deleted). A CSI driver registering on the node would add itself to
 * spec.drivers; Skiff runs none, so the list stays empty, as on a kind or k3s
 * node without CSI drivers. Upstream also records the in-tree plugins
 * migrated to CSI in an annotation; Skiff has none of those plugins, so it
 * writes none.
 */
import type { KubeObject } from '../api/index.js';
import { R, type Client } from '../client/index.js';
import { isAlreadyExists } from '../machinery/index.js';

/** csiNodeFor builds the CSINode a kubelet registers for its Node. */
export function csiNodeFor(nodeName: string, nodeUid: string): KubeObject {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'CSINode',
    metadata: { name: nodeName, ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUid }] },
    spec: { drivers: [] },
  };
}

/**
 * ensureCSINode creates the node's CSINode unless it exists. A failure is
 * logged and not fatal: upstream's kubelet keeps running and retries in the
 * background, and nothing in Skiff's own volume handling reads the CSINode.
 */
export async function ensureCSINode(client: Client, nodeName: string, nodeUid: string, log: (msg: string) => void): Promise<void> {
  try {
    await client.create(R.csinodes, csiNodeFor(nodeName, nodeUid));
    log(`kubelet: registered CSINode ${nodeName}`);
  } catch (err) {
    if (isAlreadyExists(err)) return;
    log(`kubelet: failed to initialize CSINode ${nodeName}: ${(err as Error).message}`);
  }
}
