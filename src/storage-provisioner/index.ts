// SPDX-License-Identifier: Apache-2.0
/**
 * The local-path storage provisioner: the default `local-path`
 * StorageClass and the controller that provisions directory volumes on the
 * node a pod landed on and removes them when their claim is gone. Other
 * components import only this module.
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import type { Client } from '../client/index.js';
import type { EventRecorder } from '../client/index.js';
import type { InformerFactory } from '../client/index.js';
import { LocalPathProvisioner, type NodeStorage } from './local-path-provisioner.js';
import { storageRoot } from './local-path-naming.js';
import { LocalVolumeDirectories } from './volume-directories.js';

export { LocalPathProvisioner, nodeOfVolume, type LocalPathProvisionerOptions, type NodeStorage } from './local-path-provisioner.js';
export { LocalVolumeDirectories, UnsafeVolumePathError, isUnder, type VolumeDirectories } from './volume-directories.js';
export { provisionedVolumeName, volumeDirName, volumePath, storageRoot, STORAGE_SUBDIR } from './local-path-naming.js';
export { ensureLocalPathStorageClass, localPathStorageClass, LOCAL_PATH_CLASS } from './local-path-storage-class.js';

/** NODE_DATA_DIR_ANNOTATION on a Node names its data dir when it differs from the server's (an agent on another machine). */
export const NODE_DATA_DIR_ANNOTATION = 'skiff.dev/data-dir';

/** localStorageFor serves every node from this machine's file system: `<node data dir>/storage`, the data dir being the node's annotation or the server's. */
export function localStorageFor(serverDataDir: string): (node: Node | undefined, nodeName: string) => NodeStorage {
  const cache = new Map<string, NodeStorage>();
  return (node) => {
    const root = storageRoot(node?.metadata?.annotations?.[NODE_DATA_DIR_ANNOTATION] ?? serverDataDir);
    let s = cache.get(root);
    if (!s) cache.set(root, (s = { root, dirs: new LocalVolumeDirectories(root) }));
    return s;
  };
}

/** newLocalPathProvisioner builds the provisioner over a shared informer factory, for the controller manager. */
export function newLocalPathProvisioner(opts: { client: Client; factory: InformerFactory; recorder: EventRecorder; dataDir: string; log?: (m: string) => void }): LocalPathProvisioner {
  return new LocalPathProvisioner({ ...opts, storageFor: localStorageFor(opts.dataDir) });
}
