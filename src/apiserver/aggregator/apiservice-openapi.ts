// SPDX-License-Identifier: Apache-2.0
/**
 * The OpenAPI schema of APIService under upstream's definition names
 * (`io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.*`), so `kubectl
 * explain apiservice` and client-side validation know its fields. The
 * generated definitions come from kubernetes-types, which has no
 * apiregistration group; descriptions are ours.
 */
import type { OpenAPIModel } from '../definitions/definition.js';
import type { Schema } from '../openapi/schema.js';

const PKG = 'io.k8s.kube-aggregator.pkg.apis.apiregistration.v1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const GVK = (kind: string) => [{ group: 'apiregistration.k8s.io', version: 'v1', kind }];
const str = (description: string): Schema => ({ type: 'string', description });
const int = (description: string): Schema => ({ type: 'integer', format: 'int32', description });

/** API_SERVICE_OPENAPI is the model the APIService definition publishes. */
export const API_SERVICE_OPENAPI: OpenAPIModel = {
  name: `${PKG}.APIService`,
  definitions: {
    [`${PKG}.APIService`]: {
      description: 'APIService represents a server for a particular GroupVersion. Name must be "version.group".',
      type: 'object',
      properties: {
        apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
        kind: str('Kind is a string value representing the REST resource this object represents.'),
        metadata: { $ref: `#/definitions/${META}.ObjectMeta`, description: 'Standard object metadata.' },
        spec: { $ref: `#/definitions/${PKG}.APIServiceSpec`, description: 'Spec contains information for locating and communicating with a server' },
        status: { $ref: `#/definitions/${PKG}.APIServiceStatus`, description: 'Status contains derived information about an API server' },
      },
      'x-kubernetes-group-version-kind': GVK('APIService'),
    },
    [`${PKG}.APIServiceList`]: {
      description: 'APIServiceList is a list of APIService objects.',
      type: 'object',
      required: ['items'],
      properties: {
        apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
        items: { type: 'array', description: 'Items is the list of APIService', items: { $ref: `#/definitions/${PKG}.APIService` } },
        kind: str('Kind is a string value representing the REST resource this object represents.'),
        metadata: { $ref: `#/definitions/${META}.ListMeta`, description: 'Standard list metadata.' },
      },
      'x-kubernetes-group-version-kind': GVK('APIServiceList'),
    },
    [`${PKG}.APIServiceSpec`]: {
      description: 'APIServiceSpec contains information for locating and communicating with a server. Only https is supported, though you are able to disable certificate verification.',
      type: 'object',
      required: ['groupPriorityMinimum', 'versionPriority'],
      properties: {
        caBundle: { type: 'string', format: 'byte', description: 'CABundle is a PEM encoded CA bundle which will be used to validate an API server\'s serving certificate. If unspecified, system trust roots on the apiserver are used.', 'x-kubernetes-list-type': 'atomic' },
        group: str('Group is the API group name this server hosts'),
        groupPriorityMinimum: int('GroupPriorityMinimum is the priority this group should have at least. Higher priority means that the group is preferred by clients over lower priority ones. The primary sort is based on GroupPriorityMinimum, ordered highest number to lowest; the secondary sort is the alphabetical comparison of the name of the object.'),
        insecureSkipTLSVerify: { type: 'boolean', description: 'InsecureSkipTLSVerify disables TLS certificate verification when communicating with this server. This is strongly discouraged. You should use the CABundle instead.' },
        service: { $ref: `#/definitions/${PKG}.ServiceReference`, description: 'Service is a reference to the service for this API server. It must communicate on port 443. If the Service is nil, that means the handling for the API groupversion is handled locally on this server.' },
        version: str('Version is the API version this server hosts. For example, "v1"'),
        versionPriority: int('VersionPriority controls the ordering of this API version inside of its group. Must be greater than zero. The primary sort is based on VersionPriority, ordered highest to lowest; ties are broken by kube-aware version ordering (GA before beta before alpha).'),
      },
    },
    [`${PKG}.ServiceReference`]: {
      description: 'ServiceReference holds a reference to Service.legacy.k8s.io',
      type: 'object',
      properties: {
        name: str('Name is the name of the service'),
        namespace: str('Namespace is the namespace of the service'),
        port: int('If specified, the port on the service that is hosting the API server. Defaults to 443. `port` should be a valid port number (1-65535, inclusive).'),
      },
    },
    [`${PKG}.APIServiceStatus`]: {
      description: 'APIServiceStatus contains derived information about an API server',
      type: 'object',
      properties: {
        conditions: {
          type: 'array',
          description: 'Current service state of apiService.',
          items: { $ref: `#/definitions/${PKG}.APIServiceCondition` },
          'x-kubernetes-list-map-keys': ['type'],
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-patch-merge-key': 'type',
          'x-kubernetes-patch-strategy': 'merge',
        },
      },
    },
    [`${PKG}.APIServiceCondition`]: {
      description: 'APIServiceCondition describes the state of an APIService at a particular point',
      type: 'object',
      required: ['type', 'status'],
      properties: {
        lastTransitionTime: { type: 'string', format: 'date-time', description: 'Last time the condition transitioned from one status to another.' },
        message: str('Human-readable message indicating details about last transition.'),
        reason: str("Unique, one-word, CamelCase reason for the condition's last transition."),
        status: str('Status is the status of the condition. Can be True, False, Unknown.'),
        type: str('Type is the type of the condition.'),
      },
    },
  },
};
