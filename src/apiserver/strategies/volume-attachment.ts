// SPDX-License-Identifier: Apache-2.0
/**
 * The VolumeAttachment and CSIStorageCapacity strategies (upstream
 * pkg/registry/storage/volumeattachment and csistoragecapacity, validation in
 * pkg/apis/storage/validation). A VolumeAttachment asks an attacher to attach
 * one volume (a PV by name, or an inline spec) to one node; its spec never
 * changes and its status is written through the status subresource only. A
 * CSIStorageCapacity records what a storage class can still provision in a
 * node topology; the topology and class are fixed after creation.
 */
import { field, type FieldError } from '../../machinery/index.js';
import {
  canonicalQuantity,
  deepEqual,
  isDNS1123Subdomain,
  isPlainObject,
  isValidPathSegmentName,
  tryParseQuantity,
  validateLabelSelector,
  type KubeObject,
} from '../../api/index.js';
import type { VolumeAttachmentSpec, VolumeAttachmentStatus } from 'kubernetes-types/storage/v1.js';
import type { ResourceStrategy } from '../strategy.js';
import { validateCSIDriverName } from './csi.js';
import { validateAccessModes } from './persistent-volume-claim.js';

const MAX_ATTACHED_VOLUME_METADATA_SIZE = 256 * 1024;
const MAX_VOLUME_ERROR_MESSAGE_SIZE = 1024;
const FIELD_IMMUTABLE_ERROR_MSG = 'field is immutable';
const EXACTLY_ONE_SOURCE = 'must specify exactly one of inlineVolumeSpec and persistentVolumeName';

function vaSpec(obj: KubeObject): VolumeAttachmentSpec {
  return (obj.spec ?? {}) as VolumeAttachmentSpec;
}

/** validateInlineVolumeSpec is the inline-volume part of ValidatePersistentVolumeSpec (a CSI source, no capacity or claim). */
function validateInlineVolumeSpec(spec: unknown, path: string): FieldError[] {
  const s = isPlainObject(spec) ? spec : {};
  const errs: FieldError[] = [];
  if (s.claimRef != null) errs.push(field.forbidden(`${path}.claimRef`, 'may not be specified in the context of inline volumes'));
  if (isPlainObject(s.capacity) && Object.keys(s.capacity).length) errs.push(field.forbidden(`${path}.capacity`, 'may not be specified in the context of inline volumes'));
  if (s.csi == null) errs.push(field.required(`${path}.csi`, 'has to be specified in the context of inline volumes'));
  errs.push(...validateAccessModes(s.accessModes, `${path}.accessModes`));
  return errs;
}

/** validateVolumeAttachment is ValidateVolumeAttachment without the metadata (checked generically): spec and status. */
function validateVolumeAttachment(obj: KubeObject): FieldError[] {
  const spec = vaSpec(obj);
  const errs: FieldError[] = [];
  if (!spec.attacher) errs.push(field.required('spec.attacher', ''));
  const source = spec.source ?? {};
  const pvName = source.persistentVolumeName;
  const inline = source.inlineVolumeSpec;
  if (inline == null && pvName == null) errs.push(field.required('spec.source', EXACTLY_ONE_SOURCE));
  else if (inline != null && pvName != null) errs.push(field.forbidden('spec.source', EXACTLY_ONE_SOURCE));
  else if (pvName != null && pvName === '') errs.push(field.required('spec.source.persistentVolumeName', 'must specify non empty persistentVolumeName'));
  else if (inline != null) errs.push(...validateInlineVolumeSpec(inline, 'spec.source.inlineVolumeSpec'));
  const nodeName = spec.nodeName ?? '';
  for (const msg of isDNS1123Subdomain(nodeName)) errs.push(field.invalid('spec.nodeName', nodeName, msg));
  errs.push(...validateVolumeAttachmentStatus((obj.status ?? {}) as VolumeAttachmentStatus));
  return errs;
}

function validateVolumeAttachmentStatus(status: VolumeAttachmentStatus): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(status.attachmentMetadata ?? {})) size += k.length + String(v).length;
  if (size > MAX_ATTACHED_VOLUME_METADATA_SIZE) errs.push(field.tooLong('status.attachmentMetadata', undefined, MAX_ATTACHED_VOLUME_METADATA_SIZE));
  for (const which of ['attachError', 'detachError'] as const) {
    // Upstream reports the message's limit with the metadata size (sic).
    if ((status[which]?.message ?? '').length > MAX_VOLUME_ERROR_MESSAGE_SIZE) errs.push(field.tooLong(`status.${which}.message`, undefined, MAX_ATTACHED_VOLUME_METADATA_SIZE));
  }
  return errs;
}

/**
 * validateVolumeAttachmentV1 is what a v1 create checks beyond the rest: the
 * attacher is a CSI driver name and the PV name a valid PV name. Upstream's
 * Required for an empty attacher appears once in its aggregated message.
 */
function validateVolumeAttachmentV1(obj: KubeObject): FieldError[] {
  const spec = vaSpec(obj);
  const errs = validateCSIDriverName(spec.attacher, 'spec.attacher').filter((e) => !(e.type === 'FieldValueRequired'));
  const pvName = spec.source?.persistentVolumeName;
  if (pvName) for (const msg of isValidPathSegmentName(pvName)) errs.push(field.invalid('spec.source.persistentVolumeName', pvName, msg));
  return errs;
}

/** volumeAttachmentStrategy is the ResourceStrategy of storage.k8s.io/v1 VolumeAttachments. */
export const volumeAttachmentStrategy: ResourceStrategy = {
  validate(obj) {
    return [...validateVolumeAttachment(obj), ...validateVolumeAttachmentV1(obj)];
  },
  validateUpdate(obj, old) {
    // The spec is read-only, so the generation never moves.
    return deepEqual(obj.spec, old.spec) ? [] : [field.invalid('spec', obj.spec, FIELD_IMMUTABLE_ERROR_MSG)];
  },
  // The status strategy keeps spec and runs ValidateVolumeAttachmentUpdate (spec and status checks) on what it builds.
  validateStatusUpdate(obj) {
    return validateVolumeAttachment(obj);
  },
};

/** csiStorageCapacityStrategy is the ResourceStrategy of storage.k8s.io/v1 CSIStorageCapacities. */
export const csiStorageCapacityStrategy: ResourceStrategy = {
  default(obj) {
    for (const k of ['capacity', 'maximumVolumeSize']) if (obj[k] != null) obj[k] = canonicalQuantity(obj[k]);
  },
  validate(obj) {
    const errs = validateLabelSelector(obj.nodeTopology, 'nodeTopology');
    const className = typeof obj.storageClassName === 'string' ? obj.storageClassName : '';
    for (const msg of isDNS1123Subdomain(className)) errs.push(field.invalid('storageClassName', className, msg));
    if (obj.capacity != null) {
      const q = tryParseQuantity(obj.capacity);
      if (typeof q === 'string') errs.push(field.invalid('capacity', obj.capacity, q));
      else if (q.sign() < 0) errs.push(field.invalid('capacity', q.toString(), 'must be greater than or equal to 0'));
    }
    return errs;
  },
  validateUpdate(obj, old) {
    const errs: FieldError[] = [];
    if (!deepEqual(obj.nodeTopology, old.nodeTopology)) errs.push(field.invalid('nodeTopology', obj.nodeTopology ?? null, FIELD_IMMUTABLE_ERROR_MSG));
    if (obj.storageClassName !== old.storageClassName) errs.push(field.invalid('storageClassName', obj.storageClassName ?? '', FIELD_IMMUTABLE_ERROR_MSG));
    return errs;
  },
};
