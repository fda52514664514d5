// SPDX-License-Identifier: Apache-2.0
/**
 * The OpenAPI model of one custom resource version, as upstream's CRD
 * OpenAPI builder publishes it: definitions named by the reversed group
 * (`io.cert-manager.v1.Certificate`), the version's schema with
 * apiVersion/kind described and metadata pointing at ObjectMeta, a `<Kind>List`
 * definition, and `x-kubernetes-group-version-kind` on both, so kubectl
 * explain and server-side field validation find them.
 */
import type { OpenAPIModel } from '../definitions/index.js';
import type { Definitions, Schema } from '../openapi/index.js';
import type { JSONSchemaProps } from './types.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const API_VERSION = {
  type: 'string' as const,
  description: 'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources',
};
const KIND = {
  type: 'string' as const,
  description: 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
};

/** definitionNameOf is upstream's name for a custom kind's schema: reversed group, version, kind. */
export function definitionNameOf(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

/** customResourceModel builds the definitions of one served version. */
export function customResourceModel(group: string, version: string, kind: string, listKind: string, schema: JSONSchemaProps): OpenAPIModel {
  const name = definitionNameOf(group, version, kind);
  // The CRD schema is JSON Schema as OpenAPI documents carry it; the published form only adds type meta.
  const own = structuredClone(schema) as unknown as Schema;
  own.properties = {
    ...(own.properties ?? {}),
    apiVersion: { ...API_VERSION },
    kind: { ...KIND },
    metadata: { $ref: `#/definitions/${META}.ObjectMeta` },
  };
  own.type = 'object';
  own['x-kubernetes-group-version-kind'] = [{ group, version, kind }];
  const list: Schema = {
    description: `${listKind} is a list of ${kind}`,
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: { ...API_VERSION },
      items: { type: 'array', description: `List of ${kind.toLowerCase()}s. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md`, items: { $ref: `#/definitions/${name}` } },
      kind: { ...KIND },
      metadata: { $ref: `#/definitions/${META}.ListMeta` },
    },
    'x-kubernetes-group-version-kind': [{ group, version, kind: listKind }],
  };
  const definitions: Definitions = { [name]: own, [`${name}List`]: list };
  return { name, definitions };
}
