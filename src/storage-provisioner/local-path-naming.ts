// SPDX-License-Identifier: Apache-2.0
/**
 * Names of provisioned volumes and their directories, as rancher's
 * local-path-provisioner: the PV is `pvc-<claim uid>` (upstream's
 * external-provisioner naming) and its directory under the node's storage
 * root is `pvc-<uid>_<namespace>_<name>`, so an operator can tell which
 * claim a directory belonged to.
 */
import { join } from 'node:path';
import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';

/** STORAGE_SUBDIR is the folder under a node's data dir that holds provisioned volumes. */
export const STORAGE_SUBDIR = 'storage';

/** provisionedVolumeName is the PV name for a claim: `pvc-<uid>`. */
export function provisionedVolumeName(claim: PersistentVolumeClaim): string {
  return `pvc-${claim.metadata?.uid ?? ''}`;
}

/** volumeDirName is the directory name for a claim's volume: `pvc-<uid>_<ns>_<name>`. */
export function volumeDirName(claim: PersistentVolumeClaim): string {
  return `${provisionedVolumeName(claim)}_${claim.metadata?.namespace ?? ''}_${claim.metadata?.name ?? ''}`;
}

/** storageRoot is where a node keeps provisioned volumes: `<node data dir>/storage`. */
export function storageRoot(nodeDataDir: string): string {
  return join(nodeDataDir, STORAGE_SUBDIR);
}

/** volumePath is the absolute directory of a claim's volume under a storage root. */
export function volumePath(root: string, claim: PersistentVolumeClaim): string {
  return join(root, volumeDirName(claim));
}
