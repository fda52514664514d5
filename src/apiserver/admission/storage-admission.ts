// SPDX-License-Identifier: Apache-2.0
/**
 * The storage admission plugins upstream enables by default, for the API
 * server's chain:
 * - DefaultStorageClass (plugin/pkg/admission/storage/storageclass/setdefault):
 *   a claim created without storageClassName (absent, not "") gets the
 *   default class; with several defaults the newest wins, as since 1.26.
 * - StorageObjectInUseProtection (.../storageobjectinuseprotection): new
 *   claims and volumes get their protection finalizer at once.
 * - PersistentVolumeClaimResize (.../persistentvolume/resize): a larger
 *   request is refused unless the claim's class allows expansion.
 */
import type { KubeObject } from '../../api/index.js';
import type { AdmissionPlugin } from './admission.js';
import type { APIRegistry } from '../registry/api-registry.js';
import { newContext, SYSTEM_USER } from '../registry/request-context.js';
import { newForbidden, compareStrings } from '../../machinery/index.js';
import { ANN_BETA_STORAGE_CLASS, ANN_DEFAULT_STORAGE_CLASS, claimClass, PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER, type PVC, type SC } from '../../api/index.js';
import { claimRequest } from '../../api/index.js';

/** RESIZE_FORBIDDEN is upstream's refusal of a resize the class does not allow. */
export const RESIZE_FORBIDDEN = 'only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize';

/** pickDefaultClass returns the default StorageClass among classes (newest first on ties, then name), or undefined. */
export function pickDefaultClass(classes: readonly SC[]): SC | undefined {
  const defaults = classes.filter((c) => c.metadata.annotations?.[ANN_DEFAULT_STORAGE_CLASS] === 'true' || c.metadata.annotations?.['storageclass.beta.kubernetes.io/is-default-class'] === 'true');
  defaults.sort((a, b) => compareStrings(b.metadata.creationTimestamp ?? '', a.metadata.creationTimestamp ?? '') || compareStrings(a.metadata.name ?? '', b.metadata.name ?? ''));
  return defaults[0];
}

async function listClasses(api: APIRegistry): Promise<SC[]> {
  return (await api.require('storage.k8s.io', 'v1', 'storageclasses').list(newContext(SYSTEM_USER), {})).items as SC[];
}

/** defaultStorageClassAdmission is upstream's DefaultStorageClass plugin. */
export function defaultStorageClassAdmission(api: APIRegistry): AdmissionPlugin {
  return {
    name: 'DefaultStorageClass',
    handles: (r, sub, op) => r.group === '' && r.kind === 'PersistentVolumeClaim' && !sub && op === 'CREATE',
    async admit({ object }) {
      const claim = object as PVC;
      const spec = (claim.spec ?? {}) as { storageClassName?: string | null };
      if ((spec.storageClassName !== undefined && spec.storageClassName !== null) || claim.metadata.annotations?.[ANN_BETA_STORAGE_CLASS] !== undefined) return;
      const def = pickDefaultClass(await listClasses(api));
      if (!def) return;
      spec.storageClassName = def.metadata.name;
      (object as KubeObject & { spec: unknown }).spec = spec;
    },
  };
}

/** storageObjectInUseProtectionAdmission is upstream's StorageObjectInUseProtection plugin. */
export function storageObjectInUseProtectionAdmission(): AdmissionPlugin {
  return {
    name: 'StorageObjectInUseProtection',
    handles: (r, sub, op) => r.group === '' && (r.kind === 'PersistentVolumeClaim' || r.kind === 'PersistentVolume') && !sub && op === 'CREATE',
    admit({ object }) {
      const finalizer = object.kind === 'PersistentVolume' ? PV_PROTECTION_FINALIZER : PVC_PROTECTION_FINALIZER;
      const finalizers = object.metadata.finalizers ?? [];
      if (!finalizers.includes(finalizer)) object.metadata.finalizers = [...finalizers, finalizer];
    },
  };
}

/** persistentVolumeClaimResizeAdmission is upstream's PersistentVolumeClaimResize plugin. */
export function persistentVolumeClaimResizeAdmission(api: APIRegistry): AdmissionPlugin {
  return {
    name: 'PersistentVolumeClaimResize',
    handles: (r, sub, op) => r.group === '' && r.kind === 'PersistentVolumeClaim' && !sub && op === 'UPDATE',
    async validate({ object, oldObject }) {
      const claim = object as PVC;
      const old = oldObject as PVC | undefined;
      if (!old || claimRequest(claim).cmp(claimRequest(old)) <= 0) return;
      const className = claimClass(claim);
      const sc = className ? (await listClasses(api)).find((c) => c.metadata.name === className) : undefined;
      if (!sc?.allowVolumeExpansion) throw newForbidden({ group: '', resource: 'persistentvolumeclaims' }, claim.metadata.name ?? '', RESIZE_FORBIDDEN);
    },
  };
}

/** storageAdmissionPlugins lists the three plugins in upstream's order. */
export function storageAdmissionPlugins(api: APIRegistry): AdmissionPlugin[] {
  return [defaultStorageClassAdmission(api), storageObjectInUseProtectionAdmission(), persistentVolumeClaimResizeAdmission(api)];
}
