// SPDX-License-Identifier: Apache-2.0
/**
 * ResourceDefinition is everything the server knows about one served
 * resource: its table row (names, scope, verbs, subresources, storage), the
 * strategy of its kind, its printer columns, and the behaviour the generic
 * registry switches on (generation tracking, graceful deletion, status kept on
 * create, finalizers in spec). Discovery, OpenAPI, routing, storage keys,
 * Tables and the registry all read definitions; built-in kinds and custom
 * resources are described the same way, the latter added at run time.
 */
import type { KubeObject } from '../../api/index.js';
import type { ResourceInfo } from '../../api/index.js';
import type { ResourceStrategy } from '../strategy.js';
import type { TableConvertor } from '../printers/table.js';
import type { Definitions } from '../openapi/schema.js';

/**
 * VersionConverter converts between a served version and the storage version
 * of the same resource; a custom resource's conversion webhook answers
 * asynchronously, built-in conversions at once.
 */
export interface VersionConverter {
  toStorage(obj: KubeObject): KubeObject | Promise<KubeObject>;
  fromStorage(obj: KubeObject): KubeObject | Promise<KubeObject>;
}

/** OpenAPIModel is the schema a run-time definition publishes (built-in kinds use the generated definitions). */
export interface OpenAPIModel {
  /** Definition name of the kind (`com.example.stable.v1.CronTab`); `<name>List` is its list. */
  name: string;
  /** The kind's and its list's schemas, and anything they refer to. */
  definitions: Definitions;
}

export interface ResourceDefinition {
  info: ResourceInfo;
  strategy: ResourceStrategy;
  printer: TableConvertor;
  /** tracksGeneration: metadata.generation counts spec changes (upstream strategies that set it). */
  tracksGeneration: boolean;
  /**
   * gracePeriod makes deletion graceful (deletionTimestamp first; the node
   * finishes the delete), as upstream's CheckGracefulDelete; absent means
   * objects go at once unless finalizers hold them.
   */
  gracePeriod?(obj: KubeObject, requested: number | undefined): number;
  /** keepsStatusOnCreate: a create may carry status (a Node registers with its capacity). */
  keepsStatusOnCreate?: boolean;
  /** specFinalizers lists finalizers kept in spec (namespaces' `kubernetes`), which hold deletion as metadata ones do. */
  specFinalizers?(obj: KubeObject): string[];
  converter?: VersionConverter;
  /** openAPI is the published schema of a run-time definition. */
  openAPI?: OpenAPIModel;
  /** findUnknownFields overrides the schema lookup of fieldValidation (custom resources). */
  findUnknownFields?(obj: unknown): string[];
  /** scale says where the scale subresource reads and writes replicas (default: spec.replicas, status.replicas, spec.selector). */
  scale?: ScalePaths;
  /** deletionFinalizers are added when deletion starts (a CRD removes its custom resources first). */
  deletionFinalizers?: string[];
  /**
   * returnsDeletedObject: a delete that removes the object at once answers
   * with the object (upstream's ReturnDeletedObject: pods, services, service
   * accounts, namespaces, storage classes, custom resources); other kinds
   * answer with a Success Status naming it. A delete held by finalizers or a
   * grace period answers with the object either way.
   */
  returnsDeletedObject?: true;
  /** strategicMergePatch: false answers strategic merge patches with 415, as upstream does for custom resources. */
  strategicMergePatch?: false;
}

/** ScalePaths are JSONPaths (`.spec.replicas`) of a custom resource's scale subresource. */
export interface ScalePaths {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

/** gvrKey is how definitions are found by URL. */
export function gvrKey(group: string, version: string, plural: string): string {
  return `${group}/${version}/${plural}`;
}
