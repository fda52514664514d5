// SPDX-License-Identifier: Apache-2.0
/**
 * The definition of CustomResourceDefinition itself (apiextensions.k8s.io/v1,
 * cluster-scoped, short names crd/crds, status subresource), with upstream's
 * CRD strategy: defaults (singular, listKind, conversion None), the storage
 * version recorded in status.storedVersions, validation, and the cleanup
 * finalizer that makes deletion remove the custom resources first.
 */
import type { KubeObject } from '../../api/index.js';
import type { ResourceInfo } from '../../api/index.js';
import type { ResourceDefinition } from '../definitions/index.js';
import { defaultTableConvertor } from '../printers/index.js';
import type { ResourceStrategy } from '../strategy.js';
import { validateCRD, validateCRDUpdate } from './crd-validation.js';
import { CRD_CLEANUP_FINALIZER, CRD_GROUP, type CustomResourceDefinition } from './types.js';

const INFO: ResourceInfo = {
  group: CRD_GROUP,
  version: 'v1',
  kind: 'CustomResourceDefinition',
  plural: 'customresourcedefinitions',
  singular: 'customresourcedefinition',
  namespaced: false,
  shortNames: ['crd', 'crds'],
  categories: ['api-extensions'],
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: ['status'],
  storage: { group: CRD_GROUP, resource: 'customresourcedefinitions', version: 'v1' },
};

const DEF_NAME = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition';

const asCRD = (o: KubeObject): CustomResourceDefinition => o as unknown as CustomResourceDefinition;

const strategy: ResourceStrategy = {
  default(obj) {
    const spec = asCRD(obj).spec;
    if (!spec || typeof spec !== 'object') return;
    const names = spec.names;
    if (names?.kind) {
      names.singular ||= names.kind.toLowerCase();
      names.listKind ||= `${names.kind}List`;
    }
    spec.conversion ??= { strategy: 'None' };
  },
  prepareForCreate(obj) {
    recordStorageVersion(asCRD(obj));
  },
  prepareForUpdate(obj) {
    recordStorageVersion(asCRD(obj));
  },
  validate: (obj) => validateCRD(asCRD(obj)),
  validateUpdate: (obj, old) => validateCRDUpdate(asCRD(obj), asCRD(old)),
};

/** recordStorageVersion adds the storage version to status.storedVersions, as upstream's CRD strategy does. */
function recordStorageVersion(crd: CustomResourceDefinition): void {
  const storage = crd.spec?.versions?.find((v) => v.storage)?.name;
  if (!storage) return;
  crd.status ??= { acceptedNames: { kind: '', plural: '' }, storedVersions: [] } as unknown as CustomResourceDefinition['status'];
  const status = crd.status!;
  status.storedVersions ??= [];
  if (!status.storedVersions.includes(storage)) status.storedVersions.push(storage);
}

/** customResourceDefinitionKind is the served definition of CustomResourceDefinitions. */
export function customResourceDefinitionKind(): ResourceDefinition {
  return {
    info: INFO,
    strategy,
    printer: defaultTableConvertor,
    tracksGeneration: true,
    deletionFinalizers: [CRD_CLEANUP_FINALIZER],
    openAPI: {
      name: DEF_NAME,
      definitions: {
        [DEF_NAME]: {
          description: 'CustomResourceDefinition represents a resource that should be exposed on the API server.  Its name MUST be in the format <.spec.name>.<.spec.group>.',
          type: 'object',
          required: ['spec'],
          properties: {
            apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
            kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
            metadata: { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' },
            spec: { type: 'object', description: 'spec describes how the user wants the resources to appear', 'x-kubernetes-preserve-unknown-fields': true },
            status: { type: 'object', description: 'status indicates the actual state of the CustomResourceDefinition', 'x-kubernetes-preserve-unknown-fields': true },
          },
          'x-kubernetes-group-version-kind': [{ group: CRD_GROUP, version: 'v1', kind: 'CustomResourceDefinition' }],
        },
        [`${DEF_NAME}List`]: {
          description: 'CustomResourceDefinitionList is a list of CustomResourceDefinition objects.',
          type: 'object',
          required: ['items'],
          properties: {
            apiVersion: { type: 'string' },
            items: { type: 'array', items: { $ref: `#/definitions/${DEF_NAME}` } },
            kind: { type: 'string' },
            metadata: { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta' },
          },
          'x-kubernetes-group-version-kind': [{ group: CRD_GROUP, version: 'v1', kind: 'CustomResourceDefinitionList' }],
        },
      },
    },
  };
}
