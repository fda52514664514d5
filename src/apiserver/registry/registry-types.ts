// SPDX-License-Identifier: Apache-2.0
/** What a ResourceRegistry is built from and the shapes of its list and delete requests. */
import type { KubeObject, ResourceInfo } from '../../api/index.js';
import type { FieldError } from '../../machinery/index.js';
import type { Store } from '../../storage/index.js';
import type { ResourceDefinition } from '../definitions/definition.js';
import type { AdmissionChain } from '../admission/admission.js';
import type { RequestContext } from './request-context.js';
import type { KindSchema } from './managed-fields.js';

/** RegistryHooks add kind-specific steps that need storage or allocation (cluster IPs, node ports). */
export interface RegistryHooks {
  /** beforeCreate runs after validation and before the write; it may allocate and must undo with afterFailedCreate. */
  beforeCreate?(obj: KubeObject, ctx: RequestContext): Promise<void> | void;
  afterFailedCreate?(obj: KubeObject): void;
  beforeUpdate?(obj: KubeObject, old: KubeObject, ctx: RequestContext): Promise<void> | void;
  afterDelete?(obj: KubeObject): void;
}

export interface ResourceRegistryOptions {
  /** definition says what is served and how its kind behaves (strategy, generation, graceful deletion). */
  definition: ResourceDefinition;
  store: Store;
  hooks?: RegistryHooks;
  /** validateMeta checks metadata generically (name rules, labels, annotations). */
  validateMeta(obj: KubeObject, info: ResourceInfo): FieldError[];
  /** findUnknownFields lists fields the schema does not know, as `spec.foo` paths. */
  findUnknownFields?(apiVersion: string, kind: string, obj: unknown): string[];
  /** decodeError says why a body would not decode into the kind's Go type (a wrongly typed field), in encoding/json's words. */
  decodeError?(apiVersion: string, kind: string, obj: unknown): string | undefined;
  /** onWritten is told after every stored write of this resource (APIRegistry's cached policy lists). */
  onWritten?: () => void;
  /** admission runs mutating and validating admission plugins around validation. */
  admission?: AdmissionChain;
  /** namespaceState tells whether a namespace exists and whether it is terminating. */
  namespaceState(name: string): Promise<'Active' | 'Terminating' | undefined>;
  /** kindSchema gives the structure managedFields are tracked against (built-in definitions by default). */
  kindSchema?: () => KindSchema;
  now?: () => Date;
}

export interface ListRequest {
  predicate?: (obj: KubeObject) => boolean;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface DeleteResult {
  object: KubeObject;
  /** deleted is false when finalizers or a grace period keep the object for now. */
  deleted: boolean;
}

export interface DeleteRequest {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
  /** orphanDependents is the deprecated boolean form of propagationPolicy=Orphan. */
  orphanDependents?: boolean;
}

/**
 * INTERNAL_FULL_UPDATE is the subresource name in-process callers use to write
 * spec and status together (pod binding sets nodeName and the PodScheduled
 * condition in one write, as upstream's binding REST does).
 */
export const INTERNAL_FULL_UPDATE = '*';
