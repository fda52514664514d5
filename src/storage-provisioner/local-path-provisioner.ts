// SPDX-License-Identifier: Apache-2.0
/**
 * LocalPathProvisioner is Skiff's built-in external provisioner for
 * `skiff.dev/local-path`, behaving as rancher's local-path-provisioner
 * driven by sig-storage's external-provisioner library:
 * - a claim the binder handed to us (volume.kubernetes.io/storage-provisioner)
 *   whose node is known (volume.kubernetes.io/selected-node, set by the
 *   scheduler for WaitForFirstConsumer) gets a directory on that node and a
 *   hostPath PV `pvc-<uid>` pre-bound to it, with nodeAffinity to the node;
 *   the binder then completes the binding;
 * - a Released PV we provisioned with reclaimPolicy Delete has its
 *   directory removed on its node, then the PV object deleted.
 * Keys are `claim:<ns>/<name>` and `volume:<name>`.
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/index.js';
import { R, type Client } from '../client/index.js';
import type { EventRecorder } from '../client/index.js';
import type { InformerFactory, SharedInformer } from '../client/index.js';
import type { Clock } from '../client/index.js';
import { isAlreadyExists, isNotFound } from '../machinery/index.js';
import { Reconciler } from '../client/index.js';
import {
  ANN_PROVISIONED_BY, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER, claimClass, claimKey, LOCAL_PATH_PROVISIONER, VolumeEvents, type PV, type PVC, type SC,
} from '../api/index.js';
import { provisionedVolumeName, volumePath } from './local-path-naming.js';
import type { VolumeDirectories } from './volume-directories.js';

type NodeObject = KubeObject & Node;

/** NodeStorage is where one node keeps provisioned volumes and how to reach its file system. */
export interface NodeStorage {
  root: string;
  dirs: VolumeDirectories;
}

/** LocalPathProvisionerOptions are the provisioner's dependencies. */
export interface LocalPathProvisionerOptions {
  client: Client;
  factory: InformerFactory;
  recorder: EventRecorder;
  /** storageFor says where a node keeps volumes; undefined means the node cannot be reached (provisioning waits). */
  storageFor(node: Node | undefined, nodeName: string): NodeStorage | undefined;
  clock?: Clock;
  log?: (msg: string) => void;
}

/** HOSTNAME_LABEL is the node label rancher's volumes pin to. */
const HOSTNAME_LABEL = 'kubernetes.io/hostname';

/** LocalPathProvisioner provisions and deletes local-path volumes; see the file comment. */
export class LocalPathProvisioner extends Reconciler {
  readonly #o: LocalPathProvisionerOptions;
  readonly #claims: SharedInformer<PVC>;
  readonly #volumes: SharedInformer<PV>;
  readonly #classes: SharedInformer<SC>;
  readonly #nodes: SharedInformer<NodeObject>;

  constructor(opts: LocalPathProvisionerOptions) {
    super({ name: 'local-path-provisioner', clock: opts.clock, log: opts.log });
    this.#o = opts;
    this.#claims = opts.factory.informer<PVC>(R.persistentvolumeclaims);
    this.#volumes = opts.factory.informer<PV>(R.persistentvolumes);
    this.#classes = opts.factory.informer<SC>(R.storageclasses);
    this.#nodes = opts.factory.informer<NodeObject>(R.nodes);
    const onClaim = (c: PVC): void => this.enqueue(`claim:${claimKey(c)}`);
    this.#claims.addEventHandler({ onAdd: onClaim, onUpdate: (_o, c) => onClaim(c) });
    const onVolume = (pv: PV): void => this.enqueue(`volume:${pv.metadata.name}`);
    this.#volumes.addEventHandler({ onAdd: onVolume, onUpdate: (_o, pv) => onVolume(pv) });
  }

  async sync(key: string): Promise<void> {
    const i = key.indexOf(':');
    const rest = key.slice(i + 1);
    if (key.startsWith('claim:')) {
      const claim = this.#claims.get(rest);
      if (claim) await this.syncClaim(claim);
    } else {
      const pv = this.#volumes.get(rest);
      if (pv) await this.syncVolume(pv);
    }
  }

  /** syncClaim provisions a volume for a claim handed to us, once its node is known. */
  async syncClaim(claim: PVC): Promise<void> {
    if (claim.spec?.volumeName || claim.metadata.deletionTimestamp) return;
    if (claim.metadata.annotations?.[ANN_STORAGE_PROVISIONER] !== LOCAL_PATH_PROVISIONER) return;
    const sc = this.#classes.get(claimClass(claim));
    if (!sc || sc.provisioner !== LOCAL_PATH_PROVISIONER) return;
    const nodeName = this.#nodeFor(claim, sc);
    if (!nodeName) return;
    const pvName = provisionedVolumeName(claim);
    if (this.#volumes.get(pvName)) return;
    const storage = this.#o.storageFor(this.#nodes.get(nodeName), nodeName);
    if (!storage) {
      void this.#o.recorder.event(claim, 'Warning', VolumeEvents.ProvisioningFailed, `failed to provision volume with StorageClass "${sc.metadata.name}": node "${nodeName}" cannot create volume directories`);
      return;
    }
    void this.#o.recorder.event(claim, 'Normal', VolumeEvents.Provisioning, `External provisioner is provisioning volume for claim "${claimKey(claim)}"`);
    const path = volumePath(storage.root, claim);
    try {
      await storage.dirs.create(path);
      await this.#o.client.create<PV>(R.persistentvolumes, this.#newVolume(claim, sc, nodeName, path));
    } catch (err) {
      if (isAlreadyExists(err)) return;
      void this.#o.recorder.event(claim, 'Warning', VolumeEvents.ProvisioningFailed, `failed to provision volume with StorageClass "${sc.metadata.name}": ${(err as Error).message}`);
      throw err;
    }
    void this.#o.recorder.event(claim, 'Normal', VolumeEvents.ProvisioningSucceeded, `Successfully provisioned volume ${pvName}`);
  }

  /** nodeFor is the selected node of a delayed claim, or for Immediate claims the first Ready node by name (rancher needs a node either way). */
  #nodeFor(claim: PVC, sc: SC): string | undefined {
    const selected = claim.metadata.annotations?.[ANN_SELECTED_NODE];
    if (selected || sc.volumeBindingMode === 'WaitForFirstConsumer') return selected;
    const ready = this.#nodes.list().filter((n) => !n.spec?.unschedulable && n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    return ready.map((n) => n.metadata.name!).sort()[0];
  }

  #newVolume(claim: PVC, sc: SC, nodeName: string, path: string): PV {
    const hostname = this.#nodes.get(nodeName)?.metadata.labels?.[HOSTNAME_LABEL] ?? nodeName;
    return {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: provisionedVolumeName(claim), annotations: { [ANN_PROVISIONED_BY]: LOCAL_PATH_PROVISIONER } },
      spec: {
        capacity: { storage: claim.spec!.resources!.requests!.storage },
        accessModes: claim.spec?.accessModes,
        persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
        storageClassName: sc.metadata.name,
        volumeMode: claim.spec?.volumeMode ?? 'Filesystem',
        mountOptions: sc.mountOptions,
        hostPath: { path, type: 'DirectoryOrCreate' },
        claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid, resourceVersion: claim.metadata.resourceVersion },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: HOSTNAME_LABEL, operator: 'In', values: [hostname] }] }] } },
      },
    };
  }

  /** syncVolume deletes a Released volume we provisioned whose policy is Delete: directory first, then the object. */
  async syncVolume(pv: PV): Promise<void> {
    if (pv.metadata.annotations?.[ANN_PROVISIONED_BY] !== LOCAL_PATH_PROVISIONER) return;
    if (pv.status?.phase !== 'Released' || pv.spec?.persistentVolumeReclaimPolicy !== 'Delete' || pv.metadata.deletionTimestamp) return;
    const path = pv.spec.hostPath?.path ?? pv.spec.local?.path;
    const nodeName = nodeOfVolume(pv, this.#nodes.list());
    const storage = nodeName ? this.#o.storageFor(this.#nodes.get(nodeName), nodeName) : undefined;
    try {
      if (!path || !storage) throw new Error(`no way to reach node "${nodeName ?? '?'}" to remove ${path ?? 'the volume directory'}`);
      await storage.dirs.remove(path);
    } catch (err) {
      void this.#o.recorder.event(pv, 'Warning', VolumeEvents.VolumeFailedDelete, (err as Error).message);
      throw err;
    }
    try {
      await this.#o.client.delete(R.persistentvolumes, pv.metadata.name!);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

/** nodeOfVolume reads the node a volume is pinned to from its nodeAffinity (hostname label or metadata.name). */
export function nodeOfVolume(pv: PV, nodes: readonly Node[]): string | undefined {
  for (const term of pv.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? []) {
    for (const e of term.matchExpressions ?? []) {
      if (e.key !== HOSTNAME_LABEL || e.operator !== 'In' || e.values?.length !== 1) continue;
      const byLabel = nodes.find((n) => n.metadata?.labels?.[HOSTNAME_LABEL] === e.values![0]);
      return byLabel?.metadata?.name ?? e.values[0];
    }
    for (const f of term.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}
