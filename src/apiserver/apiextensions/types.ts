// SPDX-License-Identifier: Apache-2.0
/**
 * apiextensions.k8s.io/v1 types used here, from kubernetes-types, plus the
 * small helpers every file needs (path rendering, JSON type names).
 */
import type {
  CustomResourceDefinition as K8sCustomResourceDefinition,
  CustomResourceDefinitionSpec as K8sCustomResourceDefinitionSpec,
  CustomResourceDefinitionVersion as K8sCustomResourceDefinitionVersion,
  CustomResourceColumnDefinition,
  JSONSchemaProps as K8sJSONSchemaProps,
} from 'kubernetes-types/apiextensions/v1.js';

export type { CustomResourceColumnDefinition };

/** ValidationRule is one `x-kubernetes-validations` entry. */
export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

/** JSONSchemaProps with the `x-kubernetes-*` extensions kubernetes-types leaves out. */
export interface JSONSchemaProps extends Omit<K8sJSONSchemaProps, 'properties' | 'items' | 'additionalProperties' | 'allOf' | 'anyOf' | 'oneOf' | 'not'> {
  properties?: Record<string, JSONSchemaProps>;
  items?: JSONSchemaProps | JSONSchemaProps[];
  additionalProperties?: JSONSchemaProps | boolean;
  allOf?: JSONSchemaProps[];
  anyOf?: JSONSchemaProps[];
  oneOf?: JSONSchemaProps[];
  not?: JSONSchemaProps;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-validations'?: ValidationRule[];
}

export type CustomResourceDefinitionVersion = Omit<K8sCustomResourceDefinitionVersion, 'schema'> & {
  schema?: { openAPIV3Schema?: JSONSchemaProps };
};

export type CustomResourceDefinition = Omit<K8sCustomResourceDefinition, 'spec'> & {
  spec: Omit<K8sCustomResourceDefinitionSpec, 'versions'> & { versions: CustomResourceDefinitionVersion[] };
};

/** CRD_GROUP is the API group of CustomResourceDefinitions. */
export const CRD_GROUP = 'apiextensions.k8s.io';

/** CRD_CLEANUP_FINALIZER holds a CRD until its custom resources are deleted, as upstream's finalizer controller. */
export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

/** child renders a field path the way field.Path does: `spec.replicas`, `spec.ports[0]`, `metadata.labels[app]`. */
export function child(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** index renders a list element path. */
export function index(path: string, i: number): string {
  return `${path}[${i}]`;
}

/** key renders a map key path (`properties[spec]`). */
export function key(path: string, k: string): string {
  return `${path}[${k}]`;
}

/** jsonType names a value's JSON type as upstream's schema validator reports it. */
export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

/** isObject is true for JSON objects (not arrays, not null). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
