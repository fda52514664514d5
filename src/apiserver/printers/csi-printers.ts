// SPDX-License-Identifier: Apache-2.0
/**
 * Tables of the CSI kinds of storage.k8s.io: CSIDriver, CSINode and
 * VolumeAttachment, as upstream's printers.go prints them (upstream serves
 * CSIStorageCapacity with the default table, as Skiff does). A field left unset prints as its default would (a CSIDriver without
 * attachRequired requires attach), as upstream's printCSIDriver does.
 */
import type { CSIDriver, CSINode, VolumeAttachment } from 'kubernetes-types/storage/v1.js';
import { age, ageColumn, column, nameColumn, printer } from './columns.js';

/** csiDriverTableConvertor: NAME ATTACHREQUIRED PODINFOONMOUNT STORAGECAPACITY TOKENREQUESTS REQUIRESREPUBLISH MODES AGE. */
export const csiDriverTableConvertor = printer<CSIDriver>(
  [
    nameColumn(),
    column('AttachRequired', 'boolean', 'Whether the driver needs an attach operation (ControllerPublishVolume) before mounting.'),
    column('PodInfoOnMount', 'boolean', 'Whether the kubelet passes pod information to the driver when mounting.'),
    column('StorageCapacity', 'boolean', 'Whether the scheduler considers the CSIStorageCapacity objects of this driver.'),
    column('TokenRequests', 'string', "Audiences of the pods' service account tokens the kubelet passes to the driver."),
    column('RequiresRepublish', 'boolean', 'Whether the kubelet calls NodePublishVolume periodically.'),
    column('Modes', 'string', 'Volume lifecycle modes the driver supports.'),
    ageColumn(),
  ],
  (d, now) => {
    const spec = d.spec;
    const modes = (spec?.volumeLifecycleModes ?? []).join(',');
    // Unset tokenRequests prints <unset>; an empty list prints nothing.
    const tokenRequests = spec?.tokenRequests ? spec.tokenRequests.map((t) => t.audience).join(',') : '<unset>';
    return [
      d.metadata?.name ?? '',
      spec?.attachRequired ?? true,
      spec?.podInfoOnMount ?? false,
      spec?.storageCapacity ?? false,
      tokenRequests,
      spec?.requiresRepublish ?? false,
      modes || '<none>',
      age(d, now),
    ];
  },
);

/** csiNodeTableConvertor: NAME DRIVERS AGE. */
export const csiNodeTableConvertor = printer<CSINode>(
  [nameColumn(), column('Drivers', 'integer', 'How many CSI drivers have registered on the node.'), ageColumn()],
  (n, now) => [n.metadata?.name ?? '', n.spec?.drivers?.length ?? 0, age(n, now)],
);

/** volumeAttachmentTableConvertor: NAME ATTACHER PV NODE ATTACHED AGE. */
export const volumeAttachmentTableConvertor = printer<VolumeAttachment>(
  [
    nameColumn(),
    column('Attacher', 'string', 'The CSI driver that attaches the volume.'),
    column('PV', 'string', 'Name of the persistent volume to attach.'),
    column('Node', 'string', 'The node the volume is attached to.'),
    column('Attached', 'boolean', 'Whether the attach operation succeeded.'),
    ageColumn(),
  ],
  (va, now) => [va.metadata?.name ?? '', va.spec?.attacher ?? '', va.spec?.source?.persistentVolumeName ?? '', va.spec?.nodeName ?? '', va.status?.attached ?? false, age(va, now)],
);
