// SPDX-License-Identifier: Apache-2.0
/**
 * The `local-path` StorageClass every server starts with, as k3s ships
 * rancher's: the default class, WaitForFirstConsumer (a directory lives on
 * one node, so the claim must wait until a pod picks the node), Delete,
 * and expandable (a directory has no size to grow).
 */
import type { KubeObject } from '../api/index.js';
import { R, type Client } from '../client/index.js';
import { isAlreadyExists } from '../machinery/index.js';
import { ANN_DEFAULT_STORAGE_CLASS, LOCAL_PATH_PROVISIONER, type SC } from '../api/index.js';

/** LOCAL_PATH_CLASS is the name of the default StorageClass. */
export const LOCAL_PATH_CLASS = 'local-path';

/** localPathStorageClass builds the default StorageClass object. */
export function localPathStorageClass(): SC {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: LOCAL_PATH_CLASS, annotations: { [ANN_DEFAULT_STORAGE_CLASS]: 'true' } },
    provisioner: LOCAL_PATH_PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
    allowVolumeExpansion: true,
  };
}

/** ensureLocalPathStorageClass creates the class if missing; an existing one (maybe edited by the user) is kept as is. */
export async function ensureLocalPathStorageClass(client: Client): Promise<void> {
  try {
    await client.create<KubeObject>(R.storageclasses, localPathStorageClass());
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}
