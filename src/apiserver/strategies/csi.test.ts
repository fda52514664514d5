// SPDX-License-Identifier: Apache-2.0
/** The storage.k8s.io CSI kinds: defaults, validation (upstream's paths and messages) and tables. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { fieldErrorMessage, type FieldError } from '../../machinery/index.js';
import { csiDriverStrategy, csiNodeStrategy } from './csi.js';
import { csiStorageCapacityStrategy, volumeAttachmentStrategy } from './volume-attachment.js';
import { csiDriverTableConvertor, csiNodeTableConvertor, volumeAttachmentTableConvertor } from '../printers/csi-printers.js';

const msgs = (errs: FieldError[] | undefined) => (errs ?? []).map(fieldErrorMessage);
const now = new Date('2024-05-01T12:00:00Z');
const created = new Date(now.getTime() - 90 * 1000).toISOString();
const obj = (name: string, body: object): KubeObject => ({ metadata: { name, creationTimestamp: created }, ...body });
const SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

test('a CSIDriver is defaulted as SetDefaults_CSIDriver and printed with its defaults', () => {
  const d = obj('hostpath.csi.k8s.io', {});
  csiDriverStrategy.default!(d);
  assert.deepEqual(d.spec, {
    attachRequired: true, podInfoOnMount: false, storageCapacity: false, fsGroupPolicy: 'ReadWriteOnceWithFSType',
    volumeLifecycleModes: ['Persistent'], requiresRepublish: false, seLinuxMount: false,
  });
  assert.deepEqual(msgs(csiDriverStrategy.validate!(d)), []);
  assert.deepEqual(csiDriverTableConvertor.columns.map((c) => c.name), ['Name', 'AttachRequired', 'PodInfoOnMount', 'StorageCapacity', 'TokenRequests', 'RequiresRepublish', 'Modes', 'Age']);
  assert.deepEqual(csiDriverTableConvertor.row(d, now), ['hostpath.csi.k8s.io', true, false, false, '<unset>', false, 'Persistent', '90s']);
  const set = obj('x', { spec: { attachRequired: false, podInfoOnMount: true, volumeLifecycleModes: ['Persistent', 'Ephemeral'], tokenRequests: [{ audience: 'a' }, { audience: 'b' }] } });
  assert.deepEqual(csiDriverTableConvertor.row(set, now), ['x', false, true, false, 'a,b', false, 'Persistent,Ephemeral', '90s']);
  // Nothing at all prints as upstream's printCSIDriver does for unset fields.
  assert.deepEqual(csiDriverTableConvertor.row(obj('bare', {}), now), ['bare', true, false, false, '<unset>', false, '<none>', '90s']);
});

test('CSIDriver validation: modes, fsGroupPolicy, token requests; attachRequired and modes are immutable', () => {
  const d = obj('d', { spec: { volumeLifecycleModes: ['Forever'], fsGroupPolicy: 'Any', tokenRequests: [{ audience: 'v', expirationSeconds: 60 }, { audience: 'v' }, { audience: 'w', expirationSeconds: 2 ** 33 }] } });
  csiDriverStrategy.default!(d);
  assert.deepEqual(msgs(csiDriverStrategy.validate!(d)), [
    'spec.fsGroupPolicy: Unsupported value: "Any": supported values: "File", "None", "ReadWriteOnceWithFSType"',
    'spec.tokenRequests[0].expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes',
    'spec.tokenRequests[1].audience: Duplicate value: "v"',
    'spec.tokenRequests[2].expirationSeconds: Invalid value: 8589934592: may not specify a duration larger than 2^32 seconds',
    'spec.volumeLifecycleModes: Unsupported value: "Forever": supported values: "Persistent", "Ephemeral"',
  ]);
  const old = obj('d', { spec: {} });
  csiDriverStrategy.default!(old);
  const next = obj('d', { spec: { attachRequired: false, volumeLifecycleModes: ['Ephemeral'], podInfoOnMount: true } });
  csiDriverStrategy.default!(next);
  assert.deepEqual(msgs(csiDriverStrategy.validateUpdate!(next, old)), [
    'spec.attachedRequired: Invalid value: false: field is immutable',
    'spec.volumeLifecycleModes: Invalid value: ["Ephemeral"]: field is immutable',
  ]);
});

test('a CSINode: drivers validated, an existing driver entry fixed; DRIVERS counts them', () => {
  const n = obj('node-1', { spec: { drivers: [] } });
  assert.deepEqual(msgs(csiNodeStrategy.validate!(n)), []);
  assert.deepEqual(csiNodeTableConvertor.columns.map((c) => c.name), ['Name', 'Drivers', 'Age']);
  assert.deepEqual(csiNodeTableConvertor.row(n, now), ['node-1', 0, '90s']);
  const bad = obj('node-1', {
    spec: { drivers: [{ name: 'Bad_Driver', nodeID: '' }, { name: 'ok.csi', nodeID: 'x'.repeat(193), allocatable: { count: -1 }, topologyKeys: ['zone', 'zone'] }, { name: 'ok.csi', nodeID: 'n' }] },
  });
  assert.deepEqual(msgs(csiNodeStrategy.validate!(bad)), [
    `spec.drivers[0].name: Invalid value: "Bad_Driver": ${SUBDOMAIN}`,
    'spec.drivers[0].nodeID: Required value',
    `spec.drivers[1].nodeID: Invalid value: "${'x'.repeat(193)}": must be 192 characters or less`,
    'spec.drivers[1].allocatable.count: Invalid value: -1: must be greater than or equal to 0',
    'spec.drivers[1]: Duplicate value: "zone"',
    'spec.drivers[2].name: Duplicate value: "ok.csi"',
  ]);
  assert.equal(csiNodeTableConvertor.row(bad, now)[1], 3);
  const before = obj('node-1', { spec: { drivers: [{ name: 'a.csi', nodeID: 'n1' }] } });
  const added = obj('node-1', { spec: { drivers: [{ name: 'a.csi', nodeID: 'n1' }, { name: 'b.csi', nodeID: 'n1' }] } });
  assert.deepEqual(msgs(csiNodeStrategy.validateUpdate!(added, before)), []);
  const changed = obj('node-1', { spec: { drivers: [{ name: 'a.csi', nodeID: 'n2' }] } });
  assert.deepEqual(msgs(csiNodeStrategy.validateUpdate!(changed, before)), ['CSINodeDriver: Invalid value: {"name":"a.csi","nodeID":"n2"}: field is immutable']);
});

test('a VolumeAttachment: one source, a node name, a CSI attacher; spec fixed; status checked on status writes', () => {
  const va = obj('va-1', { spec: { attacher: 'hostpath.csi.k8s.io', nodeName: 'node-1', source: { persistentVolumeName: 'pv-1' } } });
  assert.deepEqual(msgs(volumeAttachmentStrategy.validate!(va)), []);
  assert.deepEqual(volumeAttachmentTableConvertor.columns.map((c) => c.name), ['Name', 'Attacher', 'PV', 'Node', 'Attached', 'Age']);
  assert.deepEqual(volumeAttachmentTableConvertor.row(va, now), ['va-1', 'hostpath.csi.k8s.io', 'pv-1', 'node-1', false, '90s']);
  assert.deepEqual(msgs(volumeAttachmentStrategy.validate!(obj('va', { spec: {} }))), [
    'spec.attacher: Required value',
    'spec.source: Required value: must specify exactly one of inlineVolumeSpec and persistentVolumeName',
    `spec.nodeName: Invalid value: "": ${SUBDOMAIN}`,
    `spec.attacher: Invalid value: "": ${SUBDOMAIN}`,
  ]);
  const both = obj('va', { spec: { attacher: 'a', nodeName: 'n', source: { persistentVolumeName: 'p', inlineVolumeSpec: {} } } });
  assert.deepEqual(msgs(volumeAttachmentStrategy.validate!(both)), ['spec.source: Forbidden: must specify exactly one of inlineVolumeSpec and persistentVolumeName']);
  const inline = obj('va', { spec: { attacher: 'a', nodeName: 'n', source: { inlineVolumeSpec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] } } } });
  assert.deepEqual(msgs(volumeAttachmentStrategy.validate!(inline)), [
    'spec.source.inlineVolumeSpec.capacity: Forbidden: may not be specified in the context of inline volumes',
    'spec.source.inlineVolumeSpec.csi: Required value: has to be specified in the context of inline volumes',
  ]);
  const moved = obj('va-1', { spec: { attacher: 'hostpath.csi.k8s.io', nodeName: 'node-2', source: { persistentVolumeName: 'pv-1' } } });
  assert.match(msgs(volumeAttachmentStrategy.validateUpdate!(moved, va))[0], /^spec: Invalid value: .*"nodeName":"node-2".*: field is immutable$/);
  const attached = { ...va, status: { attached: true, attachError: { message: 'x'.repeat(1025) } } };
  assert.deepEqual(msgs(volumeAttachmentStrategy.validateStatusUpdate!(attached, va)), ['status.attachError.message: Too long: may not be more than 262144 bytes']);
  assert.equal(volumeAttachmentTableConvertor.row(attached, now)[4], true);
});

test('a CSIStorageCapacity: class name and topology checked and fixed, capacity not negative', () => {
  const c = { metadata: { name: 'cap', namespace: 'default' }, storageClassName: 'fast', nodeTopology: { matchLabels: { zone: 'a' } }, capacity: '1024Mi' } as KubeObject;
  csiStorageCapacityStrategy.default!(c);
  assert.equal(c.capacity, '1Gi');
  assert.deepEqual(msgs(csiStorageCapacityStrategy.validate!(c)), []);
  const bad = { metadata: { name: 'cap' }, storageClassName: 'Fast', capacity: '-1' } as KubeObject;
  assert.deepEqual(msgs(csiStorageCapacityStrategy.validate!(bad)), [`storageClassName: Invalid value: "Fast": ${SUBDOMAIN}`, 'capacity: Invalid value: "-1": must be greater than or equal to 0']);
  const moved = { ...c, storageClassName: 'slow', nodeTopology: { matchLabels: { zone: 'b' } } };
  assert.deepEqual(msgs(csiStorageCapacityStrategy.validateUpdate!(moved, c)), [
    'nodeTopology: Invalid value: {"matchLabels":{"zone":"b"}}: field is immutable',
    'storageClassName: Invalid value: "slow": field is immutable',
  ]);
});
