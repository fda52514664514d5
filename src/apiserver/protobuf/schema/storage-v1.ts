// SPDX-License-Identifier: Apache-2.0
/**
 * Protobuf field table of storage.k8s.io/v1 (Kubernetes 1.32): only the messages reachable
 * from the kinds this server decodes. Notation is described in ./field-spec.ts.
 */
import type { SchemaPackage } from './field-spec.js';

/** STORAGE_V1 lists the storage.k8s.io/v1 messages by name, in the notation of field-spec.ts. */
export const STORAGE_V1: SchemaPackage = {
  pkg: 'storage',
  apiVersion: 'storage.k8s.io/v1',
  kinds: ['StorageClass', 'CSIDriver', 'CSINode', 'CSIStorageCapacity', 'VolumeAttachment'],
  messages: {
    CSIDriver: 'metadata=1:meta.ObjectMeta spec=2:CSIDriverSpec!',
    CSIDriverSpec:
      'attachRequired=1:bool? podInfoOnMount=2:bool? volumeLifecycleModes=3:[]string storageCapacity=4:bool? ' +
      'fsGroupPolicy=5:string? tokenRequests=6:[]TokenRequest requiresRepublish=7:bool? seLinuxMount=8:bool?',
    CSINode: 'metadata=1:meta.ObjectMeta spec=2:CSINodeSpec!',
    CSINodeDriver:
      'name=1:string! nodeID=2:string! topologyKeys=3:[]string allocatable=4:VolumeNodeResources?',
    CSINodeSpec: 'drivers=1:[]CSINodeDriver',
    CSIStorageCapacity:
      'metadata=1:meta.ObjectMeta nodeTopology=2:meta.LabelSelector? storageClassName=3:string! ' +
      'capacity=4:quantity? maximumVolumeSize=5:quantity?',
    StorageClass:
      'metadata=1:meta.ObjectMeta provisioner=2:string! parameters=3:{string} reclaimPolicy=4:string? ' +
      'mountOptions=5:[]string allowVolumeExpansion=6:bool? volumeBindingMode=7:string? ' +
      'allowedTopologies=8:[]core.TopologySelectorTerm',
    TokenRequest: 'audience=1:string! expirationSeconds=2:int64?',
    VolumeAttachment:
      'metadata=1:meta.ObjectMeta spec=2:VolumeAttachmentSpec! status=3:VolumeAttachmentStatus',
    VolumeAttachmentSource: 'persistentVolumeName=1:string? inlineVolumeSpec=2:core.PersistentVolumeSpec?',
    VolumeAttachmentSpec: 'attacher=1:string! source=2:VolumeAttachmentSource! nodeName=3:string!',
    VolumeAttachmentStatus:
      'attached=1:bool! attachmentMetadata=2:{string} attachError=3:VolumeError? detachError=4:VolumeError?',
    VolumeError: 'time=1:time message=2:string',
    VolumeNodeResources: 'count=1:int32?',
  },
};
