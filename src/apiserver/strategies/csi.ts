// SPDX-License-Identifier: Apache-2.0
/**
 * The CSIDriver and CSINode strategies (upstream pkg/registry/storage/csidriver
 * and csinode, validation in pkg/apis/storage/validation, defaults in
 * pkg/apis/storage/v1/defaults.go). A CSIDriver is defaulted to what a driver
 * that says nothing needs (attach required, no pod info, Persistent volumes);
 * attachRequired and volumeLifecycleModes are fixed after creation. A CSINode
 * is what a kubelet registers for its node; an entry of spec.drivers may be
 * added or removed but not changed.
 */
import { field, type FieldError } from '../../machinery/index.js';
import { deepEqual, isDNS1123Subdomain, isQualifiedName, validateImmutableField, validateNonnegativeField, type KubeObject } from '../../api/index.js';
import type { CSIDriverSpec, CSINodeDriver, CSINodeSpec } from 'kubernetes-types/storage/v1.js';
import type { ResourceStrategy } from '../strategy.js';

const CSI_DRIVER_NAME_MAX_LENGTH = 63;
// The kubelet accepts node IDs up to 192 characters since 1.19 (upstream's csiNodeIDLongerMaxLength; AllowLongNodeID is always set).
const CSI_NODE_ID_MAX_LENGTH = 192;
const LIFECYCLE_MODES = ['Persistent', 'Ephemeral'];
const FS_GROUP_POLICIES = ['File', 'None', 'ReadWriteOnceWithFSType'];
const MIN_TOKEN_EXPIRATION_SECONDS = 600;

/**
 * validateCSIDriverName is core's ValidateCSIDriverName (for a VolumeAttachment's
 * attacher and a CSINode's driver names): required, 63 characters at most, a
 * DNS subdomain once lower-cased. Upstream lists Required for an empty name
 * once more beside the subdomain message; its aggregated message drops the
 * repeat, as this does.
 */
export function validateCSIDriverName(name: unknown, path: string): FieldError[] {
  const s = typeof name === 'string' ? name : '';
  const errs: FieldError[] = [];
  if (!s) errs.push(field.required(path, ''));
  if (s.length > CSI_DRIVER_NAME_MAX_LENGTH) errs.push(field.tooLong(path, s, CSI_DRIVER_NAME_MAX_LENGTH));
  for (const msg of isDNS1123Subdomain(s.toLowerCase())) errs.push(field.invalid(path, s, msg));
  return errs;
}

function specOf<T>(obj: KubeObject): T {
  return (obj.spec ?? (obj.spec = {})) as T;
}

/** csiDriverStrategy is the ResourceStrategy of storage.k8s.io/v1 CSIDrivers. */
export const csiDriverStrategy: ResourceStrategy = {
  // SetDefaults_CSIDriver; seLinuxMount is defaulted because SELinuxMountReadWriteOncePod is on by default (beta since 1.28).
  default(obj) {
    const spec = specOf<CSIDriverSpec>(obj);
    spec.attachRequired ??= true;
    spec.podInfoOnMount ??= false;
    spec.storageCapacity ??= false;
    spec.fsGroupPolicy ??= 'ReadWriteOnceWithFSType';
    if (!spec.volumeLifecycleModes?.length) spec.volumeLifecycleModes = ['Persistent'];
    spec.requiresRepublish ??= false;
    spec.seLinuxMount ??= false;
  },
  validate(obj) {
    return validateCSIDriverSpec(specOf<CSIDriverSpec>(obj));
  },
  validateUpdate(obj, old) {
    const spec = specOf<CSIDriverSpec>(obj);
    const was = (old.spec ?? {}) as CSIDriverSpec;
    // Upstream's path says attachedRequired (sic).
    return [
      ...validateImmutableField(spec.attachRequired, was.attachRequired, 'spec.attachedRequired'),
      ...validateImmutableField(spec.volumeLifecycleModes, was.volumeLifecycleModes, 'spec.volumeLifecycleModes'),
    ];
  },
};

function validateCSIDriverSpec(spec: CSIDriverSpec): FieldError[] {
  const errs: FieldError[] = [];
  // Upstream's path says attachedRequired (sic).
  if (spec.attachRequired == null) errs.push(field.required('spec.attachedRequired', ''));
  if (spec.podInfoOnMount == null) errs.push(field.required('spec.podInfoOnMount', ''));
  if (spec.storageCapacity == null) errs.push(field.required('spec.storageCapacity', ''));
  if (spec.fsGroupPolicy != null && !FS_GROUP_POLICIES.includes(spec.fsGroupPolicy)) errs.push(field.notSupported('spec.fsGroupPolicy', spec.fsGroupPolicy, FS_GROUP_POLICIES));
  errs.push(...validateTokenRequests(spec.tokenRequests ?? []));
  for (const mode of spec.volumeLifecycleModes ?? []) {
    if (!LIFECYCLE_MODES.includes(mode)) errs.push(field.notSupported('spec.volumeLifecycleModes', mode, LIFECYCLE_MODES));
  }
  if (spec.seLinuxMount == null) errs.push(field.required('spec.seLinuxMount', ''));
  return errs;
}

/** validateTokenRequests: audiences are distinct, and a token lives between 10 minutes and 2^32 seconds. */
function validateTokenRequests(requests: NonNullable<CSIDriverSpec['tokenRequests']>): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  requests.forEach((r, i) => {
    const path = `spec.tokenRequests[${i}]`;
    if (seen.has(r.audience)) {
      errs.push(field.duplicate(`${path}.audience`, r.audience));
      return;
    }
    seen.add(r.audience);
    const secs = r.expirationSeconds;
    if (secs == null) return;
    if (secs < MIN_TOKEN_EXPIRATION_SECONDS) errs.push(field.invalid(`${path}.expirationSeconds`, secs, 'may not specify a duration less than 10 minutes'));
    if (secs > 2 ** 32) errs.push(field.invalid(`${path}.expirationSeconds`, secs, 'may not specify a duration larger than 2^32 seconds'));
  });
  return errs;
}

/** csiNodeStrategy is the ResourceStrategy of storage.k8s.io/v1 CSINodes. */
export const csiNodeStrategy: ResourceStrategy = {
  validate(obj) {
    return validateCSINodeDrivers(specOf<CSINodeSpec>(obj).drivers ?? []);
  },
  validateUpdate(obj, old) {
    // A driver entry that stays (same name) may not change (upstream ValidateCSINodeUpdate, 1.32's path).
    const errs: FieldError[] = [];
    const before = ((old.spec ?? {}) as CSINodeSpec).drivers ?? [];
    for (const now of specOf<CSINodeSpec>(obj).drivers ?? []) {
      const was = before.find((d) => d.name === now.name);
      if (was && !deepEqual(was, now)) errs.push(field.invalid('CSINodeDriver', now, 'field is immutable'));
    }
    return errs;
  },
};

function validateCSINodeDrivers(drivers: CSINodeDriver[]): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  drivers.forEach((d, i) => {
    const path = `spec.drivers[${i}]`;
    errs.push(...validateCSIDriverName(d.name, `${path}.name`));
    const nodeID = d.nodeID ?? '';
    if (!nodeID) errs.push(field.required(`${path}.nodeID`, ''));
    if (nodeID.length > CSI_NODE_ID_MAX_LENGTH) errs.push(field.invalid(`${path}.nodeID`, nodeID, `must be ${CSI_NODE_ID_MAX_LENGTH} characters or less`));
    errs.push(...validateNonnegativeField(d.allocatable?.count, `${path}.allocatable.count`));
    if (names.has(d.name)) errs.push(field.duplicate(`${path}.name`, d.name));
    names.add(d.name);
    const keys = new Set<string>();
    for (const key of d.topologyKeys ?? []) {
      if (!key) errs.push(field.required(path, ''));
      if (keys.has(key)) errs.push(field.duplicate(path, key));
      keys.add(key);
      for (const msg of isQualifiedName(key)) errs.push(field.invalid(path, key, msg));
    }
  });
  return errs;
}
