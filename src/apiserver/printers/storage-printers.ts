// SPDX-License-Identifier: Apache-2.0
/**
 * Tables of storage kinds: PersistentVolume, PersistentVolumeClaim and
 * StorageClass, as upstream's printers.go prints them.
 */
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { age, ageColumn, column, nameColumn, printer } from './columns.js';

/** The beta annotation that still overrides storageClassName, as upstream's GetPersistentVolume(Claim)Class. */
const BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';

/** persistentVolumeTableConvertor: NAME CAPACITY ACCESS MODES RECLAIM POLICY STATUS CLAIM STORAGECLASS VOLUMEATTRIBUTESCLASS REASON AGE, wide VOLUMEMODE. */
export const persistentVolumeTableConvertor = printer<PersistentVolume>(
  [
    nameColumn(),
    column('Capacity', 'string', 'Storage capacity of the volume.'),
    column('Access Modes', 'string', 'Access modes of the volume (RWO, ROX, RWX, RWOP).'),
    column('Reclaim Policy', 'string', 'What happens to the volume when its claim is released.'),
    column('Status', 'string', 'Phase of the volume.'),
    column('Claim', 'string', 'The claim bound to the volume, as namespace/name.'),
    column('StorageClass', 'string', 'StorageClass of the volume.'),
    column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the volume.'),
    column('Reason', 'string', 'Why the volume is in its phase, if known.'),
    ageColumn(),
    column('VolumeMode', 'string', 'Filesystem or Block.', 1),
  ],
  (pv, now) => {
    const claim = pv.spec?.claimRef ? `${pv.spec.claimRef.namespace ?? ''}/${pv.spec.claimRef.name ?? ''}` : '';
    return [
      pv.metadata?.name ?? '',
      pv.spec?.capacity?.storage ?? '0',
      accessModes(pv.spec?.accessModes),
      pv.spec?.persistentVolumeReclaimPolicy ?? '',
      pv.metadata?.deletionTimestamp ? 'Terminating' : (pv.status?.phase ?? ''),
      claim,
      betaClass(pv.metadata) ?? pv.spec?.storageClassName ?? '',
      pv.spec?.volumeAttributesClassName ?? '<unset>',
      pv.status?.reason ?? '',
      age(pv, now),
      pv.spec?.volumeMode ?? '<unset>',
    ];
  },
);

/** persistentVolumeClaimTableConvertor: NAME STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS VOLUMEATTRIBUTESCLASS AGE, wide VOLUMEMODE. */
export const persistentVolumeClaimTableConvertor = printer<PersistentVolumeClaim>(
  [
    nameColumn(),
    column('Status', 'string', 'Phase of the claim.'),
    column('Volume', 'string', 'Name of the volume bound to the claim.'),
    column('Capacity', 'string', 'Capacity of the bound volume.'),
    column('Access Modes', 'string', 'Access modes of the bound volume.'),
    column('StorageClass', 'string', 'StorageClass of the claim.'),
    column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the claim.'),
    ageColumn(),
    column('VolumeMode', 'string', 'Filesystem or Block.', 1),
  ],
  (pvc, now) => {
    const volumeName = pvc.spec?.volumeName ?? '';
    // Capacity and access modes describe the bound volume, so an unbound claim shows neither.
    const bound = volumeName !== '';
    return [
      pvc.metadata?.name ?? '',
      pvc.metadata?.deletionTimestamp ? 'Terminating' : (pvc.status?.phase ?? ''),
      volumeName,
      bound ? (pvc.status?.capacity?.storage ?? '0') : '',
      bound ? accessModes(pvc.status?.accessModes) : '',
      betaClass(pvc.metadata) ?? pvc.spec?.storageClassName ?? '',
      pvc.spec?.volumeAttributesClassName ?? '<unset>',
      age(pvc, now),
      pvc.spec?.volumeMode ?? '<unset>',
    ];
  },
);

/** storageClassTableConvertor: NAME PROVISIONER RECLAIMPOLICY VOLUMEBINDINGMODE ALLOWVOLUMEEXPANSION AGE; the default class is marked `(default)`. */
export const storageClassTableConvertor = printer<StorageClass>(
  [
    nameColumn(),
    column('Provisioner', 'string', 'Volume plugin that provisions volumes of this class.'),
    column('ReclaimPolicy', 'string', 'Reclaim policy of volumes this class provisions.'),
    column('VolumeBindingMode', 'string', 'When volumes are bound and provisioned: Immediate or WaitForFirstConsumer.'),
    column('AllowVolumeExpansion', 'string', 'Whether claims of this class may grow.'),
    ageColumn(),
  ],
  (sc, now) => {
    const a = sc.metadata?.annotations ?? {};
    const isDefault = a['storageclass.kubernetes.io/is-default-class'] === 'true' || a['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
    return [
      `${sc.metadata?.name ?? ''}${isDefault ? ' (default)' : ''}`,
      sc.provisioner ?? '',
      sc.reclaimPolicy ?? 'Delete',
      sc.volumeBindingMode ?? 'Immediate',
      sc.allowVolumeExpansion ?? false,
      age(sc, now),
    ];
  },
);

/** accessModes abbreviates access modes in upstream's fixed order, without duplicates. */
function accessModes(modes: string[] | undefined): string {
  const have = new Set(modes ?? []);
  const out: string[] = [];
  if (have.has('ReadWriteOnce')) out.push('RWO');
  if (have.has('ReadOnlyMany')) out.push('ROX');
  if (have.has('ReadWriteMany')) out.push('RWX');
  if (have.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

function betaClass(meta: ObjectMeta | undefined): string | undefined {
  return meta?.annotations?.[BETA_STORAGE_CLASS];
}
